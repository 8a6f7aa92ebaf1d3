"""The SPARQL 1.1 Protocol query endpoint, ``/sparql``.

* Query by ``GET ?query=``, ``POST`` ``application/x-www-form-urlencoded`` or ``POST``
  ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` (repeatable)
  name the dataset. Without them (and without ``FROM``/``FROM NAMED`` in the query) the
  default graph is the union of all graphs (``sd:UnionDefaultGraph``).
* Results by content negotiation (``Accept`` with q-values and wildcards, ``Vary:
  Accept``) or an explicit ``format=``/``output=`` (see :mod:`microhe.api.http.negotiation`);
  406 when nothing acceptable can be served.
* A bare ``GET`` answers a SPARQL Service Description (RDF) or, to a browser, an HTML
  query page; a ``GET ?query=`` from a browser opens that page and runs the query.
* Errors: 400 with the parser's message for a syntax error, for two ``query``
  parameters, for an update (``INSERT``... in ``query=``, an ``update=`` parameter or an
  ``application/sparql-update`` body: updates go to ``/update``), for a query whose text
  contains the word ``SERVICE`` or ``LOAD`` anywhere (federation is off: no outbound
  requests; :mod:`microhe.rdf.sparql_gate`, unless ``Settings.allow_service``) and for a bad
  graph IRI; 415 for a
  POST whose Content-Type is neither form-encoded nor ``application/sparql-query`` or
  whose charset is not UTF-8 (RFC 9110 §15.5.16; the SPARQL Protocol only requires a
  4xx); 413 for a body over ``Settings.max_body_bytes``; 503 for a query past
  ``Settings.query_timeout`` or when every worker is busy (with ``Retry-After``).
* Every result carries ``X-Row-Cap`` and ``X-Result-Truncated``; a result cut at
  ``Settings.row_cap`` rows/triples also gets a ``Warning: 199`` header. Results are
  never cut silently.
* CORS (``Access-Control-Allow-Origin: *`` and preflight) by the app-wide middleware
  (:mod:`microhe.api.http.cors`), as on every read route.

The evaluation core (:func:`~microhe.api.http.sparql_protocol.run_query`) and the CORS
(:mod:`microhe.api.http.cors`) are shared with the named-query routes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from microhe.api.deps import ExecutorDep, SettingsDep, StoreDep, read_body
from microhe.api.errors import error_content
from microhe.api.http import negotiation as neg
from microhe.api.http.clients import client_of
from microhe.api.http.cors import PublicReadRoute
from microhe.api.http.paths import RESOURCE, SPARQL, VOID
from microhe.api.http.requestlog import note_query
from microhe.api.http.sparql_protocol import (
    Outcome,
    ProtocolError,
    dataset_for,
    error_response,
    outcome_response,
    run_query,
)
from microhe.api.pages import render
from microhe.publish.names import ONTOLOGY, PREFIXES, compact, local_href, safe_href
from microhe.publish.service import ENTAILMENT, FORMATS, SD, service_description
from microhe.queries import catalogue as named
from microhe.rdf import sparql_gate, sparql_text
from microhe.rdf.formats import in_memory
from microhe.rdf.iri import iri_problem
from microhe.settings import Settings
from microhe.store.embedded import Store
from microhe.vocab import DEMO, MHE, RDFS, REF, XSD

#: Unique URIs for file formats (https://www.w3.org/ns/formats/) of what /sparql serves.
FORMAT_NAMES = {
    neg.SPARQL_JSON: "SPARQL_Results_JSON", neg.SPARQL_XML: "SPARQL_Results_XML", neg.CSV: "SPARQL_Results_CSV",
    neg.TSV: "SPARQL_Results_TSV", neg.TURTLE: "Turtle", neg.N_TRIPLES: "N-Triples", neg.JSON_LD: "JSON-LD",
    neg.RDF_XML: "RDF_XML",
}


router = APIRouter(tags=["SPARQL"], route_class=PublicReadRoute)


# == the endpoint ======================================================================

@dataclass
class ProtocolRequest:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    params: Any  # multi-dict with getlist (format=, output=, ...)


class _Params:
    """A small multi-dict over (name, value) pairs."""

    def __init__(self, pairs: Sequence[tuple[str, str]]):
        self.pairs = list(pairs)

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def __contains__(self, name: str) -> bool:
        return any(k == name for k, _ in self.pairs)


def _media_type_and_charset(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    mt, _, rest = header.partition(";")
    charset = None
    for m in re.finditer(r'\s*([^=;\s]+)\s*=\s*"?([^";]*)"?', rest):
        if m.group(1).lower() == "charset":
            charset = m.group(2).strip().lower()
    return mt.strip().lower(), charset


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProtocolError(400, f"{what} is not valid UTF-8: {e}") from None


async def protocol_request(request: Request, settings: Settings) -> ProtocolRequest:
    """The query, dataset and parameters of a SPARQL Protocol request (or ProtocolError)."""
    url_pairs = parse_qsl(request.url.query, keep_blank_values=True)
    pairs = list(url_pairs)
    direct_query: str | None = None
    if request.method == "POST":
        mt, charset = _media_type_and_charset(request.headers.get("content-type"))
        if charset not in (None, "utf-8", "utf8", "us-ascii"):
            raise ProtocolError(415, f"request charset {charset!r} is not supported; send UTF-8")
        body = await read_body(request, settings.max_body_bytes)
        if mt == "application/x-www-form-urlencoded":
            try:
                text = body.decode("ascii")
                pairs += parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError as e:
                raise ProtocolError(400, f"form body is not valid UTF-8 / URL-encoded text: {e}") from None
        elif mt == "application/sparql-query":
            direct_query = _utf8(body, "the query")
        elif mt == "application/sparql-update":
            raise ProtocolError(400, "this is the SPARQL query endpoint; send SPARQL Update requests to /update")
        elif not mt:
            raise ProtocolError(415, "a POST to /sparql needs a Content-Type: application/x-www-form-urlencoded "
                                     "(query=...) or application/sparql-query (the query as the body)")
        else:
            raise ProtocolError(415, f"unsupported Content-Type {mt!r} for a SPARQL query; use "
                                     "application/x-www-form-urlencoded or application/sparql-query")
    params = _Params(pairs)
    queries = params.getlist("query")
    if direct_query is not None:
        queries = [direct_query, *queries]
    if len(queries) > 1:
        raise ProtocolError(400, f"exactly one query is allowed per request; got {len(queries)}")
    if "update" in params:
        raise ProtocolError(400, "this is the SPARQL query endpoint; send SPARQL Update requests "
                                 "(the update= parameter) to /update")
    query = queries[0] if queries else None
    if query is not None:
        note_query(request, query)  # its hash (never the text) goes in the log line of a refusal
    if query is not None and not query.strip():
        raise ProtocolError(400, "the query is empty")
    dg = params.getlist("default-graph-uri")
    ng = params.getlist("named-graph-uri")
    for iri in [*dg, *ng]:
        problem = iri_problem(iri)
        if problem is not None:
            raise ProtocolError(400, f"graph IRI {iri!r} is not an absolute IRI ({problem})")
    return ProtocolRequest(query, dg, ng, params)


_SPARQL_DOC: dict[str, Any] = {
    "parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "A SPARQL 1.1 query. Without it, GET answers the service description (RDF) or, "
                        "to a browser, the query page."},
        {"name": "default-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
         "description": "Graph(s) whose merge is the default graph (repeatable). Default: the union of all graphs."},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
         "description": "Named graph(s) visible to GRAPH (repeatable). Default: all named graphs."},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Result format, overriding Accept: json, xml, csv, tsv (SELECT/ASK); turtle, n3, nt, "
                        "json-ld, rdf, rdf+xml (CONSTRUCT/DESCRIBE); or a media type. `output=` is a synonym. "
                        "`html`: the query page with the result drawn into it (the page's form without JavaScript)."},
    ],
    "responses": {
        "200": {"description": "Query results, service description or query page (by content negotiation).",
                "content": {mt: {} for mt in [*neg.RESULTS.media_types, *neg.GRAPH.media_types, neg.HTML]}},
        # Protocol errors are plain text (what SPARQL clients print); the body limit's 413
        # comes from the app's BodyLimit middleware, in the JSON of every other route.
        "400": {"description": "Syntax error, two queries, an update, the word SERVICE or LOAD in the text "
                               "(refused unless MICROHE_ALLOW_SERVICE=true), or a bad graph IRI.",
                "content": {"text/plain": {"schema": {"type": "string"}}}},
        "406": {"description": "No acceptable result format.",
                "content": {"text/plain": {"schema": {"type": "string"}}}},
        "413": {"description": "Request body too large.",
                "content": {**error_content(413)["content"], "text/plain": {"schema": {"type": "string"}}}},
        "415": {"description": "POST with an unsupported Content-Type or charset.",
                "content": {"text/plain": {"schema": {"type": "string"}}}},
        "503": {"description": "Query timed out, or all workers busy (Retry-After).",
                "content": {"text/plain": {"schema": {"type": "string"}}}},
    },
}


_SPARQL_POST_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                "query": {"type": "string"},
                "default-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}},
                "named-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}},
                "format": {"type": "string"}}, "required": ["query"]}},
            "application/sparql-query": {"schema": {"type": "string"}},
        },
    },
    "parameters": _SPARQL_DOC["parameters"][1:],
    "responses": {
        **_SPARQL_DOC["responses"],
        "200": {"description": "Query results (by content negotiation).",
                "content": {mt: {} for mt in [*neg.RESULTS.media_types, *neg.GRAPH.media_types]}},
    },
}


@router.get(SPARQL, summary="SPARQL 1.1 query (GET), service description, query page",
            operation_id="sparql_query_get", openapi_extra=_SPARQL_DOC, response_class=Response)
async def sparql_get(request: Request, store: StoreDep, settings: SettingsDep, executor: ExecutorDep) -> Response:
    """A query in ``?query=``; without it, the service description (RDF) or the HTML query
    page (browsers). The default graph is the union of all graphs unless
    default-graph-uri / named-graph-uri (or FROM / FROM NAMED) name the dataset."""
    return await answer(request, store, settings, executor)


@router.post(SPARQL, summary="SPARQL 1.1 query (POST form or application/sparql-query)",
             operation_id="sparql_query_post", openapi_extra=_SPARQL_POST_DOC, response_class=Response)
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep, executor: ExecutorDep) -> Response:
    """A query as a form field (``query=``) or as the whole body (``application/sparql-query``)."""
    return await answer(request, store, settings, executor)


async def answer(request: Request, store: Store, settings: Settings, executor) -> Response:
    """Answer one SPARQL Protocol query request (GET or POST)."""
    try:
        req = await protocol_request(request, settings)
        accept = request.headers.get("accept")
        if _wants_html_results(req.params):
            return await html_results(request, store, settings, executor, req)
        if req.query is None:
            return service_response(request, store, settings, req)
        if request.method == "GET" and not neg.format_values(req.params) and _prefers_html(accept):
            return html_page(request, settings, query=req.query, autorun=True)
        info, default_graph, named_graphs = checked_query(req, settings)

        def choose_media_type(kind: str) -> str:
            offer, other = (neg.GRAPH, neg.RESULTS) if kind == "graph" else (neg.RESULTS, neg.GRAPH)
            try:
                mt = neg.choose(accept, req.params, offer, others=[other])
            except neg.FormatError as e:
                raise ProtocolError(406, str(e), {"Vary": "Accept"}) from None
            if mt is None:
                raise ProtocolError(406, neg.not_acceptable_message(accept, offer), {"Vary": "Accept"})
            return mt

        if info.kind is not None:  # refuse early, before any evaluation
            choose_media_type("graph" if info.kind == "graph" else "select")
        outcome = await run_query(store=store, settings=settings, executor=executor, text=req.query,
                                  choose_media_type=choose_media_type, client=client_of(request, settings),
                                  default_graph=default_graph,
                                  named_graphs=named_graphs, prefixes=info.prefixes)
        return outcome_response(outcome, settings)
    except ProtocolError as e:
        return error_response(e)


def checked_query(req: ProtocolRequest, settings: Settings) -> tuple[sparql_text.QueryInfo, list[str] | None,
                                                                      list[str] | None]:
    """The query's form and prologue and its dataset, or ProtocolError (400) for an update,
    a remote-access word (unless allowed) or an unreadable FROM."""
    assert req.query is not None
    info = sparql_text.inspect(req.query, settings.base)
    if info.update:
        raise ProtocolError(400, f"{info.update} is SPARQL Update; this is the query endpoint: "
                                 "send updates to /update")
    if not settings.allow_service:
        try:
            sparql_gate.check_query(req.query)
        except sparql_gate.RemoteAccessRefused as e:
            raise ProtocolError(400, str(e)) from None
    default_graph, named_graphs = dataset_for(req.default_graphs, req.named_graphs, info)
    return info, default_graph, named_graphs


def _prefers_html(accept: str | None) -> bool:
    """True when a client (a browser) asks for HTML ahead of every result format."""
    if not accept or "text/html" not in accept.lower():
        return False
    offered = [*neg.RESULTS.media_types, *neg.GRAPH.media_types, neg.HTML]
    return neg.negotiate(accept, offered) == neg.HTML


# == service description and query page ================================================

def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def service_response(request: Request, store: Store, settings: Settings, req: ProtocolRequest) -> Response:
    accept = request.headers.get("accept")
    try:
        explicit = neg.explicit_format(neg.format_values(req.params), neg.GRAPH, others=[neg.RESULTS])
    except neg.FormatError as e:
        raise ProtocolError(406, str(e), {"Vary": "Accept"}) from None
    mt = explicit or neg.negotiate(accept, [*neg.GRAPH.media_types, neg.HTML, *neg.GRAPH.synonyms])
    if mt is None:
        raise ProtocolError(406, neg.not_acceptable_message(accept, neg.GRAPH) + ", text/html",
                            {"Vary": "Accept"})
    if mt == neg.HTML:
        return html_page(request, settings)
    formats = [FORMATS + FORMAT_NAMES[mt] for mt in [*neg.RESULTS.media_types, *neg.GRAPH.media_types]]
    triples = service_description(endpoint_url(request), store, settings, formats,
                                  void=settings.base + VOID.lstrip("/"))
    fmt = neg.GRAPH.format(mt)
    prefixes = {"sd": SD, "rdfs": RDFS, "ent": ENTAILMENT, "formats": FORMATS}
    body = in_memory(ox.serialize(triples, format=fmt, prefixes=prefixes if fmt == ox.RdfFormat.TURTLE else None))
    return Response(body, media_type=neg.content_type(mt), headers={"Vary": "Accept"})


DEFAULT_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
ORDER BY DESC(?triples)
LIMIT 50
"""


