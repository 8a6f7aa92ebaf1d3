"""The write lock lives in the library (issue 14): every write through microhe (load,
merge, drop: so the CLI, notebooks and the Graph Store alike) holds the store's one
write lock while it reads, validates and writes, so a merge is never validated against
content another writer is replacing. The HTTP routes take the same lock (it is reentrant
for the thread holding it)."""

from __future__ import annotations

import threading

import pytest

from microhe.ingest.load import Source, drop, load, merge
from microhe.ingest.lock import write_lock
from microhe.store.embedded import Store

DATA = (b'<https://example.org/s> <http://purl.org/dc/terms/description> "a thing" .\n'
        # an EQF level: a node the consistency profile checks (input none checks is refused)
        b'<https://example.org/s> <http://data.europa.eu/snb/model/elm/EQFLevel> <http://data.europa.eu/snb/eqf/6> .\n')


def _held_elsewhere(store: Store) -> bool:
    """Whether another thread holds the store's write lock (asked from a fresh thread:
    the lock is reentrant, so the holder itself could always take it again)."""
    out = []

    def probe():
        lock = write_lock(store)
        got = lock.acquire(blocking=False)
        if got:
            lock.release()
        out.append(not got)

    t = threading.Thread(target=probe)
    t.start()
    t.join(timeout=10)
    assert out, "the probe thread did not answer"
    return out[0]


@pytest.fixture
def store(monkeypatch):
    s = Store()
    seen: list[bool] = []
    real = s.write

    def write(*args, **kwargs):
        seen.append(_held_elsewhere(s))
        return real(*args, **kwargs)

    monkeypatch.setattr(s, "write", write)
    s.seen = seen
    return s


def test_load_merge_and_drop_write_under_the_store_lock(store):
    load(store, [Source("a.nt", DATA)], graph="https://example.org/g", profiles=["consistency"])
    merge(store, Source("b.nt", DATA), graph="https://example.org/g2", profiles=["consistency"])
    drop(store, "https://example.org/g")
    assert store.seen == [True, True, True]
    assert not _held_elsewhere(store)  # and released afterwards


def test_one_lock_per_store_and_reentrant():
    a, b = Store(), Store()
    assert write_lock(a) is write_lock(a) and write_lock(a) is not write_lock(b)
    lock = write_lock(a)
    with lock:  # the Graph Store holds it around load(), which takes it again
        assert lock.acquire(timeout=5), "the write lock is not reentrant"
        lock.release()


def test_the_http_routes_use_the_library_lock():
    from microhe.api.routes import graph_store, update

    assert update.write_lock is write_lock
    assert not hasattr(graph_store, "_locks")
