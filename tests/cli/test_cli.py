"""The command line, end to end on a store in a temporary directory.

Every refusal is checked against the store: a sorted N-Quads dump before and after
must be identical.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.store.embedded import Store
from microhe.vocab import META_GRAPH, REF_GRAPH

FIXTURES = Path(__file__).parents[1] / "fixtures"
VALID = FIXTURES / "spec-valid.ttl"
INVALID = FIXTURES / "spec-invalid.ttl"
UNPARSABLE = FIXTURES / "unparsable.ttl"
SHARED = Path(__file__).parents[2] / ".." / "shared"
SAMPLE_AWARD = SHARED / "anchors/elm/derived/Sample-MC-Annex1-signed-payload.jsonld"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def new_store_dir(tmp_path):
    """Where a test's own store goes (not there yet: the CLI creates it)."""
    return tmp_path / "store"


def run(runner, *args, env=None):
    return runner.invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def dump(new_store_dir: Path) -> bytes:
    s = Store(new_store_dir)
    try:
        return s.dump_bytes()
    finally:
        del s


# -- validate ------------------------------------------------------------------------


def test_validate_a_conforming_file_exits_0(runner):
    r = run(runner, "validate", VALID)
    assert r.exit_code == 0, r.output
    assert "conforms" in r.stdout.lower() or "0 violation" in r.stdout.lower()