#: ``format=html``: the results drawn into the query page by the server (the plain form,
#: the page without JavaScript). Not a result format of the protocol: only the page asks for it.
HTML_RESULTS = "html"


def _wants_html_results(params) -> bool:
    return [v.strip().lower() for v in neg.format_values(params)] == [HTML_RESULTS]


def local_rules(base: str | None, root: str) -> list[list[Any]]:
    """``[IRI prefix, local path, exact]`` for the page's script: the mapping of
    :func:`microhe.publish.names.local_href` (IRIs this server publishes open its pages)."""
    rules: list[list[Any]] = []
    for prefix in (DEMO, REF, MHE, base):
        path = local_href(prefix, base, root) if prefix else None
        if prefix and path is not None:
            rules.append([prefix, path, False])
    path = local_href(ONTOLOGY, base, root)
    if path is not None:
        rules.append([ONTOLOGY, path, True])
    return rules


def html_page(request: Request, settings: Settings, *, query: str | None = None, autorun: bool = False,
              result: dict[str, Any] | None = None, error: ProtocolError | None = None,
              fmt: str = HTML_RESULTS, answered: dict[str, Any] | None = None) -> Response:
    """The query page: YASGUI (drawn by /static/sparql/sparql.js) over the plain form,
    with ``result`` or ``error`` of a ``format=html`` run drawn by the server, and
    ``answered``, the same answer as YASGUI's results view reads it (the script shows it
    instead of running the query a second time)."""
    problem: str | None
    try:
        cat = named.catalogue()
    except named.QueryError as e:  # a broken .rq must not take the query page down
        cat, problem = {}, str(e)
    else:
        problem = None
    root = request.scope.get("root_path", "")
    endpoint = endpoint_url(request)
    examples = [
        {"name": q.name, "summary": q.summary, "description": q.description,
         "params": [p.name for p in q.params], "url": f"{root}/api/queries/{q.name}",
         "load": f"{root}{SPARQL}?{urlencode({'query': q.text})}"}
        for q in cat.values()
    ]
    html, page_headers = render.render(
        request, "sparql.html",
        endpoint=endpoint,
        query=query or DEFAULT_QUERY,
        autorun=autorun,
        examples=examples,
        catalogue_problem=problem,
        timeout=settings.query_timeout,
        row_cap=settings.row_cap,
        prefixes=PREFIXES,
        local=local_rules(settings.base, root),
        resource=root + RESOURCE,
        result=result,
        error={"status": error.status, "message": str(error)} if error is not None else None,
        fmt=fmt,
        answered=answered,
    )
    response = HTMLResponse(html, status_code=error.status if error is not None else 200,
                            headers={**page_headers, **(error.headers if error is not None else {}),
                                     "Vary": "Accept, Accept-Language, Cookie"})
    render.remember_language(request, response)
    return response


