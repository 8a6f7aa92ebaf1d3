"""Deadlines and the bounded worker pool: a slow query is abandoned with 503 while other
requests keep being answered; a full pool answers 503 with Retry-After.

Timing assertions are about order and about "long before the query could have finished",
never about absolute speed.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pyoxigraph as ox
import pytest

from microhe.engine.threads import Deadline, QueryExecutor, QueryTimeout, Saturated

from .conftest import make_store

EX = "http://example.org/gen/"
CROSS = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y }"  # n*n rows, streamed
# n*n pairs scanned, one in a hundred kept (by ?x's last digits, so evenly spread): a steady
# trickle of rows for many seconds, gaps of milliseconds between them
SPARSE = 'SELECT ?a ?y WHERE { ?a ?p ?x . ?b ?q ?y FILTER(STRENDS(CONCAT(STR(?y), STR(?x)), "99")) }'
AGGREGATE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . FILTER(STR(?x) < STR(?y)) }"  # one row, at the end


def generated(n: int):
    g = ox.NamedNode(EX + "graph")
    return make_store([ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)), g)
                       for i in range(n)])


def wait_until(predicate, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def in_thread(fn):
    out: dict = {}

    def run():
        out["response"] = fn()
        out["done"] = time.monotonic()

    t = threading.Thread(target=run)
    t.start()
    return t, out


@pytest.mark.slow
def test_a_slow_query_gets_503_while_a_cheap_one_is_answered(make_client):
    # 5000 x 5000 = 25 M pairs: about half a minute to run to the end; the deadline is 2 s.
    c = make_client(store=generated(5000), query_timeout=2.0, row_cap=100_000_000)
    executor_ready = c.get("/sparql", params={"query": "ASK {}"})
    assert executor_ready.status_code == 200
    executor: QueryExecutor = c.app.state.query_executor
    slow_thread, slow = in_thread(lambda: c.get("/sparql", params={"query": SPARSE}))
    assert wait_until(lambda: executor.running >= 1, 10)
    cheap = c.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"})
    cheap_done = time.monotonic()
    slow_thread.join(60)
    assert cheap.status_code == 200 and len(cheap.json()["results"]["bindings"]) == 1
    r = slow["response"]
    assert r.status_code == 503, r.text[:200]
    assert "time limit" in r.text and r.headers["x-query-timeout"] == "2"
    assert cheap_done < slow["done"]  # the cheap query did not wait for the slow one
    # The worker stopped consuming the result at the deadline, long before the end:
    assert wait_until(lambda: executor.admitted == 0, 3)


@pytest.mark.slow
def test_a_full_pool_answers_503_with_retry_after_then_recovers(make_client):
    c = make_client(store=generated(5000), query_timeout=1.0)
    executor = QueryExecutor(workers=1, queue_size=0)
    c.app.state.query_executor = executor
    slow_thread, slow = in_thread(lambda: c.get("/sparql", params={"query": SPARSE}))
    assert wait_until(lambda: executor.running == 1, 10)
    busy = c.get("/sparql", params={"query": "ASK {}"})
    assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1
    slow_thread.join(60)
    assert slow["response"].status_code == 503
    assert wait_until(lambda: executor.admitted == 0, 10)
    assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.slow
def test_an_aggregate_cannot_be_interrupted_but_the_request_still_ends_at_the_deadline(make_client):
    # COUNT over a filtered cross product computes everything before its only row: the
    # request is answered at the deadline, the worker stays busy until pyoxigraph returns.
    c = make_client(store=generated(2000), query_timeout=0.1)
    executor = QueryExecutor(workers=2, queue_size=0)
    c.app.state.query_executor = executor
    r = c.get("/sparql", params={"query": AGGREGATE})
    assert r.status_code == 503
    assert executor.running == 1  # still inside pyoxigraph
    assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # the other worker serves
    assert wait_until(lambda: executor.admitted == 0, 60)


# -- the executor on its own -------------------------------------------------------------

def test_run_sync_returns_the_result_and_passes_exceptions_on():
    ex = QueryExecutor(workers=2)
    assert ex.run_sync(lambda d: 41 + 1, timeout=5) == 42
    with pytest.raises(ZeroDivisionError):
        ex.run_sync(lambda d: 1 / 0, timeout=5)
    assert wait_until(lambda: ex.admitted == 0, 5)
    ex.shutdown()


def test_admission_is_refused_at_capacity_instead_of_queueing_forever():
    ex = QueryExecutor(workers=1, queue_size=1, retry_after=3)
    release = threading.Event()
    block = lambda d: release.wait(10)  # noqa: E731
    first = ex.submit(block, Deadline(10))
    queued = ex.submit(block, Deadline(10))
    with pytest.raises(Saturated) as e:
        ex.submit(block, Deadline(10))
    assert e.value.retry_after == 3
    release.set()
    assert first.result(5) and queued.result(5)
    assert wait_until(lambda: ex.admitted == 0, 5)
    ex.submit(lambda d: None, Deadline(10)).result(5)
    ex.shutdown()


def test_a_job_still_waiting_at_its_deadline_never_starts():
    ex = QueryExecutor(workers=1, queue_size=4)
    release = threading.Event()
    started = threading.Event()
    ex.submit(lambda d: release.wait(10), Deadline(10))
    with pytest.raises(QueryTimeout):
        ex.run_sync(lambda d: started.set(), timeout=0.05)
    release.set()
    assert wait_until(lambda: ex.admitted == 0, 5)
    assert not started.is_set()
    ex.shutdown()


def test_the_async_run_gives_up_at_the_deadline_and_tells_the_job_to_stop():
    ex = QueryExecutor(workers=1)
    seen: list[Deadline] = []

    def job(deadline: Deadline):
        seen.append(deadline)
        while True:  # a cooperative job: checks the clock between "rows"
            deadline.check()
            time.sleep(0.005)

    async def main():
        with pytest.raises(QueryTimeout):
            await ex.run(job, timeout=0.1)

    asyncio.run(main())
    assert wait_until(lambda: ex.admitted == 0, 5)
    assert seen and seen[0].expired
    ex.shutdown()


def test_deadline_check_raises_once_the_time_is_up():
    d = Deadline(0.05)
    d.check()
    assert wait_until(lambda: d.expired, 5)
    with pytest.raises(QueryTimeout, match="0.05 s"):
        d.check()


def test_a_timed_out_result_is_released_on_its_worker_thread(monkeypatch):
    """pyoxigraph result iterators are "unsendable": dropping one on another thread is an
    error (seen as 'PyQuerySolutions is unsendable, but is being dropped on another
    thread'). The exception handed to the awaiting thread must not carry it along."""
    import gc
    import sys

    from microhe.api.http.sparql_protocol import materialise

    store = generated(300)
    caught: list = []
    unraisable: list = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: unraisable.append(u.exc_value))
    for query in (CROSS, "CONSTRUCT { ?a ?p ?y } WHERE { ?a ?p ?x . ?b ?q ?y }"):
        def work(query=query):
            try:
                materialise(store, query, deadline=Deadline(0.01), row_cap=10**9)
            except QueryTimeout as e:
                caught.append(e)
        t = threading.Thread(target=work)
        t.start()
        t.join()
    assert len(caught) == 2
    caught.clear()
    gc.collect()
    assert unraisable == []
