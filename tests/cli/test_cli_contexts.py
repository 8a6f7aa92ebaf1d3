"""`validate`, `load` and `serve` with --context-dir / MICROHE_CONTEXT_DIR, the keys JSON-LD
expansion drops, and "0 micro-credentials found: nothing was checked" (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.store.embedded import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
VALID = FIXTURES / "spec-valid.ttl"
OB3 = Path(__file__).parents[1] / "rdf" / "fixtures" / "parse" / "ob3-basic.json"
URL = "https://example.org/contexts/pilot-v1.jsonld"
ELM = "http://data.europa.eu/snb/model/elm/"


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, *args, env=None):
    return runner.invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def dump(path: Path) -> bytes:
    s = Store(path)
    try:
        return s.dump_bytes()
    finally:
        del s


@pytest.fixture
def pilot(tmp_path) -> tuple[Path, Path]:
    """A context directory with one pilot context, and a specification that uses it
    (Turtle fixture facts written as JSON-LD under the pilot's own terms) plus one key
    the pilot context does not define."""
    d = tmp_path / "ctx"
    d.mkdir()
    ctx = {"@context": {"elm": ELM, "dcterms": "http://purl.org/dc/terms/",
                        "Qualification": "elm:Qualification",
                        "title": {"@id": "dcterms:title", "@container": "@language"}}}
    (d / "pilot.jsonld").write_text(json.dumps(ctx))
    (d / "index.json").write_text(json.dumps({"contexts": {URL: "pilot.jsonld"}}))
    doc = {"@context": URL, "@id": "https://example.org/pilot/spec1", "@type": "Qualification",
           "title": {"en": "Pilot course"}, "pilotScore": 7}
    f = tmp_path / "pilot-spec.jsonld"
    f.write_text(json.dumps(doc))
    return d, f


def test_validate_without_the_context_dir_names_the_url_and_how_to_add_it(runner, pilot):
    _, f = pilot
    r = run(runner, "validate", f)
    assert r.exit_code == 2
    assert f"<{URL}>" in r.output and "--context-dir" in r.output and "MICROHE_CONTEXT_DIR" in r.output


@pytest.mark.parametrize("how", ["flag", "env"])
def test_validate_with_the_context_dir_reads_the_file_and_reports_the_dropped_key(runner, pilot, how):
    d, f = pilot
    args = ("validate", "--profile", "council-2022", "--format", "json", f)
    if how == "flag":
        r = run(runner, *args[:1], "--context-dir", d, *args[1:])
    else:
        r = run(runner, *args, env={"MICROHE_CONTEXT_DIR": str(d)})
    doc = json.loads(r.stdout)
    [file_report] = doc["files"]
    assert file_report["dropped_keys"] == [{"path": "pilotScore", "key": "pilotScore", "kind": "key"}]
    assert file_report["checked"] == {"council-2022": 1}
    assert r.exit_code == 1  # the minimal specification lacks most Annex I elements


def test_validate_text_lists_dropped_keys(runner, pilot):
    d, f = pilot
    r = run(runner, "validate", "--context-dir", d, f)
    assert "1 key dropped" in r.stdout and "pilotScore" in r.stdout


def test_a_bad_context_dir_is_exit_2(runner, tmp_path, pilot):
    _, f = pilot
    r = run(runner, "validate", "--context-dir", tmp_path / "nowhere", f)
    assert r.exit_code == 2 and "does not exist" in r.output


def test_validate_of_an_open_badge_says_nothing_was_checked_and_exits_1(runner):
    r = run(runner, "validate", OB3)
    assert r.exit_code == 1, r.output
    assert "0 micro-credentials found: nothing was checked" in r.stdout
    assert "obv3:OpenBadgeCredential" in r.stdout and "microhe import ob3" in r.stdout


def test_validate_json_of_an_open_badge(runner):
    r = run(runner, "validate", "--format", "json", OB3)
    doc = json.loads(r.stdout)
    assert doc["conforms"] is False and doc["files"][0]["nothing_checked"] is True


def test_load_of_an_open_badge_is_refused_and_changes_nothing(runner, tmp_path):
    store = tmp_path / "store"
    assert run(runner, "init", "--store", store).exit_code == 0
    before = dump(store)
    r = run(runner, "load", "--store", store, "--strip-personal-data", OB3)  # (its learner is refused first)
    assert r.exit_code == 1
    assert "0 micro-credentials found: nothing was checked" in r.output
    assert dump(store) == before


def test_load_reports_dropped_keys_in_its_json(runner, tmp_path, pilot):
    d, f = pilot
    store = tmp_path / "store"
    r = run(runner, "load", "--store", store, "--context-dir", d, "--profile", "consistency", "--format", "json", f)
    # consistency targets none of its nodes, but it holds a specification: loaded (flagged
    # incomplete by search), with the dropped key reported
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["files"][0]["dropped_keys"][0]["path"] == "pilotScore"


def test_load_of_a_valid_file_reports_no_dropped_keys(runner, tmp_path):
    store = tmp_path / "store"
    r = run(runner, "load", "--store", store, "--format", "json", VALID)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["files"][0]["dropped_keys"] == []


def test_serve_takes_the_context_dir_option(runner):
    r = run(runner, "serve", "--help")
    assert "--context-dir" in r.stdout
