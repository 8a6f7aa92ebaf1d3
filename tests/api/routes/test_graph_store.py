"""SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graphs: reads, validated writes, refusals.

Every refusal checks the store with a sorted N-Quads dump before and after: unchanged.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

import pyoxigraph as ox
import pytest

from microhe.ingest.load import DEFAULT_GRAPH
from microhe.ingest.provenance import load_records
from microhe.vocab import META_GRAPH

from ..writes import (
    BASE,
    CHECKED_NT,
    EX,
    GRAPH,
    INVALID,
    LEARNER,
    PLAIN,
    PREFIXES,
    SECOND_SPEC_ONLY,
    UNPARSABLE,
    VALID,
    make_writable,
    parse_rdf,
)

TTL = {"Content-Type": "text/turtle"}
N = ox.NamedNode
SPEC = N(EX + "spec")
SPEC2 = N(EX + "spec2")
TITLE = N("http://purl.org/dc/terms/title")


def seed(w, graph: str = GRAPH, body: str = PLAIN) -> None:
    """Put some triples in ``graph`` without going through the API."""
    w.store.restore(ox.Quad(q.subject, q.predicate, q.object, N(graph))
                    for q in ox.parse(body.encode(), ox.RdfFormat.TURTLE))


def triples(w, graph: str | None) -> set:
    return {q.triple for q in w.store.quads(graph)}


# -- successful writes -------------------------------------------------------------------------


def test_put_of_a_conforming_specification_creates_the_graph_with_provenance(writable_on_disk):
    writable = writable_on_disk
    r = writable.client.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers={**writable.auth, **TTL})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "loaded" and body["graph"] == GRAPH and body["report"]["conforms"] is True
    assert ox.Triple(SPEC, TITLE, ox.Literal("Data analysis with Python", language="en")) in triples(writable, GRAPH)
    record = load_records(writable.store)[GRAPH]
    assert record.source == "HTTP PUT" and record.profiles == ["council-2022", "consistency"]
    agents = [unquote(q.object.value) for q in writable.store.quads(META_GRAPH)
              if q.predicate.value.endswith("wasAssociatedWith")]
    assert any(a.endswith("graph-store:test") for a in agents)  # the token's name


def test_put_over_an_existing_graph_replaces_it(writable):
    seed(writable)
    before = triples(writable, GRAPH)
    r = writable.client.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers={**writable.auth, **TTL})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "replaced"
    after = triples(writable, GRAPH)
    assert not before & after and SPEC in {t.subject for t in after}


def test_put_of_the_same_bytes_again_still_writes(writable):
    """A graph changed behind the loader's back (here by /update) is restored by PUT."""
    c, h = writable.client, {**writable.auth, **TTL}
    assert c.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers=h).status_code == 201
    r = c.post("/update", data={"update": f"DROP GRAPH <{GRAPH}>"}, headers=writable.auth)
    assert r.status_code == 204
    assert c.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers=h).status_code in (200, 201)
    assert SPEC in {t.subject for t in triples(writable, GRAPH)}


