"""Queries that cannot take the server down (issue #13), through real HTTP.

The app is served by uvicorn (lifespan on, so the worker processes start with it) over a
copy of an on-disk demo store; clients connect from distinct loopback addresses
(127.0.0.x), which is how the server tells clients apart. Deadlines and memory caps are
small (2 s, 300 MB) so that runaways are stopped in seconds. Waits are polls with bounded
deadlines; the only time bounds asserted are the issue's ("within timeout + 2 s",
"within 5 s", Retry-After "within 1 s").
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from microhe.api import create_app
from microhe.auth.tokens import TokenFile
from microhe.settings import Settings
from microhe.store.embedded import Store

BASE = "http://127.0.0.1:8000/"
CREDENTIAL = "https://w3id.org/microhe/demo/credential/acb-web-development"
TITLE = "Web development fundamentals"
#: the bench's point query
CHEAP = f"SELECT ?t WHERE {{ <{CREDENTIAL}> <http://purl.org/dc/terms/title> ?t }}"
#: 10^8 pairs counted before the first row (8 s alone on the demo store)
AGGREGATE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
#: every node reaches every other one through any predicate, both ways
PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:none>|!<urn:x:none>|^!<urn:x:none>)* ?b }"
#: a sort over a join: ~140 MB/s of growth, never answered
SORT = "SELECT * WHERE { ?s ?p ?o . ?s2 ?p ?o2 } ORDER BY ?o ?o2 LIMIT 10"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def served_store(demo_dir, tmp_path_factory) -> Iterator[Store]:
    """This module's copy of the on-disk demo store, open (its servers share it)."""
    path = tmp_path_factory.mktemp("demo") / "store"
    shutil.copytree(demo_dir, path)
    store = Store(path)
    yield store
    store.close()


@dataclass
class Running:
    url: str
    app: FastAPI
    store: Store
    settings: Settings

    @property
    def pool(self):
        return self.app.state.query_pool


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn (lifespan on) on a free port of 127.0.0.1."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    assert poll(lambda: server.started or not thread.is_alive(), 30) and server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextlib.contextmanager
def running(tmp_path: Path, served_store: Store, **overrides) -> Iterator[Running]:
    """The app over a copy of the demo store (hard links: milliseconds), process engine."""
    path = tmp_path / "store"
    served_store.raw.backup(str(path))
    store = Store(path)
    values = {"store": path, "base": BASE, "warm_indexes": False, "query_engine": "processes",
              "query_timeout": 2.0, "query_memory_mb": 300, **overrides}
    settings = Settings(**values)
    app = create_app(settings, store)
    try:
        with serve(app) as url:
            yield Running(url, app, store, settings)
    finally:
        store.close()


def poll(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.02)


def sparql(url: str, query: str, *, source: str = "127.0.0.1", headers: dict | None = None,
           timeout: float = 60) -> httpx.Response:
    """GET /sparql from the loopback address ``source``."""
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=timeout) as c:
        return c.get(url + "/sparql", params={"query": query}, headers={**JSON, **(headers or {})})


