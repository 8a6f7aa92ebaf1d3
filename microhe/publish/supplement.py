"""The MicroHE credit supplement of a micro-credential specification: what it says, in the
Diploma Supplement's numbering, built from the graph.

MicroHE (2017-2020) proposed a supplement that describes a micro-credential the way the
Diploma Supplement describes a degree; registrars read it section by section, so the
numbering is kept: 1 holder, 2 the credential, 3 level and duration, 4 contents and
results, 5 function, 6 additional information, 7 certification of the supplement, 8 the
national qualifications system.

Council Recommendation 2022/C 243/02 elements: M1 (the learner) and M5 (the date of issue)
belong to an award, never to a specification, so they read "not applicable"; a mandatory
element the data lacks (:func:`microhe.validation.elements.incomplete_of`, read from the
``council-2022`` profile itself) is shown as missing where it belongs, never hidden.

Bilingual: the interface language chosen (en, de, fr) and English beside it when that is
another language (as the Diploma Supplement pairs the national language with English);
every language the data has for the title, the chosen one first.

The page content comes from :func:`microhe.publish.credential.credential_view` (the
credential page's model), so the page and the supplement cannot disagree. Recognition
decisions are passed in by the caller (:mod:`microhe.recognition` is a sibling layer).
Rendering (HTML, PDF) is :mod:`microhe.publish.supplement_render`; the certification's
digest :mod:`microhe.publish.certify`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from microhe import __version__
from microhe.errors import InvalidValue, NotFound
from microhe.frameworks.levels import framework_index
from microhe.frameworks.models import SAME_EQF_CAVEAT
from microhe.publish import certify
from microhe.publish.credential import CredentialView, Named, credential_view, is_specification
from microhe.publish.resource import describe, is_known
from microhe.rdf.iri import iri_problem
from microhe.validation.elements import incomplete_of, specification_elements
from microhe.vocab import DCTERMS, ELM, RDF

LANGUAGES = ("en", "de", "fr")
EQF = "http://data.europa.eu/snb/eqf/"

#: The Diploma Supplement's sections, as this supplement names them (English; translated
#: by :mod:`microhe.publish.supplement_text`).
SECTIONS = (
    (1, "Information identifying the holder"),
    (2, "Information identifying the credential"),
    (3, "Information on the level and duration"),
    (4, "Information on the contents and results gained"),
    (5, "Information on the function of the credential"),
    (6, "Additional information"),
    (7, "Certification of the supplement"),
    (8, "Information on the national qualifications system"),
)
#: Elements of the Council Recommendation that never apply to a specification, and why.
NOT_APPLICABLE = {
    "M1": "not applicable: this supplement describes the specification, not an award to a learner",
    "M5": "not applicable: a specification is not issued; an award states its own date of issue",
}
ELEMENT_NAMES = {"M1": "identification of the learner", "M5": "date of issuing"}


class NotASpecification(InvalidValue):
    """The IRI is described, but not as a micro-credential specification."""


class SupplementNotFound(NotFound):
    """The store does not describe the IRI."""


@dataclass
class Item:
    """One value of a row: text, where a link goes, its language tag, a note."""

    text: str
    href: str | None = None
    lang: str | None = None
    note: str | None = None


@dataclass
class Row:
    """A labelled field of a section; ``element`` is its Council element (M1-M11), if any."""

    label: str
    items: list[Item]
    element: str | None = None
    missing: bool = False
    not_applicable: str | None = None


@dataclass
class Section:
    number: int
    heading: str
    rows: list[Row]


@dataclass
class LadderRow:
    label: str
    name: str
    eqf: list[int]
    here: bool
    href: str | None


@dataclass
class Ladder:
    code: str
    name: str
    rows: list[LadderRow]  # highest level first


@dataclass
class Certification:
    generated: str
    version: str
    graphs: list[str]  # the specification's own graphs first
    algorithm: str
    digest: str
    sources: list[str]  # IRIs whose descriptions were hashed


@dataclass
class Supplement:
    iri: str
    lang: str
    credential: CredentialView
    titles: list[tuple[str, str]]  # (language tag, title), the chosen language first
    elements: dict[str, str]  # M1..M11 -> present | missing | not applicable
    sections: list[Section]
    ladders: list[Ladder]
    certification: Certification
    facts: dict[str, Any] = field(default_factory=dict)  # what the JSON-LD states about the specification

    @property
    def languages(self) -> tuple[str, ...]:
        """The interface languages: the chosen one, and English beside it."""
        return (self.lang,) if self.lang == "en" else (self.lang, "en")


def _item(n: Named, note: str | None = None) -> Item:
    return Item(n.text, n.href, note=note)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _check(store, iri: str) -> tuple[ox.NamedNode, list[ox.Quad]]:
    problem = iri_problem(iri)
    if problem is not None:
        raise NotASpecification(f"{iri!r} is not an absolute IRI ({problem}): give the IRI of a micro-credential "
                                "specification")
    node = ox.NamedNode(iri)
    if not is_known(store, node):
        raise SupplementNotFound(f"<{iri}> is not described here: give the IRI of a micro-credential specification "
                                 "the store holds (`microhe search` lists them)")
    quads = describe(store, node)
    if not is_specification(store, node, quads):
        raise NotASpecification(f"<{iri}> is not a micro-credential specification (an elm:Qualification or "
                                "elm:LearningAchievementSpecification): a credit supplement describes a specification")
    return node, quads


def _literals(quads: Sequence[ox.Quad], node, p: str) -> list[ox.Literal]:
    return [q.object for q in quads if q.subject == node and q.predicate.value == p and isinstance(q.object, ox.Literal)]


def _objects(quads: Sequence[ox.Quad], node, p: str) -> list:
    out: list = []
    for q in quads:
        if q.subject == node and q.predicate.value == p and q.object not in out:
            out.append(q.object)
    return out


def _titles(quads, node, lang: str) -> list[tuple[str, str]]:
    found = [(lit.language or "", lit.value) for lit in _literals(quads, node, DCTERMS + "title")]
    order = {lang: 0, "en": 1}
    return sorted(dict.fromkeys(found), key=lambda t: (order.get(t[0], 2), t[0], t[1]))


def _ladders(store, c: CredentialView, root: str) -> list[Ladder]:
    """The ladder of each framework the credential states a level in (EQF's when it states
    none other), with the credential's place on it."""
    fidx = framework_index(store)
    stated = {lv.stated.iri for lv in c.levels if lv.stated.iri}
    here_iris = {fidx.aliases.get(i, i) for i in stated}
    codes = list(dict.fromkeys(lv.framework for lv in c.levels if lv.framework and lv.framework != "EQF"))
    if not codes and c.eqf:
        codes = ["EQF"]
    out = []
    for code in codes:
        rows = []
        for lv in reversed(fidx.levels_of(code)):
            here = lv.iri in here_iris or (code == "EQF" and any(lv.iri == f"{EQF}{e}" for e in c.eqf))
            from microhe.publish.names import local_href
            rows.append(LadderRow(lv.label, lv.pref_label, lv.eqf, here, local_href(lv.iri, None, root)))
        out.append(Ladder(code, fidx.names.get(code, code), rows))
    return out


