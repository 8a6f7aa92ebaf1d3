"""Deterministic IRIs for what a source leaves without a global name.

:class:`Minter` mints ``<base>imported/<source hash>/<path>`` IRIs: the same source
bytes give the same IRIs, two sources never share one. :func:`skolemise` replaces the
blank nodes of a graph (whose labels a JSON-LD processor draws at random) and the
document-local IRIs a format numbers within one document (Europass ``urn:epass:...``) by
such IRIs, named from content: a blank node by a hash of its neighbourhood, refined a
few rounds (so two blank nodes with the same description and place get one name, as a
lean graph would), a local IRI by its own text.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def digest(*parts: object, n: int = 16) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:n]


class Minter:
    """IRIs under ``<base>imported/<source_sha256[:16]>/``."""

    def __init__(self, base: str, source_sha256: str):
        self.prefix = f"{base.rstrip('/')}/imported/{source_sha256[:16]}/"

    def iri(self, *path: str) -> ox.NamedNode:
        safe = "/".join(re.sub(r"[^A-Za-z0-9._~-]+", "-", p).strip("-") or "x" for p in path)
        return ox.NamedNode(self.prefix + safe)

    def hashed(self, kind: str, *content: object) -> ox.NamedNode:
        return self.iri(kind, digest(*content))


def _key(term: object) -> str:
    return str(term)


def skolemise(quads: Sequence[ox.Quad], minter: Minter,
              local: Callable[[ox.NamedNode], bool] = lambda _n: False) -> list[ox.Quad]:
    """``quads`` (default graph) with every blank node, and every IRI ``local`` selects,
    replaced by a minted IRI (see module docstring). Duplicates are dropped; order sorted."""
    blanks: set[ox.BlankNode] = set()
    for q in quads:
        for t in (q.subject, q.object):
            if isinstance(t, ox.BlankNode):
                blanks.add(t)
    out_edges: dict[ox.BlankNode, list[tuple[str, object]]] = defaultdict(list)
    in_edges: dict[ox.BlankNode, list[tuple[object, str]]] = defaultdict(list)
    for q in quads:
        if isinstance(q.subject, ox.BlankNode):
            out_edges[q.subject].append((q.predicate.value, q.object))
        if isinstance(q.object, ox.BlankNode):
            in_edges[q.object].append((q.subject, q.predicate.value))
    label = {b: "" for b in blanks}

    def name(t: object) -> str:
        return "_:" + label[t] if isinstance(t, ox.BlankNode) else _key(t)

    for _ in range(4):  # refinement rounds: enough for the nesting credentials use
        label = {b: digest(sorted((p, name(o)) for p, o in out_edges[b]),
                           sorted((name(s), p) for s, p in in_edges[b]), n=32) for b in blanks}
    mapping: dict[object, ox.NamedNode] = {b: minter.iri("b", label[b][:16]) for b in blanks}

    def term(t):
        if isinstance(t, ox.BlankNode):
            return mapping[t]
        if isinstance(t, ox.NamedNode) and local(t):
            if t not in mapping:
                mapping[t] = minter.iri(*re.split(r"[:/]+", t.value))
            return mapping[t]
        return t

    result = {ox.Quad(term(q.subject), q.predicate, term(q.object)) for q in quads}
    return sorted(result, key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))


def sort_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(set(quads), key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))


__all__ = ["Minter", "digest", "skolemise", "sort_quads"]
