"""A resource's description for linked data: the concise bounded description of an IRI
(its own quads in every graph, plus the closure over the blank nodes they reach), whether
the store knows it, its best label, the links to it, and the model of its HTML page
(labels, types, a property table with links, incoming links, the graphs the statements
live in). Bounded: at most MAX_DESCRIPTION quads and MAX_INCOMING incoming links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox

from microhe.publish.names import compact, local_href, lookup_href, safe_href
from microhe.validation.elements import incomplete_of
from microhe.vocab import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

_TYPE = ox.NamedNode(RDF + "type")
LABEL_PROPERTIES = [ox.NamedNode(i) for i in (
    SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", "http://www.w3.org/ns/regorg#legalName",
    "https://schema.org/name", FOAF + "name", SKOS + "notation",
)]
#: Properties no page shows (internal keys of the derived data); RDF downloads keep them.
HIDDEN = frozenset({"https://w3id.org/microhe/ontology#pageKey"})
MAX_DESCRIPTION = 10_000  # triples of one description (the closure stops there)
MAX_INCOMING = 500


def describe(store, node: ox.NamedNode, *, limit: int = MAX_DESCRIPTION) -> list[ox.Quad]:
    """The concise bounded description of ``node`` across all graphs: its own quads and,
    recursively, those of the blank nodes they reach (at most ``limit`` quads). Internal
    keys (:data:`HIDDEN`: ``mhe:pageKey``) are left out: they drive paging, they are not
    published (SPARQL still reads them)."""
    out: list[ox.Quad] = []
    seen: set = {node}
    frontier: list = [node]
    while frontier and len(out) < limit:
        subject = frontier.pop()
        for q in store.quads_matching(subject=subject):
            if q.predicate.value in HIDDEN:
                continue
            out.append(q)
            if isinstance(q.object, ox.BlankNode) and q.object not in seen:
                seen.add(q.object)
                frontier.append(q.object)
            if len(out) >= limit:
                break
    return out


def is_known(store, node: ox.NamedNode) -> bool:
    return (next(store.quads_matching(subject=node), None) is not None
            or next(store.quads_matching(object=node), None) is not None
            or store.has_graph(node.value))


def label_of(store, node, langs: Sequence[str] = ("en", "")) -> str | None:
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


# -- the HTML page ------------------------------------------------------------------------


@dataclass
class Cell:
    """One value in the HTML property table."""

    text: str
    href: str | None = None
    title: str | None = None  # the full IRI, a language tag or datatype
    note: str | None = None
    nested: list[Row] | None = None  # the description of a blank node


@dataclass
class Row:
    property: Cell
    values: list[Cell] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)


class _Html:
    """Builds the cells of a resource page (links local where this server serves them)."""

    def __init__(self, store, base: str, root_path: str, resource: str = "/resource"):
        self.store, self.base, self.root, self.resource = store, base, root_path, resource
        self._labels: dict = {}
        self._described: dict = {}

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` goes: the local path where this server serves it; else its
        page at the lookup route (``/resource?iri=``) when the store describes it (has
        triples about it: ``urn:epass:...``, other hosts); else the IRI itself when a browser
        may follow it (http, https, mailto); else the lookup page when the store at least
        mentions it (a ``urn:`` IRI only linked to); else None (text: javascript:, data: ...)."""
        local = local_href(iri, self.base, self.root)
        if local is not None:
            return local
        lookup = lookup_href(iri, self.root, self.resource)
        if lookup is not None and self.described(iri):
            return lookup
        safe = safe_href(iri)
        if safe is not None:
            return safe
        return lookup if lookup is not None and is_known(self.store, ox.NamedNode(iri)) else None

    def described(self, iri: str) -> bool:
        """The store has triples about ``iri`` (memoised for the page, bounded)."""
        hit = self._described.get(iri)
        if hit is None:
            hit = len(self._described) < 2000 and next(
                self.store.quads_matching(subject=ox.NamedNode(iri)), None) is not None
            self._described[iri] = hit
        return hit

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
            if q.predicate.value in HIDDEN:
                continue
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


def incoming(store, node: ox.NamedNode, limit: int = MAX_INCOMING) -> list[ox.Quad]:
    """The quads whose object is ``node`` (at most ``limit``)."""
    out = []
    for q in store.quads_matching(object=node):
        out.append(q)
        if len(out) >= limit:
            break
    return out


def resource_page(store, base: str, node: ox.NamedNode, quads: list[ox.Quad], *, root: str = "",
                  graph_store: str = "/rdf-graphs", resource: str = "/resource") -> dict:
    """The content of ``node``'s HTML page (the template's variables, but the alternate
    representations): ``quads`` is its description (:func:`describe`), ``root`` the path
    the server is mounted at, ``graph_store`` where graphs are downloaded, ``resource`` the
    lookup route of IRIs outside the served bases. A specification that lacks Council
    elements says which (``incomplete``), never shown as complete."""
    h = _Html(store, base, root, resource)
    by_subject: dict = {}
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)
    own = by_subject.get(node, [])
    types = [h.cell(q.object, by_subject) for q in own if q.predicate == _TYPE]
    incoming_quads = [q for q in incoming(store, node) if q.predicate.value not in HIDDEN]
    links = [(h.cell(q.subject, {}), Cell(compact(q.predicate.value), h.href(q.predicate.value), q.predicate.value),
                 "default graph" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value)
                for q in incoming_quads]
    graphs = sorted({"default graph" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
                     for q in own})
    graph_links = [(g, None if g == "default graph" else h.href(g),
                    f"{root}{graph_store}?" + (urlencode({"graph": g}) if g != "default graph" else "default"))
                   for g in graphs]
    named_graph = None
    if store.has_graph(node.value):
        named_graph = {"triples": store.graph_size(node.value),
                       "download": f"{root}{graph_store}?{urlencode({'graph': node.value})}"}
    return dict(iri=node.value, label=h.label(node), types=types, rows=h.rows(own, by_subject),
                incoming=links, incoming_truncated=len(incoming_quads) >= MAX_INCOMING, graphs=graph_links,
                named_graph=named_graph, root=root, incomplete=list(incomplete_of(store, node.value)),
                elsewhere=None if local_href(node.value, base, root) else safe_href(node.value))


__all__ = ["describe", "is_known", "label_of", "incoming", "resource_page", "Cell", "Row", "LABEL_PROPERTIES",
           "MAX_DESCRIPTION", "MAX_INCOMING", "HIDDEN"]