def _credits(c: CredentialView) -> list[Item]:
    items = []
    for cr in c.credits:
        if cr.ects is not None and cr.basis == "identity":
            items.append(Item(f"{cr.amount} ECTS"))
        elif cr.ects is not None:
            note = f"basis: {cr.basis}" + (", disputed" if cr.disputed else "")
            if cr.ects_min is not None:
                note += f"; by notional hours {cr.ects_min}–{cr.ects_max} ECTS"
            items.append(Item(f"{cr.amount} {cr.system.text} = {cr.ects:g} ECTS", cr.system.href, note=note))
        else:
            items.append(Item(f"{cr.amount} {cr.system.text}", cr.system.href, note="no ECTS conversion known"))
    if not c.credits and c.ects is not None:
        items.append(Item(f"{c.ects:g} ECTS", note="from the workload"))
    return items


def _sections(store, c: CredentialView, node, quads, titles, missing: set[str], root: str, base: str | None,
              decisions: Sequence[Any], cert: Certification, lang: str) -> list[Section]:
    from microhe.publish.names import local_href, safe_href

    def row(label: str, items: list[Item], element: str | None = None) -> Row:
        return Row(label, items, element, missing=element in missing,
                   not_applicable=NOT_APPLICABLE.get(element or ""))

    fidx = framework_index(store)
    eqf_items = [Item(f"EQF {e}", local_href(f"{EQF}{e}", base, root)) for e in c.eqf]
    nqf = [Item(lv.stated.text, lv.stated.href, note=lv.framework) for lv in c.levels
           if not (lv.stated.iri or "").startswith(EQF)]
    cycles = []
    for e in c.eqf:
        for lv in fidx.levels_of("QF-EHEA") if "QF-EHEA" in fidx.codes() else []:
            if e in lv.eqf:
                cycles.append(Item(lv.pref_label, local_href(lv.iri, None, root), note=SAME_EQF_CAVEAT))
    langs = [_item(n) for n in _named(store, base, root, _objects(quads, node, ELM + "language"))]
    types = [Item(t.rsplit("/", 1)[-1].rsplit("#", 1)[-1], safe_href(t)) for t in
             sorted(o.value for o in _objects(quads, node, RDF + "type") if isinstance(o, ox.NamedNode))]
    types += [_item(n) for n in _named(store, base, root, _objects(quads, node, DCTERMS + "type"))]
    identifiers = [Item(c.iri, safe_href(c.iri))] + [Item(lit.value) for lit in _literals(quads, node, DCTERMS + "identifier")]
    status = [Item(q.title or "Accreditation", q.href, note=", ".join(a.text for a in q.agents) or None)
              for q in c.quality if q.of_issuer]
    grading = [_item(g) for a in c.assessments for g in a.grading]
    assessments = [Item((a.title or "Assessment") + (": " + ", ".join(t.text for t in a.types) if a.types else ""))
                   for a in c.assessments]
    outcomes = [Item(o.title, note=("skills: " + ", ".join(s.text for s in o.skills)) if o.skills else None)
                for o in c.outcomes]
    idv = [_item(n) for n in c.id_verification] + [_item(n) for a in c.assessments for n in a.id_verification]
    qa = [Item(q.title or "Accreditation", q.href,
               note="; ".join(filter(None, [("of the awarding body" if q.of_issuer else None),
                                            (("type: " + ", ".join(t.text for t in q.types)) if q.types else None),
                                            (("by " + ", ".join(a.text for a in q.agents)) if q.agents else None)])) or None)
          for q in c.quality]
    access = [_item(n) for n in _named(store, base, root, _objects(quads, node, ELM + "entitlesTo"))]
    sources = [Item(o.value, safe_href(o.value)) for p in (DCTERMS + "source", ELM + "supplementaryDocument")
               for o in _objects(quads, node, p) if isinstance(o, ox.NamedNode)]
    sources += [_item(h) for h in c.homepages]
    sources += [Item(n) for n in c.notes]
    decided = []
    for d in decisions:
        credited = f"; {d.credited_ects:g} ECTS credited" if d.credited_ects is not None else ""
        decided.append(Item(f"{d.outcome} for {d.purpose.replace('-', ' ')} ({d.time[:10]})",
                            local_href(d.iri, base, root) or safe_href(d.iri), note=f"by {d.institution}{credited}"))
    elements = []
    names = {e.code: e.name for e in specification_elements()} | ELEMENT_NAMES
    for code in sorted(names, key=lambda m: int(m[1:])):
        state = "not applicable" if code in NOT_APPLICABLE else "missing" if code in missing else "present"
        elements.append(Item(f"{code} {names[code]}: {state}"))
    return [
        Section(1, SECTIONS[0][1], [row("Holder", [], "M1")]),
        Section(2, SECTIONS[1][1], [
            row("Title", [Item(t, lang=tag or None) for tag, t in titles], "M2"),
            row("Identifier", identifiers),
            row("Type", types),
            row("Awarding body", [_item(b) for b, _ in c.awarded_by], "M4"),
            row("Country of the awarding body", [_item(k) for _, k in c.awarded_by if k], "M3"),
            row("Status of the awarding body", status),
            row("Language of instruction and assessment", langs),
            row("Date of issue", [], "M5"),
        ]),
        Section(3, SECTIONS[2][1], [
            row("EQF level", eqf_items, "M8"),
            row("National level as stated", nqf),
            row("QF-EHEA cycle at the same EQF level", cycles),
            row("Credits", _credits(c), "M7"),
            row("Notional hours", [Item(c.workload)] if c.workload else [], "M7"),
            row("Access requirements and prerequisites", [Item(p) for p in c.prerequisites]),
        ]),
        Section(4, SECTIONS[3][1], [
            row("Learning outcomes", outcomes, "M6"),
            row("Field of education (ISCED-F)", [_item(f) for f in c.fields]),
            row("Mode of study", [_item(m) for m in c.modes], "M10"),
            row("Assessment", assessments, "M9"),
            row("Grading", grading),
        ]),
        Section(5, SECTIONS[4][1], [
            row("Part of", [_item(n) for n in c.part_of]),
            row("Made of", [_item(n) for n in c.parts]),
            row("Gives access to", access),
        ]),
        Section(6, SECTIONS[5][1], [
            row("Quality assurance", qa, "M11"),
            row("Identity verification", idv),
            row("Recognition decisions", decided),
            row("Sources and further information", sources),
            row("Council Recommendation 2022 elements", elements),
        ]),
        Section(7, SECTIONS[6][1], [
            row("Generated", [Item(cert.generated)]),
            row("Generated by", [Item(f"microhe {cert.version}")]),
            row("Source graphs", [Item(g) for g in cert.graphs]),
            row("Digest", [Item(cert.digest, note=cert.algorithm)]),
            row("Verification", [Item("microhe supplement --verify FILE",
                                      note="recomputes the digest from the graph and compares this supplement")]),
        ]),
        Section(8, SECTIONS[7][1], []),
    ]


