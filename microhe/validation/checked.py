"""What a validation checked: the focus nodes each profile's targets select *in the input*
(the reference data mixed in for the checks is never counted). When that is none at all,
:mod:`microhe.validation.found` names what the input holds.

A file none of whose nodes any selected profile targets (an Open Badge, a CTDL record, a
lone triple) has no violation only because no shape looked at it; it is reported as
"0 micro-credentials found: nothing was checked", never as conforming."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox


def focus_counts(store: ox.Store, quads: Sequence[ox.Quad], profiles: Sequence[str],
                 changed: dict | None = None) -> dict[str, int | None]:
    """Per profile, the number of distinct focus nodes of its targets that occur in
    ``quads`` (``store`` holds them with the reference data; ``changed`` maps the store's
    canonical literals back to the input's). None when a target cannot be compiled."""
    from microhe.validation.compiled import UnsupportedShape, compile_targets

    nodes: set = set()
    for q in quads:
        nodes.add(q.subject)
        nodes.add(q.object)
    back = changed or {}
    out: dict[str, int | None] = {}
    for profile in profiles:
        try:
            targets = compile_targets(profile)
        except UnsupportedShape:
            out[profile] = None
            continue
        focus: set = set()
        for query, prefixes in targets:
            solutions = store.query(query, prefixes=prefixes)
            assert isinstance(solutions, ox.QuerySolutions)
            for row in solutions:
                t = row["this"]
                t = back.get(t, t) if type(t) is ox.Literal else t
                if t in nodes:
                    focus.add(t)
        out[profile] = len(focus)
    return out


def target_store(quads: Sequence[ox.Quad]) -> ox.Store:
    """The reference data and the input in one in-memory store (for the engines that do
    not build the compiled engine's staging store)."""
    from microhe.validation.compiled.staging import _reference_quads

    store = ox.Store()
    store.extend(_reference_quads())
    dg = ox.DefaultGraph()
    store.extend([q if type(q.graph_name) is ox.DefaultGraph else ox.Quad(q.subject, q.predicate, q.object, dg)
                  for q in quads])
    return store


__all__ = ["focus_counts", "target_store"]
