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
from collections.abc import Callable, Iterable, Iterator
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

_EQF_LEVEL, _NQF_LEVEL, _POINT, _VOLUME = (ox.NamedNode(ELM + p) for p in ("EQFLevel", "NQFLevel", "point",
                                                                     "volumeOfLearning"))
#: every predicate the per-specification values read (types, levels, credits, volume)
_QUERY_PREDICATES = frozenset((_RDF_TYPE, _EQF_LEVEL, _NQF_LEVEL, _CP, _FW, _POINT, _VOLUME))

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
    """Whether :func:`derive_stream` reads ``q``: the predicates of the per-specification
    values and of the facets, and of ``rdf:type`` only the specification types (the only
    types it looks at). ``derive`` puts only these quads in its in-memory source, about a
    third of a file."""
    p = q.predicate
    if p == _RDF_TYPE:
        return q.object in _SPEC_TYPES
    return p in _READ_PREDICATES


def derive(reference: Store, quads: Iterable[ox.Quad], graph: str) -> list[ox.Quad]:
    """Derived quads (in ``<graph>#derived``) for the specifications among ``quads``;
    ``reference`` provides the frameworks and credit systems (see :func:`derive_stream`)."""
    source = ox.Store()  # in memory: the quads derive reads, all in the default graph
    source.extend([ox.Quad(q.subject, q.predicate, q.object) for q in quads if reads(q)])
    return list(derive_stream(reference, source, ox.DefaultGraph(), graph))


def derive_stream(reference: Store, source: ox.Store, source_graph: ox.NamedNode | ox.DefaultGraph, graph: str,
                  *, done: Callable[[int], None] | None = None) -> Iterator[ox.Quad]:
    """The derived quads of the specifications in ``source_graph`` of ``source``, one
    specification after the other, then the per-graph aggregates (facet and ECTS nodes).

    Reads with lookups, so what it holds grows with the number of facet values and
    specifications' page keys, not with the triples: a graph of a million specifications
    written in chunks is derived from the store after its write (``source`` is then the
    store itself). ``done(n)`` is told after every ``n`` specifications."""
    src = _Source(source, source_graph)
    idx = framework_index(reference)
    target = ox.NamedNode(derived_graph(graph))
    counts: dict[tuple[str, _Term], int] = {}
    members: dict[tuple[str, _Term], list[ox.Literal]] = {}
    ects_members: dict[ox.Literal, list] = {}  # derived ECTS value -> page keys
    countries: dict = {}
    conversions: dict = {}  # (value, system) -> its conversion, or None (a third of the time without it)

    def conversion(value, system: str):
        key = (value, system)
        if key in conversions:
            return conversions[key]
        try:
            doc = convert(reference, value, system)
        except CreditError:
            doc = None
        if len(conversions) < _CONVERSIONS_KEPT:
            conversions[key] = doc
        return doc

    def country_of(org) -> set:
        hit = countries.get(org)
        if hit is None:
            hit = {c for loc in src.objects(org, _LOCATION) for a in src.objects(loc, _ADDRESS)
                   for c in src.objects(a, _COUNTRY)}
            if not hit and isinstance(org, ox.NamedNode):  # described elsewhere: the store as it is now
                # one query (not a walk over quads_matching): the location and address may be
                # blank nodes, which a remote store cannot be asked about by label
                hit = {r["c"] for r in reference.query(_COUNTRY_QUERY, substitutions={"org": org})}
            countries[org] = hit
        return hit

    told = 0
    for told, spec in enumerate(src.specifications(), 1):
        if done is not None and told % _TELL_EVERY == 0:
            done(_TELL_EVERY)
        eqf = {e for level in (*src.objects(spec, _EQF_LEVEL), *src.objects(spec, _NQF_LEVEL))
               if isinstance(level, ox.NamedNode) for e in idx.eqf_of(level.value)}
        points = src.objects(spec, _CP)
        key = ox.Literal(page_key(spec.value)) if isinstance(spec, ox.NamedNode) else None
        if key is not None:
            yield ox.Quad(spec, _PAGE_KEY_P, key, target)
        for e in sorted(eqf):
            yield ox.Quad(spec, _EQF_P, ox.NamedNode(f"{_EQF}{e}"), target)
        ects = _ects(conversion, src, spec, points)
        if ects is not None:
            value, lo, hi = ects
            if key is not None:
                ects_members.setdefault(_dec(value), []).append(key)
            yield ox.Quad(spec, _ECTS_P, _dec(value), target)
            yield ox.Quad(spec, _MIN_P, _dec(lo), target)
            yield ox.Quad(spec, _MAX_P, _dec(hi), target)
        # the facet values (each counted once per specification)
        values: set[tuple[str, _Term]] = {("eqf", ox.NamedNode(f"{_EQF}{e}")) for e in eqf}
        # the issuer, whichever ELM path carries it: the awarding opportunity's body, or
        # the body of the awarding process of an achievement specified by the specification
        bodies = {b for ao in src.objects(spec, _AO) for b in src.objects(ao, _BODY)}
        bodies |= {b for ach in src.subjects(_SPECIFIED_BY, spec) for ap in src.objects(ach, _AWARDED_BY)
                   for b in src.objects(ap, _BODY)}
        values |= {("issuer", b) for b in bodies}
        values |= {("country", c) for b in bodies for c in country_of(b)}
        values |= {("mode", m) for m in src.objects(spec, _MODE)}
        values |= {("isced", i) for i in src.objects(spec, _ISCED)}
        values |= {("creditSystem", f) for cp in points for f in src.objects(cp, _FW)}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
            if key is not None and v[0] in MEMBER_FACETS:
                members.setdefault(v, []).append(key)
    if done is not None:
        done(told % _TELL_EVERY)
    yield from _facet_nodes(reference, src, counts, members, graph, target)
    yield from _ects_members(ects_members, graph, target)


