"""Writing the ELM-native shape of ``docs/data-model.md`` ("A micro-credential
specification"), shared by the importers that build their output (Open Badges, CTDL):
one :class:`Builder` per document, literals and IRIs as the data model wants them
(``elm:point`` a string, ``elm:volumeOfLearning`` an ``xsd:duration``, titles with their
language)."""

from __future__ import annotations

import re

import pyoxigraph as ox

from microhe.importers.mint import Minter, sort_quads
from microhe.importers.vocabulary import country
from microhe.vocab import DCTERMS, ELM, FOAF, RDF, XSD

ROV = "http://www.w3.org/ns/regorg#"
_TYPE = ox.NamedNode(RDF + "type")


def lang_tag(tag: object) -> str | None:
    t = str(tag or "").strip()
    return t.lower() if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", t) else None


def literal(text: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


def number_text(value: object) -> str | None:
    """A JSON number (or numeric string) as ELM's ``elm:point`` string: 6.0 -> "6", 7.5 -> "7.5"."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(str(value).strip())
    except ValueError:
        return None
    if f != f or f in (float("inf"), float("-inf")) or f < 0:
        return None
    return str(int(f)) if f.is_integer() else repr(f)


class Builder:
    def __init__(self, minter: Minter):
        self.minter = minter
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, ox.NamedNode(p), o))

    def typed(self, s: ox.NamedNode, *classes: str) -> ox.NamedNode:
        for c in classes:
            self.quads.append(ox.Quad(s, _TYPE, ox.NamedNode(c)))
        return s

    def organisation(self, iri: ox.NamedNode, names: list[tuple[str, str | None]], country_value: object,
                     homepage: str | None = None) -> str | None:
        """An ``elm:Organisation`` with its legal name(s) and country; returns the country
        value that resolved to nothing (for the report), else None."""
        self.typed(iri, ELM + "Organisation")
        for text, lang in names:
            self.add(iri, ROV + "legalName", literal(text, lang))
        if homepage:
            self.add(iri, FOAF + "homepage", ox.NamedNode(homepage))
        if country_value in (None, ""):
            return None
        c = country(country_value)
        if c is None:
            return str(country_value)
        loc = self.minter.hashed("location", iri.value, c)
        addr = self.minter.hashed("address", iri.value, c)
        self.add(iri, ELM + "location", self.typed(loc, DCTERMS + "Location"))
        self.add(loc, ELM + "address", self.typed(addr, ELM + "Address"))
        self.add(addr, ELM + "countryCode", ox.NamedNode(c))
        return None

    def awarded_by(self, spec: ox.NamedNode, org: ox.NamedNode) -> None:
        opp = self.minter.hashed("awarding-opportunity", spec.value, org.value)
        self.add(spec, ELM + "awardingOpportunity", self.typed(opp, ELM + "AwardingOpportunity"))
        self.add(opp, ELM + "awardingBody", org)

    def credit(self, spec: ox.NamedNode, framework: str, point: str) -> None:
        cp = self.minter.hashed("credit-point", spec.value, framework, point)
        self.add(spec, ELM + "creditPoint", self.typed(cp, ELM + "CreditPoint"))
        self.add(cp, ELM + "framework", ox.NamedNode(framework))
        self.add(cp, ELM + "point", ox.Literal(point))

    def hours(self, spec: ox.NamedNode, duration: str) -> None:
        self.add(spec, ELM + "volumeOfLearning", ox.Literal(duration, datatype=ox.NamedNode(XSD + "duration")))

    def outcome(self, spec: ox.NamedNode, titles: list[tuple[str, str | None]], description: str | None,
                skill: str | None) -> None:
        lo = self.minter.hashed("outcome", spec.value, sorted(titles), description, skill)
        self.add(spec, ELM + "learningOutcome", self.typed(lo, ELM + "LearningOutcome"))
        for text, lang in titles:
            self.add(lo, DCTERMS + "title", literal(text, lang))
        if description:
            self.add(lo, DCTERMS + "description", literal(description))
        if skill:
            esco = skill.startswith("http://data.europa.eu/esco/skill/")
            self.add(lo, ELM + ("relatedESCOSkill" if esco else "relatedSkill"), ox.NamedNode(skill))

    def note(self, spec: ox.NamedNode, predicate: str, text: str, lang: str | None = None) -> None:
        n = self.minter.hashed("note", spec.value, predicate, text)
        self.add(spec, predicate, self.typed(n, ELM + "Note"))
        self.add(n, ELM + "noteLiteral", literal(text, lang))

    def result(self) -> list[ox.Quad]:
        return sort_quads(self.quads)


__all__ = ["Builder", "lang_tag", "literal", "number_text"]
