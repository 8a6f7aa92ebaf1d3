"""A specification read from the graph into plain values: what every exporter maps.

The paths are the data model's (``docs/data-model.md``, the importers' output, the
credential page): title and description, the awarding body (``elm:awardingOpportunity/
elm:awardingBody``) with its legal name, country and homepage, EQF and NQF levels, credit
points, volume of learning, mode, assessment specifications (``elm:provenBy`` and the
inverse ``elm:proves``), accreditations of the specification or its awarding body,
learning outcomes with their skills, ISCED-F fields, stacks, web pages, notes and entry
requirements. Reading works on anything with ``quads_matching`` (the store, or
:class:`Quads` over a list for a conversion that was never stored); a triple held in
several graphs counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph as ox

from microhe.vocab import DCTERMS, ELM, EQF_LEVEL, FOAF, RDF, SKOS

ROV = "http://www.w3.org/ns/regorg#"
SPEC_TYPES = (ELM + "Qualification", ELM + "LearningAchievementSpecification")
CETERMS = "https://purl.org/ctdl/terms/"
QDR = "http://data.europa.eu/snb/qdr/"
Text = tuple[str, str | None]  # (text, language or None)


class QuadSource(Protocol):
    def quads_matching(self, subject: Any = None, predicate: Any = None, object: Any = None,
                       graph: Any = None) -> Iterable[ox.Quad]: ...


class Quads:
    """A list of quads read like the store (for a conversion not stored)."""

    def __init__(self, quads: Iterable[ox.Quad]):
        self._db = ox.Store()
        self._db.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)

    def quads_matching(self, subject=None, predicate=None, object=None, graph=None) -> Iterable[ox.Quad]:
        return self._db.quads_for_pattern(subject, predicate, object, graph)


@dataclass
class Organisation:
    iri: str
    names: list[Text] = field(default_factory=list)
    country: str | None = None  # EU country authority IRI
    homepage: str | None = None


@dataclass
class Outcome:
    iri: str
    titles: list[Text]
    description: str | None = None
    skills: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    iri: str
    titles: list[Text]
    types: list[str]


@dataclass
class Accreditation:
    iri: str
    titles: list[Text]
    types: list[str]
    agents: list[str]
    homepage: str | None = None
    of_issuer: bool = False
    organisations: list[str] = field(default_factory=list)  # the accredited organisation(s), elm:organisation


@dataclass
class Concept:
    """What the graph says of a concept the specification references (ELM describes
    concepts outside the EU lists inline: an ESCO skill, an issuer's own assessment type)."""

    iri: str
    schemes: list[str]
    labels: list[Text]
    notation: str | None = None


@dataclass
class Credit:
    framework: str
    point: str


@dataclass
class Spec:
    iri: str
    types: list[str]
    titles: list[Text]
    descriptions: list[Text] = field(default_factory=list)
    issuers: list[Organisation] = field(default_factory=list)
    eqf: list[int] = field(default_factory=list)
    nqf: list[str] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)  # xsd:duration
    modes: list[str] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    accreditations: list[Accreditation] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    isced: list[str] = field(default_factory=list)
    part_of: list[str] = field(default_factory=list)
    has_part: list[str] = field(default_factory=list)
    homepages: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)
    id_verification: list[str] = field(default_factory=list)
    concepts: dict[str, Concept] = field(default_factory=dict)
    agents: dict[str, Organisation] = field(default_factory=dict)  # accrediting agents and accredited bodies
    qdr: dict[str, str | None] = field(default_factory=dict)  # NQF level -> its EU QDR concept
    languages: list[str] = field(default_factory=list)  # elm:language (EU language authority IRIs)
    related_types: dict[str, list[str]] = field(default_factory=dict)  # classes of the stacked specifications

    @property
    def is_qualification(self) -> bool:
        return ELM + "Qualification" in self.types

    def title(self, lang: str = "en") -> str:
        return first(self.titles, lang) or self.iri


