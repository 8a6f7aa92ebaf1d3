"""The parser's syntax error as one line a person can act on: line, column, what was expected.

pyoxigraph reports ``error at L:C: expected one of ...`` where the list spells out the
character classes of the grammar over several lines (the "seven-line grammar dump"). The
expected lines below are written by hand from the query text: the column is counted in
characters from 1, as an editor counts."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from microhe.rdf.sparql_errors import syntax_message


def parser_error(text: str) -> SyntaxError:
    with pytest.raises(SyntaxError) as e:
        ox.Store().query(text)
    return e.value


def message(text: str) -> str:
    return syntax_message(parser_error(text), text)


def test_a_missing_prefix_names_the_prefix_and_where_it_is_used():
    text = "SELECT ?c WHERE {\n  ?c a mhe:Credential }"
    #                          123456789  -> "mhe:Credential" starts at column 8 of line 2
    assert message(text) == ('line 2, column 8: the prefix "mhe:" is not declared; '
                             "add a PREFIX mhe: <...> line before the query")


def test_a_missing_object_is_one_line_with_line_and_column():
    text = "SELECT * WHERE { ?s ?p }"
    # 24 characters: the parser stops just past the end, column 25
    assert message(text) == "line 1, column 25, at the end of the query: expected one of LATERAL, SERVICE"


def test_the_grammar_dump_becomes_a_short_list():
    text = "SELECT * WHERE { ?s ?p ?o"
    assert "\n" in str(parser_error(text))  # what the parser says spans lines
    m = message(text)
    assert "\n" not in m and "\\u{" not in m and "..=" not in m
    assert m == ('line 1, column 26, at the end of the query: expected one of ",", ".", ";", "{", "{|", "}", '
                 '"~", a name character, a letter, "_"')


def test_keywords_the_parser_expected_are_kept():
    text = "SELECT * WHERE { ?s ?p ?o } LIMT 5"
    assert message(text) == ("line 1, column 35, at the end of the query: "
                             "expected one of HAVING, OFFSET, OPTIONAL, VALUES")


def test_a_position_inside_the_text_quotes_what_stands_there():
    text = "SELEC * WHERE { ?s ?p ?o }"
    # the parser stops at column 10, in "WHERE" (its H)
    assert message(text) == 'line 1, column 10, at "HERE": expected CONSTRUCT'


def test_columns_count_characters_not_bytes():
    text = "SELECT ?é WHERE { ?s ?p }"
    # 25 characters (26 bytes): the end is column 26
    assert message(text).startswith("line 1, column 26, at the end of the query:")


def test_an_invalid_iri_and_a_lone_any_character_item():
    assert message("SELECT * WHERE { ?s <a b> ?o }").endswith("expected one of a valid IRI, OPTIONAL")
    assert message("SELECT ?x WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }") == \
        "line 1, column 48, at the end of the query: the text is not valid SPARQL here"


def test_a_message_in_another_shape_is_kept_on_one_line():
    assert syntax_message(SyntaxError("something\nelse"), "ASK {}") == "something else"


def test_a_position_past_the_text_is_not_an_error_of_its_own():
    assert syntax_message(SyntaxError("error at 9:99: expected X"), "ASK {}") == \
        "line 9, column 99: expected X"
    assert syntax_message(SyntaxError("error at 1:99: expected one of A, B"), "ASK {}") == \
        "line 1, column 99, at the end of the query: expected one of A, B"