async def html_results(request: Request, store: Store, settings: Settings, executor,
                       req: ProtocolRequest) -> Response:
    """``format=html``: run the query as the protocol does and draw its result (or its
    error, with the protocol's status) into the query page."""
    if req.query is None:
        return html_page(request, settings)
    try:
        info, default_graph, named_graphs = checked_query(req, settings)
        outcome = await run_query(store=store, settings=settings, executor=executor, text=req.query,
                                  choose_media_type=lambda kind: neg.TURTLE if kind == "graph" else neg.SPARQL_JSON,
                                  client=client_of(request, settings), default_graph=default_graph,
                                  named_graphs=named_graphs, prefixes=info.prefixes)
    except ProtocolError as e:
        return html_page(request, settings, query=req.query, error=e, answered={"error": {
            "status": e.status, "statusText": _phrase(e.status), "text": str(e)}})
    result = drawn_result(outcome, settings.base, request.scope.get("root_path", ""))
    # with JavaScript the editor shows this answer in its own results view: the query runs once
    answered = {"contentType": outcome.media_type, "data": outcome.body.decode("utf-8"), "status": 200,
                "executionTime": round(outcome.seconds * 1000)}
    return html_page(request, settings, query=req.query, result=result, answered=answered)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def drawn_result(outcome: Outcome, base: str | None, root: str) -> dict[str, Any]:
    """What the page's template draws of a result: a table of cells, a boolean or the
    Turtle text, with a one-line summary."""
    answer = outcome.result
    ms = round(outcome.seconds * 1000)
    if answer.kind == "graph":
        return {"kind": "graph", "text": outcome.body.decode("utf-8"), "truncated": answer.truncated,
                "summary": f"{answer.size} triples in {ms} ms"}
    doc = json.loads(outcome.body)
    if "boolean" in doc:
        return {"kind": "ask", "boolean": bool(doc["boolean"]), "truncated": False, "summary": f"done in {ms} ms"}
    names = doc["head"]["vars"]
    rows = [[_cell(b.get(v), base, root) for v in names] for b in doc["results"]["bindings"]]
    return {"kind": "select", "vars": names, "rows": rows, "truncated": answer.truncated,
            "summary": f"{len(rows)} rows in {ms} ms"}


