"""Warming the per-store recognition indexes: ``warm`` builds every view once per store
state, ``per_store`` builds once when several threads ask at the same time, the server's
background ``Warmer`` builds at start-up and again after a write."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.recognition.search import search
from microhe.recognition.warm import VIEWS, Warmer, warm
from microhe.settings import Settings
from microhe.store.embedded import Store
from microhe.store.views import per_store
from tests.demo import demo_copy

from .conftest import write_turtle


def _fresh() -> Store:
    return demo_copy()


def test_warm_builds_every_view_once_per_store_state():
    s = _fresh()
    assert not any(view.cached(s) for _, view in VIEWS)
    took = warm(s)
    # the posting lists are made with the search records (issue 24: one view, patched as one)
    assert set(took) == {name for name, _ in VIEWS} - {"posting lists"}
    assert all(view.cached(s) for _, view in VIEWS)
    assert warm(s) == {}  # nothing left to build
    s.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    # issue 24: the search records and their posting lists follow the change log, brought up
    # to date by the writer before its write returns; the others are built again on demand
    assert {name for name, view in VIEWS if view.cached(s)} == {"search records", "posting lists"}


def test_concurrent_callers_share_one_build():
    calls, arrived = [], []

    @per_store
    def slow(store):
        calls.append(1)
        # the build lasts until every caller has asked (bounded poll, not a sleep), so the
        # others ask while it runs; a second build would find them all arrived and return
        deadline = time.monotonic() + 30
        while len(arrived) < 4 and time.monotonic() < deadline:
            time.sleep(0.001)
        return object()

    def ask():
        arrived.append(1)
        got.append(slow(s))

    s = Store()
    got = []
    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(g) for g in got}) == 1


def test_the_warmer_builds_at_start_and_after_a_write():
    s = _fresh()
    warmer = Warmer(s, poll=0.05, settle=0.2).start()
    try:
        assert warmer.ready.wait(30)
        assert all(view.cached(s) for _, view in VIEWS)
        before = {r.iri for r in search(s, limit=1000, facets=False).results}
        warmer.ready.clear()
        write_turtle(s, "warm", """
            <https://example.org/warm/c1> a elm:Qualification ;
                dcterms:title "Warm-up test credential"@en ;
                elm:EQFLevel <http://data.europa.eu/snb/eqf/6> .""")
        assert search_cached(s)  # issue 24: brought up to date by the write itself
        assert not dict(VIEWS)["part-of edges"].cached(s)
        assert warmer.ready.wait(30), "the warmer did not rebuild after the write"
        assert all(view.cached(s) for _, view in VIEWS)
        after = {r.iri for r in search(s, limit=1000, facets=False).results}
        assert after - before == {"https://example.org/warm/c1"}
    finally:
        warmer.stop()
    assert not warmer.thread.is_alive()


def search_cached(s: Store) -> bool:
    return dict(VIEWS)["search records"].cached(s)


def test_the_server_warms_its_store_unless_told_not_to(tmp_path):
    s = _fresh()
    app = create_app(Settings(store=tmp_path / "unused", base="http://example.org/"), store=s)
    with TestClient(app):
        assert app.state.warmer.ready.wait(30) and search_cached(s)
    assert not app.state.warmer.thread.is_alive()
    cold = _fresh()
    off = create_app(Settings(store=tmp_path / "unused", base="http://example.org/", warm_indexes=False), store=cold)
    warmers = {t for t in threading.enumerate() if t.name == "microhe-warm"}  # other apps' in this process
    with TestClient(off) as client:
        assert off.state.warmer is None
        assert not {t for t in threading.enumerate() if t.name == "microhe-warm"} - warmers  # none started
        assert not search_cached(cold)
        r = client.get("/api/credentials", params={"eqf": 6})
        assert r.status_code == 200 and r.json()["results"] and search_cached(cold)
