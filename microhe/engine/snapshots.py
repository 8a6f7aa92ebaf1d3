"""Read-only snapshots of committed states of an on-disk store, for the query workers.

A second process may not open the store while the server writes it (RocksDB lock; a
read-only open beside a writer is undefined in pyoxigraph 0.5), but it may open a backup:
``Store.backup`` makes one in milliseconds out of hard links to RocksDB's immutable files.
The snapshots live in ``<store>/microhe-query-snapshots/<n>`` (inside the store directory:
the same file system, so hard links work; RocksDB ignores the folder).

* A new snapshot is taken when a job is dispatched and the store's ``generation`` (which
  moves only after a write ends) differs from the newest snapshot's while no write is under
  way (``writing == 0``); during a write the newest snapshot (a committed state) is used. A
  snapshot taken while a write began or ended is thrown away. So the first query
  dispatched after a write's response sees it.
* Each worker holds the snapshot it has open (:meth:`checkout`, :meth:`release`,
  :meth:`drop`); a snapshot that is neither the newest nor held is deleted at once.
* The folder is removed at start-up (left by a killed server) and at shutdown.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

DIR = "microhe-query-snapshots"


class Snapshots:
    def __init__(self, store) -> None:
        if getattr(store, "path", None) is None or not hasattr(store, "raw"):
            raise ValueError("query snapshots need an embedded store on disk")
        self.store = store
        self.root = Path(store.path) / DIR
        self._lock = threading.Lock()
        self._count = 0
        self._newest: tuple[int, str] | None = None  # (generation, path)
        self._held: dict[object, set[str]] = {}

    def reset(self) -> None:
        """Remove what a previous server left; take the first snapshot."""
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir(parents=True)
            self._newest = None
            self._held.clear()
            self._refresh(force=True)

    def newest(self) -> str:
        """The path of the newest snapshot, taking one when the store has moved on."""
        with self._lock:
            return self._fresh()

    def checkout(self, holder) -> str:
        """The snapshot ``holder`` is to open (the newest, refreshed); it counts as held
        by ``holder`` until :meth:`release` or :meth:`drop`."""
        with self._lock:
            path = self._fresh()
            self._held.setdefault(holder, set()).add(path)
            return path

    def release(self, holder, keep: str) -> None:
        """``holder`` now has only ``keep`` open; delete what nobody needs any more."""
        with self._lock:
            self._held[holder] = {keep}
            self._collect()

    def drop(self, holder) -> None:
        """``holder`` has nothing open (its process is gone)."""
        with self._lock:
            self._held.pop(holder, None)
            self._collect()

    def paths(self) -> list[str]:
        return sorted(str(p) for p in self.root.iterdir()) if self.root.exists() else []

    def close(self) -> None:
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            self._newest = None
            self._held.clear()

    # -- under self._lock ---------------------------------------------------------------

    def _fresh(self) -> str:
        """The newest snapshot's path, refreshed (under the lock; a refresh always leaves one)."""
        self._refresh()
        assert self._newest is not None, "a refresh always leaves a snapshot"
        return self._newest[1]

    def _refresh(self, force: bool = False) -> None:
        store = self.store
        if not force and self._newest is not None and (
                self._newest[0] == store.generation or store.writing):
            return
        generation = store.generation
        self._count += 1
        path = self.root / str(self._count)
        store.raw.backup(str(path))
        committed = store.generation == generation and not store.writing
        if not committed and self._newest is not None:  # a write began or ended meanwhile
            shutil.rmtree(path, ignore_errors=True)
            return
        # the very first snapshot is kept whatever happens (there is no other); a write that
        # ended meanwhile moved the generation, so the next dispatch takes a new one
        self._newest = (generation if committed else -1, str(path))
        self._collect()

    def _collect(self) -> None:
        keep = set().union(*self._held.values()) if self._held else set()
        if self._newest is not None:
            keep.add(self._newest[1])
        for p in self.root.iterdir() if self.root.exists() else ():
            if str(p) not in keep:
                shutil.rmtree(p, ignore_errors=True)


__all__ = ["Snapshots", "DIR"]