def test_post_merges_and_validates_the_union(writable):
    """The second specification alone lacks its awarding body; merged into the graph
    holding that organisation it conforms."""
    c, h = writable.client, {**writable.auth, **TTL}
    assert c.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers=h).status_code == 201
    before = triples(writable, GRAPH)
    r = c.post("/rdf-graphs", params={"graph": GRAPH}, content=SECOND_SPEC_ONLY, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged"
    after = triples(writable, GRAPH)
    assert before < after and SPEC2 in {t.subject for t in after}
    loads = {q.subject for q in writable.store.quads(META_GRAPH) if q.predicate.value.endswith("targetGraph")
             and q.object == N(GRAPH)}
    assert len(loads) == 2  # the PUT and the POST


def test_post_that_would_make_the_graph_invalid_is_refused(writable):
    c, h = writable.client, {**writable.auth, **TTL}
    before = writable.dump()
    r = c.post("/rdf-graphs", params={"graph": GRAPH}, content=SECOND_SPEC_ONLY, headers=h)
    assert r.status_code == 422
    assert writable.dump() == before


def test_post_to_a_missing_graph_creates_it(writable):
    r = writable.client.post("/rdf-graphs", params={"graph": GRAPH}, content=PLAIN,
                             headers={**writable.auth, **TTL})
    assert r.status_code == 201, r.text
    assert writable.store.has_graph(GRAPH)


def test_post_to_the_graph_store_itself_creates_a_new_graph_under_the_base(writable):
    r = writable.client.post("/rdf-graphs", content=PLAIN, headers={**writable.auth, **TTL})
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    assert location.startswith(BASE + "graph/") and r.json()["graph"] == location
    got = writable.client.get("/rdf-graphs", params={"graph": location})
    assert got.status_code == 200
    assert {q.triple for q in parse_rdf(got.content, got.headers["content-type"])} == triples(writable, location)


def test_default_graph_put_post_get_delete(writable):
    c, h = writable.client, {**writable.auth, **TTL}
    r = c.post("/rdf-graphs", params={"default": ""}, content=PLAIN, headers=h)
    assert r.status_code == 200 and r.json()["default"] is True
    thing = N(EX + "thing")
    assert thing in {t.subject for t in triples(writable, None)}
    r = c.put("/rdf-graphs?default", content=PREFIXES + "ex:other ex:p 1 ; elm:EQFLevel <http://data.europa.eu/snb/eqf/6> .",
              headers=h)
    assert r.status_code == 200 and r.json()["status"] == "replaced"
    assert {t.subject for t in triples(writable, None)} == {N(EX + "other")}
    got = c.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert {q.triple for q in parse_rdf(got.content, got.headers["content-type"])} == triples(writable, None)
    assert DEFAULT_GRAPH in load_records(writable.store)
    assert c.delete("/rdf-graphs?default", headers=writable.auth).status_code == 204
    assert not triples(writable, None)
    assert DEFAULT_GRAPH not in load_records(writable.store)


def test_profile_parameter_overrides_the_deployment_profiles(writable):
    """The body violates council-2022 (no title, no outcome) but not consistency."""
    r = writable.client.put("/rdf-graphs", params={"graph": GRAPH, "profile": "consistency"}, content=INVALID,
                            headers={**writable.auth, **TTL})
    assert r.status_code == 201, r.text
    assert r.json()["report"]["profiles"] == ["consistency"]
    assert load_records(writable.store)[GRAPH].profiles == ["consistency"]


def test_deployment_profiles_come_from_settings(make_writable_env):
    w = make_writable_env(profiles=("consistency",))
    r = w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=INVALID, headers={**w.auth, **TTL})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_strip_personal_data_stores_the_rest_without_the_learner(writable, method):
    r = writable.client.request(method, "/rdf-graphs", params={"graph": GRAPH, "strip-personal-data": "true"},
                                content=LEARNER, headers={**writable.auth, **TTL})
    assert r.status_code == 201, r.text
    assert r.json()["personal_quads_stripped"] == 3
    dump = writable.dump()
    assert b"Lovelace" not in dump and b"Ada" not in dump and b"learner1" not in dump
    assert SPEC in {t.subject for t in triples(writable, GRAPH)}


