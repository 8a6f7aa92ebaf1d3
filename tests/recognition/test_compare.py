"""Substantial-difference comparison (microhe.recognition.compare): the showcase and
the near miss of the demo data, each criterion substantial and unknown, each
recommendation, configurable thresholds, requirement documents and an uploaded document
that is compared but never stored.

Rules (compare.py docstring): level substantial when the credential's highest EQF level
is below the target's lowest; workload substantial when ECTS ratio < 0.8; outcomes
substantial when coverage (same concept or narrower) < 0.75; assessment substantial when
identity verification is required and the credential's is unverified; QA substantial when
required and there is no accreditation. Missing data is unknown (substantial None).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from microhe.ingest.load import LoadError, Source, stage
from microhe.recognition.compare import Rules, compare, target_from_requirements
from microhe.recognition.facts import NotFoundError, facts_from_document, read_facts
from tests.demo import demo_copy

from .conftest import CANDIDATE, DEMO, ECTS_IRI, NEAR_MISS, PREFIXES, SKILL, TARGET, write_turtle

T = "https://example.org/test/"
VERIFIED = "https://w3id.org/microhe/demo/supervision-verification/supervised-with-id-verification"
SUPERVISED_NO_ID = "https://w3id.org/microhe/demo/supervision-verification/supervised-without-id-verification"


def _ects(points: str) -> str:
    return f'elm:creditPoint [ a elm:CreditPoint ; elm:framework <{ECTS_IRI}> ; elm:point "{points}" ]'


FIXTURE = f"""
t:no-level a elm:Qualification ; dcterms:title "Declares no level"@en ; {_ects("7.5")} ;
    elm:learningOutcome t:no-level-lo .
t:no-level-lo a elm:LearningOutcome ; dcterms:title "stats"@en ; elm:relatedESCOSkill skill:statistical-analysis .

t:no-credits a elm:Qualification ; dcterms:title "Declares no workload"@en ; elm:EQFLevel eqf:7 ;
    elm:learningOutcome t:no-credits-lo .
t:no-credits-lo a elm:LearningOutcome ; dcterms:title "stats"@en ; elm:relatedESCOSkill skill:statistical-analysis .

t:no-outcomes a elm:Qualification ; dcterms:title "Declares no outcomes"@en ; elm:EQFLevel eqf:7 ; {_ects("7.5")} .

t:no-idv a elm:Qualification ; dcterms:title "No ID-verification statement, no QA"@en ; elm:EQFLevel eqf:7 ;
    {_ects("7.5")} ; elm:learningOutcome t:no-idv-lo ; elm:provenBy t:no-idv-assessment .
t:no-idv-lo a elm:LearningOutcome ; dcterms:title "stats"@en ; elm:relatedESCOSkill skill:statistical-analysis .
t:no-idv-assessment a elm:LearningAssessmentSpecification ; dcterms:title "Essay"@en .

t:supervised-no-id a elm:Qualification ; dcterms:title "Supervised, no ID check"@en ; elm:EQFLevel eqf:7 ;
    {_ects("7.5")} ; elm:learningOutcome t:no-idv-lo ; elm:provenBy t:supervised-no-id-assessment .
t:supervised-no-id-assessment a elm:LearningAssessmentSpecification ; dcterms:title "Exam"@en ;
    elm:idVerification <{SUPERVISED_NO_ID}> .

t:issuer-qa a elm:Qualification ; dcterms:title "QA through its awarding body"@en ; elm:EQFLevel eqf:7 ;
    {_ects("7.5")} ; elm:learningOutcome t:no-idv-lo ;
    elm:awardingOpportunity [ a elm:AwardingOpportunity ; elm:awardingBody t:accredited-org ] .
t:accredited-org a elm:Organisation ; elm:accreditation t:accredited-org-iqa .
t:accredited-org-iqa a elm:Accreditation ; dcterms:title "Institutional QA"@en .

t:requiring-target a elm:Qualification ; dcterms:title "A target that requires ID verification and QA"@en ;
    elm:EQFLevel eqf:7 ; {_ects("5")} ; elm:learningOutcome t:no-idv-lo ;
    mhe:requiresIdentityVerification true ; mhe:requiresQualityAssurance true .
