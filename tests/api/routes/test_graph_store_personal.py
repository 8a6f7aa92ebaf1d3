"""Learner data in any vocabulary is refused by Graph Store writes, or stripped on request.

The fixtures (tests/fixtures/personal/) are appended to a conforming specification; every
personal value in them holds one of the markers below. A refusal leaves the store's sorted
N-Quads dump unchanged; with ``?strip-personal-data=true`` the specification is stored and
no marker is in the store nor answered by ``/sparql``. Institution data (organisations with
names and e-mails, an organisation's published contact point) is stored as sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..writes import GRAPH, VALID

PERSONAL = Path(__file__).parents[2] / "fixtures" / "personal"
MARKERS = (b"Zelda", b"Xanthopoulou", b"1990-04-01", b"zelda.x@")
TTL = {"Content-Type": "text/turtle"}
LEARNERS = sorted(PERSONAL.glob("learner-*.ttl"))
FIND_MARKERS = """SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?o), "Zelda")
    || CONTAINS(STR(?o), "Xanthopoulou") || CONTAINS(STR(?o), "1990-04-01") || CONTAINS(STR(?o), "zelda.x@")) }"""


def body(path: Path) -> str:
    return VALID + "\n" + path.read_text(encoding="utf-8")


def sparql_rows(w, query: str) -> list:
    r = w.client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


@pytest.mark.parametrize("path", LEARNERS, ids=lambda p: p.stem)
def test_put_of_learner_data_is_refused_then_stripped_on_request(make_writable_env, path):
    w = make_writable_env()
    before = w.dump()
    r = w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=body(path), headers={**w.auth, **TTL})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "strip-personal-data=true" in detail
    assert not [m for m in MARKERS if m.decode() in detail], detail  # the refusal does not echo the data
    assert w.dump() == before

    r = w.client.put("/rdf-graphs", params={"graph": GRAPH, "strip-personal-data": "true"}, content=body(path),
                     headers={**w.auth, **TTL})
    assert r.status_code == 201, r.text
    assert r.json()["personal_quads_stripped"] > 0 and r.json()["personal_data_stripped"]
    dump = w.dump()
    assert b"https://example.org/test/spec" in dump  # the rest is stored
    assert not [m for m in MARKERS if m in dump]
    assert sparql_rows(w, FIND_MARKERS) == []


def test_post_of_learner_data_is_refused_too(make_writable_env):
    w = make_writable_env()
    before = w.dump()
    r = w.client.post("/rdf-graphs", params={"graph": GRAPH}, content=body(PERSONAL / "learner-free-schema.ttl"),
                      headers={**w.auth, **TTL})
    assert r.status_code == 422, r.text
    assert "typed schema:Person" in r.json()["detail"]
    assert w.dump() == before


@pytest.mark.parametrize("path", sorted(PERSONAL.glob("institution-*.ttl")), ids=lambda p: p.stem)
def test_institution_data_with_names_and_emails_is_stored_as_sent(make_writable_env, path):
    w = make_writable_env()
    r = w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=body(path), headers={**w.auth, **TTL})
    assert r.status_code == 201, r.text
    assert r.json()["personal_quads_stripped"] == 0
    dump = w.dump()
    assert b"college.example" in dump or b"programme-office@university.example" in dump
