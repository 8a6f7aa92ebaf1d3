"""The HTML pages in a real browser: headless Chromium against the app on loopback.

The app (over the bundled ontology, reference and demo graphs) is served by uvicorn on a
free 127.0.0.1 port (``serve`` from the API tests' conftest). Chromium loads each page
with ``--dump-dom`` after a virtual-time budget, and the tests assert on the DOM the
browser built, parsed with ``html.parser``. The query page's tests here are of its plain
form with JavaScript off (the server runs the query: ``format=html``); its editor,
YASGUI, is tested with Playwright in test_yasgui.py. One screenshot of the query page
checks that the page paints.

Chromium is Debian's (``apt-get install -y chromium``); without the binary the tests
skip. It runs headless as root with no sandbox, no GPU, no background networking and a
fresh profile per run, so it never reaches beyond loopback.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shlex
import shutil
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pyoxigraph as ox
import pytest
from api.conftest import serve

from microhe.api import create_app
from microhe.kg import bundled
from microhe.queries.catalogue import catalogue
from microhe.settings import Settings
from tests.demo import demo_copy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(CHROMIUM is None, reason="the chromium binary is not installed "
                       "(apt-get install -y chromium chromium-driver)"),
]

#: Flags that keep headless Chromium on loopback and off the network (as root, no sandbox).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--disable-extensions"]
#: Virtual time the page gets to run its scripts (fetches pause virtual time until answered).
BUDGET_MS = 10_000
#: Wall-clock bound on one Chromium run.
TIMEOUT_S = 30

MHE = "https://w3id.org/microhe/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

EQF_LEVELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mhe: <https://w3id.org/microhe/ontology#>
SELECT ?level ?notation ?name WHERE {
  ?level skos:inScheme/skos:notation "EQF" ; a mhe:FrameworkLevel ;
         skos:notation ?notation ; skos:prefLabel ?name ; mhe:levelRank ?rank .
} ORDER BY ?rank"""

BAD_QUERY = "SELECT * WHERE { ?s ?p }"


# -- a DOM from Chromium's serialisation ---------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants (and self) with ``tag`` whose attributes hold ``attrs``
        (``class_`` matches one class of the element)."""
        out = []
        for n in self.iter():
            if tag is not None and n.tag != tag:
                continue
            ok = True
            for k, v in attrs.items():
                if k == "class_":
                    ok = ok and v in n.attrs.get("class", "").split()
                else:
                    ok = ok and n.attrs.get(k) == v
            if ok:
                out.append(n)
        return out

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}> in the page"
        return found[0]

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(html: str) -> Node:
    b = _Builder()
    b.feed(html)
    b.close()
    return b.root


def squash(text: str) -> str:
    return " ".join(text.split())


# -- Chromium -------------------------------------------------------------------------------


def chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        env = {**os.environ, "HOME": profile}
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, timeout=TIMEOUT_S, env=env, check=False)


def dom(url: str, *, javascript: bool = True) -> Node:
    """The DOM Chromium built for ``url`` once its scripts have run (or with scripts off:
    headless ``--dump-dom`` needs script, so that DOM is read over the DevTools protocol)."""
    if not javascript:
        return parse(_dom_without_script(url))
    run = chromium(f"--virtual-time-budget={BUDGET_MS}", "--dump-dom", url)
    out = run.stdout.decode("utf-8")
    assert run.returncode == 0 and "<html" in out, (run.returncode, run.stderr.decode(errors="replace")[-2000:])
    return parse(out)


class Page:
    """One tab of a headless Chromium driven over the DevTools protocol on a pipe
    (``--remote-debugging-pipe``: NUL-terminated JSON on fds 3 and 4), with the standard
    library only. For what ``--dump-dom`` cannot do: clicks (real mouse events) and waiting
    for a condition."""

    def __init__(self, url: str):
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        r_cmd, self.w = os.pipe()
        self.r, w_out = os.pipe()
        # the child's ends above fd 9, so that the shell's redirections cannot clobber them
        r_cmd, w_out = (_high(fd) for fd in (r_cmd, w_out))
        argv = [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile.name}", "--remote-debugging-pipe"]
        # bash (dash takes no fd above 9) puts the pipe ends on the fds Chromium expects
        cmd = " ".join(["exec", *(quote_sh(a) for a in argv), f"3<&{r_cmd}", f"4>&{w_out}"])
        self.proc = subprocess.Popen(["bash", "-c", cmd], pass_fds=(r_cmd, w_out), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env={**os.environ, "HOME": self.profile.name})
        os.close(r_cmd)
        os.close(w_out)
        self.buf, self.n = b"", 0
        try:
            target = self.send("Target.createTarget", {"url": url})["targetId"]
            self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        except BaseException:
            self.close()
            raise

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 15) -> dict:
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self.n:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer["result"]
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer to {method} in {timeout} s")
            if select.select([self.r], [], [], left)[0]:
                chunk = os.read(self.r, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buf += chunk

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, self.session)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10):
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(f"(function () {{ try {{ return {expression}; }} catch (e) {{ return null; }} }})()")
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout} s: {expression}")
            time.sleep(0.05)

    def click(self, selector_js: str) -> None:
        """A real left click in the middle of the element ``selector_js`` evaluates to."""
        x, y = self.js(f"(function () {{ var e = {selector_js}; e.scrollIntoView({{block: 'center'}});"
                       " var r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
                      self.session)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self.w)
        os.close(self.r)
        self.profile.cleanup()


def _dom_without_script(url: str) -> str:
    """The serialised DOM of ``url`` loaded with script execution disabled."""
    page = Page("about:blank")
    try:
        page.send("Emulation.setScriptExecutionDisabled", {"value": True}, page.session)
        page.send("Page.navigate", {"url": url}, page.session)
        page.wait_for("location.href !== 'about:blank' && document.readyState === 'complete'")
        root = page.send("DOM.getDocument", {"depth": -1}, page.session)["root"]
        return page.send("DOM.getOuterHTML", {"nodeId": root["nodeId"]}, page.session)["outerHTML"]
    finally:
        page.close()


def quote_sh(arg: str) -> str:
    return shlex.quote(arg)


def _high(fd: int) -> int:
    """``fd`` moved to a descriptor number >= 10 (the old one closed)."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


