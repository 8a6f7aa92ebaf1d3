"""RFC 9110 semantics for every route, from one place (an ASGI middleware), so that a
route added later gets them without doing anything:

* ``HEAD`` wherever ``GET`` is routed (section 9.3.2): a route without its own HEAD is
  run as GET and its body dropped, so the headers are GET's;
* ``Allow`` on every 405 and on ``OPTIONS`` (sections 9.3.7, 15.5.6): the methods the app's
  route table has for the path (with HEAD beside GET, and OPTIONS), not those of whichever
  route happened to match last; ``OPTIONS`` on a path without its own OPTIONS route
  answers 204 with ``Allow`` (and CORS preflight headers: :mod:`microhe.api.http.cors`);
* ``Vary: Accept`` on every 406 (the answer depends on ``Accept`` like the 200 would);
* validators (sections 8.8, 13): the routes registered with :func:`conditional` (resource
  pages, VoID, the dump, Graph Store reads) get an ``ETag`` per representation (store
  state + URL + Content-Type + Content-Language) and ``Last-Modified`` (the store's last
  write), and answer 304 to a matching ``If-None-Match``, or, without one, to an
  ``If-Modified-Since`` not older than the last write. Only the embedded store has a
  state to name: over a remote store (whose data changes behind microhe's back) no
  validator is sent.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, MutableMapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.routing import Match, Mount

from microhe.store.views import per_store

_CONDITIONAL: set[Callable] = set()
#: Start of this process: part of an in-memory store's validators (its generation restarts at 0).
_BOOT = f"{time.time_ns():x}"


def conditional(endpoint: Callable) -> Callable:
    """Mark a route's endpoint as answering from the store's state only (no clock, no
    per-request content): it gets ETag/Last-Modified and 304s."""
    _CONDITIONAL.add(endpoint)
    return endpoint


def route_leaves(routes) -> list:
    """The routes of a route list with included routers opened (FastAPI wraps each
    ``include_router`` in one entry; microhe includes its routers without prefixes)."""
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        out += route_leaves(inner.routes) if inner is not None else [r]
    return out


def _leaves_of(app: Any) -> list:
    cached = getattr(getattr(app, "state", None), "_route_leaves", None)
    routes = getattr(getattr(app, "router", None), "routes", ())
    if cached is None or cached[0] != len(routes):
        cached = (len(routes), route_leaves(routes))
        if getattr(app, "state", None) is not None:
            app.state._route_leaves = cached
    return cached[1]


def allowed_methods(app: Any, scope: dict) -> set[str]:
    """The methods the app routes for the request's path (empty: no route has the path)."""
    methods: set[str] = set()
    probe = dict(scope)
    for route in _leaves_of(app):
        match, _ = route.matches(probe)
        if match == Match.NONE:
            continue
        if isinstance(route, Mount):  # the static files
            methods |= {"GET", "HEAD"}
        else:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    if methods:
        methods.add("OPTIONS")
    return methods


def allow_header(methods: set[str]) -> str:
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return ", ".join(sorted(methods, key=lambda m: (order.index(m) if m in order else len(order), m)))


@per_store
def _first_seen(store: Any) -> float:
    """When this process first saw the store's current state (rebuilt per generation)."""
    return time.time()


def store_version(store: Any) -> tuple[str, float] | None:
    """(a token naming the store's committed content, when it was last written) for an
    embedded store; None for any other (a remote store's data changes behind microhe's
    back). On disk: the durable state token and its file's time. In memory: this process
    and the write generation, timed when this process first saw that generation."""
    from microhe.store.embedded import Store

    if not isinstance(store, Store) or store.writing:
        return None
    token = store.state
    if token is not None and store.path is not None:
        from microhe.store.snapshots import STATE_FILE

        try:
            return token, Path(store.path, STATE_FILE).stat().st_mtime
        except OSError:
            return None
    generation = store.generation
    return f"{_BOOT}-{id(store):x}-{generation}", _first_seen(store)


