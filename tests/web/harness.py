"""What the browser tests share: a real ``microhe serve --port 0`` subprocess on loopback,
waited for until ``/health`` answers and stopped after, and Debian's Chromium launched by
Playwright (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
START_TIMEOUT_S = 60
LISTENING = re.compile(r"microhe listening on http://[^:/]+:(\d+)/")


def microhe_command() -> list[str]:
    """The ``microhe`` console script when installed, else the same entry point."""
    script = shutil.which("microhe")
    return [script] if script else [sys.executable, "-c", "from microhe.cli import main; main()"]


def status(url: str, method: str = "GET") -> int | None:
    """The HTTP status of ``url`` (asking for HTML), None when nothing answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers={"Accept": "text/html"}),
                                    timeout=30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code
    except OSError:
        return None


@contextlib.contextmanager
def serving(args: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``microhe serve --port 0 ARGS`` (its output in ``log``) until ``/health`` answers:
    yields its URL; the server is stopped after (terminated, killed if it lingers)."""
    with open(log, "wb") as out:
        proc = subprocess.Popen([*microhe_command(), "serve", "--port", "0", *args], stdout=out,
                                stderr=subprocess.STDOUT, env=env if env is not None else dict(os.environ))
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = None
        while True:
            assert proc.poll() is None, f"microhe serve exited {proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no answer in {START_TIMEOUT_S} s:\n{log.read_text()}"
            if url is None and (found := LISTENING.search(log.read_text())):
                url = f"http://127.0.0.1:{found.group(1)}"
            if url and status(url + "/health") == 200:
                break
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@contextlib.contextmanager
def chromium(playwright) -> Iterator:
    """Debian's Chromium under Playwright (``playwright``: the ``playwright.sync_api`` module)."""
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def watched_page(browser, ignore=lambda message: False) -> Iterator:
    """A fresh page (1280 x 900) whose console errors (CSP refusals land there) and page
    errors are collected in ``page.console_errors`` and must be none when the block ends;
    ``ignore(message)`` leaves out a console error a test asked for (a 4xx page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and not ignore(m) else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    yield pg
    context.close()
    assert errors == [], errors
