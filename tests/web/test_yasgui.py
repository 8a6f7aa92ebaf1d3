"""The SPARQL page (YASGUI), /docs (Swagger UI) and /redoc (ReDoc) in a real browser, offline.

Playwright drives Debian's Chromium (``executable_path``; no browser is downloaded) against
the app over the demo store, served by uvicorn on a free 127.0.0.1 port. Every response
gets a strict Content-Security-Policy unless the route set its own (/redoc): the policy a
site-wide middleware is expected to send, so the tests also measure what the vendored
widgets need (vendor/README.md). Each page records:

* every request; a route aborts (and records) any request for a host other than 127.0.0.1,
  so "nothing reached the network" means that list is empty, and any other foreign request
  must have been refused by the page's policy before it was sent;
* every ``securitypolicyviolation``.

Without Chromium or Playwright the tests skip, as the other browser tests do.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import urlopen

import pytest
from api.conftest import serve

from microhe.api import create_app
from microhe.queries.catalogue import catalogue
from microhe.settings import Settings
from tests.demo import demo_copy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="the chromium binary is not installed (apt-get install -y chromium)"),
]

#: The policy a site-wide middleware sends (no inline script or style, nothing from elsewhere).
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

EQF_LEVELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mhe: <https://w3id.org/microhe/ontology#>
SELECT ?level ?notation ?name WHERE {
  ?level skos:inScheme/skos:notation "EQF" ; a mhe:FrameworkLevel ;
         skos:notation ?notation ; skos:prefLabel ?name ; mhe:levelRank ?rank .
} ORDER BY ?rank"""

CREDENTIAL = "https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis"
BY_TITLE = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?credential WHERE { ?credential dcterms:title "Applied data analysis"@en }"""

MISSING_PREFIX = "SELECT ?c WHERE {\n  ?c a mhe:Credential }"


class WithCSP:
    """The app with STRICT_CSP on every response that has no policy of its own."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def send_with_policy(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", STRICT_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    settings = Settings(store=tmp_path_factory.mktemp("yasgui") / "unused-store", base="http://127.0.0.1:8000/")
    with serve(WithCSP(create_app(settings, demo_copy()))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                              "--disable-background-networking"])
        yield b
        b.close()


class Visit:
    """A fresh page that records requests, foreign requests that reached the network layer,
    failures and CSP violations."""

    def __init__(self, browser, site: str, *, javascript: bool = True, width: int = 1280):
        self.site = site
        self.context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 1000})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.escaped: list[str] = []  # foreign requests that got as far as the network: must stay empty
        self.failed: dict[str, str] = {}
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.__setitem__(r.url, r.failure or ""))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route("**/*", self._route)
        self.page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                                  "e => window.__csp.push([e.effectiveDirective, e.sourceFile]));")

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.escaped.append(route.request.url)
            route.abort()

    def foreign(self) -> dict[str, str]:
        """Requests for anything but this server (and blob:/data: URLs), with their failure."""
        return {u: self.failed.get(u, "not refused") for u in self.requests
                if not u.startswith((self.site, "blob:", "data:"))}

    def violations(self) -> list[list[str]]:
        return self.page.evaluate("window.__csp || []")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, site) -> Iterator:
    opened: list[Visit] = []

    def open_(**kw) -> Visit:
        v = Visit(browser, site, **kw)
        opened.append(v)
        return v

    yield open_
    for v in opened:
        v.close()


def yasgui_rows(page) -> list[list[str]]:
    return page.evaluate("[...document.querySelectorAll('.yasr table.dataTable tbody tr')]"
                         ".map(tr => [...tr.querySelectorAll('td')].slice(1).map(td => td.textContent.trim()))")


def assert_offline(v: Visit) -> None:
    assert v.escaped == [], "a request reached the network"
    assert all(why == "csp" for why in v.foreign().values()), v.foreign()


def assert_only_known_violations(v: Visit) -> None:
    """YASGUI's column resizer inserts a <style> element (refused; its rules are in sparql.css)."""
    assert all(d == "style-src-elem" and s.endswith("/static/vendor/yasgui/yasgui.min.js")
               for d, s in v.violations()), v.violations()


# -- the SPARQL page -------------------------------------------------------------------------------


