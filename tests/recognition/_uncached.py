"""The recognition functions as they were before their per-store indexes (microhe
0.x, commit baf4e5b): a scan of every record per call, part-of edges queried per call,
the search index built by the one-query builder as it was (``old_search_index``), not the cached view. The
tests compare the indexed functions with these on the demo data and on synthetic data."""

# ruff: noqa
from __future__ import annotations

from microhe.recognition.facts import Facts, read_facts
from microhe.frameworks.levels import framework_index
from microhe.vocab import DCTERMS, ELM, MHE, SKOS
from microhe.recognition.search import (
    _MODE_NAMES,
    ECTS_BANDS,
    MODES,
    Record,
    SearchError,
    SearchIndex,
    _code,
    _country,
    _isced,
    _lang_pick,
)
from microhe.store.embedded import Store
from microhe.validation.elements import incomplete_records

KEEP_PER_SIGNATURE = 3
_last: list = [None, None, None]


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


def old_search_index(store: Store) -> SearchIndex:
    """The search index as it was built: one SPARQL query with every OPTIONAL."""
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
    # (the Council elements a record lacks came later, from one function of their own:
    # taken from it, so that the comparison is about the indexes)
    gaps = incomplete_records(store)
    for rec in recs.values():
        rec.incomplete = gaps.get(rec.iri, ())
    ordered = sorted(recs.values(), key=lambda r: (r.title.casefold(), r.iri))
    return SearchIndex(ordered, narrower)


def _fresh_index(store: Store):
    """The search index built by the old builder; kept only while the same store
    is asked about at the same generation (so a test's many calls do not rebuild it)."""
    if _last[0] is not store or _last[1] != store.generation:
        _last[:] = [store, store.generation, old_search_index(store)]
    return _last[2]


def _cycles(store: Store, start: str, limit: int = 50) -> tuple[list[list[str]], list[str]]:
    """Cycles in the declared part-of graph reachable from ``start`` and its parts closure."""
    edges: dict[str, set[str]] = {}
    for r in store.query("PREFIX elm: <http://data.europa.eu/snb/model/elm/> SELECT ?w ?p WHERE "
                         "{ { ?w elm:hasPart ?p } UNION { ?p elm:isPartOf ?w } }"):
        edges.setdefault(r["w"].value, set()).add(r["p"].value)
    cycles: list[list[str]] = []
    seen_parts: list[str] = []
    visited: set[str] = set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt in path:
                cyc = path[path.index(nxt):] + [nxt]
                if cyc not in cycles and len(cycles) < limit:
                    cycles.append(cyc)
                continue
            if nxt not in visited:
                visited.add(nxt)
                seen_parts.append(nxt)
                walk(nxt, path + [nxt])

    walk(start, [start])
    return cycles, seen_parts


