"""The certification of a credit supplement (section 7): which data it was made from, and a
SHA-256 over a canonical form of that data, so that anyone holding the supplement can ask
the graph whether it still says the same.

The data: the concise bounded description (:func:`microhe.publish.resource.describe`: own
triples in every graph plus the blank nodes they reach) of the specification and of every
resource the supplement names (awarding bodies, accreditations and their agents, outcomes
and their skills, assessments, levels and the levels of the ladders shown, credit systems,
modes, stacks, recognition decisions). Internal keys (``mhe:pageKey``) are left out.

The canonical form: the triples (graph names dropped: the facts, not where they were
loaded; the graphs are listed beside the digest) with blank nodes labelled by RDFC-1.0
(W3C Recommendation "RDF Dataset Canonicalization", 2024), written as N-Triples, one line
each, sorted by code point, each ending in a newline. pyoxigraph (>= 0.5) implements
RDFC-1.0 itself (``Dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)``), so no
second RDF library is needed; its UNSTABLE algorithm was not used because its labels may
change between pyoxigraph releases, which would break the verification of old supplements.
RDFC-1.0 is exponential in the worst case of blank-node structure only (many
indistinguishable blank nodes); a specification's description has a handful.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from microhe.publish.resource import HIDDEN, describe
from microhe.rdf import nquads

ALGORITHM = "RDFC-1.0 canonical N-Triples, sorted; SHA-256"
#: The W3C recommendation the canonical form follows (dcterms:conformsTo in the JSON-LD).
RDFC = "https://www.w3.org/TR/rdf-canon/"


def source_quads(store, iris: Iterable[str]) -> list[ox.Quad]:
    """The descriptions of ``iris`` (each once, internal keys left out)."""
    out: list[ox.Quad] = []
    seen: set[str] = set()
    for iri in iris:
        if iri in seen:
            continue
        seen.add(iri)
        out.extend(q for q in describe(store, ox.NamedNode(iri)) if q.predicate.value not in HIDDEN)
    return out


def graphs_of(quads: Sequence[ox.Quad]) -> list[str]:
    """The named graphs ``quads`` come from, sorted."""
    return sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})


def canonical_ntriples(quads: Iterable[ox.Quad]) -> str:
    """The triples of ``quads`` in the canonical form described above."""
    ds = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = {nquads.line(q, with_graph=False) for q in ds}
    return "".join(sorted(lines))


def digest(quads: Iterable[ox.Quad]) -> str:
    """SHA-256 (hex) of :func:`canonical_ntriples`."""
    return hashlib.sha256(canonical_ntriples(quads).encode("utf-8")).hexdigest()


__all__ = ["ALGORITHM", "RDFC", "source_quads", "graphs_of", "canonical_ntriples", "digest"]
