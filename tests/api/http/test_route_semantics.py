"""RFC 9110 semantics and CORS on every route, generated from the app's own route table
(so a route added later is covered without touching this file; a new path parameter
without a sample value fails :func:`test_every_path_parameter_has_a_sample`):

* HEAD answers like GET (status, Content-Type, Content-Length) with no body;
* a method the path does not route answers 405 with ``Allow`` = the methods the route
  table has for the path (HEAD beside GET, and OPTIONS); OPTIONS answers the same ``Allow``;
* a response that depends on ``Accept`` says so (``Vary: Accept``), 406 included;
* every read can be fetched cross-origin (``Access-Control-Allow-Origin``); no write can
  unless an origin is configured; a configured origin list is echoed with ``Vary: Origin``;
* resource pages, VoID, the dump and Graph Store reads carry ETag/Last-Modified and answer
  304 to a matching condition; a write changes the ETag.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.api.http.cors import _needs_writer
from microhe.api.http.semantics import route_leaves
from microhe.settings import Settings
from tests.demo import demo_copy

BASE = "http://127.0.0.1:8000/"
CREDENTIAL = "credential/strathlowe-applied-data-analysis"
#: A value for every path parameter of the route table.
SAMPLES = {"code": "SCQF", "name": "no-such-query", "path": "nothing/here", "rest": CREDENTIAL,
           "source_format": "edc", "target": "schemaorg", "key": "00000000-0000-4000-8000-000000000000"}
#: Per template, a better sample than the generic one (a path that exists).
BY_TEMPLATE = {"/ref/{rest:path}": "/ref/credit-system/ECTS", "/rdf-graphs/{path:path}": "/rdf-graphs/nothing"}
ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ACCEPTS = ["text/html", "application/json", "text/turtle", "application/ld+json", "application/x-nothing"]


def _app(store, **settings):
    return create_app(Settings(store="/tmp/microhe-unused-store", base=BASE, warm_indexes=False, **settings), store)


@pytest.fixture(scope="module")
def client(demo_store):
    with TestClient(_app(demo_store)) as c:
        yield c


APP = _app(demo_copy())
LEAVES = [r for r in route_leaves(APP.router.routes) if isinstance(r, APIRoute)]


def concrete(template: str) -> str:
    if template in BY_TEMPLATE:
        return BY_TEMPLATE[template]
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLES[m.group(1)], template)


def _table() -> dict[str, set[str]]:
    """Path template -> the methods the route table has for it."""
    out: dict[str, set[str]] = {}
    for r in LEAVES:
        out.setdefault(r.path, set()).update(r.methods or ())
    return out


TABLE = _table()
GET_PATHS = sorted({concrete(t) for t, ms in TABLE.items() if "GET" in ms} | {"/static/microhe.css"})
WRITES = sorted({(concrete(r.path), m) for r in LEAVES if _needs_writer(r.dependant) for m in r.methods or ()})


def expected_allow(template: str) -> list[str]:
    methods = set(TABLE[template]) | {"OPTIONS"}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods, key=ORDER.index)


def test_every_path_parameter_has_a_sample():
    names = {n for t in TABLE for n in re.findall(r"\{(\w+)", t)}
    assert names <= set(SAMPLES), f"give tests/api/http/test_route_semantics.py a sample for {names - set(SAMPLES)}"
    assert len(GET_PATHS) > 40 and WRITES  # the table was read


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_answers_like_get(client, path):
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code, (path, head.status_code, get.status_code)
    assert head.content == b""
    assert head.headers.get("content-type") == get.headers.get("content-type")
    if "content-length" in get.headers:
        assert head.headers.get("content-length") == get.headers["content-length"]


@pytest.mark.parametrize("template", sorted(TABLE))
def test_405_and_options_name_the_methods_of_the_route_table(client, template):
    path, allow = concrete(template), expected_allow(template)
    refused = next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in allow)
    r = client.request(refused, path)
    assert r.status_code == 405, (refused, path, r.status_code)
    assert r.headers["allow"] == ", ".join(allow)
    r = client.options(path)
    assert r.status_code in (200, 204) and r.headers["allow"] == ", ".join(allow)


@pytest.mark.parametrize("path", GET_PATHS)
def test_negotiated_answers_vary_on_accept(client, path):
    answers = {a: client.get(path, headers={"Accept": a}) for a in ACCEPTS}
    types = {r.headers.get("content-type", "").split(";")[0] for r in answers.values() if r.status_code < 300}
    negotiated = len(types) > 1 or any(r.status_code == 406 for r in answers.values())
    if negotiated:
        for accept, r in answers.items():
            vary = {v.strip().lower() for v in r.headers.get("vary", "").split(",")}
            assert "accept" in vary, (path, accept, r.status_code, r.headers.get("vary"))


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_read_is_open_to_any_origin(client, path):
    r = client.get(path, headers={"Origin": "https://portal.example"})
    assert r.headers.get("access-control-allow-origin") == "*", (path, r.status_code)
    assert "ETag" in r.headers.get("access-control-expose-headers", "")


@pytest.mark.parametrize("path, method", WRITES)
def test_no_write_is_open_cross_origin_by_default(client, path, method):
    r = client.options(path, headers={"Origin": "https://portal.example", "Access-Control-Request-Method": method,
                                      "Access-Control-Request-Headers": "authorization, content-type"})
    assert "access-control-allow-origin" not in r.headers, (path, method)
    r = client.request(method, path, headers={"Origin": "https://portal.example"}, follow_redirects=False)
    assert "access-control-allow-origin" not in r.headers, (path, method, r.status_code)


def test_a_read_preflight_names_authorization(client):
    r = client.options("/api/credentials", headers={"Origin": "https://portal.example",
                                                    "Access-Control-Request-Method": "GET",
                                                    "Access-Control-Request-Headers": "authorization"})
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
    assert "authorization" in [h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")]


def test_configured_origins_are_echoed_with_vary_origin_and_writes_only_when_listed(demo_store):
    app = _app(demo_store, cors_origins="https://portal.example", cors_write_origins="https://admin.example")
    with TestClient(app) as c:
        r = c.get("/.well-known/void", headers={"Origin": "https://portal.example"})
        assert r.headers["access-control-allow-origin"] == "https://portal.example"
        assert "origin" in r.headers["vary"].lower()
        r = c.get("/.well-known/void", headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in r.headers and "origin" in r.headers["vary"].lower()
        pre = {"Access-Control-Request-Method": "PUT"}
        r = c.options("/rdf-graphs", headers={"Origin": "https://portal.example", **pre})
        assert "access-control-allow-origin" not in r.headers
        r = c.options("/rdf-graphs", headers={"Origin": "https://admin.example", **pre})
        assert r.headers["access-control-allow-origin"] == "https://admin.example"


@pytest.mark.parametrize("bad", ["portal.example", "https://portal.example/path", "ftp://x"])
def test_a_malformed_origin_setting_is_refused(bad):
    with pytest.raises(ValueError, match="neither"):
        Settings(cors_origins=bad)


CONDITIONAL = ["/demo/" + CREDENTIAL, "/ref/credit-system/ECTS", "/ontology", "/.well-known/void",
               "/resource?iri=https%3A%2F%2Fw3id.org%2Fmicrohe%2Fdemo%2F" + CREDENTIAL.replace("/", "%2F"),
               "/rdf-graphs?graph=https%3A%2F%2Fw3id.org%2Fmicrohe%2Fdemo%2Fgraph%2Fcredentials"]


@pytest.mark.parametrize("path", CONDITIONAL)
def test_validators_and_304(client, path):
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, (path, r.text[:200])
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    again = client.get(path, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    since = client.get(path, headers={"Accept": "text/turtle", "If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get(path, headers={"Accept": "application/ld+json", "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag  # one ETag per representation
    stale = client.get(path, headers={"Accept": "text/turtle", "If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == r.content


def test_a_write_changes_the_etag(scratch_store):
    with TestClient(_app(scratch_store)) as c:
        before = c.get("/.well-known/void").headers["etag"]
        scratch_store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "c" } }')
        r = c.get("/.well-known/void", headers={"If-None-Match": before})
        assert r.status_code == 200 and r.headers["etag"] != before
