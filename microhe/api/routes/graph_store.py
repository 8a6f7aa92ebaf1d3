"""SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graphs`` (indirect graph identification).

Every request names exactly one graph: ``?graph=<absolute IRI>`` or ``?default`` (the
store's *own* default graph, not the union that ``/sparql`` queries); anything else is
400. The one exception is ``POST /rdf-graphs`` without either, which creates a new graph
``<base>graph/<uuid>`` and answers 201 with its IRI in ``Location``.

Reads (GET, HEAD) are public: Turtle by default, N-Triples, JSON-LD, RDF/XML, and with the
graph name N-Quads and TriG, by ``Accept``; 404 for a graph the store does not hold (the
default graph always exists, possibly empty).

Writes need ``Authorization: Bearer <token>`` (see :mod:`microhe.api.auth`) and go
through the same gate as ``microhe load``:

* the body (at most ``Settings.max_body_bytes``: 413; checked on ``Content-Length`` and
  on the streamed bytes) is parsed by its ``Content-Type`` (unsupported or missing: 415;
  unparsable or empty: 400). A TriG/N-Quads body is flattened into the target graph, as
  ``microhe load`` does. Relative IRIs resolve against ``Settings.base``;
* learner data is refused (422) unless ``?strip-personal-data=true``;
* the graph's content *after* the write is SHACL-validated with the bundled reference
  data, against ``Settings.profiles`` or the ``?profile=NAME`` given (repeatable; an
  unknown name is 400); violations: 422 with the report as JSON, or as Turtle when the
  client prefers ``text/turtle``; nothing is written;
* the write and its provenance record (``mhe:Load`` in the metadata graph; agent
  ``graph-store:<token name>``) are one transaction.

PUT replaces (``microhe.ingest.load.load(..., replace=True)``; always written, even when the
bytes equal the last load). POST merges: the union of what the graph holds and the body is
validated, then the new triples are added. DELETE drops the graph with its provenance
records and derived values (204; 404 when missing). Answers: 201 (with ``Location``)
when a graph was created, 200 with a JSON summary when one was changed, 204 for DELETE.

The metadata graph and the derived-value graphs (``<g>#derived``) are maintained by
microhe and cannot be written here (403).

Direct graph identification: ``/rdf-graphs/<path>`` names the graph
``<Settings.base>rdf-graphs/<path>`` (the configured base, never the ``Host`` header), with
the same reads, gate, tokens and atomicity; it is registered before the linked-data
catch-all, which stays read-only. A POST may send ``multipart/form-data``: the parts are
merged into the graph as one write (GSP section 5.5).

A deployment that is a generic Graph Store (``Settings.generic_graph_store``, off by
default) stores writes that hold no node any profile targets and does not apply the
learner-data gate; SHACL violations are still refused.

Left out: ``PATCH`` with SPARQL Update (use ``/update``), and conditional requests
(``ETag``/``If-Match``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from types import EllipsisType
from typing import Any, Literal, overload

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from microhe.api.auth import refuse_token_in_url
from microhe.api.deps import SettingsDep, StoreDep, WriterDep, contexts_of, read_body
from microhe.api.errors import WRITE, error_content, error_responses
from microhe.api.http.jsonld_forms import jsonld_form
from microhe.api.http.multipart import is_multipart, merged_parts
from microhe.api.http.negotiation import (
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    TRIG,
    TURTLE,
    content_type,
    negotiate,
    representation,
)
from microhe.api.http.paths import GRAPH_STORE
from microhe.api.http.rdf_responses import rdf_response
from microhe.api.http.semantics import conditional
from microhe.api.http.streaming import stream
from microhe.api.models import GraphWriteRefused, GraphWritten
from microhe.ingest.derive import DERIVED_SUFFIX
from microhe.ingest.errors import NotConforming
from microhe.ingest.load import Outcome, Source, drop, load, merge
from microhe.ingest.lock import write_lock
from microhe.ingest.personal import STRIP_PERSONAL
from microhe.rdf import nquads
from microhe.rdf.iri import iri_problem
from microhe.rdf.parse import detect_format
from microhe.rdf.reading import UnsupportedFormatError
from microhe.settings import Settings
from microhe.store import changes
from microhe.store.embedded import Store
from microhe.validation import ValidationReport, available_profiles
from microhe.vocab import META_GRAPH

OFFERED = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS, TRIG)
STRIP_PARAM = STRIP_PERSONAL
_TRUE, _FALSE = {"true", "1", "yes", "on", ""}, {"false", "0", "no", "off"}

router = APIRouter(tags=["graph store"])

# -- request parameters -------------------------------------------------------------------


@overload
def target_graph(request: Request, *, allow_none: Literal[False] = False) -> str | None: ...
@overload
def target_graph(request: Request, *, allow_none: Literal[True]) -> str | None | EllipsisType: ...
def target_graph(request: Request, *, allow_none: bool = False) -> str | None | EllipsisType:
    """The graph a request names: an IRI, ``None`` for ``?default``, or ``...`` when it
    names none (only where ``allow_none``). 400 otherwise."""
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    if len(graphs) > 1:
        raise HTTPException(400, detail="give ?graph=IRI once")
    if graphs and default:
        raise HTTPException(400, detail="give either ?graph=IRI or ?default, not both")
    if not graphs and not default:
        if allow_none:
            return ...
        raise HTTPException(400, detail="name the graph: ?graph=<absolute IRI> or ?default "
                            "(the whole store is at /dump.nq)")
    if default:
        if params.get("default"):
            raise HTTPException(400, detail="?default takes no value")
        return None
    iri = graphs[0]
    problem = iri_problem(iri)
    if problem is not None:
        raise HTTPException(400, detail=f"?graph={iri!r} is not an absolute IRI ({problem})")
    return iri


def chosen_profiles(request: Request, settings: Settings) -> tuple[str, ...]:
    names = [p for value in request.query_params.getlist("profile") for p in value.split(",") if p.strip()]
    names = [n.strip() for n in names]
    if not names:
        return tuple(settings.profiles)
    known = available_profiles()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise HTTPException(400, detail=f"unknown validation profile(s) {', '.join(unknown)}; "
                            f"available: {', '.join(known)}")
    return tuple(dict.fromkeys(names))


def strip_requested(request: Request) -> bool:
    value = request.query_params.get(STRIP_PARAM)
    if value is None:
        return False
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise HTTPException(400, detail=f"?{STRIP_PARAM}= takes true or false, not {value!r}")


def body_media_type(request: Request) -> str:
    """The body's media type, or 415 when it is missing or not an RDF format we parse."""
    ct = request.headers.get("content-type")
    if not ct:
        raise HTTPException(415, detail="give the body's Content-Type (text/turtle, application/n-triples, "
                            "application/ld+json, application/rdf+xml, application/n-quads, application/trig)")
    try:
        detect_format(media_type=ct)
    except UnsupportedFormatError as e:
        raise HTTPException(415, detail=str(e)) from None
    return ct


