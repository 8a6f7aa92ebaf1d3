"""The SPARQL query page as HTML: only local assets, no inline script, the editor's
configuration in data- attributes, and the plain form that runs on the server without
JavaScript (``format=html``). What the browser does with it: tests/web/test_yasgui.py."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

from microhe.publish.names import PREFIXES
from microhe.queries.catalogue import catalogue

from ..conftest import BASE, EX

HTML = {"Accept": "text/html"}
#: Script elements that are data blocks (run nothing, so the policy allows them).
DATA_BLOCKS = ("application/json",)


class Elements(HTMLParser):
    """Every start tag (name, attributes) and the text inside each <script>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]

    def by_id(self, ident: str) -> dict[str, str]:
        (found,) = [a for _, a in self.tags if a.get("id") == ident]
        return found


def assert_local_assets_only(page: Elements) -> None:
    """Scripts and styles come from this server's /static, and nothing runs inline."""
    scripts = page.all("script")
    assert scripts, "the page loads its scripts"
    code = [(s, text) for s, text in zip(scripts, page.scripts, strict=True) if s.get("type") not in DATA_BLOCKS]
    assert all(s.get("src", "").startswith("/static/") for s, _ in code), scripts
    assert all(not text.strip() for _, text in code), "no inline script"
    sheets = [link for link in page.all("link") if "stylesheet" in link.get("rel", "")]
    assert all(link["href"].startswith("/static/") for link in sheets), sheets
    assert page.all("style") == [], "no <style> element (style-src 'self')"
    for tag, attrs in page.tags:
        assert "style" not in attrs, (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)  # no inline handlers


def test_the_page_loads_yasgui_and_its_initialiser_from_this_server(client):
    r = client.get("/sparql", headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = Elements(r.text)
    assert_local_assets_only(page)
    srcs = [s["src"] for s in page.all("script")]
    assert srcs == ["/static/vendor/yasgui/yasgui.min.js", "/static/sparql/sparql.js"]
    for path in [*srcs, *(link["href"] for link in page.all("link"))]:
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert len(asset.content) > 1000 or path.endswith((".css", ".svg")), path  # favicon.svg: the shell's


def test_the_editor_gets_this_endpoint_the_instance_prefixes_and_the_local_pages(client):
    page = Elements(client.get("/sparql", headers=HTML).text)
    mount = page.by_id("yasgui")
    assert mount["data-endpoint"] == "http://testserver/sparql"
    assert mount["data-autorun"] == "false"
    assert json.loads(mount["data-prefixes"]) == PREFIXES
    assert json.loads(mount["data-local"]) == [
        ["https://w3id.org/microhe/demo/", "/demo/", False],
        ["https://w3id.org/microhe/ref/", "/ref/", False],
        ["https://w3id.org/microhe/ontology#", "/ontology#", False],
        [BASE, "/", False],
        ["https://w3id.org/microhe/ontology", "/ontology", True],
    ]


def test_a_query_in_the_url_fills_the_form_and_is_run_by_the_editor(client):
    q = 'SELECT ?x WHERE { BIND("</textarea><script>alert(1)</script>" AS ?x) }'
    r = client.get("/sparql", params={"query": q}, headers=HTML)
    assert r.status_code == 200
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)" in r.text  # escaped into the form
    assert "<script>alert(1)" not in r.text
    assert Elements(r.text).by_id("yasgui")["data-autorun"] == "true"


def test_each_named_query_links_to_the_page_with_its_text(client):
    page = Elements(client.get("/sparql", headers=HTML).text)
    links = {a["data-name"]: a["href"] for a in page.all("a") if "example" in a.get("class", "").split()}
    assert set(links) == set(catalogue())
    for name, href in links.items():
        url = urlsplit(href)
        assert url.path == "/sparql"
        assert parse_qs(url.query) == {"query": [catalogue()[name].text]}


# -- the plain form: the query run on the server (format=html) ---------------------------

def cells(page: Elements) -> list[dict[str, str]]:
    return page.all("td")


