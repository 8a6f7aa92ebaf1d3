"""The SSRF gate (microhe/kg/sparql_gate.py): no SERVICE or LOAD anywhere in caller text,
except directly after ?, $ or : (variables and local names). Decoding first, no tokenising.
The end-to-end proof (a loopback listener that must get no connection) is
tests/api/http/test_ssrf.py; here: the rule itself, its message, and that the project's own
queries and README examples pass it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microhe.api.routes.sparql import DEFAULT_QUERY
from microhe.rdf.sparql_gate import RemoteAccessRefused, check_query, check_update, decode_escapes, find

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://x/> {} }",
    "select * { ?s ?p 1service<http://x/>{} }",
    "PREFIX : <http://x/> SELECT * { SERVICE:x {} }",
    "SELECT * { ?s ?p falseSERVICE <http://x/> {} }",
    "SELECT * { FILTER(?one<2)SERVICE#>\n<http://x/>{} }",
    "LOAD <http://x/>",
    "CLEAR ALL ; Load <x>",
    "clear all;load<x>",
    # inside strings, IRIs and comments: refused as well (the gate reads no grammar)
    "INSERT DATA { <a:a> <a:b> 'load the service' }",
    'INSERT DATA { <a:a> <a:b> """x\nSERVICE""" }',
    "INSERT DATA { <http://e/load> <http://e/x> 1 }",
    "# LOAD <x>\nCLEAR ALL",
    "SELECT * { ?s ?p 'self-service' }",
    # glued to a previous word, also in variables and local names
    "SELECT ?workload { ?s ?p ?workload }",
    "SELECT * { ?s mhe:download ?o }",
    "SELECT * { ?s ?p ?o } # services",
    # codepoint escapes (SPARQL 1.1 section 19.2), once or twice
    "SELECT * { ?s ?p false \\u0053ERVICE <http://x/> {} }",
    "SELECT * { ?s ?p false SERV\\u0069ce <http://x/> {} }",
    "SELECT * { ?s ?p false \\U00000053ERVICE <http://x/> {} }",
    "\\u004coad <http://x/>",
    "\\u005Cu0053ERVICE <http://x/>",
    "\\u003Fload <http://x/>",  # escaped "?": refused as written
    # letters that read as ASCII ones in case-insensitive matching or after normalisation
    "SELECT * { ?s ?p false \u017fERVICE <http://x/> {} }",  # long s: upper case S
    "SELECT * { ?s ?p false SERV\u0130CE <http://x/> {} }",  # I with a dot: Java lower case i
    "SELECT * { ?s ?p false \uff33\uff25\uff32\uff36\uff29\uff23\uff25 <http://x/> {} }",  # fullwidth
    "SELECT * { ?s ?p false SERVIC\\u0065 <http://x/> {} }",
])
def test_refused(text):
    assert find(text) is not None
    with pytest.raises(RemoteAccessRefused):
        check_query(text)
    with pytest.raises(RemoteAccessRefused):
        check_update(text)


@pytest.mark.parametrize("text", [
    "SELECT ?load ?service $load $service WHERE { ?load a mhe:Load ; mhe:service :service ; ex:loadCount ?n }",
    "SELECT ?loads WHERE { ?loads a mhe:ServiceAgreement }",
    "SELECT * { _:load ?p ?o }",
    "SELECT * { ?s ?p ?o } LIMIT 3",
    "INSERT DATA { <a:a> <a:b> 'download'@en }".replace("download", "d\u00f6wnl\u00f6ad"),  # not letters we fold
    "",
])
def test_allowed(text):
    assert find(text) is None
    check_query(text)
    check_update(text)


def test_the_message_says_what_why_where_and_which_setting_allows_it():
    with pytest.raises(RemoteAccessRefused) as e:
        check_query("SELECT *\nWHERE { ?s ?p 1SERVICE <http://127.0.0.1:9/> {} }")
    message = str(e.value)
    assert message.startswith("SERVICE refused: the query contains 'service' (line 2, column 16: 'WHERE { ?s ?p 1SERVICE <http://127.0.0.1:9')")
    assert "MICROHE_ALLOW_SERVICE=true" in message and "?load" in message
    with pytest.raises(RemoteAccessRefused) as e:
        check_update("CLEAR ALL ;\n  \\u004cOAD <http://x/>")
    message = str(e.value)
    assert message.startswith("LOAD refused: the update contains 'load' (line 2, column 3, after decoding \\u escapes")
    assert "MICROHE_ALLOW_REMOTE_UPDATE=true" in message
    assert e.value.finding.word == "LOAD"


def test_escapes_are_decoded_as_sparql_section_19_2_says():
    assert decode_escapes("\\u0053\\U00000045x\\u00e9") == "SEx\u00e9"
    assert decode_escapes("\\u00G1 \\U00110000 \\u12") == "\\u00G1 \\U00110000 \\u12"  # no character: as written
    assert decode_escapes("\\u005Cu0053") == "\\u0053"  # one round at a time


# -- generated spellings --------------------------------------------------------------------

_SPELLING = settings(max_examples=200, derandomize=True, database=None, deadline=None)


@st.composite
def spelled(draw, word: str) -> str:
    """``word`` in random case, any letter possibly a \\u or \\U escape."""
    out = []
    for ch in word:
        ch = draw(st.sampled_from([ch.lower(), ch.upper()]))
        form = draw(st.sampled_from(["plain", "plain", "u", "U"]))
        out.append(ch if form == "plain" else f"\\u{ord(ch):04X}" if form == "u" else f"\\U{ord(ch):08x}")
    return "".join(out)


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\\"), max_size=30)


@_SPELLING
@given(before=_TEXT, after=_TEXT, word=st.sampled_from(["service", "load"]).flatmap(spelled),
       glue=st.characters(codec="utf-8", exclude_characters="?$:\\"))
def test_any_spelling_anywhere_is_refused(before, after, word, glue):
    """Whatever surrounds it, a spelling of the word after anything but ?, $ or : is refused."""
    with pytest.raises(RemoteAccessRefused):
        check_query(before + glue + word + after)


@_SPELLING
@given(before=_TEXT, word=st.sampled_from(["service", "load"]), mark=st.sampled_from("?$:"),
       case=st.sampled_from([str.lower, str.upper, str.title]))
def test_the_words_are_allowed_after_a_variable_or_prefix_mark(before, word, mark, case):
    """Text without the words, plus a variable or local name that starts with one, passes."""
    before = re.sub("(?i)service|load", "", before)
    if find(before) is None:  # e.g. a fullwidth "load" the sub missed stays refused
        check_query(before + " " + mark + case(word) + "x")


# -- the project's own text passes ----------------------------------------------------------

def _rq_files() -> list[Path]:
    return sorted((ROOT / "microhe" / "queries").glob("*.rq"))


def _readme_examples() -> list[str]:
    """SPARQL in README.md: ```sparql blocks and the query= of curl commands."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", readme, re.S)
    queries = re.findall(r"query=([^'\n]+)'", readme)
    return blocks + queries


def test_the_project_has_queries_and_readme_examples_to_check():
    assert len(_rq_files()) >= 10 and len(_readme_examples()) >= 2


@pytest.mark.parametrize("path", _rq_files(), ids=lambda p: p.name)
def test_every_named_query_passes_the_gate(path):
    """Named queries are trusted and skip the gate, but the query page offers them as
    examples to run on /sparql, and a remote store checks every query it sends."""
    check_query(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", [*_readme_examples(), DEFAULT_QUERY])
def test_every_readme_example_and_the_query_page_default_pass_the_gate(text):
    check_query(text)

