"""Named queries as REST: every ``.rq`` in the catalogue is ``GET /api/queries/{name}``.

The routes are generated when the app is built (:func:`build_router`), one per query, so
each shows in the OpenAPI schema with its own summary, description and parameters, each
parameter with its type, default and description from the ``#+ param:`` header. Values
are checked and turned into RDF terms by :meth:`NamedQuery.bindings` (the same code the
CLI uses) and bound with ``Store.query(..., substitutions=...)``: they never enter the
query text, so a value such as ``"> } ; DROP ALL ; SELECT * { <x`` is just a literal.

Answers: for SELECT a simple JSON document by default::

    {"query": "name", "variables": ["x", ...], "rows": [{"x": value, ...}], "truncated": false}

(IRIs and plain literals as strings, numbers and booleans as JSON numbers and booleans,
unbound as null), or SPARQL results (``Accept: application/sparql-results+json``, ``+xml``),
or CSV/TSV (``Accept: text/csv`` or ``?format=csv``); ASK gives ``{"query", "boolean"}``;
CONSTRUCT gives JSON-LD by default, or Turtle, N-Triples, RDF/XML. A bad parameter
value, an unknown or repeated parameter is a 422 with the message. The same timeout, row
cap (headers ``X-Result-Truncated``, ``X-Row-Cap``) and CORS as ``/sparql`` apply.

A query that pages (keyset, ``#+ page: VAR`` with an ``after`` parameter:
``credentials-by-eqf-level``, ``search-credentials``) answers ``Link: <...>; rel="first"``
and, while the page is full, ``rel="next"`` with ``after`` = the page's last ``?VAR``; the
rows are the query's own (its ``?after`` column echoes the ``after`` given).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from microhe.api.deps import ExecutorDep, SettingsDep, StoreDep
from microhe.api.errors import error_content
from microhe.api.http import negotiation as neg
from microhe.api.http.clients import client_of
from microhe.api.http.cors import PublicReadRoute
from microhe.api.http.sparql_protocol import (
    Materialised,
    ProtocolError,
    dataset_for,
    outcome_response,
    run_query,
)
from microhe.api.models import NamedQueryEntry
from microhe.engine import results
from microhe.engine.threads import Deadline
from microhe.queries import catalogue as named
from microhe.queries.catalogue import NamedQuery, QueryError
from microhe.rdf import sparql_text

PREFIX = "/api/queries"
ROWS_JSON = neg.JSON  # the simple JSON shape is served as application/json

#: SELECT/ASK answers of a named query: the simple JSON shape first, then SPARQL results.
NAMED_RESULTS = neg.Offer(
    "named-query results",
    {ROWS_JSON: results.ROWS, **neg.RESULTS.formats},
    synonyms={"application/xml": neg.SPARQL_XML, "text/xml": neg.SPARQL_XML},
    aliases={**neg.RESULTS.aliases, "json": ROWS_JSON, "rows": ROWS_JSON},
)
#: CONSTRUCT/DESCRIBE answers of a named query: JSON-LD first (it is JSON), then the rest.
NAMED_GRAPH = neg.Offer(
    "named-query graph",
    {neg.JSON_LD: neg.GRAPH.format(neg.JSON_LD), **neg.GRAPH.formats},
    synonyms=dict(neg.GRAPH.synonyms),
    aliases=dict(neg.GRAPH.aliases),
)

RESERVED = ("format", "output")  # request parameters that are not query parameters

_SCHEMA = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "langstring": {"type": "string", "pattern": r"^.*@[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
}
_EXAMPLE = {"iri": "https://w3id.org/microhe/ref/", "langstring": "text@en"}
_ROWS_SCHEMA = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "description": "the query's name"},
        "variables": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object", "description": "variable -> value (IRI or text as "
                 "string, number, boolean, or null when unbound)"}},
        "truncated": {"type": "boolean", "description": "true when the row cap cut the answer"},
        "boolean": {"type": "boolean", "description": "the answer of an ASK query (instead of variables/rows)"},
    },
}


def rows_json(name: str, result: Materialised, deadline: Deadline | None = None) -> bytes:
    """The simple JSON shape of a SELECT (or ASK) result (:func:`microhe.engine.results.rows_json`)."""
    return results.rows_json(name, result, deadline.check if deadline is not None else (lambda: None))


def describe(q: NamedQuery) -> dict:
    """A catalogue entry as JSON."""
    return {
        "name": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags),
        "class": q.query_class,
        "url": f"{PREFIX}/{q.name}",
        "parameters": [
            {"name": p.name, "type": p.type, "required": p.required, "default": p.default,
             "description": p.description}
            for p in q.params
        ],
    }


def _openapi(q: NamedQuery, kind: str | None) -> dict:
    params = []
    for p in q.params:
        schema = dict(_SCHEMA[p.type])
        if p.default is not None:
            schema["default"] = _typed_default(p.type, p.default)
        entry = {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} ({p.type}{', required' if p.required else ', optional'})".strip(),
            "schema": schema,
        }
        if p.type in _EXAMPLE:
            entry["example"] = _EXAMPLE[p.type]
        params.append(entry)
    offer = NAMED_GRAPH if kind == "graph" else NAMED_RESULTS
    params.append({
        "name": "format", "in": "query", "required": False,
        "description": "Answer format, overriding Accept (`output=` is a synonym).",
        "schema": {"type": "string", "enum": sorted(offer.aliases)},
    })
    return {
        "parameters": params,
        "responses": {
            "200": {"description": "The query's answer.",
                    "content": {mt: ({"schema": _ROWS_SCHEMA} if mt == ROWS_JSON else {}) for mt in offer.media_types}},
            "406": {**error_content(406), "description": "No acceptable format."},
            "422": {**error_content(422), "description": "A parameter value is wrong (the message says which and why)."},
            "503": {**error_content(503), "description": "Timed out, or all query workers busy (Retry-After)."},
        },
    }


def _typed_default(ptype: str, value: str):
    try:
        if ptype == "integer":
            return int(value)
        if ptype == "decimal":
            return float(value)
        if ptype == "boolean":
            return value.lower() in ("true", "1")
    except ValueError:
        pass
    return value


def _values(request: Request, q: NamedQuery) -> dict[str, str]:
    values: dict[str, str] = {}
    for k, v in request.query_params.multi_items():
        if k in RESERVED and k not in {p.name for p in q.params}:
            continue
        if k in values:
            raise QueryError(f"query {q.name}: parameter {k} is given more than once")
        values[k] = v
    return values


def paging_links(request: Request, q: NamedQuery, answer) -> str | None:
    """``Link`` of a query that pages (``#+ page:``): ``rel="first"`` (the request without
    ``after``) and, while the page is full and was not cut by the row cap, ``rel="next"``
    (``after`` = the page's last ``?VAR``). Relative links, never built from ``Host``."""
    if q.page_by is None or q.page_size is None or answer.page is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
    root = request.scope.get("root_path", "")

    def url(extra: list[tuple[str, str]]) -> str:
        query = urlencode([*params, *extra])
        return f"{root}{request.url.path}" + (f"?{query}" if query else "")

    links = [f'<{url([])}>; rel="first"']
    count, last = answer.page
    if count >= q.page_size and not answer.truncated and last.startswith("<") and last.endswith(">"):
        links.append(f'<{url([("after", last[1:-1])])}>; rel="next"')
    return ", ".join(links)


def _endpoint(q: NamedQuery):
    info = sparql_text.inspect(q.text)
    kind = info.kind

    async def run_named_query(request: Request, store: StoreDep, settings: SettingsDep,
                              executor: ExecutorDep) -> Response:
        bindings = q.bindings(_values(request, q))  # QueryError: 422 (microhe.api.errors)
        accept = request.headers.get("accept")
        formats = [v for k, v in request.query_params.multi_items()
                   if k in RESERVED and k not in {p.name for p in q.params}]

        def choose_media_type(result_kind: str) -> str:
            offer, other = (NAMED_GRAPH, NAMED_RESULTS) if result_kind == "graph" else (NAMED_RESULTS, NAMED_GRAPH)
            try:
                mt = neg.explicit_format(formats, offer, others=[other]) or neg.negotiate(accept, offer.offered)
            except neg.FormatError as e:
                raise ProtocolError(406, str(e), {"Vary": "Accept"}) from None
            if mt is None:
                raise ProtocolError(406, neg.not_acceptable_message(accept, offer), {"Vary": "Accept"})
            return mt

        def format_of(result_kind: str, media_type: str):
            return (NAMED_GRAPH if result_kind == "graph" else NAMED_RESULTS).format(media_type)

        try:
            if kind is not None:
                choose_media_type("graph" if kind == "graph" else "select")
            default_graph, named_graphs = dataset_for((), (), info)
            outcome = await run_query(store=store, settings=settings, executor=executor, text=q.text_for(bindings),
                                      choose_media_type=choose_media_type, format_of=format_of, name=q.name,
                                      client=client_of(request, settings),
                                      substitutions=bindings, default_graph=default_graph,
                                      named_graphs=named_graphs, prefixes=info.prefixes, page_by=q.page_by)
        except ProtocolError as e:
            return JSONResponse({"detail": str(e)}, status_code=e.status, headers=e.headers)
        response = outcome_response(outcome, settings)
        links = paging_links(request, q, outcome.result)
        if links:
            response.headers["Link"] = links
        return response

    run_named_query.__name__ = "query_" + re.sub(r"\W", "_", q.name)
    run_named_query.__doc__ = q.description or q.summary
    return run_named_query, kind


def build_router(catalogue: Mapping[str, NamedQuery] | None = None) -> APIRouter:
    """A router with ``GET /api/queries`` (the catalogue) and one ``GET /api/queries/{name}``
    per named query (default: :func:`microhe.queries.catalogue.catalogue`)."""
    cat = dict(named.catalogue() if catalogue is None else catalogue)
    router = APIRouter(prefix=PREFIX, tags=["named queries"], route_class=PublicReadRoute)

    @router.get("", summary="The named-query catalogue", response_model=list[NamedQueryEntry])
    async def list_queries() -> list[dict]:
        """Every named query with its summary, description and typed parameters."""
        return [describe(q) for q in cat.values()]

    for q in cat.values():
        endpoint, kind = _endpoint(q)
        router.add_api_route(
            f"/{q.name}", endpoint, methods=["GET"], summary=q.summary,
            description=(q.description or q.summary) + (f"\n\nTags: {', '.join(q.tags)}." if q.tags else ""),
            operation_id="named_query_" + re.sub(r"\W", "_", q.name), response_class=Response,
            openapi_extra=_openapi(q, kind),
        )

    @router.get("/{name}", include_in_schema=False)
    async def unknown_query(name: str) -> Response:
        return JSONResponse({"detail": f"no named query {name!r}; known: {', '.join(cat) or 'none'}"},
                            status_code=404)

    return router


__all__ = ["build_router", "rows_json", "describe", "NAMED_RESULTS", "NAMED_GRAPH"]
