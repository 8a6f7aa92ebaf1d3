"""A real ``microhe serve`` subprocess on 127.0.0.1 (port 0: the OS picks it; the server
names the port it got in its address file beside the store), with a write token made
beforehand by ``microhe token add``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90


def _env(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update({f"MICROHE_{k.upper()}": v for k, v in settings.items()})
    return env


def _microhe() -> list[str]:
    script = shutil.which("microhe")
    return [script] if script else [sys.executable, "-c", "from microhe.cli import main; main()"]


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


class Served:
    """``microhe serve --store STORE --port 0 [args]`` with ``MICROHE_<NAME>`` settings."""

    def __init__(self, store: Path, log: Path, *args: str, **settings: str):
        self.store, self.log = store, log
        env = _env(settings)
        made = subprocess.run([*_microhe(), "token", "add", "w3c-runner", "--store", str(store)],
                              capture_output=True, text=True, env=env, timeout=120)
        assert made.returncode == 0, made.stderr
        self.token = made.stdout.strip()
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([*_microhe(), "serve", "--store", str(store), "--port", "0", *args],
                                         stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.proc.poll() is None, f"microhe serve exited {self.proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"not answering in {START_TIMEOUT_S} s:\n{log.read_text()}"
            try:
                url = json.loads((store / "microhe-server.json").read_text())["url"]
            except (OSError, ValueError, KeyError):
                url = None
            if url is not None and _answers(url):
                self.url = url
                self.host, port = url[len("http://"):].rsplit(":", 1)
                self.port = int(port)
                return
            time.sleep(0.1)  # polling the server's start-up (bounded by the deadline), not synchronising a result

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
