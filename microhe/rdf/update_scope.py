"""Which graphs a SPARQL 1.1 Update request can change, read from its text (for the change
log, :mod:`microhe.store.changes`).

The request is parsed by rdflib's SPARQL parser (prefixes and ``BASE`` resolved) and each
operation's target is read off its algebra: the ``GRAPH`` blocks of ``INSERT``/``DELETE``
templates and data, ``WITH``, the graph of ``CLEAR``/``DROP``/``CREATE``/``LOAD``, the
target (and for ``MOVE`` the source) of ``ADD``/``MOVE``/``COPY``; triples outside a
``GRAPH`` block go to the ``WITH`` graph or the store's default graph. The answer is
``None`` ("any graph") when a target is a variable (``GRAPH ?g { ... }``), ``ALL`` or
``NAMED``, and when rdflib cannot read the request (the store's parser is the judge of
the syntax; a request it accepts that rdflib does not is simply "any graph").

Cost, measured on this machine (2 cores, shared): ~20 ms for an administrator's edit
(a ``DELETE``/``INSERT ... WHERE`` on one resource, 400 characters) once rdflib's parser is
loaded (its first use costs ~0.6 s); rdflib's parser grows faster than the text (2,700
characters: 150 ms; an ``INSERT DATA`` of 2,000 triples, 60,000 characters: 40 s), so a
request longer than ``MAX_CHARS`` is not read: "any graph"."""

from __future__ import annotations

MAX_CHARS = 4096


def touched_graphs(text: str, base_iri: str | None, default_graph: str) -> set[str] | None:
    """The IRIs of the graphs the update can change (``default_graph`` standing for the
    store's own default graph), or None when that cannot be told from the text."""
    if len(text) > MAX_CHARS:
        return None
    try:
        from rdflib.plugins.sparql.algebra import translateUpdate
        from rdflib.plugins.sparql.parser import parseUpdate

        ops = translateUpdate(parseUpdate(text), base=base_iri).algebra
    except Exception:  # rdflib's parser raises many kinds; any of them means "not read"
        return None
    graphs: set[str] = set()
    for op in ops:
        found = _targets(op, default_graph)
        if found is None:
            return None
        graphs |= found
    return graphs


def _get(value, key: str):
    """``value[key]`` or None (rdflib's ``CompValue.get`` answers the key itself when missing)."""
    return value[key] if value is not None and key in value else None


def _name(term, default_graph: str) -> str | None:
    from rdflib.term import URIRef

    if term == "DEFAULT" or term is None:
        return default_graph
    if isinstance(term, URIRef):
        return str(term)
    return None  # a variable, ALL, NAMED


def _templates(clause, target: str, default_graph: str) -> set[str] | None:
    if clause is None:
        return set()
    out: set[str] = set()
    if _get(clause, "triples"):
        out.add(target)
    for g in (_get(clause, "quads") or {}):
        name = _name(g, default_graph)
        if name is None:
            return None
        out.add(name)
    return out


def _targets(op, default_graph: str) -> set[str] | None:
    kind = op.name
    if kind in ("InsertData", "DeleteData", "DeleteWhere"):
        return _templates(op, default_graph, default_graph)
    if kind == "Modify":
        target = default_graph if _get(op, "withClause") is None else _name(_get(op, "withClause"), default_graph)
        if target is None:
            return None
        delete = _templates(_get(op, "delete"), target, default_graph)
        insert = _templates(_get(op, "insert"), target, default_graph)
        return None if delete is None or insert is None else delete | insert
    if kind in ("Clear", "Drop", "Create"):
        name = _name(_get(op, "graphiri"), default_graph)
        return None if name is None else {name}
    if kind == "Load":
        name = _name(_get(op, "graphiri"), default_graph)
        return None if name is None else {name}
    if kind in ("Add", "Copy", "Move"):
        source, dest = (_name(g, default_graph) for g in _get(op, "graph"))
        if source is None or dest is None:
            return None
        return {source, dest} if kind == "Move" else {dest}
    return None


__all__ = ["touched_graphs", "MAX_CHARS"]