def test_format_html_draws_a_select_result_as_a_table_with_local_links(client):
    q = ("SELECT ?x ?label WHERE { VALUES (?x ?label) { "
         "(<https://w3id.org/microhe/demo/org/strathlowe> \"Strathlowe\"@en) "
         f"(<{BASE}credential/c1> 15) (<{EX}alice> \"plain\") }} }}")
    r = client.get("/sparql", params={"query": q, "format": "html"}, headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = Elements(r.text)
    assert_local_assets_only(page)
    assert "3 rows in " in r.text
    hrefs = [a["href"] for a in page.all("a") if a.get("href", "").startswith(("/demo/", "/credential", "/resource"))]
    # published here -> the local page; anything else -> the lookup route (what this store holds about it)
    assert hrefs == ["/demo/org/strathlowe", "/credential/c1", "/resource?iri=" + quote(EX + "alice", safe="")]
    assert '<span class="lang">@en</span>' in r.text
    assert '<span class="dt">^^xsd:integer</span>' in r.text
    assert "^^xsd:string" not in r.text  # a plain string needs no datatype
    # the editor shows the same answer from the page (it does not run the query again)
    assert page.by_id("yasgui")["data-autorun"] == "false"
    answered = answered_block(page)
    assert answered["status"] == 200 and answered["contentType"] == "application/sparql-results+json"
    doc = json.loads(answered["data"])
    assert [b["x"]["value"] for b in doc["results"]["bindings"]] == [
        "https://w3id.org/microhe/demo/org/strathlowe", f"{BASE}credential/c1", f"{EX}alice"]


def answered_block(page: Elements) -> dict:
    """The JSON of the page's ``#sparql-answered`` data block (YASGUI's response summary)."""
    scripts = page.all("script")
    (text,) = [t for s, t in zip(scripts, page.scripts, strict=True) if s.get("id") == "sparql-answered"]
    assert page.by_id("sparql-answered")["type"] == "application/json"
    return json.loads(text)


def test_format_html_links_only_http_https_and_mailto(client):
    hostile = ["javascript:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"]
    q = "SELECT ?x WHERE { VALUES ?x { " + " ".join(f"<{i}>" for i in hostile) + " } }"
    r = client.get("/sparql", params={"query": q, "format": "html"}, headers=HTML)
    assert r.status_code == 200
    hrefs = [a.get("href", "") for a in Elements(r.text).all("a")]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "vbscript:"))]
    for iri in hostile:
        assert f"<td>{iri}</td>" in r.text  # shown as text


def test_format_html_draws_ask_and_construct(client):
    r = client.get("/sparql", params={"query": f"ASK {{ <{EX}alice> ?p ?o }}", "format": "html"}, headers=HTML)
    assert r.status_code == 200 and "ASK: true" in r.text
    q = f"CONSTRUCT {{ <{EX}s> <{EX}p> \"</pre><script>x()</script>\" }} WHERE {{}}"
    r = client.get("/sparql", params={"query": q, "format": "html"}, headers=HTML)
    assert r.status_code == 200
    assert '<pre class="graph">' in r.text and "1 triples in " in r.text
    assert "&lt;/pre&gt;&lt;script&gt;x()" in r.text and "<script>x()" not in r.text
    # the data block for the editor holds the Turtle as JSON text: it cannot close its element
    page = Elements(r.text)
    assert_local_assets_only(page)
    answered = answered_block(page)
    assert answered["contentType"] == "text/turtle" and '"</pre><script>x()</script>"' in answered["data"]


def test_the_data_block_cannot_be_closed_by_a_result_value(client):
    hostile = "</script><script>alert(1)</script><!--"
    q = f"SELECT ?v WHERE {{ VALUES ?v {{ {json.dumps(hostile)} }} }}"
    r = client.get("/sparql", params={"query": q, "format": "html"}, headers=HTML)
    assert r.status_code == 200
    page = Elements(r.text)
    assert_local_assets_only(page)  # no script element came out of the value
    assert "</script><script>alert(1)" not in r.text
    doc = json.loads(answered_block(page)["data"])
    assert doc["results"]["bindings"][0]["v"]["value"] == hostile


def test_format_html_shows_a_syntax_error_with_line_and_column_and_the_status(client):
    bad = "SELECT ?s WHERE {\n  ?s a mhe:Credential }"
    r = client.get("/sparql", params={"query": bad, "format": "html"}, headers=HTML)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    status = Elements(r.text).by_id("status")
    assert status["class"] == "error" and status["role"] == "alert"
    assert ('HTTP 400: SPARQL syntax error: line 2, column 8: the prefix &#34;mhe:&#34; is not declared'
            in r.text)
    assert "<table" not in r.text
    # the editor shows the same error (the query is not sent again)
    assert answered_block(Elements(r.text)) == {"error": {
        "status": 400, "statusText": "Bad Request",
        "text": 'SPARQL syntax error: line 2, column 8: the prefix "mhe:" is not declared; '
                "add a PREFIX mhe: <...> line before the query"}}


def test_format_html_refuses_what_the_endpoint_refuses(client):
    for q, status, words in [("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 400, "SPARQL Update"),
                             ("SELECT * WHERE { SERVICE <http://example.net/sparql> { ?s ?p ?o } }", 400, "SERVICE"),
                             ("SELECT * FROM <not an iri> WHERE { ?s ?p ?o }", 400, "FROM")]:
        r = client.get("/sparql", params={"query": q, "format": "html"}, headers=HTML)
        assert r.status_code == status, (q, r.text)
        assert Elements(r.text).by_id("status")["class"] == "error"
        assert words in r.text


def test_format_html_without_a_query_is_the_page(client):
    r = client.get("/sparql", params={"format": "html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert Elements(r.text).by_id("yasgui")["data-autorun"] == "false"


def test_format_html_by_post_form(client):
    r = client.post("/sparql", data={"query": f"ASK {{ <{EX}nobody> ?p ?o }}", "format": "html"})
    assert r.status_code == 200 and "ASK: false" in r.text


def test_other_formats_are_untouched_by_the_page(client):
    r = client.get("/sparql", params={"query": f"ASK {{ <{EX}alice> ?p ?o }}", "format": "json"}, headers=HTML)
    assert r.status_code == 200 and r.json() == {"head": {}, "boolean": True}
