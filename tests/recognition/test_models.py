"""The response models describe the library's dicts exactly: every key, in its order,
with its value's own JSON type. A key added to a library result without its model would
be dropped silently by the HTTP route; these tests say which."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from microhe.frameworks.credits import convert
from microhe.frameworks.levels import translate
from microhe.frameworks.models import CreditConversion, LevelTranslation
from microhe.recognition.compare import compare, target_from_requirements
from microhe.recognition.decisions import list_decisions, record_decision
from microhe.recognition.facts import read_facts
from microhe.recognition.models import Comparison, Decision, Pathways, SearchResults
from microhe.recognition.pathways import pathways
from microhe.recognition.search import search

DEMO = "https://w3id.org/microhe/demo/"
CRED = DEMO + "credential/strathlowe-applied-data-analysis"
TARGET = DEMO + "credential/vmu-data-analysis-for-decision-making"


def same_json(model: type[BaseModel], doc) -> None:
    """The model's JSON of ``doc`` is ``doc``'s JSON, byte for byte (key order included)."""
    dumped = model.model_validate(doc).model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert json.dumps(dumped) == json.dumps(doc)


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
def test_search_results(demo_store, kw):
    same_json(SearchResults, search(demo_store, **kw))


def test_comparison(demo_store):
    same_json(Comparison, compare(demo_store, read_facts(demo_store, CRED), read_facts(demo_store, TARGET)))
    req = target_from_requirements({"eqf": 8, "ects": 30, "requires_identity_verification": True,
                                    "requires_quality_assurance": True, "outcomes": [DEMO + "skill/data-analysis"]})
    same_json(Comparison, compare(demo_store, read_facts(demo_store, CRED), req))


@pytest.mark.parametrize(("target", "size"), [(TARGET, 3), (CRED, 1)])
def test_pathways(demo_store, target, size):
    same_json(Pathways, pathways(demo_store, target, max_size=size))


def test_decisions(scratch_store):  # decisions are written: not the session's shared store
    record_decision(scratch_store, credential=CRED, institution=DEMO + "org/vmu", purpose="access",
                    outcome="recognise-partially", decided_by="t", base="http://127.0.0.1/", credited_ects=5)
    record_decision(scratch_store, credential=CRED, institution=DEMO + "org/vmu", purpose="access",
                    outcome="recognise", decided_by="t", base="http://127.0.0.1/")
    rows = list_decisions(scratch_store)
    assert len(rows) == 2
    for row in rows:
        same_json(Decision, row)
