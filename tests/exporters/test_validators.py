"""Each export passes its target's validator material (validators.py says which, and
what was patched and why); every SHACL run checked the specification itself."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pyshacl
import pytest
import rdflib

from microhe.errors import InvalidValue
from microhe.exporters import ctdl, elm, ob3, schemaorg
from tests.exporters import validators as V
from tests.exporters.conftest import SOURCES, spec_of
from tests.importers.conftest import anchor

NAMES = list(SOURCES)
#: LOQ's mandatory elements of a specification, with the model field that holds them: a
#: LOQ violation is accepted only as a missing value the source graph lacks too.
LOQ_REQUIRED = {"ISCEDFCode": lambda s: s.isced, "EQFLevel": lambda s: s.eqf, "learningOutcome": lambda s: s.outcomes,
                "NQFLevel": lambda s: [q for q in s.qdr.values() if q],  # ELM's NQF level: an EU QDR concept
                "language": lambda s: s.languages or [t for t in s.titles if t[1]], "title": lambda s: s.titles}


def _violations(report: str) -> list[tuple[str, str, str]]:
    """(component, focus node, path) of every result of a pyshacl text report."""
    out, comp, focus = [], "", ""
    for line in report.splitlines():
        line = line.strip()
        if line.startswith("Constraint Violation in "):
            comp = line.split(" in ", 1)[1].split(" ", 1)[0]
        elif line.startswith("Focus Node:"):
            focus = line.split(":", 1)[1].strip()
        elif line.startswith("Result Path:"):
            out.append((comp, focus, line.split(":", 1)[1].strip()))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_elm_export_passes_the_edc_shapes_and_loq(name):
    spec = spec_of(name)
    doc, _ = elm.export(spec)
    for result in V.validate_elm(doc):
        assert spec.iri in result.focus, f"{result.shapes}: the specification was not a focus node"
        if result.shapes.startswith("EDC"):
            assert result.conforms, result.text[:3000]
        elif not result.conforms:
            violations = _violations(result.text)
            assert violations, result.text[:3000]
            for comp, focus, path in violations:
                local = path.rsplit(":", 1)[-1]
                assert comp == "MinCountConstraintComponent" and focus == f"<{spec.iri}>", (comp, focus, path)
                assert local in LOQ_REQUIRED and not LOQ_REQUIRED[local](spec), \
                    f"LOQ misses {local}, which the source holds"


def test_the_edc_sample_passes_loq_in_full():
    """The official sample states every LOQ element: its export conforms without exception."""
    [*_, loq] = V.validate_elm(elm.export(spec_of("edc-sample"))[0])
    assert loq.conforms, loq.text[:2000]


def test_an_export_that_loses_its_classes_is_caught():
    """Without the VC context, id/type are not aliased: every node loses its class and the
    shapes target nothing, so conforming proves nothing; the focus check catches it."""
    doc, _ = elm.export(spec_of("edc-sample"))
    doc["@context"] = elm.CONTEXT[1]
    results = V.validate_elm(doc)
    assert all(r.conforms for r in results[:2])
    assert all(not r.focus for r in results)


def test_loq_needs_the_rewrites():
    text = anchor("elm/v3.1-master/shacl/loq/LOQ-constraints.ttl").read_text(encoding="utf-8")
    shapes = rdflib.Graph().parse(data=text, format="turtle")
    data = V.data_graph({"@context": elm.CONTEXT, "id": "https://example.org/o", "type": "Organisation",
                         "legalName": {"en": "O"}, "homepage": {"type": "WebResource",
                                                                "contentURL": "https://example.org/"}})
    data.add((rdflib.URIRef("https://example.org/w"), rdflib.URIRef("http://data.europa.eu/snb/model/elm/contentUrl"),
              rdflib.Literal("https://example.org/")))
    with pytest.raises(Exception):  # noqa: B017 - re.error, raised inside pyshacl
        pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    assert len(V.LOQ_REWRITES) == 3
    pyshacl.validate(data, shacl_graph=V.loq_patched(), allow_warnings=True)


def test_loq_rewrites_keep_the_meaning_on_samples():
    """The rewritten IRI patterns accept and refuse what the Java ones would."""
    import re

    g = V.loq_patched()
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    patterns = {str(o) for o in g.objects(None, sh.pattern) if "\\[" in str(o)}
    assert patterns
    http = next(p for p in patterns if p.startswith("^(http|https):"))
    assert re.match(http, "HTTPS://example.org/x", re.I) and re.match(http, "https://[::1]:80/", re.I)
    assert re.match(http, "https://[fe80::1%25eth0]/", re.I)
    assert not re.match(http, "ftp://example.org/", re.I)


# -- Open Badges 3.0

@pytest.mark.parametrize("name", NAMES)
def test_ob3_export_passes_the_patched_schema(name):
    if not spec_of(name).issuers:  # the CTDL handbook record names its owner by IRI only, undescribed
        with pytest.raises(InvalidValue, match="requires an issuer"):
            ob3.export(spec_of(name))
        return
    doc, _ = ob3.export(spec_of(name), now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert V.ob3_errors(doc) == []
    assert doc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert doc["validFrom"] == "2026-01-02T03:04:05Z" and "issuanceDate" not in doc and "proof" not in doc
    assert "AchievementCredential" in doc["type"]
    assert doc["credentialSubject"]["achievement"]["id"] == spec_of(name).iri
    assert "id" not in doc["credentialSubject"]  # no learner


def test_the_ob3_schema_is_stale_on_issuance_date_alone():
    doc, _ = ob3.export(spec_of("edc-sample"))
    errors = V.ob3_errors(doc, json.loads(anchor(V.OB3_SCHEMA).read_text(encoding="utf-8")))
    assert errors == [": 'issuanceDate' is a required property"]
    example = json.loads(anchor("openbadges3-clr2/examples/basicOpenBadgeCredential__Sample_OpenBadgeCredential.json")
                         .read_text(encoding="utf-8"))
    assert ": 'issuanceDate' is a required property" in V.ob3_errors(
        example, json.loads(anchor(V.OB3_SCHEMA).read_text(encoding="utf-8")))


def test_ob3_carries_ects_and_eqf_the_edubadges_way():
    """The official sample: ECTS 2 (elm:point "2"), EQF 6, 60 hours, blended."""
    a = ob3.export(spec_of("edc-sample"))[0]["credentialSubject"]["achievement"]
    assert a["ECTS"] == 2 and "creditsAvailable" not in a
    eqf = [al for al in a["alignment"] if al.get("targetType") == "ext:EQF"]
    assert eqf == [{"type": ["Alignment"], "targetType": "ext:EQF", "targetCode": "6", "targetName": "EQF level 6",
                    "targetFramework": "European Qualifications Framework",
                    "targetUrl": "http://data.europa.eu/snb/eqf/6"}]
    assert a["timeInvestment"] == 60 and a["participationType"] == "blended"


def test_ob3_us_credit_hours_stay_credit_hours():
    a = ob3.export(spec_of("ob3-edubadge"))[0]["credentialSubject"]["achievement"]
    assert a["creditsAvailable"] == 3 and a["ECTS"] == 5


# -- CTDL

def _ctdl_kind(node):
    t = node["@type"]
    return "organization" if t.endswith("Organization") else \
        "learning_opportunity" if t.endswith("LearningOpportunityProfile") else "credential"


@pytest.mark.parametrize("name", NAMES)
def test_ctdl_export_passes_the_patched_registry_schemas(name):
    spec = spec_of(name)
    doc, _ = ctdl.export(spec)
    assert doc["@context"] == "https://credreg.net/ctdl/schema/context/json"
    record = doc["@graph"][0]
    assert record["ceterms:ctid"] == "ce-" + str(uuid.uuid5(uuid.NAMESPACE_URL, spec.iri))
    for node in doc["@graph"]:
        assert V.ctdl_errors(node, _ctdl_kind(node)) == [], node["@type"]


def test_the_registry_schemas_fail_for_the_patched_reasons_only():
    doc, _ = ctdl.export(spec_of("edc-sample"))
    record, org = doc["@graph"]
    raw = V.ctdl_errors({**record, "@context": doc["@context"]}, "credential", patched=False)
    reasons = {"ceterms:credentialStatusType", "ceterms:subjectWebpage", "https://credreg.net", "is not of type 'string'"}
    assert raw and all(any(r in e for r in reasons) for e in raw), raw
    assert V.ctdl_errors({**record, "@context": doc["@context"]}, "credential") == []


def _terms(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if ":" in k and not k.startswith("@"):
                out.add(k)
            if k == "@type":
                out.add(v)
            _terms(v, out)
    elif isinstance(node, list):
        for v in node:
            _terms(v, out)


@pytest.mark.parametrize("name", NAMES)
def test_every_ctdl_class_and_property_is_in_the_dated_term_list(name):
    terms: set[str] = set()
    _terms(ctdl.export(spec_of(name))[0], terms)
    assert terms and terms <= V.ctdl_terms(), sorted(terms - V.ctdl_terms())


def test_the_term_list_knows_what_ctdl_does_not():
    assert "ceterms:MicroCredential" in V.ctdl_terms() and "ceterms:ValueProfile" in V.ctdl_terms()
    assert "ceterms:creditsAvailable" not in V.ctdl_terms()  # an Open Badges term, not CTDL


# -- schema.org

def _schema_terms() -> set[str]:
    g = rdflib.Graph().parse(anchor("schemaorg/schemaorg-credential-subset.ttl"))
    g.parse(anchor("schemaorg/issue-1779.ttl"))
    return {str(s).rsplit("/", 1)[-1] for s in g.subjects() if str(s).startswith("https://schema.org/")}


@pytest.mark.parametrize("name", NAMES)
def test_schemaorg_export_uses_schemaorg_terms(name):
    doc, _ = schemaorg.export(spec_of(name))
    assert doc["@type"] == "EducationalOccupationalCredential" and doc["@context"] == "https://schema.org"
    used: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            used.update(k for k in node if not k.startswith("@"))
            used.update(v for k, v in node.items() if k == "@type")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)
    # Thing's and the core types outside the credential subset of the anchor
    known = _schema_terms() | {"url", "name", "description", "inLanguage", "address", "addressCountry",
                               "Organization", "PostalAddress"}
    assert used <= known, sorted(used - known)


@pytest.mark.slow
def test_every_demo_specification_exports_to_valid_elm(demo_store):
    """The 46 demo specifications (several credit systems, NQF-only levels, stacks, issuer
    accreditations): every ELM export passes the EDC shapes, and LOQ misses only what the
    graph does not state."""
    from microhe.exporters.model import read
    from microhe.exporters.registry import export

    rows = demo_store.query("SELECT DISTINCT ?s WHERE { VALUES ?c { <http://data.europa.eu/snb/model/elm/Qualification> "
                            "<http://data.europa.eu/snb/model/elm/LearningAchievementSpecification> } ?s a ?c }")
    iris = sorted(r[0].value for r in rows)
    assert len(iris) >= 40
    for iri in iris:
        spec = read(demo_store, iri)
        for result in V.validate_elm(export(demo_store, "elm", [iri]).documents[0]):
            assert iri in result.focus, (iri, result.shapes)
            if result.shapes.startswith("EDC"):
                assert result.conforms, (iri, result.text[:2000])
                continue
            for comp, focus, path in _violations(result.text):
                local = path.rsplit(":", 1)[-1]
                assert comp == "MinCountConstraintComponent" and focus == f"<{iri}>", (iri, comp, focus, path)
                assert local in LOQ_REQUIRED and not LOQ_REQUIRED[local](spec), (iri, local)
