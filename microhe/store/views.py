"""Views derived from a store, built once per committed state (``per_store``): the one
cache key (``store.generation``), the one lock per store and view, and the saved copies
of a view beside an on-disk store (:mod:`microhe.store.snapshots`). Moved here as they
were; the scale work rewrites them."""

from __future__ import annotations

import contextlib
import functools
import gc
import threading
import weakref

from microhe.store import snapshots


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


def per_store(build=None, *, persist: str | None = None, classes: tuple[type, ...] = ()):
    """Decorate ``build(store) -> view`` so the view is built once per store state: cached
    per store object (weakly held, so an id() reused by a later store never hits) and
    rebuilt when ``store.generation`` changes. A caller that asks while another thread builds
    the view waits for that build instead of starting a second one (builds of a large store
    take seconds: ``microhe.recognition.warm`` runs them ahead of the first request).

    With ``persist=NAME`` (``@per_store(persist="search-records", classes=(...))``) the view
    of an on-disk store is also saved in the store's directory for its state token and read
    from there by the next process (``microhe.store.snapshots``); ``classes`` are the classes
    the saved view is made of (only those are unpickled)."""
    if build is None:
        return lambda b: per_store(b, persist=persist, classes=classes)
    cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    guard = threading.Lock()

    def load_or_build(store):
        """The view and whether it describes a committed state: built (or read back) with
        no write through ``store`` in progress at its start or end and none in between
        (``Store._changing``). A view built across a write may have read the old data or
        part of the new, so it answers the request that asked for it but is never kept."""
        generation, writing = store.generation, getattr(store, "writing", 0)
        path = getattr(store, "path", None) if persist else None
        state = store.state if path is not None else None
        with _collector_paused():
            saved = snapshots.load(path, persist, state, classes) if state is not None and not writing else None
            if saved is not None:
                return saved, _quiet(store, generation)  # read only when no write was under way
            built = build(store)
        committed = not writing and _quiet(store, generation)
        if committed and state is not None and store.state == state:
            snapshots.save(path, persist, state, built)
        return built, committed

    @functools.wraps(build)
    def view(store):
        hit = cache.get(store)
        if hit is not None and hit[0] == store.generation:
            return hit[1]
        with guard:
            lock = locks.setdefault(store, threading.Lock())
        with lock:
            hit = cache.get(store)
            if hit is not None and hit[0] == store.generation:
                return hit[1]
            generation = store.generation
            built, committed = load_or_build(store)
            if committed:
                cache[store] = (generation, built)
        return built

    view.cached = lambda store: (hit := cache.get(store)) is not None and hit[0] == store.generation  # type: ignore[attr-defined]  # the probe travels on the function, as functools.cache_info does
    return view


def _quiet(store, generation: int) -> bool:
    """No write through ``store`` began or ended since ``generation`` was read."""
    return store.generation == generation and not getattr(store, "writing", 0)



__all__ = ["per_store"]
