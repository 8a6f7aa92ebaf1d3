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
store state (``Store.generation``, bumped by every write through the store object).

``GET /dump.nq`` streams every quad as N-Quads (``application/n-quads``) from
``Store.quads()``, made and read on a thread of its own (``microhe.api.http.streaming``), in
chunks of 64 KiB a few ahead of the client: the dump is never built in memory. Blank nodes keep
their store labels, so ``microhe restore`` of the file rebuilds the same store.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from microhe.vocab import DCAT, DCTERMS, ELM, FOAF, MHE, PROV, RDF, RDFS, SKOS, VOID, XSD
from microhe.store.embedded import Store
from microhe.api.deps import SettingsDep, StoreDep
from microhe.api.routes.graph_store import PATH as GSP_PATH
from microhe.api.http.negotiation import representation
from microhe.rdf import nquads
from microhe.api.routes.linked_data import link_header, rdf_doc, rdf_response
from microhe.api.http.negotiation import JSON_LD, N_QUADS, N_TRIPLES, RDF_XML, TURTLE
from microhe.api.http.streaming import ThreadStreamingResponse, stream

VOID_PATH = "/.well-known/void"
DUMP_PATH = "/dump.nq"
OFFERED = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)

SD = "http://www.w3.org/ns/sparql-service-description#"
#: The licence of the published data (EU Publications Office authority list).
LICENSE = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
#: EU data theme of the dataset (DCAT-AP recommends dcat:theme from this list).
THEME = "http://publications.europa.eu/resource/authority/data-theme/EDUC"
NQUADS_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/RDF_N_QUADS"
NQUADS_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/application/n-quads"
MICROHE_PROJECT = "https://w3id.org/microhe/ref/project/microhe"
TITLE = "microhe knowledge graph of European micro-credentials"
DESCRIPTION = (
    "Micro-credential specifications (European Learning Model v3), the institutions that award them, "
    "qualifications frameworks and their referencing to the EQF, credit systems and conversion rules, "
    "and recognition decisions, as linked data with a SPARQL endpoint. Learner data is never stored."
)

router = APIRouter(tags=["dataset"])

