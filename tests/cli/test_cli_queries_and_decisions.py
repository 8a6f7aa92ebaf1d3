"""``microhe queries`` (the catalogue of named queries, text and JSON) and the decision
commands' own input: a ``--comparison`` file that is not a JSON object is refused before
the store is touched; ``decision list`` as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main

QUERIES = Path(__file__).resolve().parents[2] / "microhe" / "queries"
CREDENTIAL = "https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis"
VMU = "https://w3id.org/microhe/ref/org/vmu"


def test_queries_lists_every_named_query_with_its_parameters():
    r = CliRunner().invoke(main, ["queries"])
    assert r.exit_code == 0, r.output
    names = {line.split(":")[0] for line in r.stdout.splitlines() if not line.startswith(" ")}
    assert names == {p.stem for p in QUERIES.glob("*.rq")}
    # the header of credentials-by-eqf-level.rq: "#+ param: eqf integer required the EQF level, 1-8"
    assert "    --param eqf=<integer>  (required) the EQF level, 1-8" in r.stdout.splitlines()
    assert any(line.startswith("    --param after=<iri>  (optional) paging:") for line in r.stdout.splitlines())


def test_queries_as_json():
    r = CliRunner().invoke(main, ["queries", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {q["name"] for q in doc} == {p.stem for p in QUERIES.glob("*.rq")}
    [by_level] = [q for q in doc if q["name"] == "credentials-by-eqf-level"]
    assert by_level["params"][0] == {"name": "eqf", "type": "integer", "required": True, "default": None,
                                     "description": "the EQF level, 1-8"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    store = str(tmp_path_factory.mktemp("decisions") / "store")
    assert CliRunner().invoke(main, ["init", "--store", store, "--demo"]).exit_code == 0
    return store


def _record(store: str, *extra: str):
    return CliRunner().invoke(main, ["decision", "record", "--store", store, "--credential", CREDENTIAL,
                                     "--institution", VMU, "--purpose", "credit-transfer", "--outcome", "recognise",
                                     *extra])


def _listed(store: str) -> list[dict]:
    return json.loads(CliRunner().invoke(main, ["decision", "list", "--store", store, "--format", "json"]).stdout)


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a readable JSON comparison"),
    ('["a", "list"]', "a comparison is a JSON object"),
])
def test_a_comparison_file_that_is_not_a_json_object_is_refused_and_nothing_recorded(demo, tmp_path, content,
                                                                                      message):
    f = tmp_path / "comparison.json"
    f.write_text(content)
    before = _listed(demo)
    r = _record(demo, "--comparison", str(f))
    assert r.exit_code == 2 and f"{f}: {message}" in r.stderr, r.output
    assert _listed(demo) == before


def test_a_missing_comparison_file_is_refused(demo, tmp_path):
    before = _listed(demo)
    r = _record(demo, "--comparison", str(tmp_path / "absent.json"))
    assert r.exit_code == 2 and "not a readable JSON comparison" in r.stderr
    assert _listed(demo) == before


def test_decision_list_as_text(tmp_path):
    demo = str(tmp_path / "store")
    assert CliRunner().invoke(main, ["init", "--store", demo, "--demo"]).exit_code == 0
    r = _record(demo, "--credited-ects", "7.5", "--decided-by", "evaluator")
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["decision", "list", "--store", demo])
    assert r.exit_code == 0, r.output
    [line] = r.stdout.splitlines()
    # labels from the demo and reference data (credentials.ttl, institutions.ttl skos:prefLabel)
    named = f"Applied data analysis <{CREDENTIAL}>  by Vytautas Magnus University (VMU) <{VMU}>"
    assert line.endswith(f"  recognise 7.5 ECTS (credit-transfer)  {named}")
    r = _record(demo, "--decided-by", "evaluator")  # no credited ECTS: none shown
    lines = CliRunner().invoke(main, ["decision", "list", "--store", demo]).stdout.splitlines()
    # both recorded within the same second: the list orders them by time, then by decision IRI
    assert len(lines) == 2
    assert sum(line.endswith(f"  recognise (credit-transfer)  {named}") for line in lines) == 1
