"""What a write to a remote store sends, apart from sending it.

A write (graphs whose content is set, graphs dropped, single quads removed and added)
becomes either one SPARQL 1.1 Update request (:func:`update_request`: ``DROP``s, then
``DELETE DATA``, then ``INSERT DATA`` in operations of about ``chunk_size`` quads), or, for
servers written through their Graph Store (Virtuoso), one Update request for the drops and
removals followed by one ``PUT``/``POST`` per graph (:func:`graph_store_requests`).

These are pure functions of the write, so what goes over the wire can be read and tested
without a server; :class:`~microhe.store.remote.RemoteStore` sends it (HTTP, credentials,
errors) and counts the write.
"""

from __future__ import annotations

import pyoxigraph as ox

from microhe.rdf import nquads
from microhe.rdf.formats import in_memory
from microhe.store.update import chunks, in_graphs, update_text


def update_request(graphs: dict, drop: list, add: list, remove: list, chunk_size: int) -> str | None:
    """The one SPARQL Update request of a write (``None`` when it changes nothing): every
    graph in ``graphs`` is dropped and written again."""
    return update_text([*drop, *graphs], list(remove), in_graphs(graphs) + list(add), chunk_size=chunk_size,
                       blank_node_templates=True)


def touches_default_graph(drop: list, add: list, remove: list) -> bool:
    """Whether a Graph Store write reaches the store's own default graph (which Virtuoso
    does not have: the caller refuses it before sending anything)."""
    return None in drop or any(isinstance(q.graph_name, ox.DefaultGraph) for q in add + remove)


def graph_store_requests(graphs: dict, drop: list, add: list, remove: list,
                         chunk_size: int) -> tuple[str | None, list[tuple[str, str | None, list[ox.Quad]]]]:
    """A write as Graph Store requests: the SPARQL Update request with the drops (and the
    graphs set empty) and ``DELETE DATA`` (``None`` when there are none), then
    ``(method, graph IRI, quads)``: one ``PUT`` per graph whose content is set, one
    ``POST`` per graph that gets quads added (``None`` for the IRI: the default graph,
    as in ``drop``). Each request is atomic; the write as a whole is not."""
    ops = ["DROP SILENT DEFAULT" if iri is None else f"DROP SILENT GRAPH {ox.NamedNode(iri)}" for iri in drop]
    ops += [f"DROP SILENT GRAPH {ox.NamedNode(iri)}" for iri, qs in graphs.items() if not qs]
    for chunk in chunks(remove, chunk_size):
        ops.append("DELETE DATA { " + nquads.data_block(chunk) + " }")
    added: dict[str | None, list[ox.Quad]] = {}
    for q in add:
        g = q.graph_name
        added.setdefault(None if isinstance(g, ox.DefaultGraph) else g.value, []).append(q)
    requests = [("PUT", iri, qs) for iri, qs in graphs.items() if qs]
    requests += [("POST", iri, qs) for iri, qs in added.items()]
    return (" ;\n".join(ops) if ops else None), requests


def ntriples_body(quads) -> bytes:
    """A Graph Store request's body: the quads' triples as N-Triples (the server's own
    parser reads them into the graph the URL names)."""
    return in_memory(ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES))


__all__ = ["update_request", "graph_store_requests", "touches_default_graph", "ntriples_body"]