def test_the_page_draws_yasgui_and_runs_the_query_in_its_url(visit, site):
    v = visit()
    v.page.goto(f"{site}/sparql?query={quote(EQF_LEVELS)}")
    v.page.wait_for_function("() => document.querySelectorAll('.yasr table.dataTable tbody tr').length === 8")
    heads = v.page.evaluate("[...document.querySelectorAll('.yasr table.dataTable thead th')]"
                            ".map(th => th.textContent.trim()).filter(Boolean)")
    assert heads == ["level", "notation", "name"]
    rows = yasgui_rows(v.page)
    assert [r[1] for r in rows] == [str(n) for n in range(1, 9)]
    assert all(r[2].startswith(f'"Level {n}"') for n, r in zip(range(1, 9), rows, strict=True))
    # the editor holds the query; the plain form is hidden
    assert v.page.evaluate("microheYasgui.getTab().getQuery()") == EQF_LEVELS
    assert v.page.evaluate("document.getElementById('plain').hidden") is True
    assert v.page.locator("#yasgui").is_visible()
    # one endpoint: the tab queries this server, whatever is typed in an endpoint field
    assert v.page.evaluate("microheYasgui.getTab().getYasqe().config.requestConfig().endpoint") == f"{site}/sparql"
    assert v.page.locator("#yasgui .autocompleteWrapper").count() in (0, 1)
    assert not v.page.locator("#yasgui .autocompleteWrapper").first.is_visible()
    assert v.errors == []
    assert_offline(v)
    assert_only_known_violations(v)


def test_a_result_iri_published_here_links_to_the_local_page_and_opens_it(visit, site):
    v = visit()
    v.page.goto(f"{site}/sparql?query={quote(BY_TITLE)}")
    link = v.page.locator(".yasr table.dataTable tbody a").first
    link.wait_for()
    assert link.get_attribute("href") == "/demo/credential/strathlowe-applied-data-analysis"
    assert link.get_attribute("data-iri") == CREDENTIAL
    with v.page.expect_navigation():
        link.click()
    assert v.page.url == f"{site}/demo/credential/strathlowe-applied-data-analysis"
    assert v.page.locator("h1").first.text_content().strip() == "Applied data analysis"
    assert v.escaped == []


def test_iris_published_elsewhere_open_the_lookup_route(visit, site):
    """An IRI this server does not publish opens /resource?iri= (what this store holds about
    it, with a link to the IRI's own address), as the server-drawn results do."""
    v = visit()
    v.page.goto(f"{site}/sparql?query={quote(EQF_LEVELS)}")
    v.page.wait_for_function("() => document.querySelectorAll('.yasr table.dataTable tbody a').length >= 8")
    hrefs = v.page.evaluate("[...document.querySelectorAll('.yasr table.dataTable tbody td:nth-child(2) a')]"
                            ".map(a => a.getAttribute('href'))")
    assert hrefs == ["/resource?iri=" + quote(f"http://data.europa.eu/snb/eqf/{n}", safe="") for n in range(1, 9)]
    # the rule set is the server's local_href: spot checks of the page's function
    local = v.page.evaluate("[microheLocalPath('https://w3id.org/microhe/ontology'), "
                            "microheLocalPath('https://w3id.org/microhe/ontology#Credential'), "
                            "microheLocalPath('https://w3id.org/microhe/ref/framework/SCQF'), "
                            "microheLocalPath('http://127.0.0.1:8000/credential/x'), "
                            "microheLocalPath('https://w3id.org/microhe/ontologyX')]")
    assert local == ["/ontology", "/ontology#Credential", "/ref/framework/SCQF", "/credential/x", None]


def test_a_named_query_opens_in_its_own_tab_and_runs(visit, site):
    name = "credential-facets"
    query = catalogue()[name]
    assert not query.params
    v = visit()
    v.page.goto(f"{site}/sparql")
    v.page.locator("#yasgui .yasqe").first.wait_for()
    v.page.click(f"a.example[data-name='{name}']")
    assert v.page.url == f"{site}/sparql"  # the link's own navigation is prevented
    assert v.page.evaluate("microheYasgui.getTab().getName()") == name
    assert v.page.evaluate("microheYasgui.getTab().getQuery()") == query.text
    assert v.page.evaluate("Object.keys(microheYasgui._tabs).length") == 2
    v.page.locator(".tabPanel.active .yasqe_queryButton").click()
    v.page.wait_for_function("() => document.querySelectorAll('.tabPanel.active .yasr table.dataTable tbody tr').length > 0")
    # the same query again selects its tab instead of opening another
    v.page.click(f"a.example[data-name='{name}']")
    assert v.page.evaluate("Object.keys(microheYasgui._tabs).length") == 2
    assert_offline(v)


