"""Learner data is found, refused and strippable; achievements survive stripping.

A learner (microhe/kg/personal.py) is the object of ``cred:credentialSubject`` however it
is described, any node typed as a person (FOAF, schema.org over http and https, vCard,
ELM, ISA Core Person) and any node carrying a property that only persons have. The
fixtures in tests/fixtures/personal/ mark every personal value with ``Zelda``,
``Xanthopoulou``, ``1990-04-01`` or ``zelda.x@``; after stripping none may remain, and
institution data (organisations with names and e-mails, an organisation's published
contact point) must pass untouched.
"""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.ingest.personal import STRIP_PERSONAL, find_personal_data, strip_personal_data
from microhe.kg import bundled
from microhe.rdf.parse import parse

ROOT = Path(__file__).parents[2]
SHARED = ROOT / ".." / "shared"
SAMPLE = SHARED / "anchors/elm/derived/Sample-MC-Annex1-signed-payload.ttl"
SAMPLE_32 = SHARED / "anchors/elm/v3.2-lts/samples/credential-sample.ttl"
FIXTURES = ROOT / "tests/fixtures"
PERSONAL = FIXTURES / "personal"
ELM = "http://data.europa.eu/snb/model/elm/"
FOAF = "http://xmlns.com/foaf/0.1/"
MARKERS = ("Zelda", "Xanthopoulou", "1990-04-01", "zelda.x@")
LEARNER_FILES = sorted(PERSONAL.glob("learner-*.ttl"))
INSTITUTION_FILES = sorted(PERSONAL.glob("institution-*.ttl"))


