"""Probes for operators and orchestrators: ``/health`` and ``/ready``.

* ``GET /health``: the process is alive and serving HTTP (200 ``{"status": "ok"}``). It
  touches nothing else, so it stays cheap and answers during long view builds: use it as
  a liveness probe (restart when it fails).
* ``GET /ready``: the store answers a read and, when the server builds the search views in
  the background (``Settings.warm_indexes``, the default), every view describes the
  store's current state. 200 ``{"status": "ready", ...}``; otherwise 503 with what is not
  ready (``store``: the error of the read; ``views_pending``: the views still to be built,
  e.g. at start-up or for a few seconds after each write). Use it as a readiness probe:
  while it says 503 the server still answers, but a search, compare or pathways request
  waits for the build. Without background warming the views are built by the first
  request that needs them, and ``/ready`` only checks the store.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from microhe.api.models import Health, Ready
from microhe.recognition.warm import VIEWS

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness: the process answers", response_model=Health,
            responses={200: {"description": "alive", "content": {"application/json": {
                "example": {"status": "ok"}}}}})
def health() -> dict:
    """200 while the process serves HTTP; touches nothing else (a liveness probe: restart when it fails)."""
    return {"status": "ok"}


def _store_problem(store) -> str | None:
    try:
        store.is_empty()  # one read: the store is open and answers
    except Exception as e:  # noqa: BLE001 - any failure means "not ready", reported
        return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    return None


@router.get("/ready", summary="Readiness: the store answers and the search views are current",
            response_model=Ready,
            responses={200: {"description": "ready"},
                       503: {"description": "not ready: the store fails or views are still being built", "model": Ready}})
async def ready(request: Request) -> JSONResponse:
    """200 when the store answers a read and every search view is current; 503 (same body) with what
    is not ready. A readiness probe: while it says 503 the server answers, but slowly."""
    store = request.app.state.store
    settings = request.app.state.settings
    problem = await run_in_threadpool(_store_problem, store)
    pending = [] if problem is not None or not settings.warm_indexes else \
        [name for name, view in VIEWS if not view.cached(store)]
    ok = problem is None and not pending
    body = {"status": "ready" if ok else "not ready", "store": problem or "ok", "views_pending": pending}
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


__all__ = ["router"]
