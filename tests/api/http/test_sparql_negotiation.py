"""Content negotiation on /sparql, as a table; every answer is parsed (rdflib), never string-matched.

Covers Accept with q-values and wildcards, format=/output= as SPARQLWrapper, Virtuoso and
Fuseki clients send them, the three ways of sending a query, Vary: Accept, and 406.
"""

from __future__ import annotations

import io
import json

import pytest
import rdflib
from rdflib.query import Result

from microhe.api.http import negotiation as neg

from ..conftest import EX

SELECT = f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }}"
ASK = f"ASK {{ <{EX}alice> <{EX}label> ?x }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}label> ?label }} WHERE {{ ?s <{EX}label> ?label }}"
DESCRIBE = f"DESCRIBE <{EX}carol>"
QUERIES = {"select": SELECT, "ask": ASK, "construct": CONSTRUCT, "describe": DESCRIBE}

LABEL = rdflib.URIRef(EX + "label")
EXPECTED_ROWS = {
    (rdflib.URIRef(EX + "alice"), rdflib.Literal("Alice")),
    (rdflib.URIRef(EX + "bob"), rdflib.Literal("Bob", lang="en")),
    (rdflib.URIRef(EX + "carol"), rdflib.Literal('Carol, "the" tab\there\nnewline')),
    (rdflib.URIRef(EX + "dave"), rdflib.Literal("Dave")),
}
EXPECTED_GRAPH = {(s, LABEL, o) for s, o in EXPECTED_ROWS}
EXPECTED_DESCRIBE = {
    (rdflib.URIRef(EX + "carol"), LABEL, rdflib.Literal('Carol, "the" tab\there\nnewline')),
    (rdflib.URIRef(EX + "carol"), rdflib.URIRef(EX + "knows"), rdflib.URIRef(EX + "alice")),
}

RESULT_PARSER = {neg.SPARQL_JSON: "json", neg.JSON: "json", neg.SPARQL_XML: "xml", "application/xml": "xml",
                 neg.CSV: "csv", neg.TSV: "tsv"}
GRAPH_PARSER = {neg.TURTLE: "turtle", "text/n3": "turtle", neg.N_TRIPLES: "nt", neg.JSON_LD: "json-ld",
                neg.RDF_XML: "xml"}


def send(client, how: str, query: str, accept: str | None = None, params: dict | None = None):
    headers = {"Accept": accept} if accept is not None else {}
    params = dict(params or {})
    if how == "GET":
        return client.get("/sparql", params={"query": query, **params}, headers=headers)
    if how == "POST-form":
        return client.post("/sparql", data={"query": query, **params}, headers=headers)
    if how == "POST-direct":
        return client.post("/sparql", params=params, content=query.encode(),
                           headers={**headers, "Content-Type": "application/sparql-query"})
    raise ValueError(how)


