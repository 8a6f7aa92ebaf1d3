"""The CTDL importer on every CTDL sample of ../shared/anchors/ctdl: records that describe a
credential or learning opportunity import with the facts written from the files (names,
owners, parts, levels, competencies); frameworks, alignment maps and transfer-value files
alone are refused naming the class found; the files the anchors README lists as invalid
JSON are refused with the position; Registry Assistant API inputs are refused as not CTDL."""

from __future__ import annotations

import json

import pytest

from microhe.importers.errors import ImportFailed, NothingToImport
from microhe.importers.registry import import_document, sniff
from microhe.ingest.personal import find_personal_data
from tests.importers.conftest import BASE, ECTS, EQF, MODE, anchor

RES = "https://credentialengineregistry.org/resources/"
BACHELOR = [{"iri": RES + "ce-49247727-7cbd-4f0e-8179-e51036d1f14a", "title": ["Bachelor’s Degree"]}]
IMPORTED = [
    ("ctdl-in-vcs/s1_1_DegreeInRegistry.json", BACHELOR),
    ("ctdl-in-vcs/s1_2_DegreeInRegistryAndVC.json", BACHELOR),
    ("ctdl-in-vcs/s_2_2_CompetenceAndDegree.json", BACHELOR),
    ("ctdl-in-vcs/s1_3_LinkToDegreeInRegistry.json",
     [{"iri": "http://inludo.docemus.edu/creds/BSSciArt", "title": ["Bachelor’s Degree"]}]),
    ("ctdl-in-vcs/s_3_1_CoursesFromDifferntOrgs.json", [
        {"title": ["Literature 101"], "issuer": ["UC Sunnydale"]},
        {"title": ["Physics 101"], "issuer": ["UC Sunnydale"]},
        {"title": ["Degree Program in Science and Arts"],
         "has_part": [RES + "ce-862b6900-5cf9-44e0-b875-969ac8faa0f1", RES + "ce-bfb58e1d-0364-4677-adff-b58230a09d56"]}]),
    ("handbook-qualifications-framework/credentialLevel.json",
     [{"title": ["Certificate in Dental Technology"], "nqf": [RES + "ce-0a8de4f6-0fd8-4b44-b8f9-81849de880ba"]}]),
    ("registry-jsonschema/sample-cer-credential.json", [{"title": ["21st Century Skills for Workplace Success"]}]),
    ("transfer-value/ACE_-_Sophia_Learning_LLC_-_Principles_of_FinanceTVP-PUBLISHED_JSON-LD.json",
     [{"title": ["Principles of Finance"], "issuer": ["Sophia Learning, LLC"], "mode": [MODE + "920fbb3cbe"],
       "outcomes": ["describe the characteristics of capital market instruments including stocks, bonds, and money "
                    "market instruments",
                    "describe the operating environment of the firm, the role of financial institutions, and the "
                    "structure of the capital markets and explain their impact on the financial performance of the firm",
                    "describe the sources of long-term capital and its importance to sustaining operations",
                    "explain the capital budgeting process and the basic elements of working capital management",
                    "explain the time value of money and calculate future value and present value for single and "
                    "multiple cash flows", "interpret financial statements and financial ratios"]}]),
    ("transfer-value/CTDL_-_Course_-_Elon_University_-_Accounting_1.json",
     [{"title": ["Prin of Financial Accounting"], "issuer": ["Alamance Community College"]}]),
    ("transfer-value/CTDL_-_Course_-_Elon_University_-_Accounting_2.json",
     [{"title": ["Prin of Financial Account II"]}, {"title": ["ACC Elective Course"]}]),
    ("transfer-value/CTDL_-_Course_-_KBOR_-_Infantryman_Level_10.json", [{"title": ["Basic First Aid"]}]),
    ("transfer-value/CTDL_-_Course_-_KBOR_-_Infantryman_Level_30.json",
     [{"title": ["Leadership Mentoring"], "part_of": sorted(RES + x for x in (
         "ce-af8d32aa-338c-4fd1-b226-3ece8a36379c", "ce-52cd57a8-73b5-44b0-8f1f-cc569f7f3c10",
         "ce-6b88e886-2653-406e-9549-700c49ac2850", "ce-a712bc81-8acb-4ada-84ba-fb70a607c998",
         "ce-75ccab9b-3eda-4dcc-bbbc-699169e9765e"))}]),
    ("transfer-value/CTDL_-_Course_-_KBOR_-_SWT_Transfer_-_Accounting.json",
     [{"title": ["Financial Accounting"]}, {"title": ["Financial Accounting"]}]),
]
REFUSED = [
    ("competency-frameworks/DQP.jsonld", "ceasn:CompetencyFramework"),
    ("ctdl-in-vcs/s_2_1_StandaloneCompetence.json", "ceasn:Competency"),
    ("ctdl-in-vcs/s_4_1_AssessmentAccreditation.json", "ceterms:AssessmentProfile"),
    ("handbook-qualifications-framework/basicDescription.json", "ceterms:QualificationsFramework"),
    ("handbook-qualifications-framework/frameworkAlignment.json", "ceterms:AlignmentMap"),
    ("handbook-qualifications-framework/frameworkLevels.json", "ceterms:QualificationsFramework"),
    ("handbook-qualifications-framework/levelDesriptors.json", "ceterms:QualificationsFramework"),
    ("qualifications-framework/ACQF.json", "ceterms:QualificationsFramework"),
    ("qualifications-framework/EQF.json", "ceterms:QualificationsFramework"),
    ("qualifications-framework/NLQF.json", "ceterms:QualificationsFramework"),
    ("qualifications-framework/scqf.json", "ceterms:QualificationsFramework"),
    ("qualifications-framework/zqf_part.json", "ceterms:QualificationsFramework"),
    ("qualifications-framework/scqf-eqf-mapping.json", "ceterms:AlignmentMap"),
    ("registry-jsonschema/sample-cer-organization.json", "ceterms:CredentialOrganization"),
    ("transfer-value/ACE_-_Introductory_SociologyTVP-PUBLISHED.json", "ceterms:TransferValueProfile"),
    ("transfer-value/CTDL_-_Assessment_-_ACE_-_Introductory_Sociology.json", "ceterms:TransferValueProfile"),
]
#: The anchors README lists these as invalid JSON upstream.
INVALID = [("qualifications-framework/BQF.json", "line 76 column 3"),
           ("transfer-value/Assistant_API_-_Indiana_CHE_-_Introduction_to_Business.json", "line 44 column 3"),
           ("transfer-value/CTDL_-_Course_-_WICHE_-_Passport.json", "line 11 column 2"),
           ("transfer-value/Assistant_API_-_NCCRS_-_Advanced_Legal_Issues_in_Fraud_Investigation_and_Defense_(515).json",
            "line 79 column 5"),
           ("transfer-value/Transfer_Intermediary_-_WICHE_Example.json", "line 33 column 1")]
