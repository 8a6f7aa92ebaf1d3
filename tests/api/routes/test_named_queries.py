"""Named queries as REST: one documented GET route per .rq, typed parameters bound as RDF
terms (never pasted into the query), JSON / SPARQL results / CSV answers, 422 on bad values.

A temporary catalogue (the .rq texts below) keeps these tests independent of the shipped
queries; the last tests check the shipped catalogue's routes.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result

from microhe.queries import catalogue as kg_queries
from microhe.queries.catalogue import parse_query_file

from ..conftest import EX, G1, fixture_quads, make_store

INJECTION = '"> } ; DROP ALL ; SELECT * { <x'
QUOTES = 'a "quoted" } UNION { ?thing ?p ?label } #'

RQ = {
    "find-by-label": f"""#+ summary: Things with exactly this label
#+ description: Matches the label text exactly (no language tag).
#+ tags: test, labels
#+ param: label string required the label text
SELECT ?thing ?label WHERE {{ ?thing <{EX}label> ?label }} ORDER BY ?thing
""",
    "people-older-than": f"""#+ summary: People at least a given age
#+ param: min integer optional default=18 the minimum age in years
SELECT ?person ?age ?min WHERE {{ ?person <{EX}age> ?age FILTER(?age >= ?min) }}
""",
    "label-of": f"""#+ summary: The labels of one thing
#+ param: thing iri required the thing's IRI
SELECT ?thing ?label WHERE {{ ?thing <{EX}label> ?label }}
""",
    "labels-in-language": f"""#+ summary: Things with this language-tagged label
#+ param: label langstring required a label with its language, e.g. Bob@en
SELECT ?thing ?label WHERE {{ ?thing <{EX}label> ?label }}
""",
    "echo-typed": """#+ summary: Echo typed values (boolean, decimal)
#+ param: flag boolean optional a flag
#+ param: amount decimal optional an amount
SELECT ?flag ?amount WHERE {}
""",
    "has-label": f"""#+ summary: Does the thing have a label?
#+ param: thing iri required the thing's IRI
ASK {{ ?thing <{EX}label> ?l }}
""",
    "describe-thing": """#+ summary: Everything said about a thing
#+ param: thing iri required the thing's IRI
CONSTRUCT { ?thing ?p ?o } WHERE { ?thing ?p ?o }
""",
    "in-graph-one": f"""#+ summary: Labelled things of graph one only (FROM)
SELECT ?thing FROM <{G1}> WHERE {{ ?thing <{EX}label> ?label }} ORDER BY ?thing
""",
    "everything": """#+ summary: Every triple, as rows
