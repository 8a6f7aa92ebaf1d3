"""The recognition commands end to end (``level``, ``credits``, ``compare``, ``stack``,
``search``) on a demo store in a temporary directory given with ``--store PATH``:
``--format json`` puts the JSON document alone on stdout; errors exit 2 with the message
(and the valid values) on stderr; refusals and uploaded files leave the store unchanged."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.store.embedded import Store
from tests.recognition.conftest import CANDIDATE, CODES, DEMO, NEAR_MISS, RQF6_QDR, SKILL, TARGET
from tests.recognition.test_compare import UPLOAD


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def run(runner, store_dir, *args, env=None):
    return runner.invoke(main, [str(a) for a in (args[0], "--store", store_dir, *args[1:])], env=env,
                         catch_exceptions=False)


def run_json(runner, store_dir, *args) -> dict:
    r = run(runner, store_dir, *args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)  # fails unless stdout is exactly one JSON document


def dump(store_dir) -> bytes:
    s = Store(store_dir)
    try:
        return s.dump_bytes()
    finally:
        s.close()


def fails(r, *expected: str) -> None:
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    for e in expected:
        assert e in r.stderr, r.stderr


# -- level -----------------------------------------------------------------------------


def test_level_json(runner, store_dir):
    doc = run_json(runner, store_dir, "level", "SCQF", "11")
    assert (doc["framework"], doc["level"], doc["eqf"]) == ("SCQF", "11", [7])
    assert {"framework", "level", "eqf", "same_eqf_level", "caveat", "closest", "sources", "notes"} <= set(doc)
    assert "equivalents" not in doc
    assert {"framework": "DQR", "level": "7", "eqf": [7]}.items() <= next(
        e for e in doc["same_eqf_level"] if e["framework"] == "DQR").items()


def test_level_one_to_many_and_to(runner, store_dir):
    doc = run_json(runner, store_dir, "level", "sqf", "9", "--to", "EQF")
    assert doc["eqf"] == [7, 8]
    assert [(e["framework"], e["level"]) for e in doc["same_eqf_level"]] == [("EQF", "7"), ("EQF", "8")]


def test_level_by_qdr_iri(runner, store_dir):
    doc = run_json(runner, store_dir, "level", "-", RQF6_QDR)
    assert (doc["framework"], doc["level"], doc["eqf"]) == ("RQF", "6", [6])


@pytest.mark.parametrize("args,want", [
    (["FQF Level 6"], ("CNCP", "6", [6])),                 # one argument: read whole
    (["NLQF", "4+"], ("NLQF", "4+", [4])),
    (["NQF RNCP Level I-Master"], ("FR-1969", "I", [7])),
    (["LTQF", "Level 6"], ("LTKS", "6", [6])),
    (["SCQF 9"], ("SCQF", "9", [6])),
])
def test_level_as_credentials_write_it(runner, store_dir, args, want):
    doc = run_json(runner, store_dir, "level", *args)
    assert (doc["framework"], doc["level"], doc["eqf"]) == want


def test_level_text_says_broadly_comparable_and_closest(runner, store_dir):
    r = run(runner, store_dir, "level", "SCQF", "9")
    assert r.exit_code == 0, r.stderr
    assert "same EQF level (broadly comparable level, not equivalence" in r.stdout
    # the UK-Ireland pairing is uncertain since issue 22 (the leaflet was read only in mirror copies)
    assert "closest: NFQ 7 [uncertain]" in r.stdout
    assert "equivalent" not in r.stdout.replace("not equivalence", "")


@pytest.mark.parametrize("args,expected", [
    (["Entry 3"], ["ambiguous", "RQF Entry 3", "CQFW Entry 3"]),
    (["QNQ Level 6"], ["ambiguous", "QNQ 6", "QNQ Level 6", "PRT"]),
    (["DQR", "VI"], ["unknown level 'VI' of DQR"]),
    (["", ""], ["empty level"]),
    (["SCQF", "x" * 400], ["at most 300"]),
    (["FQF Level 6", "--country", "Gaul"], ["alpha-3"]),
])
def test_level_bad_or_ambiguous_input_exits_2_with_the_candidates(runner, store_dir, args, expected):
    before = dump(store_dir)
    fails(run(runner, store_dir, "level", *args), *expected)
    assert dump(store_dir) == before


@pytest.mark.parametrize("code,label", [("SCQF", "2"), ("RQF", "Entry 1")])
def test_level_below_eqf_1_exits_0_with_a_note(runner, store_dir, code, label):
    doc = run_json(runner, store_dir, "level", code, label)
    assert doc["eqf"] == [] and any("below EQF" in n for n in doc["notes"])


def test_level_text(runner, store_dir):
    r = run(runner, store_dir, "level", "SCQF", "11")
    assert r.exit_code == 0 and "EQF 7" in r.stdout


def test_level_unknown_framework_lists_codes(runner, store_dir):
    fails(run(runner, store_dir, "level", "XQF", "1", "--format", "json"), *CODES)


def test_level_unknown_level_lists_levels(runner, store_dir):
    fails(run(runner, store_dir, "level", "SCQF", "13", "--format", "json"), "13", "1, 2, 3", "12")


def test_level_unknown_to(runner, store_dir):
    fails(run(runner, store_dir, "level", "SCQF", "11", "--to", "XQF"), "XQF")


# -- credits ---------------------------------------------------------------------------


def test_credits_json(runner, store_dir):
    doc = run_json(runner, store_dir, "credits", "15", "SCQF")
    assert {k: doc[k] for k in ("amount", "system", "basis", "disputed")} == {
        "amount": 15, "system": "SCQF", "basis": "convention", "disputed": False}
    assert {k: doc["ects"][k] for k in ("value", "basis", "disputed")} == {
        "value": 7.5, "basis": "convention", "disputed": False}
    assert (doc["by_hours"]["min"], doc["by_hours"]["max"]) == (5, 6)  # 150 h at 30 and 25 h per ECTS
    assert doc["sources"] and doc["notes"]


@pytest.mark.parametrize("args,value,lo,hi,basis,disputed", [
    (("20", "UK"), 10, 6.67, 8, "convention", False),
    (("1", "us-sch"), 2, 1.5, 1.8, "convention", True),
    (("3", "US-QCH"), 4, 3, 3.6, "convention", True),           # 3 quarter = 2 semester credits; 90 h
    (("45", "HOURS"), 1.65, 1.5, 1.8, "notional-hours", False),
    (("100", "HOURS", "--country", "MLT"), 4, 4, 4, "notional-hours", False),  # Malta: 25 h per ECTS
])
def test_credits_other_systems(runner, store_dir, args, value, lo, hi, basis, disputed):
    doc = run_json(runner, store_dir, "credits", *args)
    assert (doc["ects"]["value"], doc["by_hours"]["min"], doc["by_hours"]["max"]) == (value, lo, hi)
    assert (doc["ects"]["basis"], doc["ects"]["disputed"]) == (basis, disputed)


def test_credits_ecvet_has_no_hours_figure(runner, store_dir):
    doc = run_json(runner, store_dir, "credits", "30", "ECVET")
    assert (doc["ects"]["value"], doc["ects"]["disputed"], doc["by_hours"]) == (30, True, None)
    r = run(runner, store_dir, "credits", "30", "ECVET")
    assert "30 ECVET = 30 ECTS by convention (disputed)" in r.stdout
    assert "by notional hours: none" in r.stdout


def test_credits_text_names_the_credit_system_in_the_language_asked_for(runner, store_dir):
    r = run(runner, store_dir, "credits", "20", "UK", "--lang", "fr")
    assert r.exit_code == 0, r.output
    assert "credit system: UK credit (Credit Accumulation and Transfer)" in r.stdout  # no French label: English


@pytest.mark.parametrize("command", [["credits", "20", "UK"], ["level", "SCQF", "11"], ["search"],
                                     ["compare", CANDIDATE, "--target", TARGET], ["stack", "--target", TARGET]])
@pytest.mark.parametrize("bad", ["x y", "<b>", "fr;q=1", ""])
def test_a_bad_lang_is_refused(runner, store_dir, command, bad):
    r = run(runner, store_dir, *command, "--lang", bad)
    if bad == "":
        assert r.exit_code == 0, r.output  # no language asked for: English
    else:
        assert r.exit_code == 2 and "language tag" in r.stderr, r.output


def test_labels_in_the_language_asked_for(runner, store_dir):
    doc = run_json(runner, store_dir, "search", "--text", "GDPR", "--lang", "fr")
    hit = doc["results"][0]
    assert (hit["label"], hit["lang"]) == ("Protection des données et conformité au RGPD", "fr")
    r = run(runner, store_dir, "search", "--text", "GDPR", "--lang", "fr")
    assert "Protection des données" in r.stdout and "Université de Bellerive" in r.stdout


def test_credits_text(runner, store_dir):
    r = run(runner, store_dir, "credits", "20", "UK")
    assert r.exit_code == 0
    assert "20 UK = 10 ECTS by convention" in r.stdout
    assert "by notional hours: 6.67-8 ECTS (at 25-30 h per ECTS)" in r.stdout


def test_credits_bad_country(runner, store_dir):
    fails(run(runner, store_dir, "credits", "10", "UK", "--country", "United Kingdom"), "alpha-3")


@pytest.mark.parametrize("amount", ["abc", "-1", "-0.5", "nan", "inf", "1e400", ""])
def test_credits_bad_amount(runner, store_dir, amount):
    r = runner.invoke(main, ["credits", "--store", str(store_dir), "--format", "json", "--", amount, "UK"])
    fails(r, "amount")


def test_credits_unknown_system_lists_valid_ones(runner, store_dir):
    fails(run(runner, store_dir, "credits", "10", "XYZ"), "ECTS", "UK", "SCQF", "US-SCH", "US-QCH", "ECVET", "HOURS")


# -- compare ---------------------------------------------------------------------------


def test_compare_showcase(runner, store_dir):
    doc = run_json(runner, store_dir, "compare", CANDIDATE, "--target", TARGET)
    assert doc["recommendation"]["outcome"] == "recognise"
    assert doc["recommendation"]["credit_transfer"]["ects"] == 7.5
    assert doc["recommendation"]["exemption"]["ects"] == 7.5


def test_compare_near_miss(runner, store_dir):
    doc = run_json(runner, store_dir, "compare", NEAR_MISS, "--target", TARGET)
    assert doc["recommendation"]["outcome"] == "substantial-differences"
    assert {c["name"] for c in doc["criteria"] if c["substantial"]} >= {"level", "workload", "assessment"}


def test_compare_text(runner, store_dir):
    r = run(runner, store_dir, "compare", NEAR_MISS, "--target", TARGET)
    assert r.exit_code == 0 and "recommendation: substantial-differences" in r.stdout


def test_compare_text_gives_both_effects_and_the_caveats(runner, store_dir, tmp_path):
    # SCQF 11, 15 SCQF credit points: 7.5 ECTS by the 2:1 convention, 5-6 by hours (a caveat)
    r = run(runner, store_dir, "compare", CANDIDATE, "--target", TARGET)
    assert r.exit_code == 0, r.output
    assert "credit transfer: 7.5 ECTS" in r.stdout and "or exemption from:" in r.stdout
    assert "caveat (credit-convention)" in r.stdout


def test_compare_strict_level_flag(runner, store_dir, tmp_path):
    # the near miss (EQF 6) against a module of an EQF 7 programme
    req = tmp_path / "module.json"
    req.write_text(json.dumps({"programme_eqf": 7, "ects": 5, "outcomes": [SKILL + "statistical-analysis"]}))
    default = run_json(runner, store_dir, "compare", NEAR_MISS, "--target", req)
    assert default["criteria"][0]["status"] == "check-module-level"
    assert default["rules"]["strict_level"] is False
    strict = run_json(runner, store_dir, "compare", NEAR_MISS, "--target", req, "--strict-level")
    assert strict["criteria"][0]["status"] == "below" and strict["rules"]["strict_level"] is True


def test_compare_with_requirements_file_and_thresholds(runner, store_dir, tmp_path):
    req = tmp_path / "requirements.json"
    req.write_text(json.dumps({"eqf": 7, "ects": 20, "outcomes": [SKILL + "statistical-analysis"]}))
    doc = run_json(runner, store_dir, "compare", CANDIDATE, "--target", req)
    assert doc["target"]["source"] == "requirements"
    assert doc["recommendation"]["outcome"] == "recognise-partially"
    assert doc["recommendation"]["credit_transfer"] == {"ects": 7.5, "credential_ects": 7.5, "allowed_ects": 20}
    assert doc["recommendation"]["exemption"] is None
    lenient = run_json(runner, store_dir, "compare", CANDIDATE, "--target", req, "--workload-ratio", "0.3")
    assert lenient["rules"]["workload_ratio"] == 0.3
    assert lenient["recommendation"]["outcome"] == "recognise"
    strict = run_json(runner, store_dir, "compare", CANDIDATE, "--target", TARGET, "--outcome-coverage", "1")
    assert strict["recommendation"]["outcome"] == "recognise-partially"


def test_compare_uploaded_file_is_never_stored(runner, store_dir, tmp_path):
    f = tmp_path / "candidate.ttl"
    f.write_text(UPLOAD, encoding="utf-8")
    before = dump(store_dir)
    doc = run_json(runner, store_dir, "compare", f, "--target", TARGET)
    assert doc["credential"]["source"] == "candidate.ttl"
    # the upload states no type of assessment (M9) and no form of participation (M10)
    assert doc["recommendation"]["outcome"] == "needs-information"
    assert doc["recommendation"]["missing"] == ["M9", "M10"]
    assert "credential_validation" in doc
    assert dump(store_dir) == before


@pytest.mark.parametrize("args,message", [
    (["not-an-iri-or-file", "--target", TARGET], "neither a file nor an absolute IRI"),
    ([DEMO + "no-such-credential", "--target", TARGET], "no specification"),
    ([CANDIDATE, "--target", DEMO + "no-such-target"], "no specification"),
    ([CANDIDATE, "--target", TARGET, "--workload-ratio", "11"], "workload-ratio"),
    ([CANDIDATE, "--target", TARGET, "--outcome-coverage", "1.5"], "outcome-coverage"),
    ([CANDIDATE], "--target"),
])
def test_compare_errors(runner, store_dir, args, message):
    fails(run(runner, store_dir, "compare", *args, "--format", "json"), message)


@pytest.mark.parametrize("content", ['{"eqf": 9}', '{"level": 7}', "not json", '{"ects": -1}',
                                     '{"programme_eqf": "6"}', '{"programme_eqf": []}', '{"eqf": []}'])
def test_compare_bad_requirements_file(runner, store_dir, tmp_path, content):
    req = tmp_path / "bad.json"
    req.write_text(content)
    fails(run(runner, store_dir, "compare", CANDIDATE, "--target", req, "--format", "json"), "bad.json")


def test_refused_comparisons_leave_the_store_unchanged(runner, store_dir, tmp_path):
    f = tmp_path / "broken.ttl"
    f.write_text("this is not turtle")
    before = dump(store_dir)
    fails(run(runner, store_dir, "compare", f, "--target", TARGET, "--format", "json"), "broken.ttl")
    fails(run(runner, store_dir, "compare", DEMO + "no-such-credential", "--target", TARGET), "no specification")
    fails(run(runner, store_dir, "stack", "--target", TARGET, "--max", "0"), "--max")
    assert dump(store_dir) == before


# -- stack -----------------------------------------------------------------------------


def test_stack_json(runner, store_dir):
    doc = run_json(runner, store_dir, "stack", "--target", TARGET)
    assert doc["pathways"] and doc["no_solution"] is None
    assert doc["declared_stack"] == {"parts": [], "cycles": []}


def test_stack_no_solution_from_requirements(runner, store_dir, tmp_path):
    req = tmp_path / "req.json"
    req.write_text(json.dumps({"eqf": 6, "ects": 5, "outcomes": ["https://example.org/skill/orphan"]}))
    doc = run_json(runner, store_dir, "stack", "--target", req, "--max", "2")
    assert doc["pathways"] == [] and [m["iri"] for m in doc["no_solution"]["missing"]] == [
        "https://example.org/skill/orphan"]
    r = run(runner, store_dir, "stack", "--target", req)
    assert r.exit_code == 0 and "no pathway" in r.stdout


def test_stack_declared_parts_text(runner, store_dir):
    r = run(runner, store_dir, "stack", "--target", DEMO + "vmu-teaching-online-certificate")
    assert r.exit_code == 0 and "declared parts" in r.stdout


@pytest.mark.parametrize("args,message", [
    (["--target", TARGET, "--max", "0"], "--max"),
    (["--target", TARGET, "--max", "7"], "--max"),
    (["--target", DEMO + "no-such-target"], "no specification"),
    ([], "--target"),
])
def test_stack_errors(runner, store_dir, args, message):
    fails(run(runner, store_dir, "stack", *args, "--format", "json"), message)


# -- search ----------------------------------------------------------------------------


def test_search_json(runner, store_dir):
    doc = run_json(runner, store_dir, "search", "--eqf", "6", "--limit", "1000")
    assert doc["total"] == len(doc["results"]) == 23
    assert DEMO + "eden-designing-micro-credentials" in {r["iri"] for r in doc["results"]}
    assert sum(doc["facets"]["country"].values()) == 23


def test_search_framework_level_and_pages(runner, store_dir):
    doc = run_json(runner, store_dir, "search", "--framework", "SCQF", "--level", "11")
    assert [r["iri"] for r in doc["results"]] == [CANDIDATE]
    full = run_json(runner, store_dir, "search", "--limit", "1000")["results"]
    page = run_json(runner, store_dir, "search", "--limit", "5", "--offset", "5")
    assert page["results"] == full[5:10]


def test_search_text_output(runner, store_dir):
    r = run(runner, store_dir, "search", "--text", "python")
    assert r.exit_code == 0 and r.stdout.startswith("2 match(es)")


@pytest.mark.parametrize("args,message", [
    (["--eqf", "9"], "--eqf"),
    (["--eqf", "x"], "--eqf"),
    (["--country", "GB"], "alpha-3"),
    (["--framework", "SCQF"], "needs a level"),
    (["--level", "Entry 3"], "ambiguous"),
    (["--framework", "XQF", "--level", "1"], "SCQF"),
    (["--framework", "SCQF", "--level", "13"], "12"),
    (["--mode", "hybrid"], "--mode"),
    (["--ects-min", "-1"], "--ects-min"),
    (["--limit", "1001"], "--limit"),
    (["--offset", "-1"], "--offset"),
])
def test_search_errors(runner, store_dir, args, message):
    fails(run(runner, store_dir, "search", *args, "--format", "json"), message)


# -- --store ---------------------------------------------------------------------------


def test_store_option_wins_over_the_environment(runner, store_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    r = run(runner, store_dir, "search", "--format", "json", env={"MICROHE_STORE": str(elsewhere)})
    assert r.exit_code == 0 and json.loads(r.stdout)["total"] == 46
    assert not elsewhere.exists()


def test_a_new_store_path_gets_the_reference_graphs_only(runner, tmp_path):
    fresh = tmp_path / "fresh"
    r = run(runner, fresh, "search", "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["total"] == 0  # stdout holds only the document ...
    assert "initialising" in r.stderr           # ... progress goes to stderr
    assert run_json(runner, fresh, "level", "SCQF", "11")["eqf"] == [7]
    assert run_json(runner, fresh, "credits", "20", "UK")["ects"]["value"] == 10.0


def test_decisions_can_be_recorded_and_listed_from_the_cli(tmp_path):
    runner = CliRunner()
    store = str(tmp_path / "store")
    assert runner.invoke(main, ["init", "--store", store, "--demo"]).exit_code == 0
    cred = "https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis"
    r = runner.invoke(main, ["decision", "record", "--store", store, "--credential", cred,
                             "--institution", "https://w3id.org/microhe/ref/org/vmu",
                             "--purpose", "credit-transfer", "--outcome", "recognise", "--credited-ects", "7.5",
                             "--decided-by", "evaluator"])
    assert r.exit_code == 0, r.output
    iri = r.stdout.strip()
    assert iri.startswith("http") and "\n" not in iri
    r = runner.invoke(main, ["decision", "list", "--store", store, "--issuer",
                             "https://w3id.org/microhe/demo/org/strathlowe", "--format", "json"])
    rows = json.loads(r.stdout)
    assert [d["iri"] for d in rows] == [iri]
    assert rows[0]["credited_ects"] == 7.5 and rows[0]["decided_by"] == "evaluator"
    # an unknown credential is refused and nothing is written
    r = runner.invoke(main, ["decision", "record", "--store", store, "--credential", "https://example.org/nope",
                             "--institution", "https://w3id.org/microhe/ref/org/vmu",
                             "--purpose", "access", "--outcome", "recognise"])
    assert r.exit_code == 2 and "unknown credential" in r.stderr
    r = runner.invoke(main, ["decision", "list", "--store", store, "--format", "json"])
    assert len(json.loads(r.stdout)) == 1