def refuse_managed(graph: str | None) -> None:
    if graph == META_GRAPH:
        raise HTTPException(403, detail=f"<{META_GRAPH}> holds the load provenance and is written by microhe only")
    if graph is not None and graph.endswith(DERIVED_SUFFIX):
        raise HTTPException(403, detail=f"<{graph}> holds values derived at load time from "
                            f"<{graph[:-len(DERIVED_SUFFIX)]}>; write that graph instead")


def gsp_url(request: Request, graph: str | None) -> str:
    from urllib.parse import urlencode

    root = request.scope.get("root_path", "")
    return f"{root}{GRAPH_STORE}?" + ("default" if graph is None else urlencode({"graph": graph}))


# -- responses ------------------------------------------------------------------------------


def refusal(request: Request, e: NotConforming, graph: str | None) -> Response:
    """The answer to a write that would not conform (nothing was written): the SHACL
    report, negotiated. Every other refusal is answered by its category
    (:mod:`microhe.api.errors`)."""
    where = "the default graph" if graph is None else f"<{graph}>"
    return report_response(request, e.report, f"{where} would not conform: {e.report.summary()}; "
                           "nothing was written")


def report_response(request: Request, report: ValidationReport, detail: str) -> Response:
    """422 with the SHACL report: JSON by default, Turtle when preferred."""
    mt = negotiate(request.headers.get("accept"), ("application/json", TURTLE)) or "application/json"
    if mt == TURTLE:
        return Response(report.to_turtle(), status_code=422, media_type=content_type(TURTLE),
                        headers={"Vary": "Accept"})
    body = GraphWriteRefused.model_validate({"detail": detail, "report": report.to_json()}).model_dump()
    return Response(json.dumps(body), status_code=422, media_type="application/json", headers={"Vary": "Accept"})


