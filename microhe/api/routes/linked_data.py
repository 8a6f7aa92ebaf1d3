"""Linked data: the IRIs the knowledge graph mints dereference where they are served.

* ``GET /{path}``: an IRI under ``Settings.base`` (``<base>credential/x``, ``<base>graph/...``);
* ``GET /demo/{rest}``: the bundled demo IRIs ``https://w3id.org/microhe/demo/<rest>``;
* ``GET /ref/{rest}``: the reference data ``https://w3id.org/microhe/ref/<rest>``;
* ``GET /ontology``: the core ontology ``https://w3id.org/microhe/ontology`` (HTML
  documentation from its ``rdfs:label``/``skos:definition``; Turtle and JSON-LD).

A resource is known when it is the subject or object of a triple, or names a graph;
otherwise 404. Browsers get an HTML page (labels, types, a property table with links,
incoming links, the graphs the statements live in); RDF clients get a concise bounded
description (the resource's own triples in every graph, plus the closure over the blank
nodes they reach) in Turtle (the default), JSON-LD, N-Triples, RDF/XML, or with graph
names in N-Quads/TriG. Every answer carries ``Vary: Accept`` and one ``Link: <...>;
rel="alternate"; type="..."`` per representation; ``?format=ttl|jsonld|nt|rdf|nq|trig|html``
picks one explicitly (those are the alternate links).

The base catch-all route never shadows another route: it steps aside for any path that
another route of the app matches (``/sparql``, ``/update``, ``/rdf-graphs``, ``/api/...``,
``/docs``, ``/openapi.json``, ``/.well-known/...``), whatever the order of
``include_router`` calls.

This module also holds the RDF response helpers the Graph Store and VoID routers share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.routing import Match

from microhe.ingest import bundled
from microhe.vocab import (
    CRED,
    DCAT,
    DCTERMS,
    DEMO,
    ELM,
    FOAF,
    MHE,
    OWL,
    PROV,
    RDF,
    RDFS,
    REF,
    SKOS,
    VOID,
    XSD,
)
from microhe.rdf.iri import iri_problem
from microhe.store.embedded import Store
from microhe.api.deps import SettingsDep, StoreDep
from microhe.api.errors import error_content
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
from microhe.rdf import formats

# -- media types and negotiation (Accept parsing: microhe.api.http.negotiation) ---------------

PREFIXES = {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV,
    "foaf": FOAF, "elm": ELM, "cred": CRED, "mhe": MHE, "void": VOID, "dcat": DCAT,
    "rov": "http://www.w3.org/ns/regorg#", "sd": "http://www.w3.org/ns/sparql-service-description#",
    "schema": "https://schema.org/", "org": "http://www.w3.org/ns/org#",
    "eqf": "http://data.europa.eu/snb/eqf/", "isced-f": "http://data.europa.eu/snb/isced-f/",
    "country": "http://publications.europa.eu/resource/authority/country/",
    "ref": REF, "demo": DEMO,
}


def serialize(quads: Iterable[ox.Quad], mt: str, *, prefixes: dict[str, str] | None = None) -> bytes:
    """Quads in the RDF format of media type ``mt``; triple formats get the union of
    the triples (graph names dropped, duplicates removed)."""
    fmt = formats.format_of(mt)
    if fmt.supports_datasets:
        data: list = list(dict.fromkeys(quads))
    else:
        data = list(dict.fromkeys(q.triple for q in quads))
    kwargs = {}
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = _used_prefixes(data, PREFIXES if prefixes is None else prefixes)
    return ox.serialize(data, format=fmt, **kwargs)


def _used_prefixes(data: list, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace occurs (keeps small documents small)."""
    seen: set[str] = set()
    for t in data:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                seen.add(term.value)
            elif isinstance(term, ox.Literal):
                seen.add(term.datatype.value)
    out = {}
    for p, ns in prefixes.items():
        locals_ = [v[len(ns):] for v in seen if v.startswith(ns)]
        # A prefix whose local names would need escapes (``demo:credential\/x``) is left out.
        if locals_ and all(_SIMPLE_LOCAL.match(local) for local in locals_):
            out[p] = ns
    return out