def test_prefix_completion_uses_the_instance_prefixes(visit, site):
    v = visit()
    v.page.goto(f"{site}/sparql")
    v.page.locator("#yasgui .yasqe").first.wait_for()
    assert v.page.evaluate("microheYasgui.getTab().getYasqe().config.autocompleters") == \
        ["instancePrefixes", "variables"]
    # typing a prefixed name adds its PREFIX line from this instance's table
    v.page.evaluate("(() => { const y = microheYasgui.getTab().getYasqe(); y.setValue('SELECT * WHERE {\\n}');"
                    " y.focus(); y.getDoc().setCursor({line: 0, ch: 16}); })()")
    v.page.keyboard.type(" ?s a mhe:")
    v.page.wait_for_function("() => microheYasgui.getTab().getQuery().indexOf('PREFIX mhe:') >= 0")
    assert "PREFIX mhe: <https://w3id.org/microhe/ontology#>" in v.page.evaluate("microheYasgui.getTab().getQuery()")
    assert_offline(v)


def test_a_syntax_error_shows_line_and_column(visit, site):
    v = visit()
    v.page.goto(f"{site}/sparql?query={quote(MISSING_PREFIX)}")
    err = v.page.locator(".yasr .errorResult")
    err.wait_for()
    text = " ".join(err.text_content().split())
    # its "try" link goes to this server's page for the same query
    try_link = v.page.locator(".yasr .errorResult a.yasr_tryQuery")
    if try_link.count():
        assert try_link.first.get_attribute("href").startswith(f"{site}/sparql?")
    assert 'SPARQL syntax error: line 2, column 8: the prefix "mhe:" is not declared' in text
    assert "\\u{" not in text and "..=" not in text


def test_construct_output_stays_inside_the_page(visit, site):
    long_literal = "x" * 600
    query = (f'CONSTRUCT {{ <{CREDENTIAL}> <http://example.org/long-predicate-name-{"p" * 200}> "{long_literal}" }} '
             "WHERE {}")
    v = visit(width=1000)
    v.page.goto(f"{site}/sparql?query={quote(query)}")
    v.page.wait_for_function("() => document.querySelectorAll('.yasr table.dataTable tbody tr').length === 1")
    no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert v.page.evaluate(no_overflow)
    v.page.locator(".yasr .select_response").click()  # the raw Turtle
    v.page.locator(".yasr .CodeMirror").first.wait_for()
    assert v.page.evaluate(no_overflow)



def sparql_requests(v: Visit, site: str) -> list[str]:
    return [u for u in v.requests if u.startswith(f"{site}/sparql")]


def test_a_format_html_link_runs_the_query_once(visit, site):
    """The server ran it (format=html): the editor shows that answer, it does not run it again."""
    v = visit()
    page = f"{site}/sparql?query={quote(EQF_LEVELS)}&format=html"
    v.page.goto(page)
    v.page.wait_for_function("() => document.querySelectorAll('.yasr table.dataTable tbody tr').length === 8")
    assert [r[1] for r in yasgui_rows(v.page)] == [str(n) for n in range(1, 9)]
    assert v.page.evaluate("microheYasgui.getTab().getQuery()") == EQF_LEVELS
    # result links are the local pages, as after a run in the editor
    hrefs = v.page.evaluate("[...document.querySelectorAll('.yasr table.dataTable tbody td:nth-child(2) a')]"
                            ".map(a => a.getAttribute('href'))")
    assert hrefs[0] == "/resource?iri=" + quote("http://data.europa.eu/snb/eqf/1", safe="")
    v.page.wait_for_load_state("networkidle")
    assert sparql_requests(v, site) == [page]  # the page itself, no second run
    assert v.errors == []
    assert_offline(v)


def test_a_format_html_error_is_shown_without_running_again(visit, site):
    v = visit()
    page = f"{site}/sparql?query={quote(MISSING_PREFIX)}&format=html"
    v.page.goto(page)
    err = v.page.locator(".yasr .errorResult")
    err.wait_for()
    text = " ".join(err.text_content().split())
    assert 'SPARQL syntax error: line 2, column 8: the prefix "mhe:" is not declared' in text
    v.page.wait_for_load_state("networkidle")
    assert sparql_requests(v, site) == [page]