def quads_of(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def sample_quads():
    return quads_of(SAMPLE)


def text(quads) -> str:
    return "\n".join(str(q) for q in quads)


def test_the_official_award_sample_holds_learner_data():
    found = find_personal_data(sample_quads())
    assert found
    assert FOAF + "givenName" in found.properties
    assert STRIP_PERSONAL in str(found.refusal("sample.ttl"))


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
    # the learner's e-mail, birth date and national ID went with it
    assert "ana.andromeda" not in text(kept) and "1999-10-01" not in text(kept) and "LA-234218" not in text(kept)


@pytest.mark.skipif(not SAMPLE_32.exists(), reason="../shared is absent")
def test_the_elm_3_2_sample_person_is_found_by_type_and_person_namespace_properties():
    found = find_personal_data(quads_of(SAMPLE_32))
    reasons = {r for learner in found.learners for r in learner.reasons}
    assert "typed elm:Person" in reasons
    assert "carries person:birthName" in reasons  # ISA Core Person, as ELM 3.2 uses it
    kept, _ = strip_personal_data(quads_of(SAMPLE_32))
    assert "Max Power" not in text(kept) and "Maxi" not in text(kept)


def test_a_specification_without_learners_is_untouched():
    spec = [ox.Quad(ox.NamedNode("http://ex/spec"), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("T"))]
    assert not find_personal_data(spec)
    assert strip_personal_data(spec) == (spec, 0)


# -- other vocabularies, linked to an award and free-standing ----------------------------------


@pytest.mark.parametrize("path", LEARNER_FILES, ids=lambda p: p.stem)
def test_learners_in_every_vocabulary_are_found_and_stripped_without_a_trace(path):
    quads = quads_of(path)
    assert any(m in text(quads) for m in MARKERS)  # the fixture holds what it should
    found = find_personal_data(quads)
    assert found, f"{path.name}: no learner found"
    kept, removed = strip_personal_data(quads)
    assert removed == len(quads) - len(kept) > 0
    leftover = [m for m in MARKERS if m in text(kept)]
    assert not leftover, f"{path.name}: {leftover} survived stripping:\n{text(kept)}"
    assert not find_personal_data(kept)


EXPECTED_REASONS = {
    "learner-linked-schema-http": {"object of cred:credentialSubject", "typed schema:Person",
                                   "carries schema:birthDate", "carries schema:givenName"},
    "learner-linked-schema-https": {"object of cred:credentialSubject"},
    "learner-linked-foaf": {"object of cred:credentialSubject", "typed foaf:Person", "carries foaf:firstName"},
    "learner-linked-vcard": {"object of cred:credentialSubject", "typed vcard:Individual", "carries vcard:bday"},
    "learner-linked-unknown": {"object of cred:credentialSubject"},
    "learner-free-schema": {"typed schema:Person"},
    "learner-free-foaf": {"typed foaf:Person"},
    "learner-free-vcard": {"typed vcard:Individual"},
    "learner-free-elm": {"typed elm:Person", "carries elm:dateOfBirth", "carries foaf:fullName"},
    "learner-free-untyped": {"carries schema:birthDate", "carries vcard:given-name on its vcard:hasName"},
    "learner-contact-person": {"typed schema:Person"},
    "learner-contact-untyped-owner": {"carries foaf:givenName"},
}


@pytest.mark.parametrize("path", LEARNER_FILES, ids=lambda p: p.stem)
def test_the_report_says_why_each_node_is_a_learner_without_echoing_personal_values(path):
    found = find_personal_data(quads_of(path))
    reasons = {r for learner in found.learners for r in learner.reasons}
    assert EXPECTED_REASONS[path.stem] <= reasons, reasons
    message = str(found.refusal(path.name))
    assert STRIP_PERSONAL in message and path.name in message
    assert not [m for m in MARKERS if m in message], message
    assert found.summary() in message
    for reason in EXPECTED_REASONS[path.stem]:  # each property carried is named
        assert reason.split()[1] in message


def test_a_learner_given_by_a_mailto_iri_is_reported_without_the_address():
    q = ox.Quad(ox.NamedNode("https://example.org/award"), ox.NamedNode("https://www.w3.org/2018/credentials#credentialSubject"),
                ox.NamedNode("mailto:zelda.x@example.com"))
    message = find_personal_data([q]).message()
    assert "zelda.x@" not in message and "mailto:" in message


def test_a_vc_2_0_json_ld_credential_subject_with_a_did_is_a_learner_and_its_did_not_echoed():
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", {"schema": "https://schema.org/"}],
           "type": ["VerifiableCredential"], "issuer": "https://example.org/issuer",
           "credentialSubject": {"id": "did:example:zelda", "schema:name": "Zelda Xanthopoulou"}}
    quads = parse(json.dumps(doc).encode(), name="vc.jsonld")
    found = find_personal_data(quads)
    assert [(x.node, x.reasons) for x in found.learners] == [("<did:…>", ("object of cred:credentialSubject",))]
    assert "zelda" not in found.message().lower()
    kept, _ = strip_personal_data(quads)
    assert "Zelda" not in text(kept) and "did:example" not in text(kept)


def test_nodes_only_the_learner_reaches_go_with_it_and_shared_ones_stay():
    quads = list(ox.parse(b"""
        @prefix schema: <http://schema.org/> . @prefix cred: <https://www.w3.org/2018/credentials#> .
        @prefix ex: <https://example.org/> .
        ex:award cred:credentialSubject ex:learner .
        ex:learner a schema:Person ; schema:address ex:home ; schema:alumniOf ex:college ; schema:workLocation ex:campus .
        ex:home schema:streetAddress "1 Zelda Lane" .
        ex:college a schema:CollegeOrUniversity ; schema:name "Example College" .
        ex:campus schema:name "Main campus" .
        ex:building schema:containedInPlace ex:campus .
        """, ox.RdfFormat.TURTLE))
    kept, _ = strip_personal_data(quads)
    subjects = {q.subject.value.rsplit("/", 1)[-1] for q in kept}
    assert subjects == {"college", "campus", "building"}  # an organisation and a shared place stay
    assert "Zelda" not in text(kept)


# -- institution data and contact points -----------------------------------------------------


