"""The SPARQL Protocol machinery shared by ``/sparql`` and the named-query routes.

* :class:`ProtocolError`: a refusal with its HTTP status, answered as plain text by
  ``/sparql`` (:func:`error_response`: what SPARQL clients print) and as JSON by the
  named queries;
* :func:`dataset_for`: the dataset of a query (protocol parameters, then ``FROM`` /
  ``FROM NAMED``, else the union default graph);
* :func:`run_query`: evaluation and serialisation under the deadline on the app's query
  engine (worker processes or threads), the engine's refusals turned into
  :class:`ProtocolError` (503 with ``Retry-After``);
* :func:`outcome_response`: the answer with the row-cap headers (``X-Row-Cap``,
  ``X-Result-Truncated``, ``Warning: 199`` when cut: results are never cut silently).

It lives here, below the routers, so that no router imports another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.responses import PlainTextResponse, Response

from microhe.api.http import negotiation as neg
from microhe.engine import results
from microhe.engine.pool import QueryPool, QueryRefused
from microhe.engine.results import Answer, Job, Materialised, QueryFailure, Rendering
from microhe.engine.threads import Deadline, QueryTimeout, Saturated
from microhe.rdf.sparql_text import QueryInfo
from microhe.settings import Settings
from microhe.store.embedded import Store

# == errors ============================================================================

class ProtocolError(Exception):
    """A request the endpoint refuses: HTTP ``status`` and a message for the client."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


def error_response(e: ProtocolError) -> Response:
    return PlainTextResponse(str(e) + "\n", status_code=e.status, headers=e.headers)


# == evaluation (runs on a worker) =====================================================
# The evaluation and the writing of results live in microhe.engine.results, shared by the
# thread engine (here) and the worker processes (microhe.engine.pool).


@dataclass
class Outcome:
    body: bytes
    media_type: str
    result: Answer
    seconds: float


def materialise(
    store: Store,
    text: str,
    *,
    deadline: Deadline,
    row_cap: int,
    substitutions: Mapping[str, Any] | None = None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    base_iri: str | None = None,
) -> Materialised:
    """Run a query on ``store`` and hold at most ``row_cap`` rows/triples of its result,
    checking the deadline before every row (raises :class:`QueryTimeout` past it)."""
    # no local holds the result iterator (see results.materialise)
    return results.materialise(store.query(text, substitutions=substitutions, default_graph=default_graph,
                                           named_graphs=named_graphs, base_iri=base_iri), deadline.check, row_cap)


def serialise(result: Materialised, fmt, *, deadline: Deadline | None = None,
              prefixes: Mapping[str, str] | None = None) -> bytes:
    """A materialised result in a pyoxigraph format (QueryResultsFormat or RdfFormat)."""
    return results.serialise(result, fmt, check=deadline.check if deadline is not None else results._never,
                             prefixes=prefixes)


def result_headers(result: Answer, settings: Settings, seconds: float) -> dict[str, str]:
    h = {
        "X-Row-Cap": str(settings.row_cap),
        "X-Result-Truncated": "true" if result.truncated else "false",
        "Server-Timing": f"query;dur={seconds * 1000:.1f}",
    }
    if result.truncated:
        what = "triples" if result.kind == "graph" else "rows"
        h["Warning"] = (f'199 microhe "result truncated to the first {settings.row_cap} {what} '
                        f'(row cap); add LIMIT/OFFSET to page through it"')
    return h


# == the dataset and the run ===========================================================

