"""What every store is: its errors, its write tracking, and the protocol both back ends
(:class:`~microhe.store.embedded.Store`, :class:`~microhe.store.remote.RemoteStore`) offer.

Code above the store (ingest, recognition, the API, the CLI) is written against
:class:`StoreProtocol`, so it runs unchanged on the embedded store and a SPARQL server.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import EllipsisType
from typing import Any, BinaryIO, Protocol, runtime_checkable

import pyoxigraph as ox

from microhe.errors import Unavailable


class StoreError(Unavailable, RuntimeError):
    """The store cannot be opened or written (message says why and what to do)."""


class StoreLockedError(StoreError):
    """The on-disk store is held by another process (a running server, another command)."""


class WriteTracking:
    """What a store says about its writes, for the views derived from it (``per_store``):
    ``generation``, the committed state's number, moves when a write ends (committed or
    failed), never before, so a view keyed on it describes committed data; ``writing``
    counts the writes under way, and a view built meanwhile (which may have read the old
    data, or part of the new) is neither cached nor saved. Readers keep the views of the
    state before a write until it ends. Every write runs inside ``with self._changing():``.

    ``on_written`` are called with the store after each write that completed, in the
    writer's thread once it has ended (``generation`` moved, ``writing`` back down): the
    views kept up to date incrementally (``per_store(patch=...)``) catch up there, so a
    write's response is sent after search reflects it while readers keep answering from
    the views of the state before."""

    def _init_write_tracking(self) -> None:
        self.generation = 0
        self.writing = 0
        self._write_guard = threading.Lock()
        self.on_written: list = []

    @contextlib.contextmanager
    def _changing(self):
        with self._write_guard:
            self.writing += 1
        try:
            self._before_write()
            yield
        finally:
            with self._write_guard:
                self.generation += 1
                self._after_write()
                self.writing -= 1
        for hook in list(getattr(self, "on_written", ())):
            try:
                hook(self)
            except Exception:  # noqa: BLE001 - a view that cannot catch up is rebuilt on demand; the write stands
                logging.getLogger("microhe.store").exception("a view failed to catch up after a write")

    def _before_write(self) -> None:
        """Hook: before the write (the embedded store replaces its state token)."""

    def _after_write(self) -> None:
        """Hook: after the write, committed or not."""


@runtime_checkable
class StoreProtocol(Protocol):
    """What every store offers. Queries see the union of all graphs as their default graph
    unless the caller (or the query's own ``FROM``) names the dataset; ``substitutions``
    bind variables to terms, so values never enter the query text. A write is one call
    (set graphs, drop graphs, add/remove quads). ``generation``/``writing``/``state``
    describe the committed state for the views derived from it (:mod:`microhe.store.views`);
    ``changes`` is what each committed write changed (:mod:`microhe.store.changes`)."""

    generation: int
    writing: int
    #: the change log (``microhe.store.changes.ChangeLog``), None where the store keeps none
    changes: Any

    @property
    def state(self) -> str | None: ...

    def query(self, sparql: str, *, substitutions: Mapping[str, Any] | None = None,
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
              base_iri: str | None = None) -> Any: ...

    def update(self, sparql: str, *, base_iri: str | None = None) -> None: ...

    def write(self, graphs: Mapping[str, Iterable[ox.Quad]] | None = None, *, drop: Iterable[str | None] = (),
              add: Iterable[ox.Quad] = (), remove: Iterable[ox.Quad] = (), bulk: bool = False) -> None: ...

    def quads(self, graph: str | None | EllipsisType = ...) -> Iterator[ox.Quad]: ...

    def quads_matching(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[ox.Quad]: ...

    def named_graphs(self) -> list[str]: ...

    def has_graph(self, iri: str) -> bool: ...

    def graph_size(self, iri: str | None) -> int: ...

    def is_empty(self) -> bool: ...

    def dump(self, out: BinaryIO | str | Path, *, sort: bool = True) -> int: ...

    def restore(self, quads: Iterable[ox.Quad]) -> None: ...

    def clear(self) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


__all__ = ["StoreError", "StoreLockedError", "WriteTracking", "StoreProtocol"]