def _named(store, base, root, nodes) -> list[Named]:
    from microhe.publish.names import local_href, safe_href
    from microhe.publish.resource import label_of
    out = []
    for n in nodes:
        if isinstance(n, ox.NamedNode):
            out.append(Named(label_of(store, n) or n.value, local_href(n.value, base, root) or safe_href(n.value), n.value))
        elif isinstance(n, ox.Literal):
            out.append(Named(n.value))
    return out


def _hashed_iris(node, quads, c: CredentialView, ladders: list[Ladder], store, decisions) -> list[str]:
    """The resources whose descriptions the supplement was made from (see certify)."""
    iris = [node.value]
    iris += [q.object.value for q in quads if isinstance(q.object, ox.NamedNode) and q.predicate.value != RDF + "type"]
    for body, _country in c.awarded_by:
        if body.iri:
            iris.append(body.iri)
            iris += [q.object.value for q in describe(store, ox.NamedNode(body.iri))
                     if isinstance(q.object, ox.NamedNode) and q.predicate.value == ELM + "accreditation"]
    named: list[Named] = [lv.stated for lv in c.levels] + c.modes + c.fields + c.part_of + c.parts + c.id_verification
    for o in c.outcomes:
        named += o.skills
    for a in c.assessments:
        named += a.types + a.id_verification + a.grading
    for q in c.quality:
        named += q.types + q.agents
    iris += [n.iri for n in named if n.iri]
    fidx = framework_index(store)
    for lad in ladders:
        iris += [lv.iri for lv in fidx.levels_of(lad.code)]
    for d in decisions:
        iris += [d.iri, d.institution]
    return list(dict.fromkeys(iris))


