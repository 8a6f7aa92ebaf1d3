"""Rules every route applies to the request URL (microhe.api.http.urlguard), whatever the route:

* the query string must be valid UTF-8 once percent-decoded: the same bytes are refused
  in a POST body, so they are refused in a GET too, never silently replaced by U+FFFD
  and run;
* a credential in the URL (``?access_token=``, ``?token=`` ...) is refused with 400 on
  every route, read or write: tokens travel only in the ``Authorization`` header.

Every refusal leaves the store unchanged (sorted N-Quads dump before and after).
"""

from __future__ import annotations

import pytest

from ..writes import PLAIN, make_writable

ASK = "ASK%7B%7D"  # ASK{}


@pytest.fixture(scope="module")
def w(tmp_path_factory, reference_quads):
    w = make_writable(tmp_path_factory.mktemp("url-rules"), reference_quads, warm_indexes=False)
    yield w
    w.client.__exit__(None, None, None)


# -- invalid UTF-8 in the query string ---------------------------------------------------

BAD_UTF8 = [
    f"/sparql?query=%FF{ASK}",                      # the query itself
    f"/sparql?query={ASK}&default-graph-uri=%C3%28",  # another parameter (a broken 2-byte sequence)
    "/api/credentials?text=caf%E9",                 # Latin-1 é on a JSON route
    "/rdf-graphs?graph=http://example.org/%ED%A0%80",  # an encoded surrogate
    "/demo/credential/x?format=%FF",                # the linked-data catch-all
]


@pytest.mark.parametrize("url", BAD_UTF8)
def test_invalid_utf8_in_the_query_string_is_refused_on_every_route(w, url):
    before = w.dump()
    r = w.client.get(url)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert "not valid UTF-8" in r.text and "query string" in r.text
    assert w.dump() == before


def test_the_same_bytes_are_refused_in_get_and_post(w):
    post = w.client.post("/sparql", content=f"query=%FF{ASK}".encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    get = w.client.get(f"/sparql?query=%FF{ASK}")
    assert (post.status_code, get.status_code) == (400, 400)


def test_valid_utf8_and_plain_text_pass(w):
    r = w.client.get("/sparql?query=ASK%7B%3Fs%20%3Fp%20%22caf%C3%A9%22%7D",
                     headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is False


def test_an_update_with_invalid_utf8_in_its_url_writes_nothing(w):
    before = w.dump()
    r = w.client.post("/update?using-graph-uri=http://example.org/%FF", headers={
        **w.auth, "Content-Type": "application/sparql-update"},
        content=b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    assert r.status_code == 400 and "UTF-8" in r.text
    assert w.dump() == before


# -- tokens only in the Authorization header ---------------------------------------------

TOKEN_IN_URL = [
    ("GET", f"/sparql?query={ASK}&access_token=SECRET"),
    ("GET", "/rdf-graphs?default&access_token=SECRET"),
    ("GET", "/api/credentials?token=SECRET"),
    ("GET", "/.well-known/void?ACCESS_TOKEN=SECRET"),
    ("POST", "/update?access_token=SECRET"),
    ("PUT", "/rdf-graphs?graph=http://example.org/g&access_token=SECRET"),
]


@pytest.mark.parametrize("method,url", TOKEN_IN_URL)
def test_a_token_in_the_url_is_refused_with_400_on_every_route(w, method, url):
    before = w.dump()
    headers = {**w.auth, "Content-Type": "application/sparql-update" if "update" in url else "text/turtle"}
    body = b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }" if "update" in url else PLAIN.encode()
    r = w.client.request(method, url, headers=headers, content=body if method != "GET" else None)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert "Authorization: Bearer" in r.text and "URL" in r.text
    assert "SECRET" not in r.text  # the message never echoes the credential
    assert w.dump() == before


def test_a_valid_token_in_the_header_still_writes(w):
    r = w.client.post("/update", headers={**w.auth, "Content-Type": "application/sparql-update"},
                      content=b"INSERT DATA { GRAPH <http://example.org/url-rules> "
                              b"{ <http://example.org/s> <http://example.org/p> 1 } }")
    assert r.status_code == 204, r.text


def test_every_operation_documents_the_plain_text_refusal_also_beside_its_own_400(w):
    """An operation with its own 400 (JSON) may still get the URL guard's plain-text 400
    (schemathesis found ``GET /resource?apikey=`` answered text/plain, undeclared)."""
    doc = w.client.get("/openapi.json").json()
    missing = [(path, method) for path, item in doc["paths"].items() for method, op in item.items()
               if method in ("get", "put", "post", "delete") and "text/plain" not in op["responses"]["400"]["content"]]
    assert missing == []
    r = w.client.get("/resource", params={"iri": "https://w3id.org/microhe/ref/", "apikey": "x"})
    assert (r.status_code, r.headers["content-type"].split(";")[0]) == (400, "text/plain")
