"""A credential specification and an awarding institution as a person reads them: the
model of their HTML pages, built from the node's description
(:func:`microhe.publish.resource.describe`) and the labels, levels and credit rules of the
store, in the words of a registrar ("Awarded by", "Level", "Workload"), not in RDF terms.

What it shows for a specification (Council Recommendation 2022, Annex I): title,
awarding body with country, level as stated and its EQF level, other frameworks' levels
at the same EQF level (broadly comparable, not equivalent), credits in every system with
the basis of their ECTS value, workload, mode, assessment and identity check, quality
assurance, learning outcomes with skill labels, prerequisites, stacks. Missing elements
are None or empty, never invented. Internal keys (``mhe:pageKey``) are never part of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from microhe.frameworks.credits import CreditError, convert
from microhe.frameworks.levels import framework_index
from microhe.ingest.derive import duration_hours
from microhe.publish.names import local_href, safe_href
from microhe.publish.resource import HIDDEN, label_of
from microhe.vocab import DCTERMS, ELM, FOAF, MHE, RDF

N = ox.NamedNode
_TYPE = N(RDF + "type")
SPEC_TYPES = {ELM + "Qualification", ELM + "LearningAchievementSpecification"}
ORG_TYPES = {ELM + "Organisation"}
EQF = "http://data.europa.eu/snb/eqf/"


@dataclass
class Named:
    """A thing the page names: its label, where a link goes (None: shown as text), its IRI."""

    text: str
    href: str | None = None
    iri: str | None = None


@dataclass
class Level:
    stated: Named
    framework: str | None
    eqf: list[int]


@dataclass
class Comparable:
    eqf: int
    levels: list[Named]


@dataclass
class Credit:
    amount: str
    system: Named
    ects: float | None = None
    ects_min: float | None = None
    ects_max: float | None = None
    basis: str | None = None
    disputed: bool = False


@dataclass
class Assessment:
    title: str | None
    types: list[Named]
    id_verification: list[Named]
    grading: list[Named]


@dataclass
class QualityAssurance:
    title: str | None
    types: list[Named]
    agents: list[Named]
    href: str | None
    of_issuer: bool = False


@dataclass
class Outcome:
    title: str
    skills: list[Named]


@dataclass
class CredentialView:
    iri: str
    title: str
    description: str | None
    awarded_by: list[tuple[Named, Named | None]]  # (body, its country)
    levels: list[Level]
    eqf: list[int]
    comparable: list[Comparable]
    credits: list[Credit]
    ects: float | None
    workload: str | None
    modes: list[Named]
    fields: list[Named]
    assessments: list[Assessment]
    id_verification: list[Named]
    quality: list[QualityAssurance]
    outcomes: list[Outcome]
    prerequisites: list[str]
    part_of: list[Named]
    parts: list[Named]
    notes: list[str]
    homepages: list[Named] = field(default_factory=list)


@dataclass
class InstitutionView:
    iri: str
    name: str
    country: Named | None
    description: str | None
    homepages: list[Named]
    quality: list[QualityAssurance]


class _Reader:
    """Objects and labels of nodes: blank nodes from the description, named nodes from the store."""

    def __init__(self, store, base: str, root: str, quads: Sequence[ox.Quad], langs: Sequence[str]):
        self.store, self.base, self.root, self.langs = store, base, root, tuple(langs)
        self.by_subject: dict = {}
        for q in quads:
            self.by_subject.setdefault(q.subject, []).append(q)
        self._labels: dict = {}

    def objects(self, s, p: str) -> list:
        quads = self.by_subject.get(s)
        if quads is None:
            quads = list(self.store.quads_matching(subject=s))
            self.by_subject[s] = quads
        out: list = []
        for q in quads:
            if q.predicate.value == p and q.object not in out:
                out.append(q.object)
        return out

    def subjects(self, p: str, o) -> list:
        out: list = []
        for q in self.store.quads_matching(predicate=N(p), object=o):
            if q.subject not in out:
                out.append(q.subject)
        return out

    def text(self, s, p: str) -> str | None:
        """The literal of ``p`` in the first language of ``langs`` that has one."""
        values = [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]
        for lang in self.langs:
            for v in values:
                if (v.language or "") == lang:
                    return v.value
        return values[0].value if values else None

    def label(self, node) -> str | None:
        if isinstance(node, ox.Literal):
            return node.value
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return None
        if node not in self._labels:
            self._labels[node] = (label_of(self.store, node, self.langs) if isinstance(node, ox.NamedNode)
                                  else self.text(node, DCTERMS + "title"))
        return self._labels[node]

    def named(self, node, fallback: str | None = None) -> Named:
        if isinstance(node, ox.NamedNode):
            iri = node.value
            return Named(self.label(node) or fallback or iri, local_href(iri, self.base, self.root) or safe_href(iri), iri)
        return Named(self.label(node) or fallback or "")

    def named_all(self, nodes: Iterable) -> list[Named]:
        return [self.named(n) for n in nodes]

    def types(self, node) -> set[str]:
        return {o.value for o in self.objects(node, RDF + "type") if isinstance(o, ox.NamedNode)}

    def note(self, node) -> str | None:
        """The text of a note (``elm:noteLiteral``), a literal, or the label of a node."""
        if isinstance(node, ox.Literal):
            return node.value
        return self.text(node, ELM + "noteLiteral") or self.label(node)

    def quality(self, acc, *, of_issuer: bool = False) -> QualityAssurance:
        href = local_href(acc.value, self.base, self.root) or safe_href(acc.value) if isinstance(acc, ox.NamedNode) else None
        return QualityAssurance(self.text(acc, DCTERMS + "title"), self.named_all(self.objects(acc, DCTERMS + "type")),
                                self.named_all(self.objects(acc, ELM + "accreditingAgent")), href, of_issuer)

    def country_of(self, org) -> Named | None:
        for loc in self.objects(org, ELM + "location"):
            for a in self.objects(loc, ELM + "address"):
                for c in self.objects(a, ELM + "countryCode"):
                    return self.named(c, c.value.rsplit("/", 1)[-1] if isinstance(c, ox.NamedNode) else None)
        return None


def _typed(node: ox.NamedNode, quads: Sequence[ox.Quad], types: set[str]) -> bool:
    return any(q.subject == node and q.predicate == _TYPE and isinstance(q.object, ox.NamedNode)
               and q.object.value in types for q in quads)


def is_specification(store, node: ox.NamedNode, quads: Sequence[ox.Quad]) -> bool:
    """True when the description types ``node`` as a specification (a credential page)."""
    return _typed(node, quads, SPEC_TYPES)


def is_institution(store, node: ox.NamedNode, quads: Sequence[ox.Quad]) -> bool:
    """True when the description types ``node`` as an organisation (an institution page)."""
    return _typed(node, quads, ORG_TYPES)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def credential_view(store, base: str, node: ox.NamedNode, quads: Sequence[ox.Quad], *, root: str = "",
                    langs: Sequence[str] = ("en", "")) -> CredentialView:
    """The page model of the specification ``node`` (``quads``: its description)."""
    r = _Reader(store, base, root, quads, langs)
    fidx = framework_index(store)
    awarded = []
    issuers = []
    for ao in r.objects(node, ELM + "awardingOpportunity"):
        for body in r.objects(ao, ELM + "awardingBody"):
            issuers.append(body)
            awarded.append((r.named(body), r.country_of(body)))
    levels, eqf = [], set()
    for p in (ELM + "EQFLevel", ELM + "NQFLevel"):
        for lv in r.objects(node, p):
            if not isinstance(lv, ox.NamedNode):
                continue
            ours = fidx.levels.get(fidx.aliases.get(lv.value, lv.value))
            e = fidx.eqf_of(lv.value)
            eqf.update(e)
            stated = r.named(lv)
            if ours is not None and stated.href is None:
                stated.href = local_href(ours.iri, base, root)
            levels.append(Level(stated, ours.framework if ours else None, e))
    for d in r.objects(node, MHE + "derivedEQFLevel"):
        if isinstance(d, ox.NamedNode) and d.value.startswith(EQF):
            eqf.add(int(d.value.rsplit("/", 1)[-1]))
    stated_frameworks = {lv.framework for lv in levels if lv.framework}
    comparable = []
    for e in sorted(eqf):
        same = [lv for lv in fidx.levels.values() if e in lv.eqf and lv.framework not in stated_frameworks
                and lv.framework != "EQF"]
        order = {c: i for i, c in enumerate(fidx.codes())}
        same.sort(key=lambda lv: (order.get(lv.framework, 99), lv.rank))
        comparable.append(Comparable(e, [Named(lv.pref_label, local_href(lv.iri, base, root), lv.iri) for lv in same]))
    credits = []
    for cp in r.objects(node, ELM + "creditPoint"):
        points = [o.value for o in r.objects(cp, ELM + "point") if isinstance(o, ox.Literal)]
        for fw in r.objects(cp, ELM + "framework"):
            for amount in points or ["?"]:
                credit = Credit(amount, r.named(fw))
                if isinstance(fw, ox.NamedNode):
                    try:
                        c = convert(store, amount, fw.value)
                    except CreditError:
                        pass
                    else:
                        credit.ects = c.ects.value
                        if c.by_hours is not None:  # ECVET defines no hours per point
                            credit.ects_min, credit.ects_max = c.by_hours.min, c.by_hours.max
                        credit.basis, credit.disputed = c.basis, c.disputed
                credits.append(credit)
    derived = [float(o.value) for o in r.objects(node, MHE + "derivedECTS") if isinstance(o, ox.Literal)]
    workload = None
    for v in r.objects(node, ELM + "volumeOfLearning"):
        if isinstance(v, ox.Literal):
            hours = duration_hours(v.value)
            workload = f"{_num(hours)} h" if hours is not None else v.value
    assessments = []
    for a in r.objects(node, ELM + "provenBy") + [s for s in r.subjects(ELM + "proves", node)]:
        assessments.append(Assessment(r.text(a, DCTERMS + "title"), r.named_all(r.objects(a, DCTERMS + "type")),
                                      r.named_all(r.objects(a, ELM + "idVerification")),
                                      r.named_all(r.objects(a, ELM + "gradingScheme"))))
    quality = [r.quality(acc) for acc in r.objects(node, ELM + "accreditation")]
    for body in issuers:
        quality += [r.quality(acc, of_issuer=True) for acc in r.objects(body, ELM + "accreditation")]
    outcomes = []
    for lo in r.objects(node, ELM + "learningOutcome"):
        skills = r.named_all(r.objects(lo, ELM + "relatedESCOSkill") + r.objects(lo, ELM + "relatedSkill"))
        outcomes.append(Outcome(r.text(lo, DCTERMS + "title") or r.label(lo) or "", skills))
    part_of = r.objects(node, ELM + "isPartOf") + [s for s in r.subjects(ELM + "hasPart", node)
                                                    if s not in r.objects(node, ELM + "isPartOf")]
    parts = r.objects(node, ELM + "hasPart") + [s for s in r.subjects(ELM + "isPartOf", node)
                                                 if s not in r.objects(node, ELM + "hasPart")]
    homepages = [Named(o.value, safe_href(o.value), o.value) for o in r.objects(node, FOAF + "homepage")
                 if isinstance(o, ox.NamedNode)]
    return CredentialView(
        iri=node.value, title=r.text(node, DCTERMS + "title") or r.label(node) or node.value,
        description=r.text(node, DCTERMS + "description"), awarded_by=awarded, levels=levels, eqf=sorted(eqf),
        comparable=comparable, credits=credits, ects=derived[0] if derived else None, workload=workload,
        modes=r.named_all(r.objects(node, ELM + "mode")), fields=r.named_all(r.objects(node, ELM + "ISCEDFCode")),
        assessments=assessments, id_verification=r.named_all(r.objects(node, ELM + "idVerification")),
        quality=quality, outcomes=outcomes,
        prerequisites=[t for t in (r.note(x) for x in r.objects(node, ELM + "entryRequirement")) if t],
        part_of=r.named_all(part_of), parts=r.named_all(parts),
        notes=[t for t in (r.note(x) for x in r.objects(node, ELM + "additionalNote")) if t], homepages=homepages)


def institution_view(store, base: str, node: ox.NamedNode, quads: Sequence[ox.Quad], *, root: str = "",
                     langs: Sequence[str] = ("en", "")) -> InstitutionView:
    """The page model of the organisation ``node`` (its offer and the decisions about it
    come from recognition: the page adds them)."""
    r = _Reader(store, base, root, quads, langs)
    quality = [r.quality(acc) for acc in r.objects(node, ELM + "accreditation")]
    seen = {q.href for q in quality}
    for acc in r.subjects(ELM + "organisation", node):
        if ELM + "Accreditation" in r.types(acc):
            qa = r.quality(acc)
            if qa.href not in seen:
                quality.append(qa)
    homepages = [Named(o.value, safe_href(o.value), o.value) for o in r.objects(node, FOAF + "homepage")
                 if isinstance(o, ox.NamedNode)]
    return InstitutionView(node.value, r.label(node) or node.value, r.country_of(node),
                           r.text(node, DCTERMS + "description"), homepages, quality)


__all__ = ["CredentialView", "InstitutionView", "Named", "credential_view", "institution_view", "is_specification",
           "is_institution", "HIDDEN"]
