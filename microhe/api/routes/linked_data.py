"""Linked data: the IRIs the knowledge graph mints dereference where they are served.

* ``GET /{path}``: an IRI under ``Settings.base`` (``<base>credential/x``, ``<base>graph/...``);
* ``GET /demo/{rest}``: the bundled demo IRIs ``https://w3id.org/microhe/demo/<rest>``;
* ``GET /ref/{rest}``: the reference data ``https://w3id.org/microhe/ref/<rest>``;
* ``GET /ontology``: the core ontology ``https://w3id.org/microhe/ontology`` (HTML
  documentation from its ``rdfs:label``/``skos:definition``; Turtle and JSON-LD);
* ``GET /context.jsonld``: the JSON-LD context every JSON-LD answer is compacted with
  (``{base}context.jsonld``; the bundled ``microhe/rdf/contexts/microhe-context.jsonld``),
  with a content-hash ``ETag``, cacheable for a day.

A resource is known when it is the subject or object of a triple, or names a graph;
otherwise 404. Browsers get an HTML page (labels, types, a property table with links,
incoming links, the graphs the statements live in); RDF clients get a concise bounded
description (the resource's own triples in every graph, plus the closure over the blank
nodes they reach) in Turtle (the default), JSON-LD, N-Triples, RDF/XML, or with graph
names in N-Quads/TriG. JSON-LD is framed by default (the resource's node object first,
its blank nodes nested, compacted with ``{base}context.jsonld``); the ``profile`` of
``Accept: application/ld+json`` picks another form (:mod:`microhe.api.http.jsonld_forms`).
Every answer carries ``Vary: Accept`` and one ``Link: <...>;
rel="alternate"; type="..."`` per representation; ``?format=ttl|jsonld|nt|rdf|nq|trig|html``
picks one explicitly (those are the alternate links).

The base catch-all route never shadows another route: it steps aside for any path that
another route of the app matches (``/sparql``, ``/update``, ``/rdf-graphs``, ``/api/...``,
``/docs``, ``/openapi.json``, ``/.well-known/...``), whatever the order of
``include_router`` calls.

What a resource's description and page hold is built by :mod:`microhe.publish.resource`
(the ontology's documentation by :mod:`microhe.publish.ontology`); this router negotiates
and renders (the RDF responses it shares with the Graph Store and VoID routers:
:mod:`microhe.api.http.rdf_responses`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.routing import Match

from microhe.api.deps import SettingsDep, StoreDep
from microhe.api.http.jsonld_forms import jsonld_form
from microhe.api.http.negotiation import (
    HTML,
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    TRIG,
    TURTLE,
    content_type,
    representation,
)
from microhe.api.http.paths import GRAPH_STORE, RESOURCE
from microhe.api.http.rdf_cache import rdf_answer
from microhe.api.http.rdf_responses import link_header, rdf_doc, rdf_response
from microhe.api.http.semantics import conditional
from microhe.api.pages import render, views
from microhe.publish.names import safe_href
from microhe.publish.ontology import core_ontology, ontology_documentation
from microhe.publish.resource import describe, is_known
from microhe.rdf import formats
from microhe.rdf import jsonld_write as jw
from microhe.rdf.iri import check_iri, iri_problem
from microhe.store.embedded import Store
from microhe.vocab import DEMO, REF

# -- HTML -------------------------------------------------------------------------------


def html_page(request: Request, store: Store, base: str, node: ox.NamedNode, quads: list[ox.Quad],
              offered: Sequence[str], query: str = "") -> tuple[str, dict[str, str]]:
    """The HTML page of a resource and its headers (language): a credential or an
    institution page where the node is one (:mod:`microhe.api.pages.views`), else the
    resource in RDF terms. ``query`` is kept in the alternates' links (``/resource?iri=``)."""
    own = f"{request.url.path}?{query + '&' if query else ''}format="
    alternates = [(formats.short_name(mt), mt, f"{own}{formats.short_name(mt)}") for mt in offered if mt != HTML]
    return views.resource_html(request, store, base, node, quads, alternates=alternates, graph_store=GRAPH_STORE,
                               resource=RESOURCE)


# -- the routes ---------------------------------------------------------------------------

OFFERED = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML, N_QUADS, TRIG)