def dataset_for(default_graphs: Sequence[str], named_graphs: Sequence[str],
                info: QueryInfo) -> tuple[list[str] | None, list[str] | None]:
    """(default_graph, named_graphs) for Store.query: the protocol's default-graph-uri /
    named-graph-uri override the query's FROM / FROM NAMED; neither means the union
    default graph and every named graph. (pyoxigraph's union flag would override FROM,
    so FROM is read here and passed on explicitly.)"""
    if default_graphs or named_graphs:
        return list(default_graphs), list(named_graphs)
    if info.unresolved_from:  # never fall back to the union when the query names its dataset
        raise ProtocolError(400, "cannot read the IRI of a FROM / FROM NAMED clause; write it as <iri> or "
                                 "name the dataset with default-graph-uri / named-graph-uri")
    if info.from_default or info.from_named:
        return list(info.from_default), list(info.from_named)
    return None, None


async def run_query(
    *,
    store: Store,
    settings: Settings,
    executor,
    text: str,
    choose_media_type: Callable[[str], str],
    format_of: Callable[[str, str], Any] | None = None,
    name: str = "",
    client: str = "",
    substitutions: Mapping[str, Any] | None = None,
    default_graph: list[str] | None = None,
    named_graphs: list[str] | None = None,
    prefixes: Mapping[str, str] | None = None,
    page_by: str | None = None,
) -> Outcome:
    """Evaluate and serialise a query under the deadline, on the app's query engine: the
    worker processes (:class:`~microhe.engine.pool.QueryPool`) or the thread executor.

    ``choose_media_type(kind)`` picks the media type for the result kind (``select`` or
    ``graph``) or raises ProtocolError (406); ``format_of(kind, media_type)`` the format
    to write (default: the pyoxigraph format of the media type; the named-query routes
    add their JSON row shape, ``results.ROWS``, with the query's ``name``). Both are
    decided here, before evaluation, so that the job is plain data. ``client`` is whom the
    query counts against (``Settings.client_share``). ``page_by``: the keyset variable of a
    named query that pages (the answer then counts its values: ``Answer.page``)."""

    def choice(kind: str) -> tuple:
        try:
            media_type = choose_media_type(kind)
        except ProtocolError as e:
            return (e.status, str(e), e.headers)
        if format_of is not None:
            fmt = format_of(kind, media_type)
        else:
            fmt = (neg.GRAPH if kind == "graph" else neg.RESULTS).format(media_type)
        return (media_type, results.format_token(fmt))

    rendering = Rendering(results=choice("select"), graph=choice("graph"), prefixes=dict(prefixes or {}), name=name)
    job = Job(text, rendering, settings.row_cap, {k: results.term_text(v) for k, v in (substitutions or {}).items()},
              default_graph, named_graphs, settings.base, page_by)
    try:
        if isinstance(executor, QueryPool):
            answer = await executor.run(job, client)
        else:
            answer = await executor.run(lambda deadline: results.evaluate(store, job, deadline.check),
                                        float(settings.query_timeout))
    except QueryFailure as e:
        raise ProtocolError(e.status, str(e), e.headers) from None
    except QueryRefused as e:
        headers = {"Retry-After": str(e.retry_after)}
        if getattr(e, "reason", None) == "timeout":
            headers["X-Query-Timeout"] = f"{settings.query_timeout:g}"
        raise ProtocolError(503, str(e), headers) from None
    except QueryTimeout as e:
        raise ProtocolError(503, str(e), {"X-Query-Timeout": f"{e.timeout:g}",
                                          "Retry-After": str(executor.retry_after)}) from None
    except Saturated as e:
        raise ProtocolError(503, str(e), {"Retry-After": str(e.retry_after)}) from None
    return Outcome(answer.body, answer.media_type, answer, answer.seconds)


def outcome_response(outcome: Outcome, settings: Settings, *, vary: bool = True) -> Response:
    headers = result_headers(outcome.result, settings, outcome.seconds)
    if vary:
        headers["Vary"] = "Accept"
    return Response(outcome.body, media_type=neg.content_type(outcome.media_type), headers=headers)


__all__ = [
    "ProtocolError", "error_response", "Materialised", "Outcome", "materialise", "serialise",
    "result_headers", "dataset_for", "run_query", "outcome_response",
]
