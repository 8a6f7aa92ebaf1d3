"""Europass EDC (ELM v3 JSON-LD) -> the specification(s) it describes, without the learner.

Accepted envelopes: the credential itself (``@context`` with the EDC context, v3.1 or v3.2);
the Europass "uploadable" wrapper ``{"credential": ...}``; the sealed form, a JAdES JWS JSON
serialisation ``{payload, signatures}`` (``b64: false``: the payload is the JSON text
itself; otherwise base64url), whose seal is recorded as "present, not verified" (see
:mod:`.jose`). A detached payload is refused.

What is kept: every specification (``elm:Qualification``, ``elm:LearningAchievementSpecification``;
a certificate of participation has only an ``elm:LearningActivitySpecification``, kept as
such) with everything it reaches that is not award data (outcomes, credit points, levels,
assessment specifications, accreditations, notes, the concepts described inline), and its
awarding body with its location. Converted, so the specification reads as a native one:

* the awarding body of the award (``elm:awardedBy/elm:awardingBody`` on the achievement,
  else the credential's ``cred:issuer``) becomes ``elm:awardingOpportunity/elm:awardingBody``
  on the specification (M3/M4), unless it states one itself;
* the assessment of the award (``elm:provenBy`` -> ``elm:LearningAssessment`` ->
  ``elm:specifiedBy``) becomes the specification's ``elm:provenBy`` (M9), with the
  assessment's ``elm:idVerification`` on the assessment specification;
* notations where ELM wants concept IRIs (EBSI-style pilots: ``"EQFLevel": "6"``,
  ``"mode": "online"``, ``"ISCEDFCode": "0613"``, ``"framework": "ECTS"``, ``"countryCode":
  "DE"``) are resolved against the bundled vocabularies (:mod:`.vocabulary`); one that
  resolves to nothing is dropped and reported;
* document-local IRIs (``urn:epass:qualification:1``: every Europass document numbers from
  1) and blank nodes get minted IRIs (:mod:`.mint`).

Dropped: the learner and everything only it reaches (M1: names, birth date, national ID,
contact point), the award itself (the credential node, the achievement, the grade, the
assessment and activity instances, dates, evidence, display parameters) and images
(logos, display images: base64 blobs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from microhe.importers import jose, vocabulary
from microhe.importers.errors import ImportFailed, NothingToImport
from microhe.importers.jsondoc import as_list, check_size, decode_text, jsonld_quads, load_json
from microhe.importers.mint import Minter, skolemise
from microhe.importers.result import Conversion
from microhe.ingest.personal import find_personal_data
from microhe.rdf.jsonld import load_context_file
from microhe.vocab import CRED, ELM, RDF

NAME = "edc"
EDC_CONTEXTS = ("http://data.europa.eu/snb/model/context/edc-ap", "https://data.europa.eu/snb/model/context/edc-ap")
#: Keys and class names only the ELM 3.2 context defines (the two versions share one URL).
V32_ONLY = frozenset({"nationalId", "resultDistribution", "Proof", "CredentialStatus", "TermsOfUse"})

_TYPE = ox.NamedNode(RDF + "type")
SPEC_CLASSES = (ELM + "Qualification", ELM + "LearningAchievementSpecification")
ACTIVITY_SPEC = ELM + "LearningActivitySpecification"
#: Instances of an award (what one learner did), never kept.
AWARD_CLASSES = frozenset(ELM + c for c in ("LearningAchievement", "LearningAssessment", "LearningActivity",
                                              "LearningEntitlement", "EuropeanDigitalCredential", "Evidence",
                                              "DisplayParameter", "IndividualDisplay", "DisplayDetail",
                                              "AwardingProcess", "Person")) | {CRED + "VerifiableCredential"}
#: Predicates not followed when collecting what a specification or organisation reaches.
NOT_FOLLOWED = frozenset({ELM + "logo", ELM + "image", ELM + "displayParameter", ELM + "hasClaim",
                          CRED + "credentialSubject", ELM + "awardedTo"})

#: Keys whose value ELM wants as a concept IRI, with the resolver of a notation.
#: (The EDC context's JSON keys: ``eqfLevel`` -> elm:EQFLevel, ``nqfLevel`` -> elm:NQFLevel,
#: ``thematicArea`` -> elm:ISCEDFCode; pilots also write the ELM property names.)
NOTATION_KEYS = {"eqfLevel": vocabulary.eqf, "EQFLevel": vocabulary.eqf, "limitEQFLevel": vocabulary.eqf,
                 "nqfLevel": vocabulary.nqf, "NQFLevel": vocabulary.nqf, "thematicArea": vocabulary.isced,
                 "ISCEDFCode": vocabulary.isced, "limitField": vocabulary.isced, "mode": vocabulary.mode,
                 "framework": vocabulary.credit_system, "countryCode": vocabulary.country,
                 "language": vocabulary.language}
#: ELM property names pilots write that the EDC context spells otherwise.
RENAMED = {"EQFLevel": "eqfLevel", "NQFLevel": "nqfLevel", "ISCEDFCode": "thematicArea"}


def names_edc_context(doc: Any) -> bool:
    ctx = doc.get("@context") if isinstance(doc, dict) else None
    return any(c in EDC_CONTEXTS for c in as_list(ctx) if isinstance(c, str))


def _unwrap(doc: Any, conv: Conversion, source: str) -> Any:
    for _ in range(3):  # a wrapper around a sealed credential, at most
        if isinstance(doc, dict) and ("signatures" in doc or {"payload", "protected", "signature"} <= set(doc)):
            opened = jose.open_jws_json(doc, source)
            conv.signature = jose.NOT_VERIFIED
            conv.note("converted", "JAdES seal (JWS JSON)", f"recorded as '{jose.NOT_VERIFIED}' "
                      f"(alg {', '.join(opened.algorithms)}); the payload is imported")
            doc = load_json(opened.payload, source, "JSON in the JWS payload")
        elif isinstance(doc, dict) and "@context" not in doc and isinstance(doc.get("credential"), (dict, str)):
            conv.note("converted", "upload wrapper {\"credential\": ...}", "the credential inside is imported")
            inner = doc["credential"]
            doc = load_json(inner, source) if isinstance(inner, str) else inner
        else:
            return doc
    return doc


def _resolve_notations(node: Any, conv: Conversion, path: str = "$") -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _resolve_notations(item, conv, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    for key in list(node):
        value = node[key]
        if key in NOTATION_KEYS:
            values = value if isinstance(value, list) else [value]
            kept = []
            for v in values:
                text = v.get("id") if isinstance(v, dict) and set(v) <= {"id", "type"} else v
                if isinstance(text, str) and not vocabulary.is_absolute_iri(text):
                    iri = NOTATION_KEYS[key](text)
                    if iri is None:
                        conv.note("lost", f"{path}.{key} = {text!r}", "a notation no bundled vocabulary knows")
                        continue
                    conv.note("converted", f"{path}.{key} = {text!r}", f"notation resolved to <{iri}>")
                    v = iri if not isinstance(v, dict) else {**v, "id": iri}
                kept.append(v)
            del node[key]
            if kept:
                target = RENAMED.get(key, key)
                if target != key:
                    conv.note("converted", f"{path}.{key}", f"the ELM property name, read as the EDC key {target!r}")
                node[target] = kept if isinstance(value, list) else kept[0]
        else:
            _resolve_notations(value, conv, f"{path}.{key}")


def _uses_v32(node: Any) -> bool:
    if isinstance(node, dict):
        types = [t for t in as_list(node.get("type")) if isinstance(t, str)]
        return any(t in V32_ONLY for t in types) or any(k in V32_ONLY or _uses_v32(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_uses_v32(v) for v in node)
    return False


def _local(iri: ox.NamedNode) -> bool:
    v = iri.value
    return v.startswith("urn:") and not v.startswith(("urn:uuid:", "urn:oid:", "urn:isbn:", "urn:doi:"))


class _Graph:
    def __init__(self, quads: list[ox.Quad]):
        self.quads = quads
        self.out: dict[object, list[ox.Quad]] = {}
        self.types: dict[object, set[str]] = {}
        for q in quads:
            self.out.setdefault(q.subject, []).append(q)
            if q.predicate == _TYPE and isinstance(q.object, ox.NamedNode):
                self.types.setdefault(q.subject, set()).add(q.object.value)

    def objects(self, s: object, p: str) -> list[Any]:
        return [q.object for q in self.out.get(s, []) if q.predicate.value == p]

    def subjects(self, p: str, o: object) -> list[Any]:
        return [q.subject for q in self.quads if q.predicate.value == p and q.object == o]

    def subjects_of(self, p: str) -> list[Any]:
        return [q.subject for q in self.quads if q.predicate.value == p]

    def typed(self, *classes: str) -> list[Any]:
        return sorted((s for s, ts in self.types.items() if ts & set(classes)), key=str)

    def closure(self, roots: list[Any], skip: set[Any]) -> list[ox.Quad]:
        """Every triple of the nodes ``roots`` reach (not through ``skip`` nodes, award
        instances or the predicates in NOT_FOLLOWED)."""
        seen, todo, out = set(), list(roots), []
        while todo:
            node = todo.pop()
            if node in seen or node in skip:
                continue
            seen.add(node)
            for q in self.out.get(node, []):
                if q.predicate.value in NOT_FOLLOWED:
                    continue
                o = q.object
                if isinstance(o, (ox.NamedNode, ox.BlankNode)) and (o in skip or self.types.get(o, set()) & AWARD_CLASSES):
                    continue
                out.append(q)
                if isinstance(o, (ox.NamedNode, ox.BlankNode)):
                    todo.append(o)
        return out


def convert(data: bytes, source: str, *, base: str, sha256: str,
            contexts: Mapping[str, Any] | None = None) -> Conversion:
    """Import one EDC document (see module docstring); ``contexts``: the operator's context
    directory, for contexts the document names beside the bundled ones."""
    check_size(data, source)
    conv = Conversion(NAME, source, sha256, [])
    doc = _unwrap(load_json(decode_text(data, source), source), conv, source)
    if not isinstance(doc, dict):
        raise ImportFailed("an EDC credential is a JSON object", source)
    if not names_edc_context(doc):
        raise ImportFailed("not a Europass EDC document: its @context does not name the EDC context "
                           f"<{EDC_CONTEXTS[0]}>; for Open Badges use format ob3, for CTDL ctdl, or auto", source)
    _resolve_notations(doc, conv)
    contexts = dict(contexts or {})
    if _uses_v32(doc):
        v32 = load_context_file("edc-ap-context-v3.2.jsonld")
        contexts.update({url: v32 for url in EDC_CONTEXTS})
        conv.note("converted", "@context edc-ap", "ELM 3.2 keys found: read with the EDC v3.2 context")
    g = _Graph([ox.Quad(q.subject, q.predicate, q.object) for q in jsonld_quads(doc, source, contexts=contexts)])

    specs = g.typed(*SPEC_CLASSES)
    conv.found = sorted({t.rsplit("/", 1)[-1] for s in specs for t in g.types[s] if t in SPEC_CLASSES})
    if not specs:
        specs = g.typed(ACTIVITY_SPEC)
        if specs:
            conv.found = ["LearningActivitySpecification"]
            conv.note("converted", "elm:LearningActivitySpecification", "a certificate of participation holds no "
                      "learning achievement specification: its activity specification is imported as is")
    if not specs:
        classes = sorted({t for ts in g.types.values() for t in ts})
        shown = ", ".join(c.replace(ELM, "elm:") for c in classes[:8]) or "no typed node"
        if g.typed(ELM + "LearningAchievement"):
            shown = "an award whose elm:LearningAchievement names no specification (no elm:specifiedBy); " + shown
        raise NothingToImport(f"nothing to import: no specification (elm:Qualification, "
                              f"elm:LearningAchievementSpecification) in the document; found {shown}", source,
                              found=classes)

    learners = {*(o for q in g.quads if q.predicate.value in (CRED + "credentialSubject", ELM + "awardedTo")
                  for o in [q.object]), *g.subjects_of(ELM + "hasClaim"), *g.typed(ELM + "Person")}
    awards = set(g.typed(*AWARD_CLASSES))
    credentials = g.typed(ELM + "EuropeanDigitalCredential", CRED + "VerifiableCredential")
    issuers = [o for c in credentials for o in g.objects(c, CRED + "issuer")]
    minter = Minter(base, sha256)
    added: list[ox.Quad] = []
    bodies: list[Any] = []
    for spec in specs:
        claims = g.subjects(ELM + "specifiedBy", spec)
        body = g.objects(spec, ELM + "awardingOpportunity")
        if not body:
            found_bodies = [b for c in claims for p in g.objects(c, ELM + "awardedBy")
                            for b in g.objects(p, ELM + "awardingBody")]
            rule = "elm:awardedBy/elm:awardingBody of the award -> elm:awardingOpportunity/elm:awardingBody"
            if not found_bodies and issuers:
                found_bodies, rule = issuers, "the credential's cred:issuer -> elm:awardingOpportunity/elm:awardingBody"
            for b in dict.fromkeys(found_bodies):
                opp = minter.hashed("awarding-opportunity", spec, b)
                added += [ox.Quad(spec, ox.NamedNode(ELM + "awardingOpportunity"), opp),
                          ox.Quad(opp, _TYPE, ox.NamedNode(ELM + "AwardingOpportunity")),
                          ox.Quad(opp, ox.NamedNode(ELM + "awardingBody"), b)]
                bodies.append(b)
                conv.note("converted", "awarding body (M3/M4)", rule)
        if not g.objects(spec, ELM + "provenBy"):
            for c in claims:
                for la in g.objects(c, ELM + "provenBy"):
                    for las in g.objects(la, ELM + "specifiedBy"):
                        added.append(ox.Quad(spec, ox.NamedNode(ELM + "provenBy"), las))
                        conv.note("converted", "assessment (M9)", "elm:provenBy/elm:specifiedBy of the award -> "
                                  "elm:provenBy of the specification")
                        if not g.objects(las, ELM + "idVerification"):
                            for v in g.objects(la, ELM + "idVerification"):
                                added.append(ox.Quad(las, ox.NamedNode(ELM + "idVerification"), v))
                                conv.note("converted", "identity verification", "elm:idVerification of the award's "
                                          "assessment -> its assessment specification")
    skip = learners | awards
    kept = g.closure([*specs, *bodies, *(q.object for q in added)], skip) + added
    if learners:
        conv.note("dropped", "the learner (M1)", "cred:credentialSubject and what only it reaches: never stored")
    if awards or credentials:
        conv.note("dropped", "the award", "credential, achievement, grade, assessment and activity instances, "
                  "dates, evidence, display: award data, not the specification")
    if any(q.predicate.value in (ELM + "logo", ELM + "image") for q in g.quads):
        conv.note("dropped", "images", "elm:logo, elm:image (embedded media objects)")
    out = skolemise(kept, minter, _local)
    left = find_personal_data(out)
    if left:  # a guard: what only the learner reaches was not followed above
        out, _ = left.strip(out)
        conv.note("dropped", "personal data", left.summary())
    conv.quads = out
    return conv


def sniff(doc: Any) -> bool:
    """True when ``doc`` (parsed JSON) is an EDC document, sealed or wrapped."""
    if isinstance(doc, dict) and ("signatures" in doc and "payload" in doc):
        return isinstance(doc.get("payload"), str) and "/snb/model/context/edc-ap" in doc["payload"]
    if isinstance(doc, dict) and "@context" not in doc and isinstance(doc.get("credential"), dict):
        return names_edc_context(doc["credential"])
    return names_edc_context(doc)


__all__ = ["NAME", "convert", "sniff"]
