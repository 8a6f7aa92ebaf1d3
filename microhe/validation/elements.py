"""The Council Recommendation's mandatory elements of a micro-credential specification, read
from the ``council-2022`` profile itself, so that what a page calls "incomplete: M9, M11"
and what validation reports can never drift apart.

For each element (M2, M3, M4, M6-M11: M1, the learner, and M5, the date of issuing, belong
to an awarded credential, never to a specification) the property paths the profile demands
(``sh:minCount``) from a specification (``:Specification_Shape``) and from an awarded
achievement (``:AwardedAchievement_Shape``, whose paths reach the specification through
``elm:specifiedBy``), as SPARQL 1.1 property paths. An element is present when every path
of one side has a value. Only presence is read: the value constraints (the country IRI
pattern, an outcome's title, an accreditation's type and agent) stay validation's.

:func:`incomplete_records` answers, for every specification in a store, the elements it
lacks (a view per store state: search builds its records from it); :func:`incomplete_of`
the same for one specification (compare, resource pages). Both read the store as it is, so
a record loaded with a lighter profile (``--profile consistency``) is flagged, and one
completed later by another graph is not. Elements are read through either side (the
specification's own paths, or the award paths of any achievement specified by it), so an
award's specification is as complete as its award makes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from microhe.store.views import per_store
from microhe.validation.profiles import SHAPES_BASE, shapes_graph
from microhe.validation.report import render_path
from microhe.vocab import ELM

PROFILE = "council-2022"
_ELEMENT = re.compile(r"^(M\d+)\b")


@dataclass(frozen=True)
class Element:
    """One element: its code (``M9``), name, and the paths that carry it."""

    code: str
    name: str
    specification: tuple[str, ...]  # paths from the specification, all needed
    award: tuple[str, ...]  # paths from an achievement specified by it, all needed


@cache
def specification_elements() -> tuple[Element, ...]:
    """The specification elements of the ``council-2022`` profile, in element order."""
    from rdflib import URIRef
    from rdflib.namespace import SH

    g = shapes_graph((PROFILE,))
    found: dict[str, dict] = {}
    for side, shape in (("specification", "Specification_Shape"), ("award", "AwardedAchievement_Shape")):
        for prop in g.objects(URIRef(f"{SHAPES_BASE}{PROFILE}#{shape}"), SH.property):
            if int(g.value(prop, SH.minCount) or 0) < 1:
                continue
            name = str(g.value(prop, SH.name) or "")
            m = _ELEMENT.match(name)
            if m is None:
                continue
            entry = found.setdefault(m.group(1), {"name": name, "specification": [], "award": []})
            entry[side].append(_without_optional_steps(g, g.value(prop, SH.path)))
    return tuple(Element(code, e["name"], tuple(sorted(e["specification"])), tuple(sorted(e["award"])))
                 for code, e in sorted(found.items(), key=lambda kv: int(kv[0][1:])))


def _alternatives(g, p) -> list[str]:
    """The path ``p`` as alternatives without zero-or-one steps (``a/b?/c`` is ``a/c`` or
    ``a/b/c``): Virtuoso refuses a ``?`` step when neither end of it is bound ("transitive
    derived table"), which is how these paths are asked for every specification at once."""
    from rdflib import URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF, SH

    if isinstance(p, URIRef):
        return [f"<{p}>"]
    if (p, RDF.first, None) in g:
        out = [""]
        for step in Collection(g, p):
            out = [a + ("/" if a and b else "") + b for a in out for b in _alternatives(g, step)]
        return out
    inner = g.value(p, SH.zeroOrOnePath)
    if inner is not None:
        return [""] + _alternatives(g, inner)
    inner = g.value(p, SH.inversePath)
    if inner is not None:
        return [f"^{a}" if a.count("<") == 1 and a.startswith("<") and a.endswith(">") else f"^({a})"
                for a in _alternatives(g, inner)]
    alt = g.value(p, SH.alternativePath)
    if alt is not None:
        return [a for x in Collection(g, alt) for a in _alternatives(g, x)]
    return [render_path(g, p)]  # * and + stay as they are (none in the profile's element paths)


def _without_optional_steps(g, p) -> str:
    alternatives = list(dict.fromkeys(_alternatives(g, p)))
    if "" in alternatives:  # a zero-length path: any focus node would "have" the element
        raise ValueError(f"an element path of {PROFILE} can be empty: {render_path(g, p)}")
    return alternatives[0] if len(alternatives) == 1 else "|".join(f"({a})" for a in alternatives)


_TYPED = (f"{{ ?this a <{ELM}Qualification> }} UNION {{ ?this a <{ELM}LearningAchievementSpecification> }}")


@cache
def _queries() -> tuple[tuple[str, str, str], ...]:
    """(side, path, query) for every distinct path: a specification's own paths select
    ``?this``; award paths select ``?this ?ach`` (the achievements specified by it that have
    the path). One query per path, the path's triples alone: the subjects that are no
    specification are never looked up (a join with the specification types cost more than
    reading them: 1.3 s against 0.8 s for the nine paths at 10^4 specifications)."""
    out: dict[tuple[str, str], str] = {}
    for e in specification_elements():
        for p in e.specification:
            out[("specification", p)] = f"SELECT DISTINCT ?this WHERE {{ ?this {p} ?x }}"
        for p in e.award:
            out[("award", p)] = f"SELECT DISTINCT ?this ?ach WHERE {{ ?ach <{ELM}specifiedBy> ?this . ?ach {p} ?x }}"
    return tuple((side, p, q) for (side, p), q in out.items())


def _missing(specs, has: dict, achievements: dict) -> dict[str, tuple[str, ...]]:
    """``spec -> missing element codes`` (only specifications that miss one)."""
    out: dict[str, tuple[str, ...]] = {}
    elements = specification_elements()
    for spec in specs:
        gaps = []
        for e in elements:
            if all(spec in has[("specification", p)] for p in e.specification):
                continue
            if e.award and any(all((spec, a) in has[("award", p)] for p in e.award)
                               for a in achievements.get(spec, ())):
                continue
            gaps.append(e.code)
        if gaps:
            out[spec] = tuple(gaps)
    return out


def _read(store, substitutions: dict | None = None) -> tuple[dict, dict]:
    """The paths' answers (``(side, path) -> specifications / (specification, achievement)
    pairs``) and the achievements found per specification."""
    has: dict = {}
    achievements: dict = {}
    for side, p, q in _queries():
        rows = store.query(q, substitutions=substitutions) if substitutions else store.query(q)
        if side == "specification":
            has[(side, p)] = {r["this"].value for r in rows}
        else:
            pairs = {(r["this"].value, r["ach"].value) for r in rows}
            has[(side, p)] = pairs
            for spec, ach in pairs:
                achievements.setdefault(spec, set()).add(ach)
    return has, achievements


@per_store
def incomplete_records(store) -> dict[str, tuple[str, ...]]:
    """Every specification of ``store`` (an IRI) that lacks a Council element, with the codes
    of those it lacks in element order (``{"urn:x": ("M9", "M11")}``); complete ones are left out."""
    has, achievements = _read(store)
    specs = {r["this"].value for r in store.query(f"SELECT DISTINCT ?this WHERE {{ {_TYPED} }}")
             if isinstance(r["this"], ox.NamedNode)}
    return _missing(specs, has, achievements)


def incomplete_of_many(store, specs: list[str]) -> dict[str, tuple[str, ...]]:
    """:func:`incomplete_records` for the specifications ``specs`` only (IRIs; those that are
    no specification are left out): each path's query starts from their IRIs (``VALUES``),
    so a few records cost a few lookups, not a pass over the store."""
    out: dict[str, tuple[str, ...]] = {}
    for i in range(0, len(specs), 400):
        batch = " ".join(f"<{s}>" for s in specs[i:i + 400])
        values = f"VALUES ?this {{ {batch} }} "
        has: dict = {}
        achievements: dict = {}
        for side, p, q in _queries():
            rows = store.query(q.replace("WHERE { ", "WHERE { " + values, 1))
            if side == "specification":
                has[(side, p)] = {r["this"].value for r in rows}
            else:
                pairs = {(r["this"].value, r["ach"].value) for r in rows}
                has[(side, p)] = pairs
                for spec, ach in pairs:
                    achievements.setdefault(spec, set()).add(ach)
        typed = {r["this"].value for r in store.query(f"SELECT DISTINCT ?this WHERE {{ {values}{_TYPED} }}")
                 if isinstance(r["this"], ox.NamedNode)}
        out.update(_missing(sorted(typed), has, achievements))
    return out


def incomplete_of(store, iri: str) -> tuple[str, ...]:
    """The Council elements the specification ``iri`` lacks (empty when complete, or when
    ``iri`` is no specification)."""
    node = ox.NamedNode(iri)
    if not list(store.query(f"SELECT ?this WHERE {{ {_TYPED} }} LIMIT 1", substitutions={"this": node})):
        return ()
    has, achievements = _read(store, {"this": node})
    return _missing([iri], has, achievements).get(iri, ())


__all__ = ["Element", "specification_elements", "incomplete_records", "incomplete_of", "incomplete_of_many", "PROFILE"]
