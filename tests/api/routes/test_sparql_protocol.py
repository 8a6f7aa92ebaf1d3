"""The SPARQL 1.1 Protocol on /sparql: request forms, errors, datasets, the service
description, the query page, CORS, the row cap and the body cap."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result

from ..conftest import BASE, EX, G1, G2

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
RDF_TYPE = rdflib.RDF.type


def rows(response, var: str) -> set[str]:
    doc = response.json()
    return {b[var]["value"] for b in doc["results"]["bindings"] if var in b}


def subjects(client, query: str, **params) -> set[str]:
    r = client.get("/sparql", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return rows(r, "s")


ALL_LABELLED = f"SELECT ?s WHERE {{ ?s <{EX}label> ?o }}"


# -- the three ways of sending a query --------------------------------------------------

def test_get_post_form_and_post_direct_give_the_same_answer(client):
    get = client.get("/sparql", params={"query": ALL_LABELLED})
    form = client.post("/sparql", data={"query": ALL_LABELLED})
    direct = client.post("/sparql", content=ALL_LABELLED, headers={"Content-Type": "application/sparql-query"})
    direct_charset = client.post("/sparql", content=ALL_LABELLED,
                                 headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    expected = {EX + n for n in ("alice", "bob", "carol", "dave")}
    for r in (get, form, direct, direct_charset):
        assert r.status_code == 200, r.text
        assert rows(r, "s") == expected


def test_relative_iris_resolve_against_the_configured_base(client):
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(<thing> AS ?x) }"})
    assert rows(r, "x") == {BASE + "thing"}


# -- 4xx ------------------------------------------------------------------------------

def test_a_syntax_error_is_400_with_one_line_giving_line_and_column(client):
    bad = "SELECT ?s WHERE {\n  ?s a mhe:Credential }"
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(bad)
    assert str(parser.value).count("\n") >= 3  # the parser's own message is a grammar dump
    for r in (client.get("/sparql", params={"query": bad}),
              client.post("/sparql", data={"query": bad}),
              client.post("/sparql", content=bad, headers={"Content-Type": "application/sparql-query"})):
        assert r.status_code == 400
        assert r.headers["content-type"].startswith("text/plain")
        # "mhe:Credential" starts at column 8 of line 2
        assert r.text == ('SPARQL syntax error: line 2, column 8: the prefix "mhe:" is not declared; '
                          "add a PREFIX mhe: <...> line before the query\n")


def test_two_query_parameters_are_400(client):
    r = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert r.status_code == 400 and "exactly one query" in r.text
    r = client.post("/sparql?query=ASK%20%7B%7D", content="ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400
    r = client.post("/sparql", content="query=ASK%20%7B%7D&query=ASK%20%7B%7D",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400


@pytest.mark.parametrize("update", [
    f"INSERT DATA {{ <{EX}x> <{EX}p> <{EX}y> }}",
    f"PREFIX ex: <{EX}>\n# a comment with SELECT in it\nDELETE WHERE {{ ?s ?p ?o }}",
    "DROP ALL",
    f"WITH <{G1}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "CLEAR DEFAULT",
])
def test_an_update_sent_to_the_query_endpoint_is_400_and_changes_nothing(client, store, update):
    before = store.dump_bytes()
    for r in (client.get("/sparql", params={"query": update}),
              client.post("/sparql", data={"query": update}),
              client.post("/sparql", data={"update": update}),
              client.get("/sparql", params={"update": update}),
              client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-query"}),
              client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})):
        assert r.status_code == 400, r.text
        assert "/update" in r.text
    assert store.dump_bytes() == before


@pytest.mark.parametrize(("content_type", "body"), [
    ("text/plain", b"ASK {}"),
    ("application/json", b'{"query": "ASK {}"}'),
    ("multipart/form-data; boundary=x", b"--x--"),
    ("application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16")),
])
def test_a_post_with_a_media_type_that_is_not_a_query_is_415(client, content_type, body):
    r = client.post("/sparql", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 415, r.text


def test_a_post_without_content_type_is_refused(client):
    # httpx adds no Content-Type for raw bytes content.
    r = client.post("/sparql", content=b"query=ASK%20%7B%7D")
    assert r.status_code == 415


def test_a_body_that_is_not_utf8_is_400(client):
    r = client.post("/sparql", content=b"ASK { <x> <y> \"\xff\" }", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.text


def test_service_is_refused_so_the_server_makes_no_outbound_requests(client):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 400 and "SERVICE refused" in r.text and "MICROHE_ALLOW_SERVICE" in r.text
    # the gate does not tokenise: the word inside a string or an IRI is refused too
    # (tests/api/http/test_ssrf.py); variables and local names are not
    text = f'SELECT ?x WHERE {{ BIND("SERVICE" AS ?x) FILTER(?x != <{EX}SERVICE>) }}'
    assert client.get("/sparql", params={"query": text}).status_code == 400
    ok = f'PREFIX ex: <{EX}> SELECT ?service WHERE {{ ?service ex:load ?o }}'
    assert client.get("/sparql", params={"query": ok}).status_code == 200


def test_a_graph_parameter_that_is_not_an_absolute_iri_is_400(client):
    r = client.get("/sparql", params={"query": ALL_LABELLED, "default-graph-uri": "not an iri"})
    assert r.status_code == 400


def test_an_empty_query_is_400(client):
    assert client.get("/sparql", params={"query": "  "}).status_code == 400


def test_a_body_over_the_cap_is_413(make_client):
    c = make_client(max_body_bytes=100)
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200
    assert c.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert c.post("/sparql", data={"query": big}).status_code == 413

    def chunks():  # no Content-Length: the streamed size is what counts
        for _ in range(10):
            yield b"x" * 50
    r = c.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert c.post("/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"}).status_code == 200


# -- the dataset ----------------------------------------------------------------------

def test_without_a_dataset_the_default_graph_is_the_union_of_all_graphs(client):
    assert subjects(client, ALL_LABELLED) == {EX + "alice", EX + "bob", EX + "carol", EX + "dave"}


def test_default_graph_uri_restricts_the_default_graph_and_leaves_no_named_graphs(client):
    assert subjects(client, ALL_LABELLED, **{"default-graph-uri": G2}) == {EX + "carol"}
    r = client.get("/sparql", params={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "default-graph-uri": G2})
    assert rows(r, "g") == set()


def test_several_default_graph_uris_are_merged(client):
    r = client.get("/sparql", params=[("query", ALL_LABELLED), ("default-graph-uri", G1), ("default-graph-uri", G2)])
    assert rows(r, "s") == {EX + "alice", EX + "bob", EX + "carol"}


def test_named_graph_uri_alone_gives_an_empty_default_graph(client):
    params = {"named-graph-uri": G1}
    assert subjects(client, ALL_LABELLED, **params) == set()
    r = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **params})
    assert rows(r, "g") == {G1}


def test_both_parameters_together(client):
    q = f"SELECT ?s ?g WHERE {{ {{ ?s <{EX}label> ?o }} UNION {{ GRAPH ?g {{ ?s <{EX}label> ?o }} }} }}"
    r = client.post("/sparql", data={"query": q, "default-graph-uri": G2, "named-graph-uri": G1})
    doc = r.json()["results"]["bindings"]
    assert {(b["s"]["value"], b.get("g", {}).get("value")) for b in doc} == {
        (EX + "carol", None), (EX + "alice", G1), (EX + "bob", G1)}


def test_protocol_graph_parameters_also_work_with_a_direct_post(client):
    r = client.post("/sparql", params={"default-graph-uri": G1}, content=ALL_LABELLED,
                    headers={"Content-Type": "application/sparql-query"})
    assert rows(r, "s") == {EX + "alice", EX + "bob"}


def test_from_in_the_query_names_the_dataset(client):
    q = f"PREFIX ex: <{EX}>\nSELECT ?s FROM ex:graph\\/two WHERE {{ ?s ex:label ?o }}"
    assert subjects(client, q) == {EX + "carol"}
    q = f"SELECT ?s FROM <{G1}> WHERE {{ ?s <{EX}label> ?o }}"
    assert subjects(client, q) == {EX + "alice", EX + "bob"}
    q = f"SELECT ?s FROM NAMED <{G2}> WHERE {{ GRAPH ?g {{ ?s <{EX}label> ?o }} }}"
    assert subjects(client, q) == {EX + "carol"}
    q = f"SELECT ?s FROM NAMED <{G2}> WHERE {{ ?s <{EX}label> ?o }}"
    assert subjects(client, q) == set()


def test_protocol_parameters_override_from(client):
    q = f"SELECT ?s FROM <{G1}> WHERE {{ ?s <{EX}label> ?o }}"
    assert subjects(client, q, **{"default-graph-uri": G2}) == {EX + "carol"}


# -- service description and query page -----------------------------------------------

@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"), (None, "turtle"), ("*/*", "turtle"),
])
def test_a_bare_get_describes_the_service_in_rdf(client, accept, fmt):
    r = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert "Accept" in r.headers["vary"]
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    (svc,) = set(g.subjects(RDF_TYPE, SD.Service))
    assert (svc, SD.endpoint, rdflib.URIRef("http://testserver/sparql")) in g
    assert (svc, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (svc, SD.feature, SD.UnionDefaultGraph) in g
    formats = set(g.objects(svc, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
            FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS["JSON-LD"],
            FORMATS.RDF_XML} <= formats
    (dataset,) = set(g.objects(svc, SD.defaultDataset))
    assert (dataset, RDF_TYPE, SD.Dataset) in g
    assert set(g.objects(dataset, SD.defaultGraph))
    names = {g.value(ng, SD.name) for ng in g.objects(dataset, SD.namedGraph)}
    assert names == {rdflib.URIRef(G1), rdflib.URIRef(G2)}


def test_a_browser_gets_the_html_query_page(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<textarea" in r.text and "<script" in r.text
    assert "http://" not in "".join(line for line in r.text.splitlines() if "<script src" in line)  # no CDN


def test_a_browser_following_a_query_link_gets_the_page_with_the_query_and_autorun(client):
    q = 'SELECT ?x WHERE { BIND("</textarea><script>alert(1)</script>" AS ?x) }'
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)" in r.text  # escaped into the editor
    assert "<script>alert(1)" not in r.text
    assert 'data-autorun="true"' in r.text  # the editor (static sparql.js) runs it


def test_the_page_lists_the_named_queries(client):
    from microhe.queries.catalogue import catalogue

    r = client.get("/sparql", headers={"Accept": "text/html"})
    for name in list(catalogue())[:3]:
        assert name in r.text


# -- CORS ------------------------------------------------------------------------------

def test_cors_preflight_on_sparql(client):
    r = client.options("/sparql", headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert r.status_code in (200, 204)
    assert r.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in r.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "OPTIONS"} <= methods
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "accept"} <= allowed


def test_cors_headers_on_answers_and_errors(client):
    ok = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://portal.example"})
    bad = client.get("/sparql", params={"query": "ASK {"}, headers={"Origin": "https://portal.example"})
    for r in (ok, bad):
        assert r.headers["access-control-allow-origin"] == "*"
    assert "X-Result-Truncated" in ok.headers["access-control-expose-headers"]


def test_cors_is_on_every_read_never_on_writes(client):
    """Issue 23: one middleware gives every public read CORS (the OpenAPI document
    included, which it used to lack); writes get none by default."""
    r = client.get("/openapi.json", headers={"Origin": "https://evil.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.options("/update", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


# -- the row cap -----------------------------------------------------------------------

def test_a_capped_result_says_so_in_headers(make_client):
    c = make_client(row_cap=3)
    r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 3
    assert r.headers["x-result-truncated"] == "true" and r.headers["x-row-cap"] == "3"
    assert "truncated" in r.headers["warning"] and r.headers["warning"].startswith("199 ")
    for accept, fmt in (("text/csv", "csv"), ("application/sparql-results+xml", "xml")):
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": accept})
        assert len(list(Result.parse(io.BytesIO(r.content), format=fmt))) == 3
        assert r.headers["x-result-truncated"] == "true"
    r = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
    assert len(rdflib.Graph().parse(data=r.content, format="nt")) == 3
    assert r.headers["x-result-truncated"] == "true"


def test_a_result_within_the_cap_is_marked_complete(make_client):
    c = make_client(row_cap=3)
    r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert r.headers["x-result-truncated"] == "false" and "warning" not in r.headers
    r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.headers["x-result-truncated"] == "false"


# -- reading a query without evaluating it ------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("# SELECT in a comment\nINSERT DATA { <http://e/a> <http://e/b> 1 }", {"update": "INSERT", "form": None}),
    ("PREFIX ex: <http://e/>\nselect ?x FROM ex:g FROM NAMED ex:h WHERE {}",
     {"form": "SELECT", "from_default": ["http://e/g"], "from_named": ["http://e/h"]}),
    ('SELECT ?x WHERE { ?x ?p "FROM <http://x>" }', {"from_default": []}),
    ('SELECT ?x WHERE { ?x ?p """long\nFROM <http://x>""" }', {"from_default": []}),
    ("select * { ?s ?p ?o }", {"form": "SELECT"}),
    ("BASE <http://b/>\nCONSTRUCT WHERE { ?s ?p ?o } ", {"form": "CONSTRUCT", "base": "http://b/"}),
    ("BASE <http://b/> PREFIX : <x#> ASK FROM :g {}", {"form": "ASK", "from_default": ["http://b/x#g"]}),
    ("SELECT * FROM <rel> {}", {"from_default": [BASE + "rel"]}),
    ("SELECT * FROM nope:g {}", {"unresolved_from": True}),
])
def test_inspect_query_reads_form_and_dataset_lexically(text, expected):
    from microhe.rdf.sparql_text import inspect as inspect_query

    info = inspect_query(text, BASE)
    for key, value in expected.items():
        assert getattr(info, key) == value, key


def test_an_unreadable_from_is_refused_rather_than_ignored(client):
    r = client.get("/sparql", params={"query": "SELECT * FROM nope:g WHERE { ?s ?p ?o }"})
    assert r.status_code == 400