# -- the server -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    store = demo_copy()
    settings = Settings(store=tmp_path_factory.mktemp("web") / "unused-store", base="http://127.0.0.1:8000/")
    with serve(create_app(settings, store)) as url:
        yield url


@pytest.fixture(scope="module")
def eqf_page(site) -> Node:
    return dom(f"{site}/sparql?query={quote(EQF_LEVELS)}&format=html", javascript=False)


# -- the query page without JavaScript: the plain form, run by the server --------------------


def test_query_from_the_url_is_filled_in_run_and_rendered_as_a_table(eqf_page):
    assert eqf_page.find("textarea", id="query").text().strip() == EQF_LEVELS
    assert "hidden" not in eqf_page.find("form", id="plain").attrs  # the form is the page
    status = eqf_page.find(id="status")
    assert "error" not in status.attrs.get("class", "")
    assert squash(status.text()).startswith("8 rows in ")

    results = eqf_page.find(id="plain-results")
    (table,) = results.find_all("table")
    assert [squash(th.text()) for th in table.find_all("th")] == ["?level", "?notation", "?name"]
    rows = [tr.find_all("td") for tr in table.find("tbody").find_all("tr")]
    assert [squash(r[1].text()) for r in rows] == [str(n) for n in range(1, 9)]
    assert [squash(r[2].text()) for r in rows] == [f"Level {n} @en" for n in range(1, 9)]
    for n, r in enumerate(rows, start=1):
        (a,) = r[0].find_all("a")  # IRIs are links to their page here (the lookup route)
        assert a.text() == f"http://data.europa.eu/snb/eqf/{n}"
        assert a.attrs["href"] == "/resource?iri=" + quote(f"http://data.europa.eu/snb/eqf/{n}", safe="")
        assert r[2].find("span", class_="lang").text().strip() == "@en"
    assert eqf_page.find_all(id="notice") == []  # not truncated


def test_query_page_lists_the_named_query_catalogue_as_links(eqf_page):
    aside = eqf_page.find("aside")
    expected = set(catalogue())
    assert len(expected) >= 5
    entries = aside.find_all("a", class_="example")
    assert {squash(a.text()) for a in entries} == expected
    rest = {a.attrs["href"] for a in aside.find_all("a") if a.attrs.get("href", "").startswith("/api/queries/")}
    # a query with parameters is no bare GET (it would answer 422): its REST form is shown as text
    assert rest == {f"/api/queries/{name}" for name in expected if not catalogue()[name].params}
    # each entry carries the query's summary
    for li in aside.find_all("li"):
        name = squash(li.find("a", class_="example").text())
        assert catalogue()[name].summary.split()[0] in li.text()


