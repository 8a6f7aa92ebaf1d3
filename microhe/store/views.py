"""Views derived from a store, kept per committed state (``per_store``): the one cache key
(``store.generation``), the one lock per store and view, and the saved copies of a view
beside an on-disk store (:mod:`microhe.store.snapshots`).

**Following the change log (issue 24).** A view declared with ``patch`` is not rebuilt after
a write: ``patch(store, old_view, changes)`` makes the next view from the last one and the
change-log entries since (:mod:`microhe.store.changes`), reading only what they touched, or
says it cannot (``None``: a change of unknown scope, or too broad) and the view is built
again. Three rules keep readers from ever waiting for it:

* the writer brings such views up to date itself, after its write has ended and before its
  response (``Store.on_written``), so a client sees its own write in search;
* a reader that finds a view behind while another thread brings it up to date (or builds
  it again: any view, patched or not) answers from the last view instead of waiting (a
  view is never withdrawn, only replaced);
* a full rebuild of a large view (at least ``BACKGROUND_MIN`` in ``size``) runs on a
  thread of its own, readers answering from the last view until it is done.

A view remembers the change-log point it describes (``seq``: every change up to it is in
it; reads made after that point may already hold later changes, which replaying them
again leaves as they are). Saved beside the store, it carries that point and the log's id,
so the next process catches up from it instead of rebuilding (a saved view of another log
or from before what the log still holds is rebuilt, never followed).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import threading
import weakref
from dataclasses import dataclass

import pyoxigraph as ox

from microhe.store import snapshots
from microhe.store.changes import ChangesGone

log = logging.getLogger("microhe.views")

#: a view at least this large (its ``size``) is rebuilt on a thread of its own, readers
#: answering from the last one meanwhile (smaller ones are rebuilt by the caller: < 1 s)
BACKGROUND_MIN = 20_000


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector paused: a view of 10^5-10^6 records, built or read
    back, creates millions of objects (none cyclic), and each full collection on the way walks
    all of them (posting lists of 100k records: 2.3 s with it, 0.9 s without; reading the
    records back 2.4 s with it, 1.2 s without). Process-wide while it
    lasts: reference counting still frees everything acyclic at once; only cycles made by
    requests served meanwhile wait for the build to end (minutes at 10^6 credentials)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Entry:
    view: object
    generation: int | None  # the store generation it is current for; None: usable, but behind
    seq: int | None  # the change-log point it describes; None: not known (never followed)
    saved: bool = False  # saved beside the store as it is
    watched: frozenset[str] | None = None  # the subjects a watched view read (``Watch``)


#: every persisted view, so that ``save_all`` can write those patched since their last save
_PERSISTED: list = []


@dataclass(frozen=True)
class Watch:
    """What a view of reference data reads: the subjects typed with one of ``types`` or
    having one of ``predicates``. Such a view (``per_store(watch=...)``) is kept across a
    write whose changed subjects are none of those it read when built, and none of them is
    one now; any other write, or one of unknown scope, builds it again. (The frameworks and
    the credit systems are read at every write's derivation and by every compare: they
    change only when reference data is written.)"""

    types: tuple[str, ...] = ()
    predicates: tuple[str, ...] = ()

    def _where(self, var: str) -> str:
        parts = [f"{{ ?{var} a <{t}> }}" for t in self.types]
        parts += [f"{{ ?{var} <{p}> ?o }}" for p in self.predicates]
        return " UNION ".join(parts)

    def subjects(self, store) -> frozenset[str]:
        return frozenset(r["s"].value for r in store.query(f"SELECT DISTINCT ?s WHERE {{ {self._where('s')} }}")
                         if isinstance(r["s"], ox.NamedNode))

    def touched(self, store, changed: set[str]) -> bool:
        """Whether one of ``changed`` (IRIs) is one of the watched subjects now."""
        listed = sorted(changed)
        for i in range(0, len(listed), 400):
            for iri in listed[i:i + 400]:  # the IRI in the query: bound by VALUES, the UNION would be read whole
                if store.query(f"ASK {{ {self._where('s').replace('?s', f'<{iri}>')} }}"):
                    return True
        return False


def per_store(build=None, *, persist: str | None = None, classes: tuple[type, ...] = (), patch=None, size=None,
              watch: Watch | None = None):
    """Decorate ``build(store) -> view`` so the view is built once per store state: cached
    per store object (weakly held, so an id() reused by a later store never hits) and
    brought up to date when ``store.generation`` changes. A caller that asks while another
    thread builds the view waits for that build instead of starting a second one (builds of
    a large store take seconds: ``microhe.recognition.warm`` runs them ahead of the first
    request) -- unless there is a last view (of an earlier state), which then answers.

    With ``persist=NAME`` (``@per_store(persist="search-records", classes=(...))``) the view
    of an on-disk store is also saved in the store's directory for its state token and read
    from there by the next process (``microhe.store.snapshots``); ``classes`` are the classes
    the saved view is made of (only those are unpickled). ``size(view)`` says how large a
    view is (its rebuild goes to the background from ``BACKGROUND_MIN``)."""
    if build is None:
        return lambda b: per_store(b, persist=persist, classes=classes, patch=patch, size=size, watch=watch)
    cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    rebuilding: weakref.WeakSet = weakref.WeakSet()  # stores whose view a thread of its own rebuilds
    guard = threading.Lock()

    def lock_of(store) -> threading.Lock:
        with guard:
            return locks.setdefault(store, threading.Lock())

    def log_of(store):
        return getattr(store, "changes", None) if patch is not None or watch is not None else None

    def keep_watched(store, old, changes):
        """``patch`` of a watched view: the same view when no change touched what it read."""
        entry = cache.get(store)
        read = entry.watched if entry is not None else None
        changed: set[str] = set()
        for c in changes:
            if c.graphs is None or c.added is None or c.removed is None:
                return None
            changed.update(c.added)
            changed.update(c.removed)
        if read is None or changed & read or watch.touched(store, changed):
            return None
        return old

    def follow(store, old, since: int | None):
        """``(view, seq)``: ``old`` (describing point ``since``) brought up to the log's
        last point, or None when it cannot be (the log does not reach back, or ``patch``
        declines)."""
        changelog = log_of(store)
        if changelog is None or since is None:
            return None
        try:
            found, last = changelog.changes_since(since)
        except ChangesGone:
            return None
        if not found:
            return old, last
        new = (patch or keep_watched)(store, old, found)
        return None if new is None else (new, last)

    def load_or_build(store):
        """``(view, seq, saved, built)``: read back (and caught up) or built (in full). ``seq`` is read before
        the store, so the view holds at least every change up to it."""
        changelog = log_of(store)
        seq = changelog.seq if changelog is not None else None
        path = getattr(store, "path", None) if persist else None
        state = store.state if path is not None else None
        with _collector_paused():
            if state is not None and not getattr(store, "writing", 0):
                ident = changelog.ident if changelog is not None else None

                def accept(header: dict) -> bool:
                    return header.get("state") == state or (
                        ident is not None and header.get("log") == ident and isinstance(header.get("seq"), int))

                found = snapshots.read(path, persist, classes, accept)
                if found is not None:
                    header, saved = found
                    if header.get("state") == state:
                        return saved, seq, True, False
                    caught = follow(store, saved, header["seq"])
                    if caught is not None:
                        return caught[0], caught[1], False, False
            return build(store), seq, False, True

    def keep(store, view_, generation: int, seq: int | None, saved: bool, *, built: bool = False) -> None:
        """Cache ``view_``: current for ``generation`` when no write began or ended while it
        was made; otherwise kept only as the last view (to answer from, and to patch)."""
        committed = _quiet(store, generation)
        if committed or (seq is not None and log_of(store) is not None):
            first = store not in cache
            before = cache.get(store)
            if watch is None:
                watched = None
            elif built or before is None or before.watched is None:
                watched = watch.subjects(store) if committed else None
            else:
                watched = before.watched  # kept: what it read is what it read when built
            cache[store] = _Entry(view_, generation if committed else None, seq, saved and committed, watched)
            if first and patch is not None and log_of(store) is not None and hasattr(store, "on_written"):
                store.on_written.append(catch_up)
        if committed and built and not saved and persist:
            save(store)  # built in full: saved at once, as before (patched ones: ``save_all``)

    def refresh(store, hit, *, background_ok: bool = True):
        """Under the view's lock: the current view (patched, read back or built)."""
        generation = store.generation
        if getattr(store, "writing", 0):
            generation = -1  # never current: a write is under way
        if hit is not None:
            caught = follow(store, hit.view, hit.seq)
            if caught is not None:
                keep(store, caught[0], generation, caught[1], False)
                return caught[0]
            if background_ok and size is not None and size(hit.view) >= BACKGROUND_MIN:
                rebuilding.add(store)
                threading.Thread(target=rebuild_later, args=(weakref.ref(store),), daemon=True,
                                 name=f"microhe-rebuild-{getattr(build, '__name__', 'view')}").start()
                return hit.view
        made, seq, saved, built = load_or_build(store)
        keep(store, made, generation, seq, saved, built=built)
        return made

    def rebuild_later(ref) -> None:
        store = ref()
        if store is None:
            return
        try:
            with lock_of(store):
                hit = cache.get(store)
                if hit is not None and hit.generation == store.generation:
                    return
                generation = store.generation if not getattr(store, "writing", 0) else -1
                made, seq, saved, built = load_or_build(store)
                keep(store, made, generation, seq, saved, built=built)
        except Exception:  # noqa: BLE001 - readers keep the last view; the next one asks again
            log.exception("rebuilding the view %s failed", getattr(build, "__name__", build))
        finally:
            rebuilding.discard(store)

    def catch_up(store) -> None:
        """After a write (``Store.on_written``): bring the view up to date now, waiting for
        a catch-up already under way (short) rather than leaving it behind the write."""
        hit = cache.get(store)
        if hit is None or hit.generation == store.generation or store in rebuilding:
            return  # nothing to do, or a rebuild under way (minutes at 10^5): it will be followed after
        with lock_of(store):
            hit = cache.get(store)
            if hit is not None and hit.generation != store.generation:
                refresh(store, hit)

    def save(store) -> bool:
        """Write the cached view beside the store (with its change-log point)."""
        hit = cache.get(store)
        path = getattr(store, "path", None)
        if hit is None or hit.saved or not persist or path is None or hit.generation != store.generation:
            return False
        changelog = log_of(store)
        extra = {"seq": hit.seq, "log": changelog.ident} if changelog is not None and hit.seq is not None else {}
        state = store.state
        if state is None:
            return False
        ok = snapshots.save(path, persist, state, hit.view, **extra)
        if ok and store.state == state:
            hit.saved = True
        return ok

    @functools.wraps(build)
    def view(store):
        hit = cache.get(store)
        if hit is not None and hit.generation == store.generation:
            return hit.view
        lock = lock_of(store)
        if hit is not None:
            if not lock.acquire(blocking=False):
                return hit.view  # being brought up to date by another thread: the last view answers
        else:
            lock.acquire()
        try:
            hit = cache.get(store)
            if hit is not None and hit.generation == store.generation:
                return hit.view
            return refresh(store, hit)
        finally:
            lock.release()

    def cached(store) -> bool:
        hit = cache.get(store)
        return hit is not None and hit.generation == store.generation

    def seq_of(store) -> int | None:
        """The change-log point the cached view describes (None: none cached, or not known)."""
        hit = cache.get(store)
        return None if hit is None else hit.seq

    def save_now(store) -> bool:
        with lock_of(store):
            return save(store)

    view.cached = cached  # type: ignore[attr-defined]  # the probes travel on the function, as functools.cache_info does
    view.seq = seq_of  # type: ignore[attr-defined]
    view.save = save_now  # type: ignore[attr-defined]
    if persist:
        _PERSISTED.append(view)
    return view


def save_all(store) -> list[str]:
    """Save every persisted view of ``store`` that changed since it was last saved (the
    server calls it once the store has been quiet a while, and when it stops); the names
    of those saved."""
    return [getattr(v, "__name__", "view") for v in _PERSISTED if v.save(store)]


def _quiet(store, generation: int) -> bool:
    """No write through ``store`` began or ended since ``generation`` was read."""
    return store.generation == generation and not getattr(store, "writing", 0)


__all__ = ["BACKGROUND_MIN", "Watch", "per_store", "save_all"]
