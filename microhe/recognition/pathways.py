"""Stackability: combinations of micro-credentials that together cover a target's
required learning outcomes and workload at a compatible level.

Candidates are pruned before combining: only specifications at or above the target's
EQF level that cover at least one required outcome (same concept or narrower), and for
each distinct set of covered outcomes only the few with the least workload plus one of
each other workload. A bounded depth-first search (pruned where what is left cannot
complete a combination) then combines up to ``max_size`` candidates; pathways are ranked by
the fewest credits beyond the requirement, then the fewest credentials. Declared stacks
(``elm:hasPart`` / ``elm:isPartOf``) are reported as they are, with any cycle found in them.

Per store state (``per_store``) the declared part-of edges are read once, and the records
covering a required outcome come from the search index's skill posting lists (with the
outcome's narrower concepts, memoised), so a call touches only the records that cover
something rather than every record.
"""

from __future__ import annotations

from microhe.errors import InvalidValue
from microhe.recognition.facts import Facts, read_facts
from microhe.recognition.models import CredentialBrief, DeclaredStack, NoSolution, Pathway, Pathways, PathwayTarget
from microhe.recognition.search import Record, facet_index, search_index
from microhe.store.embedded import Store
from microhe.store.labels import Labels
from microhe.store.views import Watch, per_store
from microhe.vocab import ELM

KEEP_PER_SIGNATURE = 3
_STACK_QUERY = ("PREFIX elm: <http://data.europa.eu/snb/model/elm/> SELECT ?w ?p WHERE "
                "{ { ?w elm:hasPart ?p } UNION { ?p elm:isPartOf ?w } }")


@per_store(watch=Watch(predicates=(ELM + "hasPart", ELM + "isPartOf")))
def part_of_edges(store: Store) -> dict[str, tuple[str, ...]]:
    """Declared part-of graph, whole -> its parts (sorted), read once per store state."""
    edges: dict[str, set[str]] = {}
    for r in store.query(_STACK_QUERY):
        edges.setdefault(r["w"].value, set()).add(r["p"].value)
    return {w: tuple(sorted(ps)) for w, ps in edges.items()}


def _cycles(store: Store, start: str, limit: int = 50) -> tuple[list[list[str]], list[str]]:
    """Cycles in the declared part-of graph reachable from ``start`` and its parts closure."""
    edges = part_of_edges(store)
    cycles: list[list[str]] = []
    seen_parts: list[str] = []
    visited: set[str] = set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in edges.get(node, ()):
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


def pathways(store: Store, target: Facts | str, *, max_size: int = 3, limit: int = 10,
             langs: tuple[str, ...] = ()) -> Pathways:
    """Ranked pathways to ``target`` (a Facts or an IRI in the store); credentials, outcomes
    and parts are labelled in ``langs`` (else English, else any)."""
    if not 1 <= max_size <= 6:
        raise InvalidValue("max must be between 1 and 6")
    tgt = read_facts(store, target) if isinstance(target, str) else target
    idx = search_index(store)
    fx = facet_index(store) if idx.facets is None else idx.facets
    required = sorted(tgt.required_outcomes)
    need_ects = tgt.ects or 0.0
    need_eqf = min(tgt.eqf) if tgt.eqf else None
    cycles, declared_parts = _cycles(store, tgt.iri)
    excluded = {tgt.iri}

    def eligible(rec: Record) -> bool:
        if rec.iri in excluded or rec.ects is None:
            return False
        return need_eqf is None or (bool(rec.eqf) and max(rec.eqf) >= need_eqf)

    # Prune: level-compatible candidates that cover something (or, with no required
    # outcomes, that bring workload), best few per covered set. What each record covers
    # comes from the skill posting lists (required outcome -> its narrower concepts ->
    # the records with any of them), not from a scan of every record.
    by_sig: dict[frozenset[str], list[tuple[Record, frozenset[str]]]] = {}
    considered = 0
    recs = idx.records
    if required:
        covered_by: dict[int, list[str]] = {}
        for t in required:
            hit: set[int] = set()
            for c in idx.expanded(t):
                hit.update(fx.skills.get(c, ()))
            for i in hit:
                covered_by.setdefault(i, []).append(t)
        by_slot = fx.recs
        pool = ((rec, frozenset(ts)) for i, ts in covered_by.items() if (rec := by_slot[i]) is not None)
    else:
        pool = ((rec, frozenset()) for rec in recs)
    for rec, sig in pool:
        if not eligible(rec):
            continue
        considered += 1
        by_sig.setdefault(sig, []).append((rec, sig))
    cands: list[tuple[Record, frozenset[str]]] = []
    for lst in by_sig.values():
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
        suffix_ects[i] = max(suffix_ects[i + 1], _ects(cands[i][0]))

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
            covered2, total2 = covered | sig, total + _ects(rec)
            if slots > 1 and complete(covered2, total2):
                continue  # complete already: any larger combination with it is not minimal
            extend(i + 1, combo + [cands[i]], covered2, total2, size)

    for size in range(1, max_size + 1):
        extend(0, [], frozenset(), 0.0, size)
        if len(found) >= limit * 4:
            break
    found.sort(key=lambda f: (f[0], f[1], f[2]))

    shown = found[:limit]
    labels = Labels(store, langs).fetch([tgt.iri, *required, *declared_parts, *(n for c in cycles for n in c),
                                         *(r.iri for _, _, _, recs in shown for r in recs)])

    def brief(r: Record) -> CredentialBrief:
        ref = labels.ref(r.iri, fallback=r.title)
        return CredentialBrief(iri=r.iri, label=ref.label, lang=ref.lang, ects=_ects(r), eqf=sorted(r.eqf))

    best_partial = None
    if not found:  # also when no candidate covers anything: say so, never an empty answer
        union = frozenset().union(*(c[1] for c in cands))
        best_partial = NoSolution(covered=labels.refs(sorted(union)), missing=labels.refs(sorted(full - union)),
                                  reason=f"no combination of at most {max_size} credentials covers every required "
                                         "outcome and the workload")
    me = labels.ref(tgt.iri, fallback=tgt.title or ("target requirements" if tgt.source == "requirements" else None))
    return Pathways(
        target=PathwayTarget(iri=tgt.iri, label=me.label, lang=me.lang, eqf=sorted(tgt.eqf), ects=tgt.ects,
                             required_outcomes=labels.refs(required)),
        pathways=[Pathway(credentials=[brief(r) for r in recs], total_ects=round(sum(_ects(r) for r in recs), 2),
                          excess_ects=round(excess, 2), covered=labels.refs(required), missing=[])
                  for excess, _, _, recs in shown],
        declared_stack=DeclaredStack(parts=labels.refs(declared_parts), cycles=[labels.refs(c) for c in cycles]),
        candidates_considered=considered,
        candidates_combined=len(cands),
        no_solution=best_partial,
    )


def _ects(rec) -> float:
    """A candidate's ECTS: known (records without it are never candidates)."""
    assert rec.ects is not None
    return rec.ects
