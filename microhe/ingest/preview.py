"""What loading would change: a dry-run diff of staged quads against the graph they would
go into, for the steward's upload page (nothing is written).

Triples are compared after both sides pass through an in-memory pyoxigraph store (a store
writes some literals in a canonical form: "P2DT12H" is held as "PT60H") and, when blank
nodes are involved, after RDF canonicalization of each side (pyoxigraph's
``Dataset.canonicalize``), so the same file uploaded twice gives 0 added, 0 removed
whatever its blank-node labels. Credentials (specifications) are *new* when the store
holds no specification of that IRI, *changed* when the graph describes it differently,
*unchanged* otherwise, and *in another graph* when the store holds it elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from microhe.ingest.provenance import load_records
from microhe.store.embedded import Store
from microhe.vocab import ELM, RDF

SPEC_TYPES = (ox.NamedNode(ELM + "Qualification"), ox.NamedNode(ELM + "LearningAchievementSpecification"))
_TYPE = ox.NamedNode(RDF + "type")


@dataclass
class Diff:
    graph: str
    exists: bool
    loaded_from: str | None
    added: int
    removed: int
    unchanged: int
    #: (specification IRI, "new" | "changed" | "unchanged" | "in another graph")
    credentials: list[tuple[str, str]] = field(default_factory=list)


def _canonical(quads: Iterable[ox.Quad]) -> set[tuple]:
    mem = ox.Store()
    mem.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    triples = list(mem.quads_for_pattern(None, None, None))
    if any(isinstance(t, ox.BlankNode) for q in triples for t in (q.subject, q.object)):
        ds = ox.Dataset(triples)
        ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        triples = list(ds)
    return {(q.subject, q.predicate, q.object) for q in triples}


def specifications(quads: Sequence[ox.Quad]) -> list[str]:
    """The IRIs of the specifications ``quads`` describe, in order of first mention."""
    return list(dict.fromkeys(q.subject.value for q in quads
                              if q.predicate == _TYPE and q.object in SPEC_TYPES and isinstance(q.subject, ox.NamedNode)))


def diff(store: Store, quads: Sequence[ox.Quad], graph: str) -> Diff:
    """What loading ``quads`` into ``graph`` (replacing it) would change."""
    exists = store.has_graph(graph)
    new = _canonical(quads)
    held = _canonical(store.quads(graph)) if exists else set()
    rec = load_records(store).get(graph) if exists else None
    out = Diff(graph, exists, rec.source if rec else None, len(new - held), len(held - new), len(new & held))
    for iri in specifications(quads):
        node = ox.NamedNode(iri)
        mine = {t for t in new if t[0] == node}
        theirs = {t for t in held if t[0] == node}
        if theirs:
            status = "unchanged" if mine == theirs else "changed"
        elif any(next(store.quads_matching(node, _TYPE, t, None), None) is not None for t in SPEC_TYPES):
            status = "in another graph"
        else:
            status = "new"
        out.credentials.append((iri, status))
    return out


__all__ = ["Diff", "diff", "specifications", "SPEC_TYPES"]
