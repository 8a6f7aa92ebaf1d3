"""Conversion between pyoxigraph and rdflib terms: the one audited place.

pyoxigraph is the store and query engine; rdflib is used only where it alone serves
(pyshacl input, a few serialisations). Every crossing goes through these functions so
that plain, language-tagged and typed literals and blank nodes keep their identity
(the oxrdflib bridge was seen turning plain literals into xsd:string-typed ones, which
broke ``sh:in`` and FILTERs).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph | None):
    """A pyoxigraph term as the equivalent rdflib term (DefaultGraph/None -> None; a
    quoted triple is a TypeError: rdflib has none)."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            # RDF 1.1: a plain literal *is* xsd:string; rdflib models it without datatype.
            return rdflib.Literal(term.value)
        # normalize=False keeps the lexical form exactly (e.g. "05"^^xsd:integer).
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype), normalize=False)
    raise TypeError(f"unsupported pyoxigraph term: {term!r}")


def to_oxigraph(term):
    """An rdflib term as the equivalent pyoxigraph term (None -> DefaultGraph)."""
    if term is None:
        return ox.DefaultGraph()
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None or str(term.datatype) == _XSD_STRING:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    raise TypeError(f"unsupported rdflib term: {term!r}")


def quads_to_graph(quads: Iterable[ox.Quad], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """The union of the quads' triples as an rdflib Graph (graph names are dropped)."""
    g = graph if graph is not None else rdflib.Graph()
    add = g.add
    for q in quads:
        add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def graph_to_quads(graph: rdflib.Graph, graph_name: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """An rdflib Graph's triples as pyoxigraph quads in ``graph_name``."""
    gn = graph_name if graph_name is not None else ox.DefaultGraph()
    return [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), gn) for s, p, o in graph]


def n3(term) -> str:
    """A pyoxigraph term in N-Triples syntax (IRIs in <>, blank nodes as _:id)."""
    return str(term)