def test_each_written_answer_is_its_documented_model_exactly(writable):
    """PUT and POST answers (named graph, default graph, new graph, learner stripped) are
    GraphWritten as documented: the model reads each answer and writes it back byte for
    byte (every key in its order, nothing extra, nothing missing)."""
    from microhe.api.models import GraphWritten

    cases = [("PUT", {"graph": GRAPH}, VALID), ("POST", {"graph": GRAPH}, SECOND_SPEC_ONLY), ("POST", {}, PLAIN),
             ("PUT", {"default": ""}, PLAIN), ("POST", {"default": ""}, PLAIN),
             ("PUT", {"graph": EX + "graph/learner", "strip-personal-data": "true"}, LEARNER)]
    for method, params, body in cases:
        r = writable.client.request(method, "/rdf-graphs", params=params, content=body,
                                    headers={**writable.auth, **TTL})
        assert r.status_code in (200, 201), r.text
        written = GraphWritten.model_validate_json(r.text, strict=True)
        assert json.dumps(written.model_dump(mode="json")) == r.text, (method, params)
        assert set(r.json()) == set(GraphWritten.model_fields), (method, params)  # report included: validated
        assert (written.graph is None) == written.default == ("default" in params)
    assert written.personal_quads_stripped == 3 and [x.node for x in written.personal_data_stripped] == [
        f"<{EX}learner1>"]


def test_relative_iris_in_a_body_resolve_against_the_base(writable):
    r = writable.client.put("/rdf-graphs", params={"graph": GRAPH},
                            content='<credential/x> <http://purl.org/dc/terms/description> "x" ; '
                                    '<http://data.europa.eu/snb/model/elm/EQFLevel> <http://data.europa.eu/snb/eqf/6> .',
                            headers={**writable.auth, **TTL})
    assert r.status_code == 201, r.text
    assert N(BASE + "credential/x") in {t.subject for t in triples(writable, GRAPH)}


@pytest.mark.parametrize("content_type, body", [
    ("application/n-triples", '<https://example.org/test/a> <http://purl.org/dc/terms/description> "a" .\n'
     + CHECKED_NT),
    ("application/ld+json; charset=utf-8",
     json.dumps({"@id": EX + "a", "http://purl.org/dc/terms/description": "a",
                 "http://data.europa.eu/snb/model/elm/EQFLevel": {"@id": "http://data.europa.eu/snb/eqf/6"}})),
    ("application/rdf+xml", '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     'xmlns:dct="http://purl.org/dc/terms/" xmlns:elm="http://data.europa.eu/snb/model/elm/">'
     '<rdf:Description rdf:about="https://example.org/test/a">'
     '<dct:description>a</dct:description><elm:EQFLevel rdf:resource="http://data.europa.eu/snb/eqf/6"/>'
     '</rdf:Description></rdf:RDF>'),
])
def test_bodies_are_parsed_by_their_content_type(writable, content_type, body):
    r = writable.client.put("/rdf-graphs", params={"graph": GRAPH}, content=body,
                            headers={**writable.auth, "Content-Type": content_type})
    assert r.status_code == 201, r.text
    assert triples(writable, GRAPH) == {ox.Triple(N(EX + "a"), N("http://purl.org/dc/terms/description"),
                                                  ox.Literal("a")),
                                        ox.Triple(N(EX + "a"), N("http://data.europa.eu/snb/model/elm/EQFLevel"),
                                                  N("http://data.europa.eu/snb/eqf/6"))}


def test_delete_removes_the_graph_its_records_and_derived_values(writable):
    c = writable.client
    assert c.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers={**writable.auth, **TTL}).status_code == 201
    assert writable.store.has_graph(GRAPH + "#derived")
    r = c.delete("/rdf-graphs", params={"graph": GRAPH}, headers=writable.auth)
    assert r.status_code == 204 and not r.content
    assert not writable.store.has_graph(GRAPH) and not writable.store.has_graph(GRAPH + "#derived")
    assert GRAPH not in load_records(writable.store)
    assert c.get("/rdf-graphs", params={"graph": GRAPH}).status_code == 404
    assert c.delete("/rdf-graphs", params={"graph": GRAPH}, headers=writable.auth).status_code == 404


# -- refusals: nothing changes ---------------------------------------------------------------

OVERSIZED = PLAIN + "#" + "x" * 6000 + "\n"


def _chunks(data: bytes):
    for i in range(0, len(data), 512):
        yield data[i:i + 512]