"""


@pytest.fixture(scope="module")
def store():
    s = demo_copy()
    write_turtle(s, "compare-fixture", FIXTURE)
    return s


def facts(store, iri):
    return read_facts(store, iri)


def req(**kw):
    return target_from_requirements(kw)


def crit(doc, name):
    return next(c for c in doc.criteria if c.name == name)


SHOWCASE_SKILLS = [SKILL + s for s in ("statistical-analysis", "data-visualisation", "python-data-wrangling")]


# -- the demo showcase and near miss ---------------------------------------------------


def test_showcase_is_recognised(store):
    doc = compare(store, facts(store, CANDIDATE), facts(store, TARGET))
    assert doc.recommendation.outcome == "recognise"
    # 7.5 ECTS against the target's 7.5: transfer min(7.5, 7.5), or the target waived
    assert doc.recommendation.credit_transfer.model_dump() == {"ects": 7.5, "credential_ects": 7.5,
                                                               "allowed_ects": 7.5}
    assert doc.recommendation.exemption.ects == 7.5 and doc.recommendation.exemption.module.iri == TARGET
    assert [c.name for c in doc.criteria] == ["level", "workload", "learning-outcomes", "assessment",
                                                    "quality-assurance"]
    assert all(c.substantial is False for c in doc.criteria)
    # SCQF 11 translated to EQF 7, 15 SCQF converted to 7.5 ECTS (5-6 by hours).
    assert crit(doc, "level").evidence.credential_eqf == [7]
    w = crit(doc, "workload").evidence
    assert w.credential_ects == 7.5
    assert (w.credential_credits.amount, w.credential_credits.system, w.credential_credits.basis) == (15, "SCQF",
                                                                                                    "convention")
    assert w.credential_credits.by_hours.model_dump() == {"min": 5, "max": 6}
    lo = crit(doc, "learning-outcomes").evidence
    assert lo.coverage == 0.75
    assert SKILL + "data-analysis" in [r.iri for r in lo.covered]  # through the narrower "data wrangling with Python"
    assert [r.iri for r in lo.missing] == [SKILL + "model-evaluation"]
    assert crit(doc, "assessment").status == "verified"
    assert crit(doc, "quality-assurance").status == "assured"


def test_near_miss_has_substantial_differences_in_level_workload_and_assessment(store):
    doc = compare(store, facts(store, NEAR_MISS), facts(store, TARGET))
    assert doc.recommendation.outcome == "substantial-differences"
    assert doc.recommendation.credit_transfer is None and doc.recommendation.exemption is None
    assert any("EQF [6]" in r for r in doc.recommendation.reasons)
    assert crit(doc, "level").substantial is True and crit(doc, "level").status == "below"
    assert crit(doc, "workload").substantial is True
    assert crit(doc, "assessment").substantial is True and crit(doc, "assessment").status == "unverified"


# -- each criterion: substantial, not substantial, unknown ------------------------------


@pytest.mark.parametrize("target_eqf,substantial", [(8, True), (7, False), (6, False), ([7, 8], False), ([8], True)])
def test_level(store, target_eqf, substantial):
    doc = compare(store, facts(store, CANDIDATE), req(eqf=target_eqf, ects=7.5, outcomes=SHOWCASE_SKILLS))
    assert crit(doc, "level").substantial is substantial


def test_level_of_a_one_to_many_credential_uses_its_highest_candidate(store):
    # SQF 9 is EQF 7 or 8: not below an EQF 8 target (benefit of the doubt to the applicant).
    cred = facts(store, DEMO + "jsi-research-software-engineering")
    assert cred.eqf == {7, 8}
    doc = compare(store, cred, req(eqf=8, ects=5))
    assert crit(doc, "level").substantial is False


@pytest.mark.parametrize("cred,target", [(T + "no-level", {"eqf": 7}), (CANDIDATE, {})])
def test_level_unknown(store, cred, target):
    doc = compare(store, facts(store, cred), req(ects=7.5, outcomes=[SKILL + "statistical-analysis"], **target))
    c = crit(doc, "level")
    assert c.status == "unknown" and c.substantial is None
    assert doc.recommendation.outcome == "needs-information"


@pytest.mark.parametrize("target_ects,substantial", [(7.5, False), (9.375, False), (9.4, True), (20, True), (5, False)])
def test_workload(store, target_ects, substantial):
    doc = compare(store, facts(store, CANDIDATE), req(eqf=7, ects=target_ects, outcomes=SHOWCASE_SKILLS))
    c = crit(doc, "workload")
    assert c.substantial is substantial
    assert c.evidence.ratio == round(7.5 / target_ects, 3)


@pytest.mark.parametrize("cred,target", [(T + "no-credits", {"ects": 5}), (CANDIDATE, {})])
def test_workload_unknown(store, cred, target):
    doc = compare(store, facts(store, cred), req(eqf=7, outcomes=[SKILL + "statistical-analysis"], **target))
    assert crit(doc, "workload").substantial is None
    assert doc.recommendation.outcome == "needs-information"


@pytest.mark.parametrize("outcomes,coverage,substantial", [
    (["statistical-analysis"], 1.0, False),
    (["data-analysis"], 1.0, False),                            # covered by a narrower skill
    (["statistical-analysis", "model-evaluation"], 0.5, True),
    (["model-evaluation", "carbon-accounting", "data-visualisation", "statistical-analysis"], 0.5, True),
    (["carbon-accounting"], 0.0, True),
    (["data-science"], 1.0, False),                             # two levels up: still narrower
])
def test_learning_outcomes(store, outcomes, coverage, substantial):
    doc = compare(store, facts(store, CANDIDATE), req(eqf=7, ects=7.5, outcomes=[SKILL + o for o in outcomes]))
    c = crit(doc, "learning-outcomes")
    assert c.evidence.coverage == coverage
    assert c.substantial is substantial


def test_a_broader_skill_does_not_cover_a_narrower_requirement(store):
    # The near miss has "data analysis"; "data wrangling with Python" (narrower) is not covered by it.
    doc = compare(store, facts(store, NEAR_MISS), req(eqf=6, ects=5, outcomes=[SKILL + "python-data-wrangling"]))
    assert crit(doc, "learning-outcomes").evidence.coverage == 0


@pytest.mark.parametrize("cred,target", [(T + "no-outcomes", {"outcomes": [SKILL + "statistical-analysis"]}),
                                         (CANDIDATE, {})])
def test_learning_outcomes_unknown(store, cred, target):
    doc = compare(store, facts(store, cred), req(eqf=7, ects=7.5, **target))
    assert crit(doc, "learning-outcomes").substantial is None
    assert doc.recommendation.outcome == "needs-information"


@pytest.mark.parametrize("cred,status,substantial", [
    (CANDIDATE, "verified", False),
    (NEAR_MISS, "unverified", True),                       # official "Unsupervised without ID Verification"
    (T + "supervised-no-id", "unverified", True),
    (T + "no-idv", "unknown", None),
])
def test_assessment_when_identity_verification_is_required(store, cred, status, substantial):
    doc = compare(store, facts(store, cred), req(eqf=6, ects=5, outcomes=[SKILL + "statistical-analysis"],
                                                 requires_identity_verification=True))
    c = crit(doc, "assessment")
    assert (c.status, c.substantial) == (status, substantial)


def test_assessment_not_required_is_never_substantial(store):
    doc = compare(store, facts(store, NEAR_MISS), req(eqf=6, ects=5, outcomes=[SKILL + "statistical-analysis"]))
    assert crit(doc, "assessment").status == "not-required"
    assert crit(doc, "assessment").substantial is False


@pytest.mark.parametrize("cred,status,substantial", [
    (CANDIDATE, "assured", False),        # programme accreditation
    (T + "issuer-qa", "assured", False),  # the awarding body's accreditation
    (T + "no-idv", "unknown", None),     # none stated (M11): ask, do not presume a difference
])
def test_quality_assurance_when_required(store, cred, status, substantial):
    doc = compare(store, facts(store, cred), req(eqf=7, ects=7.5, outcomes=[SKILL + "statistical-analysis"],
                                                 requires_quality_assurance=True))
    c = crit(doc, "quality-assurance")
    assert (c.status, c.substantial) == (status, substantial)


def test_requirements_read_from_a_target_in_the_store(store):
    target = facts(store, T + "requiring-target")
    assert target.requires_identity_verification and target.requires_quality_assurance
    doc = compare(store, facts(store, T + "no-idv"), target)
    assert crit(doc, "assessment").substantial is None
    assert crit(doc, "quality-assurance").substantial is None
    assert doc.recommendation.outcome == "needs-information"
    # the fixture's assessment has no type (M9), nothing states a mode (M10); QA is required (M11)
    assert doc.recommendation.missing == ["M9", "M10", "M11"]


# -- each recommendation ---------------------------------------------------------------


def test_recognise_transfers_the_credentials_credit_or_waives_the_target(store):
    # 7.5 ECTS against 6: transfer min(7.5, 6) = 6, or the 6-ECTS target waived
    doc = compare(store, facts(store, CANDIDATE), req(eqf=7, ects=6, outcomes=SHOWCASE_SKILLS))
    assert doc.to_json()["recommendation"] == {
        "outcome": "recognise", "credit_transfer": {"ects": 6, "credential_ects": 7.5, "allowed_ects": 6},
        "exemption": {"module": {"iri": "urn:microhe:target", "label": "target requirements", "lang": None},
                      "ects": 6},
        "missing": [],
        "reasons": ["no substantial difference in level, workload or learning outcomes",
                    "credit transfer min(7.5, 6) = 6 ECTS, or exemption from the target (6 ECTS)"]}


@pytest.mark.parametrize("target_ects,outcomes,coverage", [
    (20, SHOWCASE_SKILLS, 1.0),                                                # workload short: credential ECTS
    (7.5, [SKILL + "statistical-analysis", SKILL + "model-evaluation"], 0.5),  # outcomes short: target x coverage
    (12, [SKILL + "statistical-analysis", SKILL + "model-evaluation"], 0.5),   # both short
    (7.5, [SKILL + s for s in ("statistical-analysis", "data-visualisation", "model-evaluation")], 2 / 3),
])
def test_recognise_partially_credits_min_of_credential_and_target_times_coverage(store, target_ects, outcomes,
                                                                                coverage):
    doc = compare(store, facts(store, CANDIDATE), req(eqf=7, ects=target_ects, outcomes=outcomes))
    rec = doc.recommendation
    assert rec.outcome == "recognise-partially" and rec.exemption is None
    assert rec.credit_transfer.ects == pytest.approx(min(7.5, target_ects * coverage), abs=0.0051)


def test_substantial_differences_when_no_outcome_is_covered(store):
    doc = compare(store, facts(store, CANDIDATE), req(eqf=7, ects=7.5, outcomes=[SKILL + "carbon-accounting"]))
    rec = doc.recommendation
    assert rec.outcome == "substantial-differences" and rec.credit_transfer is None
    assert any("none of the target's required learning outcomes" in r for r in rec.reasons)


def test_substantial_differences_when_the_level_falls_short_even_with_unknowns(store):
    doc = compare(store, facts(store, NEAR_MISS), req(eqf=8))
    assert crit(doc, "workload").substantial is None
    assert doc.recommendation.outcome == "substantial-differences"


def test_substantial_differences_from_assessment_alone(store):
    doc = compare(store, facts(store, NEAR_MISS), req(eqf=6, ects=5, outcomes=[SKILL + "statistical-analysis"],
                                                      requires_identity_verification=True))
    assert [c.name for c in doc.criteria if c.substantial] == ["assessment"]
    assert doc.recommendation.outcome == "substantial-differences"
    assert any(r.startswith("assessment:") for r in doc.recommendation.reasons)


def test_quality_assurance_required_and_not_stated_needs_information(store):
    # no accreditation stated (Council element M11) is a question for the issuer, not a
    # substantial difference the recogniser has shown
    doc = compare(store, facts(store, T + "no-idv"), req(eqf=7, ects=7.5, outcomes=[SKILL + "statistical-analysis"],
                                                         requires_quality_assurance=True))
    assert crit(doc, "quality-assurance").status == "unknown"
    assert not [c.name for c in doc.criteria if c.substantial]
    assert doc.recommendation.outcome == "needs-information"
    assert "M11" in doc.recommendation.missing


def test_needs_information_lists_what_is_missing(store):
    doc = compare(store, facts(store, T + "no-credits"), req(eqf=7, ects=5, outcomes=[SKILL + "statistical-analysis"]))
    rec = doc.recommendation
    assert rec.outcome == "needs-information" and rec.credit_transfer is None
    assert any(r.startswith("workload:") for r in rec.reasons)


# -- thresholds ------------------------------------------------------------------------


def test_thresholds_are_configurable(store):
    cred, target = facts(store, CANDIDATE), facts(store, TARGET)
    assert compare(store, cred, target).rules.model_dump() == {"workload_ratio": 0.8, "outcome_coverage": 0.75,
                                                               "strict_level": False}
    stricter = compare(store, cred, target, Rules(outcome_coverage=0.8))
    assert crit(stricter, "learning-outcomes").substantial is True
    assert stricter.recommendation.outcome == "recognise-partially"
    assert stricter.recommendation.credit_transfer.ects == pytest.approx(7.5 * 0.75, abs=0.0051)
    assert stricter.rules.outcome_coverage == 0.8
    heavier = compare(store, cred, target, Rules(workload_ratio=1.5))
    assert crit(heavier, "workload").substantial is True
    # The near miss's coverage of 0.5 passes a lenient threshold; its level still does not.
    lenient = compare(store, facts(store, NEAR_MISS), target, Rules(workload_ratio=0.5, outcome_coverage=0.5))
    assert crit(lenient, "learning-outcomes").substantial is False
    assert crit(lenient, "workload").substantial is False
    assert lenient.recommendation.outcome == "substantial-differences"


# -- requirement documents -------------------------------------------------------------


def test_requirements_document(store):
    t = req(eqf=[7, 8], ects=7.5, outcomes=[SKILL + "data-analysis"], requires_identity_verification=True,
            requires_quality_assurance=False, title="Module X", iri="https://example.org/module/x")
    assert (t.eqf, t.ects, t.title, t.iri, t.source) == ({7, 8}, 7.5, "Module X", "https://example.org/module/x",
                                                         "requirements")
    assert t.required_outcomes == {SKILL + "data-analysis"}


@pytest.mark.parametrize("bad", [
    {"eqf": 0}, {"eqf": 9}, {"eqf": "7"}, {"eqf": True}, {"eqf": [7, 9]}, {"eqf": 7.0},
    {"ects": -1}, {"ects": "7.5"}, {"ects": True}, {"ects": float("nan")},
    {"outcomes": SKILL + "x"}, {"outcomes": ["not an iri"]}, {"outcomes": [1]},
    {"requires_identity_verification": "yes"}, {"requires_quality_assurance": 1},
    {"level": 7}, {"eqf": 7, "credits": 5},
])
def test_bad_requirements_are_refused(bad):
    with pytest.raises(ValueError):
        target_from_requirements(bad)


def test_unknown_specification_is_not_found(store):
    with pytest.raises(NotFoundError):
        read_facts(store, DEMO + "no-such-credential")


# -- an uploaded document: compared, never stored --------------------------------------

# The same document as the HTTP tests upload (identity-verified assessment: VERIFIED).
UPLOAD = PREFIXES + "@prefix atu: <http://publications.europa.eu/resource/authority/atu/> .\n" + (
    Path(__file__).parents[1] / "fixtures" / "upload-applied-data-analysis.ttl").read_text(encoding="utf-8")
assert f"<{VERIFIED}>" in UPLOAD


def test_an_uploaded_document_is_compared_and_never_stored(store):
    before = store.dump_bytes()
    quads, _, report = stage(Source("upload.ttl", UPLOAD.encode()), strip_personal=True)
    cred = facts_from_document(store, quads, "upload.ttl")
    assert cred.source == "upload.ttl"
    assert (cred.eqf, cred.ects, cred.ects_min, cred.ects_max) == ({7}, 7.5, 5.0, 6.0)
    doc = compare(store, cred, facts(store, TARGET))
    # the fixture names no awarding body (M3 country, M4), no assessment type (M9) and no mode
    # (M10); its NQF level is referenced to EQF 7 in the bundled reference data (M8 met)
    assert doc.to_json()["credential"] == {"iri": "https://example.org/upload/applied-data-analysis",
                                           "label": "Applied data analysis (uploaded)", "lang": None,
                                           "source": "upload.ttl",
                                           "incomplete": ["M3", "M4", "M9", "M10"]}
    # it lacks the type of assessment (M9) and the form of participation (M10): never recognise
    assert doc.recommendation.outcome == "needs-information"
    assert doc.recommendation.missing == ["M9", "M10"]
    assert store.dump_bytes() == before
    with pytest.raises(NotFoundError):
        read_facts(store, "https://example.org/upload/applied-data-analysis")


def test_an_uploaded_award_is_compared_through_its_specification(store):
    award = UPLOAD + """
<https://example.org/upload/achievement> a elm:LearningAchievement ; dcterms:title "Achievement"@en ;
    elm:specifiedBy <https://example.org/upload/applied-data-analysis> .
"""
    before = store.dump_bytes()
    quads, _, _ = stage(Source("award.ttl", award.encode()), strip_personal=True)
    assert facts_from_document(store, quads).iri == "https://example.org/upload/applied-data-analysis"
    assert store.dump_bytes() == before


def test_a_document_without_a_specification_is_refused(store):
    quads, _, _ = stage(Source("empty.ttl", (PREFIXES + 't:x dcterms:title "x" .').encode()))
    with pytest.raises(NotFoundError):
        facts_from_document(store, quads)


def test_an_unparsable_document_is_refused():
    with pytest.raises(LoadError):
        stage(Source("bad.ttl", b"this is not turtle"))
