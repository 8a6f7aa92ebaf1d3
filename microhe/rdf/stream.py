"""Reading a large RDF file in chunks of quads, so that no caller holds the whole file.

:func:`microhe.rdf.parse.read` returns every quad of its input at once: 3.2 M triples are
about 1.4 GB of Python objects. :func:`read_chunks` streams a file from disk through
pyoxigraph's parser and yields lists of at most ``chunk`` quads, with the same error
messages (line and column), the same limits and the same base-IRI rule as ``read``.

Only the line- and statement-based formats are streamed (N-Triples, N-Quads, Turtle,
TriG); JSON-LD and RDF/XML are read whole by ``read`` (their checks need the document).

Blank nodes: a streamed file is read twice by the loader (once to validate, once to
write), so blank-node labels must come out the same both times, and still never merge
with the blank nodes of another load. Each label is replaced by a hash of the label and a
per-load ``salt``: same file and salt, same labels; another load, other labels.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from microhe.rdf.reading import DEFAULT_LIMITS, Limits, ParseError, _check_literals, _run

#: The formats :func:`read_chunks` streams.
STREAMABLE = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG})


def _renamer(salt: str):
    """The blank-node renaming of one load (deterministic for one ``salt``)."""
    def bnode(b: ox.BlankNode) -> ox.BlankNode:
        return ox.BlankNode("b" + hashlib.blake2b(f"{salt}\x00{b.value}".encode(), digest_size=16).hexdigest())

    def quad(q: ox.Quad) -> ox.Quad:
        s, o, g = q.subject, q.object, q.graph_name
        if type(s) is not ox.BlankNode and type(o) is not ox.BlankNode and type(g) is not ox.BlankNode:
            return q
        return ox.Quad(bnode(s) if type(s) is ox.BlankNode else s, q.predicate,
                       bnode(o) if type(o) is ox.BlankNode else o,
                       bnode(g) if type(g) is ox.BlankNode else g)

    return quad


def read_chunks(path: str | os.PathLike[str], fmt: ox.RdfFormat, *, name: str | None = None,
                base_iri: str | None = None, salt: str, chunk: int = 100_000,
                limits: Limits = DEFAULT_LIMITS, at: Callable[[int], None] | None = None,
                ) -> Iterator[list[ox.Quad]]:
    """The quads of the file at ``path`` (a format of :data:`STREAMABLE`), ``chunk`` at a
    time; ``at(bytes)`` is told how far the parser has read after each chunk. Raises
    :class:`ParseError` (at the chunk where the error is) like ``read``."""
    if fmt not in STREAMABLE:
        raise ValueError(f"{fmt.name} is not streamed; read it with microhe.rdf.parse.read")
    source = name or os.fspath(path)
    size = Path(path).stat().st_size
    if size > limits.max_bytes:
        raise ParseError(f"input of {size} bytes exceeds the limit of {limits.max_bytes} bytes", source)
    rename = _renamer(salt)
    with open(path, "rb", buffering=1 << 20) as f:
        it = iter(ox.parse(f, format=fmt, base_iri=base_iri, rename_blank_nodes=False))
        while True:
            quads = _run(lambda: islice(it, chunk), source, base_iri)
            if not quads:
                return
            if size > limits.max_literal_bytes:
                _check_literals(quads, limits.max_literal_bytes, source)
            if at is not None:
                at(f.tell())
            yield [rename(q) for q in quads]


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


__all__ = ["STREAMABLE", "read_chunks", "sha256_of"]
