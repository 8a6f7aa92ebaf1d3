"""The pyoxigraph <-> rdflib crossing keeps every kind of term intact."""

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import XSD

from microhe.rdf.terms import graph_to_quads, quads_to_graph, to_oxigraph, to_rdflib

OX_TERMS = [
    ox.NamedNode("http://example.org/a"),
    ox.BlankNode("b0"),
    ox.Literal("plain"),
    ox.Literal("tagged", language="en"),
    ox.Literal("tagged", language="de-AT"),
    ox.Literal("05", datatype=ox.NamedNode(str(XSD.integer))),
    ox.Literal("PT60H", datatype=ox.NamedNode(str(XSD.duration))),
    ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean))),
    ox.Literal("x", datatype=ox.NamedNode("http://example.org/custom")),
]


@pytest.mark.parametrize("term", OX_TERMS, ids=str)
def test_every_term_round_trips_unchanged(term):
    assert to_oxigraph(to_rdflib(term)) == term


def test_plain_literal_stays_plain_in_rdflib():
    lit = to_rdflib(ox.Literal("plain"))
    assert lit.datatype is None and lit.language is None
    # sh:in / FILTER comparisons in rdflib rely on this equality.
    assert lit == rdflib.Literal("plain")


def test_language_tag_is_kept_and_not_turned_into_a_datatype():
    lit = to_rdflib(ox.Literal("Titel", language="de"))
    assert lit.language == "de" and lit.datatype is None


def test_typed_literal_keeps_its_lexical_form():
    lit = to_rdflib(ox.Literal("05", datatype=ox.NamedNode(str(XSD.integer))))
    assert str(lit) == "05" and lit.datatype == XSD.integer


def test_explicit_xsd_string_from_rdflib_becomes_a_plain_oxigraph_literal():
    assert to_oxigraph(rdflib.Literal("s", datatype=XSD.string)) == ox.Literal("s")


def test_quads_and_graphs_convert_both_ways():
    g = ox.NamedNode("http://example.org/g")
    quads = [ox.Quad(ox.BlankNode("s1"), ox.NamedNode("http://example.org/p"), t, g) for t in OX_TERMS]
    graph = quads_to_graph(quads)
    assert len(graph) == len(OX_TERMS)
    assert set(graph_to_quads(graph, g)) == set(quads)


def test_unsupported_terms_raise_type_error():
    with pytest.raises(TypeError):
        to_rdflib("not a term")
    with pytest.raises(TypeError):
        to_oxigraph("not a term")
