"""The recognition functions return their models (recognition/models.py), one typed result
for the library, the CLI and the HTTP routes; the models' JSON is the JSON the API sends.

The HTTP route dumps what a function returns, validates it against the response model and
serialises that: each result must survive the trip unchanged (every key, in its order,
with its value's own JSON type), and each criterion's evidence must come back as the model
of its own case (the key order of the assessment evidence differs between its cases, so
the wrong model would reorder the JSON). The expected key lists are read from compare.py's
criteria, case by case."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from microhe.frameworks.credits import convert
from microhe.frameworks.levels import translate
from microhe.frameworks.models import CreditConversion, LevelTranslation
from microhe.recognition import models
from microhe.recognition.compare import compare, target_from_requirements
from microhe.recognition.decisions import list_decisions, record_decision
from microhe.recognition.facts import Facts, read_facts
from microhe.recognition.models import Comparison, Decision, DecisionRecorded, Pathways, SearchResults
from microhe.recognition.pathways import pathways
from microhe.recognition.search import search

DEMO = "https://w3id.org/microhe/demo/"
CRED = DEMO + "credential/strathlowe-applied-data-analysis"
TARGET = DEMO + "credential/vmu-data-analysis-for-decision-making"
VERIFIED = DEMO + "supervision-verification/supervised-with-id-verification"


def same_json(model: type[BaseModel], doc) -> None:
    """The model's JSON of ``doc`` is ``doc``'s JSON, byte for byte (key order included)."""
    dumped = model.model_validate(doc).model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert json.dumps(dumped) == json.dumps(doc)


def survives_the_route(result: BaseModel) -> dict:
    """What the route does with a returned model (dump, validate, serialise) changes
    nothing: the JSON sent is ``result.to_json()``. Returns that JSON."""
    sent = type(result).model_validate(result.model_dump(mode="json")).model_dump_json()
    # the routes send UTF-8 (Starlette's JSONResponse: ensure_ascii=False); the evidence quotes
    # of the repository's referencing rows carry curly quotes (issue 22)
    assert sent == json.dumps(result.to_json(), separators=(",", ":"), ensure_ascii=False)
    return result.to_json()


@pytest.mark.parametrize(("framework", "level", "to"), [("SCQF", "11", None), ("EQF", "6", "FHEQ"), ("SCQF", "1", None)])
def test_level_translation(demo_store, framework, level, to):
    doc = translate(demo_store, framework, level, to)
    assert isinstance(doc, LevelTranslation)  # a typed result (issue 15)
    same_json(LevelTranslation, doc.model_dump(mode="json"))


@pytest.mark.parametrize(("amount", "system"), [("15", "SCQF"), ("7.5", "ECTS"), ("10", "US-SCH"), ("0", "HOURS"),
                                               ("30", "ECVET"), ("3", "US-QCH")])
def test_credit_conversion(demo_store, amount, system):
    doc = convert(demo_store, amount, system)
    assert isinstance(doc, CreditConversion)  # a typed result (issue 15)
    same_json(CreditConversion, doc.model_dump(mode="json"))


@pytest.mark.parametrize("kw", [{}, {"eqf": 6, "limit": 3}, {"framework": "SCQF", "level": "11", "facets": False},
                                {"text": "zzzz-nothing"}])
def test_search_returns_its_model(demo_store, kw):
    result = search(demo_store, **kw)
    assert isinstance(result, SearchResults)
    doc = survives_the_route(result)
    # level only with framework + level, facets unless facets=False (source: search())
    assert ("level" in doc) == ("framework" in kw)
    assert ("facets" in doc) == kw.get("facets", True)
    assert list(doc)[:4] == ["total", "offset", "limit", "results"]


def test_compare_returns_its_model(demo_store):
    result = compare(demo_store, read_facts(demo_store, CRED), read_facts(demo_store, TARGET))
    assert isinstance(result, Comparison)
    doc = survives_the_route(result)
    assert list(doc) == ["credential", "target", "criteria", "recommendation", "caveats", "rules"]  # no validation: no document
    assert [c.name for c in result.criteria] == ["level", "workload", "learning-outcomes", "assessment",
                                                 "quality-assurance"]


def _facts(iri: str, **kw) -> Facts:
    f = Facts(iri, title=iri.rsplit("/", 1)[-1], source="store")
    for k, v in kw.items():
        setattr(f, k, v)
    return f


#: Each case of each criterion (compare.py) with the keys of its evidence, in order.
CASES = {
    ("level", "compared"): ["credential_eqf", "credential_levels", "target_eqf", "target_levels",
                            "target_level_from"],
    ("level", "unknown"): ["credential_levels", "target_levels"],
    ("workload", "compared"): ["credential_ects", "credential_credits", "target_ects", "ratio"],
    ("workload", "unknown"): ["credential_credits"],
    ("learning-outcomes", "compared"): ["covered", "missing", "credential_outcomes", "coverage"],
    ("learning-outcomes", "unknown"): [],
    ("assessment", "not-required"): ["assessment_types", "id_verification"],
    ("assessment", "unknown"): ["assessment_types"],
    ("assessment", "compared"): ["id_verification", "assessment_types"],
    ("quality-assurance", "not-required"): ["accreditations"],
    ("quality-assurance", "compared"): ["accreditations", "issuer"],
    ("quality-assurance", "unknown"): ["accreditations", "issuer"],
}


def test_each_criterion_case_has_its_evidence_model_and_keys(demo_store):
    skill = DEMO + "skill/data-analysis"
    full = _facts("urn:c", eqf={7}, levels={"http://data.europa.eu/snb/eqf/7"}, ects=5.0, ects_min=4.0, ects_max=6.0,
                  skills={skill}, assessment_types={"urn:exam"}, id_verification={VERIFIED},
                  accreditations={"urn:acc"}, issuer="urn:org")
    silent = _facts("urn:s")
    demanding = target_from_requirements({"eqf": 6, "ects": 5, "outcomes": [skill], "requires_identity_verification": True,
                                          "requires_quality_assurance": True})
    lenient = target_from_requirements({})
    seen = {}
    unaccredited = _facts("urn:u", eqf={7}, ects=5.0, skills={skill})
    for cred, target in ((full, demanding), (full, lenient), (silent, demanding), (unaccredited, demanding)):
        result = compare(demo_store, cred, target)
        doc = survives_the_route(result)
        for crit, crit_doc in zip(result.criteria, doc["criteria"], strict=True):
            case = crit.status if crit.status in ("unknown", "not-required") else "compared"
            assert isinstance(crit.evidence, BaseModel), (crit.name, case)
            assert list(crit_doc["evidence"]) == CASES[(crit.name, case)], (crit.name, case)
            seen[(crit.name, case)] = type(crit.evidence)
    assert set(seen) == set(CASES)
    # silent credential: workload unknown, no credits stated
    assert compare(demo_store, silent, demanding).to_json()["criteria"][1]["evidence"] == {"credential_credits": None}
    # the workload's credits are a model too, its keys as compare.py writes them
    workload = compare(demo_store, full, demanding).criteria[1]
    assert list(workload.evidence.credential_credits.model_dump()) == ["amount", "system", "credit_system", "ects",
                                                                        "basis", "disputed", "by_hours", "country"]


def test_a_document_sides_validation_is_a_summary_model(demo_store, tmp_path):
    """``credential_validation`` (the API's uploaded document) and ``target_validation``
    (the CLI's target file) are ValidationSummary models: conforms and the two counts."""
    from microhe.recognition.sides import compare_sides, resolve_side, side_of_argument

    doc = tmp_path / "doc.ttl"
    doc.write_text("""@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/d> a elm:Qualification ; elm:EQFLevel <http://data.europa.eu/snb/eqf/6> .
""", encoding="utf-8")
    cred = side_of_argument(demo_store, str(doc), "credential")
    target = side_of_argument(demo_store, str(doc), "target")
    result = compare_sides(demo_store, cred, target)
    assert isinstance(result.credential_validation, models.ValidationSummary)
    out = survives_the_route(result)
    # no title, no outcome, no awarding body: violations of the default profiles
    assert out["credential_validation"]["conforms"] is False and out["credential_validation"]["violations"] > 0
    assert list(out["credential_validation"]) == ["conforms", "violations", "warnings"]
    assert list(out)[-2:] == ["credential_validation", "target_validation"]
    store_only = compare_sides(demo_store, resolve_side(demo_store, "credential", iri=CRED),
                               resolve_side(demo_store, "target", iri=TARGET))
    assert "credential_validation" not in store_only.to_json() and "target_validation" not in store_only.to_json()


@pytest.mark.parametrize(("target", "size"), [(TARGET, 3), (CRED, 1)])
def test_pathways_returns_its_model(demo_store, target, size):
    result = pathways(demo_store, target, max_size=size)
    assert isinstance(result, Pathways)
    doc = survives_the_route(result)
    assert list(doc) == ["target", "pathways", "declared_stack", "candidates_considered", "candidates_combined",
                         "no_solution"]


def test_decisions_return_their_models(scratch_store):  # decisions are written: not the session's shared store
    recorded = record_decision(scratch_store, credential=CRED, institution=DEMO + "org/vmu", purpose="access",
                               outcome="recognise-partially", decided_by="t", base="http://127.0.0.1/",
                               credited_ects=5)
    assert isinstance(recorded, DecisionRecorded)
    assert recorded.iri.startswith("http://127.0.0.1/decision/") and recorded.decided_by == "t"
    record_decision(scratch_store, credential=CRED, institution=DEMO + "org/vmu", purpose="access",
                    outcome="recognise", decided_by="t", base="http://127.0.0.1/")
    rows = list_decisions(scratch_store)
    assert len(rows) == 2 and all(isinstance(r, Decision) for r in rows)
    assert recorded.iri in {r.iri for r in rows}
    for row in rows:
        survives_the_route(row)


def test_no_open_object_is_left_in_the_recognition_answers():
    """No ``dict[str, Any]`` in the response shapes: every object in their JSON schemas
    has properties, typed values (the facet counts: value -> count) or is closed."""
    def open_parts(schema: dict, defs: dict, where: str) -> list[str]:
        if "$ref" in schema:
            return []  # each definition is walked once, below
        found = []
        for key in ("anyOf", "oneOf"):
            for member in schema.get(key, []):
                found += open_parts(member, defs, where)
        if schema.get("type") == "array":
            found += open_parts(schema.get("items") or {}, defs, where + "[]")
        if schema.get("type") == "object":
            extra = schema.get("additionalProperties")
            closed = extra is False  # no keys at all, on purpose (an unknown criterion's evidence: {})
            if not schema.get("properties") and not closed and not (isinstance(extra, dict) and extra.get("type")):
                found.append(where)
        for name, sub in schema.get("properties", {}).items():
            found += open_parts(sub, defs, f"{where}.{name}")
        return found

    found = []
    for answer in (Comparison, Pathways, SearchResults, Decision, DecisionRecorded):
        schema = answer.model_json_schema()
        defs = schema.get("$defs", {})
        found += open_parts(schema, defs, answer.__name__)
        for name, sub in defs.items():
            found += open_parts(sub, defs, name)
    assert not found, f"open objects: {found}"
