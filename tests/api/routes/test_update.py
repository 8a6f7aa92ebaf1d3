"""SPARQL 1.1 Update at /update: one transaction, token-protected, no network (SSRF).

Every refusal checks the store with a sorted N-Quads dump before and after: unchanged.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from microhe.rdf.sparql_text import with_dataset

from ..writes import EX

N = ox.NamedNode
G1, G2 = EX + "g1", EX + "g2"
FORM = "application/x-www-form-urlencoded"
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}


def quads_of(w, graph: str | None):
    return {q.triple for q in w.store.quads(graph)}


@pytest.fixture
def small(make_writable_env):
    """A store without the reference graphs, with one triple in G1 and one in G2."""
    w = make_writable_env(reference=False, max_body_bytes=2000)
    w.store.restore([
        ox.Quad(N(EX + "a"), N(EX + "p"), ox.Literal("one"), N(G1)),
        ox.Quad(N(EX + "b"), N(EX + "p"), ox.Literal("two"), N(G2)),
    ])
    return w


def test_form_encoded_update_is_applied(small):
    r = small.client.post("/update", data={"update": f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}c> <{EX}p> 'three' }} }}"},
                          headers=small.auth)
    assert r.status_code == 204, r.text
    assert ox.Triple(N(EX + "c"), N(EX + "p"), ox.Literal("three")) in quads_of(small, G1)


def test_sparql_update_body_is_applied(small):
    r = small.client.post("/update", content=f"DROP GRAPH <{G2}>", headers={**small.auth, **SPARQL_UPDATE})
    assert r.status_code == 204, r.text
    assert not small.store.has_graph(G2)


def test_relative_iris_resolve_against_the_base(small):
    r = small.client.post("/update", content="INSERT DATA { <credential/x> <p> 'x' }",
                          headers={**small.auth, **SPARQL_UPDATE})
    assert r.status_code == 204, r.text
    assert N(small.settings.base + "credential/x") in {q.subject for q in small.store.quads(None)}


def test_a_request_is_one_transaction(small):
    """The second operation fails (CREATE of an existing graph): the first is undone too."""
    before = small.dump()
    r = small.client.post("/update", content=f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}z> <{EX}p> 1 }} }} ; "
                                             f"CREATE GRAPH <{G1}>", headers={**small.auth, **SPARQL_UPDATE})
    assert r.status_code == 400 and "already exists" in r.text
    assert small.dump() == before


def test_update_is_not_shacl_gated(writable):
    """An administrator's tool: a specification without title or outcome goes in as given."""
    r = writable.client.post("/update", data={"update": (
        "PREFIX elm: <http://data.europa.eu/snb/model/elm/> "
        f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}bad> a elm:Qualification }} }}")}, headers=writable.auth)
    assert r.status_code == 204
    assert writable.store.has_graph(G1)


@pytest.mark.parametrize("where", ["form", "query"])
def test_using_graph_uri_sets_the_dataset_of_where(small, where):
    update = f"INSERT {{ GRAPH <{EX}out> {{ ?s <{EX}seen> ?o }} }} WHERE {{ ?s <{EX}p> ?o }}"
    if where == "form":
        r = small.client.post("/update", data={"update": update, "using-graph-uri": G2}, headers=small.auth)
    else:
        r = small.client.post("/update", params={"using-graph-uri": G2}, content=update,
                              headers={**small.auth, **SPARQL_UPDATE})
    assert r.status_code == 204, r.text
    assert quads_of(small, EX + "out") == {ox.Triple(N(EX + "b"), N(EX + "seen"), ox.Literal("two"))}


def test_using_named_graph_uri_and_delete_where(small):
    r = small.client.post("/update", data={"update": f"DELETE WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}",
                                           "using-named-graph-uri": G1}, headers=small.auth)
    assert r.status_code == 204, r.text
    assert not quads_of(small, G1) and quads_of(small, G2)


def test_dataset_parameters_with_using_in_the_update_are_400(small):
    before = small.dump()
    r = small.client.post("/update", data={
        "update": f"DELETE {{ ?s ?p ?o }} USING <{G1}> WHERE {{ ?s ?p ?o }}", "using-graph-uri": G2},
        headers=small.auth)
    assert r.status_code == 400 and "USING" in r.text
    assert small.dump() == before