_cache: "weakref.WeakKeyDictionary[Store, tuple[tuple, list[ox.Quad]]]" = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def _n(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _rows(store: Store, query: str):
    return list(store.query(query))


def description(store: Store, base: str) -> list[ox.Quad]:
    """The VoID + DCAT-AP description of the store's current content (cached per state)."""
    key = (store.generation, len(store), base)
    with _cache_lock:
        hit = _cache.get(store)
        if hit is not None and hit[0] == key:
            return hit[1]
    quads = _describe(store, base)
    with _cache_lock:
        _cache[store] = (key, quads)
    return quads


def _describe(store: Store, base: str) -> list[ox.Quad]:
    N = ox.NamedNode
    doc = N(base + VOID_PATH.lstrip("/"))
    ds, catalog, dump, service, publisher = (N(f"{doc.value}#{x}") for x in
                                             ("dataset", "catalog", "dump", "sparql", "publisher"))
    sparql, dump_url = N(base + "sparql"), N(base + DUMP_PATH.lstrip("/"))
    a = N(RDF + "type")
    t: list[tuple] = []

    def add(s, p, o):
        t.append((s, N(p) if isinstance(p, str) else p, o))

    # The document
    add(doc, a, N(VOID + "DatasetDescription"))
    add(doc, DCTERMS + "title", _en("VoID and DCAT-AP description of the " + TITLE))
    add(doc, FOAF + "primaryTopic", ds)

    # Counts (SPARQL aggregates over the union graph)
    triples = len(store)
    [row] = _rows(store, "SELECT (COUNT(DISTINCT ?s) AS ?s_n) (COUNT(DISTINCT ?o) AS ?o_n) WHERE { ?s ?p ?o }")
    classes = _rows(store, f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF}type> ?c }} "
                           "GROUP BY ?c ORDER BY DESC(?n) ?c")
    properties = _rows(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p")
    graphs = _rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")

    add(ds, a, N(VOID + "Dataset"))
    add(ds, a, N(DCAT + "Dataset"))
    add(ds, DCTERMS + "title", _en(TITLE))
    add(ds, DCTERMS + "description", _en(DESCRIPTION))
    add(ds, DCTERMS + "publisher", publisher)
    add(ds, DCTERMS + "license", N(LICENSE))
    add(ds, DCAT + "theme", N(THEME))
    for kw in ("micro-credentials", "European Learning Model", "EQF", "ECTS", "recognition", "qualifications frameworks"):
        add(ds, DCAT + "keyword", _en(kw))
    add(ds, DCAT + "distribution", dump)
    add(ds, VOID + "sparqlEndpoint", sparql)
    add(ds, VOID + "dataDump", dump_url)
    add(ds, VOID + "uriSpace", ox.Literal(base))
    add(ds, VOID + "feature", N("http://www.w3.org/ns/formats/N-Quads"))
    for vocab in (ELM, MHE, SKOS, DCTERMS, PROV):
        add(ds, VOID + "vocabulary", N(vocab))
    add(ds, VOID + "triples", _n(triples))
    add(ds, VOID + "distinctSubjects", _n(int(row["s_n"].value)))
    add(ds, VOID + "distinctObjects", _n(int(row["o_n"].value)))
    add(ds, VOID + "classes", _n(len(classes)))
    add(ds, VOID + "properties", _n(len(properties)))
    add(ds, RDFS + "seeAlso", N(MICROHE_PROJECT))

    for r in classes:
        part = N(f"{doc.value}#class-{_slug(r['c'].value)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", r["c"])
        add(part, VOID + "entities", _n(int(r["n"].value)))
    for r in properties:
        part = N(f"{doc.value}#property-{_slug(r['p'].value)}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", r["p"])
        add(part, VOID + "triples", _n(int(r["n"].value)))
    for r in graphs:
        g = r["g"]
        if not isinstance(g, ox.NamedNode):
            continue
        sub = N(f"{doc.value}#graph-{_slug(g.value)}")
        add(ds, VOID + "subset", sub)
        add(sub, a, N(VOID + "Dataset"))
        add(sub, a, N(SD + "NamedGraph"))
        add(sub, N(SD + "name"), g)
        add(sub, VOID + "triples", _n(int(r["n"].value)))
        add(sub, VOID + "dataDump", N(f"{base}{GSP_PATH.lstrip('/')}?{urlencode({'graph': g.value})}"))
    default_size = store.graph_size(None)
    if default_size:
        sub = N(f"{doc.value}#default-graph")
        add(ds, VOID + "subset", sub)
        add(sub, a, N(VOID + "Dataset"))
        add(sub, DCTERMS + "title", _en("the store's default graph"))
        add(sub, VOID + "triples", _n(default_size))
        add(sub, VOID + "dataDump", N(f"{base}{GSP_PATH.lstrip('/')}?default"))

    # DCAT-AP: catalogue, distribution, data service, publisher
    add(catalog, a, N(DCAT + "Catalog"))
    add(catalog, DCTERMS + "title", _en("microhe catalogue"))
    add(catalog, DCTERMS + "description", _en("The datasets and data services of this microhe deployment."))
    add(catalog, DCTERMS + "publisher", publisher)
    add(catalog, DCTERMS + "license", N(LICENSE))
    add(catalog, FOAF + "homepage", N(base))
    add(catalog, DCAT + "dataset", ds)
    add(catalog, DCAT + "service", service)

    add(dump, a, N(DCAT + "Distribution"))
    add(dump, DCTERMS + "title", _en("Full dump (N-Quads)"))
    add(dump, DCTERMS + "description", _en("Every quad of the store, all named graphs included, streamed."))
    add(dump, DCAT + "accessURL", dump_url)
    add(dump, DCAT + "downloadURL", dump_url)
    add(dump, DCAT + "mediaType", N(NQUADS_MEDIA_TYPE))
    add(dump, DCTERMS + "format", N(NQUADS_FILE_TYPE))
    add(dump, DCTERMS + "license", N(LICENSE))

    add(service, a, N(DCAT + "DataService"))
    add(service, DCTERMS + "title", _en("microhe SPARQL 1.1 endpoint"))
    add(service, DCTERMS + "description", _en("SPARQL 1.1 Protocol; the default graph is the union of all graphs."))
    add(service, DCAT + "endpointURL", sparql)
    add(service, DCAT + "endpointDescription", sparql)
    add(service, DCAT + "servesDataset", ds)
    add(service, DCTERMS + "conformsTo", N("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, DCTERMS + "publisher", publisher)
    add(service, DCTERMS + "license", N(LICENSE))

    add(publisher, a, N(FOAF + "Agent"))
    add(publisher, FOAF + "name", _en("microhe deployment at " + base))
    add(publisher, RDFS + "seeAlso", N(MICROHE_PROJECT))

    return [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in t]


def _slug(iri: str) -> str:
    """A short stable fragment for an IRI (readable tail + hash)."""
    tail = "".join(c if c.isalnum() else "-" for c in iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1])[:40]
    return f"{tail.strip('-') or 'x'}-{hashlib.sha1(iri.encode('utf-8')).hexdigest()[:8]}"


@router.get(VOID_PATH, summary="VoID and DCAT-AP description of the dataset", response_class=Response,
            openapi_extra=rdf_doc(OFFERED, 400, 406))
@router.head(VOID_PATH, include_in_schema=False)
def void(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Turtle by default; JSON-LD, N-Triples, RDF/XML by ``Accept`` (or ``?format=``)."""
    mt = representation(request, OFFERED)
    headers = {"Link": link_header(str(request.url.replace(query="")), OFFERED)}
    return rdf_response(description(store, settings.base), mt, head=request.method == "HEAD", headers=headers)


@router.get(DUMP_PATH, summary="The whole store as N-Quads (streamed)", response_class=ThreadStreamingResponse,
            openapi_extra={"responses": {"200": {"description": "Every quad, as N-Quads",
                                                 "content": {N_QUADS: {"schema": {"type": "string"}}}}}})
@router.head(DUMP_PATH, include_in_schema=False)
def dump(request: Request, store: StoreDep) -> Response:
    """Every quad of every graph, streamed; never built in memory."""
    headers = {"Content-Disposition": 'inline; filename="microhe.nq"'}
    if request.method == "HEAD":
        return Response(status_code=200, media_type=N_QUADS, headers=headers)
    # the iterator is made on the stream's own thread (pyoxigraph iterators are bound to theirs)
    return stream(lambda: nquads.lines(store.quads()), media_type=N_QUADS, headers=headers, what="the dump")


__all__ = ["router", "description", "VOID_PATH", "DUMP_PATH"]
