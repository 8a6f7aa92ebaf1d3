"""Learner data is found, refused and strippable; achievements survive stripping."""

from pathlib import Path

import pyoxigraph as ox

from microhe.kg.personal import STRIP_OPTION, find_personal_data, strip_personal_data

SHARED = Path(__file__).parents[2] / ".." / "shared"
SAMPLE = SHARED / "anchors/elm/derived/Sample-MC-Annex1-signed-payload.ttl"
ELM = "http://data.europa.eu/snb/model/elm/"
FOAF = "http://xmlns.com/foaf/0.1/"


def sample_quads():
    return list(ox.parse(path=str(SAMPLE), format=ox.RdfFormat.TURTLE))


def test_the_official_award_sample_holds_learner_data():
    found = find_personal_data(sample_quads())
    assert found
    assert FOAF + "givenName" in found.properties
    assert STRIP_OPTION in found.message("sample.ttl")


def test_stripping_removes_the_learner_and_keeps_the_achievement_and_specification():
    quads = sample_quads()
    kept, removed = strip_personal_data(quads)
    assert removed > 0
    assert not find_personal_data(kept)
    types = {x.object.value for x in kept if x.predicate.value.endswith("#type")}
    assert ELM + "LearningAchievement" in types
    assert ELM + "Organisation" in types
    assert ELM + "Person" not in types
    # nothing mentions a learner node any more
    assert not any(x.predicate.value == "https://www.w3.org/2018/credentials#credentialSubject" for x in kept)


def test_a_specification_without_learners_is_untouched():
    spec = [ox.Quad(ox.NamedNode("http://ex/spec"), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("T"))]
    assert not find_personal_data(spec)
    assert strip_personal_data(spec) == (spec, 0)
