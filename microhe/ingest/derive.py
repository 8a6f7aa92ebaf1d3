"""Values derived once at load time, so that search and recognition need no per-query
reasoning: each specification's EQF level(s) (from ``elm:EQFLevel`` or through the
referencing of its ``elm:NQFLevel``) and its workload in ECTS (value, min, max: from its
credit points in any system, else from ``elm:volumeOfLearning``).

A per-graph aggregate serves the named query that would otherwise count every
specification of the store:

* facet counts (``credential-facets``): for each facet value, the number of the graph's
  specifications that have it: ``<g>#derived/facet/<facet>/<n> mhe:facet "eqf" ;
  mhe:facetValue <value> ; mhe:facetCount N ; mhe:facetLabel "..."`` (the label the
  query shows, looked up in the graph and the store at load time). The facets and their values are those of
  the query: ``eqf`` (derived EQF levels), ``country`` (the issuer's
  ``elm:location/elm:address/elm:countryCode``, looked up in the graph, else in the store
  as it is at load time), ``mode``, ``isced``, ``creditSystem`` (``elm:framework`` of each
  credit point) and ``issuer`` (the ``elm:awardingBody`` of the specification's
  ``elm:awardingOpportunity``, or of the ``elm:awardedBy`` of an achievement in the graph
  that is ``elm:specifiedBy`` it: an awarded Europass credential).

A per-graph index serves paging and search without a sort on IRIs (oxigraph orders IRIs by
reading each one's text from disk, 1.5 s for 22k specifications at 100k):

* page keys: ``<spec> mhe:pageKey "k"``, where k is the first 15 hex digits of the SHA-256
  of the specification's IRI (``SUBSTR(SHA256(STR(?spec)), 1, 15)`` in SPARQL), a string
  short enough for the store to keep inline, so sorting by it reads nothing from disk;
* facet members: the facet nodes of ``eqf``, ``country`` and ``mode`` list the page keys
  of their specifications (``mhe:facetMember "k"``), so a page of the specifications with
  a facet value is one index scan plus a sort of inline strings
  (``credentials-by-eqf-level``, ``search-credentials``);
* ECTS members: per derived ECTS value, ``<g>#derived/ects/<n> mhe:ectsValue 5.0 ;
  mhe:facetMember "k"`` (an ECTS range is a filter on the few values, then a scan of their
  members, instead of a lookup per candidate specification).

Derived triples of a graph ``<g>`` live in the graph ``<g>#derived`` and are written,
replaced and dropped together with it (and recomputed over the whole graph when a load
adds to it). SPARQL Update does not refresh them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import TypeGuard

import pyoxigraph as ox

from microhe.frameworks.credits import CreditError, convert
from microhe.frameworks.levels import framework_index
from microhe.store.embedded import Store
from microhe.vocab import ELM, MHE, SKOS, XSD

DERIVED_SUFFIX = "#derived"

_EQF_P = ox.NamedNode(MHE + "derivedEQFLevel")
_ECTS_P = ox.NamedNode(MHE + "derivedECTS")
_MIN_P = ox.NamedNode(MHE + "derivedECTSMin")
_MAX_P = ox.NamedNode(MHE + "derivedECTSMax")
_FACET_P = ox.NamedNode(MHE + "facet")
_FVALUE_P = ox.NamedNode(MHE + "facetValue")
_FCOUNT_P = ox.NamedNode(MHE + "facetCount")
_FLABEL_P = ox.NamedNode(MHE + "facetLabel")
_FMEMBER_P = ox.NamedNode(MHE + "facetMember")
_PAGE_KEY_P = ox.NamedNode(MHE + "pageKey")
_ECTS_VALUE_P = ox.NamedNode(MHE + "ectsValue")
#: the facets whose nodes list their members' page keys (the search parameters)
MEMBER_FACETS = frozenset(("eqf", "country", "mode"))
_LEGAL_NAME = ox.NamedNode("http://www.w3.org/ns/regorg#legalName")
_PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
_RANK = ox.NamedNode(MHE + "levelRank")
_EXACT_MATCH = ox.NamedNode(SKOS + "exactMatch")
_NOTATION = ox.NamedNode(SKOS + "notation")
_CREDIT_SYSTEM = ox.NamedNode(MHE + "CreditSystem")
_DEC = ox.NamedNode(XSD + "decimal")
_INT = ox.NamedNode(XSD + "integer")
_EQF = "http://data.europa.eu/snb/eqf/"

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SPEC_TYPES = frozenset(ox.NamedNode(ELM + t) for t in ("Qualification", "LearningAchievementSpecification"))
_AO, _BODY, _LOCATION, _ADDRESS, _COUNTRY, _MODE, _ISCED, _CP, _FW, _SPECIFIED_BY, _AWARDED_BY = (
    ox.NamedNode(ELM + p) for p in (
        "awardingOpportunity", "awardingBody", "location", "address", "countryCode", "mode", "ISCEDFCode",
        "creditPoint", "framework", "specifiedBy", "awardedBy"))
#: every predicate the facet counts read (besides the derived EQF levels)
_FACET_PREDICATES = frozenset((_RDF_TYPE, _AO, _BODY, _LOCATION, _ADDRESS, _COUNTRY, _MODE, _ISCED, _CP, _FW,
                               _SPECIFIED_BY, _AWARDED_BY))

_QUERY = f"""
PREFIX elm: <{ELM}>
SELECT ?spec ?level ?fw ?point ?vol WHERE {{
  {{ ?spec a elm:Qualification }} UNION {{ ?spec a elm:LearningAchievementSpecification }}
  OPTIONAL {{ ?spec elm:EQFLevel|elm:NQFLevel ?level }}
  OPTIONAL {{ ?spec elm:creditPoint ?cp . ?cp elm:framework ?fw ; elm:point ?point }}
  OPTIONAL {{ ?spec elm:volumeOfLearning ?vol }}
}}"""

#: every predicate _QUERY matches
_QUERY_PREDICATES = frozenset(ox.NamedNode(p) for p in (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ELM + "EQFLevel", ELM + "NQFLevel", ELM + "creditPoint",
    ELM + "framework", ELM + "point", ELM + "volumeOfLearning"))

_READ_PREDICATES = (_QUERY_PREDICATES | _FACET_PREDICATES | {_LEGAL_NAME, _PREF_LABEL}) - {_RDF_TYPE}

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def derived_graph(graph: str) -> str:
    return graph + DERIVED_SUFFIX


def duration_hours(text: str) -> float | None:
    """Hours of an xsd:duration such as ``PT60H`` or ``P2DT4H`` (days as 24 h); None if
    it has years/months (not convertible) or is malformed."""
    m = _DURATION.match(text.strip())
    if not m or text.strip() in ("P", "PT"):
        return None
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return d * 24 + h + mi / 60 + s / 3600


def page_key(iri: str) -> str:
    """The page key of a specification IRI: SUBSTR(SHA256(STR(?spec)), 1, 15) in SPARQL."""
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:15]


def _dec(x: float) -> ox.Literal:
    return ox.Literal(f"{round(x, 4):.4f}".rstrip("0").rstrip(".") if x % 1 else f"{int(x)}.0", datatype=_DEC)


def reads(q: ox.Quad) -> bool:
    """Whether :func:`derive` reads ``q``: the predicates of ``_QUERY`` and of the facet
    counts, and of ``rdf:type`` only the specification types (the only types either
    looks at). ``derive(ref, [q for q in quads if reads(q)], g)`` equals
    ``derive(ref, quads, g)``, at a third of the memory (a file loaded in chunks keeps
    only these quads)."""
    p = q.predicate
    if p == _RDF_TYPE:
        return q.object in _SPEC_TYPES
    return p in _READ_PREDICATES


def derive(reference: Store, quads: Iterable[ox.Quad], graph: str) -> list[ox.Quad]:
    """Derived quads (in ``<graph>#derived``) for the specifications among ``quads``;
    ``reference`` provides the frameworks and credit systems."""
    staging = ox.Store()
    # only the triples _QUERY reads (inserting everything cost more than the rest of derive)
    wanted = _QUERY_PREDICATES
    default = ox.DefaultGraph()
    quads = quads if isinstance(quads, (list, tuple)) else list(quads)
    staging.extend([q if q.graph_name == default else ox.Quad(q.subject, q.predicate, q.object)
                    for q in quads if q.predicate in wanted])
    idx = framework_index(reference)
    target = ox.NamedNode(derived_graph(graph))
    specs: dict = {}
    solutions = staging.query(_QUERY)
    assert isinstance(solutions, ox.QuerySolutions), "_QUERY is a SELECT"
    for r in solutions:
        info = specs.setdefault(r["spec"], {"eqf": set(), "credits": [], "hours": None})
        if r["level"] is not None and isinstance(r["level"], ox.NamedNode):
            info["eqf"].update(idx.eqf_of(r["level"].value))
        if r["fw"] is not None and r["point"] is not None:
            info["credits"].append((r["fw"].value, r["point"].value))
        if r["vol"] is not None:
            info["hours"] = duration_hours(r["vol"].value)
    # page keys: every specification (of _QUERY, i.e. typed) with an IRI
    keys = {spec: ox.Literal(page_key(spec.value)) for spec in specs if isinstance(spec, ox.NamedNode)}
    out: list[ox.Quad] = [ox.Quad(spec, _PAGE_KEY_P, key, target) for spec, key in keys.items()]
    ects_members: dict[ox.Literal, list] = {}  # derived ECTS value -> page keys
    for spec, info in specs.items():
        for e in sorted(info["eqf"]):
            out.append(ox.Quad(spec, _EQF_P, ox.NamedNode(f"{_EQF}{e}"), target))
        # derivedECTS = ects.value (the system's convention, basis in the rule); derivedECTSMin/Max =
        # by_hours.min/max (notional hours), so min <= max always and the value may lie outside
        # them (UK, SCQF: 20 h per ECTS by convention). A system without hours (ECVET) gives no
        # derived ECTS: its only figure is a disputed analogy; the hours of the volume of learning
        # are used instead when stated.
        ects = None
        for system, point in sorted(info["credits"], key=lambda c: (not c[0].endswith("6fcec5c5af"), c)):
            try:
                doc = convert(reference, point, system)
            except CreditError:
                continue
            if doc.by_hours is not None and doc.ects.value is not None:
                ects = (doc.ects.value, doc.by_hours.min, doc.by_hours.max)
                break
        if ects is None and info["hours"]:
            doc = convert(reference, info["hours"], "HOURS")
            assert doc.by_hours is not None and doc.ects.value is not None  # HOURS defines hours
            ects = (doc.ects.value, doc.by_hours.min, doc.by_hours.max)
        if ects is not None:
            value, lo, hi = ects
            if spec in keys:
                ects_members.setdefault(_dec(value), []).append(keys[spec])
            out += [ox.Quad(spec, _ECTS_P, _dec(value), target),
                    ox.Quad(spec, _MIN_P, _dec(lo), target),
                    ox.Quad(spec, _MAX_P, _dec(hi), target)]
    out += _facet_counts(reference, quads, specs, keys, graph, target)
    out += _ects_members(ects_members, graph, target)
    return out


def _ects_members(by_value: dict[ox.Literal, list], graph: str, target: ox.NamedNode) -> list[ox.Quad]:
    """Per derived ECTS value, a node listing the page keys of the graph's specifications with it."""
    out = []
    base = derived_graph(graph) + "/ects/"
    for n, value in enumerate(sorted(by_value, key=lambda v: float(v.value)), 1):
        node = ox.NamedNode(f"{base}{n}")
        out.append(ox.Quad(node, _ECTS_VALUE_P, value, target))
        out += [ox.Quad(node, _FMEMBER_P, k, target) for k in by_value[value]]
    return out


_COUNTRY_QUERY = (f"SELECT ?org ?c WHERE {{ ?org <{ELM}location> ?loc . ?loc <{ELM}address> ?a . "
                  f"?a <{ELM}countryCode> ?c }}")


def _facet_counts(reference: Store, quads: Sequence[ox.Quad], specs: dict, keys: dict, graph: str,
                  target: ox.NamedNode) -> list[ox.Quad]:
    """Per facet value, the number of the graph's specifications with that value (the
    facets of the ``credential-facets`` named query), and for MEMBER_FACETS their page keys."""
    names = (_LEGAL_NAME, _PREF_LABEL)  # the English names the input gives (for the labels)
    wanted = _FACET_PREDICATES | set(names)
    typed: set = set()
    links: dict[ox.NamedNode, dict] = {p: {} for p in wanted if p != _RDF_TYPE}
    for q in quads:
        p = q.predicate
        if p not in wanted:
            continue
        if p == _RDF_TYPE:
            if q.object in _SPEC_TYPES:
                typed.add(q.subject)
        elif p in names:
            if _english(q.object):
                links[p].setdefault(q.subject, set()).add(q.object.value)
        else:
            links[p].setdefault(q.subject, set()).add(q.object)

    def objs(p: ox.NamedNode, s) -> set:
        return links[p].get(s, set())

    countries: dict = {}

    def country_of(org) -> set:
        hit = countries.get(org)
        if hit is None:
            hit = {c for loc in objs(_LOCATION, org) for a in objs(_ADDRESS, loc) for c in objs(_COUNTRY, a)}
            if not hit and isinstance(org, ox.NamedNode):  # described elsewhere: the store as it is now
                # one query (not a walk over quads_matching): the location and address may be
                # blank nodes, which a remote store cannot be asked about by label
                hit = {r["c"] for r in reference.query(_COUNTRY_QUERY, substitutions={"org": org})}
            countries[org] = hit
        return hit

    # achievements by the specification they are specified by (Europass awards)
    awards: dict = {}
    for achievement, specs_ in links[_SPECIFIED_BY].items():
        for s in specs_:
            awards.setdefault(s, set()).add(achievement)
    counts: dict[tuple[str, _Term], set] = {}
    for spec in typed:
        values: list[tuple[str, _Term]] = []
        info = specs.get(spec)
        if info is not None:
            values += [("eqf", ox.NamedNode(f"{_EQF}{e}")) for e in info["eqf"]]
        # the issuer, whichever ELM path carries it: the awarding opportunity's body, or
        # the body of the awarding process of an achievement specified by the specification
        bodies = {b for ao in objs(_AO, spec) for b in objs(_BODY, ao)}
        bodies |= {b for ach in awards.get(spec, ()) for ap in objs(_AWARDED_BY, ach) for b in objs(_BODY, ap)}
        values += [("issuer", b) for b in bodies]
        values += [("country", c) for b in bodies for c in country_of(b)]
        values += [("mode", m) for m in objs(_MODE, spec)]
        values += [("isced", i) for i in objs(_ISCED, spec)]
        values += [("creditSystem", f) for cp in objs(_CP, spec) for f in objs(_FW, cp)]
        for key in values:
            counts.setdefault(key, set()).add(spec)
    out = []
    base = derived_graph(graph) + "/facet/"
    seq: dict[str, int] = {}
    # n follows the value IRIs' order: credential-facets sorts equal counts by it
    for (facet, value), members in sorted(counts.items(), key=lambda kv: (kv[0][0], _value(kv[0][1]))):
        n = seq[facet] = seq.get(facet, 0) + 1
        node = ox.NamedNode(f"{base}{facet}/{n}")
        out += [ox.Quad(node, _FACET_P, ox.Literal(facet), target),
                ox.Quad(node, _FVALUE_P, value, target),
                ox.Quad(node, _FCOUNT_P, ox.Literal(str(len(members)), datatype=_INT), target)]
        if facet in MEMBER_FACETS:
            out += [ox.Quad(node, _FMEMBER_P, keys[m], target) for m in members if m in keys]
        label = _facet_label(facet, value, reference, objs)
        if label is not None:
            out.append(ox.Quad(node, _FLABEL_P, ox.Literal(label), target))
    return out


_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _value(term: _Term) -> str:
    """A term's value; a quoted triple (RDF-star) has none: an error, as it always was."""
    if isinstance(term, ox.Triple):
        raise TypeError(f"a quoted triple where a value was expected: {term}")
    return term.value


def _english(lit: object) -> TypeGuard[ox.Literal]:
    """``lit`` is a literal in English (``en``, ``en-GB``...)."""
    lang = getattr(lit, "language", None)
    if not lang:
        return False
    return lang.lower() == "en" or lang.lower().startswith("en-")


def _facet_label(facet: str, value, reference: Store, local) -> str | None:
    """The label ``credential-facets`` shows for a facet value, kept at load time so the
    query need not look 2,500 issuer names up: the EQF rank, the country code, the credit
    system's notation, the issuer's English legal name, else the English preferred label,
    else the IRI (the smallest string where there are several, as the query's MIN did).
    ``local(predicate, value)`` gives the English names the input itself holds."""
    v = value.value
    if facet == "country":
        return v.split("/country/", 1)[1] if "/country/" in v else ""
    predicate = _LEGAL_NAME if facet == "issuer" else _PREF_LABEL
    if not isinstance(value, ox.NamedNode):
        found = local(predicate, value) if facet in ("issuer", "mode", "isced") else set()
        return min(found) if found else v
    if facet == "eqf":
        ranks = {_value(q.object) for q in reference.quads_matching(value, _RANK, None)}
        return min(ranks) if ranks else None
    if facet == "creditSystem":
        # the value itself, or a system skos:exactMatch it (plain lookups: they work the same
        # on a remote store, where a path from a bound term did not)
        systems = {value} | {q.subject for q in reference.quads_matching(None, _EXACT_MATCH, value)}
        codes = {_value(q.object) for sys_ in systems if isinstance(sys_, ox.NamedNode)
                 and next(reference.quads_matching(sys_, _RDF_TYPE, _CREDIT_SYSTEM), None) is not None
                 for q in reference.quads_matching(sys_, _NOTATION, None)}
        return min(codes) if codes else v
    found = set(local(predicate, value)) | {
        q.object.value for q in reference.quads_matching(value, predicate, None) if _english(q.object)}
    return min(found) if found else v