SELECT ?s ?p ?o WHERE { ?s ?p ?o }
""",
}
CATALOGUE = {name: parse_query_file(name, text) for name, text in RQ.items()}


def data_with_tricky_labels() -> list[ox.Quad]:
    label = ox.NamedNode(EX + "label")
    g = ox.NamedNode(G1)
    return [*fixture_quads(),
            ox.Quad(ox.NamedNode(EX + "mallory"), label, ox.Literal(INJECTION), g),
            ox.Quad(ox.NamedNode(EX + "trudy"), label, ox.Literal(QUOTES), g)]


@pytest.fixture
def nq(make_client, monkeypatch):
    """A client whose app was built with the temporary catalogue; ``nq.store`` is its store."""
    monkeypatch.setattr(kg_queries, "catalogue", lambda: CATALOGUE)
    store = make_store(data_with_tricky_labels())
    c = make_client(store=store)
    c.store = store
    return c


# -- OpenAPI ----------------------------------------------------------------------------

def parameters(openapi: dict, name: str) -> dict[str, dict]:
    op = openapi["paths"][f"/api/queries/{name}"]["get"]
    return {p["name"]: p for p in op["parameters"]}


def test_every_named_query_is_a_route_with_typed_documented_parameters(nq):
    doc = nq.get("/openapi.json").json()
    for name, q in CATALOGUE.items():
        op = doc["paths"][f"/api/queries/{name}"]["get"]
        assert op["summary"] == q.summary
        assert {p.name for p in q.params} <= set(parameters(doc, name))
    label = parameters(doc, "find-by-label")["label"]
    assert label["required"] is True and label["schema"]["type"] == "string" and "the label text" in label["description"]
    minimum = parameters(doc, "people-older-than")["min"]
    assert minimum["required"] is False and minimum["schema"] == {"type": "integer", "default": 18}
    thing = parameters(doc, "label-of")["thing"]
    assert thing["schema"] == {"type": "string", "format": "iri"} and thing["required"] is True
    typed = parameters(doc, "echo-typed")
    assert typed["flag"]["schema"]["type"] == "boolean" and typed["amount"]["schema"]["type"] == "number"
    assert "pattern" in parameters(doc, "labels-in-language")["label"]["schema"]
    assert "csv" in parameters(doc, "everything")["format"]["schema"]["enum"]
    operation_ids = [op["operationId"] for path, ops in doc["paths"].items() for op in ops.values()
                     if path.startswith(("/api/queries", "/sparql"))]
    assert len(operation_ids) == len(set(operation_ids))


def test_the_catalogue_lists_every_query_with_its_parameters(nq):
    listing = {q["name"]: q for q in nq.get("/api/queries").json()}
    assert set(listing) == set(CATALOGUE)
    assert listing["people-older-than"]["parameters"] == [
        {"name": "min", "type": "integer", "required": False, "default": "18",
         "description": "the minimum age in years"}]
    assert listing["find-by-label"]["url"] == "/api/queries/find-by-label"


# -- answers ----------------------------------------------------------------------------

def test_a_select_answers_the_simple_json_shape_by_default(nq):
    r = nq.get("/api/queries/label-of", params={"thing": EX + "alice"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json() == {"query": "label-of", "variables": ["thing", "label"],
                        "rows": [{"thing": EX + "alice", "label": "Alice"}], "truncated": False}


def test_typed_values_are_bound_as_typed_terms_and_answered_as_json_types(nq):
    r = nq.get("/api/queries/echo-typed", params={"flag": "true", "amount": "1.50"})
    assert r.json()["rows"] == [{"flag": True, "amount": 1.5}]
    r = nq.get("/api/queries/people-older-than")  # default=18
    assert r.json()["rows"] == [{"person": EX + "alice", "age": 42, "min": 18}]
    assert nq.get("/api/queries/people-older-than", params={"min": "43"}).json()["rows"] == []
    r = nq.get("/api/queries/labels-in-language", params={"label": "Bob@en"})
    assert [row["thing"] for row in r.json()["rows"]] == [EX + "bob"]
    assert nq.get("/api/queries/labels-in-language", params={"label": "Bob@de"}).json()["rows"] == []


def test_a_from_clause_in_a_named_query_is_honoured(nq):
    rows = nq.get("/api/queries/in-graph-one").json()["rows"]
    assert [r["thing"] for r in rows] == [EX + "alice", EX + "bob", EX + "mallory", EX + "trudy"]


def test_sparql_json_results_on_request(nq):
    r = nq.get("/api/queries/label-of", params={"thing": EX + "bob"},
               headers={"Accept": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    rows = list(Result.parse(io.BytesIO(r.content), format="json"))
    assert rows == [(rdflib.URIRef(EX + "bob"), rdflib.Literal("Bob", lang="en"))]


@pytest.mark.parametrize(("params", "headers"), [
    ({"format": "csv"}, {}),
    ({}, {"Accept": "text/csv"}),
    ({"format": "text/csv"}, {"Accept": "application/json"}),
])
def test_csv_on_request(nq, params, headers):
    r = nq.get("/api/queries/find-by-label", params={"label": "Alice", **params}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.text)))
    assert table == [["thing", "label"], [EX + "alice", "Alice"]]


def test_an_ask_query_answers_a_boolean(nq):
    assert nq.get("/api/queries/has-label", params={"thing": EX + "bob"}).json() == {
        "query": "has-label", "boolean": True}
    assert nq.get("/api/queries/has-label", params={"thing": EX + "nobody"}).json()["boolean"] is False


def test_a_construct_query_answers_json_ld_by_default_and_turtle_on_request(nq):
    expected = {(rdflib.URIRef(EX + "carol"), rdflib.URIRef(EX + "label"), rdflib.Literal('Carol, "the" tab\there\nnewline')),
                (rdflib.URIRef(EX + "carol"), rdflib.URIRef(EX + "knows"), rdflib.URIRef(EX + "alice"))}
    r = nq.get("/api/queries/describe-thing", params={"thing": EX + "carol"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert set(rdflib.Graph().parse(data=r.content, format="json-ld")) == expected
    r = nq.get("/api/queries/describe-thing", params={"thing": EX + "carol"}, headers={"Accept": "text/turtle"})
    assert set(rdflib.Graph().parse(data=r.content, format="turtle")) == expected
    assert nq.get("/api/queries/describe-thing", params={"thing": EX + "carol", "format": "csv"}).status_code == 406


def test_a_capped_answer_says_truncated(make_client, monkeypatch):
    monkeypatch.setattr(kg_queries, "catalogue", lambda: CATALOGUE)
    c = make_client(row_cap=2)
    r = c.get("/api/queries/everything")
    assert len(r.json()["rows"]) == 2 and r.json()["truncated"] is True
    assert r.headers["x-result-truncated"] == "true" and r.headers["x-row-cap"] == "2"


# -- bad values --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "params", "message"), [
    ("people-older-than", {"min": "abc"}, "not an integer"),
    ("people-older-than", {"min": "1.5"}, "not an integer"),
    ("label-of", {"thing": "not an iri"}, "not an absolute IRI"),
    ("label-of", {"thing": f"{EX}x> }} ; DROP ALL ; #"}, "not an absolute IRI"),
    ("label-of", {}, "required"),
    ("labels-in-language", {"label": "no language"}, "text@lang"),
    ("echo-typed", {"flag": "maybe"}, "true/false"),
    ("echo-typed", {"amount": "NaN"}, "finite"),
    ("find-by-label", {"label": "x", "lable": "typo"}, "unknown parameter"),
])
def test_a_bad_parameter_is_422_with_the_message(nq, name, params, message):
    r = nq.get(f"/api/queries/{name}", params=params)
    assert r.status_code == 422
    assert message in r.json()["detail"]


def test_a_repeated_parameter_is_422(nq):
    r = nq.get("/api/queries/find-by-label?label=a&label=b")
    assert r.status_code == 422 and "more than once" in r.json()["detail"]


def test_an_unknown_query_is_404_with_the_known_names(nq):
    r = nq.get("/api/queries/nope")
    assert r.status_code == 404 and "find-by-label" in r.json()["detail"]


# -- injection ------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (INJECTION, [EX + "mallory"]),
    (QUOTES, [EX + "trudy"]),
    ('"} ; DROP ALL ; #', []),
    ("Alice", [EX + "alice"]),
])
def test_an_injection_attempt_is_just_a_literal_and_changes_nothing(nq, value, expected):
    before = nq.store.dump_bytes()
    r = nq.get("/api/queries/find-by-label", params={"label": value})
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert [row["thing"] for row in rows] == expected
    assert all(row["label"] == value for row in rows)
    # exactly what a direct, bound query for that literal gives
    direct = nq.store.query(f"SELECT ?thing ?label WHERE {{ ?thing <{EX}label> ?label }}",
                            substitutions={"label": ox.Literal(value)})
    assert [s["thing"].value for s in direct] == expected
    assert nq.store.dump_bytes() == before


# -- CORS -------------------------------------------------------------------------------

def test_named_queries_allow_cross_origin_reads(nq):
    r = nq.options("/api/queries/find-by-label", headers={"Origin": "https://portal.example",
                                                          "Access-Control-Request-Method": "GET"})
    assert r.status_code in (200, 204) and r.headers["access-control-allow-origin"] == "*"
    assert nq.options("/api/queries").headers["access-control-allow-origin"] == "*"
    for path in ("/api/queries", "/api/queries/find-by-label?label=x", "/api/queries/find-by-label?min=x"):
        assert nq.get(path).headers["access-control-allow-origin"] == "*"


# -- the shipped catalogue ----------------------------------------------------------------

def test_the_shipped_catalogue_is_served_route_for_route(client):
    shipped = kg_queries.catalogue()
    doc = client.get("/openapi.json").json()
    listing = {q["name"] for q in client.get("/api/queries").json()}
    assert listing == set(shipped)
    for name, q in shipped.items():
        params = parameters(doc, name)
        for p in q.params:
            assert params[p.name]["required"] is p.required
            assert params[p.name]["in"] == "query"


def test_shipped_queries_without_required_parameters_run(client):
    for name, q in kg_queries.catalogue().items():
        if any(p.required for p in q.params):
            continue
        r = client.get(f"/api/queries/{name}")
        assert r.status_code == 200, (name, r.text)
