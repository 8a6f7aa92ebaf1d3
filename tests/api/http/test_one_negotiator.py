"""One content negotiator: an unusable ``format=`` gets the same answer on every endpoint
that serves several formats (/sparql, the Graph Store, VoID, linked data), and every
endpoint reads full media types and short names the same way."""

from __future__ import annotations

import pytest

from ..conftest import G1

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
ENDPOINTS = {
    "sparql": ("/sparql", {"query": SELECT}),
    "graph store": ("/rdf-graphs", {"graph": G1}),
    "void": ("/.well-known/void", {}),
    "ontology": ("/ontology", {}),
}


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("value", ["bogus", "text/bogus"])
def test_an_unknown_format_name_is_406_everywhere(client, name, value):
    path, params = ENDPOINTS[name]
    r = client.get(path, params={**params, "format": value})
    assert r.status_code == 406, (name, r.status_code, r.text)
    assert value in r.text  # the message names what was asked for


@pytest.mark.parametrize("name", ["graph store", "void", "ontology"])
def test_a_results_format_for_a_graph_is_406_and_says_so(client, name):
    path, params = ENDPOINTS[name]
    r = client.get(path, params={**params, "format": "csv"})
    assert r.status_code == 406, (name, r.status_code, r.text)


@pytest.mark.parametrize("name", ["graph store", "void", "ontology"])
@pytest.mark.parametrize("value,media_type", [("ttl", "text/turtle"), ("turtle", "text/turtle"),
                                              ("nt", "application/n-triples"),
                                              ("application/ld+json", "application/ld+json")])
def test_format_names_and_media_types_are_read_alike(client, name, value, media_type):
    path, params = ENDPOINTS[name]
    r = client.get(path, params={**params, "format": value})
    assert r.status_code == 200, (name, r.text)
    assert r.headers["content-type"].split(";")[0] == media_type
