"""Graph Store Protocol, direct graph identification (``/rdf-graphs/<path>`` names
``<base>rdf-graphs/<path>``), multipart/form-data POST (GSP 5.5) and the generic Graph Store
setting. The default deployment keeps every gate: learner data and data no profile targets
are refused on the direct routes as on the indirect ones; nothing is stored."""

from __future__ import annotations

import pytest

from ..writes import BASE, CHECKED_NT, INVALID, LEARNER, SECOND_SPEC_ONLY, UNPARSABLE, VALID

TTL = {"Content-Type": "text/turtle"}
DIRECT = "/rdf-graphs/specs/one.ttl"
IRI = BASE + "rdf-graphs/specs/one.ttl"  # the configured base + the path (tests/api/writes.py: BASE)
FOAF = b"""@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://www.example/gsp/person/1> a foaf:Person ; foaf:givenName "Jane" .
"""
BOUNDARY = "b0undary"


def multipart(*parts: tuple[str, str, bytes]) -> tuple[bytes, dict[str, str]]:
    body = b""
    for name, ctype, data in parts:
        body += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n"
                 + (f"Content-Type: {ctype}\r\n" if ctype else "") + "\r\n").encode() + data + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_put_on_a_direct_url_writes_the_graph_named_by_the_base_not_by_the_host(writable):
    w = writable
    r = w.client.put(DIRECT, content=VALID, headers={**w.auth, **TTL, "Host": "attacker.example"})
    assert r.status_code == 201, r.text
    assert r.json()["graph"] == IRI and r.headers["location"] == DIRECT
    assert w.store.has_graph(IRI)
    assert not any("attacker" in g for g in w.store.named_graphs())
    # the same graph, named indirectly
    assert w.client.get("/rdf-graphs", params={"graph": IRI}).text == w.client.get(DIRECT).text


def test_get_head_and_delete_on_a_direct_url(writable):
    w = writable
    assert w.client.put(DIRECT, content=VALID, headers={**w.auth, **TTL}).status_code == 201
    get = w.client.get(DIRECT, headers={"Accept": "text/turtle"})
    head = w.client.head(DIRECT, headers={"Accept": "text/turtle"})
    assert get.status_code == head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"] == "text/turtle; charset=utf-8"
    assert w.client.delete(DIRECT).status_code == 401  # writes need the token
    assert w.client.delete(DIRECT, headers=w.auth).status_code == 204
    assert w.client.get(DIRECT).status_code == 404 and w.client.head(DIRECT).status_code == 404
    assert w.client.delete(DIRECT, headers=w.auth).status_code == 404


def test_direct_writes_keep_the_gate_and_store_nothing_when_refused(writable):
    w = writable
    before = w.dump()
    for body, status in ((INVALID, 422), (LEARNER, 422), (FOAF, 422), (UNPARSABLE, 400)):
        r = w.client.put(DIRECT, content=body, headers={**w.auth, **TTL})
        assert r.status_code == status, (body[:40], r.text)
    assert w.client.put(DIRECT, content=VALID, headers=TTL).status_code == 401
    assert w.client.put(DIRECT, content=VALID, headers={**w.auth, "Content-Type": "text/plain"}).status_code == 415
    assert w.dump() == before


@pytest.mark.parametrize("path", ["/rdf-graphs/x?graph=http://example.org/g", "/rdf-graphs/x?default"])
def test_a_direct_url_with_a_graph_parameter_is_400(writable, path):
    r = writable.client.get(path)
    assert r.status_code == 400 and "names its graph itself" in r.json()["detail"]


def test_multipart_post_merges_every_part_into_the_graph(writable):
    w = writable
    assert w.client.put(DIRECT, content=VALID, headers={**w.auth, **TTL}).status_code == 201
    second = SECOND_SPEC_ONLY.encode()
    body, headers = multipart(("spec2.ttl", "text/turtle; charset=utf-8", second),
                              ("extra.nt", "application/n-triples", CHECKED_NT.encode()))
    r = w.client.post(DIRECT, content=body, headers={**w.auth, **headers})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged"
    subjects = {q.subject.value for q in w.store.quads(IRI)}
    assert {"https://example.org/test/spec", "https://example.org/test/spec2", "https://example.org/test/a"} <= subjects


@pytest.mark.parametrize("parts, status, words", [
    ((("a.ttl", "", b"<urn:a> <urn:b> <urn:c> ."),), 415, "has no Content-Type"),
    ((("a.txt", "text/x-unknown", b"x"),), 415, "a.txt"),
    ((("a.ttl", "text/turtle", b"@prefix broken"),), 400, "a.ttl"),
])
def test_bad_multipart_parts_are_refused_and_nothing_is_stored(writable, parts, status, words):
    w = writable
    before = w.dump()
    body, headers = multipart(*parts)
    r = w.client.post(DIRECT, content=body, headers={**w.auth, **headers})
    assert r.status_code == status and words in r.json()["detail"], r.text
    assert w.dump() == before


def test_multipart_without_parts_or_boundary_and_multipart_put_are_refused(writable):
    w = writable
    before = w.dump()
    r = w.client.post(DIRECT, content=b"--x--\r\n", headers={**w.auth, "Content-Type": "multipart/form-data"})
    assert r.status_code == 400 and "boundary" in r.json()["detail"]
    r = w.client.post(DIRECT, content=f"--{BOUNDARY}--\r\n".encode(),
                      headers={**w.auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert r.status_code == 400 and "no part" in r.json()["detail"]
    body, headers = multipart(("a.ttl", "text/turtle", VALID.encode()))
    r = w.client.put(DIRECT, content=body, headers={**w.auth, **headers})
    assert r.status_code == 415 and "POST (merge) only" in r.json()["detail"]
    assert w.dump() == before


def test_a_generic_graph_store_stores_foaf_data_but_still_refuses_violations(make_writable_env):
    w = make_writable_env(generic_graph_store=True)
    r = w.client.put(DIRECT, content=FOAF, headers={**w.auth, **TTL})
    assert r.status_code == 201, r.text
    assert len(list(w.store.quads(IRI))) == 2
    before = w.dump()
    r = w.client.put("/rdf-graphs/other", content=INVALID, headers={**w.auth, **TTL})
    assert r.status_code == 422 and r.json()["report"]["conforms"] is False
    assert w.dump() == before
