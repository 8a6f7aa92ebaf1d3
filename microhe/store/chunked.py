"""Writing graphs too large for one transaction, in chunks, all or nothing after a crash.

``Store.write`` applies a write as one RocksDB transaction (held in memory until it
commits: 5.2 GB for 3.2 M triples) or, with ``bulk``, as one call to pyoxigraph's bulk
writer with the whole graph in memory. :func:`write_chunked` takes each graph as an
iterable of chunks (lists of quads, e.g. 100,000 at a time from a parser) and writes them
one by one, so memory is bounded by a chunk:

* ``bulk=False`` (``microhe load``'s default mode): each chunk is one transaction
  (``Store.extend``), flushed to disk before the next (RocksDB's memtables would
  otherwise hold every chunk: +100 MB per 100k quads), and nothing needs compacting;
* ``bulk=True`` (``--bulk``): each chunk goes to the bulk writer (faster; compact after).

Either way the write as a whole is no transaction, so it is bracketed by the checkpoint
of :mod:`microhe.store.checkpoint` (hard links to RocksDB's files, milliseconds, and the
"write in progress" marker inside it): a process killed at any chunk leaves the
checkpoint, and the next writable open of the store (or ``microhe restore-checkpoint``)
rolls the store back to it exactly: an unfinished new graph is gone, a replaced graph is
back, and no load record was written (the records in ``add`` are written last).

Graphs being replaced are emptied first, in transactions of at most ``chunk`` deletions
each (a ``DROP GRAPH`` of millions of triples would again be one huge transaction).
On a store in memory there is no checkpoint and nothing to roll back to: refused.

The change log (:mod:`microhe.store.changes`) gets one entry, as for a bulk write: pending
after the checkpoint is taken, done after it is removed (a roll-back deletes it), naming
the graphs and leaving the subjects unknown (``None``: re-read the graphs; a large load's
subjects would pass the log's cap anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pyoxigraph as ox

from microhe.store import changes, checkpoint
from microhe.store.base import StoreError
from microhe.store.embedded import Store
from microhe.store.update import update_text

#: Quads per chunk (writes and deletions): 100k quads in a transaction cost ~150 MB.
CHUNK = 100_000

#: ``graphs`` values: a function returning the graph's content as chunks (called once).
Chunks = Callable[[], Iterable[list[ox.Quad]]]


def write_chunked(store: Store, graphs: Mapping[str, Chunks], *,
                  add: Callable[[dict[str, int]], Iterable[ox.Quad]] | None = None,
                  remove: Iterable[ox.Quad] = (), bulk: bool = False, chunk: int = CHUNK,
                  written: Callable[[int], None] | None = None) -> dict[str, int]:
    """Set the content of each graph in ``graphs`` (replacing what it held) from its
    chunks, then remove ``remove`` and add ``add(sizes)`` (provenance records, which may
    state the sizes) in one transaction, last. ``written(n)`` is told after each chunk of
    ``n`` quads. Returns ``sizes``: the number of triples each graph holds afterwards.
    Raises StoreError (in memory; or the write failed, and the next open rolls it back)."""
    path = store.path
    if path is None or store.read_only:
        raise StoreError("a chunked write needs a writable store on disk (its checkpoint is the roll-back)")
    tell = written or (lambda _n: None)
    remove = list(remove)
    with store._changing():
        db = store.raw
        replaced = sorted(g for g in graphs if store.has_graph(g))
        try:
            checkpoint.begin(path, db, graphs=sorted(graphs), dropped=replaced, keep=(changes.ID_FILE,),
                             kind="chunked bulk write" if bulk else "chunked write")
        except OSError as e:
            raise StoreError(f"cannot take the checkpoint before a chunked write, nothing written: {e}") from e
        log = store.changes
        pending = changes.Pending(changes.kind_or("load"), set(graphs) | {changes.graph_name(q.graph_name) for q in remove},
                                  None, None)
        seq = log.begin(pending, bulk=True) if log is not None else None
        try:
            for g in replaced:
                _empty(db, g, chunk)
            sizes: dict[str, int] = {}
            for g, chunks in graphs.items():
                target = ox.NamedNode(g)
                for part in chunks():
                    quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in part]
                    if bulk:
                        db.bulk_extend(quads)
                    else:
                        db.extend(quads)
                        db.flush()  # else RocksDB's memtables keep every chunk: +100 MB per 100k quads
                    tell(len(quads))
                sizes[g] = _size(db, g)
            records = list(add(sizes)) if add is not None else []
            text = update_text([], remove, records)
            if text is not None:
                db.update(text)
            db.flush()
        except Exception as e:
            if seq is not None and log is not None:
                log.abandon(seq)
            raise StoreError(f"the write failed part-way ({type(e).__name__}: {e}); the store will be rolled back "
                             f"to its state before it when next opened (or run `microhe restore-checkpoint "
                             f"--store {path}`)") from e
        checkpoint.finish(path)
        if seq is not None and log is not None:
            if add is not None:  # the records written last (provenance) name their graphs too
                pending.graphs = (pending.graphs or set()) | {changes.graph_name(q.graph_name) for q in records}
            log.commit(seq, pending, store._exists)
    return sizes


def _size(db: ox.Store, graph: str) -> int:
    """The number of triples in ``graph``, counted by the store (iterating 31 M quads in
    Python took minutes; the COUNT takes seconds)."""
    rows = db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")  # a checked IRI
    assert isinstance(rows, ox.QuerySolutions)
    n = next(iter(rows))["n"]
    assert isinstance(n, ox.Literal)
    return int(n.value)


def _empty(db: ox.Store, graph: str, chunk: int) -> None:
    """Remove every quad of ``graph``, at most ``chunk`` per transaction."""
    g = f"<{graph}>"
    step = (f"DELETE {{ GRAPH {g} {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }} "
            f"LIMIT {int(chunk)} }} }}")
    name = ox.NamedNode(graph)
    while next(iter(db.quads_for_pattern(None, None, None, name)), None) is not None:
        db.update(step)
        db.flush()
    db.remove_graph(name)


__all__ = ["CHUNK", "Chunks", "write_chunked"]