_SIMPLE_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$|^$")


def rdf_response(quads: Iterable[ox.Quad], mt: str, *, status_code: int = 200, head: bool = False,
                 headers: dict[str, str] | None = None) -> Response:
    body = serialize(quads, mt)
    all_headers = {"Vary": "Accept", **(headers or {})}
    if head:
        all_headers["Content-Length"] = str(len(body))
        return Response(status_code=status_code, media_type=content_type(mt), headers=all_headers)
    return Response(body, status_code=status_code, media_type=content_type(mt), headers=all_headers)


def link_header(url: str, offered: Sequence[str]) -> str:
    """``Link`` header value: one ``rel="alternate"`` per representation, each at
    ``url?format=...`` so it can be fetched without negotiation."""
    sep = "&" if "?" in url else "?"
    return ", ".join(f'<{url}{sep}format={formats.short_name(mt)}>; rel="alternate"; type="{mt}"' for mt in offered)


# -- IRIs and local paths -----------------------------------------------------------------

ONTOLOGY = bundled.ONTOLOGY


def local_href(iri: str, base: str | None, root_path: str = "") -> str | None:
    """Where this server serves ``iri`` (a path), or None for IRIs served elsewhere."""
    if iri.startswith(DEMO):
        return f"{root_path}/demo/{iri[len(DEMO):]}"
    if iri.startswith(REF):
        return f"{root_path}/ref/{iri[len(REF):]}"
    if iri == ONTOLOGY or iri.startswith(MHE):
        return f"{root_path}/ontology" + (iri[len(ONTOLOGY):] if iri.startswith(ONTOLOGY + "#") else "")
    if base and iri.startswith(base):
        return f"{root_path}/{iri[len(base):]}"
    return None


#: URI schemes that may become a link on an HTML page. Anything else from the data
#: (``javascript:``, ``data:``, ``vbscript:``, ``file:``, URNs ...) is shown as text only:
#: a clickable ``javascript:`` IRI would run script in this origin.
LINK_SCHEMES = ("http", "https", "mailto")


def safe_href(iri: str) -> str | None:
    """``iri`` when a browser may follow it as a link (an http, https or mailto IRI), else None."""
    scheme, colon, _ = iri.partition(":")
    return iri if colon and scheme.lower() in LINK_SCHEMES else None


def compact(iri: str) -> str:
    """``prefix:local`` when a known prefix fits, else ``<iri>``."""
    best = ""
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "_-." for c in local):
                best, name = ns, f"{p}:{local}"
    return name if best else iri


# -- descriptions -----------------------------------------------------------------------

_TYPE = ox.NamedNode(RDF + "type")
LABEL_PROPERTIES = [ox.NamedNode(i) for i in (
    SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", "http://www.w3.org/ns/regorg#legalName",
    "https://schema.org/name", FOAF + "name", SKOS + "notation",
)]
MAX_DESCRIPTION = 10_000  # triples of one description (the closure stops there)
MAX_INCOMING = 500


def describe(store: Store, node: ox.NamedNode, *, limit: int = MAX_DESCRIPTION) -> list[ox.Quad]:
    """The concise bounded description of ``node`` across all graphs: its own quads and,
    recursively, those of the blank nodes they reach (at most ``limit`` quads)."""
    out: list[ox.Quad] = []
    seen: set = {node}
    frontier: list = [node]
    while frontier and len(out) < limit:
        subject = frontier.pop()
        for q in store.quads_matching(subject=subject):
            out.append(q)
            if isinstance(q.object, ox.BlankNode) and q.object not in seen:
                seen.add(q.object)
                frontier.append(q.object)
            if len(out) >= limit:
                break
    return out


def is_known(store: Store, node: ox.NamedNode) -> bool:
    return (next(store.quads_matching(subject=node), None) is not None
            or next(store.quads_matching(object=node), None) is not None
            or store.has_graph(node.value))