@pytest.mark.parametrize("path", INSTITUTION_FILES, ids=lambda p: p.stem)
def test_institution_data_with_names_emails_and_a_published_contact_is_not_learner_data(path):
    quads = quads_of(path)
    found = find_personal_data(quads)
    assert not found, found.message(path.name)
    assert strip_personal_data(quads) == (quads, 0)


def test_a_named_contact_point_reached_also_from_an_award_is_a_learner():
    quads = quads_of(PERSONAL / "institution-named-contact.ttl") + list(ox.parse(
        b"<https://example.org/award> <https://www.w3.org/2018/credentials#credentialSubject> "
        b"<https://example.org/test/programme-contact> .", ox.RdfFormat.N_TRIPLES))
    found = find_personal_data(quads)
    assert [learner.node for learner in found.learners] == ["<https://example.org/test/programme-contact>"]


# -- no false positives in what the project ships and tests with ------------------------------


BUNDLED = (*bundled.ontology_graphs(), *bundled.reference_graphs(), *bundled.demo_graphs())


@pytest.mark.parametrize("graph", BUNDLED, ids=lambda g: g.name)
def test_bundled_graphs_hold_no_learner_data(graph):
    found = find_personal_data(graph.quads())
    assert not found, found.message(graph.name)


SPEC_FIXTURES = [p for p in sorted(FIXTURES.glob("*.ttl")) if p.name != "unparsable.ttl"]


@pytest.mark.parametrize("path", SPEC_FIXTURES, ids=lambda p: p.name)
def test_specification_fixtures_hold_no_learner_data(path):
    found = find_personal_data(quads_of(path))
    assert not found, found.message(path.name)


def test_an_organisation_member_of_a_group_is_not_a_learner():
    """ELM's EDC shapes give elm:groupMemberOf to every agent (edc:Agent-, Organisation- and
    Person-elm_groupMemberOf); the official MC sample's issuer and awarding body
    (urn:epass:org:1) is an organisation in a research alliance, and stripping the learner
    must keep it, or the award loses its issuer."""
    text_ = """
    @prefix elm: <http://data.europa.eu/snb/model/elm/> .
    @prefix cred: <https://www.w3.org/2018/credentials#> .
    <urn:x:cred> cred:issuer <urn:x:org> ; cred:credentialSubject <urn:x:person> .
    <urn:x:person> elm:hasClaim <urn:x:ach> ; elm:groupMemberOf <urn:x:class> .
    <urn:x:org> a elm:Organisation ; elm:groupMemberOf <urn:x:alliance> .
    <urn:x:ach> elm:awardedBy <urn:x:award> . <urn:x:award> elm:awardingBody <urn:x:org> .
    """
    quads = list(ox.parse(text_.encode(), ox.RdfFormat.TURTLE))
    found = find_personal_data(quads)
    assert [x.node for x in found.learners] == ["<urn:x:person>"]
    kept, _ = found.strip(quads)
    assert any(q.subject.value == "urn:x:org" and q.predicate.value == ELM + "groupMemberOf" for q in kept)


def test_an_organisation_in_a_group_is_not_a_learner():
    """elm:groupMemberOf has a person's domain in the ontology, but the official EDC shapes
    allow it on any agent and Sample-MC-Annex1's awarding body carries it."""
    import pyoxigraph as ox

    from microhe.ingest.personal import find_personal_data

    elm = "http://data.europa.eu/snb/model/elm/"
    org, person = ox.NamedNode("urn:x:org"), ox.NamedNode("urn:x:person")
    typ = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    group = ox.NamedNode(elm + "groupMemberOf")
    quads = [ox.Quad(org, typ, ox.NamedNode(elm + "Organisation")), ox.Quad(org, group, ox.NamedNode("urn:x:g")),
             ox.Quad(person, group, ox.NamedNode("urn:x:g"))]
    found = find_personal_data(quads)
    assert {q.subject for q in found.quads} == {person}
