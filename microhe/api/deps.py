"""Request dependencies as named types, so no handler builds its own store or settings."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from ..kg.settings import Settings
from ..kg.store import Store
from .executor import QueryExecutor


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_executor(request: Request) -> QueryExecutor:
    """The app's query worker pool (``microhe.api.executor``), created on first use.
    Size: ``Settings.query_workers`` workers (default 4) and ``Settings.query_queue``
    waiting places (default 8) when those settings exist."""
    state = request.app.state
    executor = getattr(state, "query_executor", None)
    if executor is None:
        with _EXECUTOR_LOCK:
            executor = getattr(state, "query_executor", None)
            if executor is None:
                settings = state.settings
                executor = QueryExecutor(int(getattr(settings, "query_workers", 4)),
                                         int(getattr(settings, "query_queue", 8)))
                state.query_executor = executor
    return executor


_EXECUTOR_LOCK = threading.Lock()
ExecutorDep = Annotated[QueryExecutor, Depends(get_executor)]