def serve_resource(request: Request, store: Store, base: str, iri: str, query: str = "", *,
                   cap: int = 10_000) -> Response:
    """Dereference ``iri``: 404 when unknown (or when the path cannot form an IRI, such
    as ``/demo/%zz``: nothing can be described there), else HTML or RDF by negotiation.
    ``query`` is the part of the URL's query that names the resource (``iri=...`` at the
    lookup route), kept in the alternate representations' links."""
    problem = iri_problem(iri)
    if problem is not None:
        raise HTTPException(404, detail=f"{iri!r} is not an IRI ({problem}), so nothing is described here",
                            headers={"Vary": "Accept"})
    node = ox.NamedNode(iri)
    if not is_known(store, node):
        raise HTTPException(404, detail=f"<{iri}> is not described here", headers={"Vary": "Accept"})
    mt = representation(request, OFFERED)
    quads = describe(store, node)
    url = str(request.url.replace(query=query))
    headers = {"Link": link_header(url, OFFERED), "Vary": "Accept"}
    head = request.method == "HEAD"
    if mt == HTML:
        html, page_headers = html_page(request, store, base, node, quads, OFFERED, query)
        body = html.encode("utf-8")
        headers.update(page_headers)
        if head:
            response = Response(status_code=200, media_type=content_type(HTML),
                                headers={**headers, "Content-Length": str(len(body))})
        else:
            response = Response(body, media_type=content_type(HTML), headers=headers)
        render.remember_language(request, response)
        return response
    return rdf_response(quads, mt, head=head, headers=headers, jsonld=jsonld_form(request, base, subject=iri, cap=cap))


def _raw_rest(request: Request, prefix: str) -> str:
    """The request path after ``prefix``, still percent-encoded as sent (IRIs are
    compared as strings, so ``%20`` must stay ``%20``)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(request.url.path, safe="/:@!$&'()*+,;=-._~")
    path = path.split("?", 1)[0]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    return path[len(prefix):] if path.startswith(prefix) else path.lstrip("/")


class FallbackRoute(APIRoute):
    """A route that matches only when no other route of the app does (not even by path
    with another method, so ``GET /update`` stays a 405 of the update router)."""

    _PROBE = "microhe.fallback_probe"

    def matches(self, scope):
        if scope.get(self._PROBE):  # asked while probing the other routes: not us
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match == Match.NONE:
            return match, child
        app = scope.get("app")
        scope[self._PROBE] = True
        try:
            for route in getattr(getattr(app, "router", None), "routes", ()):
                other, _ = route.matches(scope)
                if other != Match.NONE:
                    return Match.NONE, {}
        finally:
            scope.pop(self._PROBE, None)
        return match, child


_RESOURCE_DOC = rdf_doc(OFFERED, 400, 404, 406)

router = APIRouter(tags=["linked data"])
fallback = APIRouter(route_class=FallbackRoute)  # tagged by the router it is included in


@router.get("/demo/{rest:path}", summary="Dereference a demo IRI", openapi_extra=_RESOURCE_DOC, response_class=Response)
@router.head("/demo/{rest:path}", include_in_schema=False)
@conditional
def demo_resource(rest: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """``https://w3id.org/microhe/demo/<rest>`` (the bundled, labelled demo data)."""
    return serve_resource(request, store, settings.base, DEMO + _raw_rest(request, "/demo/"), cap=settings.jsonld_compact_cap)


