"""SSRF: no caller can make the server connect anywhere through SPARQL ``SERVICE`` (on
``/sparql`` and ``/update``) or ``LOAD`` (on ``/update``), however the keyword is spelled.

The witness is a loopback listener (tests/api/loopback.py) that counts connections. The
store holds the reference graphs, and every pattern before a ``SERVICE`` matches there
(pyoxigraph skips a ``SERVICE`` whose preceding pattern has no solution, so an empty store
would prove nothing). Each case runs twice:

* with the gate switched off by its setting (``allow_service`` / ``allow_remote_update``),
  every corpus entry and at least 90% of the hypothesis-generated spellings reach the
  listener: the corpus is live, pyoxigraph really runs these spellings;
* with the gate on (the default), none does: 400, a message naming the setting, and zero
  connections.

``SPEC_ONLY`` holds spellings that a SPARQL 1.1 parser following section 19.2 (codepoint
escapes decoded before parsing) runs, and that pyoxigraph 0.5 does not (it decodes
``\\u`` only inside strings and IRIs): they are checked against the gate only, here and
with the remote back end, whose servers may decode them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from microhe.api import create_app
from microhe.ingest.load import initialise
from microhe.settings import Settings
from microhe.store.embedded import Store
from microhe.store.remote import RemoteStore

from ..loopback import Listener
from ..writes import Writable, make_writable

BASE = "http://127.0.0.1:8000/"

# -- the corpus (@E@ is the listener's URL, ending in "/") ------------------------------

#: Queries, each of which pyoxigraph runs and which then connects to @E@ exactly where the
#: gate is off. ``?s ?p false``/``true``/``1``/``0.5`` all match reference data.
QUERIES = {
    "plain": "SELECT * WHERE { ?s ?p false SERVICE <@E@> { ?a ?b ?z } }",
    "prefixed name SERVICE:x": "PREFIX : <@E@> SELECT * WHERE { ?s ?p false SERVICE:x { ?a ?b ?z } }",
    "prefixed name ep:x": "PREFIX ep: <@E@> SELECT * WHERE { ?s ?p false SERVICE ep:x { ?a ?b ?z } }",
    "escape in an IRI, then #": "SELECT * WHERE { ?s ?p false BIND(<http://x/\\u0041#> AS ?x) SERVICE <@E@> { ?a ?b ?z } }",
    "FILTER(?one<2)SERVICE#>": "SELECT * WHERE { ?s ?p ?one FILTER(?one<2)SERVICE#>\n<@E@>{ ?a ?b ?z } }",
    "falseSERVICE": "SELECT * WHERE { ?s ?p falseSERVICE <@E@> { ?a ?b ?z } }",
    "trueSERVICE": "SELECT * WHERE { ?s ?p trueSERVICE <@E@> { ?a ?b ?z } }",
    "1SERVICE": "SELECT * WHERE { ?s ?p 1SERVICE <@E@> { ?a ?b ?z } }",
    "0.5SERVICE (a decimal)": "SELECT * WHERE { ?s ?p 0.5SERVICE <@E@> { ?a ?b ?z } }",
    "glued to }": "SELECT * WHERE { GRAPH ?g { ?s ?p false }SERVICE<@E@>{} }",
    "glued to .": "SELECT * WHERE { ?s ?p false .SERVICE<@E@>{} }",
    "mixed case": "select * where { ?s ?p false sErViCe <@E@> { ?a ?b ?z } }",
    "lower case, glued": "SELECT * WHERE { ?s ?p trueservice<@E@>{ ?a ?b ?z } }",
    "comments between tokens": "SELECT * WHERE { ?s ?p false # SERVICE <x> }\nSERVICE # <http://x/>\n<@E@> # {\n{ ?a ?b ?z } }",
    "SERVICE SILENT": "SELECT * WHERE { ?s ?p false SERVICE SILENT <@E@> { ?a ?b ?z } }",
    "SERVICE#\\nSILENT#\\n": "SELECT * WHERE { ?s ?p false SERVICE#x\nsilent#y\n<@E@>{ ?a ?b ?z } }",
    "SERVICE ?var with VALUES": "SELECT * WHERE { VALUES ?ep { <@E@> } FILTER EXISTS { SERVICE ?ep { ?a ?b ?z } } }",
    "sub-query": "SELECT * WHERE { { SELECT * WHERE { ?s ?p false SERVICE <@E@> { ?a ?b ?z } } LIMIT 1 } }",
    "FILTER EXISTS": "SELECT * WHERE { ?s ?p 0.5 FILTER EXISTS { SERVICE <@E@> { ?a ?b ?z } } }",
    "OPTIONAL": "SELECT * WHERE { ?s ?p false OPTIONAL { SERVICE <@E@> { ?a ?b ?z } } }",
    "UNION": "SELECT * WHERE { { ?s ?p false } UNION { SERVICE <@E@> { ?a ?b ?z } } }",
    "MINUS": "SELECT * WHERE { ?s ?p false MINUS { SERVICE <@E@> { ?a ?b ?z } } }",
    "ASK": "ASK { ?s ?p 1 SERVICE <@E@> { ?a ?b ?z } }",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?z } WHERE { ?s ?p false SERVICE <@E@> { ?a ?b ?z } }",
    "escape inside the endpoint IRI": "SELECT * WHERE { ?s ?p false SERVICE <@E@\\u0061\\U00000062> { ?a ?b ?z } }",
    "a string with # and quotes before": "SELECT * WHERE { ?s ?p false BIND(\"#\\\"'>\" AS ?q)SERVICE <@E@> { ?a ?b ?z } }",
    "a long string before": "SELECT * WHERE { ?s ?p false BIND('''#\n'''AS ?q)SERVICE <@E@> { ?a ?b ?z } }",
}

#: Updates, each of which pyoxigraph runs and which then connects to @E@.
UPDATES = {
    "LOAD": "LOAD <@E@d.nt>",
    "LOAD SILENT INTO GRAPH": "LOAD SILENT <@E@d.nt> INTO GRAPH <urn:ssrf:loaded>",
    "lower case, glued": "load<@E@d.nt>",
    "mixed case SILENT": "LoAd SiLeNt<@E@d.nt>into graph<urn:ssrf:loaded>",
    "prefixed name": "PREFIX : <@E@> LOAD :d INTO GRAPH <urn:ssrf:loaded>",
    "after ;": "INSERT DATA { <urn:ssrf:a> <urn:ssrf:b> 1 };LOAD <@E@d.nt>",
    "comments between tokens": "CLEAR SILENT GRAPH <urn:ssrf:none> ; # LOAD <x>\nLOAD#>\n<@E@d.nt>#\nINTO#\nGRAPH#\n<urn:ssrf:loaded>",  # noqa: E501 - data kept on one line
    "after a string with #": "INSERT DATA { <urn:ssrf:a> <urn:ssrf:b> \"x#\\\"\" } ; LOAD <@E@d.nt>",
    "after an escape in an IRI, then #": "INSERT DATA { <http://x/\\u0041#> <urn:ssrf:b> 1 } ; LOAD <@E@d.nt>",
    "escape inside the LOAD IRI": "LOAD <@E@\\u0064.nt> INTO GRAPH <urn:ssrf:loaded>",
    "SERVICE in an update WHERE": "INSERT { GRAPH <urn:ssrf:y> { ?s ?p ?z } } WHERE { GRAPH ?g { ?s ?p false } SERVICE <@E@> { ?a ?b ?z } }",  # noqa: E501 - data kept on one line
    "FILTER(?one<2)SERVICE#> in WHERE": "INSERT { GRAPH <urn:ssrf:y> { ?s ?p ?z } } WHERE { GRAPH ?g { ?s ?p ?one } FILTER(?one<2)SERVICE#>\n<@E@>{ ?a ?b ?z } }",  # noqa: E501 - data kept on one line
    "falseSERVICE inside GRAPH": "DELETE { GRAPH <urn:ssrf:y> { ?s ?p ?z } } WHERE { GRAPH ?g { ?s ?p falseSERVICE <@E@> { ?a ?b ?z } } }",  # noqa: E501 - data kept on one line
    "WITH ... WHERE, SERVICE SILENT": "WITH <urn:ssrf:y> INSERT { ?s ?p ?z } WHERE { GRAPH ?g { ?s ?p 1 } SERVICE SILENT <@E@> { ?a ?b ?z } }",  # noqa: E501 - data kept on one line
    "prefixed SERVICE:x in WHERE": "PREFIX : <@E@> INSERT { GRAPH <urn:ssrf:y> { ?s ?p ?z } } WHERE { GRAPH ?g { ?s ?p true } SERVICE:x { ?a ?b ?z } }",  # noqa: E501 - data kept on one line
}

#: Codepoint escapes of the keyword itself (SPARQL 1.1 section 19.2) and a Unicode letter
#: whose upper case is "S" (Java's case-insensitive keyword matching accepts it): run by
#: spec-following parsers, not by pyoxigraph 0.5; gate only.
SPEC_QUERIES = {
    "\\u0053ERVICE": "SELECT * WHERE { ?s ?p false \\u0053ERVICE <@E@> { ?a ?b ?z } }",
    "SERV\\u0069ce": "SELECT * WHERE { ?s ?p false SERV\\u0069ce <@E@> { ?a ?b ?z } }",
    "\\U00000053ERVICE": "SELECT * WHERE { ?s ?p false \\U00000053ERVICE <@E@> { ?a ?b ?z } }",
    "long s (U+017F)": "SELECT * WHERE { ?s ?p false \u017fERVICE <@E@> { ?a ?b ?z } }",
    "\\u017FERVICE": "SELECT * WHERE { ?s ?p false \\u017FERVICE <@E@> { ?a ?b ?z } }",
}
SPEC_UPDATES = {
    "\\u004COAD": "\\u004COAD <@E@d.nt>",
    "lo\\u0061d": "CLEAR SILENT GRAPH <urn:ssrf:none> ; lo\\u0061d <@E@d.nt>",
    "an escaped ? does not make a variable": "\\u003Fload <@E@d.nt>",
}
SPEC_ONLY = {**SPEC_QUERIES, **SPEC_UPDATES}


def fill(template: str, listener: Listener) -> str:
    return template.replace("@E@", listener.url)


# -- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener() as listener:
        yield listener


@pytest.fixture(scope="module")
def initialised() -> Store:
    store = Store()
    initialise(store)
    return store


def _client(store: Store, tmp: Path, **overrides) -> Iterator[TestClient]:
    settings = Settings(store=tmp / "unused-store", base=BASE, **overrides)
    with TestClient(create_app(settings, store)) as client:
        yield client


@pytest.fixture(scope="module")
def open_sparql(initialised, tmp_path_factory) -> Iterator[TestClient]:
    """/sparql with SERVICE allowed by the operator (the gate off)."""
    yield from _client(initialised, tmp_path_factory.mktemp("open"), allow_service=True)


@pytest.fixture(scope="module")
def gated_sparql(initialised, tmp_path_factory) -> Iterator[TestClient]:
    """/sparql with the default settings (the gate on)."""
    yield from _client(initialised, tmp_path_factory.mktemp("gated"))


def _writable(tmp: Path, quads, **overrides) -> Iterator[Writable]:
    w = make_writable(tmp, quads, **overrides)
    yield w
    w.client.__exit__(None, None, None)
    w.store.close()


@pytest.fixture(scope="module")
def open_update(tmp_path_factory, reference_quads) -> Iterator[Writable]:
    """/update (with a write token) with LOAD/SERVICE allowed by the operator."""
    yield from _writable(tmp_path_factory.mktemp("open-update"), reference_quads, allow_remote_update=True)


@pytest.fixture(scope="module")
def gated_update(tmp_path_factory, reference_quads) -> Iterator[Writable]:
    yield from _writable(tmp_path_factory.mktemp("gated-update"), reference_quads)


# -- sending -----------------------------------------------------------------------------

def ask(client: TestClient, text: str, how: str = "form"):
    if how == "get":
        return client.get("/sparql", params={"query": text})
    if how == "form":
        return client.post("/sparql", data={"query": text})
    return client.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"})


def change(w: Writable, text: str, how: str = "body"):
    if how == "form":
        return w.client.post("/update", data={"update": text}, headers=w.auth)
    return w.client.post("/update", content=text.encode(),
                         headers={**w.auth, "Content-Type": "application/sparql-update"})


def connections_made(listener: Listener, send) -> tuple[int, object]:
    """(connections the listener got while ``send()`` ran, its response)."""
    before = listener.connections
    response = send()
    return listener.connections - before, response


def assert_refused(response, made: int, text: str, setting: str) -> None:
    assert made == 0, f"the server connected to the listener {made} time(s) for {text!r}"
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "refused" in response.text and setting in response.text, response.text


# -- the corpus ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", QUERIES)
def test_with_service_allowed_every_query_of_the_corpus_reaches_the_listener(open_sparql, listener, name):
    text = fill(QUERIES[name], listener)
    made, r = connections_made(listener, lambda: ask(open_sparql, text))
    assert r.status_code == 200, r.text
    assert made >= 1, f"the corpus entry {name!r} is not live: pyoxigraph never connected"


@pytest.mark.parametrize("how", ["get", "form", "body"])
@pytest.mark.parametrize("name", [*QUERIES, *SPEC_QUERIES])
def test_by_default_no_query_of_the_corpus_connects_anywhere(gated_sparql, listener, name, how):
    text = fill(QUERIES.get(name) or SPEC_ONLY[name], listener)
    made, r = connections_made(listener, lambda: ask(gated_sparql, text, how))
    assert_refused(r, made, text, "MICROHE_ALLOW_SERVICE")


@pytest.mark.parametrize("name", UPDATES)
def test_with_remote_updates_allowed_every_update_of_the_corpus_reaches_the_listener(open_update, listener, name):
    text = fill(UPDATES[name], listener)
    made, r = connections_made(listener, lambda: change(open_update, text))
    assert r.status_code == 204, r.text
    assert made >= 1, f"the corpus entry {name!r} is not live: pyoxigraph never connected"


@pytest.mark.parametrize("how", ["form", "body"])
@pytest.mark.parametrize("name", [*UPDATES, *SPEC_ONLY])
def test_by_default_no_update_of_the_corpus_connects_anywhere(gated_update, listener, name, how):
    text = fill(UPDATES.get(name) or SPEC_ONLY[name], listener)
    before = gated_update.dump()
    made, r = connections_made(listener, lambda: change(gated_update, text, how))
    assert_refused(r, made, text, "MICROHE_ALLOW_REMOTE_UPDATE")
    assert gated_update.dump() == before


# -- generated spellings -----------------------------------------------------------------------

_GAPS = [" ", "\t", "\n", "\r\n", "  ", "#\n", "# SERVICE <x> }\n", "#>\n", "# LOAD\r\n"]


@st.composite
def gap(draw, empty: bool) -> str:
    """Whitespace and comments between two tokens (possibly none at all)."""
    return "".join(draw(st.lists(st.sampled_from(_GAPS), min_size=0 if empty else 1, max_size=3)))


@st.composite
def cased(draw, word: str, escapes: bool = False) -> str:
    """``word`` in random case, its letters optionally written as codepoint escapes."""
    out = []
    for ch in word:
        ch = draw(st.sampled_from([ch.lower(), ch.upper()]))
        if escapes and draw(st.integers(0, 3)) == 0:
            ch = draw(st.sampled_from([f"\\u{ord(ch):04X}", f"\\u{ord(ch):04x}", f"\\U{ord(ch):08X}"]))
        out.append(ch)
    return "".join(out)


@st.composite
def iri_path(draw) -> str:
    """A path for the listener's IRI, letters written as escapes at random (pyoxigraph
    decodes them inside IRIs)."""
    letters = draw(st.text(alphabet="abcdxyz", max_size=4))
    return "".join(f"\\u{ord(c):04X}" if draw(st.booleans()) else c for c in letters)


#: (pattern before SERVICE, its last token may touch the keyword) — all match reference data
_BEFORE = [
    ("?s ?p false", True), ("?s ?p true", True), ("?s ?p 1", True), ("?s ?p 0.5", True),
    ("?s ?p ?one FILTER(?one<2)", True), ("GRAPH ?g { ?s ?p false }", True), ("?s ?p false .", True),
    ("?s ?p false BIND(<http://x/\\u0041#> AS ?x)", True), ("?s ?p false BIND(\"#\\\"<\" AS ?q)", True),
    ("?s ?p false BIND('''\n#''' AS ?q)", True), ("?s ?p ?o", False),
]


@st.composite
def service_pattern(draw, endpoint: str, escapes: bool = False) -> tuple[str, str]:
    """(prologue, group pattern body): a SERVICE clause to ``endpoint`` after a pattern
    that matches, spelled at random."""
    before, touch = draw(st.sampled_from(_BEFORE))
    kind = draw(st.sampled_from(["iri", "empty prefix", "prefix"]))
    prologue = ""
    if kind == "iri":
        target = f"<{endpoint}{draw(iri_path())}>"
    elif kind == "empty prefix":
        prologue, target = f"PREFIX : <{endpoint}>\n", ":" + draw(st.sampled_from(["x", "sparql", "a1"]))
    else:
        prologue, target = f"PREFIX ep: <{endpoint}>\n", "ep:" + draw(st.sampled_from(["x", "q"]))
    keyword = draw(cased("service", escapes))
    if draw(st.booleans()):  # SILENT needs a gap after SERVICE
        keyword += draw(gap(False)) + draw(cased("silent"))
    keyword += draw(gap(kind != "prefix"))  # "SERVICEep:x" would be one prefixed name
    inner = "{" + draw(gap(True)) + "?a ?b ?z" + draw(gap(True)) + "}"
    return prologue, before + draw(gap(touch)) + keyword + target + draw(gap(True)) + inner


@st.composite
def service_query(draw, endpoint: str, escapes: bool = False) -> str:
    """A query with a SERVICE clause to ``endpoint``, spelled at random."""
    prologue, body = draw(service_pattern(endpoint, escapes))
    shape = draw(st.sampled_from(["select", "ask", "sub-select", "exists"]))
    select, where = draw(cased("select")), draw(cased("where"))
    if shape == "select":
        query = f"{select} * {where} {{ {body} }}"
    elif shape == "ask":
        query = f"{draw(cased('ask'))} {{ {body} }}"
    elif shape == "sub-select":
        query = f"{select} * {where} {{ {{ {select} * {where} {{ {body} }} LIMIT 1 }} }}"
    else:
        query = f"{select} * {where} {{ ?s0 ?p0 0.5 FILTER {draw(cased('exists'))} {{ {body} }} }}"
    return prologue + query


@st.composite
def service_update(draw, endpoint: str, escapes: bool = False) -> str:
    """An update whose WHERE has a SERVICE clause to ``endpoint``, spelled at random (the
    WHERE reads the named graphs: an update's default graph is the store's own)."""
    prologue, body = draw(service_pattern(endpoint, escapes))
    verb = draw(st.sampled_from(["INSERT", "delete"]))
    return (f"{prologue}{verb} {{ GRAPH <urn:ssrf:y> {{ ?a ?b ?z }} }} {draw(cased('where'))} "
            f"{{ GRAPH ?g {{ {body} }} }}")


@st.composite
def load_update(draw, endpoint: str, escapes: bool = False) -> str:
    """An update with a LOAD of ``endpoint``, spelled at random."""
    before = draw(st.sampled_from([
        "", "CLEAR SILENT GRAPH <urn:ssrf:none> ;", "INSERT DATA { <urn:ssrf:a> <urn:ssrf:b> 1 };",
        "INSERT DATA { <http://x/\\u0041#> <urn:ssrf:b> \"#'\" } ;", "DROP SILENT GRAPH <urn:ssrf:none>;",
    ]))
    prologue, target = "", f"<{endpoint}{draw(iri_path())}>"
    if draw(st.booleans()):
        prologue, target = f"PREFIX : <{endpoint}>\n", ":" + draw(st.sampled_from(["d", "x1"]))
    keyword = draw(cased("load", escapes))
    if draw(st.booleans()):
        keyword += draw(gap(False)) + draw(cased("silent"))
    into = ""
    if draw(st.booleans()):
        into = draw(gap(True)) + draw(cased("into")) + draw(gap(False)) + draw(cased("graph")) + draw(gap(True)) \
            + "<urn:ssrf:loaded>"
    return prologue + before + draw(gap(True)) + keyword + draw(gap(True)) + target + into


_EXAMPLES = hsettings(max_examples=60, derandomize=True, database=None, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _reach_rate(listener: Listener, strategy, send) -> tuple[float, list[str]]:
    outcomes: list[tuple[str, bool]] = []

    @_EXAMPLES
    @given(text=strategy)
    def run(text):
        made, response = connections_made(listener, lambda: send(text))
        outcomes.append((text, made >= 1))

    run()
    missed = [t for t, reached in outcomes if not reached]
    return 1 - len(missed) / len(outcomes), missed


def test_with_service_allowed_generated_spellings_reach_the_listener(open_sparql, listener):
    rate, missed = _reach_rate(listener, service_query(listener.url), lambda t: ask(open_sparql, t))
    assert rate >= 0.9, f"only {rate:.0%} of the spellings are live; not run: {missed[:5]}"


def test_with_remote_updates_allowed_generated_update_spellings_reach_the_listener(open_update, listener):
    strategy = st.one_of(load_update(listener.url), service_update(listener.url))
    rate, missed = _reach_rate(listener, strategy, lambda t: change(open_update, t))
    assert rate >= 0.9, f"only {rate:.0%} of the spellings are live; not run: {missed[:5]}"


@_EXAMPLES
@given(data=st.data())
def test_by_default_no_generated_spelling_connects_anywhere(gated_sparql, gated_update, listener, data):
    escapes = data.draw(st.booleans(), label="keyword escapes")
    query = data.draw(service_query(listener.url, escapes), label="query")
    how = data.draw(st.sampled_from(["get", "form", "body"]), label="how")
    made, r = connections_made(listener, lambda: ask(gated_sparql, query, how))
    assert_refused(r, made, query, "MICROHE_ALLOW_SERVICE")
    update = data.draw(st.one_of(load_update(listener.url, escapes), service_update(listener.url, escapes)),
                       label="update")
    made, r = connections_made(listener, lambda: change(gated_update, update))
    assert_refused(r, made, update, "MICROHE_ALLOW_REMOTE_UPDATE")


# -- the remote back end --------------------------------------------------------------------

def _remote_outcome(store: RemoteStore, call) -> str:
    try:
        call()
    except ValueError as e:
        return str(e)
    return "sent"


@pytest.mark.parametrize("name", [*list(QUERIES)[:8], *SPEC_ONLY])
def test_the_remote_store_refuses_gated_text_before_sending_anything(listener, name):
    """Virtuoso and ``oxigraph serve`` run SERVICE and LOAD themselves: RemoteStore
    checks the text before it sends it (here the listener plays the remote server)."""
    text = fill(QUERIES.get(name) or SPEC_ONLY[name], listener)
    store = RemoteStore(listener.url + "query", listener.url + "update", check_union=False)
    is_update = name in SPEC_UPDATES
    made, outcome = connections_made(listener, lambda: _remote_outcome(
        store, (lambda: store.update(text)) if is_update else (lambda: list(store.query(text)))))
    assert made == 0, f"RemoteStore sent {text!r} to the server"
    assert "refused" in outcome, outcome


def test_the_remote_store_forwards_service_and_load_where_the_settings_allow_them(listener):
    store = RemoteStore(listener.url + "query", listener.url + "update", check_union=False,
                        allow_service=True, allow_remote_update=True)
    made, rows = connections_made(listener, lambda: list(store.query(fill(QUERIES["plain"], listener))))
    assert made == 1 and rows[0]["z"].value == "from the listener"
    made, _ = connections_made(listener, lambda: store.update(fill(UPDATES["LOAD"], listener)))
    assert made == 1


def test_the_remote_store_still_runs_its_own_queries_and_named_parameters(listener):
    """Bound parameters are terms, not text: a value containing "service" passes."""
    import pyoxigraph as ox

    store = RemoteStore(listener.url + "query", check_union=False)
    made, rows = connections_made(listener, lambda: list(store.query(
        "SELECT ?z WHERE { ?s ?p ?z }", substitutions={"s": ox.Literal("self-service download")})))
    assert made == 1 and rows


# -- the command line ---------------------------------------------------------------------------

def test_the_cli_runs_the_users_own_file_as_written_on_the_embedded_store(tmp_path, listener):
    """`microhe query FILE.rq` is the local user's text on their own machine: not gated
    (nothing crosses a trust boundary); the same SERVICE then really runs."""
    from click.testing import CliRunner

    from microhe.cli import main

    store = Store(tmp_path / "store")
    initialise(store)
    store.close()
    rq = tmp_path / "mine.rq"
    rq.write_text(fill("# my own query\n" + QUERIES["plain"].replace("SELECT *", "SELECT ?z"), listener))
    made, result = connections_made(listener, lambda: CliRunner().invoke(
        main, ["query", "--store", str(tmp_path / "store"), "--format", "csv", str(rq)]))
    assert result.exit_code == 0, result.output
    assert made == 1 and "from the listener" in result.output
