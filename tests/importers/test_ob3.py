"""The Open Badges 3.0 importer on every OB 3.0 / CLR 2.0 example and validator credential of
../shared/anchors/openbadges3-clr2, facts written from the files (achievement id, name,
issuer Profile, address, creditsAvailable, alignments), plus JWT and Edubadges forms."""

from __future__ import annotations

import base64
import json

import pytest

from microhe.importers.errors import ImportFailed, NothingToImport
from microhe.importers.registry import import_document, sniff
from microhe.ingest.personal import find_personal_data
from tests.importers.conftest import BASE, ECTS, EQF, MODE, US_SCH, anchor

OB = "openbadges3-clr2/"
TEAMWORK = {"iri": "https://example.com/achievements/21st-century-skills/teamwork", "title": ["Teamwork"],
            "issuer": ["Example Corp"], "country": [], "eqf": [], "ects": [], "credits": [], "outcomes": []}
DEGREE = {"iri": "https://1edtech.edu/achievements/degree", "title": ["1EdTech University Degree"],
          "issuer": ["1EdTech University"], "country": ["USA"], "eqf": [], "ects": [],
          "credits": [f"{US_SCH} 36"],  # creditsAvailable 36.0: credit hours, never ECTS
          "outcomes": ["1EdTech University Degree"]}
TEXT = {"iri": "https://1edtech.edu/achievements/1", "title": ["Text analysis"], "issuer": ["Example University"]}
CASES = [
    (OB + "examples/basicOpenBadgeCredential__Sample_OpenBadgeCredential.json", [TEAMWORK], "none"),
    (OB + "examples/fullOpenBadge__Complete_OpenBadgeCredential.json", [DEGREE], "none"),
    (OB + "examples/achievementAlignmentCase__Achievement_alignment_CASE.json",
     [{**TEXT, "outcomes": ["Cite strong and thorough textual evidence to support analysis of what the text says "
                            "explicitly as well as inferences drawn from the text, including determining where the "
                            "text leaves matters uncertain"]}], "none"),
    (OB + "examples/achievementAlignmentCe__Achievement_alignment_Credential_Engine.json",
     [{**TEXT, "outcomes": ["Requirements Analysis"]}], "none"),
    (OB + "examples/skillAssertionCase__Skill_Assertion_CASE.json",
     [{"iri": "https://example.com/achievements/robotics/robot-programming", "title": ["Robot Programming"],
       "issuer": ["1EdTech University"], "outcomes": ["Robot Programming"]}], "none"),
    (OB + "examples/skillAssertionCtdl__Skill_Assertion_Credential_Registry.json",
     [{"iri": "https://example.com/achievements/math/linear-1", "title": ["Linear equations and inequalities"],
       "outcomes": ["Solve and graph linear equations and inequalities"]}], "none"),
    (OB + "validator-test-credentials/ob30_simple.json", [TEAMWORK], "present, not verified"),
    (OB + "validator-test-credentials/ob30_complete.json", [DEGREE], "present, not verified"),
    (OB + "validator-test-credentials/clr20_simple.json", [TEAMWORK], "present, not verified"),
]


def _by_title(facts):
    return {f["title"][0]: f for f in facts}


@pytest.mark.parametrize("rel,expected,signature", CASES, ids=[c[0].rsplit("/", 1)[-1] for c in CASES])
def test_every_badge_example_imports_with_its_facts(rel, expected, signature):
    data = anchor(rel).read_bytes()
    assert sniff(data, rel) == "ob3"
    conv = import_document("auto", data, rel, base=BASE)
    assert conv.signature == signature
    facts = conv.facts()
    assert len(facts) == len(expected)
    for want, got in zip(expected, facts, strict=True):
        for key, value in want.items():
            assert got[key] == value, key
    assert not find_personal_data(conv.quads)
    assert "did:example:ebfeb1f712ebc6f1c276e12ec21" not in conv.ntriples().decode()


def test_a_clr_gives_each_achievement_and_keeps_apart_achievements_that_share_an_id():
    rel = OB + "validator-test-credentials/clr20_complex.json"
    conv = import_document("ob3", anchor(rel).read_bytes(), rel, base=BASE)
    titles = sorted(f["title"][0] for f in conv.facts())
    assert titles == ["Health Careers 1", "Human Anatomy and Physiology", "Intro to Health Careers", "Nurse Assistant 1 "
                      "Program with Licensure", "Nurse Assisting 1",
                      "Oregon State Board of Nursing - Certified Nursing Assistant"]
    assert all(len(f["title"]) == 1 and f["issuer"] == ["Western High School, RSD"] for f in conv.facts())


