"""Request dependencies as named types, so no handler builds its own store or settings."""

from __future__ import annotations

import atexit
import threading
from collections import ChainMap
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from microhe.api.auth import require_writer
from microhe.api.http.limits import bad_length, declared_too_large, streamed_too_large
from microhe.engine.pool import QueryPool, engine_for, pool_for
from microhe.engine.threads import QueryExecutor
from microhe.rdf import jsonld_write as jw
from microhe.rdf.context_dir import open_context_dir
from microhe.settings import Settings
from microhe.store.embedded import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


@lru_cache(maxsize=4)
def _context_dir(path: str | None):
    return open_context_dir(path)


def contexts_of(settings: Settings) -> Mapping[str, Any]:
    """The contexts a JSON-LD body sent here may name besides the bundled ones: this
    deployment's own ``{base}context.jsonld`` (so microhe's JSON-LD answers can be written
    back as they are), then the operator's context directory (``Settings.context_dir``),
    opened once per path (its index is read when first used: restart the server after
    editing it)."""
    own = {settings.base + jw.CONTEXT_PATH: jw.context_document()}
    operator = _context_dir(None if settings.context_dir is None else str(settings.context_dir))
    return own if operator is None else ChainMap(own, operator)


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
#: The name of the write token presented (400 token in URL, 401 none, 403 wrong).
WriterDep = Annotated[str, Depends(require_writer)]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, at most ``limit`` bytes (``Settings.max_body_bytes``): 413 when
    ``Content-Length`` announces more, or when the streamed body grows past the limit
    (chunked uploads, or a lying header). Nothing beyond the limit is buffered.

    In the microhe app the ``BodyLimit`` middleware (``microhe.api.http.limits``) has already
    applied the same rule to every route; this keeps it for these routers when they are
    mounted in another app, with the same messages."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise HTTPException(400, detail=bad_length(declared)) from None
        if size > limit:
            raise HTTPException(413, detail=declared_too_large(size, limit))
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > limit:
            raise HTTPException(413, detail=streamed_too_large(limit))
    return bytes(buf)


def get_executor(request: Request) -> QueryExecutor | QueryPool:
    """The app's query engine: its pool of worker processes (``microhe.engine.pool``,
    started with the app, or here on first use when the app runs without its lifespan) or
    the thread executor (``microhe.engine.threads``: a store in memory or remote, or
    ``Settings.query_engine = threads``). Size: ``Settings.query_workers`` workers and
    ``Settings.query_queue`` waiting places."""
    state = request.app.state
    engine = getattr(state, "query_pool", None) or getattr(state, "query_executor", None)
    if engine is None:
        with _EXECUTOR_LOCK:
            engine = getattr(state, "query_pool", None) or getattr(state, "query_executor", None)
            if engine is None:
                engine = start_query_engine(state.settings, state.store)
                if isinstance(engine, QueryPool):
                    state.query_pool = engine
                    atexit.register(engine.close)
                else:
                    state.query_executor = engine
    return engine


def start_query_engine(settings: Settings, store) -> QueryExecutor | QueryPool:
    """The query engine ``settings`` and ``store`` call for (``query_pool.engine_for``), started."""
    if engine_for(settings, store) == "processes":
        return pool_for(settings, store).start()
    return QueryExecutor(settings.query_workers, settings.query_queue)


_EXECUTOR_LOCK = threading.Lock()
ExecutorDep = Annotated[QueryExecutor | QueryPool, Depends(get_executor)]
