"""The SPARQL 1.1 Update text of a write, for both stores.

A write (graphs whose content is set, graphs dropped, single quads removed and added)
becomes ``DROP SILENT`` operations, then ``DELETE DATA``, then ``INSERT DATA``, joined by
``;`` into one request. The embedded store runs it in one transaction; the remote store
sends it (in operations of about ``chunk_size`` quads, blank nodes as templates, which
Virtuoso needs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from microhe.rdf import nquads


def in_graphs(graphs: Mapping[str, Iterable[ox.Quad]]) -> list[ox.Quad]:
    """The quads of each graph, placed in the graph that names them."""
    quads: list[ox.Quad] = []
    for iri, qs in graphs.items():
        node = ox.NamedNode(iri)
        quads.extend(q if q.graph_name == node else ox.Quad(q.subject, q.predicate, q.object, node) for q in qs)
    return quads


def update_text(drop: Iterable[str | None], remove: list[ox.Quad], inserts: list[ox.Quad], *,
                chunk_size: int | None = None, blank_node_templates: bool = False) -> str | None:
    """The one Update request: ``DROP SILENT`` each graph of ``drop`` (``None``: the default
    graph), ``DELETE DATA`` ``remove``, ``INSERT DATA`` ``inserts`` (in operations of about
    ``chunk_size`` quads, one when ``None``; with ``blank_node_templates`` an operation that
    holds blank nodes is ``INSERT {...} WHERE {}``, standard SPARQL 1.1 that servers refusing
    blank nodes in ``INSERT DATA`` accept). ``None`` when the write changes nothing."""
    ops = ["DROP SILENT DEFAULT" if iri is None else f"DROP SILENT GRAPH {ox.NamedNode(iri)}" for iri in drop]
    if remove:
        ops.append("DELETE DATA { " + nquads.data_block(remove) + " }")
    for chunk in chunks(inserts, chunk_size) if chunk_size else ([inserts] if inserts else []):
        if blank_node_templates and any(isinstance(t, ox.BlankNode) for q in chunk for t in (q.subject, q.object)):
            ops.append("INSERT { " + nquads.data_block(chunk) + " } WHERE {}")
        else:
            ops.append("INSERT DATA { " + nquads.data_block(chunk) + " }")
    return " ;\n".join(ops) if ops else None


def chunks(quads: list[ox.Quad], size: int) -> list[list[ox.Quad]]:
    """Split quads into operations of about ``size`` quads, never splitting the quads
    that share a blank node (a blank node label only holds within one operation)."""
    if len(quads) <= size:
        return [quads] if quads else []
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for q in quads:
        nodes = [t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]
        for a in nodes[1:]:
            parent[find(a)] = find(nodes[0])
    groups: dict = {}
    for i, q in enumerate(quads):
        b = next((t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)), None)
        groups.setdefault(find(b) if b is not None else ("q", i), []).append(q)
    out: list[list[ox.Quad]] = [[]]
    for group in groups.values():
        if out[-1] and len(out[-1]) + len(group) > size:
            out.append([])
        out[-1].extend(group)
    return out


__all__ = ["in_graphs", "update_text", "chunks"]
