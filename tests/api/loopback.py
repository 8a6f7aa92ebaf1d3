"""A loopback HTTP listener that counts the connections made to it: the witness of the
SSRF tests (tests/api/http/test_ssrf.py). A query or update that makes the server connect to
it raises the count; a refused one must leave it unchanged.

It answers like a SPARQL endpoint (SPARQL JSON results with one row binding ``?z``) to a
client that accepts SPARQL results, and like an RDF document (one N-Triples triple) to
anything else (``LOAD``), so that whatever reaches it runs to completion.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESULTS = json.dumps({"head": {"vars": ["z"]},
                      "results": {"bindings": [{"z": {"type": "literal", "value": "from the listener"}}]}}).encode()
TRIPLES = b'<urn:ssrf:a> <urn:ssrf:b> "from the listener" .\n'


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if "sparql-results" in (self.headers.get("Accept") or ""):
            body, ctype = RESULTS, "application/sparql-results+json"
        else:
            body, ctype = TRIPLES, "application/n-triples"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


class Listener:
    """``with Listener() as listener:`` serves on ``listener.url`` (127.0.0.1, a free port)
    and counts accepted connections in ``listener.connections``.

    The count is raised in the accept loop before the request is handled, so once a client
    has its answer the connection is already counted: no waiting is needed to read it."""

    def __init__(self) -> None:
        self.connections = 0
        lock = threading.Lock()
        outer = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def verify_request(self, request, client_address) -> bool:
                with lock:
                    outer.connections += 1
                return True

        self._server = Server(("127.0.0.1", 0), _Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
