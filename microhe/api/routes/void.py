"""The dataset described and downloadable: VoID and DCAT-AP at ``/.well-known/void``, the
full dump at ``/dump.nq``.

``GET /.well-known/void`` (RFC 8615 well-known URI registered for VoID) answers one
document, content-negotiated (Turtle by default, JSON-LD, N-Triples, RDF/XML), with

* a ``void:Dataset`` (``<base>.well-known/void#dataset``): ``void:triples`` (the number of
  quads in the store, i.e. the triples of all graphs counted per graph), distinct
  subjects and objects, ``void:classPartition`` (class, ``void:entities``) and
  ``void:propertyPartition`` (property, ``void:triples``), ``void:sparqlEndpoint``,
  ``void:dataDump``, ``void:uriSpace`` (the instance base) and one ``void:subset`` per
  named graph (typed ``sd:NamedGraph`` with ``sd:name``, its size and its Graph Store URL
  as dump);
* a DCAT-AP description: a ``dcat:Catalog`` holding the dataset (also a ``dcat:Dataset``)
  with a ``dcat:Distribution`` for the dump and a ``dcat:DataService`` for the SPARQL
  endpoint; ``dct:title``, ``dct:description``, ``dct:publisher``, ``dct:license`` on each.

The counts are SPARQL aggregates over the union graph (``SELECT ... GROUP BY``), cached per
store state (``Store.generation``, bumped by every write through the store object); so is
each representation's body (:mod:`microhe.api.http.rdf_cache`: JSON-LD compaction costs up
to a second), and HEAD and 304 are answered without building it.

``GET /dump.nq`` streams every quad as N-Quads (``application/n-quads``) from
``Store.quads()``, made and read on a thread of its own (``microhe.api.http.streaming``), in
chunks of 64 KiB a few ahead of the client: the dump is never built in memory. Blank nodes keep
their store labels, so ``microhe restore`` of the file rebuilds the same store.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from microhe.api.deps import SettingsDep, StoreDep
from microhe.api.http.jsonld_forms import jsonld_form
from microhe.api.http.negotiation import (
    HTML,
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    TURTLE,
    content_type,
    representation,
)
from microhe.api.http.paging import changes_link
from microhe.api.http.paths import DUMP, PLACES, VOID
from microhe.api.http.rdf_cache import rdf_answer
from microhe.api.http.rdf_responses import link_header, rdf_doc
from microhe.api.http.semantics import conditional
from microhe.api.http.streaming import ThreadStreamingResponse, stream
from microhe.api.pages import render
from microhe.publish.dataset import Publication, description, page
from microhe.rdf import nquads

OFFERED = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML)

router = APIRouter(tags=["dataset"])


@router.get(VOID, summary="VoID and DCAT-AP description of the dataset", response_class=Response,
            openapi_extra=rdf_doc(OFFERED, 400, 406))
@router.head(VOID, include_in_schema=False)
@conditional
def void(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Turtle by default; JSON-LD, N-Triples, RDF/XML by ``Accept`` (or ``?format=``); an
    HTML view for browsers (``Accept: text/html``)."""
    mt = representation(request, OFFERED)
    headers = {"Link": link_header(str(request.url.replace(query="")), OFFERED)}
    if mt == HTML:
        html, page_headers = render.render(request, "void.html", **page(store, settings.base, PLACES,
                                                                        Publication.of(settings)))
        body = html.encode("utf-8")
        response = Response(body if request.method != "HEAD" else b"", media_type=content_type(HTML),
                            headers={**headers, **page_headers, "Content-Length": str(len(body))})
        render.remember_language(request, response)
        return response
    publication = Publication.of(settings)
    return rdf_answer(request, store, ("void", settings.base, publication),
                      lambda: description(store, settings.base, PLACES, publication), mt, headers=headers,
                      jsonld=jsonld_form(request, settings.base, cap=settings.jsonld_compact_cap))


@router.get(DUMP, summary="The whole store as N-Quads (streamed)", response_class=ThreadStreamingResponse,
            openapi_extra={"responses": {"200": {"description": "Every quad, as N-Quads",
                                                 "content": {N_QUADS: {"schema": {"type": "string"}}}}}})
@router.head(DUMP, include_in_schema=False)
@conditional
def dump(request: Request, store: StoreDep) -> Response:
    """Every quad of every graph, streamed; never built in memory. ``Link: rel=
    "https://w3id.org/microhe/ontology#changes"`` names the change feed after it."""
    headers = {"Content-Disposition": 'inline; filename="microhe.nq"'}
    feed = changes_link(request, store)  # before the dump is read: a write meanwhile is in the feed
    if feed is not None:
        headers["Link"] = feed
    if request.method == "HEAD":
        return Response(status_code=200, media_type=N_QUADS, headers=headers)
    # the iterator is made on the stream's own thread (pyoxigraph iterators are bound to theirs)
    return stream(lambda: nquads.lines(store.quads()), media_type=N_QUADS, headers=headers, what="the dump")


__all__ = ["router"]
