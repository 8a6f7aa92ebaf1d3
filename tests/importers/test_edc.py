"""The EDC importer on every ELM example of ../shared/anchors, facts written from the files.

Expected values were read from the sample files themselves (their Turtle rendering in
anchors/elm/derived/Sample-MC-Annex1-signed-payload.ttl for the micro-credential): the
qualification "Digital micro-credential creation" (EQF 6, QDR c_c392e7a2 = RQF Level 6,
2 ECTS, PT60H read back by the store as P2DT12H, blended), awarded by "University of Zed" (address in IRL) through
awardingProcess:1, assessed by "artefact assessment" (a local concept), no accreditation
(M11, absent from the official sample); the certificate of participation: activity "EDC
Updates Webinar" (online, "P2M" as the file says) by the EDC Support Team (BEL).
"""

from __future__ import annotations

import json

import pytest

from microhe.importers.errors import ImportFailed, NothingToImport
from microhe.importers.registry import import_document, sniff
from microhe.ingest.personal import find_personal_data
from tests.importers.conftest import BASE, ECTS, MODE, QDR, anchor, minted

EX = "elm/v3.1-master/examples-jsonld/"
MC = {"title": ["Digital micro-credential creation"], "issuer": ["University of Zed"], "country": ["IRL"],
      "eqf": [6], "nqf": [QDR + "c_c392e7a2"], "ects": ["2"], "credits": [f"{ECTS} 2"], "hours": ["P2DT12H"],
      "mode": [MODE + "e92d221e4d"], "qa": [],
      "outcomes": ["Communication, collaboration and creativity", "Contento digital", "Developing digital content"],
      "isced": ["http://data.europa.eu/snb/isced-f/003", "http://data.europa.eu/snb/isced-f/0688"]}
CERT = {"title": ["EDC Updates Webinar"], "issuer": ["European Digital Credentials for Learning Support Team"],
        "country": ["BEL"], "eqf": [], "ects": [], "hours": ["P2M"], "mode": [MODE + "920fbb3cbe"], "outcomes": []}

CASES = [
    (EX + "Sample-MC-Annex1-unsigned.jsonld", MC, "none"),
    (EX + "Sample-MC-Annex1-signed.jsonld", MC, "present, not verified"),
    (EX + "Sample-MC-Annex1-unsigned-uploadable.json", MC, "none"),
    ("elm/derived/Sample-MC-Annex1-signed-payload.jsonld", MC, "none"),
    ("esco/ELM-Sample-MC-Annex1-unsigned.jsonld", MC, "none"),
    (EX + "Sample-CertOfPart-unsigned.jsonld", CERT, "none"),
    (EX + "Sample-CertOfPart-signed.jsonld", CERT, "present, not verified"),
    (EX + "Sample-CertOfPart-unsigned-uploadable.json", CERT, "none"),
    ("elm/derived/Sample-CertOfPart-signed-payload.jsonld", CERT, "none"),
]
#: Awards whose achievement names no specification: refused, naming what was found.
NO_SPEC = ["elm/v3.1-master/samples/credential-sample.jsonld", "elm/v3.2-lts/samples/credential-sample.jsonld",
           "elm/v3.2-lts/samples/v3.1/credential-sample.jsonld"]


@pytest.mark.parametrize("rel,expected,signature", CASES, ids=[c[0].rsplit("/", 1)[-1] for c in CASES])
def test_every_elm_example_imports_with_its_facts(rel, expected, signature):
    data = anchor(rel).read_bytes()
    assert sniff(data, rel) == "edc"
    conv = import_document("auto", data, rel, base=BASE)
    assert conv.signature == signature
    [facts] = conv.facts()
    for key, value in expected.items():
        assert facts[key] == value, key
    assert not find_personal_data(conv.quads), "the learner is never part of the import"
    text = conv.ntriples().decode()
    assert "Andromeda" not in text and "1999-10-01" not in text and "LA-234218" not in text


