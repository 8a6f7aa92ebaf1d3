"""The request body limit (``Settings.max_body_bytes``) holds on every route while the
body is read, not after.

* In process (TestClient): a ``Content-Length`` over the limit is answered 413 with a
  message on every route that takes a body, JSON routes included, before any handler,
  token check or body parsing runs.
* A real uvicorn subprocess with the limit set to 1 MB through ``MICROHE_MAX_BODY_BYTES``:
  a 50 MB chunked body (no ``Content-Length``) sent from a generator gets 413, and the
  server's peak resident memory (``VmHWM`` in ``/proc/PID/status``) grows by far less
  than the body: the server stopped reading at the limit instead of buffering it all.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from microhe.auth.tokens import TokenFile

LIMIT = 1024 * 1024
BODY_MB = 50
#: Peak-RSS growth allowed while 50 MB are offered: the 1 MB limit, the event loop's
#: read buffers and allocator slack fit easily; buffering the body does not.
MAX_GROWTH_KB = 30 * 1024

#: (method, path, Content-Type) of every route that takes a body.
BODY_ROUTES = [
    ("POST", "/api/recognition/compare", "application/json"),
    ("POST", "/api/recognition/decisions", "application/json"),
    ("POST", "/sparql", "application/sparql-query"),
    ("POST", "/sparql", "application/x-www-form-urlencoded"),
    ("PUT", "/rdf-graphs?graph=https://example.org/g", "text/turtle"),
    ("POST", "/rdf-graphs?graph=https://example.org/g", "text/turtle"),
    ("POST", "/update", "application/sparql-update"),
]


# -- Content-Length over the limit (in process) ---------------------------------------------


@pytest.mark.parametrize(("method", "path", "ctype"), BODY_ROUTES)
def test_declared_length_over_the_limit_is_413_before_the_handler(make_client, method, path, ctype):
    client = make_client(max_body_bytes=1000)
    # A syntactically fine body of each kind, just too large: only the size is wrong.
    body = {"application/json": json.dumps({"credential": "https://example.org/" + "x" * 2000}),
            "application/sparql-query": "ASK {} #" + "x" * 2000,
            "application/x-www-form-urlencoded": "query=ASK+%7B%7D+%23" + "x" * 2000,
            "text/turtle": "<https://example.org/a> <https://example.org/b> \"" + "x" * 2000 + "\" .",
            "application/sparql-update": "INSERT DATA {} #" + "x" * 2000}[ctype]
    r = client.request(method, path, content=body.encode(), headers={"Content-Type": ctype})
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert "exceeds the limit of 1000 bytes" in r.json()["detail"]


def test_body_within_the_limit_still_reaches_the_handler(make_client):
    client = make_client(max_body_bytes=1000)
    r = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query",
                                                           "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is True


def test_unparsable_content_length_is_400(make_client):
    """A Content-Length that is not a number cannot be checked against the limit.
    (h11 and httptools refuse it before the app on a real server; the app refuses it too.)"""
    from microhe.api.http.limits import BodyLimit

    sent: list[dict] = []

    async def app(scope, receive, send):  # pragma: no cover - must not be reached
        raise AssertionError("the app was called")

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    import asyncio

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [(b"content-length", b"12x")]}
    asyncio.run(BodyLimit(app, limit=10)(scope, receive, send))
    assert sent[0]["status"] == 400
    assert b"Content-Length" in sent[1]["body"]


# -- chunked bodies against a real server -----------------------------------------------------


_SERVER = textwrap.dedent("""
    import socket, sys
    import uvicorn
    from microhe.api import create_app
    from microhe.settings import get_settings
    from microhe.store.embedded import Store

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    settings = get_settings()  # MICROHE_MAX_BODY_BYTES, MICROHE_STORE from the environment
    app = create_app(settings, Store())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    print(sock.getsockname()[1], flush=True)
    server.run(sockets=[sock])
""")


class Server:
    def __init__(self, proc: subprocess.Popen, port: int, token: str):
        self.proc, self.port, self.token = proc, port, token

    def peak_rss_kb(self) -> int:
        """Peak resident set size of the server process so far (VmHWM, kB)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("bodylimit")
    token = TokenFile.beside(tmp / "store").add("limit-test")
    env = {**os.environ, "MICROHE_MAX_BODY_BYTES": str(LIMIT), "MICROHE_STORE": str(tmp / "store"),
           "MICROHE_WARM_INDEXES": "false", "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    proc = subprocess.Popen([sys.executable, "-c", _SERVER], env=env, stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the server did not report its port within 60 s"
        port = int(proc.stdout.readline())
        _wait_listening(port)
        yield Server(proc, port, token)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_listening(port: int, attempts: int = 600) -> None:
    for _ in range(attempts):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            select.select([], [], [], 0.05)
    raise AssertionError(f"nothing listens on port {port}")


def send_chunked(port: int, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]) -> int:
    """Send a chunked request body from ``chunks`` until the server answers (or closes);
    returns the response status. Stops sending as soon as a response byte is readable,
    like a client that watches for an early error response."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode())
    try:
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
        else:
            sock.sendall(b"0\r\n\r\n")
        data = b""
        while b"\r\n" not in data:
            part = sock.recv(4096)
            if not part:
                break
            data += part
        assert data.startswith(b"HTTP/1.1 "), f"no HTTP response: {data[:200]!r}"
        return int(data.split(b" ", 2)[1])
    finally:
        sock.close()


def _json_chunks(total_mb: int) -> Iterator[bytes]:
    """A JSON document ``{"document": "xxx..."}`` of ``total_mb`` MB, in 64 kB chunks."""
    yield b'{"document": "'
    chunk = b"x" * 65536
    for _ in range(total_mb * 16):
        yield chunk
    yield b'"}'


def _text_chunks(prefix: bytes, total_mb: int) -> Iterator[bytes]:
    yield prefix
    chunk = b"#" + b"x" * 65535
    for _ in range(total_mb * 16):
        yield chunk


CHUNKED_CASES = {
    "compare": ("POST", "/api/recognition/compare", "application/json", lambda: _json_chunks(BODY_MB)),
    "sparql": ("POST", "/sparql", "application/sparql-query", lambda: _text_chunks(b"ASK {}\n", BODY_MB)),
    "rdf-graphs": ("PUT", "/rdf-graphs?graph=https://example.org/g", "text/turtle",
                   lambda: _text_chunks(b"<https://example.org/a> <https://example.org/b> 1 .\n", BODY_MB)),
    "update": ("POST", "/update", "application/sparql-update",
               lambda: _text_chunks(b"INSERT DATA {}\n", BODY_MB)),
}


@pytest.mark.integration
@pytest.mark.parametrize("case", list(CHUNKED_CASES))
def test_chunked_body_over_the_limit_is_refused_without_buffering_it(server, case):
    method, path, ctype, chunks = CHUNKED_CASES[case]
    headers = {"Content-Type": ctype, "Authorization": f"Bearer {server.token}"}
    # Warm up the route (imports, first-request allocations) with a small body.
    send_chunked(server.port, method, path, headers, iter([b"{}" if ctype == "application/json" else b"#"]))
    before = server.peak_rss_kb()
    status = send_chunked(server.port, method, path, headers, chunks())
    growth = server.peak_rss_kb() - before
    assert server.proc.poll() is None, "the server died"
    assert status == 413
    assert growth < MAX_GROWTH_KB, (f"peak RSS grew by {growth / 1024:.1f} MB while a {BODY_MB} MB body was "
                                    f"offered with a {LIMIT // 1024 // 1024} MB limit")