REFUSALS = [
    # (id, extra params, headers (None: the valid token), body, status, text in the answer)
    ("invalid", {}, None, INVALID, 422, "violation"),
    ("unparsable", {}, None, UNPARSABLE, 400, "not a valid"),
    ("empty", {}, None, "", 400, "no RDF"),
    ("learner", {}, None, LEARNER, 422, "strip-personal-data=true"),
    ("unauthenticated", {}, {}, VALID, 401, "Bearer"),
    ("wrong token", {}, {"Authorization": "Bearer not-a-token"}, VALID, 403, "not valid"),
    ("basic auth", {}, {"Authorization": "Basic dGVzdDp0ZXN0"}, VALID, 401, "Bearer"),
    ("token in URL", {"token": "TOKEN"}, None, VALID, 400, "URL"),
    ("access_token in URL", {"access_token": "TOKEN"}, {}, VALID, 400, "URL"),
    ("wrong content type", {}, {"Content-Type": "text/csv"}, VALID, 415, "unsupported media type"),
    ("no content type", {}, {"Content-Type": ""}, VALID, 415, "Content-Type"),
    ("unknown profile", {"profile": "no-such-profile"}, None, VALID, 400, "available"),
    ("bad strip flag", {"strip-personal-data": "maybe"}, None, VALID, 400, "true or false"),
    ("oversized", {}, None, OVERSIZED, 413, "exceeds"),
    ("oversized streamed", {}, None, "STREAM", 413, "exceeds"),
]


POST_REFUSALS = {"invalid", "unparsable", "learner", "unauthenticated", "wrong token", "token in URL",
                 "wrong content type", "oversized streamed"}
CASES = [pytest.param("PUT", c, id=f"PUT-{c[0]}") for c in REFUSALS] + [
    pytest.param("POST", c, id=f"POST-{c[0]}") for c in REFUSALS if c[0] in POST_REFUSALS]


@pytest.mark.parametrize("method, case", CASES)
def test_refused_writes_change_nothing(make_writable_env, method, case):
    name, params, headers, body, status, text = case
    # One case runs on a RocksDB store; the others on small in-memory ones (fast dumps).
    w = make_writable_env(on_disk=(method, name) == ("PUT", "invalid"), reference=(method, name) == ("PUT", "invalid"),
                          max_body_bytes=4000)
    seed(w)
    before = w.dump()
    params = {"graph": GRAPH, **{k: (w.token if v == "TOKEN" else v) for k, v in params.items()}}
    if headers is None:
        headers = {**w.auth, **TTL}
    elif "Content-Type" in headers:
        headers = {**w.auth, **headers}
    else:
        headers = {**TTL, **headers}
    if body == "STREAM":  # chunked: no Content-Length, the streamed size decides
        content = _chunks(OVERSIZED.encode())
    else:
        content = body.encode()
    r = w.client.request(method, "/rdf-graphs", params=params, content=content, headers=headers)
    assert r.status_code == status, r.text
    assert text in r.text
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert w.dump() == before


@pytest.mark.parametrize("params, status", [
    ({}, 400),
    ({"graph": GRAPH, "default": ""}, 400),
    ({"graph": "not an iri"}, 400),
    ({"graph": "relative/graph"}, 400),
    ({"graph": META_GRAPH}, 403),
    ({"graph": GRAPH + "#derived"}, 403),
])
def test_put_needs_exactly_one_writable_graph(make_writable_env, params, status):
    writable = make_writable_env(reference=False)
    before = writable.dump()
    r = writable.client.put("/rdf-graphs", params=params, content=PLAIN, headers={**writable.auth, **TTL})
    assert r.status_code == status, r.text
    assert writable.dump() == before


