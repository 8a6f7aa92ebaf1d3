"""JSON-LD keys that expansion drops, keys that would become scheme-only IRIs, and the two
EDC context versions that share one URL (microhe.rdf.jsonld.parse_jsonld, microhe.rdf.parse.read).

Golden values come from the documents themselves: which keys their contexts define is
read off the bundled context files (microhe/rdf/contexts/*), not from the code."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.rdf.jsonld import EDC_CONTEXT
from microhe.rdf.parse import parse, read
from microhe.rdf.reading import ParseError

ELM32 = Path("/work/shared/anchors/elm/v3.2-lts/samples")
ELM31 = Path("/work/shared/anchors/elm/v3.1-master/samples")
FIXTURES = Path(__file__).parent / "fixtures" / "parse"
ELM = "http://data.europa.eu/snb/model/elm/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VC1 = "https://www.w3.org/2018/credentials/v1"
EDC = "http://data.europa.eu/snb/model/context/edc-ap"

needs_anchors = pytest.mark.skipif(not ELM32.is_dir(), reason="research anchors (../shared/anchors) not present")


def jsonld(doc) -> bytes:
    return json.dumps(doc).encode()


def test_the_edc_url_is_exported():
    assert EDC_CONTEXT == EDC


# --------------------------------------------------------------------------- dropped keys


def test_a_key_the_context_does_not_map_is_reported_with_its_path():
    # VC 1.1 + EDC v3.1 define neither "foo" nor "shoeSize" (no @vocab in either context)
    doc = {"@context": [VC1, EDC], "id": "urn:c:1", "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
           "credentialSubject": {"id": "urn:p:1", "type": "Person",
                                 "hasClaim": [{"id": "urn:a:1", "type": "LearningAchievement",
                                               "title": {"en": "Claim"}, "foo": "lost"}]},
           "shoeSize": 44}
    result = read(jsonld(doc), name="x.jsonld")
    assert sorted(d.path for d in result.dropped) == ["credentialSubject.hasClaim[0].foo", "shoeSize"]
    assert {d.key for d in result.dropped} == {"foo", "shoeSize"}
    # the rest is data as before
    assert ox.Quad(ox.NamedNode("urn:a:1"), ox.NamedNode("http://purl.org/dc/terms/title"),
                   ox.Literal("Claim", language="en")) in result.quads
    assert not any("foo" in q.predicate.value or "shoeSize" in q.predicate.value for q in result.quads)


def test_the_subtree_of_a_dropped_key_is_one_entry():
    doc = {"@context": [VC1, EDC], "id": "urn:c:1", "type": "VerifiableCredential",
           "extra": {"inner": 1, "deeper": {"x": 2}}}
    result = read(jsonld(doc), name="x.jsonld")
    assert [d.path for d in result.dropped] == ["extra"]


def test_a_document_whose_context_maps_everything_drops_nothing():
    result = read(FIXTURES / "edc-mc-annex1-unsigned.jsonld")
    assert result.dropped == []
    assert result.edc_version == "3.1"


def test_other_formats_report_nothing_dropped():
    result = read(b"<urn:a> <urn:b> <urn:c> .", name="x.nt")
    assert result.dropped == [] and result.edc_version is None and len(result.quads) == 1


def test_parse_still_returns_the_quads():
    doc = {"@context": [VC1, EDC], "id": "urn:c:1", "type": "VerifiableCredential", "foo": 1}
    assert parse(jsonld(doc), name="x.jsonld") == read(jsonld(doc), name="x.jsonld").quads


@needs_anchors
def test_the_official_31_sample_drops_its_misspelt_key():
    """v3.1-master/samples/credential-sample.jsonld spells eIDASIdentifier with a Greek
    capital iota (U+0399): no context defines that key."""
    result = read(ELM31 / "credential-sample.jsonld")
    assert [d.key for d in result.dropped] == ["eIDAS\u0399dentifier"]
    assert result.dropped[0].path == 'issuer["eIDAS\u0399dentifier"]'  # a top-level "issuer" object


# --------------------------------------------------------------------------- EDC v3.1 / v3.2


@needs_anchors
def test_the_elm_32_sample_is_read_with_the_32_context():
    """The ELM 3.2 sample types nodes TermsOfUse, CredentialStatus and Proof, which only
    the v3.2 context defines (v3.1 would leave them relative IRIs)."""
    result = read(ELM32 / "credential-sample.jsonld")
    assert result.edc_version == "3.2"
    assert result.dropped == []
    types = {q.object.value for q in result.quads if q.predicate == RDF_TYPE}
    assert {ELM + "TermsOfUse", ELM + "CredentialStatus", ELM + "Proof"} <= types


@needs_anchors
def test_the_elm_32_sample_with_a_base_is_not_silently_read_with_31():
    """With a base IRI (as `load` gives), v3.1 would resolve the undefined type terms
    against the base: <base>TermsOfUse. The v3.2 context is chosen instead."""
    result = read(ELM32 / "credential-sample.jsonld", base_iri="http://127.0.0.1:8000/")
    assert result.edc_version == "3.2"
    assert not any(q.object.value.startswith("http://127.0.0.1:8000/") for q in result.quads if q.predicate == RDF_TYPE)


@pytest.mark.parametrize("key, iri", [("resultDistribution", ELM + "resultDistribution")])
def test_a_32_only_key_selects_the_32_context(key, iri):
    doc = {"@context": [VC1, EDC], "id": "urn:s:1", "type": "LearningAchievementSpecification",
           "nationalID": {"id": "urn:id:1"}, key: {"id": "urn:d:1"}}
    result = read(jsonld(doc), name="x.jsonld")
    assert result.edc_version == "3.2" and result.dropped == []
    assert ox.Quad(ox.NamedNode("urn:s:1"), ox.NamedNode(iri), ox.NamedNode("urn:d:1")) in result.quads
    # v3.2 maps nationalID to elm:nationalId (the ontology's IRI)
    assert ox.Quad(ox.NamedNode("urn:s:1"), ox.NamedNode(ELM + "nationalId"), ox.NamedNode("urn:id:1")) in result.quads


def test_a_key_neither_version_defines_is_reported_not_silently_dropped():
    # "nationalId" (lower-case d) is a term of neither context (both define "nationalID")
    doc = {"@context": [VC1, EDC], "id": "urn:p:1", "type": "Person", "nationalId": "X1"}
    result = read(jsonld(doc), name="x.jsonld")
    assert [d.path for d in result.dropped] == ["nationalId"]


def test_a_document_both_versions_read_alike_keeps_31():
    doc = {"@context": [VC1, EDC], "id": "urn:p:1", "type": "Person", "nationalID": {"id": "urn:id:1"}}
    result = read(jsonld(doc), name="x.jsonld")
    assert result.edc_version == "3.1"
    assert ox.Quad(ox.NamedNode("urn:p:1"), ox.NamedNode(ELM + "nationalID"), ox.NamedNode("urn:id:1")) in result.quads


def test_no_edc_context_no_edc_version():
    result = read(FIXTURES / "ob3-basic.json")
    assert result.edc_version is None


# --------------------------------------------------------------------------- scheme-only IRIs


def test_ctdl_without_context_is_an_error_naming_the_key():
    doc = {"@id": "https://example.org/mc/1", "@type": "ceterms:MicroCredential",
           "ceterms:name": {"en": "Data literacy"}}
    with pytest.raises(ParseError) as info:
        parse(jsonld(doc), name="ctdl.json")
    message = str(info.value)
    assert "ceterms:" in message and "@context" in message
    assert "'ceterms:name'" in message or "'ceterms:MicroCredential'" in message


def test_an_undeclared_prefix_in_a_key_is_an_error_even_with_a_context():
    doc = {"@context": [VC1, EDC], "id": "urn:c:1", "type": "VerifiableCredential", "xyz:score": "5"}
    with pytest.raises(ParseError, match=r"'xyz:score'.*prefix 'xyz'"):
        parse(jsonld(doc), name="x.jsonld")


def test_absolute_iris_as_keys_remain_data():
    doc = {"@id": "urn:a:1", "http://example.org/p": "v", "urn:x:p": "w"}
    quads = parse(jsonld(doc), name="x.jsonld")
    assert {q.predicate.value for q in quads} == {"http://example.org/p", "urn:x:p"}


def test_unknown_context_error_says_how_to_add_it():
    doc = {"@context": "https://example.org/private/ctx.jsonld", "id": "urn:a:1", "name": "x"}
    with pytest.raises(ParseError) as info:
        parse(jsonld(doc), name="x.jsonld")
    message = str(info.value)
    assert "<https://example.org/private/ctx.jsonld>" in message
    assert "--context-dir" in message and "MICROHE_CONTEXT_DIR" in message and "index.json" in message


def test_a_context_with_a_vocabulary_maps_every_key():
    """The VC 2.0 examples context sets @vocab (https://www.w3.org/ns/credentials/examples#):
    nothing is dropped. (VC 2.0's own context sets none: there, the key is dropped.)"""
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
           "id": "urn:c:1", "type": "VerifiableCredential", "shoeSize": 44}
    result = read(jsonld(doc), name="x.jsonld")
    assert result.dropped == []
    assert any(q.predicate.value == "https://www.w3.org/ns/credentials/examples#shoeSize" for q in result.quads)
    doc["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    assert [d.path for d in read(jsonld(doc), name="x.jsonld").dropped] == ["shoeSize"]


def test_a_vocabulary_reset_to_null_drops_again():
    doc = {"@context": [{"@vocab": "http://example.org/v#"}, {"@vocab": None, "name": "http://schema.org/name"}],
           "@id": "urn:a:1", "name": "x", "other": "y"}
    assert [d.path for d in read(jsonld(doc), name="x.jsonld").dropped] == ["other"]
    doc["@context"] = [{"@vocab": None}, {"@vocab": "http://example.org/v#"}]
    assert read(jsonld(doc), name="x.jsonld").dropped == []