@router.get("/ref/{rest:path}", summary="Dereference a reference-data IRI", openapi_extra=_RESOURCE_DOC, response_class=Response)
@router.head("/ref/{rest:path}", include_in_schema=False)
@conditional
def ref_resource(rest: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """``https://w3id.org/microhe/ref/<rest>`` (frameworks, levels, credit systems, ...)."""
    return serve_resource(request, store, settings.base, REF + _raw_rest(request, "/ref/"), cap=settings.jsonld_compact_cap)


#: The longest IRI the lookup route reads (longer ones are refused before the store is asked).
MAX_LOOKUP_IRI = 8192


@router.get(RESOURCE, summary="Look up any IRI the store describes (HTML or RDF)",
            openapi_extra=rdf_doc(OFFERED, 400, 404, 406, 414, 422), response_class=Response)
@router.head(RESOURCE, include_in_schema=False)
@conditional
def lookup_resource(request: Request, store: StoreDep, settings: SettingsDep, iri: str | None = None) -> Response:
    """The description of ``iri``, whatever its host or scheme: the ``urn:epass:...`` IRIs of
    Europass credentials, IRIs of other hosts the data describes, and those under the served
    bases alike (the ``void:uriLookupEndpoint`` of the VoID description). HTML for browsers,
    RDF by ``Accept`` or ``?format=``; 400 without an IRI, 414 for one over 8192 characters,
    422 for a string that is no absolute IRI, 404 for one the store does not describe."""
    if not iri:
        raise HTTPException(400, detail=f"give the IRI to look up: {RESOURCE}?iri=<the IRI, percent-encoded>",
                            headers={"Vary": "Accept"})
    if len(iri) > MAX_LOOKUP_IRI:
        raise HTTPException(414, detail=f"an IRI of {len(iri)} characters exceeds the limit of {MAX_LOOKUP_IRI} "
                                        "characters of the lookup route", headers={"Vary": "Accept"})
    check_iri(iri, "iri")  # InvalidIRI (422) with the reason
    if not is_known(store, ox.NamedNode(iri)) and representation(request, OFFERED) == HTML:
        # a browser following a result link: a page that says so, with the IRI's own address
        # when a browser may follow it (never a javascript: or data: link)
        html, page_headers = render.render(request, "not_described.html", iri=iri, elsewhere=safe_href(iri),
                                           root=render.root_of(request))
        return Response(html.encode("utf-8") if request.method != "HEAD" else b"", status_code=404,
                        media_type=content_type(HTML), headers={**page_headers, "Vary": "Accept, Accept-Language, Cookie"})
    return serve_resource(request, store, settings.base, iri, urlencode({"iri": iri}), cap=settings.jsonld_compact_cap)


@router.get("/ontology", summary="The microhe core ontology",
            openapi_extra=rdf_doc((TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML), 400, 406), response_class=Response)
@router.head("/ontology", include_in_schema=False)
@conditional
def ontology(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """HTML documentation (labels and definitions of every term) for browsers; Turtle
    (the source file itself), JSON-LD, N-Triples or RDF/XML for machines (built once per
    store state, whose token its ETag names; HEAD and 304 without building them:
    :mod:`microhe.api.http.rdf_cache`)."""
    offered = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML)
    mt = representation(request, offered)
    core = _core_ontology()
    headers = {"Link": link_header(str(request.url.replace(query="")), offered), "Vary": "Accept"}
    head = request.method == "HEAD"
    if mt == TURTLE:
        body = core.data
    elif mt == HTML:
        html, page_headers = render.render(request, "ontology.html", **ontology_documentation(render.root_of(request)))
        body = html.encode("utf-8")
        headers.update(page_headers)
    else:
        return rdf_answer(request, store, ("ontology", core.iri), core.quads, mt, headers=headers,
                          jsonld=jsonld_form(request, settings.base, cap=settings.jsonld_compact_cap))
    if head:
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type=content_type(mt), headers=headers)


def _maybe_head(response: Response, head: bool) -> Response:
    if head:
        response.headers["Content-Length"] = str(len(response.body))
        response.body = b""
    return response


@router.get("/" + jw.CONTEXT_PATH, summary="The JSON-LD context of microhe's JSON-LD answers", response_class=Response,
            openapi_extra={"responses": {"200": {"description": "The context document",
                                                 "content": {JSON_LD: {"schema": {"type": "object"}}}},
                                         "304": {"description": "Not modified (If-None-Match)"}}})
@router.head("/" + jw.CONTEXT_PATH, include_in_schema=False)
def context(request: Request) -> Response:
    """The context document every compacted or framed JSON-LD answer names as its
    ``@context``: ELM 3 terms (as Europass names them), ``mhe:`` terms, Dublin Core, SKOS,
    schema.org..., with ``@type`` coercions and language maps. Static: its ``ETag`` is its
    content's hash, and it may be cached for a day."""
    body = jw.context_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    inm = request.headers.get("if-none-match")
    if inm is not None and ("*" in inm or etag in [t.strip().removeprefix("W/") for t in inm.split(",")]):
        return Response(status_code=304, headers=headers)
    return _maybe_head(Response(body, media_type=JSON_LD, headers=headers), request.method == "HEAD")


@fallback.get("/{path:path}", summary="Dereference an instance IRI", openapi_extra=_RESOURCE_DOC, response_class=Response)
@fallback.head("/{path:path}", include_in_schema=False)
@conditional
def base_resource(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """An IRI minted under the deployment's base (``Settings.base``): ``<base><path>``."""
    return serve_resource(request, store, settings.base, settings.base + _raw_rest(request, "/"), cap=settings.jsonld_compact_cap)


router.include_router(fallback)


def _core_ontology():
    return core_ontology()  # OntologyNotBundled is a NotFound: 404 by the app's handler


__all__ = ["router"]
