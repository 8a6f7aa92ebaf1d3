"""``GET /api/changes``: what was written or deleted since a point (a sequence number or an
RFC 3339 time), oldest first, with ``Link`` paging; every HTTP write path leaves exactly its
entry, a refused write none; hostile ``since``/``limit`` get a clear 4xx; a point the log no
longer holds is 410 Gone. The expected graphs and subjects are read off the documents sent
(tests/api/writes.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from microhe.vocab import META_GRAPH

from ..writes import BASE, EX, GRAPH, INVALID, PLAIN, VALID

TTL = {"Content-Type": "text/turtle"}
FEED = "/api/changes"
#: the subjects of VALID (tests/api/writes.py): the specification, its outcome, the two organisations
VALID_SUBJECTS = {EX + "spec", EX + "spec-lo1", EX + "org", EX + "agency"}


def seq(w) -> int:
    r = w.client.get(FEED)
    assert r.status_code == 200, r.text
    return r.json()["seq"]


def since(w, point, **params) -> list[dict]:
    r = w.client.get(FEED, params={"since": point, **params})
    assert r.status_code == 200, r.text
    return r.json()["changes"]


def links(r) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', r.headers.get("link", ""))}


def test_a_put_is_listed_with_its_graphs_and_subjects(writable):
    w = writable
    start = seq(w)
    assert w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers={**w.auth, **TTL}).status_code == 201
    (e,) = since(w, start)
    assert e["kind"] == "put" and e["seq"] > start
    assert {GRAPH, GRAPH + "#derived", META_GRAPH} == set(e["graphs"])
    assert VALID_SUBJECTS <= set(e["added"]) and e["removed"] == [] and e["deleted"] == []
    assert seq(w) == e["seq"]


@pytest.mark.parametrize("how,kind", [
    ("put", "put"), ("post", "post"), ("delete", "delete"),
    ("direct-put", "put"), ("direct-post", "post"), ("direct-delete", "delete"),
    ("update", "update"),
])
def test_every_graph_store_and_update_write_leaves_its_entry(writable, how, kind):
    w = writable
    direct = "/rdf-graphs/specs/one.ttl"
    direct_iri = BASE + "rdf-graphs/specs/one.ttl"
    target = direct_iri if how.startswith("direct") else GRAPH
    url, params = (direct, {}) if how.startswith("direct") else ("/rdf-graphs", {"graph": GRAPH})
    if how.endswith("delete"):
        assert w.client.put(url, params=params, content=VALID, headers={**w.auth, **TTL}).status_code == 201
    start = seq(w)
    if how.endswith("put"):
        r = w.client.put(url, params=params, content=VALID, headers={**w.auth, **TTL})
    elif how.endswith("post"):
        r = w.client.post(url, params=params, content=VALID, headers={**w.auth, **TTL})
    elif how.endswith("delete"):
        r = w.client.delete(url, params=params, headers=w.auth)
    else:
        r = w.client.post("/update", content=f"INSERT DATA {{ GRAPH <{target}> {{ <{EX}u> <{EX}p> 1 }} }}",
                          headers={**w.auth, "Content-Type": "application/sparql-update"})
    assert r.status_code in (200, 201, 204), r.text
    (e,) = since(w, start)
    assert e["kind"] == kind and target in e["graphs"]
    if kind == "delete":
        assert target in e["deleted"] and VALID_SUBJECTS <= set(e["removed"])
    elif kind == "update":
        assert (e["added"], e["removed"]) == ([EX + "u"], [])
    else:
        assert VALID_SUBJECTS <= set(e["added"]) and e["deleted"] == []


@pytest.mark.parametrize("send", [
    lambda w: w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=INVALID, headers={**w.auth, **TTL}),
    lambda w: w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers=TTL),  # no token
    lambda w: w.client.post("/update", content="INSERT DATA { nonsense",
                            headers={**w.auth, "Content-Type": "application/sparql-update"}),
    lambda w: w.client.post("/update", content="DROP GRAPH <urn:not:there>",
                            headers={**w.auth, "Content-Type": "application/sparql-update"}),
    lambda w: w.client.delete("/rdf-graphs", params={"graph": "urn:not:there"}, headers=w.auth),
])
def test_a_refused_write_leaves_no_entry(writable, send):
    w = writable
    start = seq(w)
    assert send(w).status_code >= 400
    assert (seq(w), since(w, start)) == (start, [])


def test_pages_follow_link_next_oldest_first(writable):
    w = writable
    start = seq(w)
    for i in range(3):
        r = w.client.post("/update", content=f"INSERT DATA {{ <{EX}n{i}> <{EX}p> {i} }}",
                          headers={**w.auth, "Content-Type": "application/sparql-update"})
        assert r.status_code == 204
    seen, url = [], f"{FEED}?since={start}&limit=2"
    pages = 0
    while url:
        r = w.client.get(url)
        assert r.status_code == 200
        seen += [e["added"][0] for e in r.json()["changes"]]
        assert urlsplit(links(r)["first"]).query == f"since={r.json()['floor']}&limit=2"
        url = links(r).get("next")
        pages += 1
    assert (seen, pages) == ([f"{EX}n0", f"{EX}n1", f"{EX}n2"], 2)


def test_since_may_be_an_rfc_3339_time(writable):
    w = writable
    start = seq(w)
    w.client.post("/update", content=f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}",
                  headers={**w.auth, "Content-Type": "application/sparql-update"})
    first = since(w, start)[0]
    w.client.post("/update", content=f"INSERT DATA {{ <{EX}b> <{EX}p> 1 }}",
                  headers={**w.auth, "Content-Type": "application/sparql-update"})
    later = since(w, first["time"])  # changes at or after that time: both
    assert [e["added"] for e in later][-2:] == [[EX + "a"], [EX + "b"]]
    assert since(w, "2999-01-01T00:00:00Z") == []
    assert since(w, first["time"].replace("Z", "+00:00")) == later


@pytest.mark.parametrize("params", [
    {"since": "abc"}, {"since": "-1"}, {"since": "1.5"}, {"since": "1e3"}, {"since": ""}, {"since": " 1"},
    {"since": "2026-13-01T00:00:00Z"}, {"since": "2026-12-01T00:00:00"}, {"since": "2026-12-01"},
    {"since": "\x00"}, {"since": "１"}, {"since": ["1", "2"]},
    {"limit": "0"}, {"limit": "-5"}, {"limit": "100001"}, {"limit": "x"}, {"limit": "99999999999999999999999"},
])
def test_hostile_since_and_limit_are_422_with_a_message(writable, params):
    r = writable.client.get(FEED, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize("point", ["999", "99999999999999999999999999999"])
def test_a_point_after_the_last_change_is_410(writable, point):
    r = writable.client.get(FEED, params={"since": point})
    assert r.status_code == 410 and "harvest the dump again" in r.json()["detail"]


def test_a_point_older_than_the_retained_log_is_410_saying_harvest_the_dump_again(make_writable_env):
    w = make_writable_env(changes_keep_entries=2)
    for i in range(4):
        w.client.post("/update", content=f"INSERT DATA {{ <{EX}n{i}> <{EX}p> {i} }}",
                      headers={**w.auth, "Content-Type": "application/sparql-update"})
    top = seq(w)
    assert [e["seq"] for e in since(w, top - 2)] == [top - 1, top]
    r = w.client.get(FEED, params={"since": "0"})
    assert r.status_code == 410 and "harvest the dump again" in r.json()["detail"]
    r = w.client.get(FEED, params={"since": "2000-01-01T00:00:00Z"})
    assert r.status_code == 410


def test_head_cors_and_conditional_requests(writable):
    w = writable
    r = w.client.get(FEED, headers={"Origin": "https://portal.example"})
    assert r.headers["access-control-allow-origin"] == "*" and r.headers.get("etag")
    head = w.client.head(FEED)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == r.headers["etag"]
    assert w.client.get(FEED, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=PLAIN, headers={**w.auth, **TTL})
    assert w.client.get(FEED, headers={"If-None-Match": r.headers["etag"]}).status_code == 200


def test_the_dump_links_to_the_changes_after_it(writable):
    w = writable
    r = w.client.get("/dump.nq")
    feed = [url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', r.headers["link"])
            if rel == "https://w3id.org/microhe/ontology#changes"]
    assert len(feed) == 1
    assert parse_qs(urlsplit(feed[0]).query) == {"since": [str(seq(w))]}
    assert w.client.head("/dump.nq").headers["link"] == r.headers["link"]
