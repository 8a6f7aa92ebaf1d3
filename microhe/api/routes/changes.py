"""The change feed for harvesters: ``GET /api/changes?since=<seq or RFC 3339 time>&limit=``.

A portal that harvested the dump (whose ``Link: <...>; rel="https://w3id.org/microhe/ontology#changes"``
names the point it describes) asks what was written or deleted since, instead of a
million conditional GETs: each entry (``ChangeEntry``; oldest first) names the graphs a
write touched, those that no longer exist, and the IRI subjects it added or removed quads
about; re-read those graphs (Graph Store GET) and resource pages, delete the deleted
graphs. ``graphs: null`` means any graph may have changed (an ``/update`` whose targets are
variables, a clear): harvest the dump again.

* ``since``: a sequence number (digits) or an RFC 3339 time with its offset (the changes
  made at or after it); absent: from the oldest point the log holds. Anything else is 422.
  A point the log no longer holds (retention: ``Settings.changes_keep_entries`` /
  ``changes_keep_days``), or one after its last change (another store, a restarted log), is
  410 Gone: harvest the dump again.
* ``limit``: 1-1000 entries (default 100); ``Link: rel="next"`` while more follow, and
  ``rel="first"`` (the oldest point held).
* ``seq`` in the body is the last change now: the ``since`` of the next harvest.

The log is :mod:`microhe.store.changes` (crash safety and what a recovered entry means are
explained there). Over a remote SPARQL store there is no log (501).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, Response

from microhe.api.deps import StoreDep
from microhe.api.errors import error_responses
from microhe.api.http.paths import CHANGES
from microhe.api.http.semantics import conditional
from microhe.api.models import ChangePage
from microhe.store.changes import ChangesGone

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_SEQ = re.compile(r"[0-9]{1,40}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})")

router = APIRouter(tags=["dataset"])


def _one(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise HTTPException(422, detail=f"give {name}= once (got {len(values)})")
    return values[0] if values else None


def _since(value: str, log) -> int:
    if _SEQ.fullmatch(value):
        return int(value)
    if _TIME.fullmatch(value):
        try:
            when = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError as e:
            raise HTTPException(422, detail=f"since={value!r} is not a valid time ({e})") from None
        return log.seq_at(when)
    raise HTTPException(422, detail=f"since={value[:80]!r} is neither a sequence number (digits, as the feed and the "
                        "dump's Link header give it) nor an RFC 3339 time with its offset "
                        "(e.g. 2026-12-01T00:00:00Z)")


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,7}", value) or not 1 <= int(value) <= MAX_LIMIT:
        raise HTTPException(422, detail=f"limit={value[:40]!r} must be a whole number from 1 to {MAX_LIMIT}")
    return int(value)


def _url(request: Request, since: int, limit: int) -> str:
    root = request.scope.get("root_path", "")
    return f"{root}{request.url.path}?{urlencode({'since': since, 'limit': limit})}"


@router.get(CHANGES, summary="What was written or deleted since a point (change feed for harvesters)",
            response_model=ChangePage,
            responses={200: {"description": "The changes after `since`, oldest first (Link: rel=next while more "
                             "follow)"},
                       **error_responses(410, 422, 501, d410="The log no longer holds that point (or never did): "
                                         "harvest the dump again")})
@conditional
def changes(request: Request, store: StoreDep,
            since: str | None = Query(None, description="A sequence number, or an RFC 3339 time with its offset "
                                      "(the changes made at or after it); absent: the oldest point held"),
            limit: str | None = Query(None, description=f"Entries per page, 1-{MAX_LIMIT} (default {DEFAULT_LIMIT})")
            ) -> Response:
    """The graphs and resources written or deleted since ``since``, oldest first."""
    log = getattr(store, "changes", None)
    if log is None:
        raise HTTPException(501, detail="this deployment keeps no change log (a remote SPARQL store is written behind "
                            "microhe's back); harvest the dump")
    since_text, limit_text = _one(request, "since"), _one(request, "limit")
    size = _limit(limit_text)
    try:
        start = log.floor if since_text is None else _since(since_text, log)
        page, last = log.changes_since(start, size + 1)
    except ChangesGone as e:
        raise HTTPException(410, detail=str(e)) from None
    more = len(page) > size
    page = page[:size]
    body = ChangePage.model_validate({"since": start, "seq": last, "floor": log.floor,
                                      "changes": [c.to_json() for c in page]})
    links = [f'<{_url(request, log.floor, size)}>; rel="first"']
    if more:
        links.append(f'<{_url(request, page[-1].seq, size)}>; rel="next"')
    return Response(body.model_dump_json(), media_type="application/json", headers={"Link": ", ".join(links)})


__all__ = ["router"]
