"""The change log: what each committed write through microhe changed, numbered, so that a
harvester (``GET /api/changes``) or a view kept up to date incrementally (issue 24) can
ask "what changed since N?" instead of reading the whole store again.

Every write of :class:`~microhe.store.embedded.Store` (``write``, bulk or not, ``restore``,
``update``, ``clear``; so every GSP PUT/POST/DELETE, ``microhe load``, import, decision,
drop and ``/update`` above it) leaves one :class:`Change`: a sequence number (increasing,
never reused; a failed write may leave a gap), the time (UTC, never decreasing with the
number), the kind (the caller's :func:`operation`, else the store method's), the graphs it
touched (``None``: any graph may have changed), those of them that no longer exist, and the
IRI subjects whose quads were added or removed (``None``: not known, re-read the graphs).

**Where.** A SQLite file beside the store, ``<store>.changes.sqlite`` (WAL,
``synchronous=FULL``), like the token file and the lock: not in the RDF store, where it
would be served by ``/sparql``, the dump and VoID and counted as data, and not inside the
RocksDB directory, which a bulk write's roll-back replaces by its checkpoint. A random id
in ``<store>/microhe-changes-id`` (carried into checkpoints) ties the log to its store: a
store replaced beside an old log, or one that held data before it had a log, restarts the
log (the numbers go on; every older point is 410 Gone, "harvest the dump again").

**Crash safety.** RocksDB and SQLite are two files, so one transaction cannot span both;
the entry is written in two steps around the store's transaction: ``pending`` (durable)
before it, ``done`` after it; a failure deletes it. Readers see entries up to the first
pending one only, so a harvester never skips a write that commits later. After kill -9:

* a *bulk* write (``Store.write(bulk=True)``, ``microhe load --bulk``): exact. Its entry is
  made pending after the checkpoint is taken and marked done after the checkpoint is
  removed; the roll-back of a write whose checkpoint is still there (the next open, or
  ``microhe restore-checkpoint``) deletes its entry first, and the next open keeps the
  entry of one whose checkpoint is gone (it was complete and flushed);
* a *transactional* write (everything else): the entry of a write killed between its
  pending step and its done step is kept, marked ``recovered``, whether or not the store's
  transaction committed (nothing in RocksDB says which). So a committed write always has
  its entry; a recovered entry may name a write that did not happen, which costs a
  harvester or a view some needless re-reading of the graphs it names, never a missed
  change. Its ``deleted`` is computed at recovery, from the store as it is.

**Subjects.** For ``write``/``restore`` they are read off the quads (for a replaced or
dropped graph, its old content is read before the write); for ``/update`` the graphs come
from the update's text (:mod:`microhe.rdf.update_scope`) and the subjects from a diff of
those graphs before and after, when they hold at most ``DIFF_CAP`` quads. Past
``SUBJECT_CAP`` subjects an entry says ``None``. Blank nodes are never listed.

**Retention.** ``keep_entries`` (default 100,000) and ``keep_days`` (30): older entries
are forgotten at each write; ``floor`` is then the oldest point the log still answers.

API for callers: ``ChangeLog.seq`` (the last change readers may see), ``floor``,
:meth:`ChangeLog.changes_since` ``(since, limit) -> (changes, seq)``,
:meth:`ChangeLog.seq_at` ``(time) -> seq``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox

from microhe.errors import NotFound, Unavailable

#: How changes name the store's own default graph (as the load records do; Apache Jena's name).
DEFAULT_GRAPH = "urn:x-arq:DefaultGraph"
#: The file inside the store's directory that ties the log beside it to this store.
ID_FILE = "microhe-changes-id"
SUBJECT_CAP = 10_000
DIFF_CAP = 200_000
KEEP_ENTRIES = 100_000
KEEP_DAYS = 30.0

_KIND: contextvars.ContextVar[str | None] = contextvars.ContextVar("microhe_change_kind", default=None)


@contextlib.contextmanager
def operation(kind: str) -> Iterator[None]:
    """Name the kind of the writes made inside (``put``, ``load``, ``decision`` ...). The
    outermost caller wins: a Graph Store PUT that calls the loader stays a ``put``."""
    token = _KIND.set(kind) if _KIND.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _KIND.reset(token)


def kind_or(default: str) -> str:
    return _KIND.get() or default


class ChangesGone(NotFound):
    """The log cannot answer from that point (forgotten by retention, restarted, or never
    reached): the client must harvest the dump again (HTTP 410)."""


class ChangeLogError(Unavailable):
    """The change log file cannot be used (the message names it and what to do)."""


@dataclass(frozen=True)
class Change:
    """One committed write."""

    seq: int
    time: str
    kind: str
    graphs: list[str] | None
    deleted: list[str]
    added: list[str] | None
    removed: list[str] | None
    recovered: bool = False

    def to_json(self) -> dict:
        return {"seq": self.seq, "time": self.time, "kind": self.kind, "graphs": self.graphs,
                "deleted": self.deleted, "added": self.added, "removed": self.removed, "recovered": self.recovered}


@dataclass
class Pending:
    """What a write is about to change (filled in by the store; ``added``/``removed`` may
    be completed after the write, before the entry is marked done)."""

    kind: str
    graphs: set[str] | None
    added: set[str] | None = field(default_factory=set)
    removed: set[str] | None = field(default_factory=set)

    def body(self) -> dict:
        return {"kind": self.kind, "graphs": None if self.graphs is None else sorted(self.graphs),
                "added": _listed(self.added), "removed": _listed(self.removed)}


def _listed(subjects: set[str] | None) -> list[str] | None:
    return None if subjects is None or len(subjects) > SUBJECT_CAP else sorted(subjects)


def graph_name(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else DEFAULT_GRAPH


def subjects_into(target: set[str] | None, quads: Iterable[ox.Quad]) -> set[str] | None:
    """Add the IRI subjects of ``quads`` to ``target``; None once past ``SUBJECT_CAP``."""
    if target is None:
        return None
    for q in quads:
        if isinstance(q.subject, ox.NamedNode):
            target.add(q.subject.value)
            if len(target) > SUBJECT_CAP:
                return None
    return target


def now_text(when: datetime | None = None) -> str:
    """A UTC time as the log writes it (fixed width, so text order is time order)."""
    return (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log_path(store: Path) -> Path:
    return store.with_name(store.name + ".changes.sqlite")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    bulk INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_time ON entries (time);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_NO_PENDING = 1 << 62


class ChangeLog:
    """The log of one store: a SQLite file (``path``), or in memory (``None``)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.keep_entries = KEEP_ENTRIES
        self.keep_days = KEEP_DAYS
        self._lock = threading.RLock()
        where = str(path) if path is not None else ":memory:"
        try:
            self._db = sqlite3.connect(where, check_same_thread=False, isolation_level=None)
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._db.execute("SELECT COUNT(*) FROM entries").fetchone()
        except sqlite3.Error as e:
            raise ChangeLogError(f"cannot open the change log {where}: {e}; if it is damaged, move it away "
                                 "(the log restarts: harvesters then harvest the dump again)") from e
        self._last_time = self._one("SELECT MAX(time) FROM entries") or ""
        with contextlib.suppress(sqlite3.Error):  # issue 24: which log a saved view followed
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('log', ?)", (secrets.token_hex(16),))

    @property
    def ident(self) -> str | None:
        """A random id of this log file, made when it is created: a view saved at point N of
        one log never catches up from N of another (a log deleted and begun again)."""
        return self._meta("log")

    # -- reading ------------------------------------------------------------------------

    def _one(self, sql: str, *args):
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return row[0] if row else None

    def _meta(self, key: str) -> str | None:
        return self._one("SELECT value FROM meta WHERE key = ?", key)

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                         "excluded.value", (key, value))

    @property
    def floor(self) -> int:
        """The oldest point the log answers from: every change after it is in the log."""
        return int(self._meta("floor") or 0)

    @property
    def seq(self) -> int:
        """The last change readers may see (none after the first write still under way)."""
        with self._lock:
            first_pending = self._one("SELECT MIN(seq) FROM entries WHERE state = 'pending'") or _NO_PENDING
            last = self._one("SELECT MAX(seq) FROM entries WHERE state = 'done' AND seq < ?", first_pending)
            floor = self.floor
        return max(floor, last or 0)

    def changes_since(self, since: int, limit: int | None = None) -> tuple[list[Change], int]:
        """The changes after ``since``, oldest first (at most ``limit``), and the last
        sequence number now. Raises :class:`ChangesGone` for a point the log cannot answer
        from (before its floor, or after its last change)."""
        with self._lock:
            floor, last = self.floor, self.seq
            if since < floor:
                raise ChangesGone(f"the change log no longer holds the changes after {since}: it begins after {floor} "
                                  "(older entries were forgotten, or the log restarted); harvest the dump again")
            if since > last:
                raise ChangesGone(f"the change log has no change {since}: the last is {last} (the store was replaced "
                                  "or its log restarted); harvest the dump again")
            rows = self._db.execute(
                "SELECT seq, time, body FROM entries WHERE state = 'done' AND seq > ? AND seq <= ? ORDER BY seq"
                + (" LIMIT ?" if limit is not None else ""),
                (since, last, *([limit] if limit is not None else []))).fetchall()
        return [self._change(*row) for row in rows], last

    @staticmethod
    def _change(seq: int, time: str, body: str) -> Change:
        b = json.loads(body)
        return Change(seq, time, b["kind"], b["graphs"], b.get("deleted", []), b["added"], b["removed"],
                      bool(b.get("recovered", False)))

    def seq_at(self, when: datetime) -> int:
        """The point just before ``when``: ``changes_since(seq_at(t))`` gives the changes
        committed at or after ``t`` (taken as the first such change, minus one, so that
        writes committed out of number order are not skipped). Raises :class:`ChangesGone`
        when forgotten changes may be at or after ``t``."""
        t = now_text(when)
        with self._lock:
            last = self.seq
            first = self._one("SELECT MIN(seq) FROM entries WHERE state = 'done' AND time >= ? AND seq <= ?", t, last)
            floor = self.floor
            floor_time = self._meta("floor_time") or ""
        if floor > 0 and t <= floor_time:
            raise ChangesGone(f"the change log no longer holds the changes since {t}: it begins at {floor_time} "
                              "(older entries were forgotten, or the log restarted); harvest the dump again")
        return max(floor, last if first is None else first - 1)

    # -- writing --------------------------------------------------------------------------

    def begin(self, pending: Pending, *, bulk: bool = False) -> int:
        """Make the write's entry, pending (durable before the write starts)."""
        with self._lock:
            cur = self._db.execute("INSERT INTO entries (time, state, bulk, body) VALUES (?, 'pending', ?, ?)",
                                   (now_text(), int(bulk), json.dumps(pending.body())))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def commit(self, seq: int, pending: Pending | None, exists: Callable[[str], bool], *,
               recovered: bool = False) -> None:
        """The write has committed: complete the entry (``deleted``: its graphs that no
        longer exist) and mark it done, then forget what retention says."""
        with self._lock:
            if pending is not None:
                body = pending.body()
            else:
                text = self._one("SELECT body FROM entries WHERE seq = ?", seq)
                if text is None:
                    return
                body = json.loads(text)
            body["deleted"] = [g for g in body["graphs"] or [] if g != DEFAULT_GRAPH and not exists(g)]
            if recovered:
                body["recovered"] = True
            t = max(now_text(), self._last_time)
            self._last_time = t
            self._db.execute("UPDATE entries SET state = 'done', time = ?, body = ? WHERE seq = ?",
                             (t, json.dumps(body), seq))
            self.prune()

    def abandon(self, seq: int) -> None:
        """The write failed: its entry goes (its number is not reused)."""
        with self._lock:
            self._db.execute("DELETE FROM entries WHERE seq = ? AND state = 'pending'", (seq,))

    @contextlib.contextmanager
    def record(self, pending: Pending, exists: Callable[[str], bool]) -> Iterator[Pending]:
        """Around one transactional write: pending before, done after, gone on failure."""
        seq = self.begin(pending)
        try:
            yield pending
        except BaseException:
            self.abandon(seq)
            raise
        self.commit(seq, pending, exists)

    def prune(self, now: datetime | None = None) -> None:
        """Forget the entries past ``keep_entries`` or older than ``keep_days``."""
        with self._lock:
            last = self._one("SELECT MAX(seq) FROM entries WHERE state = 'done'")
            if last is None:
                return
            cut = self._one("SELECT MAX(seq) FROM entries WHERE state = 'done' AND seq <= ?", last - self.keep_entries)
            old = now_text((now or datetime.now(UTC)) - timedelta(days=self.keep_days))
            aged = self._one("SELECT MAX(seq) FROM entries WHERE state = 'done' AND time < ?", old)
            upto = max(cut or 0, aged or 0)
            if upto <= self.floor:
                return
            t = self._one("SELECT time FROM entries WHERE seq = ?", upto) or ""
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM entries WHERE state = 'done' AND seq <= ?", (upto,))
                self._set_meta("floor", str(upto))
                self._set_meta("floor_time", t)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def restart(self) -> int:
        """The log no longer describes the store (or never did): every older point is
        gone. The numbering goes on (one number is used up to mark the restart)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM entries")
                t = max(now_text(), self._last_time)
                self._last_time = t
                cur = self._db.execute("INSERT INTO entries (time, state, body) VALUES (?, 'done', '{}')", (t,))
                seq = cur.lastrowid
                self._db.execute("DELETE FROM entries WHERE seq = ?", (seq,))
                self._set_meta("floor", str(seq))
                self._set_meta("floor_time", t)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(seq or 0)

    def recover(self, *, rolled_back: bool, exists: Callable[[str], bool]) -> None:
        """After a crash: a pending bulk entry whose write was rolled back goes; every other
        pending entry is kept, marked ``recovered`` (see the module's crash-safety notes)."""
        with self._lock:
            rows = self._db.execute("SELECT seq, bulk FROM entries WHERE state = 'pending' ORDER BY seq").fetchall()
            for seq, bulk in rows:
                if bulk and rolled_back:
                    self.abandon(seq)
                else:
                    self.commit(seq, None, exists, recovered=True)

    def _pristine(self) -> bool:
        return self._one("SELECT seq FROM sqlite_sequence WHERE name = 'entries'") is None and self.floor == 0

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()


def open_beside(store: Path, *, empty: bool, rolled_back: bool, exists: Callable[[str], bool]) -> ChangeLog:
    """The log of the on-disk store at ``store`` (opened for writing): recovered after a
    crash, or restarted when it does not describe this store."""
    log = ChangeLog(log_path(store))
    try:
        ident_file = store / ID_FILE
        try:
            ident = ident_file.read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            ident = None
        with log._lock:
            known = log._meta("store")
            if ident is None or known != ident:
                ident = ident or secrets.token_hex(16)
                _write_id(ident_file, ident)
                log._db.execute("DELETE FROM entries WHERE state = 'pending'")  # another store's writes
                if not (empty and log._pristine()):
                    log.restart()
                log._set_meta("store", ident)
            else:
                log.recover(rolled_back=rolled_back, exists=exists)
            log.prune()
    except sqlite3.Error as e:
        log.close()
        raise ChangeLogError(f"the change log {log.path} cannot be read or written: {e}; if it is damaged, move "
                             "it away (the log restarts: harvesters then harvest the dump again)") from e
    except BaseException:
        log.close()
        raise
    return log


def forget_pending_bulk(store: Path) -> None:
    """A bulk write's roll-back (:func:`microhe.store.checkpoint.roll_back`, before it puts
    the checkpoint in place) drops the write's pending entry, so the next open does not
    take the write for complete. No log beside the store: nothing to do."""
    path = log_path(store)
    if not path.exists():
        return
    log = ChangeLog(path)
    try:
        with log._lock:
            log._db.execute("DELETE FROM entries WHERE state = 'pending' AND bulk = 1")
    finally:
        log.close()


def _write_id(path: Path, ident: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="ascii") as f:
        f.write(ident)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


__all__ = ["Change", "ChangeLog", "ChangeLogError", "ChangesGone", "DEFAULT_GRAPH", "ID_FILE", "Pending",
           "forget_pending_bulk",
           "kind_or", "log_path", "open_beside", "operation", "subjects_into"]