def test_a_share_link_opens_its_query_and_nothing_else_of_the_link(visit, site):
    """YASGUI's share button: its link (this page's address, the query in the fragment) opens
    that query and runs it here; an endpoint, method or headers in a link are ignored."""
    v = visit()
    v.page.goto(f"{site}/sparql?query={quote(BY_TITLE)}&format=html")
    v.page.locator(".yasr table.dataTable tbody tr").first.wait_for()
    v.page.evaluate(f"microheYasgui.getTab().setQuery({json.dumps(EQF_LEVELS)}) && null")
    v.page.locator(".tabPanel.active .yasqe_share").click()
    link = v.page.locator(".yasqe_sharePopup input").input_value()
    assert link.startswith(f"{site}/sparql#")  # not the page's ?query=...&format=html
    w = visit()
    w.page.goto(link)
    w.page.wait_for_function("() => document.querySelectorAll('.yasr table.dataTable tbody tr').length === 8")
    assert w.page.evaluate("microheYasgui.getTab().getQuery()") == EQF_LEVELS
    # a hand-made link: its endpoint and headers change nothing, its title names the tab
    x = visit()
    fragment = urlencode({"query": BY_TITLE, "endpoint": "http://example.org/sparql", "requestMethod": "GET",
                          "headers": json.dumps({"X-Injected": "1"}), "tabTitle": "By title"})
    x.page.goto(f"{site}/sparql#{fragment}")
    x.page.locator(".yasr table.dataTable tbody a").first.wait_for()
    assert x.page.evaluate("microheYasgui.getTab().getName()") == "By title"
    assert x.page.evaluate("microheYasgui.getTab().getYasqe().config.requestConfig().endpoint") == f"{site}/sparql"
    assert x.escaped == [] and not any("example.org" in u for u in x.requests)
    # a link opened on the page already (only the fragment changes) runs its query too
    x.page.evaluate(f"window.location.hash = {json.dumps(urlencode({'query': EQF_LEVELS}))}")
    x.page.wait_for_function("() => document.querySelectorAll('.yasr table.dataTable tbody tr').length === 8")
    for page in (w, x):
        assert_offline(page)
        assert page.errors == []


def test_without_javascript_the_form_runs_the_query_on_the_server(visit, site):
    v = visit(javascript=False)
    v.page.goto(f"{site}/sparql")
    assert v.page.locator("#plain").is_visible()
    v.page.fill("#query", EQF_LEVELS)
    with v.page.expect_navigation():
        v.page.click("#run")
    assert v.page.locator("#status").text_content().startswith("8 rows in ")
    heads = [t.strip() for t in v.page.locator("#plain-results th").all_text_contents()]
    assert heads == ["?level", "?notation", "?name"]
    assert v.page.locator("#query").input_value() == EQF_LEVELS
    assert_offline(v)


def test_without_javascript_a_named_query_loads_into_the_form(visit, site):
    name = "credential-facets"
    v = visit(javascript=False)
    v.page.goto(f"{site}/sparql")
    with v.page.expect_navigation():
        v.page.click(f"a.example[data-name='{name}']")
    assert v.page.locator("#query").input_value() == catalogue()[name].text


# -- the API documentation -------------------------------------------------------------------------


def openapi_operations(site: str) -> list[str]:
    with urlopen(f"{site}/openapi.json") as r:  # loopback
        doc = json.load(r)
    return [op["operationId"] for item in doc["paths"].values() for m, op in item.items()
            if m in ("get", "put", "post", "delete", "patch", "head", "options")]


def test_swagger_ui_draws_every_operation_offline(visit, site):
    ops = openapi_operations(site)
    assert len(ops) > 20
    v = visit()
    v.page.goto(f"{site}/docs")
    v.page.wait_for_function(f"() => document.querySelectorAll('.opblock').length === {len(ops)}")
    assert v.page.locator(".info .title").first.text_content().startswith("microhe")
    assert v.errors == []
    assert_offline(v)
    assert not [u for u in v.requests if not u.startswith(v.site)]  # not even refused ones
    assert v.violations() == []  # Swagger UI needs no CSP exception


def test_redoc_draws_every_operation_offline(visit, site):
    ops = openapi_operations(site)
    v = visit()
    v.page.goto(f"{site}/redoc")
    v.page.wait_for_function(f"() => document.querySelectorAll('[data-section-id^=\"operation/\"]').length === {len(ops)}")
    assert v.errors == []
    assert_offline(v)  # its cdn.redoc.ly logo is refused by /redoc's own policy


# -- screenshots -----------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name, path, ready", [
    ("sparql-yasgui", f"/sparql?query={quote(EQF_LEVELS)}", ".yasr table.dataTable tbody tr"),
    ("docs-swagger", "/docs", ".opblock"),
    ("redoc", "/redoc", "[data-section-id^='operation/']"),
])
def test_screenshots(visit, site, tmp_path, name, path, ready):
    v = visit()
    v.page.goto(site + path)
    v.page.locator(ready).first.wait_for()
    shot = tmp_path / f"{name}.png"
    v.page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert _png_size(data) == (1280, 1000)
    assert len(data) > 20 * 1024  # a blank page compresses to a few hundred bytes
    keep = os.environ.get("MICROHE_SCREENSHOTS")  # a directory to keep the pictures in, to look at
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