def pathways_uncached(store: Store, target: Facts | str, *, max_size: int = 3, limit: int = 10) -> dict:
    """Ranked pathways to ``target`` (a Facts or an IRI in the store)."""
    if not 1 <= max_size <= 6:
        raise ValueError("max must be between 1 and 6")
    tgt = read_facts(store, target) if isinstance(target, str) else target
    idx = _fresh_index(store)
    required = sorted(tgt.required_outcomes)
    need_ects = tgt.ects or 0.0
    need_eqf = min(tgt.eqf) if tgt.eqf else None
    cycles, declared_parts = _cycles(store, tgt.iri)
    excluded = {tgt.iri}

    def covers(rec: Record) -> frozenset[str]:
        have = rec.skills
        return frozenset(t for t in required if have & idx.expand(t))

    # Prune: level-compatible candidates that cover something (or, with no required
    # outcomes, that bring workload), best few per covered set.
    by_sig: dict[frozenset[str], list[tuple[Record, frozenset[str]]]] = {}
    considered = 0
    for rec in idx.records:
        if rec.iri in excluded or rec.ects is None:
            continue
        if need_eqf is not None and (not rec.eqf or max(rec.eqf) < need_eqf):
            continue
        sig = covers(rec)
        if required and not sig:
            continue
        considered += 1
        by_sig.setdefault(sig, []).append((rec, sig))
    cands: list[tuple[Record, frozenset[str]]] = []
    for sig, lst in by_sig.items():
        lst.sort(key=lambda x: (x[0].ects, x[0].iri))
        # The cheapest few, and one of every other workload: same covered set and same
        # ECTS are interchangeable, but the cheapest alone may never reach the target's
        # workload (three 1-ECTS courses hide the 6-ECTS one a 6-ECTS target needs).
        kept = lst[:KEEP_PER_SIGNATURE]
        seen = {x[0].ects for x in kept}
        for x in lst[KEEP_PER_SIGNATURE:]:
            if x[0].ects not in seen:
                seen.add(x[0].ects)
                kept.append(x)
        cands.extend(kept)
    cands.sort(key=lambda x: (-len(x[1]), x[0].ects, x[0].iri))

    full = frozenset(required)
    found: list[tuple[float, int, tuple[str, ...], list[Record]]] = []
    # Bounds of what cands[i:] can still bring (each non-increasing in i), so that the
    # search of each size skips branches that cannot give a complete combination.
    n = len(cands)
    suffix_cover: list[frozenset[str]] = [frozenset()] * (n + 1)
    suffix_sig, suffix_ects = [0] * (n + 1), [0.0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix_cover[i] = suffix_cover[i + 1] | cands[i][1]
        suffix_sig[i] = max(suffix_sig[i + 1], len(cands[i][1]))
        suffix_ects[i] = max(suffix_ects[i + 1], cands[i][0].ects)

    def complete(covered: frozenset[str], total: float) -> bool:
        return covered == full and total + 1e-9 >= need_ects

    def extend(start: int, combo: list, covered: frozenset[str], total: float, size: int) -> None:
        if len(combo) == size:
            if not complete(covered, total):
                return
            # Minimal combinations only: every member must be needed.
            if size > 1 and any(
                frozenset().union(*(c[1] for c in combo if c is not drop)) == full
                and total - drop[0].ects + 1e-9 >= need_ects for drop in combo):
                return
            recs = [c[0] for c in combo]
            found.append((round(total - need_ects, 4), size, tuple(sorted(r.iri for r in recs)), recs))
            return
        slots = size - len(combo)
        missing = full - covered
        for i in range(start, n - slots + 1):
            if not missing <= suffix_cover[i] or len(missing) > slots * suffix_sig[i] \
                    or total + slots * suffix_ects[i] + 1e-9 < need_ects:
                break  # no combination from here on can be complete
            rec, sig = cands[i]
            covered2, total2 = covered | sig, total + rec.ects
            if slots > 1 and complete(covered2, total2):
                continue  # complete already: any larger combination with it is not minimal
            extend(i + 1, combo + [cands[i]], covered2, total2, size)

    for size in range(1, max_size + 1):
        extend(0, [], frozenset(), 0.0, size)
        if len(found) >= limit * 4:
            break
    found.sort(key=lambda f: (f[0], f[1], f[2]))

    def brief(r: Record) -> dict:
        return {"iri": r.iri, "title": r.title, "ects": r.ects, "eqf": sorted(r.eqf)}

    best_partial = None
    if not found:  # also when no candidate covers anything: say so, never an empty answer
        union = frozenset().union(*(c[1] for c in cands))
        best_partial = {"covered": sorted(union), "missing": sorted(full - union),
                        "reason": "no combination of at most %d credentials covers every required outcome "
                                  "and the workload" % max_size}
    return {
        "target": {"iri": tgt.iri, "title": tgt.title, "eqf": sorted(tgt.eqf), "ects": tgt.ects,
                   "required_outcomes": required},
        "pathways": [{"credentials": [brief(r) for r in recs], "total_ects": round(sum(r.ects for r in recs), 2),
                      "excess_ects": round(excess, 2), "covered": required, "missing": []}
                     for excess, _, _, recs in found[:limit]],
        "declared_stack": {"parts": declared_parts, "cycles": cycles},
        "candidates_considered": considered,
        "candidates_combined": len(cands),
        "no_solution": best_partial,
    }


def search_uncached(
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
    idx = _fresh_index(store)
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