def label_of(store: Store, node, langs: Sequence[str] = ("en", "")) -> str | None:
    """The best human label of a node (English first), or None."""
    for prop in LABEL_PROPERTIES:
        values = [q.object for q in store.quads_matching(subject=node, predicate=prop)
                  if isinstance(q.object, ox.Literal)]
        if values:
            for lang in langs:
                for v in values:
                    if (v.language or "") == lang:
                        return v.value
            return values[0].value
    return None


# -- HTML -------------------------------------------------------------------------------


@cache
def templates() -> Environment:
    return Environment(loader=PackageLoader("microhe.api", "templates"),
                       autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@dataclass
class Cell:
    """One value in the HTML property table."""

    text: str
    href: str | None = None
    title: str | None = None  # the full IRI, a language tag or datatype
    note: str | None = None
    nested: list["Row"] | None = None  # the description of a blank node


@dataclass
class Row:
    property: Cell
    values: list[Cell] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)


class _Html:
    """Builds the cells of a resource page (links local where this server serves them)."""

    def __init__(self, store: Store, base: str, root_path: str):
        self.store, self.base, self.root = store, base, root_path
        self._labels: dict = {}

    def href(self, iri: str) -> str | None:
        """A local path where this server serves ``iri``, the IRI itself when it is safe
        to follow, else None (shown as text)."""
        return local_href(iri, self.base, self.root) or safe_href(iri)

    def label(self, node) -> str | None:
        if node not in self._labels:
            self._labels[node] = label_of(self.store, node) if len(self._labels) < 2000 else None
        return self._labels[node]

    def cell(self, term, by_subject: dict, depth: int = 0) -> Cell:
        if isinstance(term, ox.NamedNode):
            label = self.label(term)
            return Cell(label or compact(term.value), self.href(term.value), term.value,
                        compact(term.value) if label else None)
        if isinstance(term, ox.BlankNode):
            rows = self.rows(by_subject.get(term, []), by_subject, depth + 1) if depth < 8 else None
            return Cell("(blank node)", None, None, None, rows)
        if isinstance(term, ox.Literal):
            if term.language:
                return Cell(term.value, None, None, f"@{term.language}")
            dt = term.datatype.value
            return Cell(term.value, None, None, None if dt == XSD + "string" else compact(dt))
        return Cell(str(term))

    def rows(self, quads: list[ox.Quad], by_subject: dict, depth: int = 0) -> list[Row]:
        by_property: dict = {}
        for q in quads:
            row = by_property.setdefault(q.predicate, ([], []))
            if q.object not in row[0]:
                row[0].append(q.object)
            g = "default graph" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            if g not in row[1]:
                row[1].append(g)

        def order(p):
            return (p != _TYPE, p not in LABEL_PROPERTIES, compact(p.value))

        out = []
        for p in sorted(by_property, key=order):
            objects, graphs = by_property[p]
            out.append(Row(Cell(compact(p.value), self.href(p.value), p.value),
                           [self.cell(o, by_subject, depth) for o in objects], graphs))
        return out


def html_page(request: Request, store: Store, base: str, node: ox.NamedNode, quads: list[ox.Quad],
              offered: Sequence[str]) -> str:
    root = request.scope.get("root_path", "")
    h = _Html(store, base, root)
    by_subject: dict = {}
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)
    own = by_subject.get(node, [])
    types = [h.cell(q.object, by_subject) for q in own if q.predicate == _TYPE]
    incoming_quads = []
    for q in store.quads_matching(object=node):
        incoming_quads.append(q)
        if len(incoming_quads) >= MAX_INCOMING:
            break
    incoming = [(h.cell(q.subject, {}), Cell(compact(q.predicate.value), h.href(q.predicate.value), q.predicate.value),
                 "default graph" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value)
                for q in incoming_quads]
    graphs = sorted({"default graph" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
                     for q in own})
    graph_links = [(g, None if g == "default graph" else h.href(g),
                    f"{root}/rdf-graphs?" + (urlencode({"graph": g}) if g != "default graph" else "default"))
                   for g in graphs]
    named_graph = None
    if store.has_graph(node.value):
        named_graph = {"triples": store.graph_size(node.value),
                       "download": f"{root}/rdf-graphs?{urlencode({'graph': node.value})}"}
    alternates = [(formats.short_name(mt), mt, f"{request.url.path}?format={formats.short_name(mt)}") for mt in offered
                  if mt != HTML]
    return templates().get_template("resource.html").render(
        iri=node.value, label=h.label(node), types=types, rows=h.rows(own, by_subject),
        incoming=incoming, incoming_truncated=len(incoming_quads) >= MAX_INCOMING, graphs=graph_links,
        named_graph=named_graph, alternates=alternates, root=root,
    )


