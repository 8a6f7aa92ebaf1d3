"""The one SPARQL tokenizer (microhe.rdf.sparql_text): query form, prologue, dataset
clauses, VALUES injection and USING injection, and the in-process query path that uses it
to honour a query's own FROM / FROM NAMED."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from microhe.store.embedded import Store

N = ox.NamedNode
G1, G2 = "urn:g1", "urn:g2"
QUADS = [ox.Quad(N("urn:a"), N("urn:p"), N("urn:o"), N(G1)),
         ox.Quad(N("urn:b"), N("urn:p"), N("urn:o"), N(G2))]


@pytest.fixture
def store():
    s = Store()
    s.restore(QUADS)
    return s


def _subjects(result) -> set[str]:
    return {row["s"].value for row in result}


# -- the bug: the in-process path made pyoxigraph ignore a query's own FROM ----------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT ?s FROM <urn:g1> WHERE { ?s ?p ?o }", {"urn:a"}),
    ("PREFIX u: <urn:>\nSELECT ?s FROM u:g2 WHERE { ?s ?p ?o }", {"urn:b"}),
    ("SELECT ?s FROM NAMED <urn:g1> WHERE { GRAPH ?g { ?s ?p ?o } }", {"urn:a"}),
    ("SELECT ?s FROM NAMED <urn:g1> WHERE { ?s ?p ?o }", set()),  # FROM NAMED only: empty default graph
    ("SELECT ?s WHERE { ?s ?p ?o }", {"urn:a", "urn:b"}),  # no dataset clause: the union
    ('SELECT ?s WHERE { ?s ?p ?o FILTER(?o != "FROM <urn:g1>") }', {"urn:a", "urn:b"}),
    ("# FROM <urn:g1>\nSELECT ?s WHERE { ?s ?p ?o }", {"urn:a", "urn:b"}),
])
def test_a_query_with_its_own_dataset_gets_it(store, text, expected):
    assert _subjects(store.query(text)) == expected


def test_a_named_dataset_still_overrides_the_querys_own(store):
    text = "SELECT ?s FROM <urn:g1> WHERE { ?s ?p ?o }"
    assert _subjects(store.query(text, default_graph=[G2])) == {"urn:b"}


def test_microhe_query_file_honours_from(tmp_path):
    from microhe.cli import main

    s = Store(tmp_path / "store")
    s.restore(QUADS)
    s.close()
    rq = tmp_path / "from.rq"
    rq.write_text("SELECT ?s FROM <urn:g1> WHERE { ?s ?p ?o }")
    r = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "store"), str(rq), "--format", "json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert [b["s"]["value"] for b in json.loads(r.stdout)["results"]["bindings"]] == ["urn:a"]


# -- the tokenizer ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "form"), [
    ("SELECT * { ?s ?p ?o }", "SELECT"),
    ("# CONSTRUCT\nPREFIX a: <urn:x#>\nask { ?s ?p ?o }", "ASK"),
    ('BASE <urn:b/> DESCRIBE <x>', "DESCRIBE"),
    ("PREFIX select: <urn:x#> CONSTRUCT WHERE { ?s select:p ?o }", "CONSTRUCT"),
    ('INSERT DATA { <urn:s> <urn:p> "SELECT" }', None),
])
def test_query_form_is_read_past_prologue_comments_and_strings(text, form):
    from microhe.rdf import sparql_text

    assert sparql_text.inspect(text).form == form


def test_has_dataset_sees_only_real_from_clauses():
    from microhe.rdf import sparql_text

    assert sparql_text.inspect("SELECT * FROM <urn:g> {}").has_dataset
    assert sparql_text.inspect("SELECT * FROM NAMED <urn:g> {}").has_dataset
    assert sparql_text.inspect("PREFIX x: <urn:> SELECT * FROM x:g {}").has_dataset
    assert not sparql_text.inspect("SELECT * { ?s <urn:from> 'FROM <urn:g>' }").has_dataset
    assert not sparql_text.inspect("SELECT ?from { ?from ?p ?o }").has_dataset


def test_bind_values_binds_terms_in_every_group(store):
    from microhe.rdf import sparql_text

    text = sparql_text.bind_values("SELECT ?s WHERE { { ?s ?p ?o } UNION { ?s ?p ?o } }", {"s": N("urn:a")})
    assert text.count("VALUES (?s) { (<urn:a>) }") == 3
    assert _subjects(store.query(text)) == {"urn:a"}


def test_with_dataset_adds_using_before_every_where():
    from microhe.rdf import sparql_text

    out = sparql_text.with_dataset("DELETE WHERE { ?s ?p ?o }", ["urn:g1"], [])
    assert out == "DELETE { ?s ?p ?o } USING <urn:g1> WHERE { ?s ?p ?o }"


def test_from_clauses_resolve_against_base_and_prefixes_and_unknown_ones_are_flagged():
    from microhe.rdf import sparql_text

    info = sparql_text.inspect("BASE <http://ex.org/data/> PREFIX o: <http://other.org/> "
                               "SELECT * FROM <g1> FROM NAMED o:g2 WHERE {}")
    assert (info.base, info.from_default, info.from_named) == ("http://ex.org/data/", ["http://ex.org/data/g1"],
                                                               ["http://other.org/g2"])
    unknown = sparql_text.inspect("SELECT * FROM nope:g WHERE {}")  # a prefix never declared
    assert unknown.from_default == [] and unknown.unresolved_from and unknown.has_dataset
    assert sparql_text.inspect("PREFIX x <urn:x#> SELECT * {}").prefixes == {}  # no colon: not a prefix


def test_bind_values_skips_templates_values_blocks_and_sub_select_wrappers(store):
    from microhe.rdf import sparql_text

    text = ("CONSTRUCT { ?s <urn:q> ?o } WHERE { VALUES ?x { 1 } "
            "{ SELECT ?s ?o WHERE { ?s ?p ?o } } }")
    bound = sparql_text.bind_values(text, {"s": N("urn:b")})
    # the WHERE group and the sub-select's body; not the template, the data block, the wrapper
    assert bound.count("VALUES (?s) { (<urn:b>) }") == 2
    assert [str(t) for t in store.query(bound)] == ["<urn:b> <urn:q> <urn:o>"]


@pytest.mark.parametrize(("text", "subs", "message"), [
    ("SELECT * WHERE { ?s ?p ?o }", {"s": ox.BlankNode("b")}, "only IRIs and literals can be bound"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", {"s": N("urn:a")}, "short CONSTRUCT WHERE form"),
    ("DESCRIBE <urn:a>", {"s": N("urn:a")}, "cannot find the query's WHERE clause"),
])
def test_bind_values_refuses_what_it_cannot_bind(text, subs, message):
    from microhe.rdf import sparql_text

    with pytest.raises(ValueError, match=message):
        sparql_text.bind_values(text, subs)


# -- inline_iris: IRI parameters written into the patterns (the embedded store) ---------------

from microhe.rdf.sparql_text import inline_iris  # noqa: E402

CRED = ox.NamedNode("https://example.org/c/1")


def test_inline_iris_writes_the_iri_into_patterns_paths_and_expressions():
    text = ("SELECT ?credential ?v WHERE { { ?credential a ?v } UNION "
            "{ ?credential (<urn:a>|^<urn:b>/<urn:c>) ?v FILTER(STR(?credential) != \"\") } }")
    out = inline_iris(text, {"credential": CRED})
    assert out == ("SELECT ?credential ?v WHERE { { <https://example.org/c/1> a ?v } UNION "
                   "{ <https://example.org/c/1> (<urn:a>|^<urn:b>/<urn:c>) ?v "
                   "FILTER(STR(<https://example.org/c/1>) != \"\") } }")


@pytest.mark.parametrize("text", [
    "SELECT ?credential WHERE { ?s ?p ?o BIND(?o AS ?credential) }",
    "SELECT ?credential WHERE { ?s ?p ?o FILTER(BOUND(?credential)) }",
    "SELECT ?credential WHERE { VALUES ?credential { <urn:x> } }",
    "SELECT ?credential WHERE { VALUES (?credential ?o) { (<urn:x> 1) } }",
    "SELECT ?credential (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?credential ORDER BY ?credential",
    "SELECT ?credential WHERE { { SELECT ?credential WHERE { ?s ?p ?o } } }",
    "SELECT * WHERE { ?credential ?p ?o }",
    "SELECT ?credential WHERE { ?s ?p \"?credential\" } # ?credential",
])
def test_inline_iris_keeps_the_variables_that_must_stay_variables(text):
    """Projections, AS, BOUND, VALUES lists, GROUP BY/ORDER BY, strings and comments are
    left alone; with SELECT * nothing is inlined (the columns are the variables in scope)."""
    assert inline_iris(text, {"credential": CRED}) == text


def test_inline_iris_leaves_literals_and_blank_nodes_to_the_substitutions():
    text = "SELECT ?eqf ?b WHERE { ?x <urn:rank> ?eqf ; <urn:b> ?b }"
    assert inline_iris(text, {"eqf": ox.Literal("6"), "b": ox.BlankNode("b1")}) == text


def test_inline_iris_cannot_be_used_to_inject_syntax():
    """The IRI is written by pyoxigraph, which refuses what would end it (an IRI is checked
    when the NamedNode is made)."""
    with pytest.raises(ValueError):
        ox.NamedNode("urn:x> } ; DROP ALL ; { <urn:y")
    out = inline_iris("SELECT ?c WHERE { ?c ?p ?o }", {"c": ox.NamedNode("urn:x%3E%7D")})
    assert out == "SELECT ?c WHERE { <urn:x%3E%7D> ?p ?o }"
