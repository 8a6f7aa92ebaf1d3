"""Rules written once: each test greps (or walks the syntax tree of) the package for a
second copy of a rule that has one home, so a copy that creeps back fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyoxigraph as ox

PACKAGE = Path(__file__).resolve().parents[2] / "microhe"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def _outside(allowed: set[str]):
    return ((name, text) for name, text in _modules() if name not in allowed)


# -- the absolute-IRI check: microhe/rdf/iri.py ---------------------------------------------------

#: A scheme pattern (RFC 3986 ``ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"``), however spelled.
_SCHEME_REGEX = re.compile(r"\[(?:A-Za-z|a-zA-Z|a-z)\]\[(?:A-Za-z0-9|a-zA-Z0-9|a-z0-9|\\w)[^\]]*\+[^\]]*\]\*:")


def test_no_absolute_iri_regex_outside_rdf():
    found = [f"{name}:{text[:m.start()].count(chr(10)) + 1}" for name, text in _modules()
             if not name.startswith("rdf/") for m in _SCHEME_REGEX.finditer(text)]
    assert not found, f"absolute-IRI regexes outside microhe/rdf (use microhe.rdf.iri): {found}"


def test_the_scheme_pattern_finds_the_spellings_it_is_meant_to():
    for spelling in (r'"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$"', r"r'[a-zA-Z][a-zA-Z0-9+\-.]*:'", r"[a-z][a-z0-9+.-]*:"):
        assert _SCHEME_REGEX.search(spelling), spelling


# -- the format table: microhe/rdf/formats.py -----------------------------------------------------

_RDF_MEDIA_TYPES = {"text/turtle", "application/n-triples", "application/n-quads", "application/trig",
                    "application/rdf+xml", "application/ld+json", "application/sparql-results+json",
                    "application/sparql-results+xml", "text/tab-separated-values", "text/x-nquads",
                    "application/x-turtle", "application/x-trig"}


def _is_format_member(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
            and node.value.attr in ("RdfFormat", "QueryResultsFormat"))


def test_media_types_are_spelled_only_in_the_format_table():
    found = []
    for name, text in _outside({"rdf/formats.py"}):
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and node.value in _RDF_MEDIA_TYPES:
                found.append(f"{name}:{node.lineno} {node.value!r}")
    assert not found, f"RDF media types spelled outside microhe/rdf/formats.py: {found}"


def test_no_table_maps_to_pyoxigraph_formats_outside_the_format_table():
    found = []
    for name, text in _outside({"rdf/formats.py"}):
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Dict) and any(v is not None and _is_format_member(v) for v in node.values):
                found.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.Dict) and any(k is not None and _is_format_member(k) for k in node.keys):
                found.append(f"{name}:{node.lineno}")
    assert not found, f"media-type/extension -> format tables outside microhe/rdf/formats.py: {found}"


def test_the_format_table_reads_what_every_reader_read():
    from microhe.rdf import formats

    T = ox.RdfFormat
    for value, fmt in {"text/turtle": T.TURTLE, "application/x-turtle": T.TURTLE,
                       "text/turtle; charset=utf-8": T.TURTLE, "application/n-triples": T.N_TRIPLES,
                       "application/n-quads": T.N_QUADS, "text/x-nquads": T.N_QUADS, "application/trig": T.TRIG,
                       "application/x-trig": T.TRIG, "application/rdf+xml": T.RDF_XML, "text/xml": T.RDF_XML,
                       "application/xml": T.RDF_XML, "application/ld+json": T.JSON_LD,
                       "application/json": T.JSON_LD}.items():
        assert formats.rdf_format(media_type=value) == fmt, value
    for value, fmt in {"a.ttl": T.TURTLE, "a.nt": T.N_TRIPLES, "a.nq": T.N_QUADS, "a.trig": T.TRIG,
                       "a.rdf": T.RDF_XML, "a.owl": T.RDF_XML, "a.xml": T.RDF_XML, "a.jsonld": T.JSON_LD,
                       "a.json": T.JSON_LD, "A.TTL": T.TURTLE, "https://x.org/a.ttl?x=1#y": T.TURTLE,
                       "turtle": T.TURTLE, "json-ld": T.JSON_LD, "nquads": T.N_QUADS}.items():
        assert formats.rdf_format(name=value) == fmt, value
    # N3 is not read (it is more than Turtle); text/plain says nothing about the content
    assert formats.rdf_format(media_type="text/n3") is None
    assert formats.rdf_format(media_type="text/plain") is None
    assert formats.rdf_format(name="a.n3") is None
    # but a server that answers text/plain sends N-Triples, and Turtle is valid N3 to serve
    assert formats.served_as("text/plain") == formats.N_TRIPLES
    assert formats.served_as("text/n3") == formats.TURTLE


def test_every_format_of_the_table_is_pyoxigraphs_own():
    from microhe.rdf import formats

    for mt in formats.RDF_MEDIA_TYPES:
        assert ox.RdfFormat.from_media_type(mt).media_type == mt
    for mt in formats.RESULTS_MEDIA_TYPES:
        assert ox.QueryResultsFormat.from_media_type(mt).media_type.split(";")[0] == mt


# -- the N-Quads writer: microhe/rdf/nquads.py ----------------------------------------------------

_LINE_WRITER = re.compile(r"\{\w+\.object\}[^\n]*\.\\n")


def test_no_nquads_line_writer_outside_rdf_nquads():
    found = [name for name, text in _outside({"rdf/nquads.py"}) if _LINE_WRITER.search(text)]
    assert not found, f"N-Quads lines written outside microhe/rdf/nquads.py: {found}"


def test_nquads_lines_read_back_as_the_same_quads():
    from microhe.rdf import nquads

    N, L = ox.NamedNode, ox.Literal
    quads = [ox.Quad(N("urn:s"), N("urn:p"), L('a "q"\n\\ \u00e9', language="fr"), N("urn:g")),
             ox.Quad(ox.BlankNode("b1"), N("urn:p"), L("1", datatype=N("urn:t")), ox.DefaultGraph())]
    text = b"".join(nquads.lines(quads, with_graph=True))
    assert list(ox.parse(text, format=ox.RdfFormat.N_QUADS)) == quads
    triples = b"".join(nquads.lines(quads, with_graph=False))
    assert [q.triple for q in ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)] == [q.triple for q in quads]
    body = nquads.data_block(quads)
    s = ox.Store()
    s.update("INSERT DATA { " + body + " }")
    anonymous = re.compile(r"_:\w+")  # INSERT DATA relabels blank nodes
    assert sorted(anonymous.sub("_:b", str(q)) for q in s) == sorted(anonymous.sub("_:b", str(q)) for q in quads)


# -- the SPARQL tokenizer: microhe/rdf/sparql_text.py ---------------------------------------------

def test_no_sparql_tokenizer_outside_rdf_sparql_text():
    pattern = re.compile(r"\(\?P<(?:iri|string|lstring)>")
    found = [name for name, text in _outside({"rdf/sparql_text.py"}) if pattern.search(text)]
    assert not found, f"SPARQL text scanners outside microhe/rdf/sparql_text.py: {found}"
