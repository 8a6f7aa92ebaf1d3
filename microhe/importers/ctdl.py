"""CTDL (Credential Engine's Credential Registry JSON-LD) -> ELM specifications.

Accepted: a single record, an ``@graph`` envelope (the registry's and the handbook's form),
a document without ``@context`` (read with the CTDL context: a CTDL key then never becomes
a scheme-only IRI such as ``<ceterms:name>``), and CTDL records inside a verifiable
credential's ``credentialSubject`` (the learner dropped). Records read: credentials
(``ceterms:MicroCredential``, ``Certificate``, ``Badge``, ``DigitalBadge``, ``OpenBadge``,
``Certification``, the degree and diploma types, ...) -> ``elm:Qualification``; learning
opportunities (``Course``, ``LearningOpportunityProfile``, ``LearningProgram``) ->
``elm:LearningAchievementSpecification``; each also keeps its CTDL class as a second
``rdf:type``. A document holding none of these (a competency framework, a qualifications
framework, a transfer-value profile alone) is refused naming the classes it holds.

Mapping: ``name``/``description`` (language maps, every language) -> ``dcterms:title`` /
``dcterms:description``; ``ownedBy`` (credentials) or ``offeredBy`` (learning
opportunities), described in the document -> the awarding body with ``address`` ->
``addressCountry`` as ``elm:countryCode``; ``creditValue`` (``ceterms:ValueProfile`` or the
older ``schema:QuantitativeValue``: ``schema:value``, else ``minValue``) with
``creditUnitType`` -> ``elm:creditPoint`` (semester hours -> US-SCH, quarter hours -> US-QCH,
ECTS -> ECTS, clock/contact hours -> ``elm:volumeOfLearning``, any other unit kept by its
CTDL concept IRI); ``estimatedDuration`` (``exactDuration``, else ``maximumDuration``) ->
``elm:volumeOfLearning``; ``atLevel`` -> ``elm:EQFLevel`` when it names an EQF level, else
``elm:NQFLevel`` (its ``targetNode``); ``isPartOf``/``hasPart`` -> ``elm:isPartOf``/``elm:hasPart``;
``requires`` -> ``ConditionProfile`` -> ``targetCompetency`` and ``teaches`` -> learning outcomes;
``deliveryType`` -> ``elm:mode``; ``accreditedBy`` -> ``elm:accreditation``; ``ctid`` ->
``dcterms:identifier``; ``subjectWebpage`` -> ``foaf:homepage``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from microhe.importers import vocabulary
from microhe.importers.build import Builder, lang_tag, literal, number_text
from microhe.importers.errors import ImportFailed, NothingToImport
from microhe.importers.jsondoc import as_list, check_size, decode_text, jsonld_quads, load_json
from microhe.importers.mint import Minter
from microhe.importers.result import Conversion
from microhe.vocab import DCTERMS, ECTS, ELM, FOAF, REF

NAME = "ctdl"
CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CETERMS = "https://purl.org/ctdl/terms/"
CREDENTIALS = {"MicroCredential", "Certificate", "Badge", "DigitalBadge", "OpenBadge", "Certification", "Credential",
               "Degree", "AssociateDegree", "BachelorDegree", "MasterDegree", "DoctoralDegree", "ProfessionalDoctorate",
               "ResearchDoctorate", "Diploma", "SecondarySchoolDiploma", "CertificateOfCompletion",
               "ApprenticeshipCertificate", "JourneymanCertificate", "MasterCertificate", "License",
               "GeneralEducationDevelopment", "QualityAssuranceCredential", "AcademicCertificate",
               "BasicTechnicalCertificate", "ProfessionalCertificate"}
OPPORTUNITIES = {"Course", "LearningOpportunityProfile", "LearningProgram"}
#: Prefixes of record ids (the registry's resources, as its documents declare them).
ID_PREFIXES = {"res": "https://credentialengineregistry.org/resources/", "ceterms": CETERMS,
               "ceasn": "https://purl.org/ctdlasn/terms/"}
CREDIT_UNITS = {"SemesterHour": REF + "credit-system/US-SCH", "QuarterHour": REF + "credit-system/US-QCH",
                "ECTS": ECTS, "EuropeanCreditTransferSystem": ECTS}
HOUR_UNITS = {"ClockHour", "ContactHour"}
DELIVERY = {"OnlineOnly": "online", "InPerson": "presential", "BlendedDelivery": "blended",
            "BlendedLearning": "blended", "VariableSite": "presential"}


def _get(node: dict, *keys: str) -> Any:
    for k in keys:
        if k in node and node[k] not in (None, "", []):
            return node[k]
    return None


def _texts(value: Any) -> list[tuple[str, str | None]]:
    """A string, a language map or a list of them -> (text, language) pairs."""
    out: list[tuple[str, str | None]] = []
    for v in as_list(value):
        if isinstance(v, str) and v.strip():
            out.append((v.strip(), None))
        elif isinstance(v, dict) and "@value" in v:
            if isinstance(v["@value"], str):
                out.append((v["@value"], lang_tag(v.get("@language"))))
        elif isinstance(v, dict):
            for lang, text in v.items():
                for t in as_list(text):
                    if isinstance(t, str) and t.strip():
                        out.append((t.strip(), lang_tag(lang)))
    return out


def _local_name(t: str) -> str:
    return re.split(r"[:/#]", t)[-1]


def _types(node: dict) -> list[str]:
    return [t for t in as_list(node.get("@type") or node.get("type")) if isinstance(t, str)]


class _Doc:
    def __init__(self, nodes: list[dict], prefixes: dict[str, str], minter: Minter):
        self.nodes = nodes
        self.prefixes = {**ID_PREFIXES, **prefixes}
        self.minter = minter
        self.by_id = {self.iri(str(n.get("@id", n.get("id")))): n for n in nodes
                      if isinstance(n.get("@id", n.get("id")), str)}

    def iri(self, ref: str) -> str:
        ref = ref.strip()
        if ref.startswith("_:"):
            return self.minter.iri("node", ref[2:]).value
        m = re.match(r"([A-Za-z][A-Za-z0-9_-]*):(.*)", ref)
        if m and m.group(1) in self.prefixes and not m.group(2).startswith("//"):
            return self.prefixes[m.group(1)] + m.group(2)
        return ref

    def refs(self, value: Any) -> list[Any]:
        """IRIs (str) or embedded nodes (dict) of a reference-valued property; described
        references resolve to their node."""
        out: list[Any] = []
        for v in as_list(value):
            if isinstance(v, str) and v.strip():
                iri = self.iri(v)
                out.append(self.by_id.get(iri, iri))
            elif isinstance(v, dict):
                ident = v.get("@id", v.get("id"))
                if isinstance(ident, str) and len(v) == 1:
                    out.append(self.by_id.get(self.iri(ident), self.iri(ident)))
                else:
                    out.append(v)
        return out

    def node_iri(self, node: dict, *content: object) -> ox.NamedNode:
        ident = node.get("@id", node.get("id"))
        if isinstance(ident, str) and ident.strip():
            iri = self.iri(ident)
            if vocabulary.is_absolute_iri(iri) and not re.match(r"[A-Za-z][A-Za-z0-9_-]*:[^/]", iri) or \
                    iri.startswith(("urn:", "http://", "https://")):
                return ox.NamedNode(iri)
        return self.minter.hashed("node", *content, sorted(str(x) for x in node.items()))


def _records(doc: Any, conv: Conversion, source: str) -> tuple[list[dict], dict[str, str], Any]:
    """The CTDL nodes of a document, the prefixes its local contexts declare, and the
    context the JSON-LD check uses."""
    if isinstance(doc, list):
        return [n for n in doc if isinstance(n, dict)], {}, None
    if not isinstance(doc, dict):
        raise ImportFailed("a CTDL document is a JSON object", source)
    prefixes = {}
    for c in as_list(doc.get("@context")):
        if isinstance(c, dict):
            prefixes.update({k: v for k, v in c.items() if isinstance(v, str) and v.startswith(("http", "urn:"))})
    types = _types(doc)
    if "VerifiableCredential" in types and isinstance(doc.get("credentialSubject"), dict):
        subject = doc["credentialSubject"]
        conv.note("dropped", "the learner (credentialSubject)", "its id; the CTDL records it carries are imported")
        nodes = [n for k, v in subject.items() if k not in ("id", "@id", "type") for n in as_list(v)
                 if isinstance(n, dict)]
        return nodes, prefixes, doc.get("@context")
    if "@graph" in doc:
        return [n for n in as_list(doc["@graph"]) if isinstance(n, dict)], prefixes, doc.get("@context")
    return [doc], prefixes, doc.get("@context")


def _awarding_body(b: Builder, d: _Doc, spec: ox.NamedNode, record: dict, conv: Conversion, kind: str) -> None:
    keys = ("ceterms:ownedBy", "ceterms:offeredBy", "ceterms:owner") if kind == "credential" else \
        ("ceterms:offeredBy", "ceterms:ownedBy", "ceterms:owner")
    for key in keys:
        orgs = d.refs(record.get(key))
        if not orgs:
            continue
        for org in orgs:
            if isinstance(org, str):
                node = ox.NamedNode(org) if vocabulary.is_absolute_iri(org) else d.minter.hashed("organisation", org)
                b.typed(node, ELM + "Organisation")
                b.awarded_by(spec, node)
                conv.note("lost", f"{key} <{org}>: name and country", "the organisation is not described in the "
                          "document (the registry publishes it as a record of its own)")
                continue
            node = d.node_iri(org, "organisation")
            country = None
            for addr in as_list(_get(org, "ceterms:address", "address")):
                if isinstance(addr, dict):
                    for text, _ in _texts(_get(addr, "ceterms:addressCountry", "addressCountry")):
                        country = country or text
            unresolved = b.organisation(node, _texts(_get(org, "ceterms:name", "name", "schema:name")), country)
            if unresolved:
                conv.note("lost", f"addressCountry {unresolved!r}", "no country the bundled list resolves")
            b.awarded_by(spec, node)
        conv.note("converted", key, "elm:awardingOpportunity/elm:awardingBody (name -> rov:legalName, "
                  "address/addressCountry -> elm:countryCode)")
        return


def _alignments(d: _Doc, value: Any) -> list[tuple[list[tuple[str, str | None]], str | None, str | None]]:
    """(titles, description, target IRI) of CredentialAlignmentObjects / competencies."""
    out: list[tuple[list[tuple[str, str | None]], str | None, str | None]] = []
    for a in d.refs(value):
        if isinstance(a, str):
            out.append(([], None, a))
            continue
        titles = _texts(_get(a, "ceterms:targetNodeName", "ceasn:competencyLabel", "ceasn:competencyText",
                             "ceterms:name", "ceterms:targetName"))
        desc = next((t for t, _ in _texts(_get(a, "ceterms:targetNodeDescription", "ceasn:competencyText"))), None)
        target = _get(a, "ceterms:targetNode")
        iri = d.iri(target) if isinstance(target, str) else (d.iri(a["@id"]) if isinstance(a.get("@id"), str)
                                                              and not a["@id"].startswith("_:") else None)
        out.append((titles, desc if titles and desc != titles[0][0] else None, iri))
    return out


def _spec(b: Builder, d: _Doc, record: dict, cls: str, conv: Conversion) -> ox.NamedNode:
    kind = "credential" if cls in CREDENTIALS else "opportunity"
    spec = d.node_iri(record, cls)
    b.typed(spec, ELM + ("Qualification" if kind == "credential" else "LearningAchievementSpecification"),
            CETERMS + cls)
    for text, lang in _texts(_get(record, "ceterms:name", "schema:name")):
        b.add(spec, DCTERMS + "title", literal(text, lang))
    for text, lang in _texts(_get(record, "ceterms:description", "schema:description")):
        b.add(spec, DCTERMS + "description", literal(text, lang))
    ctid = _get(record, "ceterms:ctid")
    if isinstance(ctid, str):
        b.add(spec, DCTERMS + "identifier", ox.Literal(ctid))
    page = _get(record, "ceterms:subjectWebpage", "schema:url")
    for p in as_list(page):
        if isinstance(p, str) and vocabulary.is_absolute_iri(d.iri(p).strip()):
            b.add(spec, FOAF + "homepage", ox.NamedNode(d.iri(p).strip()))
    _awarding_body(b, d, spec, record, conv, kind)
    for cv in d.refs(_get(record, "ceterms:creditValue")):
        if not isinstance(cv, dict):
            continue
        point = number_text(_get(cv, "schema:value", "value")) or number_text(_get(cv, "schema:minValue", "minValue"))
        if point is None:
            conv.note("lost", "creditValue without a value", "")
            continue
        if _get(cv, "schema:maxValue") is not None and _get(cv, "schema:value") is None:
            conv.note("lost", "creditValue schema:maxValue", "a range: its minimum is kept as elm:point")
        units = [u if isinstance(u, str) else (u.get("ceterms:targetNode") or u.get("@id") or "")
                 for u in as_list(_get(cv, "ceterms:creditUnitType"))]
        units = [_local_name(u) for u in units if isinstance(u, str) and u]
        unit = units[0] if units else None
        if unit in HOUR_UNITS:
            b.hours(spec, f"PT{point}H")
            conv.note("converted", f"creditValue {unit}", "elm:volumeOfLearning (hours)")
        elif unit in CREDIT_UNITS:
            b.credit(spec, CREDIT_UNITS[unit], point)
            conv.note("converted", f"creditValue {unit}", f"elm:creditPoint with <{CREDIT_UNITS[unit]}>")
        elif unit:
            b.credit(spec, f"https://purl.org/ctdl/vocabs/creditUnit/{unit}", point)
            conv.note("converted", f"creditValue {unit}", "elm:creditPoint with the CTDL credit unit concept (no "
                      "conversion to ECTS is known for it)")
        else:
            conv.note("lost", "creditValue without creditUnitType", "a number without a unit")
    for dur in d.refs(_get(record, "ceterms:estimatedDuration")):
        if isinstance(dur, dict):
            value = _get(dur, "ceterms:exactDuration") or _get(dur, "ceterms:maximumDuration")
            if isinstance(value, str) and re.fullmatch(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?"
                                                       r"(\d+(\.\d+)?S)?)?", value):
                b.hours(spec, value)
                conv.note("converted", "estimatedDuration", "elm:volumeOfLearning (exactDuration, else maximum)")
    for level in d.refs(_get(record, "ceterms:atLevel")):
        target = level if isinstance(level, str) else _get(level, "ceterms:targetNode")
        name = None if isinstance(level, str) else next(iter(_texts(_get(level, "ceterms:targetNodeName",
                                                                            "ceterms:targetName"))), (None,))[0]
        fw = "" if isinstance(level, str) else " ".join(t for t, _ in _texts(_get(level, "ceterms:frameworkName")))
        eqf = (vocabulary.eqf(d.iri(target)) if isinstance(target, str) else None) or \
            (vocabulary.eqf(name) if name and "EQF" in f"{fw} {name}".upper() else None)
        if eqf:
            b.add(spec, ELM + "EQFLevel", ox.NamedNode(eqf))
            conv.note("converted", "atLevel (EQF)", "elm:EQFLevel")
        elif isinstance(target, str) and vocabulary.is_absolute_iri(d.iri(target)):
            b.add(spec, ELM + "NQFLevel", ox.NamedNode(d.iri(target)))
            conv.note("converted", "atLevel", "elm:NQFLevel (the level's targetNode)")
        else:
            conv.note("lost", "atLevel without a targetNode", "")
    for key, pred in (("ceterms:isPartOf", "isPartOf"), ("ceterms:hasPart", "hasPart")):
        for part in d.refs(record.get(key)):
            iri = d.node_iri(part, "part") if isinstance(part, dict) else (ox.NamedNode(part)
                                                                          if vocabulary.is_absolute_iri(part) else None)
            if iri is not None:
                b.add(spec, ELM + pred, iri)
                conv.note("converted", key, f"elm:{pred}")
    competencies = []
    for cond in d.refs(record.get("ceterms:requires")):
        if isinstance(cond, dict):
            competencies += _alignments(d, cond.get("ceterms:targetCompetency"))
    competencies += _alignments(d, record.get("ceterms:teaches"))
    for titles, desc, target in competencies:
        if not titles and target and target in d.by_id:
            titles = _texts(_get(d.by_id[target], "ceasn:competencyText", "ceterms:name"))
        if not titles:
            conv.note("lost", f"competency <{target}>", "named only by IRI, not described in the document")
            continue
        b.outcome(spec, titles, desc, target if target and vocabulary.is_absolute_iri(target) else None)
        conv.note("converted", "requires/targetCompetency, teaches", "elm:learningOutcome")
    for dt in as_list(_get(record, "ceterms:deliveryType")):
        name = _local_name(dt if isinstance(dt, str) else str(dt.get("ceterms:targetNode") or dt.get("@id") or ""))
        if name in DELIVERY:
            b.add(spec, ELM + "mode", ox.NamedNode(vocabulary.MODES[DELIVERY[name]]))
            conv.note("converted", "deliveryType", "elm:mode")
    for acc in d.refs(record.get("ceterms:accreditedBy")):
        agent = acc if isinstance(acc, str) else d.node_iri(acc, "agent").value
        if vocabulary.is_absolute_iri(agent):
            node = d.minter.hashed("accreditation", spec.value, agent)
            b.add(spec, ELM + "accreditation", b.typed(node, ELM + "Accreditation"))
            b.add(node, ELM + "accreditingAgent", ox.NamedNode(agent))
            conv.note("converted", "accreditedBy", "elm:accreditation/elm:accreditingAgent")
    return spec


def convert(data: bytes, source: str, *, base: str, sha256: str,
            contexts: Mapping[str, Any] | None = None) -> Conversion:
    """Import the CTDL records of one document (see module docstring); ``contexts``: the
    operator's context directory."""
    check_size(data, source)
    conv = Conversion(NAME, source, sha256, [])
    doc = load_json(decode_text(data, source), source)
    nodes, prefixes, context = _records(doc, conv, source)
    if isinstance(doc, dict) and not any(re.match(r"(ceterms|ceasn|schema|skos):", k) for n in nodes for k in n):
        keys = ", ".join(repr(k) for k in list(doc)[:6])
        raise ImportFailed(f"not CTDL JSON-LD: no ceterms:/ceasn: keys (found {keys}); a Registry Assistant API "
                           "input (keys such as 'Name', 'CTID') is not what the registry publishes: import the "
                           "CTDL JSON-LD the registry returns", source)
    records = [(n, t) for n in nodes for t in map(_local_name, _types(n)) if t in CREDENTIALS | OPPORTUNITIES]
    if not records:
        found = sorted({t for n in nodes for t in _types(n)})
        raise NothingToImport(f"nothing to import: found {', '.join(found[:6]) or 'no typed record'} (no CTDL "
                              "credential or learning opportunity)", source, found=found)
    checked = doc if not isinstance(doc, dict) or context is not None else {"@context": CONTEXT, **doc}
    if context is None:
        conv.note("converted", "no @context", f"read with the CTDL context <{CONTEXT}>")
    # bundled contexts or the context directory; nothing becomes a scheme-only or relative IRI
    jsonld_quads(checked, source, contexts=contexts)
    minter = Minter(base, sha256)
    b = Builder(minter)
    d = _Doc(nodes, prefixes, minter)
    seen = set()
    for record, cls in records:
        if id(record) in seen:
            continue
        seen.add(id(record))
        _spec(b, d, record, cls, conv)
    conv.found = sorted({f"ceterms:{cls}" for _, cls in records})
    other = sorted({t for n in nodes for t in _types(n)} - {f"ceterms:{c}" for _, c in records})
    if other:
        conv.note("lost", f"other records: {', '.join(other[:6])}", "not specifications")
    conv.quads = b.result()
    return conv


def sniff(doc: Any) -> bool:
    if isinstance(doc, dict):
        ctx = [c for c in as_list(doc.get("@context")) if isinstance(c, str)]
        if any("credreg.net/ctdl" in c for c in ctx):
            return True
        nodes = as_list(doc.get("@graph")) or [doc]
        return any(isinstance(n, dict) and any(k.startswith(("ceterms:", "ceasn:")) for k in n) for n in nodes)
    return False


__all__ = ["NAME", "convert", "sniff"]
