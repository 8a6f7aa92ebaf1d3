"""Every recognition answer names things as ``{iri, label, lang}``, in the language asked
for (issue 17 item 5): a walk of each answer's JSON finds no bare IRI outside such an
object (source URLs and a decision's own minted IRI apart), and the labels come in the
language asked for, else English, else any.

Golden labels are read from the demo data files (``microhe/kg/demo/*.ttl``): the Bellerive
institution and specification have English and French names, the demo skills English and
German ones.
"""

from __future__ import annotations

import pytest

from microhe.errors import InvalidValue
from microhe.frameworks.credits import convert
from microhe.frameworks.levels import translate
from microhe.recognition.compare import compare, target_from_requirements
from microhe.recognition.decisions import list_decisions, record_decision
from microhe.recognition.facts import read_facts
from microhe.recognition.pathways import pathways
from microhe.recognition.search import search
from microhe.store.labels import Labels, language_tags

from .conftest import CANDIDATE, DEMO, NEAR_MISS, SKILL, TARGET

BELLERIVE_ORG = "https://w3id.org/microhe/demo/org/bellerive"
BELLERIVE_SPEC = DEMO + "bellerive-data-protection"
#: keys whose values are URLs, not things the answer names
URL_KEYS = {"sources"}


def bare_iris(doc, path: str = "$", top: bool = True) -> list[str]:
    """Where the JSON holds an IRI that is not the ``iri`` of a labelled object."""
    found = []
    if isinstance(doc, dict):
        labelled = "label" in doc and "lang" in doc
        for k, v in doc.items():
            if k in URL_KEYS:
                continue
            if k == "iri" and (labelled or top):  # an answer's own IRI (a decision) is not a thing it names
                continue
            found += bare_iris(v, f"{path}.{k}", top=False)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            found += bare_iris(v, f"{path}[{i}]", top=top)  # a list answer: each item is an answer
    elif isinstance(doc, str) and doc.startswith(("http://", "https://", "urn:")):
        found.append(f"{path} = {doc}")
    return found


def labelled(doc) -> list[dict]:
    """Every ``{iri, label, lang}``-shaped object of the JSON."""
    out = []
    if isinstance(doc, dict):
        if "iri" in doc and "label" in doc and "lang" in doc:
            out.append(doc)
        for v in doc.values():
            out += labelled(v)
    elif isinstance(doc, list):
        for v in doc:
            out += labelled(v)
    return out


def answers(store):
    """One of each recognition answer on the demo data, as JSON."""
    skills = [SKILL + "statistical-analysis", SKILL + "carbon-accounting"]
    yield "compare", compare(store, read_facts(store, CANDIDATE), read_facts(store, TARGET)).to_json()
    yield "compare near miss", compare(store, read_facts(store, NEAR_MISS), read_facts(store, TARGET)).to_json()
    qa = target_from_requirements({"eqf": 6, "ects": 5, "outcomes": skills, "requires_quality_assurance": True,
                                   "requires_identity_verification": True})
    yield "compare requirements", compare(store, read_facts(store, CANDIDATE), qa).to_json()
    yield "pathways", pathways(store, TARGET).to_json()
    yield "pathways none", pathways(store, qa).to_json()
    yield "search", search(store, eqf=6, limit=1000).to_json()
    yield "search level", search(store, framework="SCQF", level="11").to_json()
    yield "level", translate(store, "SCQF", "11").model_dump(mode="json")
    yield "level qdr", translate(store, None, "FQF Level 6").model_dump(mode="json")
    yield "credits", convert(store, 15, "SCQF").model_dump(mode="json")


def test_no_recognition_answer_names_a_thing_by_a_bare_iri(demo_store):
    for name, doc in answers(demo_store):
        assert bare_iris(doc) == [], name
        found = labelled(doc)
        assert found, name
        # the demo and reference data label everything these answers name
        assert [o["iri"] for o in found if not o["label"]] == [], name