def test_a_named_query_link_loads_it_into_the_form_and_run_renders_its_results(site):
    name = "credential-facets"
    query = catalogue()[name]
    assert not query.params
    page = dom(f"{site}/sparql", javascript=False)
    (link,) = [a for a in page.find_all("a", class_="example") if squash(a.text()) == name]
    loaded = dom(urljoin(f"{site}/sparql", link.attrs["href"]), javascript=False)
    assert loaded.find("textarea", id="query").text().strip() == query.text.strip()
    assert loaded.find("div", id="plain-results").find_all("table") == []  # loaded, not run
    ran = dom(f"{site}/sparql?{urlencode({'query': query.text, 'format': 'html'})}", javascript=False)
    assert re.fullmatch(r"\d+ rows in \d+ ms", squash(ran.find(id="status").text()))
    heads = [squash(th.text()) for th in ran.find(id="plain-results").find_all("th")]
    assert heads and all(h.startswith("?") for h in heads)
    assert ran.find(id="plain-results").find("tbody").find_all("tr")


def test_a_syntax_error_shows_line_and_column(site):
    page = dom(f"{site}/sparql?query={quote(BAD_QUERY)}&format=html", javascript=False)
    status = page.find(id="status")
    assert "error" in status.attrs.get("class", "").split()
    # BAD_QUERY has 24 characters; the parser stops past its end, at column 25
    assert squash(status.text()) == ("HTTP 400: SPARQL syntax error: line 1, column 25, at the end of the query: "
                                     "expected one of LATERAL, SERVICE")
    assert page.find(id="plain-results").find_all("table") == []
    assert page.find("textarea", id="query").text().strip() == BAD_QUERY


HOSTILE_IRIS = ["javascript:alert(1)", "JavaScript:alert(2)", "data:text/html,x", "vbscript:msgbox(1)"]
LINKABLE_IRIS = ["http://example.org/a", "https://example.org/b", "mailto:someone@example.org",
                 "urn:epass:qualification:1"]


def test_result_iris_become_links_to_the_lookup_route_but_never_for_javascript_or_data(site):
    """The page runs a query from its URL (anyone can send that link): an IRI in the results
    links to its page on this server (``/resource?iri=``), never for ``javascript:``,
    ``data:`` and such, which stay text. (In the editor, sparql.js relinks YASR's table the
    same way, and YASR sanitises its links with DOMPurify.)"""
    values = " ".join(f"<{i}>" for i in HOSTILE_IRIS + LINKABLE_IRIS)
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}"
    page = dom(f"{site}/sparql?query={quote(query)}&format=html", javascript=False)
    assert squash(page.find(id="status").text()).startswith(f"{len(HOSTILE_IRIS + LINKABLE_IRIS)} rows in ")
    cells = {squash(td.text()): td for td in page.find(id="plain-results").find_all("td")}
    assert set(cells) == set(HOSTILE_IRIS + LINKABLE_IRIS)
    for iri in HOSTILE_IRIS:
        assert cells[iri].find_all("a") == [], iri  # shown as text
    for iri in LINKABLE_IRIS:
        (a,) = cells[iri].find_all("a")
        assert a.attrs["href"] == "/resource?iri=" + quote(iri, safe="")
    hrefs = [a.attrs.get("href", "") for a in page.find_all("a")]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "vbscript:"))]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_query_page_screenshot(site, tmp_path):
    shot = tmp_path / "sparql.png"
    run = chromium(f"--virtual-time-budget={BUDGET_MS}", "--window-size=1280,1000", f"--screenshot={shot}",
                   f"{site}/sparql?query={quote(EQF_LEVELS)}")
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert _png_size(data) == (1280, 1000)
    assert len(data) > 5 * 1024  # a blank page compresses to a few hundred bytes
    keep = os.environ.get("MICROHE_SCREENSHOTS")  # a directory to keep the picture in, to look at
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


# -- linked-data pages -----------------------------------------------------------------------


def _section(page: Node, heading: str) -> Node:
    for section in page.find_all("section"):
        h2 = section.find_all("h2")
        if h2 and squash(h2[0].text()) == heading:
            return section
    raise AssertionError(f"no section {heading!r}")


def _property_rows(section: Node) -> dict[str, Node]:
    """Property (compact IRI) -> its value cell, for the top-level property table."""
    table = section.find("table")
    out = {}
    for tr in table.find("tbody").children:
        if isinstance(tr, Node) and tr.tag == "tr":
            th = next(c for c in tr.children if isinstance(c, Node) and c.tag == "th")
            tds = [c for c in tr.children if isinstance(c, Node) and c.tag == "td"]
            out[squash(th.text())] = tds[0]
    return out


