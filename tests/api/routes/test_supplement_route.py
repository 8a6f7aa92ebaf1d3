"""``GET <credential page>/supplement`` (issue 19) over the demo store: HTML, PDF and JSON-LD
by Accept and ?format=, the language of the pages, every credential page linking its
supplement, and hostile input (an unknown IRI, an IRI that is no specification, a title
with markup, path traversal, an unknown format). Golden facts from the demo Turtle."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.api.http.csp import POLICY
from microhe.settings import Settings
from microhe.vocab import DCTERMS, ELM, RDF
from tests.demo import demo_copy

DEMO = "https://w3id.org/microhe/demo/"
PAGE = "/demo/credential/dhbw-python-data-wrangling"
BASE = "http://kg.example/"
N = ox.NamedNode


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = demo_copy()
    g = N(DEMO + "graph/evil")
    evil = N(BASE + "credential/evil")
    store.restore([ox.Quad(evil, N(RDF + "type"), N(ELM + "Qualification"), g),
                   ox.Quad(evil, N(DCTERMS + "title"), ox.Literal("<script>alert(1)</script>", language="en"), g)])
    app = create_app(Settings(store=tmp_path_factory.mktemp("s") / "unused", base=BASE), store)
    with TestClient(app) as c:
        yield c


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1]))


def test_html_by_default_with_the_policy_and_the_stylesheet(client):
    r = client.get(PAGE + "/supplement", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == POLICY  # the strict policy: no inline style
    assert "<style" not in r.text and 'href="/supplement.css"' in r.text
    text = _text(r.text)
    for fact in ("1. Information identifying the holder", "8. Information on the national qualifications system",
                 "Data wrangling with Python", "EQF 6", "5 ECTS"):
        assert fact in text
    css = client.get("/supplement.css")
    assert css.status_code == 200 and "size: A4" in css.text


def test_pdf_and_jsonld_by_accept_and_by_format(client):
    for kw in ({"headers": {"Accept": "application/pdf"}}, {"params": {"format": "pdf"}}):
        r = client.get(PAGE + "/supplement", **kw)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
        assert 'filename="dhbw-python-data-wrangling-supplement.pdf"' in r.headers["content-disposition"]
    for kw in ({"headers": {"Accept": "application/ld+json"}}, {"params": {"format": "jsonld"}}):
        r = client.get(PAGE + "/supplement", **kw)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
        quads = list(ox.parse(r.content, ox.RdfFormat.JSON_LD))
        assert ox.Triple(N(DEMO + "credential/dhbw-python-data-wrangling"), N(ELM + "EQFLevel"),
                         N("http://data.europa.eu/snb/eqf/6")) in [q.triple for q in quads]
    assert client.get(PAGE + "/supplement", headers={"Accept": "image/png"}).status_code == 406
    r = client.get(PAGE + "/supplement", params={"format": "docx"})
    assert r.status_code == 406 and "html, pdf, jsonld" in r.json()["detail"]


def test_the_language_of_the_pages(client):
    r = client.get(PAGE + "/supplement", params={"lang": "de"})
    assert r.headers["content-language"] == "de" and '<html lang="de"' in r.text
    assert "Angaben zur Person des Inhabers" in r.text


def test_every_credential_page_links_its_supplement(client):
    r = client.get(PAGE, headers={"Accept": "text/html"})
    assert f'href="{PAGE}/supplement"' in r.text
    r = client.get("/resource", params={"iri": DEMO + "credential/dhbw-python-data-wrangling"}, headers={"Accept": "text/html"})
    encoded = "https%3A%2F%2Fw3id.org%2Fmicrohe%2Fdemo%2Fcredential%2Fdhbw-python-data-wrangling"
    assert f'href="/resource/supplement?iri={encoded}"' in r.text
    r = client.get("/resource/supplement", params={"iri": DEMO + "credential/dhbw-python-data-wrangling"})
    assert r.status_code == 200 and "Data wrangling with Python" in r.text


def test_unknown_and_non_specification_iris(client):
    r = client.get("/demo/credential/no-such-thing/supplement")
    assert r.status_code == 404 and "not described" in r.json()["detail"]
    r = client.get("/ref/org/dhbw/supplement")
    assert r.status_code == 422 and "not a micro-credential specification" in r.json()["detail"]
    r = client.get("/resource/supplement", params={"iri": "not an iri"})
    assert r.status_code == 422
    assert client.get("/resource/supplement").status_code == 400


def test_a_hostile_title_is_escaped_on_the_base_route(client):
    r = client.get("/credential/evil/supplement", params={"lang": "en"})
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "missing (Council Recommendation 2022, M4)" in _text(r.text)
    j = client.get("/credential/evil/supplement", params={"format": "jsonld"}).json()
    assert "M4" in j["@graph"][0]["mhe:missingElement"]


@pytest.mark.parametrize("path", ["/demo/..%2F..%2Fetc%2Fpasswd/supplement", "/demo/%2e%2e/%2e%2e/etc/passwd/supplement",
                                  "/..%2F..%2Fetc%2Fpasswd/supplement", "/static/..%2F..%2Fsettings.py/supplement"])
def test_path_traversal_finds_nothing(client, path):
    r = client.get(path)
    assert r.status_code in (400, 404), (r.status_code, r.text[:200])
    assert "root:" not in r.text and "BaseSettings" not in r.text


def test_head(client):
    r = client.head(PAGE + "/supplement", params={"format": "jsonld"})
    assert r.status_code == 200 and r.content == b"" and int(r.headers["content-length"]) > 100
    json.loads(client.get(PAGE + "/supplement", params={"format": "jsonld"}).content)