def test_decisions_name_credential_issuer_and_institution_with_labels(scratch_store):
    record_decision(scratch_store, credential=CANDIDATE, institution="https://w3id.org/microhe/ref/org/vmu",
                    purpose="credit-transfer", outcome="recognise", decided_by="t", base="http://127.0.0.1/")
    rows = [d.to_json() for d in list_decisions(scratch_store)]
    assert bare_iris(rows) == []
    d = rows[0]
    assert d["credential"] == {"iri": CANDIDATE, "label": "Applied data analysis", "lang": "en"}
    assert d["issuer"]["iri"] == "https://w3id.org/microhe/demo/org/strathlowe" and d["issuer"]["label"]
    # skos:prefLabel first (microhe/kg/reference/institutions.ttl)
    assert d["institution"] == {"iri": "https://w3id.org/microhe/ref/org/vmu",
                                "label": "Vytautas Magnus University (VMU)", "lang": "en"}
    lt = list_decisions(scratch_store, langs=("lt",))[0].institution
    assert (lt.label, lt.lang) == ("Vytauto Didžiojo universitetas (VDU)", "lt")


def test_labels_come_in_the_language_asked_for_then_english(demo_store):
    found = {r.iri: r for r in search(demo_store, text="GDPR", langs=("fr",)).results}
    hit = found[BELLERIVE_SPEC]
    assert (hit.label, hit.lang) == ("Protection des données et conformité au RGPD", "fr")
    assert hit.issuer.model_dump() == {"iri": BELLERIVE_ORG, "label": "Université de Bellerive (demo)", "lang": "fr"}
    english = {r.iri: r for r in search(demo_store, text="GDPR").results}[BELLERIVE_SPEC]
    assert (english.label, english.lang) == ("Data protection and GDPR compliance", "en")
    # German asked for, the institution has no German name: English
    german = {r.iri: r for r in search(demo_store, text="GDPR", langs=("de",)).results}[BELLERIVE_SPEC]
    assert german.issuer.label == "University of Bellerive (demo)" and german.issuer.lang == "en"


def test_skills_in_a_comparison_are_labelled_in_the_language_asked_for(demo_store):
    doc = compare(demo_store, read_facts(demo_store, CANDIDATE), read_facts(demo_store, TARGET), langs=("de",))
    outcomes = next(c for c in doc.criteria if c.name == "learning-outcomes").evidence
    by_iri = {r.iri: r for r in outcomes.covered}
    assert (by_iri[SKILL + "data-analysis"].label, by_iri[SKILL + "data-analysis"].lang) == ("Datenanalyse", "de")


def test_a_level_translation_labels_its_levels_and_qdr_concepts(demo_store):
    doc = translate(demo_store, None, "FQF Level 6")
    assert [(q.iri, q.label) for q in doc.qdr] == [("http://data.europa.eu/snb/qdr/c_65235ec5", "FQF Level 6")]
    assert all(lv.label for lv in doc.same_eqf_level + doc.levels)


def test_a_credit_conversion_names_its_credit_system(demo_store):
    doc = convert(demo_store, 10, "UK")
    assert doc.credit_system.iri == "https://w3id.org/microhe/ref/credit-system/UK"
    assert doc.credit_system.label == "UK credit (Credit Accumulation and Transfer)"


@pytest.mark.parametrize("bad", ["x y", "fr;q=1", "12345678901", "<script>", "fr,,de", "é"])
def test_a_bad_language_tag_is_refused(bad):
    with pytest.raises(InvalidValue):
        language_tags(bad)


def test_language_tags_read_as_given():
    assert language_tags("FR, de-AT") == ("fr", "de-at")
    assert language_tags(None) == language_tags("  ") == ()


def test_an_iri_the_store_does_not_label_has_no_label(demo_store):
    assert Labels(demo_store).ref("urn:x:unknown").model_dump() == {"iri": "urn:x:unknown", "label": None,
                                                                     "lang": None}
    assert Labels(demo_store).ref("not an iri").label is None
