"""A checkpoint around every bulk write, so an interrupted one can be rolled back exactly.

pyoxigraph's bulk writer is not transactional, and it has no graph rename: a killed
``microhe load --bulk --replace`` used to leave the old graph dropped and the new one
half-written. So before a bulk write on disk the store is backed up (``Store.backup``:
hard links to RocksDB's immutable files, milliseconds, no copy) into a directory beside it,
``<store>.checkpoint``, with a marker file saying what was being written. The marker is
written inside the backup before the directory takes its final name (one ``rename``), so
the checkpoint either exists complete or not at all. When the write has finished and been
flushed, the checkpoint is removed.

The next writable open of a store with a checkpoint beside it (any command, or
``microhe restore-checkpoint``) rolls the store back to it: the interrupted store is moved
aside to ``<store>.interrupted``, the checkpoint takes its place, the leftovers are deleted.
Each step is a rename or a delete of a leftover, so a crash during the roll-back is
finished by the next open. A read-only open refuses such a store (it may not change it).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from microhe.store import changes, lockfile

log = logging.getLogger("microhe.checkpoint")

MARKER = "microhe-bulk-write.json"


@dataclass(frozen=True)
class Interrupted:
    """What an interrupted bulk write was doing (the marker's content)."""

    started: str
    graphs: list[str]
    dropped: list[str]
    #: what was interrupted: "bulk write", or "chunked write" (microhe.store.chunked)
    kind: str = "bulk write"

    def describe(self) -> str:
        what = ", ".join(f"<{g}>" for g in (self.graphs + [d for d in self.dropped if d not in self.graphs])[:5])
        more = len(set(self.graphs) | set(self.dropped)) - 5
        return (f"a {self.kind} started at {self.started} was interrupted "
                f"(graphs {what}{f' and {more} more' if more > 0 else ''})")


def checkpoint_dir(store: Path) -> Path:
    return store.with_name(store.name + ".checkpoint")


def interrupted_dir(store: Path) -> Path:
    return store.with_name(store.name + ".interrupted")


def begin(store: Path, db, *, graphs: list[str], dropped: list[str], keep: tuple[str, ...] = (),
          kind: str = "bulk write") -> None:
    """Back up the store (``db``: its open pyoxigraph store) beside it with the marker
    (``kind``: what the roll-back message calls the write) and the files named in ``keep``
    (microhe's own files inside the store's directory that a roll-back must not lose: the
    change log's store id). Raises OSError (nothing written yet) when the checkpoint cannot
    be made."""
    final = checkpoint_dir(store)
    if final.exists():
        raise OSError(f"{final} exists: an earlier bulk write was interrupted and not rolled back; "
                      f"run `microhe restore-checkpoint --store {store}`")
    tmp = store.with_name(f".{store.name}.checkpoint-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    db.flush()
    db.backup(str(tmp))
    for name in keep:
        if (store / name).exists():
            shutil.copy2(store / name, tmp / name)
    marker = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "graphs": graphs,
              "dropped": dropped, "kind": kind}
    (tmp / MARKER).write_text(json.dumps(marker), "utf-8")
    _fsync_dir(tmp)
    os.rename(tmp, final)
    _fsync_dir(final.parent)


def finish(store: Path) -> None:
    """The bulk write is complete and flushed: remove the checkpoint (renamed first, so a
    crash while deleting leaves no checkpoint that looks valid)."""
    final = checkpoint_dir(store)
    doomed = store.with_name(f".{store.name}.checkpoint-done-{os.getpid()}")
    os.rename(final, doomed)
    _fsync_dir(final.parent)
    shutil.rmtree(doomed, ignore_errors=True)


def pending(store: Path) -> Interrupted | None:
    """The interrupted bulk write whose checkpoint lies beside ``store``, if any."""
    marker = checkpoint_dir(store) / MARKER
    try:
        data = json.loads(marker.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        # the marker is written before the rename that makes the checkpoint visible
        raise OSError(f"the checkpoint {marker.parent} is damaged ({e}); move it away to keep the store as it is") from e
    return Interrupted(str(data.get("started", "?")), list(data.get("graphs", [])), list(data.get("dropped", [])),
                       str(data.get("kind", "bulk write")))


def roll_back(store: Path) -> Interrupted | None:
    """Put the checkpoint in the store's place (the store must not be open); returns what
    was interrupted, or None when there was nothing to roll back. Safe to repeat after a
    crash at any step."""
    cp = checkpoint_dir(store)
    aside = interrupted_dir(store)
    what = pending(store) if cp.exists() else None
    if what is not None:
        # the interrupted write's change-log entry goes first: a crash after this line
        # repeats the roll-back, which finds no entry to drop
        changes.forget_pending_bulk(store)
        if store.exists():
            if aside.exists():
                shutil.rmtree(aside)
            os.rename(store, aside)
            _fsync_dir(store.parent)
        os.rename(cp, store)
        _fsync_dir(store.parent)
        # the store is now the checkpoint (no state token: the next open makes a new one,
        # so no view saved for the interrupted store is read back)
        (store / MARKER).unlink(missing_ok=True)
        log.warning("%s; the store at %s was rolled back to its state before that write", what.describe(), store)
    elif store.exists() and (store / MARKER).exists():
        (store / MARKER).unlink()  # a crash after the rename above: the roll-back is done
    if aside.exists():
        shutil.rmtree(aside, ignore_errors=True)
    return what


def roll_back_locked(store: Path) -> Interrupted | None:
    """:func:`roll_back` under the store's process lock (``microhe.store.lockfile``), for a
    caller that does not open the store (``microhe restore-checkpoint``): a checkpoint
    beside a store that another process holds open is that process's running bulk write,
    not an interrupted one, so the roll-back is refused (:class:`StoreLockedError`)."""
    if not any(p.exists() for p in (store, checkpoint_dir(store), interrupted_dir(store))):
        return None  # no store here: nothing to lock, nothing to roll back
    held = lockfile.hold(store)
    try:
        return roll_back(store)
    finally:
        lockfile.release(held)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