def _etag(seed: str, scope: MutableMapping[str, Any], headers: MutableHeaders) -> str:
    raw = scope.get("raw_path") or scope.get("path", "").encode()
    key = "\n".join([seed, raw.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"),
                     headers.get("content-type", ""), headers.get("content-language", "")])
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(int(epoch), UTC), usegmt=True)


def _not_modified(request_headers: dict[str, str], etag: str, modified: float) -> bool:
    inm = request_headers.get("if-none-match")
    if inm is not None:  # RFC 9110 13.1.3: If-Modified-Since is ignored when If-None-Match is sent
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    ims = request_headers.get("if-modified-since")
    if ims is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False  # an invalid date is ignored (13.1.3)
    if since.tzinfo is None:
        return False
    return int(modified) <= since.timestamp()


def validators_match(scope: MutableMapping[str, Any], request_headers: dict[str, str], store: Any,
                     headers: MutableHeaders) -> bool:
    """Whether the request's ``If-None-Match`` / ``If-Modified-Since`` match the validators
    this middleware will give an answer with ``headers`` (its Content-Type and
    Content-Language), i.e. the answer will be a 304: a route may then skip building the
    body (:mod:`microhe.api.http.rdf_cache`). ``request_headers``: lower-case names."""
    version = store_version(store)
    if version is None:
        return False
    return _not_modified(request_headers, _etag(version[0], scope, headers), version[1])


def _add_vary(headers: MutableHeaders, name: str) -> None:
    present = [v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()]
    if name.lower() not in present and "*" not in present:
        headers["vary"] = ", ".join([*(v.strip() for v in headers.get("vary", "").split(",") if v.strip()), name])


class HttpSemantics:
    """The ASGI middleware (see the module docstring)."""

    def __init__(self, app, *, preflight: Callable[[dict, set[str]], dict[str, str]] | None = None) -> None:
        self.app = app
        self.preflight = preflight

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        app = scope.get("app")
        method = scope["method"]
        allowed = allowed_methods(app, scope)
        if method == "OPTIONS" and allowed and not self._has_own(app, scope, "OPTIONS"):
            headers = {"Allow": allow_header(allowed), **(self.preflight(scope, allowed) if self.preflight else {})}
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})
            await send({"type": "http.response.body", "body": b""})
            return
        head_as_get = method == "HEAD" and "GET" in allowed and not self._has_own(app, scope, "HEAD")
        inner = dict(scope, method="GET") if head_as_get else scope
        request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        state: dict[str, Any] = {"drop_body": head_as_get or method == "HEAD"}

        async def send_wrapper(message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(raw=message["headers"])
                if status == 405 and allowed:
                    headers["allow"] = allow_header(allowed)
                if status == 406:
                    _add_vary(headers, "Accept")
                if status == 200 and method in ("GET", "HEAD") and inner.get("endpoint") in _CONDITIONAL:
                    version = store_version(getattr(getattr(app, "state", None), "store", None))
                    if version is not None:
                        etag = _etag(version[0], scope, headers)
                        headers["etag"] = etag
                        headers["last-modified"] = _http_date(version[1])
                        if _not_modified(request_headers, etag, version[1]):
                            keep = {k: headers[k] for k in ("etag", "last-modified", "vary", "cache-control",
                                                            "content-location", "link") if k in headers}
                            for k in list(headers.keys()):
                                del headers[k]
                            for k, v in keep.items():
                                headers[k] = v
                            message = {**message, "status": 304, "headers": headers.raw}
                            state["drop_body"] = True
                message = {**message, "headers": headers.raw}
                await send(message)
                return
            if message["type"] == "http.response.body" and state["drop_body"]:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(inner, receive, send_wrapper)

    @staticmethod
    def _has_own(app: Any, scope: dict, method: str) -> bool:
        probe = dict(scope, method=method)
        for route in _leaves_of(app):
            match, _ = route.matches(probe)
            if match == Match.FULL and not isinstance(route, Mount):
                return True
            if match == Match.FULL and isinstance(route, Mount):
                return method in ("GET", "HEAD")
        return False


__all__ = ["HttpSemantics", "conditional", "allowed_methods", "route_leaves", "allow_header", "store_version",
           "validators_match"]