def alive(pid: int) -> bool:
    """The process exists (a zombie, dead but not reaped, counts as gone: it uses no CPU)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # reaped, before or while reading
        return False


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def answered(r: httpx.Response) -> bool:
    return r.status_code == 200 and TITLE in r.text


# == kills at the deadline ==============================================================

def test_runaways_are_killed_at_the_deadline_and_other_clients_keep_being_served(tmp_path, served_store):
    with running(tmp_path, served_store, query_workers=5, query_queue=2, client_share=2) as srv:
        runaways = [("127.0.0.11", AGGREGATE), ("127.0.0.11", PATH), ("127.0.0.12", AGGREGATE),
                    ("127.0.0.12", PATH)]
        started = time.monotonic()
        with ThreadPoolExecutor(len(runaways)) as ex:
            futures = [ex.submit(sparql, srv.url, q, source=s) for s, q in runaways]
            pool = srv.app.state.query_pool
            assert poll(lambda: len(pool.busy_pids()) == 4, 10), pool.busy_pids()
            busy = set(pool.busy_pids())
            # during: the runaways hold their share, another client is served
            during = sparql(srv.url, CHEAP, source="127.0.0.13")
            assert answered(during), during.text
            responses = [f.result() for f in futures]
        # after: the next cheap query succeeds within 5 s
        after = sparql(srv.url, CHEAP, source="127.0.0.14", timeout=5)
        assert answered(after), after.text
        for r in responses:
            assert r.status_code == 503, r.text[:300]
            assert "timed out after 2 s" in r.text and "stopped" in r.text, r.text
            assert int(r.headers["retry-after"]) >= 1 and r.headers["x-query-timeout"] == "2"
        # their processes are gone (CPU freed) within timeout + 2 s of the start
        assert poll(lambda: not any(alive(p) for p in busy), max(0.0, started + 4 - time.monotonic())), \
            [p for p in busy if alive(p)]
        # and replaced: the pool is back to five live workers, none of them a killed one
        assert poll(lambda: len(pool.pids()) == 5 and all(alive(p) for p in pool.pids()), 5), pool.pids()
        assert not busy & set(pool.pids())


# == the memory cap =====================================================================

def test_a_sort_over_a_join_is_stopped_at_the_memory_cap(tmp_path, served_store):
    with running(tmp_path, served_store, query_workers=2, query_timeout=30, query_memory_mb=300) as srv:
        assert sparql(srv.url, "ASK {}").status_code == 200
        base = rss_mb()
        peak = [base]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb())
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            r = sparql(srv.url, SORT, source="127.0.0.21")
        finally:
            done.set()
            watcher.join()
        assert r.status_code == 503, r.text[:300]
        assert "exceeded the memory limit of 300 MB" in r.text, r.text
        assert int(r.headers["retry-after"]) >= 1
        assert peak[0] - base <= 50, f"the server process grew by {peak[0] - base:.0f} MB"
        after = sparql(srv.url, CHEAP, source="127.0.0.22", timeout=5)
        assert answered(after), after.text


# == fairness and Retry-After ===========================================================

def test_one_client_holds_at_most_its_share_and_retry_after_is_the_earliest_deadline(tmp_path, served_store):
    timeout = 3.0
    # no waiting places: a client past its share of running queries is refused at once
    with running(tmp_path, served_store, query_workers=4, query_queue=0, client_share=2, query_timeout=timeout,
                 trusted_proxies="127.0.0.31, 10.9.0.0/16") as srv:
        pool = srv.app.state.query_pool
        sent = time.monotonic()
        with ThreadPoolExecutor(2) as ex:
            held = [ex.submit(sparql, srv.url, AGGREGATE, source="127.0.0.30") for _ in range(2)]
            assert poll(lambda: len(pool.busy_pids()) == 2, 10)
            admitted = time.monotonic()
            # the third from the same client is refused at once ...
            extra = sparql(srv.url, AGGREGATE, source="127.0.0.30")
            refused_at = time.monotonic()
            assert extra.status_code == 503 and "too many queries" in extra.text, extra.text
            # ... with Retry-After = the time until the earliest running deadline ends
            earliest_low, earliest_high = sent + timeout - refused_at, admitted + timeout - refused_at
            retry_after = int(extra.headers["retry-after"])
            assert max(1, math.ceil(earliest_low)) - 1 <= retry_after <= max(1, math.ceil(earliest_high)) + 1
            # another client is admitted
            assert answered(sparql(srv.url, CHEAP, source="127.0.0.32"))
            # X-Forwarded-For from a peer that is not a trusted proxy is ignored
            spoof = sparql(srv.url, AGGREGATE, source="127.0.0.30", headers={"X-Forwarded-For": "198.51.100.7"})
            assert spoof.status_code == 503 and "too many queries" in spoof.text, spoof.text
            # from a trusted proxy it names the client: the right-most address that is no proxy
            via = sparql(srv.url, CHEAP, source="127.0.0.31",
                         headers={"X-Forwarded-For": "127.0.0.30, 10.9.1.2"})
            assert via.status_code == 503 and "too many queries" in via.text, via.text
            other = sparql(srv.url, CHEAP, source="127.0.0.31", headers={"X-Forwarded-For": "198.51.100.7"})
            assert answered(other), other.text
            for f in held:
                assert f.result().status_code == 503


# == writes ===========================================================================

PLAIN = """@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/test/thing> dcterms:description "thing %d"@en ;
    <http://data.europa.eu/snb/model/elm/EQFLevel> <http://data.europa.eu/snb/eqf/6> .