ASSISTANT = ["transfer-value/Assistant_API_-_Assessment_-_ACE_-_Introductory_Sociology.json",
             "transfer-value/Assistant_API_-_Assessment_-_Certified_Administrative_Secretary_Part_3_(With_Current_"
             "Properties).json",
             "transfer-value/Assistant_API_-_Course_-_ACE_-_Sophia_Learning_LLC_-_Principles_of_Finance.json",
             "deprecated-2017-vocab/ctdl-context.json"]


@pytest.mark.parametrize("rel,expected", IMPORTED, ids=[r.rsplit("/", 1)[-1] for r, _ in IMPORTED])
def test_every_ctdl_record_imports_with_its_facts(rel, expected):
    data = anchor("ctdl/" + rel).read_bytes()
    conv = import_document("ctdl", data, rel, base=BASE)
    facts = sorted(conv.facts(), key=lambda f: f["title"])
    want = sorted(expected, key=lambda f: f["title"])
    assert len(facts) == len(want)
    for w, got in zip(want, facts, strict=True):
        for key, value in w.items():
            assert got[key] == value, key
    assert not find_personal_data(conv.quads)
    assert "did:example" not in conv.ntriples().decode()


@pytest.mark.parametrize("rel,found", REFUSED, ids=[r.rsplit("/", 1)[-1] for r, _ in REFUSED])
def test_files_holding_no_credential_are_refused_naming_the_class(rel, found):
    with pytest.raises(NothingToImport, match=f"nothing to import: found .*{found}"):
        import_document("ctdl", anchor("ctdl/" + rel).read_bytes(), rel, base=BASE)


