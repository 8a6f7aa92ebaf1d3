"""IRIs from the data become links on HTML pages only when they are http, https or mailto
IRIs (or served here): a ``javascript:`` or ``data:`` IRI loaded into the store is shown
as text, never as a clickable link (the query page's script: tests/web/test_browser.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.publish.names import safe_href
from microhe.store.embedded import Store

from ..conftest import make_settings

BASE = "http://example.org/base/"
N = ox.NamedNode
THING = N(BASE + "thing/x")
G = N(BASE + "graph/g")
HOSTILE = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
           "vbscript:msgbox(1)", "file:///etc/passwd"]
FINE = ["http://example.org/a", "https://example.org/b", "mailto:someone@example.org"]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src", "action", "formaction"):
                self.hrefs.append(v or "")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    store = Store()
    quads = [ox.Quad(THING, N("http://example.org/p"), N(iri), G) for iri in HOSTILE + FINE]
    quads += [ox.Quad(THING, N("javascript:alert(2)"), ox.Literal("a property IRI"), G),
              ox.Quad(THING, N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), N("javascript:alert(3)"), G),
              ox.Quad(N("javascript:alert(4)"), N("http://example.org/links"), THING, G)]  # an incoming link
    store.restore(quads)
    app = create_app(make_settings(tmp_path_factory.mktemp("links"), base=BASE, warm_indexes=False), store)
    r = TestClient(app).get("/thing/x", headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    return r.text


def test_no_link_on_a_resource_page_has_a_dangerous_scheme(page):
    parser = Links()
    parser.feed(page)
    assert parser.hrefs
    bad = [h for h in parser.hrefs if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", h)
           and not re.match(r"^(https?|mailto):", h, re.I)]
    assert bad == []


def test_dangerous_iris_are_shown_as_text(page):
    for iri in ["javascript:alert(1)", "javascript:alert(2)", "javascript:alert(3)", "javascript:alert(4)",
                "vbscript:msgbox(1)"]:
        assert iri in page


def test_http_https_and_mailto_iris_stay_links(page):
    parser = Links()
    parser.feed(page)
    for iri in FINE:
        assert iri in parser.hrefs


@pytest.mark.parametrize("iri,expected", [
    ("http://example.org/", "http://example.org/"), ("HTTPS://example.org/", "HTTPS://example.org/"),
    ("mailto:a@example.org", "mailto:a@example.org"), ("javascript:alert(1)", None),
    ("data:text/html,x", None), ("urn:isbn:123", None), ("ftp://example.org/", None),
])
def test_safe_href(iri, expected):
    assert safe_href(iri) == expected
