"""Issue 17 item 1: the 13 official QDR level concepts of frameworks microhe has resolve
everywhere: level translation (``microhe level``), validation M8 (a credential stating only
the QDR concept) and the derived EQF level that compare and search read.

Concept IRIs and labels are read by hand from ``../shared/anchors/elm/cv-xsd/nqf.xsd``; the
EQF levels from the sources named in ``microhe/kg/reference/README.md`` (décret 2019-14 for
FQF = CNCP; the CSV's FR-1969 level-I rows for I-Master 7 / I-Doctorat 8; Nuffic for NLQF 4+).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from microhe.frameworks.levels import translate
from microhe.ingest.derive import derive
from microhe.validation import validate

QDR = "http://data.europa.eu/snb/qdr/"
#: (nqf.xsd IRI, nqf.xsd label, framework, level label(s), EQF levels)
CONCEPTS = [
    ("c_cf509e8a", "FQF Level 1", "CNCP", "1", [1]),
    ("c_7f5e85a7", "FQF Level 2", "CNCP", "2", [2]),
    ("c_650d7e95", "FQF Level 3", "CNCP", "3", [3]),
    ("c_615c4895", "FQF Level 4", "CNCP", "4", [4]),
    ("c_6fa57440", "FQF Level 5", "CNCP", "5", [5]),
    ("c_65235ec5", "FQF Level 6", "CNCP", "6", [6]),
    ("c_95fec238", "FQF Level 7", "CNCP", "7", [7]),
    ("c_13c65774", "FQF Level 8", "CNCP", "8", [8]),
    ("c_828fbcc3", "NQF RNCP Level I-Master", "FR-1969", "I", [7]),
    ("c_7ab73420", "NQF RNCP Level I-Doctorat", "FR-1969", "I", [8]),
    ("c_778f8030", "RQF Entry Levels 1-2", "RQF", "Entry 1, Entry 2", []),
    ("c_de548626", "CQFW Entry 1-3", "CQFW", "Entry 1, Entry 2, Entry 3", [1]),
    ("c_c2700f4e", "NLQF Level 4+", "NLQF", "4+", [4]),
]


@pytest.mark.parametrize("iri,label,code,level,eqf", CONCEPTS, ids=[c[1] for c in CONCEPTS])
def test_each_concept_translates_by_iri_and_by_label(demo_store, iri, label, code, level, eqf):
    for text in (QDR + iri, label):
        doc = translate(demo_store, None, text)
        assert (doc.framework, doc.level, doc.eqf) == (code, level, eqf)
        assert (QDR + iri, label) in [(q.iri, q.label) for q in doc.qdr]
        assert "not equivalence" in doc.caveat


def test_nlqf_4_plus_from_the_cli_form(demo_store):
    doc = translate(demo_store, "NLQF", "4+")
    assert (doc.level, doc.eqf) == ("4+", [4])
    assert "https://www.nuffic.nl/onderwijssystemen/nederland/overzicht-nederlandse-diplomas" in doc.sources


SPEC = """
@prefix ex: <https://example.org/> . @prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:spec a elm:LearningAchievementSpecification ; dcterms:title "Gestion de projet"@fr ;
    elm:awardingOpportunity [ a elm:AwardingOpportunity ; elm:awardingBody ex:org ] ;
    elm:learningOutcome ex:lo ; elm:volumeOfLearning "PT50H"^^xsd:duration ;
    elm:NQFLevel <LEVEL> .
ex:assessment a elm:LearningAssessmentSpecification ; elm:proves ex:spec ; dcterms:type ex:exam ;
    elm:mode <http://data.europa.eu/snb/learning-assessment/9191af2ed9> .
ex:exam a skos:Concept ; skos:prefLabel "examen"@fr .
ex:lo a elm:LearningOutcome ; dcterms:title "Planifier un projet"@fr .
ex:org a elm:Organisation ;
    elm:location [ a dcterms:Location ; elm:address [ a elm:Address ;
        elm:countryCode <http://publications.europa.eu/resource/authority/country/FRA> ] ] ;
    elm:accreditation [ a elm:Accreditation ; dcterms:type ex:review ; elm:accreditingAgent ex:hceres ] .
"""

WITH_EQF = [c for c in CONCEPTS if c[4]  and c[2] != "CQFW"]


@pytest.mark.parametrize("iri,label,code,level,eqf", WITH_EQF, ids=[c[1] for c in WITH_EQF])
def test_a_credential_stating_only_the_qdr_concept_meets_m8_and_gets_its_eqf_level(demo_store, iri, label, code,
                                                                                    level, eqf):
    quads = list(ox.parse(SPEC.replace("LEVEL", QDR + iri), format=ox.RdfFormat.TURTLE))
    report = validate(quads, "council-2022")
    assert [r for r in report.violations if "M8" in r.message] == []
    derived = derive(demo_store, quads, "https://example.org/graph/x")
    got = sorted(int(q.object.value.rsplit("/", 1)[1]) for q in derived
                 if q.predicate.value.endswith("derivedEQFLevel"))
    assert got == eqf
