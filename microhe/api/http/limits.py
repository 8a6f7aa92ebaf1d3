"""The request body limit, enforced while the body is read, for every route.

FastAPI reads a JSON body whole before the handler (or any dependency) runs, so a limit
checked in a handler comes after the memory is spent: a 300 MB POST to
``/api/recognition/compare`` took the server from 106 MB to 915 MB before its 413. This
pure ASGI middleware (not ``BaseHTTPMiddleware``, which would buffer and add a task per
request) sits in front of every route:

* a ``Content-Length`` over the limit is answered 413 at once; the app never runs;
* a body without one (chunked) or longer than announced is counted as it is received:
  the message that passes the limit makes ``receive`` raise, nothing more is read, and
  the client gets 413, whatever the handler would have done with the error;
* a ``Content-Length`` that is not a number is answered 400 (it cannot be checked).

``microhe.api.deps.read_body`` keeps the same rule and messages for routers mounted in
another app without this middleware.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def declared_too_large(size: int, limit: int) -> str:
    return f"request body of {size} bytes exceeds the limit of {limit} bytes; send a smaller body"


def streamed_too_large(limit: int) -> str:
    return (f"request body exceeds the limit of {limit} bytes (reading stopped there); "
            "send a smaller body")


def bad_length(value: str) -> str:
    return f"invalid Content-Length {value!r}: give the body size in bytes"


class BodyTooLarge(Exception):
    """Raised by the wrapped ``receive`` when the body passes the limit."""


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of request body (413 beyond)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                text = value.decode("latin-1")
                if not text.strip().isdigit():
                    await _answer(send, 400, bad_length(text))
                    return
                if int(text) > limit:
                    await _answer(send, 413, declared_too_large(int(text), limit))
                    return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:  # the handler caught the error and reads on: still nothing more
                raise BodyTooLarge(streamed_too_large(limit))
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(streamed_too_large(limit))
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:  # whatever the handler answers to the error: 413
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if started:  # a response was under way before the body passed the limit
                raise
        if exceeded and not started:
            await _answer(send, 413, streamed_too_large(limit))


async def _answer(send: Send, status: int, detail: str) -> None:
    """A JSON error ``{"detail": ...}`` (the shape of every other error of the API); the
    connection is closed after it, since the rest of the body was not read."""
    body = json.dumps({"detail": detail}).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


__all__ = ["BodyLimit", "BodyTooLarge", "declared_too_large", "streamed_too_large", "bad_length"]
