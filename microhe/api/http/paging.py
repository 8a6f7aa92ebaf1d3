"""``Link`` paging headers (RFC 8288: ``rel="first"``, ``"prev"``, ``"next"``) for routes
that answer one page of a longer list with ``offset``/``limit``, so a client pages by
following links instead of doing arithmetic on the body. The links are relative (path and
query), never built from the ``Host`` header."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from microhe.api.http.paths import CHANGES

#: The link relation (an extension relation type, RFC 8288 section 2.1.2) from the dump to
#: the change feed after the state it holds.
CHANGES_REL = "https://w3id.org/microhe/ontology#changes"


def page_links(request: Request, *, total: int, offset: int, limit: int) -> str | None:
    """The ``Link`` header value for the page ``offset``..``offset+limit`` of ``total``
    items (the request's other parameters kept), or None for an empty limit."""
    if limit <= 0:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit")]
    root = request.scope.get("root_path", "")

    def url(at: int) -> str:
        return f"{root}{request.url.path}?{urlencode([*params, ('offset', str(at)), ('limit', str(limit))])}"

    links = [f'<{url(0)}>; rel="first"']
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>; rel="prev"')
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
    return ", ".join(links)


def changes_link(request: Request, store: Any) -> str | None:
    """The ``Link`` value naming the changes after the store's current state
    (``/api/changes?since=<seq>``; for the dump, read before the dump is, so a write made
    meanwhile is in the feed, possibly also in the dump, never in neither), or None for a
    store without a change log."""
    log = getattr(store, "changes", None)
    if log is None:
        return None
    root = request.scope.get("root_path", "")
    return f'<{root}{CHANGES}?{urlencode({"since": log.seq})}>; rel="{CHANGES_REL}"'


__all__ = ["page_links", "changes_link", "CHANGES_REL"]