def success(outcome: Outcome, graph: str | None, created: bool, location: str | None = None) -> Response:
    """The answer of a write: the load outcome (:class:`GraphWritten`), its graph as the
    request named it (null: the default graph)."""
    written = GraphWritten.model_validate({**outcome.to_json(), "graph": graph, "default": graph is None,
                                           "report": outcome.report.to_json() if outcome.report else None})
    headers = {"Location": location} if created and location else {}
    return Response(json.dumps(written.model_dump(mode="json")), status_code=201 if created else 200,
                    media_type="application/json", headers=headers)


# -- reads ----------------------------------------------------------------------------------


# -- the OpenAPI description (the routes read their parameters themselves) -------------------

_GRAPH_PARAMS = [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string", "format": "iri"},
     "description": "The graph's IRI (absolute). Give it or `default`, not both."},
    {"name": "default", "in": "query", "required": False, "allowEmptyValue": True,
     "schema": {"type": "string", "enum": [""]}, "description": "The store's default graph (no value)."},
]
_WRITE_PARAMS = [
    {"name": "profile", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Validation profile(s), comma-separated (default: the deployment's)."},
    {"name": STRIP_PARAM, "in": "query", "required": False, "schema": {"type": "boolean"},
     "description": "Drop learner data instead of refusing the write."},
]
_RDF_BODY = {"required": True, "content": {mt: {"schema": {"type": "string"}} for mt in
                                           (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS, TRIG)}}
def _written(created: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a write: :class:`GraphWritten`, or 422 with
    :class:`GraphWriteRefused` (its report is the validation package's ``ValidationReport``)."""
    return {
        200: {"model": GraphWritten, "description": "Written (validated, one transaction)"},
        201: {"model": GraphWritten, "description": created},
        422: {"model": GraphWriteRefused,
              "description": "The data would not conform (SHACL report; also when no profile targets any of its "
                             "nodes: nothing was checked), or holds learner data",
              "content": {TURTLE: {"schema": {"type": "string"}}}},
    }


def _write_doc() -> dict:
    return {
        "parameters": _GRAPH_PARAMS + _WRITE_PARAMS,
        "requestBody": _RDF_BODY,
        "responses": {str(code): error_content(code) for code in (*WRITE, 409, 415)},
    }


def _read(request: Request, store: Store, graph: str | None, settings: Settings) -> Response:
    """GET/HEAD of one graph: 404 when the store does not hold it; the representation by
    ``Accept`` (Turtle default). JSON-LD is the graph itself (no named-graph wrapper),
    flattened and compacted with ``{base}context.jsonld`` up to
    ``Settings.jsonld_compact_cap`` triples (:mod:`microhe.api.http.jsonld_forms`)."""
    refuse_token_in_url(request)  # reads need none, but one in the URL is a leak to report
    if graph is not None and not store.has_graph(graph):
        raise HTTPException(404, detail=f"no graph <{graph}> in the store")
    mt = representation(request, OFFERED)
    headers = {"Vary": "Accept"}
    if mt in (N_TRIPLES, N_QUADS):  # line formats stream: a large graph is never held in memory
        if request.method == "HEAD":
            return Response(status_code=200, media_type=content_type(mt), headers=headers)
        # the iterator is made on the stream's own thread (pyoxigraph iterators are bound to theirs)
        return stream(lambda: nquads.lines(store.quads(graph), with_graph=mt == N_QUADS), media_type=content_type(mt),
                      headers=headers, what="a graph" if graph is None else f"graph <{graph}>")
    return rdf_response(store.quads(graph), mt, head=request.method == "HEAD", headers=headers,
                        jsonld=jsonld_form(request, settings.base, cap=settings.jsonld_compact_cap))


@router.get(GRAPH_STORE, summary="Read a graph (Graph Store Protocol)", response_class=Response, openapi_extra={
    "parameters": _GRAPH_PARAMS,
    "responses": {"200": {"description": "The graph (by content negotiation)",
                          "content": {mt: {"schema": {"type": "string"}} for mt in OFFERED}},
                  **{str(code): error_content(code) for code in (400, 404, 406)}}})
@router.head(GRAPH_STORE, include_in_schema=False)
@conditional
def get_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """``?graph=IRI`` or ``?default``; the representation by ``Accept`` (Turtle default)."""
    return _read(request, store, target_graph(request), settings)


# -- writes ---------------------------------------------------------------------------------


async def _write(request: Request, store: Store, settings: Settings, writer: str, graph: str | None,
                 action: Callable[[Source, tuple[str, ...], bool, str, Mapping[str, Any] | None], Outcome],
                 verb: str) -> Outcome | Response:
    """The shared gate of PUT and POST: parameters, media type, body, then ``action`` in a
    worker thread (``load``/``merge`` hold the store's write lock: microhe.ingest.lock).
    A POST may send ``multipart/form-data``: its parts are merged (one write)."""
    refuse_managed(graph)
    profiles = chosen_profiles(request, settings)
    strip = strip_requested(request)
    contexts = contexts_of(settings)
    ct = request.headers.get("content-type")
    if is_multipart(ct) and verb == "POST":
        data = await read_body(request, settings.max_body_bytes)
        merged, names = merged_parts(ct or "", data, base_iri=settings.base, contexts=contexts)
        source = Source(f"HTTP POST (multipart: {', '.join(names)})", merged, N_TRIPLES)
    else:
        if is_multipart(ct):
            raise HTTPException(415, detail=f"multipart/form-data is accepted by POST (merge) only; {verb} takes "
                                "one RDF document (text/turtle, application/n-triples, application/ld+json, ...)")
        mt = body_media_type(request)
        data = await read_body(request, settings.max_body_bytes)
        source = Source(f"HTTP {verb}", data, mt)
    agent = f"graph-store:{writer}"

    def run() -> Outcome:
        with changes.operation(verb.lower()):  # the change log's kind: put or post
            return action(source, profiles, strip, agent, contexts)

    try:
        return await run_in_threadpool(run)
    except NotConforming as e:
        if e.report is None:
            raise
        return refusal(request, e, graph)


async def _put(request: Request, store: Store, settings: Settings, writer: str, graph: str | None,
               location: str) -> Response:
    def action(source: Source, profiles, strip, agent, contexts) -> Outcome:
        if graph is None:
            return merge(store, source, graph=None, replace=True, profiles=profiles, strip_personal=strip,
                         base=settings.base, agent=agent, contexts=contexts, generic=settings.generic_graph_store)
        [outcome] = load(store, [source], graph=graph, profiles=profiles, replace=True, strip_personal=strip,
                         base=settings.base, agent=agent, force=True, contexts=contexts,
                         generic=settings.generic_graph_store)
        return outcome

    result = await _write(request, store, settings, writer, graph, action, "PUT")
    if isinstance(result, Response):
        return result
    return success(result, graph, created=result.status == "loaded", location=location)


async def _post(request: Request, store: Store, settings: Settings, writer: str, graph: str | None,
                location: str | None) -> Response:
    def action(source: Source, profiles, strip, agent, contexts) -> Outcome:
        return merge(store, source, graph=graph, profiles=profiles, strip_personal=strip,
                     base=settings.base, agent=agent, contexts=contexts, generic=settings.generic_graph_store)

    result = await _write(request, store, settings, writer, graph, action, "POST")
    if isinstance(result, Response):
        return result
    return success(result, graph, created=result.status == "loaded" and graph is not None, location=location)


async def _delete(store: Store, graph: str | None) -> Response:
    refuse_managed(graph)

    def run() -> bool:
        with write_lock(store), changes.operation("delete"):
            if graph is not None and not store.has_graph(graph):
                return False
            drop(store, graph)
            return True

    if not await run_in_threadpool(run):
        raise HTTPException(404, detail=f"no graph <{graph}> in the store")
    return Response(status_code=204)


@router.put(GRAPH_STORE, summary="Replace a graph (Graph Store Protocol)", status_code=200, response_class=Response,
            responses=_written("Created: the graph was new"), openapi_extra=_write_doc())
async def put_graph(request: Request, store: StoreDep, settings: SettingsDep, writer: WriterDep) -> Response:
    """Replace the graph's content with the (validated) body; 201 when it is new."""
    graph = target_graph(request)
    return await _put(request, store, settings, writer, graph, gsp_url(request, graph))


@router.post(GRAPH_STORE, summary="Merge into a graph, or create one (Graph Store Protocol)", status_code=200,
             response_class=Response, responses=_written("Created: a new graph (Location)"),
             openapi_extra=_write_doc())
async def post_graph(request: Request, store: StoreDep, settings: SettingsDep, writer: WriterDep) -> Response:
    """Add the (validated) body to the graph; without ``?graph``/``?default`` create a new
    graph ``<base>graph/<uuid>`` (201, ``Location``). ``multipart/form-data``: every part
    is merged."""
    named = target_graph(request, allow_none=True)
    graph = f"{settings.base.rstrip('/')}/graph/{uuid.uuid4()}" if named is ... else named
    return await _post(request, store, settings, writer, graph, graph if named is ... else gsp_url(request, graph))


@router.delete(GRAPH_STORE, summary="Delete a graph (Graph Store Protocol)", status_code=204,
               responses={204: {"description": "Deleted"}, **error_responses(400, 401, 403, 404, 503)},
               openapi_extra={"parameters": _GRAPH_PARAMS})
async def delete_graph(request: Request, store: StoreDep, writer: WriterDep) -> Response:
    """Drop the graph with its provenance records and derived values (204); 404 when the
    store does not hold it. ``?default`` empties the default graph."""
    return await _delete(store, target_graph(request))


# -- direct graph identification: /rdf-graphs/<path> names <base>rdf-graphs/<path> ------------

DIRECT = GRAPH_STORE + "/{path:path}"
_DIRECT_PARAM = [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"},
                  "description": "The graph is `<base>rdf-graphs/<path>` (the deployment's base IRI)."}]


def _direct_write_doc() -> dict:
    """A direct write's documentation: a write's, with the parameters of a direct URL and 404
    (a path with control characters matches no route: it could name no graph IRI)."""
    doc = _write_doc()
    return {**doc, "parameters": _DIRECT_PARAM + _WRITE_PARAMS,
            "responses": {**doc["responses"], "404": error_content(404)}}


def direct_graph(request: Request, settings: Settings) -> str:
    """The graph a direct URL names: the configured base + the request path as sent
    (still percent-encoded), never built from the ``Host`` header. 400 for ``?graph`` or
    ``?default`` on it, and for a path that does not make an absolute IRI."""
    params = request.query_params
    if "graph" in params or "default" in params:
        raise HTTPException(400, detail=f"{GRAPH_STORE}/<path> names its graph itself; give ?graph=/?default on "
                            f"{GRAPH_STORE} instead")
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    iri = settings.base.rstrip("/") + path
    problem = iri_problem(iri)
    if problem is not None:
        raise HTTPException(400, detail=f"{path!r} does not make a graph IRI under the base ({problem})")
    return iri


@router.get(DIRECT, summary="Read a graph by its own URL (Graph Store Protocol, direct identification)",
            response_class=Response, openapi_extra={
                "parameters": _DIRECT_PARAM,
                "responses": {"200": {"description": "The graph (by content negotiation)",
                                      "content": {mt: {"schema": {"type": "string"}} for mt in OFFERED}},
                              **{str(code): error_content(code) for code in (400, 404, 406)}}})
@router.head(DIRECT, include_in_schema=False)
@conditional
def get_direct(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The graph ``<base>rdf-graphs/<path>``, as ``?graph=`` would read it."""
    return _read(request, store, direct_graph(request, settings), settings)


@router.put(DIRECT, summary="Replace a graph by its own URL (Graph Store Protocol)", status_code=200,
            response_class=Response, responses=_written("Created: the graph was new"),
            openapi_extra=_direct_write_doc())
async def put_direct(request: Request, store: StoreDep, settings: SettingsDep, writer: WriterDep) -> Response:
    """Replace ``<base>rdf-graphs/<path>`` with the (validated) body; 201 when it is new."""
    graph = direct_graph(request, settings)
    return await _put(request, store, settings, writer, graph, str(request.url.path))


@router.post(DIRECT, summary="Merge into a graph by its own URL (Graph Store Protocol)", status_code=200,
             response_class=Response, responses=_written("Created: the graph was new"),
             openapi_extra=_direct_write_doc())
async def post_direct(request: Request, store: StoreDep, settings: SettingsDep, writer: WriterDep) -> Response:
    """Add the (validated) body, or every part of a ``multipart/form-data`` body, to
    ``<base>rdf-graphs/<path>``."""
    graph = direct_graph(request, settings)
    return await _post(request, store, settings, writer, graph, str(request.url.path))


@router.delete(DIRECT, summary="Delete a graph by its own URL (Graph Store Protocol)", status_code=204,
               responses={204: {"description": "Deleted"}, **error_responses(400, 401, 403, 404, 503)},
               openapi_extra={"parameters": _DIRECT_PARAM})
async def delete_direct(request: Request, store: StoreDep, settings: SettingsDep, writer: WriterDep) -> Response:
    """Drop ``<base>rdf-graphs/<path>`` with its provenance records and derived values."""
    return await _delete(store, direct_graph(request, settings))


__all__ = ["router", "target_graph"]
