"""Views built while the store is being written are never kept: the search records always
describe a committed state, in memory and in the files saved beside the store
(``Store._changing`` and ``per_store``)."""

from __future__ import annotations

import threading

import pyoxigraph as ox
import pytest

from microhe.recognition.search import search
from microhe.store.embedded import Store

ELM = "http://data.europa.eu/snb/model/elm/"
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
COUNT = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{ELM}Qualification> }}"


def _spec(i: int) -> tuple[str, list[ox.Quad]]:
    s = ox.NamedNode(f"urn:test:spec:{i}")
    return f"urn:test:graph:{i}", [
        ox.Quad(s, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(ELM + "Qualification")),
        ox.Quad(s, TITLE, ox.Literal(f"Zz raced spec {i}", language="en")),
    ]


def _found(store) -> int:
    return search(store, limit=1, facets=False).total


def _counted(store) -> int:
    return int(next(iter(store.query(COUNT)))["n"].value)


class _PausedWrites:
    """The real pyoxigraph store, with its writes held at the start until released: the
    window in which a request may build a view while a write is under way."""

    def __init__(self, db):
        self._db, self.entered, self.release = db, threading.Event(), threading.Event()

    def __getattr__(self, name):
        return getattr(self._db, name)

    def _hold(self):
        self.entered.set()
        assert self.release.wait(30), "the test never released the write"

    def extend(self, quads):
        self._hold()
        return self._db.extend(quads)

    def update(self, *args, **kwargs):
        self._hold()
        return self._db.update(*args, **kwargs)


@pytest.mark.parametrize("how", ["write", "update"])
def test_a_view_built_during_a_write_is_not_kept_in_memory_or_on_disk(store_dir, how):
    with Store(store_dir) as s:
        before = _found(s)
        paused = s._db = _PausedWrites(s._db)
        graph, quads = _spec(1)
        if how == "write":
            writer = threading.Thread(target=s.write, args=({graph: quads},))
        else:
            body = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
            writer = threading.Thread(target=s.update, args=(f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}",))
        writer.start()
        assert paused.entered.wait(30)
        # a request during the write: answered from the old data (the write is not committed)
        assert _found(s) == before
        paused.release.set()
        writer.join(30)
        assert _found(s) == before + 1 == _counted(s)
        s._db = paused._db
        del paused  # the last other reference to the database: close() can release it
    with Store(store_dir, read_only=True) as ro:  # the next process reads the saved view
        assert _found(ro) == before + 1


def test_readers_keep_the_committed_view_while_a_write_is_under_way(store_dir):
    with Store(store_dir) as s:
        before = _found(s)  # built and kept before the write
        paused = s._db = _PausedWrites(s._db)
        writer = threading.Thread(target=s.write, args=(dict([_spec(2)]),))
        writer.start()
        assert paused.entered.wait(30)
        assert s.writing == 1
        assert _found(s) == before  # the kept view, not a build per request
        paused.release.set()
        writer.join(30)
        assert s.writing == 0
        assert _found(s) == before + 1
        s._db = paused._db
        del paused  # the last other reference to the database: close() can release it


def test_a_failed_write_moves_the_views_on_too(store_dir):
    with Store(store_dir) as s:
        generation, state = s.generation, s.state
        with pytest.raises(SyntaxError):
            s.update("INSERT DATA { this is not SPARQL }")
        assert s.generation == generation + 1 and s.state != state and s.writing == 0


def test_builds_racing_real_writes_end_on_the_committed_state(store_dir):
    """Writers and readers on real threads, no pauses: after the last write, search and a
    restarted store agree with SPARQL."""
    with Store(store_dir) as s:
        start = _found(s)
        stop = threading.Event()
        errors: list[BaseException] = []

        def read():
            while not stop.is_set():
                try:
                    _found(s)
                except BaseException as e:  # noqa: BLE001 - reported below
                    errors.append(e)
                    return

        readers = [threading.Thread(target=read) for _ in range(2)]
        for r in readers:
            r.start()
        try:
            for i in range(10, 40):
                s.write(dict([_spec(i)]))
        finally:
            stop.set()
            for r in readers:
                r.join(30)
        assert not errors
        assert _found(s) == _counted(s) == start + 30
    with Store(store_dir, read_only=True) as ro:
        assert _found(ro) == start + 30