#: how many specifications :func:`derive_stream` derives between two calls of ``done``
_TELL_EVERY = 1000
#: how many distinct credit values :func:`derive_stream` remembers the conversion of
_CONVERSIONS_KEPT = 10_000


class _Source:
    """The triples derive reads: one graph of a pyoxigraph store (in memory or on disk)."""

    def __init__(self, store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> None:
        self.store, self.graph = store, graph

    def objects(self, subject, predicate: ox.NamedNode) -> list:
        if isinstance(subject, ox.Literal):  # a literal where a node was expected: nothing hangs off it
            return []
        return [q.object for q in self.store.quads_for_pattern(subject, predicate, None, self.graph)]

    def subjects(self, predicate: ox.NamedNode, obj) -> list:
        return [q.subject for q in self.store.quads_for_pattern(None, predicate, obj, self.graph)]

    def specifications(self) -> Iterator:
        """Each subject typed with a specification type, once."""
        first, *others = sorted(_SPEC_TYPES, key=lambda t: t.value)
        for q in self.store.quads_for_pattern(None, _RDF_TYPE, first, self.graph):
            yield q.subject
        for t in others:
            for q in self.store.quads_for_pattern(None, _RDF_TYPE, t, self.graph):
                if not self.has(q.subject, _RDF_TYPE, first):
                    yield q.subject

    def has(self, subject, predicate: ox.NamedNode, obj) -> bool:
        return next(iter(self.store.quads_for_pattern(subject, predicate, obj, self.graph)), None) is not None

    def english(self, predicate: ox.NamedNode, subject) -> set[str]:
        """The English names (``predicate``) the source gives ``subject``."""
        return {o.value for o in self.objects(subject, predicate) if _english(o)}


def _ects(conversion: Callable, src: _Source, spec, points: list) -> tuple[float, float, float] | None:
    """(value, min, max) of a specification's derived ECTS, or None.

    derivedECTS = ects.value (the system's convention, basis in the rule); derivedECTSMin/Max =
    by_hours.min/max (notional hours), so min <= max always and the value may lie outside
    them (UK, SCQF: 20 h per ECTS by convention). A system without hours (ECVET) gives no
    derived ECTS: its only figure is a disputed analogy; the hours of the volume of learning
    are used instead when stated. ``conversion(value, system)``: the credit conversion, or
    None where the system has none."""
    credits = [(_value(fw), _value(point)) for cp in points for fw in src.objects(cp, _FW)
               for point in src.objects(cp, _POINT)]
    # ECTS itself first, then the others in a fixed order
    for system, point in sorted(credits, key=lambda c: (not c[0].endswith("6fcec5c5af"), c)):
        doc = conversion(point, system)
        if doc is not None and doc.by_hours is not None and doc.ects.value is not None:
            return doc.ects.value, doc.by_hours.min, doc.by_hours.max
    # one volume of learning is the rule (the smallest text where a graph gives several)
    volumes = sorted(_value(v) for v in src.objects(spec, _VOLUME))
    hours = duration_hours(volumes[0]) if volumes else None
    if hours:
        doc = conversion(hours, "HOURS")
        assert doc is not None and doc.by_hours is not None and doc.ects.value is not None  # HOURS defines hours
        return doc.ects.value, doc.by_hours.min, doc.by_hours.max
    return None


def _ects_members(by_value: dict[ox.Literal, list], graph: str, target: ox.NamedNode) -> Iterator[ox.Quad]:
    """Per derived ECTS value, a node listing the page keys of the graph's specifications with it."""
    base = derived_graph(graph) + "/ects/"
    for n, value in enumerate(sorted(by_value, key=lambda v: float(v.value)), 1):
        node = ox.NamedNode(f"{base}{n}")
        yield ox.Quad(node, _ECTS_VALUE_P, value, target)
        for k in by_value[value]:
            yield ox.Quad(node, _FMEMBER_P, k, target)


_COUNTRY_QUERY = (f"SELECT ?org ?c WHERE {{ ?org <{ELM}location> ?loc . ?loc <{ELM}address> ?a . "
                  f"?a <{ELM}countryCode> ?c }}")


def _facet_nodes(reference: Store, src: _Source, counts: dict, members: dict, graph: str,
                 target: ox.NamedNode) -> Iterator[ox.Quad]:
    """Per facet value, the number of the graph's specifications with that value (the
    facets of the ``credential-facets`` named query), and for MEMBER_FACETS their page keys."""
    base = derived_graph(graph) + "/facet/"
    seq: dict[str, int] = {}
    # n follows the value IRIs' order: credential-facets sorts equal counts by it
    for facet, value in sorted(counts, key=lambda fv: (fv[0], _value(fv[1]))):
        n = seq[facet] = seq.get(facet, 0) + 1
        node = ox.NamedNode(f"{base}{facet}/{n}")
        yield ox.Quad(node, _FACET_P, ox.Literal(facet), target)
        yield ox.Quad(node, _FVALUE_P, value, target)
        yield ox.Quad(node, _FCOUNT_P, ox.Literal(str(counts[facet, value]), datatype=_INT), target)
        for k in members.get((facet, value), ()):
            yield ox.Quad(node, _FMEMBER_P, k, target)
        label = _facet_label(facet, value, reference, src.english)
        if label is not None:
            yield ox.Quad(node, _FLABEL_P, ox.Literal(label), target)


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
