"""The validation API (microhe.validation.validate): the official ELM sample, report formats,
profiles, blank nodes, the reference graph.

Golden facts come from the Council Recommendation table in domain.md section 2 and the
official sample itself: checked along the award paths, Sample-MC-Annex1 lacks exactly
the quality assurance element (M11).
"""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from microhe.validation import (
    DEFAULT_PROFILES,
    UnknownProfileError,
    ValidationReport,
    available_profiles,
    reference_graph,
    validate,
)

from .expectations import FIXTURES, SAMPLE_TTL, SHARED, expand

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ACHIEVEMENT = "urn:epass:learningAchievement:1"
M11_AWARD_PATH = expand(
    "((elm:specifiedBy/elm:accreditation)|(elm:awardedBy/elm:awardingBody/elm:accreditation))", in_path=True)


@pytest.fixture(scope="module")
def sample() -> Graph:
    return Graph().parse(SAMPLE_TTL, format="turtle")


def test_official_sample_gives_exactly_one_violation_the_missing_quality_assurance(sample):
    report = validate(sample, profiles=["council-2022"])
    assert len(report.results) == 1
    (result,) = report.violations
    assert result.focus_node == ACHIEVEMENT
    assert result.path == M11_AWARD_PATH
    assert result.constraint == str(SH.MinCountConstraintComponent)
    assert result.severity == "Violation"
    assert result.shape == "https://w3id.org/microhe/shapes/council-2022#AwardedAchievement-M11_Shape"
    assert "M11" in result.message and "elm:accreditation" in result.message
    assert not report.conforms


def test_official_sample_jsonld_gives_the_same_single_violation():
    from microhe.rdf.parse import parse
    from microhe.rdf.terms import quads_to_graph

    path = SHARED / "anchors" / "elm" / "derived" / "Sample-MC-Annex1-signed-payload.jsonld"
    graph = quads_to_graph(parse(path.read_bytes(), name=path.name))
    report = validate(graph, profiles="council-2022")
    assert [(r.focus_node, r.path, r.constraint) for r in report.results] == [
        (ACHIEVEMENT, M11_AWARD_PATH, str(SH.MinCountConstraintComponent))]


def test_official_sample_with_quality_assurance_added_conforms_under_the_default_profiles(sample):
    g = Graph()
    g += sample
    accreditation = URIRef("urn:example:accreditation:1")
    g.add((URIRef("urn:epass:qualification:1"), ELM.accreditation, accreditation))
    g.add((accreditation, RDF.type, ELM.Accreditation))
    g.add((accreditation, DCTERMS.type, URIRef("urn:example:programme-accreditation")))
    g.add((accreditation, ELM.accreditingAgent, URIRef("urn:example:qa-agency")))
    report = validate(g)
    assert report.profiles == DEFAULT_PROFILES
    assert report.results == []
    assert report.conforms


def test_official_sample_has_only_warnings_under_the_recommended_profile(sample):
    report = validate(sample, profiles=["council-2022-recommended"])
    assert report.conforms
    assert report.violations == []
    assert {r.shape.rsplit("#", 1)[1] for r in report.warnings} == {
        "AwardedAchievement-furtherInformation_Shape",  # no note, document or homepage
        "AwardedAchievement-assessmentType_Shape",  # a local urn: concept, not the official list
    }


def test_validation_does_not_modify_the_input(sample):
    before = len(sample)
    validate(sample, profiles=available_profiles())
    assert len(sample) == before


def test_a_warning_only_input_conforms():
    g = Graph().parse(FIXTURES / "council-2022-recommended" / "fail-specification-minimal.ttl")
    report = validate(g, profiles=["council-2022-recommended"])
    assert report.warnings and not report.violations
    assert report.conforms
    assert report.to_json()["conforms"] is True


def test_unknown_profile_raises_with_the_valid_names():
    with pytest.raises(UnknownProfileError) as err:
        validate(Graph(), profiles=["council-2022", "council-2021"])
    assert isinstance(err.value, ValueError)
    for name in available_profiles():
        assert name in str(err.value)
    assert "council-2021" in str(err.value)


def test_no_profile_is_an_error():
    with pytest.raises(ValueError):
        validate(Graph(), profiles=[])


def test_available_profiles_are_the_shapes_files():
    assert available_profiles() == ["consistency", "council-2022", "council-2022-recommended", "microhe-2018", "vocabulary"]
    assert set(DEFAULT_PROFILES) <= set(available_profiles())


def test_a_profile_may_be_given_as_a_string_and_duplicates_collapse():
    g = Graph().parse(FIXTURES / "council-2022" / "fail-specification-no-title.ttl")
    assert validate(g, "council-2022").profiles == ("council-2022",)
    assert validate(g, ["council-2022", "council-2022"]).profiles == ("council-2022",)


def test_blank_node_focus_nodes_are_reported_with_their_label():
    g = Graph()
    spec = BNode("spec1")
    g.add((spec, RDF.type, ELM.Qualification))
    g.add((spec, DCTERMS.title, Literal("Untitled parts", lang="en")))
    report = validate(g, profiles=["council-2022"])
    assert report.results
    assert {r.focus_node for r in report.results} == {"_:spec1"}