@pytest.mark.parametrize("rel,message", [
    (OB + "validator-test-credentials/ob30_endorsement-valid.json", "nothing to import: found .*EndorsementCredential"),
    (OB + "validator-test-credentials/ob30_simple-noproof.json", "no credentialSubject.achievement"),
])
def test_credentials_without_an_achievement_are_refused(rel, message):
    with pytest.raises(NothingToImport, match=message):
        import_document("ob3", anchor(rel).read_bytes(), rel, base=BASE)


def test_a_credential_naming_a_context_that_is_not_bundled_is_refused_naming_it():
    rel = OB + "validator-test-credentials/clr20_simple-noproof.json"  # the 2022 CLR draft context
    with pytest.raises(ImportFailed, match=r"dc.imsglobal.org/draft/clr/v2p0/context.*never fetched"):
        import_document("ob3", anchor(rel).read_bytes(), rel, base=BASE)


def _b64(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _badge() -> dict:
    return json.loads(anchor(OB + "examples/basicOpenBadgeCredential__Sample_OpenBadgeCredential.json").read_bytes())


@pytest.mark.parametrize("claims", [lambda b: b, lambda b: {"iss": "x", "sub": "did:example:1", "vc": b}],
                         ids=["payload is the credential", "credential under vc"])
def test_a_compact_jwt_is_opened_and_its_signature_recorded_not_verified(claims):
    token = f"{_b64({'alg': 'ES256', 'typ': 'JWT'})}.{_b64(claims(_badge()))}.{_b64(b'sig')}"
    assert sniff(token.encode()) == "ob3"
    conv = import_document("auto", token.encode(), "badge.jwt", base=BASE)
    assert conv.signature == "present, not verified"
    assert conv.facts()[0]["title"] == ["Teamwork"]


@pytest.mark.parametrize("token,message", [
    (lambda: f"{_b64({'alg': 'none'})}.{_b64(_badge())}.{_b64(b'x')}", "alg 'none'"),
    (lambda: f"{_b64({'alg': 'none'})}.{_b64(_badge())}.", "alg 'none'"),
    (lambda: f"{_b64({'alg': 'ES256'})}.{_b64(_badge())}", "not a compact JWT"),
    (lambda: f"{_b64({'alg': 'ES256'})}.@@@.{_b64(b'x')}", "not a compact JWT"),
    (lambda: f"{_b64({'alg': 'ES256'})}.{_b64(b'not json')}.{_b64(b'x')}", "JWT payload is not JSON"),
    (lambda: f"{_b64(b'{}')}.{_b64(_badge())}.{_b64(b'x')}", "names no signature algorithm"),
    (lambda: f"{_b64({'alg': 'ES256'})}.{_b64(_badge())}.", "empty signature"),
])
def test_bad_jwts_are_refused(token, message):
    with pytest.raises(ImportFailed, match=message):
        import_document("ob3", token().encode(), "bad.jwt", base=BASE)


def test_edubadges_ects_eqf_and_quality_assurance_and_credit_hours_never_ects():
    badge = _badge()
    ach = badge["credentialSubject"]["achievement"]
    ach.update({"inLanguage": "en-US", "creditsAvailable": 3, "ECTS": 6.0, "timeInvestment": 160,
                "participationType": "online",
                "alignment": [{"type": ["Alignment"], "targetType": "ext:EQF", "targetName": "EQF level 5",
                               "targetCode": "5", "targetUrl": "https://content.example.com/description-eqf-levels"},
                              {"type": ["Alignment"], "targetType": "ext:QualityAssurance", "targetName": "M Phil",
                               "targetCode": "AV-2391", "targetUrl": "https://data.example.com/decisions/AV-2391"},
                              {"type": ["Alignment"], "targetName": "develop digital content", "targetType": "ext:ESCO",
                               "targetUrl": "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"}]})
    badge["issuer"]["address"] = {"type": ["Address"], "addressCountryCode": "NL"}
    conv = import_document("ob3", json.dumps(badge).encode(), "edubadge.json", base=BASE)
    [f] = conv.facts()
    # 160 h: the store writes the xsd:duration PT160H in its canonical form
    assert f["eqf"] == [5] and f["ects"] == ["6"] and f["hours"] == ["P6DT16H"] and f["country"] == ["NLD"]
    assert sorted(f["credits"]) == sorted([f"{ECTS} 6", f"{US_SCH} 3"])  # the 3 credit hours stay credit hours
    assert f["mode"] == [MODE + "920fbb3cbe"] and len(f["qa"]) == 1 and f["outcomes"] == ["develop digital content"]
    assert "<http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a>" in conv.ntriples().decode()
    assert '"Teamwork"@en-us' in conv.ntriples().decode()
    assert EQF + "5" in conv.ntriples().decode()
