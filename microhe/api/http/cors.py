"""CORS for every route, from one middleware (so a route added later is covered):

* **reads** (every route that needs no write token: GET/HEAD anywhere, and the POSTs that
  only compute, such as ``/sparql`` queries and ``/api/recognition/compare``) may be read
  from ``Settings.cors_origins`` (default ``*``: any origin; a configured list is echoed
  back with ``Vary: Origin``);
* **writes** (routes that need the write token: ``/update``, Graph Store PUT/POST/DELETE,
  ``/api/import``, recorded decisions) get no CORS header unless the origin is listed in
  ``Settings.cors_write_origins`` (default none), so a browser page elsewhere cannot
  drive them with a token it holds;
* a preflight (``OPTIONS`` with ``Access-Control-Request-Method``) answers 204 with the
  methods the path allows for that origin and ``Access-Control-Allow-Headers`` naming
  ``Authorization`` explicitly (the ``*`` wildcard does not cover it).

Which routes write is read from the routes themselves (a dependency on
:func:`microhe.api.auth.require_writer`, or on :func:`microhe.api.session.session_write` for
the pages' forms that write through a web session), never listed by hand. No answer ever
carries ``Access-Control-Allow-Credentials``: a browser never sends cookies cross-origin here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.routing import Match

from microhe.api.auth import require_writer
from microhe.api.http.semantics import _leaves_of, allow_header, allowed_methods
from microhe.api.session import session_write

EXPOSED = ("ETag, Last-Modified, Link, Location, Content-Language, Vary, X-Result-Truncated, X-Row-Cap, Warning, "
           "Retry-After, Server-Timing")
ALLOWED_HEADERS = ("Accept, Accept-Language, Authorization, Cache-Control, Content-Language, Content-Type, "
                   "If-Modified-Since, If-None-Match, X-Requested-With")
MAX_AGE = "86400"


def _needs_writer(dependant) -> bool:
    return any(d.call is require_writer or d.call is session_write or _needs_writer(d) for d in dependant.dependencies)


def is_write(app: Any, scope: dict, method: str) -> bool:
    """Whether ``method`` on the request's path runs a route that needs the write token."""
    probe = dict(scope, method=method)
    for route in _leaves_of(app):
        match, _ = route.matches(probe)
        if match == Match.FULL:
            return isinstance(route, APIRoute) and _needs_writer(route.dependant)
    return False


class Cors:
    """The ASGI middleware (see the module docstring)."""

    def __init__(self, app, *, read_origins: Sequence[str] = ("*",), write_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.read_origins = tuple(read_origins)
        self.write_origins = tuple(write_origins)

    def _allow(self, origin: str | None, write: bool) -> tuple[str | None, bool]:
        """(the Access-Control-Allow-Origin value or None, whether it depends on Origin)."""
        listed = self.write_origins if write else self.read_origins
        if "*" in listed:
            return "*", False
        return (origin if origin is not None and origin in listed else None), True

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        app = scope.get("app")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        origin = headers.get("origin")
        requested = headers.get("access-control-request-method")
        if scope["method"] == "OPTIONS" and requested:
            await self._preflight(app, scope, send, origin, requested.strip().upper())
            return
        write = is_write(app, scope, scope["method"])
        value, varies = self._allow(origin, write)

        async def send_wrapper(message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(raw=message["headers"])
                if value is not None:
                    h["access-control-allow-origin"] = value
                    h["access-control-expose-headers"] = EXPOSED
                if varies:
                    _vary_origin(h)
                message = {**message, "headers": h.raw}
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _preflight(self, app, scope, send, origin: str | None, requested: str) -> None:
        allowed = allowed_methods(app, scope)
        ok = [m for m in sorted(allowed) if m == "OPTIONS" or self._allow(origin, is_write(app, scope, m))[0]]
        value, varies = self._allow(origin, is_write(app, scope, requested))
        out = {"allow": allow_header(allowed)} if allowed else {}
        if allowed and value is not None and requested in ok:
            out.update({"access-control-allow-origin": value, "access-control-allow-methods": allow_header(set(ok)),
                        "access-control-allow-headers": ALLOWED_HEADERS, "access-control-max-age": MAX_AGE,
                        "access-control-expose-headers": EXPOSED})
        if varies:
            out["vary"] = "Origin"
        status = 204 if allowed else 404
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode(), v.encode()) for k, v in out.items()]})
        await send({"type": "http.response.body", "body": b""})


def _vary_origin(h: MutableHeaders) -> None:
    present = [v.strip().lower() for v in h.get("vary", "").split(",") if v.strip()]
    if "origin" not in present:
        h["vary"] = ", ".join([*(v.strip() for v in h.get("vary", "").split(",") if v.strip()), "Origin"])


class PublicReadRoute(APIRoute):
    """Kept for the routers that name it; CORS is now the middleware's (:class:`Cors`)."""


def preflight() -> Callable:  # pragma: no cover - kept for imports; the middleware answers preflights
    raise NotImplementedError("preflights are answered by microhe.api.http.cors.Cors")


__all__ = ["Cors", "PublicReadRoute", "is_write", "ALLOWED_HEADERS", "EXPOSED"]
