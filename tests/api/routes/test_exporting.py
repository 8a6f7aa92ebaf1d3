"""GET /api/export/{format}?iri=: the exporters over HTTP, the credential page's links and
its schema.org data block; malformed and hostile requests get a clear 4xx and change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.settings import Settings
from tests.demo import demo_copy

SPEC = "https://w3id.org/microhe/demo/credential/dhbw-python-data-wrangling"
ORG = "https://w3id.org/microhe/ref/org/dhbw"  # its awarding body
FORMATS = ("elm", "ob3", "ctdl", "schemaorg")


@pytest.fixture(scope="module")
def store():
    return demo_copy()


@pytest.fixture(scope="module")
def client(store, tmp_path_factory) -> Iterator[TestClient]:
    settings = Settings(store=tmp_path_factory.mktemp("export") / "unused", base="https://w3id.org/microhe/demo/")
    with TestClient(create_app(settings, store)) as c:
        yield c


def url(fmt: str, *iris: str, **params: str) -> str:
    q = "&".join([f"iri={quote(i, safe='')}" for i in iris] + [f"{k}={quote(v)}" for k, v in params.items()])
    return f"/api/export/{fmt}?{q}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_answers_the_document_and_the_loss_summary(client, fmt):
    r = client.get(url(fmt, SPEC))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/ld+json")
    doc = r.json()
    assert doc["@context"]
    text = json.dumps(doc)
    assert SPEC in text and "Python" in text
    summary = json.loads(r.headers["x-microhe-export-lost"])
    assert summary["lost"] == len(client.get(url(fmt, SPEC, report="true")).json()["lost"])


def test_the_loss_report_names_what_the_format_cannot_hold(client):
    """The demo specification holds an ECTS value (5) and an assessment: schema.org has no
    place for either; ELM holds both (loses only the stack, which it wants in full)."""
    lost = client.get(url("schemaorg", SPEC, report="true")).json()["lost"]
    fields = {x["field"] for x in lost}
    assert {"ECTS", "assessment", "mode"} <= fields
    assert any(x["field"] == "ECTS" and x["value"] == "5" for x in lost)
    elm_fields = {x["field"] for x in client.get(url("elm", SPEC, report="true")).json()["lost"]}
    assert elm_fields <= {"part of", "has part"}


def test_several_iris_give_an_array(client):
    other = "https://w3id.org/microhe/demo/credential/dhbw-statistics-for-data-science"
    r = client.get(url("ctdl", SPEC, other))
    assert r.status_code == 200 and [d["@graph"][0]["@id"] for d in r.json()] == [SPEC, other]


@pytest.mark.parametrize(("path", "status", "says"), [
    (url("pdf", SPEC), 422, "unknown export format 'pdf'; known: elm, ob3, ctdl, schemaorg"),
    ("/api/export/elm", 422, "give at least one specification IRI"),
    (url("elm", "https://w3id.org/microhe/demo/credential/no-such-thing"), 404, "is not in the graph"),
    (url("elm", ORG), 422, "is not a specification"),
    (url("elm", "not an iri"), 422, "is not an absolute IRI"),
    (url("elm", "relative/path"), 422, "is not an absolute IRI"),
    (url("elm", SPEC + "> } ; DROP ALL ; <x"), 422, "is not an absolute IRI"),
    (url("elm", 'https://example.org/"><script>alert(1)</script>'), 422, "is not an absolute IRI"),
    (url("elm", "https://example.org/a\nb"), 422, "is not an absolute IRI"),
    (url("elm", SPEC, report="maybe"), 400, "?report= takes true or false"),
])
def test_bad_requests_are_refused_clearly(client, store, path, status, says):
    before = store.dump_bytes()
    r = client.get(path)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"  # a message as data, never markup
    assert says in r.json()["detail"]
    assert store.dump_bytes() == before


def test_a_token_in_the_url_is_refused(client):
    r = client.get(url("elm", SPEC, access_token="x"))
    assert r.status_code == 400 and "never accepted in the URL" in r.text


def test_too_many_iris_are_refused_before_any_is_read(client):
    r = client.get(url("elm", *[f"https://example.org/{i}" for i in range(51)]))
    assert r.status_code == 422 and "51 IRIs exceed the limit of 50" in r.json()["detail"]


class _Scripts(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[dict, str]] = []
        self.links: list[str] = []
        self._open: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self._open = a
            self.blocks.append((a, ""))
        if tag == "a" and "href" in a:
            self.links.append(a["href"])

    def handle_data(self, data):
        if self._open is not None:
            a, text = self.blocks[-1]
            self.blocks[-1] = (a, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def test_the_credential_page_links_the_exports_and_embeds_schemaorg(client):
    r = client.get("/resource?iri=" + quote(SPEC, safe=""), headers={"Accept": "text/html"})
    assert r.status_code == 200
    page = _Scripts(r.text)
    exports = {urlsplit(h).path: parse_qs(urlsplit(h).query) for h in page.links if "/api/export/" in h}
    assert exports == {f"/api/export/{fmt}": {"iri": [SPEC]} for fmt in FORMATS}
    [block] = [text for a, text in page.blocks if a.get("type") == "application/ld+json"]
    embedded = json.loads(block)
    exported = client.get(url("schemaorg", SPEC)).json()
    assert embedded["@type"] == exported["@type"] == "EducationalOccupationalCredential"
    assert embedded["@id"] == exported["@id"] == SPEC
    assert embedded["name"] == exported["name"]
    assert embedded["provider"]["@id"] == exported["provider"]["@id"] == ORG  # named by the page's label
    assert embedded["provider"]["address"] == exported["provider"]["address"]
    assert embedded["educationalLevel"] == exported["educationalLevel"]
    assert [c["name"] for c in embedded["competencyRequired"]] == [c["name"] for c in exported["competencyRequired"]]
    assert embedded.get("timeRequired") == exported.get("timeRequired")
