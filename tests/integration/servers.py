"""The two real SPARQL servers of the remote-store contract suite, started on loopback:
Oxigraph server (``oxigraph serve``, from the ``oxigraph`` pip package in the dev extra) and
Virtuoso (:mod:`tests.integration.virtuoso`).

Ports come from the OS. Oxigraph binds port 0 itself and the port it got is read from
``/proc`` (its listening socket), so no port is guessed or reserved ahead; Virtuoso cannot
bind port 0, so it gets ports the OS handed out (bind 0, release) and is started again on
new ones if another process took one in between."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ports import listening_ports

from .common import wait_http

OXIGRAPH_HINT = "pip install -e '.[dev]' (it brings `oxigraph>=0.5.13,<0.6`, whose `oxigraph` binary serves SPARQL)"


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` binary: next to the running interpreter (a virtualenv's ``bin``,
    which need not be on PATH), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def dev_extra_missing() -> list[str]:
    """The requirements of microhe's ``dev`` extra that are not installed (empty when the
    extra is installed)."""
    try:
        reqs = importlib.metadata.requires("microhe") or []
    except importlib.metadata.PackageNotFoundError:
        return ["microhe"]
    missing = []
    for req in reqs:
        if 'extra == "dev"' not in req:
            continue
        name = re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0]
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def require_oxigraph() -> str:
    """The ``oxigraph`` binary; a missing one fails the test when the dev extra is installed
    (it should have brought it) and skips it, naming what is missing, when it is not."""
    binary = oxigraph_binary()
    if binary is not None:
        return binary
    missing = dev_extra_missing()
    if not missing:
        pytest.fail(f"the dev extra is installed but no `oxigraph` binary was found next to {sys.executable} "
                    f"nor on PATH; {OXIGRAPH_HINT}")
    pytest.skip(f"the dev extra is not installed (missing: {', '.join(missing)}); {OXIGRAPH_HINT}")


def _port_of(proc: subprocess.Popen, seconds: float) -> int:
    """Poll (bounded) until ``proc`` listens on one port, and return it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"oxigraph exited with {proc.returncode} before listening: {err}")
        ports = listening_ports(proc.pid)
        if ports:
            [port] = ports
            return port
        time.sleep(0.05)
    raise RuntimeError(f"oxigraph did not listen within {seconds} s")


def start_oxigraph(directory: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """``oxigraph serve`` on 127.0.0.1, a port the OS chose, data in ``directory``; returns
    the process and the base URL once the server answers."""
    proc = subprocess.Popen([require_oxigraph(), "serve", "--location", str(directory / "db"),
                             "--bind", "127.0.0.1:0", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{_port_of(proc, 15)}"
        wait_http(f"{base}/query?query=ASK%7B%7D", 15, proc)
    except BaseException:
        stop(proc)
        raise
    return proc, base


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(10)