# -- the routes ---------------------------------------------------------------------------

OFFERED = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML, N_QUADS, TRIG)


def serve_resource(request: Request, store: Store, base: str, iri: str) -> Response:
    """Dereference ``iri``: 404 when unknown (or when the path cannot form an IRI, such
    as ``/demo/%zz``: nothing can be described there), else HTML or RDF by negotiation."""
    problem = iri_problem(iri)
    if problem is not None:
        raise HTTPException(404, detail=f"{iri!r} is not an IRI ({problem}), so nothing is described here",
                            headers={"Vary": "Accept"})
    node = ox.NamedNode(iri)
    if not is_known(store, node):
        raise HTTPException(404, detail=f"<{iri}> is not described here", headers={"Vary": "Accept"})
    mt = representation(request, OFFERED)
    quads = describe(store, node)
    url = str(request.url.replace(query=""))
    headers = {"Link": link_header(url, OFFERED), "Vary": "Accept"}
    head = request.method == "HEAD"
    if mt == HTML:
        body = html_page(request, store, base, node, quads, OFFERED).encode("utf-8")
        if head:
            return Response(status_code=200, media_type=content_type(HTML),
                            headers={**headers, "Content-Length": str(len(body))})
        return Response(body, media_type=content_type(HTML), headers=headers)
    return rdf_response(quads, mt, head=head, headers=headers)


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


def rdf_doc(offered: Sequence[str], *errors: int) -> dict:
    """The OpenAPI description of a route that answers ``offered`` representations: the
    ``?format=`` parameter, the 200 content types, and the JSON ``errors``."""
    def schema(mt: str) -> dict:
        return {"type": ["object", "array"]} if mt == JSON_LD else {"type": "string"}

    return {
        "parameters": [{"name": "format", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": [formats.short_name(mt) for mt in offered]},
                        "description": "The representation, overriding Accept"}],
        "responses": {"200": {"description": "The resource (by content negotiation or ?format=)",
                              "content": {mt: {"schema": schema(mt)} for mt in offered}},
                      **{str(code): error_content(code) for code in errors}},
    }


_RESOURCE_DOC = rdf_doc(OFFERED, 400, 404, 406)

router = APIRouter(tags=["linked data"])
fallback = APIRouter(tags=["linked data"], route_class=FallbackRoute)


@router.get("/demo/{rest:path}", summary="Dereference a demo IRI", openapi_extra=_RESOURCE_DOC, response_class=Response)
@router.head("/demo/{rest:path}", include_in_schema=False)
def demo_resource(rest: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """``https://w3id.org/microhe/demo/<rest>`` (the bundled, labelled demo data)."""
    return serve_resource(request, store, settings.base, DEMO + _raw_rest(request, "/demo/"))


@router.get("/ref/{rest:path}", summary="Dereference a reference-data IRI", openapi_extra=_RESOURCE_DOC, response_class=Response)
@router.head("/ref/{rest:path}", include_in_schema=False)
def ref_resource(rest: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """``https://w3id.org/microhe/ref/<rest>`` (frameworks, levels, credit systems, ...)."""
    return serve_resource(request, store, settings.base, REF + _raw_rest(request, "/ref/"))


@router.get("/ontology", summary="The microhe core ontology",
            openapi_extra=rdf_doc((TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML), 400, 406), response_class=Response)
@router.head("/ontology", include_in_schema=False)
def ontology(request: Request) -> Response:
    """HTML documentation (labels and definitions of every term) for browsers; Turtle
    (the source file itself), JSON-LD, N-Triples or RDF/XML for machines."""
    offered = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML)
    mt = representation(request, offered)
    core = _core_ontology()
    headers = {"Link": link_header(str(request.url.replace(query="")), offered), "Vary": "Accept"}
    head = request.method == "HEAD"
    if mt == TURTLE:
        body = core.data
    elif mt == HTML:
        body = _ontology_html(request.scope.get("root_path", "")).encode("utf-8")
    else:
        body = serialize(core.quads(), mt)
    if head:
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type=content_type(mt), headers=headers)


