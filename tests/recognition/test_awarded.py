"""Real Europass data is first-class once loaded (issue 16): the specification of an awarded
credential (``elm:specifiedBy`` of an ``elm:LearningAchievement``) is found by search, counted
in the facets, compared, offered in pathways and shown by the named queries, with the issuer
and country whichever ELM path carries them; and a record that lacks Council-2022 elements
(loaded with a lighter profile) is flagged ``incomplete``, never shown as complete.

Test data: the official ELM v3.1 samples in ``../shared/anchors`` (unsigned), loaded as a
steward would: ``--strip-personal-data --profile consistency`` (the default profiles refuse
the award sample for its missing M11). What each carries, read by hand from the files:

* ``esco/ELM-Sample-MC-Annex1-unsigned.jsonld`` and its identical copy
  ``elm/v3.1-master/examples-jsonld/Sample-MC-Annex1-unsigned.jsonld`` (same IRIs, so
  loaded twice they hold one specification in two graphs): a credential issued by
  ``urn:epass:org:1`` whose claim ``urn:epass:learningAchievement:1`` is
  ``specifiedBy urn:epass:qualification:1`` "Digital micro-credential creation"@en and
  ``awardedBy urn:epass:awardingProcess:1`` whose ``awardingBody`` is ``urn:epass:org:1``
  (legalName "University of Zed"@en, location ``urn:epass:location:2`` / address
  ``urn:epass:address:2`` / countryCode ``country/IRL``; ``groupMemberOf`` a research
  alliance). The qualification: eqfLevel ``eqf/6`` and nqfLevel ``qdr/c_c392e7a2`` (RQF
  Level 6, referenced to EQF 6), one ECTS credit point of "2", volumeOfLearning
  ``P2DT12H`` (60 h), mode ``learning-assessment/e92d221e4d`` (blended), thematicArea
  ISCED-F ``003`` and ``0688``, two learning outcomes with ESCO skills (one is
  ``esco/skill/80f308e6-0e09-404a-80cd-ec5f50f6f304``), no ``awardingOpportunity``, no
  accreditation anywhere in the file. The achievement is ``provenBy`` an assessment
  ``specifiedBy`` a specification of ``type`` ``urn:epass:concept:d1ebf223-...``
  ("artefact assessment"). So of the Council's specification elements only M11 (quality
  assurance) is missing: the official sample's one council-2022 result
  (microhe/shapes/README.md).
* ``elm/v3.1-master/examples-jsonld/Sample-CertOfPart-unsigned.jsonld``: a certificate of
  participation: a ``LearningActivity`` specified by a ``LearningActivitySpecification``;
  no Qualification or LearningAchievementSpecification, so no micro-credential record. Its
  issuer is also named ``urn:epass:org:1`` (the EDC builder numbers each document's nodes
  from 1), but is another organisation (the EDC support team, BEL): ``urn:epass:`` IRIs
  are local to their document, so it is loaded into a store of its own here.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.ingest.errors import NotConforming
from microhe.ingest.load import Source, load
from microhe.queries.catalogue import catalogue
from microhe.recognition import compare as _compare
from microhe.recognition import decisions as _decisions
from microhe.recognition import pathways as _pathways
from microhe.recognition import search as _search
from microhe.recognition.compare import target_from_requirements
from microhe.recognition.decisions import record_decision
from microhe.recognition.facts import read_facts
from microhe.store.embedded import Store
from tests.demo import demo_copy


# These tests read the answers as the API sends them (JSON), so each library call is read back as that.
def search(*args, **kwargs) -> dict:
    return _search.search(*args, **kwargs).to_json()


def compare(*args, **kwargs) -> dict:
    return _compare.compare(*args, **kwargs).to_json()


def pathways(*args, **kwargs) -> dict:
    return _pathways.pathways(*args, **kwargs).to_json()


def list_decisions(*args, **kwargs) -> list[dict]:
    return [d.to_json() for d in _decisions.list_decisions(*args, **kwargs)]

ROOT = Path(__file__).resolve().parents[2]
ANCHORS = (ROOT / ".." / "shared" / "anchors").resolve()
MC_ESCO = ANCHORS / "esco" / "ELM-Sample-MC-Annex1-unsigned.jsonld"
MC_ELM = ANCHORS / "elm" / "v3.1-master" / "examples-jsonld" / "Sample-MC-Annex1-unsigned.jsonld"
CERT = ANCHORS / "elm" / "v3.1-master" / "examples-jsonld" / "Sample-CertOfPart-unsigned.jsonld"

MC = "urn:epass:qualification:1"
ORG1 = "urn:epass:org:1"
IRL = "http://publications.europa.eu/resource/authority/country/IRL"
SKILL = "http://data.europa.eu/esco/skill/80f308e6-0e09-404a-80cd-ec5f50f6f304"

pytestmark = pytest.mark.skipif(not MC_ESCO.exists(), reason="../shared/anchors is absent")

#: A specification with every element but M9 (assessment) and M11 (quality assurance);
#: and one with a title only.
LIGHT = """
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rov: <http://www.w3.org/ns/regorg#> .
@prefix ex: <https://example.org/light/> .
ex:spec a elm:Qualification ; dcterms:title "Lighter record of a course"@en ;
  elm:awardingOpportunity ex:ao ;
  elm:learningOutcome ex:lo ;
  elm:creditPoint ex:cp ;
  elm:EQFLevel <http://data.europa.eu/snb/eqf/5> ;
  elm:mode <http://data.europa.eu/snb/learning-assessment/920fbb3cbe> .