def first(texts: list[Text], lang: str = "en") -> str | None:
    """The text in ``lang``, else the untagged one, else any."""
    for want in (lang, None):
        for t, tl in texts:
            if tl == want:
                return t
    return texts[0][0] if texts else None


class _Reader:
    def __init__(self, source: QuadSource):
        self.source = source

    def objects(self, s: ox.NamedNode | ox.BlankNode, p: str) -> list[Any]:
        out: list[Any] = []
        for q in self.source.quads_matching(s, ox.NamedNode(p), None, None):
            if q.object not in out:
                out.append(q.object)
        return sorted(out, key=str)

    def subjects(self, p: str, o: ox.NamedNode) -> list[Any]:
        out: list[Any] = []
        for q in self.source.quads_matching(None, ox.NamedNode(p), o, None):
            if q.subject not in out:
                out.append(q.subject)
        return sorted(out, key=str)

    def iris(self, s, p: str) -> list[str]:
        return [o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode)]

    def texts(self, s, p: str) -> list[Text]:
        return [(o.value, o.language) for o in self.objects(s, p) if isinstance(o, ox.Literal)]

    def note_texts(self, s, p: str) -> list[str]:
        out = []
        for o in self.objects(s, p):
            if isinstance(o, ox.Literal):
                out.append(o.value)
            else:
                out += [t for t, _ in self.texts(o, ELM + "noteLiteral")] or [t for t, _ in self.texts(o, DCTERMS + "title")]
        return out

    def name(self, node) -> str:
        return node.value if isinstance(node, ox.NamedNode) else "_:" + str(node.value)

    def pages(self, s) -> list[str]:
        """Web pages: a ``foaf:homepage`` IRI, or the ``elm:contentUrl`` of the ``elm:WebResource``
        ELM puts there."""
        out = []
        for page in self.objects(s, FOAF + "homepage"):
            urls = [o.value for o in self.objects(page, ELM + "contentUrl")] if not isinstance(page, ox.Literal) else []
            out += urls or ([page.value] if isinstance(page, ox.NamedNode) else [])
        return out

    def organisation(self, node) -> Organisation:
        names = self.texts(node, ROV + "legalName") or self.texts(node, SKOS + "prefLabel") or \
            self.texts(node, DCTERMS + "title")
        country = None
        for loc in self.objects(node, ELM + "location"):
            for addr in self.objects(loc, ELM + "address"):
                for c in self.iris(addr, ELM + "countryCode"):
                    country = country or c
        pages = self.pages(node)
        return Organisation(self.name(node), names, country, pages[0] if pages else None)

    def accreditation(self, node, of_issuer: bool = False) -> Accreditation:
        pages = self.pages(node)
        return Accreditation(self.name(node), self.texts(node, DCTERMS + "title"), self.iris(node, DCTERMS + "type"),
                             self.iris(node, ELM + "accreditingAgent"), pages[0] if pages else None, of_issuer,
                             self.iris(node, ELM + "organisation"))