def test_credential_page(site):
    page = dom(f"{site}/demo/credential/strathlowe-applied-data-analysis")
    assert squash(page.find("title").text()) == "Applied data analysis · microhe"
    assert squash(page.find("h1").text()) == "Applied data analysis"
    assert squash(page.find("div", class_="iri").text()) == \
        "https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis"
    formats = {squash(a.text()) for a in page.find("nav", class_="formats").find_all("a")}
    assert {"ttl", "jsonld", "nt", "rdf"} <= formats

    props = _property_rows(_section(page, "Properties"))
    assert {"rdf:type", "dcterms:title", "elm:awardingOpportunity", "elm:creditPoint",
            "elm:learningOutcome", "mhe:derivedEQFLevel"} <= set(props)
    assert "Applied data analysis" in props["dcterms:title"].text()
    # a link to an IRI this server serves is local, with the label as its text
    body = next(a for a in props["elm:awardingOpportunity"].find_all("a")
                if a.attrs["href"].endswith("/demo/org/strathlowe"))
    assert body.attrs["href"] == "/demo/org/strathlowe"
    assert squash(body.text()) == "Strathlowe University (demo)"
    # the blank node's own description is a nested table
    assert props["elm:creditPoint"].find_all("table", class_="nested")
    assert "15" in props["elm:creditPoint"].text()
    level = props["mhe:derivedEQFLevel"].find("a")
    # an IRI of another host that the store describes links to its page here (issue 16)
    assert level.attrs["href"] == "/resource?iri=http%3A%2F%2Fdata.europa.eu%2Fsnb%2Feqf%2F7"
    assert squash(level.text()) == "Level 7"
    assert len(props["elm:learningOutcome"].find_all("a")) == 3

    graphs = _section(page, "Graphs")
    assert any(a.attrs["href"] == "/demo/graph/credentials" for a in graphs.find_all("a"))


def test_followed_link_shows_incoming_links(site):
    start = f"{site}/demo/credential/strathlowe-applied-data-analysis"
    href = "/demo/org/strathlowe"
    page = dom(urljoin(start, href))
    assert squash(page.find("h1").text()) == "Strathlowe University (demo)"
    incoming = _section(page, "Incoming links")
    rows = incoming.find("tbody").find_all("tr")
    assert len(rows) >= 3
    froms = [squash(tr.find("td").text()) for tr in rows]
    props = [squash(tr.find_all("td")[1].text()) for tr in rows]
    assert "elm:awardingBody" in props and "elm:organisation" in props
    assert all(froms), "every incoming link names where it comes from"
    # awarding bodies are named from blank nodes (the awarding opportunities)
    assert {f for f, p in zip(froms, props, strict=False) if p == "elm:awardingBody"} == {"(blank node)"}
    accreditation = [a for tr in rows for a in tr.find("td").find_all("a")
                     if a.attrs["href"] == "/demo/credential/strathlowe-applied-data-analysis/accreditation"]
    assert accreditation


def test_framework_page_lists_its_levels_as_incoming_links(site):
    page = dom(f"{site}/ref/framework/SCQF")
    assert squash(page.find("h1").text()) == "Scottish Credit and Qualifications Framework"
    props = _property_rows(_section(page, "Properties"))
    assert squash(props["skos:notation"].text()) == "SCQF"
    incoming = _section(page, "Incoming links")
    links = {}
    for tr in incoming.find("tbody").find_all("tr"):
        tds = tr.find_all("td")
        if squash(tds[1].text()) == "skos:inScheme":
            a = tds[0].find("a")
            links[a.attrs["href"]] = squash(a.text())
    assert {f"/ref/framework/SCQF/level/{n}" for n in range(1, 13)} <= set(links)
    assert links["/ref/framework/SCQF/level/11"].startswith("SCQF 11")


def test_ontology_page_lists_term_labels(site):
    page = dom(f"{site}/ontology")
    assert squash(page.find("h1").text()) == "microhe core ontology"
    labels = {}
    for b in bundled.ontology_graphs():
        for q in b.quads():
            if (q.predicate.value == RDFS_LABEL and isinstance(q.subject, ox.NamedNode)
                    and q.subject.value.startswith(MHE) and q.object.language in (None, "en")):
                labels[q.subject.value] = q.object.value
    assert len(labels) > 20
    terms = {}
    for section in page.find_all("section", class_="term"):
        h3 = section.find("h3")
        curie = squash(h3.find("span", class_="iri").text())
        terms[curie] = squash(h3.text())[: -len(curie)].strip()
    for iri, label in labels.items():
        curie = "mhe:" + iri[len(MHE):]
        assert terms.get(curie) == label, curie
    # the table of contents links to the terms on the page
    ids = {s.attrs["id"] for s in page.find_all("section", class_="term")}
    toc = [a.attrs["href"] for nav in page.find_all("nav", class_="toc") for a in nav.find_all("a")]
    assert toc and all(urlsplit(h).fragment in ids for h in toc)
