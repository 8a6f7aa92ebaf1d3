"""One writer at a time per store: the lock every write through microhe holds.

``load``, ``merge`` and ``drop`` (so ``microhe load``, a notebook and the Graph Store
alike) read what the store holds, validate and write as one sequence under it, so a merge
is never validated against content another writer is replacing. SPARQL Update
(``/update``) takes it too. It is per store object (two processes cannot share an embedded
store: RocksDB locks it) and reentrant, so a caller may hold it around a sequence of
library calls (the Graph Store's check-then-drop) and the calls take it again."""

from __future__ import annotations

import threading
import weakref

_locks: weakref.WeakKeyDictionary[object, threading.RLock] = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def write_lock(store) -> threading.RLock:
    """The write lock of ``store`` (the same object for the same store, for its lifetime)."""
    with _guard:
        lock = _locks.get(store)
        if lock is None:
            lock = _locks[store] = threading.RLock()
        return lock


__all__ = ["write_lock"]