def is_specification(source: QuadSource, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(isinstance(q.object, ox.NamedNode) and q.object.value in SPEC_TYPES
               for q in source.quads_matching(node, ox.NamedNode(RDF + "type"), None, None))


def is_known(source: QuadSource, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return next(iter(source.quads_matching(node, None, None, None)), None) is not None or \
        next(iter(source.quads_matching(None, None, node, None)), None) is not None


def read(source: QuadSource, iri: str) -> Spec:
    """The specification ``iri`` (the caller checked :func:`is_specification`)."""
    r = _Reader(source)
    s = ox.NamedNode(iri)
    spec = Spec(iri, r.iris(s, RDF + "type"), r.texts(s, DCTERMS + "title"), r.texts(s, DCTERMS + "description"))
    bodies = [b for ao in r.objects(s, ELM + "awardingOpportunity") for b in r.objects(ao, ELM + "awardingBody")]
    spec.issuers = [r.organisation(b) for b in bodies]
    spec.eqf = sorted({int(v[len(EQF_LEVEL):]) for v in r.iris(s, ELM + "EQFLevel")
                       if v.startswith(EQF_LEVEL) and v[len(EQF_LEVEL):].isdigit()})
    spec.nqf = r.iris(s, ELM + "NQFLevel")
    for cp in r.objects(s, ELM + "creditPoint"):
        for fw in r.iris(cp, ELM + "framework"):
            for p, _ in r.texts(cp, ELM + "point"):
                spec.credits.append(Credit(fw, p))
    spec.hours = [t for t, _ in r.texts(s, ELM + "volumeOfLearning")]
    spec.modes = r.iris(s, ELM + "mode")
    for a in r.objects(s, ELM + "provenBy") + [x for x in r.subjects(ELM + "proves", s)]:
        spec.assessments.append(Assessment(r.name(a), r.texts(a, DCTERMS + "title"), r.iris(a, DCTERMS + "type")))
        spec.id_verification += r.iris(a, ELM + "idVerification")
    spec.accreditations = [r.accreditation(a) for a in r.objects(s, ELM + "accreditation")]
    for b in bodies:
        spec.accreditations += [r.accreditation(a, of_issuer=True) for a in r.objects(b, ELM + "accreditation")]
    for lo in r.objects(s, ELM + "learningOutcome"):
        skills = r.iris(lo, ELM + "relatedESCOSkill") + r.iris(lo, ELM + "relatedSkill")
        desc = r.texts(lo, DCTERMS + "description")
        titles = r.texts(lo, DCTERMS + "title")
        if titles:
            spec.outcomes.append(Outcome(r.name(lo), titles, desc[0][0] if desc else None, skills))
    spec.isced = r.iris(s, ELM + "ISCEDFCode")
    spec.part_of = r.iris(s, ELM + "isPartOf")
    spec.has_part = r.iris(s, ELM + "hasPart")
    spec.homepages = r.pages(s)
    spec.identifiers = [t for t, _ in r.texts(s, DCTERMS + "identifier")]
    spec.notes = r.note_texts(s, ELM + "additionalNote")
    spec.entry = r.note_texts(s, ELM + "entryRequirement")
    spec.languages = r.iris(s, ELM + "language")
    for acc in spec.accreditations:
        for org in [*acc.agents, *acc.organisations]:
            spec.agents.setdefault(org, r.organisation(ox.NamedNode(org)))
    for level in spec.nqf:  # the EU QDR concept of a level, where the graph links one
        spec.qdr[level] = level if level.startswith(QDR) else next(
            (m for m in r.iris(ox.NamedNode(level), SKOS + "exactMatch") if m.startswith(QDR)), None)
    for iri in [*spec.part_of, *spec.has_part]:
        spec.related_types[iri] = r.iris(ox.NamedNode(iri), RDF + "type")
    refs = [*spec.nqf, *(c.framework for c in spec.credits), *spec.modes, *spec.isced, *spec.id_verification,
            *(t for a in spec.assessments for t in a.types), *(t for a in spec.accreditations for t in a.types),
            *(k for o in spec.outcomes for k in o.skills)]
    for iri in dict.fromkeys(refs):
        node = ox.NamedNode(iri)
        schemes, labels = r.iris(node, SKOS + "inScheme"), r.texts(node, SKOS + "prefLabel")
        if schemes or labels:
            notation = [t for t, _ in r.texts(node, SKOS + "notation")]
            spec.concepts[iri] = Concept(iri, schemes, labels, notation[0] if notation else None)
    return spec


__all__ = ["Accreditation", "Assessment", "CETERMS", "Concept", "Credit", "Organisation", "Outcome", "Quads", "Spec", "first",
           "is_known", "is_specification", "read"]