def build_supplement(store, iri: str, *, lang: str = "en", base: str | None = None, root: str = "",
                     generated: str | None = None, decisions: Sequence[Any] = ()) -> Supplement:
    """The supplement of the specification ``iri`` (NotFound when the store does not
    describe it, NotASpecification, an InvalidValue, when it is no specification).
    ``decisions``: the recognition decisions about it (:func:`microhe.recognition.decisions.list_decisions`);
    ``generated``: the time it states (now, UTC, by default)."""
    if lang not in LANGUAGES:
        raise InvalidValue(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    node, quads = _check(store, iri)
    c = credential_view(store, base or "", node, quads, root=root, langs=tuple(dict.fromkeys((lang, "en", ""))))
    titles = _titles(quads, node, lang)
    if titles:
        c.title = titles[0][1]
    missing = set(incomplete_of(store, iri))
    ladders = _ladders(store, c, root)
    hashed = _hashed_iris(node, quads, c, ladders, store, decisions)
    data = certify.source_quads(store, hashed)
    own = certify.graphs_of([q for q in quads if q.subject == node])
    cert = Certification(generated or _now(), __version__, own + [g for g in certify.graphs_of(data) if g not in own],
                         certify.ALGORITHM, certify.digest(data), hashed)
    elements = {code: ("not applicable" if code in NOT_APPLICABLE else "missing" if code in missing else "present")
                for code in ["M1", "M5", *(e.code for e in specification_elements())]}
    sections = _sections(store, c, node, quads, titles, missing, root, base, decisions, cert, lang)
    s = Supplement(iri, lang, c, titles, dict(sorted(elements.items(), key=lambda kv: int(kv[0][1:]))), sections,
                   ladders, cert)
    s.facts = _facts(store, node, quads, c)
    return s


# -- JSON-LD ----------------------------------------------------------------------------------

CONTEXT = {
    "dcterms": DCTERMS, "elm": ELM, "mhe": "https://w3id.org/microhe/ontology#", "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "schema": "https://schema.org/",
}


def _term(o) -> Any:
    if isinstance(o, ox.NamedNode):
        return {"@id": o.value}
    if isinstance(o, ox.Literal):
        if o.language:
            return {"@value": o.value, "@language": o.language}
        if o.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return {"@value": o.value, "@type": o.datatype.value}
        return o.value
    return None


def _node(store, quads, subject, props: Sequence[str], depth: int = 0) -> dict:
    """``subject`` with the values of ``props`` (blank nodes nested, named ones by IRI and label)."""
    out: dict[str, Any] = {} if isinstance(subject, ox.BlankNode) else {"@id": subject.value}
    for p in props:
        values = []
        for o in _objects(quads, subject, p) if quads is not None else []:
            if isinstance(o, ox.BlankNode) and depth < 4:
                values.append(_node(store, quads, o, _NESTED, depth + 1))
            else:
                values.append(_term(o))
        if values:
            out[_compact(p)] = values if len(values) > 1 else values[0]
    return out


def _compact(iri: str) -> str:
    for prefix, ns in CONTEXT.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


MHE_NS = "https://w3id.org/microhe/ontology#"
_SPEC = [RDF + "type", DCTERMS + "title", DCTERMS + "description", DCTERMS + "identifier", ELM + "awardingOpportunity",
         ELM + "EQFLevel", ELM + "NQFLevel", ELM + "creditPoint", ELM + "volumeOfLearning", ELM + "entryRequirement",
         ELM + "learningOutcome", ELM + "mode", ELM + "provenBy", ELM + "accreditation", ELM + "ISCEDFCode", ELM + "language",
         ELM + "isPartOf", ELM + "hasPart", ELM + "entitlesTo", ELM + "idVerification", DCTERMS + "source",
         MHE_NS + "derivedEQFLevel", MHE_NS + "derivedECTS", MHE_NS + "derivedECTSMin", MHE_NS + "derivedECTSMax"]
_NESTED = [RDF + "type", ELM + "awardingBody", ELM + "framework", ELM + "point", ELM + "noteLiteral", DCTERMS + "title",
           ELM + "location", ELM + "address", ELM + "countryCode"]
_LINKED = [RDF + "type", DCTERMS + "title", DCTERMS + "type", ELM + "relatedESCOSkill", ELM + "relatedSkill",
           ELM + "gradingScheme", ELM + "idVerification", ELM + "accreditingAgent", ELM + "location"]


def _facts(store, node, quads, c: CredentialView) -> dict:
    spec = _node(store, quads, node, _SPEC)
    # the named resources it points at: their facts that the supplement shows
    extra: list[dict] = []
    for p in (ELM + "learningOutcome", ELM + "provenBy", ELM + "accreditation"):
        for o in _objects(quads, node, p):
            if isinstance(o, ox.NamedNode):
                extra.append(_node(store, describe(store, o), o, _LINKED))
    for body, _ in c.awarded_by:
        if body.iri:
            bq = describe(store, ox.NamedNode(body.iri))
            b = _node(store, bq, ox.NamedNode(body.iri), [ELM + "location"])
            b["skos:prefLabel"] = body.text
            extra.append(b)
    return {"spec": spec, "linked": extra}


def supplement_jsonld(s: Supplement) -> dict:
    """The supplement as JSON-LD (an inline context, nothing remote): the supplement
    (``mhe:CreditSupplement``: its topic, language, time, generator, source graphs, the
    digest as an ``spdx:Checksum``, the Council elements missing or not applicable) and the
    facts of the specification it states, in ELM terms."""
    cert = s.certification
    supplement = {
        "@type": "mhe:CreditSupplement",
        "foaf:primaryTopic": {"@id": s.iri},
        "dcterms:language": s.lang,
        "prov:generatedAtTime": {"@value": cert.generated, "@type": "xsd:dateTime"},
        "prov:wasAttributedTo": {"@type": "prov:SoftwareAgent", "rdfs:label": "microhe",
                                 "schema:softwareVersion": cert.version},
        "prov:wasDerivedFrom": [{"@id": g} for g in cert.graphs],
        "spdx:checksum": {"@type": "spdx:Checksum", "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                          "spdx:checksumValue": cert.digest, "dcterms:conformsTo": {"@id": certify.RDFC},
                          "rdfs:comment": cert.algorithm},
        "mhe:missingElement": [m for m, v in s.elements.items() if v == "missing"],
        "mhe:notApplicableElement": [m for m, v in s.elements.items() if v == "not applicable"],
    }
    return {"@context": CONTEXT, "@graph": [supplement, s.facts["spec"], *s.facts["linked"]]}


__all__ = ["SECTIONS", "NOT_APPLICABLE", "LANGUAGES", "Supplement", "Section", "Row", "Item", "Ladder", "Certification",
           "NotASpecification", "SupplementNotFound", "build_supplement", "supplement_jsonld"]