def test_get_is_not_allowed(small):
    assert small.client.get("/update", params={"update": "CLEAR ALL"}, headers=small.auth).status_code == 405
    assert small.store.has_graph(G1)


OVERSIZED = "INSERT DATA { <a:a> <a:b> '" + "x" * 3000 + "' }"

REFUSALS = [
    # (id, content type, body, params, headers (None: valid token), status, text)
    ("syntax error", "sparql", "INSERT DATA { <a:a> <a:b> ", {}, None, 400, "syntax error"),
    ("syntax error (form)", "form", "DELETE nonsense", {}, None, 400, "syntax error"),
    ("LOAD", "sparql", "LOAD <http://127.0.0.1:9/data.ttl>", {}, None, 400, "LOAD refused"),
    ("LOAD into graph", "form", "load silent <file:///etc/passwd> into graph <a:g>", {}, None, 400, "LOAD refused"),
    ("SERVICE", "sparql", "INSERT { <a:a> <a:b> ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
     {}, None, 400, "SERVICE refused"),
    ("SERVICE without spaces", "sparql", "INSERT{<a:a><a:b>?o}WHERE{?s ?p 1SERVICE<http://127.0.0.1:9/>{?s ?p ?o}}",
     {}, None, 400, "SERVICE refused"),
    ("unauthenticated", "sparql", "CLEAR ALL", {}, {}, 401, "Bearer"),
    ("wrong token", "sparql", "CLEAR ALL", {}, {"Authorization": "Bearer wrong"}, 403, "not valid"),
    ("token in URL", "sparql", "CLEAR ALL", {"access_token": "TOKEN"}, None, 400, "URL"),
    ("token in the form", "form", "CLEAR ALL", {"access_token": "TOKEN"}, None, 400, "Authorization header"),
    ("oversized", "sparql", OVERSIZED, {}, None, 413, "exceeds"),
    ("wrong content type", "text/plain", "CLEAR ALL", {}, None, 415, "application/sparql-update"),
    ("no update", "form", None, {}, None, 400, "update="),
    ("two updates", "form", ["CLEAR ALL", "CLEAR ALL"], {}, None, 400, "update="),
    ("relative using-graph-uri", "sparql", "CLEAR ALL", {"using-graph-uri": "g1"}, None, 400, "absolute IRI"),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_refused_updates_change_nothing(small, case):
    name, kind, body, params, headers, status, text = case
    before = small.dump()
    params = {k: small.token if v == "TOKEN" else v for k, v in params.items()}
    headers = small.auth if headers is None else headers
    if kind == "form":
        form = {"using-graph-uri": "a:g"} if body is None else {"update": body}
        if "access_token" in params:
            form["access_token"] = params.pop("access_token")
        r = small.client.post("/update", data=form, params=params, headers=headers)
    else:
        ct = "application/sparql-update" if kind == "sparql" else kind
        r = small.client.post("/update", content=body, params=params, headers={**headers, "Content-Type": ct})
    assert r.status_code == status, r.text
    assert text in r.text
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert small.dump() == before


def test_remote_operations_can_be_allowed_by_a_setting(make_writable_env):
    """With the setting on, LOAD reaches the engine (here it fails: nothing listens on
    port 9, and no data changes)."""
    w = make_writable_env(reference=False, allow_remote_update=True)
    r = w.client.post("/update", content="LOAD SILENT <http://127.0.0.1:9/none.ttl>",
                      headers={**w.auth, **SPARQL_UPDATE})
    assert "refused" not in r.text and r.status_code in (204, 502)


def test_with_dataset_adds_using_clauses_to_every_modify_operation():
    text = ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o { SELECT * WHERE { ?a ?b ?c } } } ; "
            "DELETE WHERE { ?s ?p 3 } ; INSERT DATA { <a:a> <a:b> 'WHERE' }")
    out = with_dataset(text, ["a:g1"], ["a:g2"])
    assert out.count("USING <a:g1> USING NAMED <a:g2> WHERE") == 2
    assert "DELETE { ?s ?p 3 } USING <a:g1> USING NAMED <a:g2> WHERE { ?s ?p 3 }" in out
    assert "'WHERE'" in out