def test_validate_reports_violations_with_focus_node_and_path_and_exits_1(runner):
    r = run(runner, "validate", INVALID, "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["conforms"] is False
    results = doc["files"][0]["results"]
    paths = {res["path"] for res in results}
    assert "http://purl.org/dc/terms/title" in paths
    assert all(res["focus_node"] == "https://example.org/test/bad" for res in results if res["path"] == "http://purl.org/dc/terms/title")
    assert {"focus_node", "path", "message", "severity", "shape"} <= set(results[0])


def test_validate_turtle_report_is_a_shacl_validation_report(runner):
    r = run(runner, "validate", INVALID, "--format", "turtle")
    assert r.exit_code == 1
    g = ox.Dataset(ox.parse(r.stdout, ox.RdfFormat.TURTLE))
    sh = "http://www.w3.org/ns/shacl#"
    assert any(q.object == ox.NamedNode(sh + "ValidationReport") for q in g)


def test_validate_unparsable_file_exits_2_with_line_and_column(runner):
    r = run(runner, "validate", UNPARSABLE)
    assert r.exit_code == 2
    assert "unparsable.ttl:3" in r.stderr


def test_validate_missing_file_and_unknown_profile_exit_2(runner, tmp_path):
    assert run(runner, "validate", tmp_path / "nope.ttl").exit_code == 2
    r = run(runner, "validate", VALID, "--profile", "no-such-profile")
    assert r.exit_code == 2 and "council-2022" in r.stderr


def test_validate_with_warnings_only_still_exits_0(runner):
    r = run(runner, "validate", VALID, "--profile", "council-2022-recommended", "--format", "json")
    assert r.exit_code == 0, r.stdout
    assert json.loads(r.stdout)["conforms"] is True


def test_validate_remote_context_is_refused_not_fetched(runner, tmp_path):
    f = tmp_path / "remote.jsonld"
    f.write_text(json.dumps({"@context": "https://evil.example.org/context.jsonld", "@id": "urn:x", "name": "y"}))
    r = run(runner, "validate", f)
    assert r.exit_code == 2
    assert "https://evil.example.org/context.jsonld" in r.stderr


def test_validate_deeply_nested_json_ld_is_refused_cleanly(runner, tmp_path):
    f = tmp_path / "deep.jsonld"
    f.write_text("[" * 200_000 + "]" * 200_000)
    r = run(runner, "validate", f)
    assert r.exit_code == 2


# -- load ------------------------------------------------------------------------------


def test_first_use_initialises_the_store_with_reference_graphs_only(runner, new_store_dir):
    r = run(runner, "graphs", "--store", new_store_dir, "--format", "json")
    assert r.exit_code == 0
    graphs = {g["graph"] for g in json.loads(r.stdout)}
    data = graphs - {META_GRAPH}
    assert any(g.startswith(REF_GRAPH) for g in data)
    # reference graphs and the ontology only: no demo or instance data
    assert all(g.startswith((REF_GRAPH, "https://w3id.org/microhe/ontology")) for g in data)


def test_load_writes_a_named_graph_with_provenance(runner, new_store_dir):
    r = run(runner, "load", "--store", new_store_dir, VALID, "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["loaded"] is True
    (f,) = out["files"]
    assert f["status"] == "loaded" and f["triples"] > 20
    graphs = json.loads(run(runner, "graphs", "--store", new_store_dir, "--format", "json").stdout)
    rec = next(g for g in graphs if g["graph"] == f["graph"])
    assert rec["sha256"] == f["sha256"] and rec["source"] == "spec-valid.ttl"
    assert rec["triples"] == f["triples"]
    assert set(rec["profiles"]) == {"council-2022", "consistency"}
    assert rec["loaded"]


def _without_record_times(nquads: bytes) -> list[str]:
    """A dump's lines with the load record's node and time blanked (they differ per load)."""
    text = re.sub(r"urn:uuid:[0-9a-f-]+", "urn:uuid:X", nquads.decode())
    return sorted(re.sub(r'"[^"]*"\^\^<http://www.w3.org/2001/XMLSchema#dateTime>', '"T"', line)
                  for line in text.splitlines())


def test_bulk_load_writes_the_same_graphs_and_record_as_a_transactional_load(runner, tmp_path):
    plain, bulk = tmp_path / "plain", tmp_path / "bulk"
    assert run(runner, "load", "--store", plain, VALID).exit_code == 0
    r = run(runner, "load", "--store", bulk, VALID, "--bulk")
    assert r.exit_code == 0, r.output
    # blank nodes get fresh labels per load: compare the graphs, not the labels
    def canonical(path):
        return _without_record_times(re.sub(rb"_:[0-9a-z]+", b"_:b", dump(path)))

    assert canonical(bulk) == canonical(plain)


def test_bulk_load_of_invalid_input_changes_nothing(runner, new_store_dir):
    run(runner, "init", "--store", new_store_dir)
    before = dump(new_store_dir)
    r = run(runner, "load", "--store", new_store_dir, VALID, INVALID, "--bulk")
    assert r.exit_code == 1 and "Specification-M2" in r.stdout
    assert dump(new_store_dir) == before


def test_reloading_the_same_file_changes_nothing(runner, new_store_dir):
    assert run(runner, "load", "--store", new_store_dir, VALID).exit_code == 0
    before = dump(new_store_dir)
    r = run(runner, "load", "--store", new_store_dir, VALID)
    assert r.exit_code == 0 and "already loaded" in r.stderr
    assert dump(new_store_dir) == before


def test_load_of_invalid_input_exits_1_with_the_report_and_changes_nothing(runner, new_store_dir):
    run(runner, "init", "--store", new_store_dir)
    before = dump(new_store_dir)
    r = run(runner, "load", "--store", new_store_dir, INVALID)
    assert r.exit_code == 1
    assert "Specification-M2" in r.stdout and "title" in r.stdout
    assert dump(new_store_dir) == before


def test_one_bad_file_and_nothing_is_loaded(runner, new_store_dir):
    run(runner, "init", "--store", new_store_dir)
    before = dump(new_store_dir)
    r = run(runner, "load", "--store", new_store_dir, VALID, INVALID)
    assert r.exit_code == 1
    assert dump(new_store_dir) == before


def test_unparsable_input_exits_2_with_line_and_column_and_changes_nothing(runner, new_store_dir):
    run(runner, "init", "--store", new_store_dir)
    before = dump(new_store_dir)
    r = run(runner, "load", "--store", new_store_dir, VALID, UNPARSABLE)
    assert r.exit_code == 2
    assert "unparsable.ttl:3" in r.stderr
    assert dump(new_store_dir) == before


def test_a_graph_holding_other_data_needs_replace(runner, new_store_dir, tmp_path):
    g = "https://example.org/graph/x"
    assert run(runner, "load", "--store", new_store_dir, "--graph", g, VALID).exit_code == 0
    other = tmp_path / "other.ttl"
    other.write_text(VALID.read_text().replace("Test micro-credential", "Renamed micro-credential"))
    before = dump(new_store_dir)
    r = run(runner, "load", "--store", new_store_dir, "--graph", g, other)
    assert r.exit_code != 0 and "--replace" in r.stderr
    assert dump(new_store_dir) == before
    r = run(runner, "load", "--store", new_store_dir, "--graph", g, other, "--replace")
    assert r.exit_code == 0, r.output
    s = Store(new_store_dir)
    titles = {q.object.value for q in s.quads(g) if q.predicate.value == "http://purl.org/dc/terms/title"}
    records = [q for q in s.quads(META_GRAPH) if q.object == ox.NamedNode(g)]
    del s
    assert "Renamed micro-credential in data analysis" in titles
    assert "Test micro-credential in data analysis" not in titles
    assert len(records) == 1  # one current load record for the graph


def test_learner_data_is_refused_with_the_option_named_then_stripped_on_request(runner, new_store_dir):
    run(runner, "init", "--store", new_store_dir)
    before = dump(new_store_dir)
    r = run(runner, "load", "--store", new_store_dir, SAMPLE_AWARD, "--profile", "consistency")
    assert r.exit_code == 1
    assert "--strip-personal-data" in r.stderr
    assert dump(new_store_dir) == before
    r = run(runner, "load", "--store", new_store_dir, SAMPLE_AWARD, "--profile", "consistency", "--strip-personal-data")
    assert r.exit_code == 0, r.output
    s = Store(new_store_dir)
    loaded = [g for g in s.named_graphs() if g.endswith("Sample-MC-Annex1-signed-payload.jsonld")]
    assert len(loaded) == 1
    quads = list(s.quads(loaded[0]))
    del s
    preds = {q.predicate.value for q in quads}
    types = {q.object.value for q in quads if q.predicate.value.endswith("#type")}
    assert "http://xmlns.com/foaf/0.1/givenName" not in preds
    assert "http://data.europa.eu/snb/model/elm/Person" not in types
    assert "http://data.europa.eu/snb/model/elm/LearningAchievement" in types


def test_empty_input_is_refused_with_exit_2(runner, new_store_dir, tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    r = run(runner, "load", "--store", new_store_dir, empty)
    assert r.exit_code == 2 and "no RDF triples" in r.stderr


def test_a_huge_literal_is_refused_cleanly(runner, new_store_dir, tmp_path):
    f = tmp_path / "huge.ttl"
    f.write_text('<urn:a> <urn:b> "' + "x" * (20 * 1024 * 1024) + '" .\n')
    r = run(runner, "load", "--store", new_store_dir, f)
    assert r.exit_code == 2


def test_store_location_comes_from_the_environment_when_no_option_is_given(runner, tmp_path):
    env_store = tmp_path / "env-store"
    r = run(runner, "load", VALID, env={"MICROHE_STORE": str(env_store)})
    assert r.exit_code == 0, r.output
    assert env_store.exists()


# -- query ------------------------------------------------------------------------------


def test_query_file_with_csv_and_json_output_goes_to_stdout_alone(runner, new_store_dir, tmp_path):
    run(runner, "load", "--store", new_store_dir, VALID)
    rq = tmp_path / "titles.rq"
    rq.write_text("SELECT ?t WHERE { <https://example.org/test/spec> <http://purl.org/dc/terms/title> ?t }")
    r = run(runner, "query", "--store", new_store_dir, rq, "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["results"]["bindings"][0]["t"]["value"] == "Test micro-credential in data analysis"
    r = run(runner, "query", "--store", new_store_dir, rq, "--format", "csv")
    assert r.stdout.splitlines()[0].strip() == "t"


def test_query_with_a_parameter_binds_it_as_a_term(runner, new_store_dir, tmp_path):
    run(runner, "load", "--store", new_store_dir, VALID)
    rq = tmp_path / "by-title.rq"
    rq.write_text("#+ summary: by title\n#+ param: t langstring the title\n"
                  "SELECT ?s ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t }")
    r = run(runner, "query", "--store", new_store_dir, rq, "--param", "t=Test micro-credential in data analysis@en",
            "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["results"]["bindings"]
    assert [b["s"]["value"] for b in rows] == ["https://example.org/test/spec"]
    r = run(runner, "query", "--store", new_store_dir, rq, "--param", 't=x" } ; DROP ALL ; #@en', "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["results"]["bindings"] == []


def test_query_errors_exit_2(runner, new_store_dir, tmp_path):
    assert run(runner, "query", "--store", new_store_dir, "no-such-query").exit_code == 2
    bad = tmp_path / "bad.rq"
    bad.write_text("SELEC nonsense")
    r = run(runner, "query", "--store", new_store_dir, bad)
    assert r.exit_code == 2 and "syntax" in r.stderr.lower()
    r = run(runner, "query", "--store", new_store_dir, bad, "--param", "novalue")
    assert r.exit_code == 2


# -- graphs, drop, dump, restore --------------------------------------------------------


def test_drop_removes_a_graph_and_its_record(runner, new_store_dir):
    g = "https://example.org/graph/dropme"
    run(runner, "load", "--store", new_store_dir, "--graph", g, VALID)
    r = run(runner, "drop", "--store", new_store_dir, g)
    assert r.exit_code == 0
    s = Store(new_store_dir)
    assert g not in s.named_graphs()
    assert not any(q.object == ox.NamedNode(g) for q in s.quads(META_GRAPH))
    del s
    assert run(runner, "drop", "--store", new_store_dir, g).exit_code == 2


def test_dump_and_restore_into_a_new_path_reproduce_the_dump_exactly(runner, new_store_dir, tmp_path):
    run(runner, "load", "--store", new_store_dir, VALID)
    nq = tmp_path / "backup.nq"
    assert run(runner, "dump", "--store", new_store_dir, nq).exit_code == 0
    copy = tmp_path / "copy"
    r = run(runner, "restore", "--store", copy, nq)
    assert r.exit_code == 0, r.output
    assert dump(copy) == nq.read_bytes()


def test_restore_refuses_a_non_empty_store_unless_replace(runner, new_store_dir, tmp_path):
    nq = tmp_path / "one.nq"
    nq.write_text("_:b1 <urn:p> \"x\" <urn:g> .\n")
    run(runner, "init", "--store", new_store_dir)
    before = dump(new_store_dir)
    r = run(runner, "restore", "--store", new_store_dir, nq)
    assert r.exit_code == 1 and "--replace" in r.stderr
    assert dump(new_store_dir) == before
    assert run(runner, "restore", "--store", new_store_dir, nq, "--replace").exit_code == 0
    assert dump(new_store_dir) == nq.read_bytes()


def test_restore_of_a_malformed_dump_exits_2(runner, new_store_dir, tmp_path):
    nq = tmp_path / "bad.nq"
    nq.write_text("<urn:a> <urn:b> .\n")
    assert run(runner, "restore", "--store", new_store_dir, nq).exit_code == 2


def test_init_demo_adds_the_demo_graphs(runner, new_store_dir):
    r = run(runner, "init", "--store", new_store_dir, "--demo")
    assert r.exit_code == 0
    graphs = json.loads(run(runner, "graphs", "--store", new_store_dir, "--format", "json").stdout)
    assert any(g["graph"].startswith("https://w3id.org/microhe/demo/graph/") for g in graphs)


# -- tokens ---------------------------------------------------------------------------------


def test_token_add_prints_the_token_alone_and_keeps_only_its_hash(runner, new_store_dir):
    r = run(runner, "token", "add", "--store", new_store_dir, "steward")
    assert r.exit_code == 0
    token = r.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    token_file = new_store_dir.with_name(new_store_dir.name + ".tokens.json")
    assert token not in token_file.read_text()
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert "steward" in run(runner, "token", "list", "--store", new_store_dir).stdout
    assert run(runner, "token", "add", "--store", new_store_dir, "steward").exit_code == 2
    assert run(runner, "token", "revoke", "--store", new_store_dir, "steward").exit_code == 0
    assert run(runner, "token", "revoke", "--store", new_store_dir, "steward").exit_code == 2


def test_query_parameter_given_twice_or_not_projected_exits_2(runner, new_store_dir, tmp_path):
    rq = tmp_path / "p.rq"
    rq.write_text("#+ summary: s\n#+ param: x string an x\nSELECT ?s WHERE { ?s ?p ?x }")
    r = run(runner, "query", "--store", new_store_dir, rq, "--param", "x=a", "--param", "x=b")
    assert r.exit_code == 2 and "twice" in r.stderr
    r = run(runner, "query", "--store", new_store_dir, rq, "--param", "x=a")
    assert r.exit_code == 2 and "query failed" in r.stderr


def test_a_malformed_query_header_is_reported(runner, new_store_dir, tmp_path):
    rq = tmp_path / "h.rq"
    rq.write_text("#+ summary: s\n#+ param: x nosuchtype an x\nSELECT ?x WHERE { ?s ?p ?x }")
    r = run(runner, "query", "--store", new_store_dir, rq)
    assert r.exit_code == 2 and "param" in r.stderr