"""  # (the EQF level: a node the consistency profile checks; a body none checks is refused)


def test_a_write_is_visible_to_the_next_query_and_old_snapshots_are_removed(tmp_path, served_store):
    with running(tmp_path, served_store, query_workers=2) as srv:
        token = TokenFile.beside(srv.settings.store).add("test")
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
        snapshots = srv.settings.store / "microhe-query-snapshots"
        with httpx.Client(timeout=30) as c:
            for i in range(4):
                graph = f"https://example.org/test/graph/{i}"
                w = c.put(srv.url + "/rdf-graphs", params={"graph": graph}, content=PLAIN % i, headers=auth)
                assert w.status_code in (200, 201, 204), w.text
                r = c.get(srv.url + "/sparql", headers=JSON, params={
                    "query": f"SELECT ?d WHERE {{ GRAPH <{graph}> {{ ?s ?p ?d }} }}"})
                assert r.status_code == 200 and f"thing {i}" in r.text, r.text
                # snapshots no worker holds are deleted: at most one per worker plus the newest
                assert len(list(snapshots.iterdir())) <= 3, sorted(p.name for p in snapshots.iterdir())
    assert not snapshots.exists()


# == same bytes from both engines =========================================================

SELECT = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?c ?t (LANG(?t) AS ?lang) ?n WHERE {
  ?c dcterms:title ?t OPTIONAL { ?c <http://data.europa.eu/snb/model/elm/EQFLevel> ?n }
} ORDER BY ?c ?t LIMIT 40"""
ASK = f"ASK {{ <{CREDENTIAL}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{CREDENTIAL}> ?p ?o }} WHERE {{ <{CREDENTIAL}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{CREDENTIAL}>"
RESULT_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["turtle", "nt", "json-ld", "rdf+xml"]
NAMED = [
    ("store-statistics", {}), ("credential-facets", {}), ("framework-levels", {"framework": "EQF"}),
    ("credit-conversion-rules", {}), ("search-credentials", {"eqf": "6"}), ("stacks", {}),
    ("credential-summary", {"credential": CREDENTIAL}), ("credentials-by-eqf-level", {"eqf": "5"}),
    ("level-referencing-violation", {}),
]


def test_the_process_engine_answers_the_same_bytes_as_the_thread_engine(tmp_path, served_store):
    from fastapi.testclient import TestClient

    path = tmp_path / "store"
    served_store.raw.backup(str(path))
    store = Store(path)
    common = {"store": path, "base": BASE, "warm_indexes": False}
    threads = create_app(Settings(**common, query_engine="threads"), store)
    processes = create_app(Settings(**common, query_engine="processes"), store)
    try:
        with TestClient(threads) as t, TestClient(processes) as p:
            assert processes.state.query_pool is not None and getattr(threads.state, "query_pool", None) is None
            cases = [("/sparql", {"query": q, "format": f}) for q in (SELECT, ASK) for f in RESULT_FORMATS]
            cases += [("/sparql", {"query": q, "format": f}) for q in (CONSTRUCT, DESCRIBE) for f in GRAPH_FORMATS]
            cases += [(f"/api/queries/{name}", {**params, **({"format": f} if f else {})})
                      for name, params in NAMED for f in (None, "csv", "xml")]
            compared = 0
            for route, params in cases:
                a, b = t.get(route, params=params), p.get(route, params=params)
                assert a.status_code == 200, (route, params, a.text[:300])
                assert (b.status_code, b.headers["content-type"], b.headers["x-result-truncated"]) == \
                    (a.status_code, a.headers["content-type"], a.headers["x-result-truncated"]), (route, params)
                assert b.content == a.content, (route, params)
                compared += bool(a.content.strip())
            assert compared == len(cases)
    finally:
        store.close()


def test_the_client_is_the_peer_unless_a_trusted_proxy_names_it():
    from microhe.api.http.clients import client_address

    trusted = ("10.0.0.1", "192.168.0.0/16")
    assert client_address("203.0.113.9", ["198.51.100.7"], ()) == "203.0.113.9"
    assert client_address("203.0.113.9", ["198.51.100.7"], trusted) == "203.0.113.9"  # not a proxy: ignored
    assert client_address("10.0.0.1", ["198.51.100.7"], trusted) == "198.51.100.7"
    # the right-most address that is not a trusted proxy; what the client wrote left of it is ignored
    assert client_address("10.0.0.1", ["6.6.6.6, 198.51.100.7, 192.168.4.4"], trusted) == "198.51.100.7"
    assert client_address("10.0.0.1", ["6.6.6.6", "198.51.100.7,192.168.4.4"], trusted) == "198.51.100.7"
    assert client_address("10.0.0.1", [], trusted) == "10.0.0.1"
    assert client_address(None, [], trusted) == "unknown"