def test_invalid_body_gets_the_shacl_report_as_json_or_turtle(writable):
    h = {**writable.auth, **TTL}
    before = writable.dump()
    r = writable.client.put("/rdf-graphs", params={"graph": GRAPH}, content=INVALID, headers=h)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")
    report = r.json()["report"]
    assert report["conforms"] is False and report["violations"] >= 2
    assert any(res["focus_node"] == EX + "bad" for res in report["results"])
    r = writable.client.put("/rdf-graphs", params={"graph": GRAPH}, content=INVALID,
                            headers={**h, "Accept": "text/turtle"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/turtle")
    quads = parse_rdf(r.content, r.headers["content-type"])
    sh = "http://www.w3.org/ns/shacl#"
    assert ox.Literal("false", datatype=N("http://www.w3.org/2001/XMLSchema#boolean")) in {
        q.object for q in quads if q.predicate == N(sh + "conforms")}
    assert N(EX + "bad") in {q.object for q in quads if q.predicate == N(sh + "focusNode")}
    assert writable.dump() == before


@pytest.mark.parametrize("headers, params, status", [
    ({}, {}, 401),
    ({"Authorization": "Bearer nope"}, {}, 403),
    (None, {"access_token": "TOKEN"}, 400),
])
def test_delete_needs_a_token_in_the_header(make_writable_env, headers, params, status):
    writable = make_writable_env(reference=False)
    seed(writable)
    before = writable.dump()
    params = {"graph": GRAPH, **{k: writable.token for k in params}}
    r = writable.client.delete("/rdf-graphs", params=params,
                               headers=writable.auth if headers is None else headers)
    assert r.status_code == status
    assert writable.dump() == before


# -- reads -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reader(tmp_path_factory, reference_quads):
    """One read-only app over a small store with the conforming specification in GRAPH."""
    w = make_writable(tmp_path_factory.mktemp("reader"), reference_quads, reference=False)
    seed(w, body=VALID)
    yield w
    w.client.__exit__(None, None, None)


GET_NEGOTIATION = [
    # Accept, expected media type
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("text/html;q=0.9, application/n-triples;q=0.5", "application/n-triples"),
    ("application/rdf+xml;q=0.2, application/ld+json", "application/ld+json"),
]


@pytest.mark.parametrize("accept, expected", GET_NEGOTIATION)
def test_get_negotiates_the_representation(reader, accept, expected):
    writable = reader
    headers = {"Accept": accept} if accept else {}
    r = writable.client.get("/rdf-graphs", params={"graph": GRAPH}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected
    assert "Accept" in r.headers["vary"]
    quads = parse_rdf(r.content, expected)
    # Blank nodes are relabelled by serialisations: compare the ground triples and the count.
    got = {q.triple for q in quads}
    want = triples(writable, GRAPH)
    assert len(got) == len(want)
    ground = {t for t in want if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}
    assert ground <= got
    if expected in ("application/n-quads", "application/trig"):
        assert {q.graph_name for q in quads} == {N(GRAPH)}


def test_get_refuses_what_it_cannot_serve(reader):
    r = reader.client.get("/rdf-graphs", params={"graph": GRAPH}, headers={"Accept": "text/html"})
    assert r.status_code == 406


def test_get_and_head_of_a_missing_graph_are_404(reader):
    assert reader.client.get("/rdf-graphs", params={"graph": EX + "missing"}).status_code == 404
    assert reader.client.head("/rdf-graphs", params={"graph": EX + "missing"}).status_code == 404


def test_head_answers_like_get_without_a_body(reader):
    r = reader.client.head("/rdf-graphs", params={"graph": GRAPH}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle") and not r.content
    assert int(r.headers["content-length"]) == len(reader.client.get("/rdf-graphs", params={"graph": GRAPH}).content)


@pytest.mark.parametrize("params", [{}, {"graph": GRAPH, "default": ""}, {"graph": ["a:b", "c:d"]}])
def test_get_needs_exactly_one_graph(reader, params):
    assert reader.client.get("/rdf-graphs", params=params).status_code == 400


def test_a_token_in_the_url_of_a_read_is_refused_too(reader):
    r = reader.client.get("/rdf-graphs", params={"graph": GRAPH, "access_token": reader.token})
    assert r.status_code == 400 and "URL" in r.text
