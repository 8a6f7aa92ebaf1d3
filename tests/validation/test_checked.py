"""How many focus nodes each profile checked, and "nothing checked": a file none of whose
nodes any selected profile targets does not conform (it was not validated at all).

Golden counts by hand from the profiles' targets (microhe/shapes/*.ttl): council-2022
targets specifications (elm:Qualification not specifying an achievement), awards, and the
objects of elm:learningOutcome and elm:accreditation; consistency targets the subjects of
elm:creditPoint, elm:EQFLevel, elm:NQFLevel, elm:ISCEDFCode and the objects of
elm:creditPoint."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from microhe.validation import ValidationReport, validate
from microhe.validation.models import ValidationReportModel

PREFIXES = """@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/t/> .
"""
SPEC = PREFIXES + """
ex:spec a elm:Qualification ; dcterms:title "A title"@en ; elm:learningOutcome ex:lo .
ex:lo a elm:LearningOutcome ; dcterms:title "An outcome"@en .
"""
OB3 = """<urn:badge:1> a <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> ,
    <https://www.w3.org/2018/credentials#VerifiableCredential> .
<urn:badge:1> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#name> "Teamwork" ."""
CTDL = """<https://example.org/mc/1> a <https://purl.org/ctdl/terms/MicroCredential> ;
    <https://purl.org/ctdl/terms/name> "Data literacy"@en ."""
ONE_TRIPLE = '<urn:x:1> <http://purl.org/dc/terms/description> "just a thing" .'


def quads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode(), ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_focus_nodes_per_profile(engine):
    report = validate(quads(SPEC), ["council-2022", "consistency"], engine=engine)
    assert report.checked == {"council-2022": 2, "consistency": 0}
    assert not report.nothing_checked


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
@pytest.mark.parametrize("text, found, command", [
    (OB3, ["cred:VerifiableCredential", "obv3:OpenBadgeCredential"], "microhe import ob3"),
    (CTDL, ["ceterms:MicroCredential"], "microhe import ctdl"),
    (ONE_TRIPLE, [], None),
])
def test_nothing_checked_does_not_conform(engine, text, found, command):
    report = validate(quads(text), engine=engine)
    assert report.checked == {"council-2022": 0, "consistency": 0}
    assert report.nothing_checked and not report.conforms and report.results == []
    assert report.found_classes_compact() == found
    text_report = report.to_text()
    assert text_report.startswith("does not conform: 0 micro-credentials found: nothing was checked")
    for name in found:
        assert name in text_report
    if command:
        assert command in text_report
    else:
        assert "no typed node" in text_report
    doc = report.to_json()
    assert doc["conforms"] is False and doc["nothing_checked"] is True
    assert doc["checked"] == {"council-2022": 0, "consistency": 0}


def test_the_reference_data_alone_is_never_counted():
    """Validation mixes the reference graph in; its nodes are not the input's."""
    report = validate(quads(ONE_TRIPLE), ["council-2022", "consistency", "council-2022-recommended",
                                          "microhe-2018"])
    assert set(report.checked.values()) == {0}


def test_an_empty_input_is_vacuously_conforming():
    report = validate([])
    assert report.conforms and not report.nothing_checked


def test_the_report_is_a_typed_model():
    report = validate(quads(OB3))
    model = ValidationReportModel.model_validate(report.to_json())
    assert model.nothing_checked and model.checked == {"council-2022": 0, "consistency": 0}
    assert model.found_classes == ["https://www.w3.org/2018/credentials#VerifiableCredential",
                                   "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"]
    assert isinstance(report, ValidationReport)


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
@pytest.mark.parametrize("cls", ["Qualification", "LearningAchievementSpecification"])
def test_a_specification_no_selected_profile_targets_was_still_found(engine, cls):
    """A steward who loads with `--profile consistency` only (the issue's way to load records
    that lack Council elements) has a specification in the file: it is not "0 micro-credentials
    found". The profile chosen had nothing to check in it, and it conforms to that profile;
    search and the pages flag the Council elements it lacks ("incomplete")."""
    text = PREFIXES + f'ex:spec a elm:{cls} ; dcterms:title "Physics 101"@en .'
    report = validate(quads(text), ["consistency"], engine=engine)
    assert report.checked == {"consistency": 0}
    assert not report.nothing_checked and report.conforms
    # with the default profiles the same file is checked, and refused for what it lacks
    assert not validate(quads(text), engine=engine).conforms
