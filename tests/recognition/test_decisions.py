"""Recognition decisions (microhe.recognition.decisions) and the named query
``decisions-about-issuer``: recorded decisions are listed by credential and issuer, found
by the named query (library and ``microhe query``), and bad decisions change nothing."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.queries.catalogue import QueryError, catalogue, resolve
from microhe.recognition.compare import compare
from microhe.recognition.decisions import DECISIONS_GRAPH, DecisionError, list_decisions, record_decision
from microhe.recognition.facts import read_facts
from microhe.store.embedded import Store
from tests.demo import demo_copy

from .conftest import CANDIDATE, DEMO, NEAR_MISS, ORG, REF_ORG, TARGET

BASE = "http://127.0.0.1:8000/"
VMU = REF_ORG + "vmu"
STRATHLOWE = ORG + "strathlowe"
BALLYNORE = ORG + "ballynore"


def run_named(store: Store, issuer: str) -> list[dict]:
    nq = resolve("decisions-about-issuer")
    rows = store.query(nq.text_for(nq.bindings({"issuer": issuer})), substitutions=nq.bindings({"issuer": issuer}))
    names = [v.value for v in rows.variables]
    return [{n: (r[n].value if r[n] is not None else None) for n in names} for r in rows]


@pytest.fixture(scope="module")
def store():
    s = demo_copy()
    comparison = compare(s, read_facts(s, CANDIDATE), read_facts(s, TARGET))
    record_decision(s, credential=CANDIDATE, institution=VMU, purpose="credit-transfer", outcome="recognise",
                    credited_ects=7.5, comparison=comparison, decided_by="registrar", base=BASE, note="showcase")
    record_decision(s, credential=NEAR_MISS, institution=VMU, purpose="access", outcome="substantial-differences",
                    decided_by="registrar", base=BASE)
    return s


def test_the_query_is_in_the_catalogue_with_its_parameter():
    nq = catalogue()["decisions-about-issuer"]
    assert nq.summary.startswith("Recognition decisions about the credentials of an issuer")
    assert [(p.name, p.type, p.required) for p in nq.params] == [("issuer", "iri", True)]
    assert nq.query_class == "recognition"


def test_decisions_about_an_issuer(store):
    rows = run_named(store, STRATHLOWE)
    assert len(rows) == 1
    row = rows[0]
    assert row["issuer"] == STRATHLOWE and row["credential"] == CANDIDATE
    assert row["title"] == "Applied data analysis"
    assert (row["institution"], row["purpose"], row["outcome"]) == (VMU, "credit-transfer", "recognise")
    assert float(row["creditedEcts"]) == 7.5 and row["decidedBy"] == BASE + "agent/registrar"
    assert row["decision"].startswith(BASE + "decision/")
    other = run_named(store, BALLYNORE)
    assert [(r["credential"], r["purpose"], r["outcome"], r["creditedEcts"]) for r in other] == [
        (NEAR_MISS, "access", "substantial-differences", None)]


def test_an_issuer_without_decisions_has_no_rows(store):
    assert run_named(store, REF_ORG + "dhbw") == []
    assert run_named(store, "https://example.org/no-such-org") == []


def test_the_issuer_parameter_is_required_and_an_iri():
    nq = resolve("decisions-about-issuer")
    with pytest.raises(QueryError):
        nq.bindings({})
    with pytest.raises(QueryError):
        nq.bindings({"issuer": "not an iri"})


def test_the_query_agrees_with_list_decisions(store):
    for issuer in (STRATHLOWE, BALLYNORE):
        listed = list_decisions(store, issuer=issuer)
        assert {d.iri for d in listed} == {r["decision"] for r in run_named(store, issuer)}
    assert list_decisions(store, issuer=REF_ORG + "dhbw") == []  # regression: the filter kept every decision
    assert [d.credential.iri for d in list_decisions(store, credential=CANDIDATE)] == [CANDIDATE]
    assert len(list_decisions(store)) == 2


def test_every_listing_names_the_awarding_body_of_the_decided_credential(store):
    # credentials.ttl: strathlowe-applied-data-analysis is awarded by <org/strathlowe>,
    # ballynore-data-analysis-essentials by <org/ballynore> (elm:awardingOpportunity)
    expected = {CANDIDATE: STRATHLOWE, NEAR_MISS: BALLYNORE}
    for listed in (list_decisions(store), list_decisions(store, credential=CANDIDATE),
                   list_decisions(store, credential=NEAR_MISS), list_decisions(store, issuer=BALLYNORE)):
        assert listed
        assert {d.credential.iri: d.issuer.iri for d in listed if d.issuer} == \
            {d.credential.iri: expected[d.credential.iri] for d in listed}
    assert [d.issuer.label for d in list_decisions(store, credential=CANDIDATE) if d.issuer] == ["Strathlowe University (demo)"]


def test_the_decision_keeps_its_comparison(store):
    d = list_decisions(store, credential=CANDIDATE)[0].iri
    rows = list(store.query(
        "PREFIX mhe: <https://w3id.org/microhe/ontology#> SELECT ?d ?name ?sub WHERE { "
        "?d mhe:basedOnComparison ?c . ?c mhe:criterionResult ?r . ?r mhe:criterion ?name "
        "OPTIONAL { ?r mhe:substantial ?sub } }", substitutions={"d": ox.NamedNode(d)}))
    mhe = "https://w3id.org/microhe/ontology#"
    assert sorted(r["name"].value for r in rows) == sorted(mhe + c for c in (
        "LevelCriterion", "WorkloadCriterion", "LearningOutcomesCriterion", "AssessmentCriterion",
        "QualityAssuranceCriterion"))


@pytest.mark.parametrize("kw,message", [
    ({"credential": DEMO + "no-such-credential"}, "unknown credential"),
    ({"credential": ORG + "strathlowe"}, "unknown credential"),  # an organisation, not a specification
    ({"purpose": "admission"}, "purpose"),
    ({"outcome": "maybe"}, "outcome"),
    ({"credited_ects": -1.0}, "credited_ects"),
    ({"credited_ects": float("nan")}, "credited_ects"),
    ({"credited_ects": float("inf")}, "credited_ects"),  # the desk form's "inf" reads as this
    ({"institution": "not an iri"}, "institution"),
    ({"credential": "https://example.org/a b"}, "credential"),
])
def test_bad_decisions_are_refused_and_change_nothing(store, kw, message):
    args = {"credential": CANDIDATE, "institution": VMU, "purpose": "access", "outcome": "recognise",
            "decided_by": "registrar", "base": BASE} | kw
    before = store.dump_bytes()
    with pytest.raises(DecisionError) as e:
        record_decision(store, **args)
    assert message in str(e.value)
    assert store.dump_bytes() == before


def test_microhe_query_runs_the_named_query(tmp_path):
    path = tmp_path / "store"
    s = demo_copy()
    record_decision(s, credential=CANDIDATE, institution=VMU, purpose="full-recognition", outcome="recognise",
                    decided_by="cli-test", base=BASE)
    quads = list(s.quads())
    disk = Store(path)
    disk.restore(quads)
    disk.close()
    r = CliRunner().invoke(main, ["query", "--store", str(path), "decisions-about-issuer",
                                  "--param", f"issuer={STRATHLOWE}", "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    bindings = json.loads(r.stdout)["results"]["bindings"]
    assert [(b["credential"]["value"], b["purpose"]["value"], b["decidedBy"]["value"]) for b in bindings] == [
        (CANDIDATE, "full-recognition", BASE + "agent/cli-test")]
    assert any(q.graph_name == ox.NamedNode(DECISIONS_GRAPH) for q in quads)