@fallback.get("/{path:path}", summary="Dereference an instance IRI", openapi_extra=_RESOURCE_DOC, response_class=Response)
@fallback.head("/{path:path}", include_in_schema=False)
def base_resource(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """An IRI minted under the deployment's base (``Settings.base``): ``<base><path>``."""
    return serve_resource(request, store, settings.base, settings.base + _raw_rest(request, "/"))


router.include_router(fallback)


# -- ontology documentation ---------------------------------------------------------------


def _core_ontology():
    for g in bundled.ontology_graphs():
        if g.iri == ONTOLOGY:
            return g
    raise HTTPException(404, detail="the core ontology is not bundled")


@cache
def _ontology_html(root: str) -> str:
    core = _core_ontology()
    triples = [q.triple for q in core.quads()]
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)

    def values(s, p, lang="en"):
        vs = [t.object for t in by_subject.get(s, []) if t.predicate.value == p and isinstance(t.object, ox.Literal)]
        return sorted(vs, key=lambda v: (v.language not in (lang, None, ""), v.value))

    def objects(s, p):
        return [t.object for t in by_subject.get(s, []) if t.predicate.value == p and isinstance(t.object, ox.NamedNode)]

    def link(iri: str) -> dict:
        return {"text": compact(iri), "href": local_href(iri, None, root) or safe_href(iri), "iri": iri}

    kinds = [("Classes", OWL + "Class"), ("Object properties", OWL + "ObjectProperty"),
             ("Datatype properties", OWL + "DatatypeProperty"),
             ("Annotation properties", OWL + "AnnotationProperty"), ("Individuals", OWL + "NamedIndividual")]
    sections = []
    placed: set = set()
    for title, cls in kinds:
        terms = []
        for s in sorted(by_subject, key=lambda n: str(n)):
            if not isinstance(s, ox.NamedNode) or not s.value.startswith(MHE) or s in placed:
                continue
            if ox.NamedNode(cls) not in objects(s, RDF + "type"):
                continue
            placed.add(s)
            local = s.value[len(MHE):]
            label = values(s, RDFS + "label")
            terms.append({
                "id": local, "iri": s.value, "curie": f"mhe:{local}",
                "label": label[0].value if label else local,
                "definition": [v.value for v in values(s, SKOS + "definition")][:1],
                "comments": [v.value for v in values(s, RDFS + "comment") + values(s, SKOS + "scopeNote")],
                "types": [link(o.value) for o in objects(s, RDF + "type")],
                "super": [link(o.value) for o in objects(s, RDFS + "subClassOf") + objects(s, RDFS + "subPropertyOf")],
                "domain": [link(o.value) for o in objects(s, RDFS + "domain")],
                "range": [link(o.value) for o in objects(s, RDFS + "range")],
            })
        if terms:
            sections.append({"title": title, "terms": terms})
    onto = ox.NamedNode(ONTOLOGY)
    title = values(onto, DCTERMS + "title")
    description = values(onto, DCTERMS + "description")
    version = values(onto, OWL + "versionInfo")
    return templates().get_template("ontology.html").render(
        iri=ONTOLOGY, namespace=MHE, title=title[0].value if title else "microhe ontology",
        description=description[0].value if description else "", version=version[0].value if version else "",
        sections=sections, root=root,
    )


__all__ = ["router", "serialize", "rdf_response", "describe", "local_href", "safe_href",
           "TURTLE", "JSON_LD", "N_TRIPLES", "N_QUADS", "TRIG", "RDF_XML", "HTML"]
