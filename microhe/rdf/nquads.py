"""N-Quads lines and SPARQL data blocks written from pyoxigraph terms: the one writer.

A term's ``str()`` is its N-Triples form (escaping done by pyoxigraph), so a line is the
terms joined by spaces and `` .``; the same text is SPARQL syntax, which makes the body
of ``INSERT DATA``/``DELETE DATA`` the same lines grouped by graph. Used by both stores'
dumps and writes, the streamed Graph Store and ``/dump.nq`` answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox


def line(q: ox.Quad, *, with_graph: bool = True) -> str:
    """One N-Quads line (an N-Triples line when ``with_graph`` is false or the quad is in
    the default graph), ending in a newline."""
    if not with_graph or isinstance(q.graph_name, ox.DefaultGraph):
        return f"{q.subject} {q.predicate} {q.object} .\n"
    return f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"


def lines(quads: Iterable[ox.Quad], *, with_graph: bool = True) -> Iterator[bytes]:
    """Quads as N-Quads lines (``with_graph``) or N-Triples lines (graph names dropped),
    one UTF-8 ``bytes`` per line, in the order given (a stream never holds them all)."""
    for q in quads:
        yield line(q, with_graph=with_graph).encode("utf-8")


def dump_quads(quads: Iterable[ox.Quad], out: BinaryIO | str | Path, *, sort: bool = True) -> int:
    """Write quads as N-Quads lines to a binary stream or a file path (sorted by default:
    a canonical form two dumps can be compared with); returns the number written."""
    if isinstance(out, (str, Path)):
        with open(out, "wb") as f:
            return dump_quads(quads, f, sort=sort)
    text = (line(q) for q in quads)
    n = 0
    for one in sorted(text) if sort else text:
        out.write(one.encode("utf-8"))
        n += 1
    return n


def data_block(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of ``INSERT DATA`` / ``DELETE DATA`` (grouped by graph)."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(key, []).append(line(q, with_graph=False).rstrip("\n"))
    parts = []
    for g, body_lines in by_graph.items():
        body = "\n".join(body_lines)
        parts.append(body if not g else f"GRAPH {g} {{\n{body}\n}}")
    return "\n".join(parts)


__all__ = ["line", "lines", "dump_quads", "data_block"]
