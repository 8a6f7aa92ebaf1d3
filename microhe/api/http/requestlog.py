"""One log line per refused or failed request, for operators.

Every response with status >= 400 (and every request that ends in an unhandled error)
gets exactly one line on the ``microhe.requests`` logger::

    refused 400 GET /sparql client=127.0.0.1:53122 reason="SPARQL syntax error: ..." query_sha256=3f2a9c0d1e4b

* ``client``: the peer address as the server sees it (behind a proxy, the proxy's);
* the path without its query string (a query string may carry a token or the query);
* ``reason``: the error detail the client was told (the ``detail`` of a JSON error, or
  the plain-text body), on one line, at most 300 characters;
* ``query_sha256``: the first 12 hex digits of the SHA-256 of the UTF-8 query or update
  text, when the request had one, so that an operator can match repeated requests (and a
  client who still has its query can match the line) without the text being logged.
  Routes that read the text from a body report it with :func:`note_query`; for a GET the
  ``query=``/``update=`` parameter of the URL is used.

Never logged: the query string, request headers (``Authorization``), request bodies.
4xx lines are INFO ("refused": the client's mistake), 5xx lines WARNING ("failed").
A pure ASGI middleware: it does not buffer bodies, except the first bytes of an error
response to read its reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any
from urllib.parse import unquote_to_bytes

log = logging.getLogger("microhe.requests")

#: The scope key of the per-request note (a dict shared with the handlers).
SCOPE_KEY = "microhe.requestlog"
#: Bytes of an error response read for its reason.
_REASON_BYTES = 2048
_REASON_CHARS = 300


def query_hash(text: str | bytes) -> str:
    """The short hash logged for a query or update text."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:12]


def note_query(request, text: str) -> None:
    """Record the query/update text a handler read (from a body) for the request's log line."""
    note = request.scope.get(SCOPE_KEY)
    if note is not None:
        note["query_sha256"] = query_hash(text)


def _url_query_hash(query_string: bytes) -> str | None:
    for part in query_string.split(b"&"):
        name, _, value = part.partition(b"=")
        if unquote_to_bytes(name.replace(b"+", b" ")) in (b"query", b"update"):
            return query_hash(unquote_to_bytes(value.replace(b"+", b" ")))
    return None


def _reason(body: bytes, content_type: str) -> str:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            doc = json.loads(text)
        except ValueError:
            pass
        else:
            detail = doc.get("detail", doc) if isinstance(doc, dict) else doc
            if isinstance(detail, list):  # FastAPI's 422: where and what, never the "input" echoed back
                detail = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', '')}"
                                   if isinstance(e, dict) else str(e) for e in detail)
            text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= _REASON_CHARS else text[:_REASON_CHARS - 3] + "..."


def _client(scope) -> str:
    client = scope.get("client")
    if not client:
        return "-"
    host, port = client[0], client[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def _line(scope, status: int, reason: str, note: dict, *, failed: bool = False) -> None:
    failed = failed or status >= 500
    words = ["failed" if failed else "refused", str(status), scope.get("method", "-"),
             scope.get("path", "-"), f"client={_client(scope)}", f"reason={json.dumps(reason, ensure_ascii=False)}"]
    sha = note.get("query_sha256") or _url_query_hash(scope.get("query_string", b""))
    if sha:
        words.append(f"query_sha256={sha}")
    log.log(logging.WARNING if failed else logging.INFO, " ".join(words))


class RequestLog:
    """ASGI middleware writing the line above for each refused or failed HTTP request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        note: dict = {}
        scope[SCOPE_KEY] = note
        seen: dict[str, Any] = {"status": None, "type": "", "body": b"", "logged": False}

        async def watch(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for k, v in message.get("headers", ()):
                    if k.lower() == b"content-type":
                        seen["type"] = v.decode("latin-1").lower()
            elif message["type"] == "http.response.body" and (seen["status"] or 0) >= 400 and not seen["logged"]:
                if len(seen["body"]) < _REASON_BYTES:
                    seen["body"] += message.get("body", b"")[:_REASON_BYTES - len(seen["body"])]
                if not message.get("more_body", False):
                    seen["logged"] = True
                    _line(scope, seen["status"], _reason(seen["body"], seen["type"]), note)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as e:  # the server answers 500 (or cuts a started response)
            if not seen["logged"]:
                seen["logged"] = True
                _line(scope, seen["status"] or 500, f"unhandled {type(e).__name__}: {str(e)[:200]}", note,
                      failed=True)
            raise
        if seen["status"] is not None and seen["status"] >= 400 and not seen["logged"]:
            _line(scope, seen["status"], _reason(seen["body"], seen["type"]), note)  # a body that never ended


__all__ = ["RequestLog", "note_query", "query_hash", "log"]
