"""One process at a time opens an on-disk store for writing: a lock file beside it.

RocksDB locks a store only once it is open, but a writable open first rolls back an
interrupted bulk write (``microhe.store.checkpoint``): it renames the store directory
and puts the checkpoint in its place. A checkpoint is also there while a bulk write is
running, so without a lock taken *before* that step a second process (another
``microhe load``, ``microhe restore-checkpoint``) took the running write's checkpoint for
an interrupted one and rolled the store back under it, and the writer's data was deleted.

So every writable open and every roll-back holds an exclusive ``flock`` on
``<store>.lock`` (beside the store, since the store directory itself is renamed) for as
long as the store is open. The kernel releases it when the process ends, however it ends,
so a killed writer never leaves a stale lock. ``ingest.lock`` is the other lock: one
writer at a time *within* a process (threads), over one open store.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import BinaryIO

from microhe.store.base import StoreLockedError

#: flock is POSIX; elsewhere (Windows) only RocksDB's own lock, taken once the store is open
fcntl = importlib.import_module("fcntl") if os.name == "posix" else None


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


def hold(store: Path) -> BinaryIO | None:
    """Take the store's process lock; returns the open lock file (closing it releases the
    lock, as does the end of the process). Raises :class:`StoreLockedError` when another
    process holds it."""
    if fcntl is None:  # pragma: no cover - not POSIX
        return None
    path = lock_path(store)
    f = open(path, "ab")  # noqa: SIM115  # held open for the store's lifetime, closed by release()
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        raise StoreLockedError(f"the store at {store} is in use by another process (is `microhe serve` or "
                               f"another write running on it?): {path} is locked; wait for it to end") from None
    except OSError:
        f.close()
        raise
    return f


def release(f: BinaryIO | None) -> None:
    if f is not None:
        f.close()


__all__ = ["hold", "release", "lock_path"]
