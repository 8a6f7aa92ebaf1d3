"""Faceted search over micro-credential specifications.

Filters: EQF level (also through NQF referencing, via the values derived at load time),
a framework level (read by :func:`microhe.frameworks.parse.parse_level`, as ``microhe level``
reads it: ambiguous input is refused with the candidates), ECTS range (credits in any system, converted at load time), ISCED-F
field and skill (narrower concepts included), issuer country, mode, and words of the
title/description. Results come in a stable order (title, then IRI) with pagination and
facet counts (EQF level, country, field, mode, ECTS band).

The per-credential facts are read with SPARQL queries and kept in memory per store
state (``Store.generation``, via ``per_store``), and saved in the store's directory for the
next process (``microhe.store.snapshots``), with posting lists per filter and facet
value (:class:`FacetIndex`): a search intersects bitsets of record positions and counts
each facet value by one more intersection, never scanning the records; words of the text
filter are found in one casefolded blob of every record's text (recent words memoised).

Over 400 lines because the index and the search over it are one concept: the records,
the bit-set posting lists and the facet counts are built for each other.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from microhe.frameworks.parse import parse_level
from microhe.recognition.models import Facets, SearchHit, SearchLevel, SearchResults
from microhe.recognition.search_query import MODES, SearchError, SearchQuery
from microhe.store.embedded import Store
from microhe.store.labels import Labels
from microhe.store.views import per_store
from microhe.validation.elements import incomplete_records
from microhe.vocab import DCTERMS, ELM, MHE, SKOS

_MODE_NAMES = {v: k for k, v in MODES.items()}
ECTS_BANDS = [(0, 1, "<1"), (1, 3, "1-3"), (3, 6, "3-6"), (6, 10, "6-10"), (10, 15, "10-15"), (15, 30, "15-30"),
              (30, float("inf"), ">=30")]


@dataclass
class Record:
    iri: str
    title: str = ""
    description: str = ""
    issuer: str | None = None
    issuer_name: str | None = None
    country: str | None = None
    eqf: set[int] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    ects: float | None = None
    ects_min: float | None = None
    ects_max: float | None = None
    modes: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    skills: set[str] = field(default_factory=set)
    #: the Council elements the record lacks (``("M9", "M11")``), empty when complete
    incomplete: tuple[str, ...] = ()

    def hit(self, labels: Labels) -> SearchHit:
        """The record as a search result, its title and issuer labelled from ``labels`` (the
        language asked for; the record's own English-first title and name when the store has
        no label)."""
        doc = self.to_json()
        me = labels.ref(self.iri, fallback=self.title)
        issuer = labels.ref(self.issuer, fallback=self.issuer_name) if self.issuer else None
        del doc["title"], doc["issuer_name"]
        return SearchHit(**{**doc, "label": me.label, "lang": me.lang, "issuer": issuer})

    def to_json(self) -> dict:
        doc: dict = {"iri": self.iri, "title": self.title, "issuer": self.issuer, "issuer_name": self.issuer_name,
                     "country": _code(self.country), "eqf": sorted(self.eqf), "ects": self.ects,
                     "ects_range": [self.ects_min, self.ects_max] if self.ects is not None else None,
                     "modes": sorted(_MODE_NAMES.get(m, m) for m in self.modes),
                     "fields": sorted(_key(f) for f in self.fields)}
        if self.incomplete:  # additive: a complete record's JSON is as it always was
            doc["incomplete"] = list(self.incomplete)
        return doc


def _code(iri: str | None) -> str | None:
    return _key(iri) if iri else None


def _key(iri: str) -> str:
    """The last path segment of a vocabulary IRI: the facet key (``DEU``, ``0613``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


_PREFIXES = f"""
PREFIX elm: <{ELM}> PREFIX dcterms: <{DCTERMS}> PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}>
PREFIX rov: <http://www.w3.org/ns/regorg#>
"""
#: Specifications (qualifications and learning achievement specifications, those an awarded
#: achievement is elm:specifiedBy included: real Europass data), each once.
_SPECS = """SELECT DISTINCT ?spec WHERE {
  { ?spec a elm:Qualification } UNION { ?spec a elm:LearningAchievementSpecification }
}"""
#: The awarding body of a specification, whichever ELM path carries it: its awarding
#: opportunity (a specification as published), or the awarding process of an achievement
#: specified by it (an award as Europass issues it).
ISSUER_PATH = "(elm:awardingOpportunity|^elm:specifiedBy/elm:awardedBy)/elm:awardingBody"

_BROADER = f"PREFIX skos: <{SKOS}> SELECT ?c ?b WHERE {{ ?c skos:broader ?b }}"


@dataclass
class SearchIndex:
    records: list[Record]
    narrower: dict[str, set[str]]  # concept -> all narrower concepts (transitive, incl. itself)
    _expanded: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def expand(self, concept: str) -> set[str]:
        return self.narrower.get(concept, set()) | {concept}

    def expanded(self, concept: str) -> frozenset[str]:
        """:meth:`expand`, memoised for the life of the index (read-only)."""
        hit = self._expanded.get(concept)
        if hit is None:
            if len(self._expanded) > 100_000:  # bounded: concepts asked about, not records
                self._expanded.clear()
            hit = self._expanded[concept] = frozenset(self.expand(concept))
        return hit


# -- posting lists ------------------------------------------------------------------------
#
# Record positions (in ``SearchIndex.records`` order) as bitsets: a Python int whose bit i
# is record i. An AND of two sets of 10^5 records is a few microseconds and ``bit_count``
# counts it, so filters and facet counts are intersections, never scans; each dense set
# costs n/8 bytes (12.5 kB at 10^5). Sparse keys (levels, skills) keep sorted arrays of
# positions (4 bytes each) and become bitsets only when a query asks for them.


def _bitset(positions, n: int) -> int:
    buf = bytearray((n + 7) // 8)
    for i in positions:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def _positions(bits: int, start: int, count: int) -> list[int]:
    """Positions of the set bits of ``bits`` of rank ``start`` .. ``start + count - 1``."""
    out: list[int] = []
    if count <= 0 or bits.bit_count() <= start:
        return out
    lo = 0
    if start:
        # The smallest prefix length holding ``start + 1`` set bits, by bisection.
        lo, hi = 0, bits.bit_length()
        while lo < hi:
            mid = (lo + hi) // 2
            if (bits & ((1 << mid) - 1)).bit_count() >= start + 1:
                hi = mid
            else:
                lo = mid + 1
        lo -= 1
    rest = bits >> lo
    while rest and len(out) < count:
        low = rest & -rest
        k = low.bit_length() - 1
        out.append(lo + k)
        rest >>= k + 1
        lo += k + 1
    return out


class FacetIndex:
    """Posting lists of every filter and facet of :func:`search`, per store state."""

    def __init__(self, idx: SearchIndex):
        self.idx = idx
        recs = idx.records
        self.n = n = len(recs)
        self.all = (1 << n) - 1
        eqf: dict[int, list[int]] = {}
        country: dict[str, list[int]] = {}
        modes: dict[str, list[int]] = {}
        fields: dict[str, list[int]] = {}
        bands: dict[str, list[int]] = {}
        levels: dict[str, list[int]] = {}
        skills: dict[str, list[int]] = {}
        by_ects: list[tuple[float, int]] = []
        hay: list[bytes] = []
        self.offsets = offsets = array("Q", [0])
        pos = 0
        for i, r in enumerate(recs):
            for e in r.eqf:
                eqf.setdefault(e, []).append(i)
            if r.country:
                country.setdefault(r.country, []).append(i)
            for m in r.modes:
                modes.setdefault(m, []).append(i)
            for f in r.fields:
                fields.setdefault(f, []).append(i)
            for lv in r.levels:
                levels.setdefault(lv, []).append(i)
            for sk in r.skills:
                skills.setdefault(sk, []).append(i)
            if r.ects is not None:
                if (band := _band(r.ects)) is not None:
                    bands.setdefault(band, []).append(i)
                by_ects.append((r.ects, i))
            # What a text search matches: one UTF-8 blob, one record after the other. UTF-8
            # is self-synchronising, so a byte match is a character match; a word has no
            # whitespace, so no match spans the "\n" between two records.
            h = f"{r.title} {r.description} {r.issuer_name or ''}".casefold().encode("utf-8") + b"\n"
            hay.append(h)
            pos += len(h)
            offsets.append(pos)
        self.blob = b"".join(hay)
        del hay
        self.eqf = {k: _bitset(v, n) for k, v in eqf.items()}
        self.country = {k: _bitset(v, n) for k, v in country.items()}
        self.modes = {k: _bitset(v, n) for k, v in modes.items()}
        self.fields = {k: _bitset(v, n) for k, v in fields.items()}
        self.bands = {k: _bitset(v, n) for k, v in bands.items()}
        self.levels = {k: array("I", v) for k, v in levels.items()}
        self.skills = {k: array("I", v) for k, v in skills.items()}
        by_ects.sort()
        self.ects_values = array("d", (e for e, _ in by_ects))
        self.ects_positions = array("I", (i for _, i in by_ects))
        self._words: dict[bytes, int] = {}

    def union(self, postings: dict[str, array], keys) -> int:
        pos: set[int] = set()
        for k in keys:
            pos.update(postings.get(k, ()))
        return _bitset(pos, self.n)

    def ects_range(self, lo: float | None, hi: float | None) -> int:
        a = 0 if lo is None else bisect_left(self.ects_values, lo)
        b = len(self.ects_values) if hi is None else bisect_right(self.ects_values, hi)
        return _bitset(self.ects_positions[a:b], self.n) if a < b else 0

    def word(self, w: str) -> int:
        """Records whose title, description or issuer name contain ``w`` (casefolded)."""
        key = w.encode("utf-8")
        hit = self._words.get(key)
        if hit is None:
            blob, offsets, found = self.blob, self.offsets, []
            at = blob.find(key)
            while at != -1:
                i = bisect_right(offsets, at) - 1
                found.append(i)
                at = blob.find(key, offsets[i + 1])
            hit = _bitset(found, self.n)
            if len(self._words) >= 256:  # bounded memo of recent words (n/8 bytes each)
                self._words.pop(next(iter(self._words)))
            self._words[key] = hit
        return hit


def _band(ects: float) -> str | None:
    return next((b for lo, hi, b in ECTS_BANDS if lo <= ects < hi), None)


@per_store
def facet_index(store: Store) -> FacetIndex:
    """The posting lists of :class:`FacetIndex` (built once per store state)."""
    return FacetIndex(search_index(store))



def _lang_pick(current: str, lit) -> str:
    # Prefer English labels; otherwise keep the first one seen.
    if not current or getattr(lit, "language", None) == "en":
        return lit.value
    return current


@per_store(persist="search-records", classes=(SearchIndex, Record))
def search_index(store: Store) -> SearchIndex:
    """The per-credential facts search filters on (built once per store state)."""
    # One query per attribute rather than one with every OPTIONAL: the same rows, read
    # ~2x faster (the join of all OPTIONALs per specification is what cost the time).
    # Values of subjects that are not specifications are skipped. (Where a specification
    # has several values and only one is kept -- two awarding bodies, or several titles none
    # of them English -- which one is kept depends on row order, as it did before.)
    recs: dict[str, Record] = {}
    for r in store.query(_PREFIXES + _SPECS):
        iri = r["spec"].value
        if iri not in recs:
            recs[iri] = Record(iri)

    def rows(query: str):
        for r in store.query(_PREFIXES + query):
            rec = recs.get(r["spec"].value)
            if rec is not None:
                yield rec, r

    for rec, r in rows("SELECT ?spec ?title WHERE { ?spec dcterms:title ?title }"):
        rec.title = _lang_pick(rec.title, r["title"])
    for rec, r in rows("SELECT ?spec ?desc WHERE { ?spec dcterms:description ?desc }"):
        rec.description = _lang_pick(rec.description, r["desc"])
    # issuers, their names and countries in three DISTINCT queries joined here: in one query
    # an institution described in n graphs (the same file loaded in shards, or by two
    # publishers) multiplies every specification's rows by its copies of names x locations
    # x addresses x countries (1M credentials in 10 shards: no end in 25 minutes)
    names: dict[str, list] = {}
    for r in store.query(_PREFIXES + "SELECT DISTINCT ?org ?orgname WHERE { ?org rov:legalName|skos:prefLabel ?orgname }"):
        names.setdefault(r["org"].value, []).append(r["orgname"])
    country_of: dict[str, str] = {}
    for r in store.query(_PREFIXES + "SELECT DISTINCT ?org ?country WHERE "
                         "{ ?org elm:location ?l . ?l elm:address ?a . ?a elm:countryCode ?country }"):
        country_of[r["org"].value] = r["country"].value
    for rec, r in rows(f"SELECT DISTINCT ?spec ?org WHERE {{ ?spec {ISSUER_PATH} ?org }}"):
        org = r["org"].value
        rec.issuer = org
        for name in names.get(org, ()):
            rec.issuer_name = _lang_pick(rec.issuer_name or "", name)
        if org in country_of:
            rec.country = country_of[org]
    for rec, r in rows("SELECT ?spec ?eqf WHERE { ?spec mhe:derivedEQFLevel ?eqf }"):
        rec.eqf.add(int(r["eqf"].value.rsplit("/", 1)[-1]))
    for rec, r in rows("SELECT ?spec ?level WHERE { ?spec elm:EQFLevel|elm:NQFLevel ?level }"):
        rec.levels.add(r["level"].value)
    for rec, r in rows("SELECT ?spec ?ects ?emin ?emax WHERE "
                       "{ ?spec mhe:derivedECTS ?ects ; mhe:derivedECTSMin ?emin ; mhe:derivedECTSMax ?emax }"):
        rec.ects, rec.ects_min, rec.ects_max = (float(r["ects"].value), float(r["emin"].value),
                                                float(r["emax"].value))
    for rec, r in rows("SELECT ?spec ?mode WHERE { ?spec elm:mode ?mode }"):
        rec.modes.add(r["mode"].value)
    for rec, r in rows("SELECT ?spec ?isced WHERE { ?spec elm:ISCEDFCode ?isced }"):
        rec.fields.add(r["isced"].value)
    for rec, r in rows("SELECT ?spec ?skill WHERE { ?spec elm:learningOutcome/elm:relatedESCOSkill ?skill }"):
        rec.skills.add(r["skill"].value)
    children: dict[str, set[str]] = {}
    for r in store.query(_BROADER):
        children.setdefault(r["b"].value, set()).add(r["c"].value)
    narrower: dict[str, set[str]] = {}

    def closure(c: str, seen: set[str]) -> set[str]:
        if c in narrower:
            return narrower[c]
        out = set()
        for ch in children.get(c, ()):
            if ch not in seen:
                out |= {ch} | closure(ch, seen | {ch})
        narrower[c] = out
        return out

    for c in list(children):
        closure(c, {c})
    for iri, gaps in incomplete_records(store).items():
        rec = recs.get(iri)
        if rec is not None:
            rec.incomplete = gaps
    ordered = sorted(recs.values(), key=lambda r: (r.title.casefold(), r.iri))
    return SearchIndex(ordered, narrower)


def search(store: Store, query: SearchQuery | None = None, /, langs: tuple[str, ...] = (),
           **filters: Any) -> SearchResults:
    """Matching specifications (stable order) with facet counts over all matches: for a
    :class:`SearchQuery`, or for its fields as keywords (``search(store, eqf=6)``). Titles,
    issuers and levels are labelled in ``langs`` (else English, else any)."""
    if query is None:
        query = SearchQuery.of(**filters)
    elif filters:
        raise TypeError("give a SearchQuery or keyword filters, not both")
    query.check()
    eqf, framework, level, ects_min, ects_max = query.eqf, query.framework, query.level, query.ects_min, query.ects_max
    field, skill, country, mode, text = query.field, query.skill, query.country, query.mode, query.text
    limit, offset, facets = query.limit, query.offset, query.facets
    fx = facet_index(store)
    idx = fx.idx
    level_iris: set[str] | None = None
    searched: SearchLevel | None = None
    if level is not None:
        # as `microhe level` reads it: "SCQF 11", "FQF Level 6", a QDR IRI, "6" with a framework;
        # Unknown* errors with the valid values, AmbiguousLevelError with the candidates
        parsed = parse_level(store, level, framework)
        level_iris = {x for lv in parsed.levels for x in (lv.iri, *lv.matches)}
        if parsed.concept:
            level_iris.add(parsed.concept)
        searched = SearchLevel(framework=parsed.framework, level=", ".join(lv.label for lv in parsed.levels),
                               eqf=sorted(set(parsed.eqf)),
                               levels=Labels(store, langs).refs(lv.iri for lv in parsed.levels))
    country_iri = _country(country) if country else None
    words = [w.casefold() for w in text.split()] if text else []

    # Each filter is a set of record positions; the hits are their intersection.
    hits = fx.all
    if eqf is not None:
        hits &= fx.eqf.get(int(eqf), 0)
    if level_iris is not None:
        hits &= fx.union(fx.levels, level_iris)
    if ects_min is not None or ects_max is not None:
        hits &= fx.ects_range(ects_min, ects_max)
    if field:
        fields = idx.expanded(_isced(field))
        bits = 0
        for f in fields:
            bits |= fx.fields.get(f, 0)
        hits &= bits
    if skill:
        hits &= fx.union(fx.skills, idx.expanded(skill))
    if country_iri is not None:
        hits &= fx.country.get(country_iri, 0)
    if mode:
        hits &= fx.modes.get(MODES[mode.lower()], 0)
    for w in words:
        if not hits:
            break
        hits &= fx.word(w)

    recs = idx.records
    page = [recs[i] for i in _positions(hits, offset, limit)]
    labels = Labels(store, langs).fetch([x for r in page for x in (r.iri, r.issuer)])
    return SearchResults(
        total=hits.bit_count(), offset=offset, limit=limit,
        results=[r.hit(labels) for r in page],
        level=searched,
        facets=Facets(**_facet_counts(fx, hits)) if facets else None,
    )


def _facet_counts(fx: FacetIndex, hits: int) -> dict:
    """Facet counts of the hits: per value, the size of its intersection with the hits
    (a record counts once per value it has, as in :func:`_facets`)."""
    out: dict[str, dict[str, int]] = {"eqf": {}, "country": {}, "field": {}, "mode": {}, "ects": {}}
    dims: tuple[tuple[str, dict, Callable[[Any], str]], ...] = (
        ("eqf", fx.eqf, str), ("country", fx.country, _key), ("field", fx.fields, _key),
        ("mode", fx.modes, lambda m: _MODE_NAMES.get(m, _key(m))), ("ects", fx.bands, str))
    for name, postings, key in dims:
        counts = out[name]
        for value, bits in postings.items():
            c = (bits & hits).bit_count()
            if c:
                k = key(value)
                counts[k] = counts.get(k, 0) + c
    return {k: dict(sorted(v.items())) for k, v in out.items()}


def _facets(hits: list[Record]) -> dict:
    """Facet counts by a scan of the records (the reference :func:`_facet_counts` keeps)."""
    out: dict[str, dict[str, int]] = {"eqf": {}, "country": {}, "field": {}, "mode": {}, "ects": {}}
    for r in hits:
        for e in r.eqf:
            out["eqf"][str(e)] = out["eqf"].get(str(e), 0) + 1
        if r.country:
            c = _key(r.country)
            out["country"][c] = out["country"].get(c, 0) + 1
        for f in r.fields:
            c = _key(f)
            out["field"][c] = out["field"].get(c, 0) + 1
        for m in r.modes:
            c = _MODE_NAMES.get(m, _key(m))
            out["mode"][c] = out["mode"].get(c, 0) + 1
        if r.ects is not None and (band := _band(r.ects)) is not None:
            out["ects"][band] = out["ects"].get(band, 0) + 1
    return {k: dict(sorted(v.items())) for k, v in out.items()}


def _isced(code: str) -> str:
    return code if code.startswith("http") else f"http://data.europa.eu/snb/isced-f/{code}"


def _country(code: str) -> str:
    if code.startswith("http"):
        return code
    if len(code) != 3 or not code.isalpha():
        raise SearchError(f"country must be an ISO 3166-1 alpha-3 code such as DEU, not {code!r}")
    return f"http://publications.europa.eu/resource/authority/country/{code.upper()}"
