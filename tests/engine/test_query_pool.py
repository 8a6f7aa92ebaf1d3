"""The worker-process pool and its snapshots, without HTTP (microhe.engine.pool,
microhe.engine.snapshots): worker deaths, errors that stay 400, jobs that expire while
waiting, snapshots taken only of committed states and deleted once nobody holds them."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pyoxigraph as ox
import pytest

from microhe.engine.pool import ClientBusy, PoolBusy, QueryPool, QueryStopped, engine_for
from microhe.engine.results import Job, QueryFailure, Rendering
from microhe.engine.snapshots import DIR, Snapshots
from microhe.settings import Settings
from microhe.store.embedded import Store

EX = "http://example.org/"
JSON = ("application/sparql-results+json", "results:application/sparql-results+json")
RENDERING = Rendering(results=JSON, graph=("application/n-triples", "graph:application/n-triples"))
AGGREGATE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def job(text: str) -> Job:
    return Job(text, RENDERING, row_cap=1000)


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "store")
    s.restore([ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)), ox.NamedNode(EX + "g"))
               for i in range(2000)])
    yield s
    s.close()


def poll(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):  # reaped, before or while reading
        return True


def test_a_worker_killed_from_outside_answers_503_and_is_replaced(store):
    pool = QueryPool(store, workers=1, queue=1, timeout=20).start()
    try:
        future = pool.submit(job(AGGREGATE), "a")
        assert poll(lambda: len(pool.busy_pids()) == 1, 10)
        (pid,) = pool.busy_pids()
        os.kill(pid, signal.SIGKILL)  # e.g. the kernel's OOM killer
        with pytest.raises(QueryStopped, match="stopped unexpectedly") as e:
            future.result(10)
        assert e.value.reason == "died"
        assert poll(lambda: len(pool.pids()) == 1 and pool.pids()[0] != pid, 10)
        answer = pool.submit(job("ASK {}"), "a").result(10)
        assert answer.body == b'{"head":{},"boolean":true}'
    finally:
        pool.close()
    assert not (store.path / DIR).exists()


def test_query_errors_stay_errors_of_the_query_and_the_worker_lives_on(store):
    pool = QueryPool(store, workers=1, queue=0, timeout=20).start()
    try:
        (pid,) = pool.pids()
        with pytest.raises(QueryFailure, match="SPARQL syntax error") as e:
            pool.submit(job("SELECT WHERE {"), "a").result(10)
        assert e.value.status == 400
        with pytest.raises(QueryFailure) as e:  # a refusal decided before evaluation (406)
            pool.submit(Job("CONSTRUCT WHERE { ?s ?p ?o }", Rendering(results=JSON, graph=(406, "no", {})), 10),
                        "a").result(10)
        assert e.value.status == 406
        assert pool.pids() == [pid]
    finally:
        pool.close()


def test_a_job_that_waits_past_its_deadline_is_never_run_and_refusals_say_why(store):
    pool = QueryPool(store, workers=1, queue=1, client_share=2, timeout=3.0).start()
    # 3 s, not less: on a loaded machine a replacement worker must start within the deadline;
    # the waits for the answers are generous (a worker process starts in seconds, minutes under heavy load)
    try:
        running = pool.submit(job(AGGREGATE), "a")
        assert poll(lambda: len(pool.busy_pids()) == 1, 60)
        waiting = pool.submit(job("ASK {}"), "b")
        with pytest.raises(PoolBusy, match="all 1 query workers are busy"):
            pool.submit(job("ASK {}"), "c")
        with pytest.raises(QueryStopped, match="timed out after 3 s waiting for a free query worker"):
            waiting.result(120)
        with pytest.raises(QueryStopped, match="timed out after 3 s; the query was stopped"):
            running.result(120)
        assert pool.submit(job("ASK {}"), "c").result(120).body.endswith(b"true}")
        assert pool.admitted == 0
    finally:
        pool.close()


def test_a_client_past_its_share_waits_while_others_are_served_and_past_its_queue_is_refused(store):
    pool = QueryPool(store, workers=2, queue=1, timeout=20).start()  # share: half the workers
    try:
        assert pool.client_share == 1

        async def scenario():
            first = asyncio.ensure_future(pool.run(job(AGGREGATE), "a"))
            while not pool.busy_pids():
                await asyncio.sleep(0.02)
            waiting = asyncio.ensure_future(pool.run(job("ASK {}"), "a"))  # admitted, not run: a holds its share
            other = await pool.run(job("ASK {}"), "b")  # the second worker is b's
            assert other.body.endswith(b"true}")
            assert not waiting.done() and len(pool.busy_pids()) == 1
            with pytest.raises(ClientBusy, match="too many queries"):  # share 1 + queue 1 admitted already
                pool.submit(job("ASK {}"), "a")
            first.cancel()  # the runaway goes: a's waiting job runs
            answer = await asyncio.wait_for(waiting, 10)
            assert answer.body.endswith(b"true}")

        asyncio.run(scenario())
    finally:
        pool.close()


def test_a_request_that_goes_away_stops_its_query(store):
    pool = QueryPool(store, workers=1, queue=0, timeout=20).start()
    try:
        async def go_away():
            task = asyncio.ensure_future(pool.run(job(AGGREGATE), "a"))
            while not pool.busy_pids():
                await asyncio.sleep(0.02)
            pid = pool.busy_pids()[0]
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return pid

        pid = asyncio.run(go_away())
        assert poll(lambda: gone(pid), 5)
        assert poll(lambda: pool.admitted == 0 and len(pool.pids()) == 1, 10)
    finally:
        pool.close()


def test_snapshots_are_of_committed_states_and_deleted_when_nobody_holds_them(store):
    snaps = Snapshots(store)
    (store.path / DIR / "7").mkdir(parents=True)  # left by a killed server
    snaps.reset()
    first = snaps.checkout("w1")
    assert snaps.paths() == [first]
    assert snaps.newest() == first  # nothing written: no new snapshot
    # a write under way: the newest committed snapshot is used, none is taken
    with store._changing():
        assert snaps.checkout("w2") == first
    store.update(f"INSERT DATA {{ GRAPH <{EX}g2> {{ <{EX}a> <{EX}b> <{EX}c> }} }}")
    second = snaps.checkout("w2")
    assert second != first
    assert ox.Store.read_only(second).contains_named_graph(ox.NamedNode(EX + "g2"))
    snaps.release("w2", keep=second)  # w2 opened the second, closed the first
    assert snaps.paths() == sorted([first, second])  # w1 still has the first open
    snaps.release("w1", keep=second)
    assert snaps.paths() == [second]
    snaps.drop("w2")
    snaps.drop("w1")
    assert snaps.paths() == [second]  # the newest stays
    snaps.close()
    assert not (store.path / DIR).exists()


def test_the_engine_follows_the_store_and_the_setting(tmp_path, store):
    assert engine_for(Settings(store=tmp_path / "x"), store) == "processes"
    assert engine_for(Settings(store=tmp_path / "x", query_engine="threads"), store) == "threads"
    assert engine_for(Settings(store=tmp_path / "x", query_engine="processes"), Store()) == "threads"


def test_trusted_proxies_are_addresses_or_networks():
    assert Settings(trusted_proxies="10.0.0.1, 192.168.0.0/16").trusted_proxies == ("10.0.0.1", "192.168.0.0/16")
    with pytest.raises(ValueError, match="'proxy.example' is neither an IP address nor a network"):
        Settings(trusted_proxies="proxy.example")


def test_a_pool_needs_a_worker():
    with pytest.raises(ValueError, match="query_workers must be at least 1"):
        QueryPool(Store(), workers=0)


def test_closing_answers_the_running_and_the_waiting_queries_and_refuses_new_ones(store):
    pool = QueryPool(store, workers=1, queue=1, client_share=2, timeout=60)
    running = pool.submit(job(AGGREGATE), "a")  # not started: the first query starts it
    assert pool.start() is pool  # already started: nothing more
    assert poll(lambda: len(pool.busy_pids()) == 1, 30)
    (pid,) = pool.busy_pids()
    waiting = pool.submit(job("ASK {}"), "b")
    pool.close()
    for future in (running, waiting):
        with pytest.raises(QueryStopped, match="the server is shutting down") as e:
            future.result(10)
        assert e.value.reason == "shutdown"
    assert gone(pid) and pool.pids() == []
    with pytest.raises(QueryStopped, match="the server is shutting down; try again shortly"):
        pool.submit(job("ASK {}"), "c")
    pool.close()  # a second close is harmless
    assert not (store.path / DIR).exists()
