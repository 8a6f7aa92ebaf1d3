"""Streamed reads (``/dump.nq``, Graph Store GET in N-Triples / N-Quads) under concurrency.

pyoxigraph's iterators are "unsendable": one touched on a thread other than the one that
made it aborts the whole process (a pyo3 panic, not an exception). Issue #12 item 1 was
exactly that: two concurrent dumps killed the server. An in-process test would kill
pytest with it, so the server here is a real uvicorn in a subprocess, on a loopback
socket this test binds (port 0) and hands over, over a store initialised with the
reference and demo graphs (``microhe init --demo``).

What is checked: 8 concurrent dumps, 8 Graph Store reads in N-Triples and 8 in N-Quads,
and a dump alongside SPARQL queries all succeed, the server process is still alive, and
every body is byte-identical to the same read made alone first; a client that goes away
mid-stream leaves no producer thread behind and the server keeps answering.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
BIG_GRAPH = "https://w3id.org/microhe/ref/graph/frameworks"  # the largest demo graph (~2,500 quads)
NT, NQ = "application/n-triples", "application/n-quads"
ENOUGH = 15.0  # seconds: a bound for polls and requests, far above what they take

#: Serve the app over the store named by MICROHE_STORE on the listening socket whose file
#: descriptor is argv[1] (as ``microhe serve`` does, but on a socket bound by the test, so
#: no port is guessed).
LAUNCHER = """
import socket, sys
import uvicorn
from microhe.api import create_app
from microhe.settings import get_settings
sock = socket.socket(fileno=int(sys.argv[1]))
uvicorn.Server(uvicorn.Config(create_app(get_settings()), log_level="warning")).run(sockets=[sock])
"""


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.proc.poll() is None

    def threads(self) -> int:
        """The number of threads of the server process (Linux ``/proc``)."""
        return len(os.listdir(f"/proc/{self.proc.pid}/task"))

    def why_dead(self) -> str:
        return f"server exited with {self.proc.returncode}; its stderr ends:\n{self.log.read_text()[-1500:]}"


@pytest.fixture(scope="module")
def served_dir(demo_dir, tmp_path_factory) -> Path:
    """This module's copy of the on-disk demo store (~10,000 quads), which its servers open."""
    path = tmp_path_factory.mktemp("streams") / "store"
    shutil.copytree(demo_dir, path)
    return path


@pytest.fixture(scope="module")
def module_server(served_dir, tmp_path_factory) -> Iterator[Server]:
    """One server process for the module; every test first checks it is still alive."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {**os.environ, "MICROHE_STORE": str(served_dir), "MICROHE_BASE": url + "/",
           "MICROHE_WARM_INDEXES": "false", "PYTHONPATH": str(ROOT),
           "RUST_BACKTRACE": "0"}  # a panic in one line, not a page of frames
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(sock.fileno())], pass_fds=[sock.fileno()],
                                env=env, stdout=subprocess.DEVNULL, stderr=err)
    sock.close()  # the child holds its own copy
    srv = Server(url, proc, log)
    try:
        _wait_ready(srv)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=ENOUGH)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(srv: Server) -> None:
    until = time.monotonic() + ENOUGH
    while time.monotonic() < until:
        assert srv.alive(), srv.why_dead()
        try:
            if httpx.get(srv.url + "/sparql", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"the server did not answer within {ENOUGH} s")


def _get(srv: Server, path: str, accept: str | None = None, params: dict | None = None) -> bytes:
    headers = {"Accept": accept} if accept else {}
    r = httpx.get(srv.url + path, headers=headers, params=params, timeout=ENOUGH)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r.content


def _dump(srv: Server) -> bytes:
    return _get(srv, "/dump.nq")


def _graph(accept: str) -> Callable[[Server], bytes]:
    return lambda srv: _get(srv, "/rdf-graphs", accept, {"graph": BIG_GRAPH})


def _query(srv: Server) -> bytes:
    return _get(srv, "/sparql", "application/sparql-results+json",
                {"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"})


def _concurrently(srv: Server, jobs: list[Callable[[Server], bytes]]) -> list[bytes | BaseException]:
    """Run every job in its own thread, all released at once; their bodies (or errors)."""
    start = threading.Barrier(len(jobs))
    results: list[bytes | BaseException | None] = [None] * len(jobs)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = jobs[i](srv)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results  # type: ignore[return-value]


@pytest.fixture
def server(module_server) -> Server:
    """The module's server, alive (else the error says how it died, e.g. in an earlier test)."""
    assert module_server.alive(), module_server.why_dead()
    return module_server


def test_concurrent_dumps_and_graph_reads_keep_the_server_alive_and_agree(server):
    expected = {"dump": _dump(server), NT: _graph(NT)(server), NQ: _graph(NQ)(server)}
    assert expected["dump"].count(b"\n") > 9000 and expected[NT].count(b"\n") > 2000
    kinds = ["dump"] * 8 + [NT] * 8 + [NQ] * 8
    jobs = [_dump if k == "dump" else _graph(k) for k in kinds]

    results = _concurrently(server, jobs)

    assert server.alive(), server.why_dead()
    failed = [(k, r) for k, r in zip(kinds, results, strict=False) if isinstance(r, BaseException)]
    assert not failed, f"{len(failed)} of {len(jobs)} reads failed, e.g. {failed[0]!r}"
    differ = [k for k, r in zip(kinds, results, strict=False) if r != expected[k]]
    assert not differ, f"bodies differ from the sequential read: {differ}"


def test_a_dump_alongside_other_requests(server):
    expected_dump, expected_rows = _dump(server), _query(server)
    jobs = [_dump, _query, _query, _query, _graph(NT), _query, _query]

    results = _concurrently(server, jobs)

    assert server.alive(), server.why_dead()
    assert results[0] == expected_dump
    assert results[4] == _graph(NT)(server)
    assert all(r == expected_rows for r in [results[1], results[2], results[3], results[5], results[6]]), results


def test_a_client_that_goes_away_mid_stream_leaves_no_thread_behind(server):
    """A client reads the first bytes of a dump (2 MB, far more than the socket buffers
    and the producer's queue hold) and hangs up, ten times over. The producer must stop
    and end its thread: the server's thread count comes back to what it was, and the
    server still answers. (A producer that went on, or blocked forever on its full queue,
    would leave one thread per abandoned stream.)"""
    _dump(server), _query(server), _graph(NT)(server)  # let every pool the routes use start its threads
    before = server.threads()

    for _ in range(10):
        with httpx.stream("GET", server.url + "/dump.nq", timeout=ENOUGH) as r:
            assert r.status_code == 200
            first = next(r.iter_raw())
            assert first
        # leaving the block closes the connection with most of the body unread

    assert server.alive(), server.why_dead()
    until = time.monotonic() + ENOUGH
    while server.threads() > before and time.monotonic() < until:
        time.sleep(0.05)
    assert server.threads() <= before, f"{server.threads() - before} thread(s) left behind by abandoned streams"
    assert _query(server) and _dump(server) == _dump(server)
    assert server.alive(), server.why_dead()