def lookup_href(iri: str, root: str) -> str | None:
    """Where a result IRI not published here links: the lookup route (``/resource?iri=``),
    which shows what the store holds about it, for IRIs a browser could follow and for the
    ``urn:`` IRIs of Europass data; ``javascript:``, ``data:`` and the like stay text."""
    if safe_href(iri) is None and not iri.lower().startswith("urn:"):
        return None
    return f"{root}{RESOURCE}?{urlencode({'iri': iri})}"


def _cell(term: dict[str, Any] | None, base: str | None, root: str) -> dict[str, Any] | None:
    """One SPARQL JSON term as the page shows it: IRIs published here link to the local
    page, other http/https/mailto IRIs to themselves, anything else is text."""
    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return {"text": value, "href": local_href(value, base, root) or lookup_href(value, root)}
    if kind == "bnode":
        return {"text": f"_:{value}"}
    if kind == "triple":
        parts = [term["value"][k].get("value", "") for k in ("subject", "predicate", "object")]
        return {"text": "<< " + " ".join(parts) + " >>"}
    datatype = term.get("datatype")
    return {"text": value, "lang": term.get("xml:lang"),
            "datatype": compact(datatype) if datatype and datatype != XSD + "string" else None}


__all__ = ["router", "DEFAULT_QUERY"]