def test_iris_in_results_are_plain_strings_without_angle_brackets():
    g = Graph().parse(FIXTURES / "consistency" / "fail-eqf-vs-nqf.ttl")
    (r,) = validate(g, profiles=["consistency"]).results
    assert r.focus_node == "https://example.org/spec-rqf6-eqf4"
    assert r.path == "http://data.europa.eu/snb/model/elm/EQFLevel"
    assert r.value == "http://data.europa.eu/snb/eqf/4"
    assert "http://data.europa.eu/snb/qdr/c_c392e7a2" in r.message


def test_a_dataset_is_validated_as_the_union_of_its_graphs():
    ds = rdflib.Dataset()
    named = ds.graph(URIRef("https://example.org/graph/a"))
    named.parse(FIXTURES / "consistency" / "fail-eqf-vs-nqf.ttl")
    report = validate(ds, profiles=["consistency"])
    assert [r.focus_node for r in report.violations] == ["https://example.org/spec-rqf6-eqf4"]


def test_results_list_violations_before_warnings():
    g = Graph().parse(FIXTURES / "council-2022" / "fail-specification-title-only.ttl")
    report = validate(g, profiles=["council-2022", "council-2022-recommended"])
    severities = [r.severity for r in report.results]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index)
    assert report.violations and report.warnings


def test_to_json_is_serialisable_and_counts_results():
    g = Graph().parse(FIXTURES / "council-2022" / "fail-specification-title-only.ttl")
    report = validate(g, profiles=["council-2022", "council-2022-recommended"])
    doc = json.loads(json.dumps(report.to_json()))
    assert doc["conforms"] is False
    assert doc["profiles"] == ["council-2022", "council-2022-recommended"]
    assert doc["violations"] == len(report.violations) == 8
    assert doc["warnings"] == len(report.warnings)
    assert len(doc["results"]) == len(report.results)
    assert set(doc["results"][0]) == {"focus_node", "path", "message", "severity", "shape", "constraint", "value"}


def test_to_turtle_is_a_standard_validation_report_with_the_same_results(sample):
    g = Graph().parse(FIXTURES / "council-2022" / "fail-specification-title-only.ttl")
    report = validate(g, profiles=["council-2022", "consistency"])
    parsed = Graph().parse(data=report.to_turtle(), format="turtle")
    (node,) = parsed.subjects(RDF.type, SH.ValidationReport)
    assert parsed.value(node, SH.conforms).toPython() is False
    results = list(parsed.objects(node, SH.result))
    assert len(results) == len(report.results)
    for r in results:
        assert (r, RDF.type, SH.ValidationResult) in parsed
        for p in (SH.focusNode, SH.resultSeverity, SH.resultMessage, SH.sourceShape,
                  SH.sourceConstraintComponent, SH.resultPath):
            assert parsed.value(r, p) is not None, p
    assert ({str(parsed.value(r, SH.sourceConstraintComponent)) for r in results}
            == {r.constraint for r in report.results})
    # a complex path keeps its SHACL structure
    m11 = next(r for r in results if str(parsed.value(r, SH.sourceShape)).endswith("Specification-M11_Shape"))
    assert parsed.value(parsed.value(m11, SH.resultPath), SH.alternativePath) is not None

    one = validate(sample, profiles=["council-2022"])
    again = Graph().parse(data=one.to_turtle(), format="turtle")
    assert len(list(again.subjects(RDF.type, SH.ValidationResult))) == 1


def test_to_text_names_focus_path_and_message():
    g = Graph().parse(FIXTURES / "consistency" / "fail-credit-points.ttl")
    text = validate(g, profiles=["consistency"]).to_text()
    assert text.startswith("does not conform: 3 violation(s), 0 warning(s)")
    assert "https://example.org/cp-negative" in text
    assert "elm:point" in text and "non-negative decimal" in text


def test_an_empty_graph_conforms():
    report = validate(Graph())
    assert isinstance(report, ValidationReport)
    assert report.conforms and report.results == []


def test_the_reference_graph_resolves_qdr_and_microhe_level_iris_to_eqf():
    ref = reference_graph()
    assert ref is reference_graph()  # cached
    q = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX mhe: <https://w3id.org/microhe/ontology#>
           SELECT ?eqf WHERE { ?d (skos:exactMatch|^skos:exactMatch)? ?lvl . ?lvl mhe:referencedToEQF ?eqf }"""
    for level in ("http://data.europa.eu/snb/qdr/c_c392e7a2", "https://w3id.org/microhe/ref/framework/RQF/level/6"):
        rows = {str(row.eqf) for row in ref.query(q, initBindings={"d": URIRef(level)})}
        assert rows == {"http://data.europa.eu/snb/eqf/6"}, level


def test_the_reference_graph_alone_gives_no_result_under_any_profile():
    assert validate(Graph(), profiles=available_profiles()).results == []