@pytest.mark.parametrize("rel,where", INVALID, ids=[r.rsplit("/", 1)[-1][:40] for r, _ in INVALID])
def test_the_invalid_upstream_files_are_refused_with_the_position(rel, where):
    with pytest.raises(ImportFailed, match=f"invalid JSON: .* \\({where}\\)"):
        import_document("ctdl", anchor("ctdl/" + rel).read_bytes(), rel, base=BASE)


@pytest.mark.parametrize("rel", ASSISTANT, ids=[r.rsplit("/", 1)[-1][:40] for r in ASSISTANT])
def test_documents_that_are_not_ctdl_json_ld_are_refused(rel):
    with pytest.raises(ImportFailed, match="not CTDL JSON-LD"):
        import_document("ctdl", anchor("ctdl/" + rel).read_bytes(), rel, base=BASE)


MICRO = {
    "@type": "ceterms:MicroCredential", "@id": "https://example.org/ctdl/mc-1", "ceterms:ctid": "ce-mc-1",
    "ceterms:name": {"en": "Data literacy", "de": "Datenkompetenz"},
    "ceterms:description": {"en": "A short course."},
    "ceterms:ownedBy": [{"@id": "https://example.org/org/1", "@type": "ceterms:CredentialOrganization",
                         "ceterms:name": {"en": "Example University"},
                         "ceterms:address": [{"@type": "ceterms:Place", "ceterms:addressCountry": {"en": "Germany"}}]}],
    "ceterms:creditValue": [{"@type": "ceterms:ValueProfile", "schema:value": 5,
                             "ceterms:creditUnitType": ["creditUnit:ECTS"]}],
    "ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "PT125H"}],
    "ceterms:atLevel": [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:frameworkName": {"en": "EQF"},
                         "ceterms:targetNodeName": {"en": "Level 6"}}],
    "ceterms:isPartOf": ["https://example.org/ctdl/programme"],
    "ceterms:requires": [{"@type": "ceterms:ConditionProfile", "ceterms:targetCompetency": [
        {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNodeName": {"en": "Interpret data"},
         "ceterms:targetNode": "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"}]}],
    "ceterms:deliveryType": ["deliveryType:OnlineOnly"],
}


@pytest.mark.parametrize("with_context", [True, False], ids=["@context", "no @context"])
def test_a_micro_credential_record_maps_every_field(with_context):
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json", **MICRO} if with_context else dict(MICRO)
    data = json.dumps(doc).encode()
    assert sniff(data) == "ctdl"
    conv = import_document("auto", data, "mc.json", base=BASE)
    [f] = conv.facts()
    assert f["title"] == ["Data literacy", "Datenkompetenz"] and f["issuer"] == ["Example University"]
    assert f["country"] == ["DEU"] and f["eqf"] == [6] and f["ects"] == ["5"] and f["hours"] == ["P5DT5H"]
    assert f["mode"] == [MODE + "920fbb3cbe"] and f["outcomes"] == ["Interpret data"]
    assert f["part_of"] == ["https://example.org/ctdl/programme"]
    assert "https://purl.org/ctdl/terms/MicroCredential" in f["types"]
    text = conv.ntriples().decode()
    assert '"Datenkompetenz"@de' in text and "<ceterms:" not in text
    assert (not with_context) == any(n.what == "no @context" for n in conv.notes)


def test_older_records_quantitative_value_with_semester_hours():
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [
        {**{k: v for k, v in MICRO.items() if k != "ceterms:creditValue"}, "@type": "ceterms:Certificate",
         "ceterms:creditValue": [{"@type": "schema:QuantitativeValue", "schema:value": 3,
                                  "ceterms:creditUnitType": ["creditUnit:SemesterHour"]}]}]}
    [f] = import_document("ctdl", json.dumps(doc).encode(), "old.json", base=BASE).facts()
    assert f["credits"] == ["https://w3id.org/microhe/ref/credit-system/US-SCH 3"] and f["ects"] == []
    assert ECTS not in json.dumps(f) and EQF + "6" not in f["nqf"]
