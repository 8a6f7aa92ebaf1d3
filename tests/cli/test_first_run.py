"""The README's first command on a fresh account: ``microhe serve`` with a home directory
that holds nothing (no ``~/.local/share``) and no ``XDG_*``/``MICROHE_*`` variables, as in a
container, on CI or for a new user. It must create the store in the platform's data
directory and answer HTTP, not exit 2 with "cannot open the store"."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120  # a new store is initialised with the reference graphs first
LISTENING = re.compile(r"microhe listening on http://127\.0\.0\.1:(\d+)/")


def fresh_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MICROHE_"))}
    env["HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def microhe_command() -> list[str]:
    """The ``microhe`` console script when installed, else the same entry point."""
    script = shutil.which("microhe")
    return [script] if script else [sys.executable, "-c", "from microhe.cli import main; main()"]


def get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        e.read()  # the whole response: the server logs a refusal before it sends the body
        return e.code
    except OSError:
        return None


@pytest.mark.integration
def test_microhe_serve_on_a_fresh_account_creates_the_store_and_answers(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([*microhe_command(), "serve", "--port", "0"], cwd=tmp_path,
                                env=fresh_env(home), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        status = port = None
        while status != 200:
            assert proc.poll() is None, f"microhe serve exited {proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no answer in {START_TIMEOUT_S} s:\n{log.read_text()}"
            # --port 0: the OS picks the port, the server names it in its first line
            if port is None and (found := LISTENING.search(log.read_text())):
                port = int(found.group(1))
            status = get(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D") if port else None
            if status != 200:
                time.sleep(0.2)
        assert get(f"http://127.0.0.1:{port}/health") == 200
        # --port 0 without --base: the instance base is the port really listened on, not ":0"
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/.well-known/void",
                                                           headers={"Accept": "text/turtle"}), timeout=10) as r:
            void = r.read().decode()
        assert f'void:uriSpace "http://127.0.0.1:{port}/"' in void and "127.0.0.1:0/" not in void
        # the operator sees one line per refused request on stderr
        assert get(f"http://127.0.0.1:{port}/sparql?query=SELECT%20%3Fx") == 400
        assert "refused 400 GET /sparql client=127.0.0.1:" in log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
    store = home / ".local" / "share" / "microhe" / "store"  # the XDG default on Linux
    assert store.is_dir(), sorted(str(p.relative_to(home)) for p in home.rglob("*"))[:20]
    assert str(store) in log.read_text()  # the start-up line says where the store is