def test_the_assessment_and_identity_check_of_the_award_move_to_the_specification():
    data = anchor(EX + "Sample-MC-Annex1-unsigned.jsonld").read_bytes()
    conv = import_document("edc", data, "mc.jsonld", base=BASE)
    [facts] = conv.facts()
    assert facts["assessment"] == [minted(data, "urn/epass/concept/d1ebf223-3c68-449a-9023-90bc245a0079")]
    text = conv.ntriples().decode()
    assert "<http://data.europa.eu/snb/supervision-verification/c598449d64>" in text
    assert facts["iri"] == minted(data, "urn/epass/qualification/1")  # urn:epass numbering is document-local


@pytest.mark.parametrize("rel", NO_SPEC)
def test_awards_without_a_specification_are_refused(rel):
    with pytest.raises(NothingToImport, match="nothing to import: .*names no specification"):
        import_document("edc", anchor(rel).read_bytes(), rel, base=BASE)


def test_same_bytes_same_triples_and_two_documents_do_not_share_local_iris():
    a = anchor(EX + "Sample-MC-Annex1-unsigned.jsonld").read_bytes()
    b = anchor(EX + "Sample-MC-Annex1-signed.jsonld").read_bytes()
    one, two = import_document("edc", a, "a", base=BASE), import_document("edc", a, "a", base=BASE)
    assert one.ntriples() == two.ntriples()
    other = import_document("edc", b, "b", base=BASE)
    assert one.facts()[0]["iri"] != other.facts()[0]["iri"]


def _sealed(payload: dict | str, header: dict) -> bytes:
    import base64

    prot = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return json.dumps({"payload": body, "signatures": [{"protected": prot, "signature": "AAAA"}]}).encode()


def _payload() -> dict:
    return json.loads(anchor("elm/derived/Sample-MC-Annex1-signed-payload.jsonld").read_bytes())


def test_a_base64url_payload_is_decoded_when_b64_is_absent():
    import base64

    text = json.dumps(_payload())
    enc = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    conv = import_document("edc", _sealed(enc, {"alg": "RS256"}), "b64.json", base=BASE)
    assert conv.signature == "present, not verified"
    assert conv.facts()[0]["title"] == MC["title"]


@pytest.mark.parametrize("doc,message", [
    (lambda: _sealed("", {"alg": "RS256", "b64": False}), "detached signature"),
    (lambda: _sealed(_payload(), {"alg": "none", "b64": False}), "alg 'none'"),
    (lambda: json.dumps({"payload": "{}", "signatures": [{"protected": "%%%", "signature": "x"}]}).encode(),
     "not base64url"),
    (lambda: _sealed("{not json", {"alg": "RS256", "b64": False}), "invalid JSON in the JWS payload"),
])
def test_damaged_seals_are_refused(doc, message):
    with pytest.raises(ImportFailed, match=message):
        import_document("edc", doc(), "sealed.json", base=BASE)


def test_notations_are_resolved_against_the_bundled_vocabularies():
    doc = _payload()
    spec = doc["credentialSubject"]["hasClaim"][0]["specifiedBy"] if isinstance(
        doc["credentialSubject"]["hasClaim"], list) else doc["credentialSubject"]["hasClaim"]["specifiedBy"]
    for key in ("eqfLevel", "thematicArea", "nqfLevel"):
        spec.pop(key, None)
    spec["EQFLevel"] = "EQF level 7"  # the ELM property name, as pilots write it
    spec["mode"] = "online"
    spec["thematicArea"] = ["0613"]
    spec["nqfLevel"] = "not a level"
    conv = import_document("edc", json.dumps(doc).encode(), "ebsi.json", base=BASE)
    [facts] = conv.facts()
    assert facts["eqf"] == [7] and facts["mode"] == [MODE + "920fbb3cbe"]
    assert facts["isced"] == ["http://data.europa.eu/snb/isced-f/0613"] and facts["nqf"] == []
    assert any(n.kind == "lost" and "nqfLevel" in n.what for n in conv.notes)


def test_a_document_without_the_edc_context_is_refused_with_the_formats_to_try():
    data = anchor("openbadges3-clr2/examples/basicOpenBadgeCredential__Sample_OpenBadgeCredential.json").read_bytes()
    with pytest.raises(ImportFailed, match="not a Europass EDC document.*ob3"):
        import_document("edc", data, "badge.json", base=BASE)