ex:ao a elm:AwardingOpportunity ; elm:awardingBody ex:org .
ex:org a elm:Organisation ; rov:legalName "Light Org"@en ; elm:location ex:loc .
ex:loc elm:address ex:addr .
ex:addr elm:countryCode <http://publications.europa.eu/resource/authority/country/DEU> .
ex:lo a elm:LearningOutcome ; dcterms:title "an outcome"@en .
ex:cp a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ; elm:point "3" .
ex:bare a elm:LearningAchievementSpecification ; dcterms:title "Bare title only"@en .
"""
LIGHT_SPEC = "https://example.org/light/spec"
BARE = "https://example.org/light/bare"


@pytest.fixture(scope="module")
def edc():
    store = demo_copy()
    sources = [Source(p.name, p.read_bytes()) for p in (MC_ESCO, MC_ELM)]
    sources.append(Source("light.ttl", LIGHT.encode()))
    load(store, sources, profiles=["consistency"], strip_personal=True)
    return store


def _hit(doc: dict, iri: str) -> dict:
    [hit] = [r for r in doc["results"] if r["iri"] == iri]
    return hit


# -- search, facets -----------------------------------------------------------------------


def test_the_awarded_specification_is_found_with_issuer_country_and_facts(edc):
    doc = search(edc, text="Digital micro-credential creation")
    assert doc["total"] == 1
    hit = _hit(doc, MC)
    assert (hit["label"], hit["lang"]) == ("Digital micro-credential creation", "en")
    assert hit["issuer"]["iri"] == ORG1
    assert hit["issuer"]["label"] == "University of Zed"
    assert hit["country"] == "IRL"
    assert hit["eqf"] == [6]
    assert hit["ects"] == 2.0
    assert hit["modes"] == ["blended"]
    assert hit["fields"] == ["003", "0688"]


def test_search_filters_and_facets_count_it_once(edc, demo_store):
    before, after = search(demo_store, limit=1), search(edc, limit=1)
    # the MC sample twice (one IRI) + the light file's two specifications
    assert after["total"] == before["total"] + 3
    assert after["facets"]["country"].get("IRL", 0) == before["facets"]["country"].get("IRL", 0) + 1
    found = search(edc, country="IRL", eqf=6, mode="blended", field="0688")
    assert MC in {r["iri"] for r in found["results"]}
    assert search(edc, text="University of Zed")["total"] == 1  # the issuer's name is searched too


def test_the_certificate_of_participation_adds_no_record(demo_store):
    # it holds no specification a profile targets: the load is refused as "nothing checked"
    # (its activity is imported with `microhe import edc`), and search is unchanged
    store = demo_copy()
    before = store.dump_bytes()
    with pytest.raises(NotConforming, match="0 micro-credentials found: nothing was checked"):
        load(store, [Source(CERT.name, CERT.read_bytes())], profiles=["consistency"], strip_personal=True)
    assert store.dump_bytes() == before
    assert search(store, limit=1)["total"] == search(demo_store, limit=1)["total"]


# -- compare, pathways, decisions ----------------------------------------------------------


def test_compare_reads_the_issuer_through_the_award(edc):
    facts = read_facts(edc, MC)
    assert facts.issuer == ORG1
    assert facts.eqf == {6} and facts.ects == 2.0
    assert "urn:epass:concept:d1ebf223-3c68-449a-9023-90bc245a0079" in facts.assessment_types
    doc = compare(edc, facts, target_from_requirements({"eqf": 6, "ects": 2, "outcomes": [SKILL]}))
    assert doc["credential"]["iri"] == MC
    assert doc["credential"]["incomplete"] == ["M11"]
    assert "incomplete" not in doc["target"]  # requirements are no record


def test_pathways_offer_the_awarded_specification(edc):
    target = target_from_requirements({"eqf": 6, "ects": 2, "outcomes": [SKILL]})
    doc = pathways(edc, target, max_size=1)
    assert [[c["iri"] for c in p["credentials"]] for p in doc["pathways"]] == [[MC]]


def test_decisions_about_the_issuer_find_the_awarded_specification(edc):
    store = Store()
    store.restore(edc.quads())
    record_decision(store, credential=MC, institution="https://example.org/uni", purpose="credit-transfer",
                    outcome="recognise", credited_ects=2.0, comparison=None, note=None, decided_by="steward",
                    base="https://example.org/")
    [d] = list_decisions(store, issuer=ORG1)
    assert d["credential"]["iri"] == MC and d["issuer"]["iri"] == ORG1
    nq = catalogue()["decisions-about-issuer"]
    b = nq.bindings({"issuer": ORG1})
    assert [r["credential"].value for r in store.query(nq.text_for(b), substitutions=b)] == [MC]


# -- named queries --------------------------------------------------------------------------


def _rows(store, name: str, **params) -> list[dict]:
    nq = catalogue()[name]
    b = nq.bindings(params)
    result = store.query(nq.text_for(b), substitutions=b)
    names = [v.value for v in result.variables]
    return [{n: r[n].value for n in names if r[n] is not None} for r in result]


def test_credential_summary_shows_issuer_and_country(edc):
    rows = _rows(edc, "credential-summary", credential=MC)
    fields = {(r["field"], r["value"], r.get("label")) for r in rows}
    assert ("issuer", ORG1, "University of Zed") in fields
    assert ("country", IRL, "IRL") in fields
    assert ("ects", "2", None) in {(f, v.rstrip("0").rstrip(".") if "." in v else v, lb) for f, v, lb in fields}


def test_search_credentials_shows_issuer_and_country_and_filters_on_it(edc):
    rows = [r for r in _rows(edc, "search-credentials", country=IRL) if r["credential"] == MC]
    assert rows and {(r["issuer"], r["issuerCountry"]) for r in rows} == {(ORG1, IRL)}


def test_credentials_by_eqf_level_shows_issuer_and_country(edc):
    rows: list[dict] = []
    after = None
    while True:
        page = _rows(edc, "credentials-by-eqf-level", eqf="6", **({"after": after} if after else {}))
        if not page:
            break
        rows += [r for r in page if r["credential"] == MC]
        after = page[-1]["credential"]
    assert rows
    assert {(r["issuer"], r["issuerName"], r["country"]) for r in rows} == {(ORG1, "University of Zed", IRL)}


def test_credentials_of_institution_lists_what_it_awarded(edc):
    [row] = _rows(edc, "credentials-of-institution", institution=ORG1)
    assert row["credential"] == MC and row["title"] == "Digital micro-credential creation"
    assert float(row["ects"]) == 2.0 and float(row["hours"]) == 60.0


def test_credential_facets_count_the_issuer_and_country(edc):
    rows = {(r["facet"], r["value"]): r for r in _rows(edc, "credential-facets")}
    # the one specification is held by two graphs (the two copies of the sample): counted in each
    assert int(rows[("issuer", ORG1)]["count"]) == 2
    assert rows[("issuer", ORG1)]["label"] == "University of Zed"
    demo = {(r["facet"], r["value"]): r for r in _rows(demo_copy(), "credential-facets")}
    before = int(demo[("country", IRL)]["count"]) if ("country", IRL) in demo else 0
    assert int(rows[("country", IRL)]["count"]) == before + 2


# -- incomplete records -------------------------------------------------------------------


def test_records_lacking_council_elements_are_flagged_with_the_missing_ones(edc):
    assert _hit(search(edc, text="Digital micro-credential"), MC)["incomplete"] == ["M11"]
    assert _hit(search(edc, text="Lighter record"), LIGHT_SPEC)["incomplete"] == ["M9", "M11"]
    assert _hit(search(edc, text="Bare title only"), BARE)["incomplete"] == [
        "M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"]


def test_complete_records_carry_no_flag(demo_store):
    # every demo specification was loaded under council-2022: complete, and the JSON unchanged
    doc = search(demo_store, limit=1000)
    assert doc["total"] > 0
    assert all("incomplete" not in r for r in doc["results"])


def test_the_flag_is_computed_from_the_store_as_it_is(edc):
    store = Store()
    store.restore(edc.quads())
    acc = ox.NamedNode("https://example.org/light/acc")
    elm = "http://data.europa.eu/snb/model/elm/"
    g = ox.NamedNode("https://example.org/light/more")
    store.write({g.value: [ox.Quad(ox.NamedNode(LIGHT_SPEC), ox.NamedNode(elm + "accreditation"), acc, g)]})
    assert _hit(search(store, text="Lighter record"), LIGHT_SPEC)["incomplete"] == ["M9"]
