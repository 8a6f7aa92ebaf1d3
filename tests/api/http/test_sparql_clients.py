"""Real clients against a real server (uvicorn on a loopback port): SPARQLWrapper in every
return format and request method, and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from ..conftest import EX, G2

pytestmark = pytest.mark.integration

SELECT = f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}label> ?label }} WHERE {{ ?s <{EX}label> ?label }}"
LABEL = rdflib.URIRef(EX + "label")
EXPECTED = {
    (rdflib.URIRef(EX + "alice"), rdflib.Literal("Alice")),
    (rdflib.URIRef(EX + "bob"), rdflib.Literal("Bob", lang="en")),
    (rdflib.URIRef(EX + "carol"), rdflib.Literal('Carol, "the" tab\there\nnewline')),
    (rdflib.URIRef(EX + "dave"), rdflib.Literal("Dave")),
}
EXPECTED_GRAPH = {(s, LABEL, o) for s, o in EXPECTED}


def wrapper(live_server: str, query: str, fmt: str, method: str = "GET", request_method: str = URLENCODED):
    sw = SPARQLWrapper(live_server + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setRequestMethod(request_method)
    return sw


METHODS = [("GET", URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]


@pytest.mark.parametrize(("method", "request_method"), METHODS)
def test_sparqlwrapper_select_as_json(live_server, method, request_method):
    doc = wrapper(live_server, SELECT, JSON, method, request_method).queryAndConvert()
    got = {(b["s"]["value"], b["label"]["value"], b["label"].get("xml:lang")) for b in doc["results"]["bindings"]}
    assert got == {(str(s), str(o), o.language) for s, o in EXPECTED}


@pytest.mark.parametrize(("method", "request_method"), METHODS)
def test_sparqlwrapper_select_as_xml(live_server, method, request_method):
    dom = wrapper(live_server, SELECT, XML, method, request_method).queryAndConvert()
    result = Result.parse(io.BytesIO(dom.toxml().encode()), format="xml")
    assert {tuple(row) for row in result} == EXPECTED


def test_sparqlwrapper_select_as_csv(live_server):
    body = wrapper(live_server, SELECT, CSV).queryAndConvert()
    table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert table[0] == ["s", "label"]
    assert {tuple(r) for r in table[1:]} == {(str(s), str(o)) for s, o in EXPECTED}


@pytest.mark.parametrize(("method", "request_method"), METHODS)
def test_sparqlwrapper_select_as_tsv(live_server, method, request_method):
    body = wrapper(live_server, SELECT, TSV, method, request_method).queryAndConvert()
    assert {tuple(row) for row in Result.parse(io.BytesIO(body), format="tsv")} == EXPECTED


def test_sparqlwrapper_ask(live_server):
    assert wrapper(live_server, f"ASK {{ <{EX}bob> ?p ?o }}", JSON).queryAndConvert()["boolean"] is True
    dom = wrapper(live_server, f"ASK {{ <{EX}nobody> ?p ?o }}", XML).queryAndConvert()
    assert Result.parse(io.BytesIO(dom.toxml().encode()), format="xml").askAnswer is False


@pytest.mark.parametrize(("fmt", "parse_as"), [(TURTLE, "turtle"), (N3, "turtle")])
@pytest.mark.parametrize(("method", "request_method"), METHODS)
def test_sparqlwrapper_construct_as_turtle(live_server, fmt, parse_as, method, request_method):
    body = wrapper(live_server, CONSTRUCT, fmt, method, request_method).queryAndConvert()
    assert set(rdflib.Graph().parse(data=body, format=parse_as)) == EXPECTED_GRAPH


@pytest.mark.parametrize("fmt", [XML, RDFXML])
def test_sparqlwrapper_construct_as_rdf_xml(live_server, fmt):
    graph = wrapper(live_server, CONSTRUCT, fmt).queryAndConvert()
    assert isinstance(graph, rdflib.Graph) and set(graph) == EXPECTED_GRAPH


@pytest.mark.parametrize(("method", "request_method"), METHODS)
def test_sparqlwrapper_construct_as_json_ld(live_server, method, request_method):
    graph = wrapper(live_server, CONSTRUCT, JSONLD, method, request_method).queryAndConvert()
    assert set(graph) == EXPECTED_GRAPH


def test_sparqlwrapper_construct_as_n_triples(live_server):
    # SPARQLWrapper has no N-Triples format: ask for it by Accept alone.
    sw = wrapper(live_server, CONSTRUCT, N3)
    sw.setOnlyConneg(True)
    sw.addCustomHttpHeader("Accept", "application/n-triples")
    result = sw.query()
    assert result.info()["content-type"].startswith("application/n-triples")
    assert set(rdflib.Graph().parse(data=result.convert(), format="nt")) == EXPECTED_GRAPH


def test_sparqlwrapper_with_a_default_graph(live_server):
    sw = wrapper(live_server, SELECT, JSON)
    sw.addDefaultGraph(G2)
    doc = sw.queryAndConvert()
    assert [b["s"]["value"] for b in doc["results"]["bindings"]] == [EX + "carol"]


def test_sparqlwrapper_reports_a_syntax_error_as_bad_query(live_server):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed):
        wrapper(live_server, "SELECT ?s WHERE { ?s ?p }", JSON).queryAndConvert()


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_select_and_construct(live_server, method):
    store = SPARQLStore(live_server + "/sparql", method=method)
    graph = rdflib.Graph(store=store)
    assert {tuple(row) for row in graph.query(SELECT)} == EXPECTED
    constructed = graph.query(CONSTRUCT).graph
    assert set(constructed) == EXPECTED_GRAPH
    assert graph.query(f"ASK {{ <{EX}alice> <{EX}label> ?x }}").askAnswer is True
    store.close()


def test_rdflib_sparqlstore_triples_and_contexts(live_server):
    store = SPARQLStore(live_server + "/sparql")
    graph = rdflib.Graph(store=store)
    assert set(graph.triples((None, LABEL, None))) == EXPECTED_GRAPH
    store.close()
