"""Faceted search over micro-credential specifications.

Filters: EQF level (also through NQF referencing, via the values derived at load time),
framework + level, ECTS range (credits in any system, converted at load time), ISCED-F
field and skill (narrower concepts included), issuer country, mode, and words of the
title/description. Results come in a stable order (title, then IRI) with pagination and
facet counts (EQF level, country, field, mode, ECTS band).

The per-credential facts are read with one SPARQL query and kept in memory per store
state (``Store.generation``), so a search is a scan of plain Python records: cheap at
10^5 credentials once the index is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..namespaces import DCTERMS, ELM, MHE, SKOS
from ..store import Store, per_store
from .levels import framework_index

MODES = {
    "online": "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
    "presential": "http://data.europa.eu/snb/learning-assessment/9191af2ed9",
    "blended": "http://data.europa.eu/snb/learning-assessment/e92d221e4d",
}
_MODE_NAMES = {v: k for k, v in MODES.items()}
ECTS_BANDS = [(0, 1, "<1"), (1, 3, "1-3"), (3, 6, "3-6"), (6, 10, "6-10"), (10, 15, "10-15"), (15, 30, "15-30"),
              (30, float("inf"), ">=30")]


class SearchError(ValueError):
    pass


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

    def to_json(self) -> dict:
        return {"iri": self.iri, "title": self.title, "issuer": self.issuer, "issuer_name": self.issuer_name,
                "country": _code(self.country), "eqf": sorted(self.eqf), "ects": self.ects,
                "ects_range": [self.ects_min, self.ects_max] if self.ects is not None else None,
                "modes": sorted(_MODE_NAMES.get(m, m) for m in self.modes),
                "fields": sorted(_code(f) for f in self.fields)}


def _code(iri: str | None) -> str | None:
    return iri.rstrip("/").rsplit("/", 1)[-1] if iri else None


_QUERY = f"""
PREFIX elm: <{ELM}> PREFIX dcterms: <{DCTERMS}> PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}>
PREFIX rov: <http://www.w3.org/ns/regorg#>
SELECT ?spec ?title ?desc ?org ?orgname ?country ?eqf ?level ?ects ?emin ?emax ?mode ?isced ?skill WHERE {{
  {{ ?spec a elm:Qualification }} UNION {{ ?spec a elm:LearningAchievementSpecification }}
  FILTER NOT EXISTS {{ ?ach elm:specifiedBy ?spec }}
  OPTIONAL {{ ?spec dcterms:title ?title }}
  OPTIONAL {{ ?spec dcterms:description ?desc }}
  OPTIONAL {{ ?spec elm:awardingOpportunity/elm:awardingBody ?org .
             OPTIONAL {{ ?org rov:legalName|skos:prefLabel ?orgname }}
             OPTIONAL {{ ?org elm:location/elm:address/elm:countryCode ?country }} }}
  OPTIONAL {{ ?spec mhe:derivedEQFLevel ?eqf }}
  OPTIONAL {{ ?spec elm:EQFLevel|elm:NQFLevel ?level }}
  OPTIONAL {{ ?spec mhe:derivedECTS ?ects ; mhe:derivedECTSMin ?emin ; mhe:derivedECTSMax ?emax }}
  OPTIONAL {{ ?spec elm:mode ?mode }}
  OPTIONAL {{ ?spec elm:ISCEDFCode ?isced }}
  OPTIONAL {{ ?spec elm:learningOutcome/elm:relatedESCOSkill ?skill }}
}}"""

_BROADER = f"PREFIX skos: <{SKOS}> SELECT ?c ?b WHERE {{ ?c skos:broader ?b }}"


@dataclass
class SearchIndex:
    records: list[Record]
    narrower: dict[str, set[str]]  # concept -> all narrower concepts (transitive, incl. itself)

    def expand(self, concept: str) -> set[str]:
        return self.narrower.get(concept, set()) | {concept}




def _lang_pick(current: str, lit) -> str:
    # Prefer English labels; otherwise keep the first one seen.
    if not current or getattr(lit, "language", None) == "en":
        return lit.value
    return current


@per_store
def search_index(store: Store) -> SearchIndex:
    """The per-credential facts search filters on (built once per store state)."""
    recs: dict[str, Record] = {}
    for r in store.query(_QUERY):
        iri = r["spec"].value
        rec = recs.get(iri) or recs.setdefault(iri, Record(iri))
        if r["title"] is not None:
            rec.title = _lang_pick(rec.title, r["title"])
        if r["desc"] is not None:
            rec.description = _lang_pick(rec.description, r["desc"])
        if r["org"] is not None:
            rec.issuer = r["org"].value
        if r["orgname"] is not None:
            rec.issuer_name = _lang_pick(rec.issuer_name or "", r["orgname"])
        if r["country"] is not None:
            rec.country = r["country"].value
        if r["eqf"] is not None:
            rec.eqf.add(int(r["eqf"].value.rsplit("/", 1)[-1]))
        if r["level"] is not None:
            rec.levels.add(r["level"].value)
        if r["ects"] is not None:
            rec.ects, rec.ects_min, rec.ects_max = (float(r["ects"].value), float(r["emin"].value),
                                                    float(r["emax"].value))
        if r["mode"] is not None:
            rec.modes.add(r["mode"].value)
        if r["isced"] is not None:
            rec.fields.add(r["isced"].value)
        if r["skill"] is not None:
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
    ordered = sorted(recs.values(), key=lambda r: (r.title.casefold(), r.iri))
    return SearchIndex(ordered, narrower)


def search(
    store: Store,
    *,
    eqf: int | None = None,
    framework: str | None = None,
    level: str | None = None,
    ects_min: float | None = None,
    ects_max: float | None = None,
    field: str | None = None,
    skill: str | None = None,
    country: str | None = None,
    mode: str | None = None,
    text: str | None = None,
    limit: int = 20,
    offset: int = 0,
    facets: bool = True,
) -> dict:
    """Matching specifications (stable order) with facet counts over all matches."""
    if eqf is not None and not 1 <= int(eqf) <= 8:
        raise SearchError(f"eqf must be 1-8, not {eqf}")
    if (framework is None) != (level is None):
        raise SearchError("give --framework and --level together")
    if mode is not None and mode.lower() not in MODES:
        raise SearchError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if limit < 0 or offset < 0 or limit > 1000:
        raise SearchError("limit must be 0-1000 and offset >= 0")
    for name, v in (("ects_min", ects_min), ("ects_max", ects_max)):
        if v is not None and (v != v or v < 0):
            raise SearchError(f"{name} must be a non-negative number")
    idx = search_index(store)
    level_iris: set[str] | None = None
    level_eqf: set[int] = set()
    if framework is not None:
        fidx = framework_index(store)
        lv = fidx.find(framework, level)  # raises Unknown* errors with valid values
        level_iris = {lv.iri, *lv.matches}
        level_eqf = set(lv.eqf)
    fields = idx.expand(_isced(field)) if field else None
    skills = idx.expand(skill) if skill else None
    country_iri = _country(country) if country else None
    mode_iri = MODES[mode.lower()] if mode else None
    words = [w.casefold() for w in text.split()] if text else []

    def ok(r: Record) -> bool:
        if eqf is not None and int(eqf) not in r.eqf:
            return False
        if level_iris is not None and not (r.levels & level_iris):
            return False
        if ects_min is not None and (r.ects is None or r.ects < ects_min):
            return False
        if ects_max is not None and (r.ects is None or r.ects > ects_max):
            return False
        if fields is not None and not (r.fields & fields):
            return False
        if skills is not None and not (r.skills & skills):
            return False
        if country_iri is not None and r.country != country_iri:
            return False
        if mode_iri is not None and mode_iri not in r.modes:
            return False
        if words:
            hay = f"{r.title} {r.description} {r.issuer_name or ''}".casefold()
            if not all(w in hay for w in words):
                return False
        return True

    hits = [r for r in idx.records if ok(r)]
    doc = {
        "total": len(hits), "offset": offset, "limit": limit,
        "results": [r.to_json() for r in hits[offset:offset + limit]],
    }
    if level_iris is not None:
        doc["level"] = {"framework": framework, "level": level, "eqf": sorted(level_eqf)}
    if facets:
        doc["facets"] = _facets(hits)
    return doc


def _facets(hits: list[Record]) -> dict:
    out: dict[str, dict[str, int]] = {"eqf": {}, "country": {}, "field": {}, "mode": {}, "ects": {}}
    for r in hits:
        for e in r.eqf:
            out["eqf"][str(e)] = out["eqf"].get(str(e), 0) + 1
        if r.country:
            c = _code(r.country)
            out["country"][c] = out["country"].get(c, 0) + 1
        for f in r.fields:
            c = _code(f)
            out["field"][c] = out["field"].get(c, 0) + 1
        for m in r.modes:
            c = _MODE_NAMES.get(m, _code(m))
            out["mode"][c] = out["mode"].get(c, 0) + 1
        if r.ects is not None:
            band = next(b for lo, hi, b in ECTS_BANDS if lo <= r.ects < hi)
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