def media_type(response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def parsed_rows(mt: str, body: bytes) -> set[tuple]:
    result = Result.parse(io.BytesIO(body), format=RESULT_PARSER[mt])
    if mt == neg.CSV:  # CSV carries no datatypes or language tags: compare the lexical values
        return {tuple(str(t) for t in row) for row in result}
    return {tuple(row) for row in result}


def parsed_graph(mt: str, body: bytes) -> set[tuple]:
    g = rdflib.Graph()
    g.parse(data=body, format=GRAPH_PARSER[mt])
    return set(g)


# (how the query is sent, Accept, format-style parameters, query, expected media type)
CASES = [
    # SELECT: defaults and plain Accept
    ("GET", None, {}, "select", neg.SPARQL_JSON),
    ("GET", "*/*", {}, "select", neg.SPARQL_JSON),
    ("GET", "application/sparql-results+json", {}, "select", neg.SPARQL_JSON),
    ("GET", "application/sparql-results+xml", {}, "select", neg.SPARQL_XML),
    ("GET", "text/csv", {}, "select", neg.CSV),
    ("GET", "text/tab-separated-values", {}, "select", neg.TSV),
    ("GET", "application/json", {}, "select", neg.JSON),
    ("GET", "application/xml", {}, "select", "application/xml"),
    # q-values and wildcards
    ("GET", "text/csv;q=0.5, application/sparql-results+xml;q=0.9", {}, "select", neg.SPARQL_XML),
    ("GET", "text/*", {}, "select", neg.CSV),
    ("GET", "application/*;q=0.2, text/tab-separated-values", {}, "select", neg.TSV),
    ("GET", "text/turtle, */*;q=0.1", {}, "select", neg.SPARQL_JSON),
    ("GET", "application/sparql-results+json;q=0, */*;q=0.5", {}, "select", neg.SPARQL_XML),
    ("GET", "text/html;q=0.9, application/sparql-results+xml", {}, "select", neg.SPARQL_XML),
    # format= / output= / results= (explicit format wins over Accept)
    ("GET", "text/csv", {"format": "json"}, "select", neg.SPARQL_JSON),
    ("GET", None, {"format": "xml"}, "select", neg.SPARQL_XML),
    ("GET", None, {"format": "csv"}, "select", neg.CSV),
    ("GET", None, {"output": "tsv"}, "select", neg.TSV),
    ("GET", None, {"format": "srx"}, "select", neg.SPARQL_XML),
    ("GET", None, {"format": "text/csv"}, "select", neg.CSV),
    ("GET", None, {"format": "application/sparql-results+json"}, "select", neg.SPARQL_JSON),
    # SPARQLWrapper sends format, output and results, for TSV followed by the media type
    ("GET", "text/tab-separated-values", {"format": ["tsv", "text/tab-separated-values"],
                                          "output": ["tsv", "text/tab-separated-values"],
                                          "results": ["tsv", "text/tab-separated-values"]}, "select", neg.TSV),
    ("POST-form", "application/sparql-results+json", {"format": "json", "output": "json"}, "select", neg.SPARQL_JSON),
    ("POST-direct", "text/csv", {}, "select", neg.CSV),
    ("POST-form", "application/sparql-results+xml", {}, "select", neg.SPARQL_XML),
    ("GET", None, {"timeout": "5000", "should-sponge": "soft"}, "select", neg.SPARQL_JSON),  # unknown: ignored
    # ASK
    ("GET", None, {}, "ask", neg.SPARQL_JSON),
    ("GET", "application/sparql-results+xml", {}, "ask", neg.SPARQL_XML),
    ("POST-direct", None, {"format": "xml"}, "ask", neg.SPARQL_XML),
    # CONSTRUCT / DESCRIBE
    ("GET", None, {}, "construct", neg.TURTLE),
    ("GET", "*/*", {}, "construct", neg.TURTLE),
    ("GET", "application/n-triples", {}, "construct", neg.N_TRIPLES),
    ("GET", "application/ld+json", {}, "construct", neg.JSON_LD),
    ("GET", "application/rdf+xml", {}, "construct", neg.RDF_XML),
    ("GET", "text/*", {}, "construct", neg.TURTLE),
    ("GET", "*/*;q=0.1, application/rdf+xml", {}, "construct", neg.RDF_XML),
    ("GET", "application/rdf+xml;q=0.5, application/ld+json;q=0.8", {}, "construct", neg.JSON_LD),
    ("GET", "application/turtle,text/turtle", {}, "construct", neg.TURTLE),  # SPARQLWrapper TURTLE
    ("GET", "text/n3", {}, "construct", "text/n3"),
    ("GET", None, {"format": "turtle"}, "construct", neg.TURTLE),
    ("GET", None, {"format": "n3"}, "construct", neg.TURTLE),
    ("GET", None, {"format": "json-ld"}, "construct", neg.JSON_LD),
    ("GET", None, {"format": "rdf"}, "construct", neg.RDF_XML),
    ("GET", None, {"format": "xml"}, "construct", neg.RDF_XML),  # SPARQLWrapper's default XML
    ("GET", None, {"format": ["rdf+xml", "application/rdf+xml"]}, "construct", neg.RDF_XML),
    ("GET", None, {"format": "application/n-triples"}, "construct", neg.N_TRIPLES),
    ("GET", None, {"output": "nt"}, "construct", neg.N_TRIPLES),
    ("POST-form", "application/ld+json", {}, "construct", neg.JSON_LD),
    ("POST-direct", "application/n-triples", {}, "construct", neg.N_TRIPLES),
    ("GET", None, {}, "describe", neg.TURTLE),
    ("GET", "application/rdf+xml", {}, "describe", neg.RDF_XML),
]


@pytest.mark.parametrize(("how", "accept", "params", "query", "expected"), CASES)
def test_each_request_gets_the_negotiated_format_and_the_right_answer(client, how, accept, params, query, expected):
    r = send(client, how, QUERIES[query], accept, params)
    assert r.status_code == 200, r.text
    assert media_type(r) == expected
    assert "Accept" in r.headers["vary"]
    if query == "select":
        assert parsed_rows(expected, r.content) == (
            {tuple(str(t) for t in row) for row in EXPECTED_ROWS} if expected == neg.CSV else EXPECTED_ROWS)
    elif query == "ask":
        assert Result.parse(io.BytesIO(r.content), format=RESULT_PARSER[expected]).askAnswer is True
    elif query == "construct":
        assert parsed_graph(expected, r.content) == EXPECTED_GRAPH
    else:
        assert parsed_graph(expected, r.content) == EXPECTED_DESCRIBE


def test_json_results_follow_the_sparql_results_json_shape(client):
    doc = client.get("/sparql", params={"query": SELECT}).json()
    assert doc["head"]["vars"] == ["s", "label"]
    by_subject = {b["s"]["value"]: b["label"] for b in doc["results"]["bindings"]}
    assert by_subject[EX + "bob"] == {"type": "literal", "value": "Bob", "xml:lang": "en"}
    assert by_subject[EX + "alice"] == {"type": "literal", "value": "Alice"}
    age = client.get("/sparql", params={"query": f"SELECT ?a {{ <{EX}alice> <{EX}age> ?a }}"}).json()
    assert age["results"]["bindings"] == [
        {"a": {"type": "literal", "value": "42", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


def test_unbound_variables_are_left_out_of_every_format(client):
    q = f"SELECT ?s ?age WHERE {{ ?s <{EX}label> ?l OPTIONAL {{ ?s <{EX}age> ?age }} }}"
    doc = client.get("/sparql", params={"query": q}).json()
    assert sum("age" in b for b in doc["results"]["bindings"]) == 1
    for accept in (neg.SPARQL_XML, neg.TSV, neg.CSV):
        r = client.get("/sparql", params={"query": q}, headers={"Accept": accept})
        rows = list(Result.parse(io.BytesIO(r.content), format=RESULT_PARSER[accept]))
        assert len(rows) == 4 and sum(row[1] is not None and str(row[1]) != "" for row in rows) == 1


# (Accept, format parameters, query) that cannot be served -> 406
NOT_ACCEPTABLE = [
    ("text/turtle", {}, "select"),
    ("application/ld+json", {}, "ask"),
    ("text/csv", {}, "construct"),
    ("application/sparql-results+json", {}, "describe"),
    ("application/sparql-results+json;q=0", {}, "select"),
    ("image/png", {}, "select"),
    (None, {"format": "csv"}, "construct"),
    (None, {"format": "turtle"}, "select"),
    (None, {"format": "foo"}, "select"),
    (None, {"output": "application/pdf"}, "construct"),
]


@pytest.mark.parametrize(("accept", "params", "query"), NOT_ACCEPTABLE)
def test_what_cannot_be_served_is_406_with_the_available_formats(client, accept, params, query):
    r = send(client, "GET", QUERIES[query], accept, params)
    assert r.status_code == 406, r.text
    assert "Accept" in r.headers["vary"]
    offer = neg.GRAPH if query in ("construct", "describe") else neg.RESULTS
    assert all(mt in r.text for mt in offer.media_types)


# -- the negotiation helpers themselves ----------------------------------------------

OFFERED = [neg.SPARQL_JSON, neg.SPARQL_XML, neg.CSV, neg.TSV]


@pytest.mark.parametrize(("accept", "expected"), [
    (None, neg.SPARQL_JSON),
    ("", neg.SPARQL_JSON),
    ("*/*", neg.SPARQL_JSON),
    ("text/csv", neg.CSV),
    ("TEXT/CSV", neg.CSV),
    ("text/csv; charset=utf-8", neg.CSV),
    ("text/*;q=0.3, application/sparql-results+xml;q=0.2", neg.CSV),
    ("text/*, text/csv;q=0", neg.TSV),  # the most specific range decides
    ("application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.91", neg.TSV),
    ('application/sparql-results+xml;profile="a,b";q=0.5, text/csv;q=0.4', neg.SPARQL_XML),  # quoted comma
    ("text/csv;q=2", None),  # invalid q: element ignored
    ("text/csv;q=abc, text/tab-separated-values", neg.TSV),
    ("image/png", None),
    ("*/*;q=0", None),
    ("*", neg.SPARQL_JSON),
    ("garbage", None),
])
def test_negotiate_picks_the_best_offered_type(accept, expected):
    assert neg.negotiate(accept, OFFERED) == expected


def test_equal_preferences_are_settled_by_the_server_order():
    # rdflib's SPARQLStore sends its media types from a set, unordered and without q-values.
    assert neg.negotiate("text/csv, application/sparql-results+xml", OFFERED) == neg.SPARQL_XML
    assert neg.negotiate("application/rdf+xml, text/turtle", neg.GRAPH.offered) == neg.TURTLE


@pytest.mark.parametrize(("values", "offer", "expected"), [
    (["json"], neg.RESULTS, neg.SPARQL_JSON),
    (["JSON"], neg.RESULTS, neg.SPARQL_JSON),
    (["json"], neg.GRAPH, neg.JSON_LD),
    (["xml"], neg.GRAPH, neg.RDF_XML),
    (["", "tsv"], neg.RESULTS, neg.TSV),
    (["rdf+xml", ""], neg.GRAPH, neg.RDF_XML),
    (["text/csv; charset=utf-8"], neg.RESULTS, neg.CSV),
    ([], neg.RESULTS, None),
    ([""], neg.RESULTS, None),
])
def test_format_aliases(values, offer, expected):
    assert neg.explicit_format(values, offer, others=[neg.RESULTS, neg.GRAPH]) == expected


def test_a_format_for_the_other_kind_of_result_says_so():
    with pytest.raises(neg.FormatError, match="cannot serve"):
        neg.explicit_format(["csv"], neg.GRAPH, others=[neg.RESULTS])
    with pytest.raises(neg.FormatError, match="unknown format"):
        neg.explicit_format(["pdf"], neg.GRAPH, others=[neg.RESULTS])


def test_json_body_is_valid_json_for_ask(client):
    assert json.loads(client.get("/sparql", params={"query": ASK}).content) == {"head": {}, "boolean": True}
