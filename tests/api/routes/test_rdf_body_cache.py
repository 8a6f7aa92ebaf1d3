"""The RDF bodies of ``/ontology`` and ``/.well-known/void`` are built once per store state
and representation: PyLD's compaction (0.5-1 s under load) runs for the first GET of a
state, not for every request; HEAD and a conditional GET answered 304 are answered from the
validators without building the body at all; a write gives the next request a new ETag and
a body of the new state.

The compaction is counted by wrapping :func:`microhe.rdf.jsonld_write.compacted` (it still
runs: a spy, not a mock); the store and the app are real (a small store in memory)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from microhe.rdf import jsonld_write as jw
from microhe.vocab import VOID

from ..writes import parse_rdf

JSONLD = {"Accept": "application/ld+json"}
TURTLE = {"Accept": "text/turtle"}
EX = "http://example.org/"
PATHS = ["/ontology", "/.well-known/void"]


@pytest.fixture
def w(make_writable_env):
    w = make_writable_env(reference=False)
    w.store.restore([ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("x"), ox.NamedNode(EX + "g"))])
    return w


@pytest.fixture
def compactions(monkeypatch) -> list[int]:
    calls = [0]
    real = jw.compacted

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(jw, "compacted", counted)
    return calls


def _write(w, n: int) -> None:
    w.store.write(add=[ox.Quad(ox.NamedNode(EX + f"s{n}"), ox.NamedNode(EX + "p"), ox.Literal(str(n)),
                               ox.NamedNode(EX + "g"))])


def _triples_stated(body: bytes) -> int:
    quads = parse_rdf(body, "application/ld+json")
    [n] = [q.object.value for q in quads if q.predicate.value == VOID + "triples"
           and q.subject.value.endswith("#dataset")]
    return int(n)


@pytest.mark.parametrize("path", PATHS)
def test_two_gets_are_the_same_bytes_and_etag_and_compacted_once(w, compactions, path):
    first = w.client.get(path, headers=JSONLD)
    assert first.status_code == 200 and compactions[0] == 1
    second = w.client.get(path, headers=JSONLD)
    assert second.status_code == 200
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == first.headers["content-type"]
    assert compactions[0] == 1, "the second GET compacted the document again"
    json.loads(second.content)


@pytest.mark.parametrize("path", PATHS)
def test_a_write_gives_a_new_etag_and_the_new_state(w, compactions, path):
    before = w.client.get(path, headers=JSONLD)
    _write(w, 1)
    after = w.client.get(path, headers=JSONLD)
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert compactions[0] == 2
    if path == "/.well-known/void":  # the description counts the quads of the state it describes
        assert (_triples_stated(before.content), _triples_stated(after.content)) == (1, 2)


@pytest.mark.parametrize("path", PATHS)
def test_head_and_304_are_answered_without_building_the_body(w, compactions, path):
    _write(w, 2)  # a state no request has seen
    head = w.client.head(path, headers=JSONLD)
    assert head.status_code == 200 and head.content == b""
    etag = head.headers["etag"]
    assert head.headers["content-type"].startswith("application/ld+json")
    not_modified = w.client.get(path, headers={**JSONLD, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert compactions[0] == 0, "HEAD or the 304 compacted the document"
    full = w.client.get(path, headers=JSONLD)
    assert full.status_code == 200 and full.headers["etag"] == etag and compactions[0] == 1
    assert full.headers["content-type"] == head.headers["content-type"]
    # once built, HEAD says the body's length too
    again = w.client.head(path, headers=JSONLD)
    assert again.headers["content-length"] == str(len(full.content)) and compactions[0] == 1


@pytest.mark.parametrize("path", PATHS)
def test_each_representation_has_its_own_body(w, compactions, path):
    ld = w.client.get(path, headers=JSONLD)
    ttl = w.client.get(path, headers=TURTLE)
    assert ttl.headers["content-type"].startswith("text/turtle") and ld.headers["etag"] != ttl.headers["etag"]
    assert w.client.get(path, headers=TURTLE).content == ttl.content  # its own cached bytes, not the JSON-LD's
    expanded = w.client.get(path, headers={"Accept": 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'})
    assert "expanded" in expanded.headers["content-type"] and expanded.content != ld.content
