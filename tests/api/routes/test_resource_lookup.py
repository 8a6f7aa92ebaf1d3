"""``/resource?iri=...``: IRIs outside the served bases (``urn:epass:...`` of real Europass
data, other hosts) are served at one route, HTML and RDF by content negotiation, linked from
the resource pages and the query results page, and declared as ``void:uriLookupEndpoint``.
Hostile input: no IRI, an invalid one, a huge one, one the store does not hold, and
``javascript:``/``data:`` IRIs (never links). Incomplete records are flagged on their page
and in ``/api/credentials``.

Data: the demo store plus the official Europass sample (unsigned, learner stripped, loaded
with ``--profile consistency``; facts by hand in tests/recognition/test_awarded.py:
``urn:epass:qualification:1`` "Digital micro-credential creation", issuer
``urn:epass:org:1`` "University of Zed", no quality assurance: incomplete M11)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.ingest.load import Source, load
from microhe.vocab import DCTERMS, VOID
from tests.demo import demo_copy

from ..conftest import make_settings

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = (ROOT / ".." / "shared" / "anchors" / "esco" / "ELM-Sample-MC-Annex1-unsigned.jsonld").resolve()
BASE = "http://example.org/base/"
MC = "urn:epass:qualification:1"
ORG1 = "urn:epass:org:1"
N = ox.NamedNode
G = N(BASE + "graph/hostile")
HOSTILE_SUBJECT = "javascript:alert(1)"
DATA_IRI = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/anchors is absent")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "href":
                self.hrefs.append(v or "")


def hrefs(html: str) -> list[str]:
    p = Links()
    p.feed(html)
    return p.hrefs


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = demo_copy()
    load(store, [Source(SAMPLE.name, SAMPLE.read_bytes())], profiles=["consistency"], strip_personal=True)
    store.restore([
        ox.Quad(N(HOSTILE_SUBJECT), N(DCTERMS + "title"), ox.Literal("<script>alert(1)</script>"), G),
        ox.Quad(N(HOSTILE_SUBJECT), N(DCTERMS + "relation"), N(MC), G),
        ox.Quad(N(MC), N(DCTERMS + "relation"), N(DATA_IRI), G),
    ])
    app = create_app(make_settings(tmp_path_factory.mktemp("lookup"), base=BASE, warm_indexes=False), store)
    with TestClient(app) as c:
        yield c


def lookup(client, iri: str, accept: str = "text/html", **params):
    return client.get("/resource", params={"iri": iri, **params}, headers={"Accept": accept})


# -- the route ------------------------------------------------------------------------------


def test_an_epass_iri_has_an_html_page(client):
    r = lookup(client, MC)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "Digital micro-credential creation" in r.text
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_an_epass_iri_is_described_in_rdf_by_negotiation(client, accept, fmt):
    r = lookup(client, MC, accept)
    assert r.status_code == 200, r.text
    triples = list(ox.parse(r.content, fmt))
    titles = {t.object.value for t in triples if t.subject == N(MC) and t.predicate == N(DCTERMS + "title")}
    assert titles == {"Digital micro-credential creation"}


def test_format_parameter_and_alternate_links_keep_the_iri(client):
    r = lookup(client, MC, "text/html", format="nt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples")
    page = lookup(client, MC).text
    alternates = [h for h in hrefs(page) if "format=" in h]
    assert alternates
    for h in alternates:
        assert parse_qs(urlsplit(h).query)["iri"] == [MC]
    link = client.get("/resource", params={"iri": MC}, headers={"Accept": "text/turtle"}).headers["link"]
    assert "iri=urn%3Aepass%3Aqualification%3A1" in link and "format=nt" in link


def test_an_iri_under_a_served_base_is_served_too(client):
    r = lookup(client, "https://w3id.org/microhe/demo/org/strathlowe")
    assert r.status_code == 200 and "Strathlowe" in r.text


def test_head_answers_without_a_body(client):
    r = client.head("/resource", params={"iri": MC}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.content == b""


# -- hostile input ---------------------------------------------------------------------------


def test_no_iri_is_a_clear_400(client):
    for params in ({}, {"iri": ""}):
        r = client.get("/resource", params=params)
        assert r.status_code == 400, r.text
        assert "iri" in r.text and "/resource?iri=" in r.text


@pytest.mark.parametrize("bad", ["not an iri", "relative/path", "http://a b", "urn:x:%zz", "<urn:x>"])
def test_an_invalid_iri_is_refused_with_the_reason(client, bad):
    r = client.get("/resource", params={"iri": bad})
    assert r.status_code == 422, r.text
    assert "not an absolute IRI" in r.text


def test_a_huge_iri_is_refused_before_the_store_is_asked(client):
    r = client.get("/resource", params={"iri": "urn:x:" + "a" * 20_000})
    assert r.status_code == 414, r.text
    assert "8192" in r.text


def test_an_iri_the_store_does_not_hold_is_a_404_saying_so(client):
    r = lookup(client, "urn:epass:nothing:here", "text/turtle")
    assert r.status_code == 404
    assert "urn:epass:nothing:here" in r.text and "not described" in r.text


def test_a_javascript_iri_is_shown_as_text_and_never_as_a_link(client):
    r = lookup(client, HOSTILE_SUBJECT)
    assert r.status_code == 200
    assert "<script>" not in r.text  # the title is escaped
    assert not [h for h in hrefs(r.text) if re.match(r"^\s*(javascript|data|vbscript):", h, re.I)]
    # on the page that links to it (incoming) and the one it links to (data: object)
    page = lookup(client, MC).text
    assert HOSTILE_SUBJECT in page and DATA_IRI in page
    assert not [h for h in hrefs(page) if re.match(r"^\s*(javascript|data|vbscript):", h, re.I)]
    assert not [h for h in hrefs(page) if "javascript" in h or "data%3A" in h or "data:" in h]


# -- linked from everywhere ----------------------------------------------------------------


def test_resource_pages_link_epass_iris_to_the_lookup(client):
    page = lookup(client, MC).text
    links = hrefs(page)
    # the incoming link from the achievement, the ISCED-F code (described in the reference
    # graph), the credit point node: all through /resource
    assert "/resource?iri=urn%3Aepass%3AlearningAchievement%3A1" in links
    assert "/resource?iri=urn%3Aepass%3AcreditPoint%3A1" in links
    assert "/resource?iri=http%3A%2F%2Fdata.europa.eu%2Fsnb%2Feqf%2F6" in links
    # local IRIs stay local paths
    org = lookup(client, ORG1).text
    assert "/resource?iri=urn%3Aepass%3Alocation%3A2" in hrefs(org)


def test_the_query_page_links_result_iris_to_the_lookup(client):
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert 'data-resource="/resource"' in page  # read by the editor's script
    script = client.get("/static/sparql/sparql.js").text
    assert 'path = resource + "?iri=" + encodeURIComponent(iri);' in script  # the browser test runs it


def test_void_declares_the_uri_lookup_endpoint(client):
    r = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    quads = list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES))
    found = [q.object for q in quads if q.predicate == N(VOID + "uriLookupEndpoint")]
    assert found == [N(BASE + "resource?iri=")]


# -- incomplete records ----------------------------------------------------------------------


def test_the_page_of_an_incomplete_record_says_what_it_lacks(client):
    page = lookup(client, MC).text
    assert re.search(r'<p class="incomplete"[^>]*><strong>incomplete:\s*M11</strong>', page, re.I)
    complete = client.get("/demo/credential/strathlowe-applied-data-analysis", headers={"Accept": "text/html"}).text
    assert '<p class="incomplete"' not in complete


def test_the_search_api_flags_incomplete_records_and_leaves_complete_ones_alone(client):
    doc = client.get("/api/credentials", params={"text": "Digital micro-credential creation"}).json()
    [hit] = doc["results"]
    assert hit["iri"] == MC and hit["incomplete"] == ["M11"] and hit["country"] == "IRL"
    demo = client.get("/api/credentials", params={"text": "Applied data analysis"}).json()
    assert demo["results"] and all("incomplete" not in h for h in demo["results"])


def test_compare_flags_an_incomplete_credential(client):
    r = client.post("/api/recognition/compare", json={
        "credential": MC, "requirements": {"eqf": 6, "ects": 2}})
    assert r.status_code == 200, r.text
    assert r.json()["credential"]["incomplete"] == ["M11"]


def test_a_browser_asking_for_an_unknown_iri_gets_a_404_page_with_the_way_out(client):
    r = lookup(client, "https://example.org/elsewhere?a=1&b='2'")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "not described in this store" in r.text
    assert "https://example.org/elsewhere?a=1&b='2'" in hrefs(r.text)  # escaped in the page, a link
    r = lookup(client, "javascript:alert(9)")
    assert r.status_code == 404 and "javascript:alert(9)" in r.text
    assert not [h for h in hrefs(r.text) if h.lower().startswith("javascript")]
