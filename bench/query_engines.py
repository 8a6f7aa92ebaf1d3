"""Throughput of the two query engines on a point-query mix (issue #13).

    python -m bench.query_engines STORE_DIR [--seconds 15] [--runs 3] [--clients 8]

Serves STORE_DIR with ``microhe serve`` twice in alternation, ``MICROHE_QUERY_ENGINE=threads``
and ``=processes``, and drives each with CLIENTS concurrent clients for SECONDS: each
client (its own loopback source address 127.0.0.<2+i>, so that each is a client of its own
for the per-client share) sends the bench point query (``dcterms:title`` of one
credential) for a random credential, and every fifth request the named query
``credential-summary``. Prints requests/s per run and the median per engine.
Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx
import pyoxigraph as ox

TITLE = "http://purl.org/dc/terms/title"


def credentials(store_dir: str, n: int = 500) -> list[str]:
    db = ox.Store.read_only(store_dir)
    q = ("SELECT DISTINCT ?c WHERE { ?c a <http://data.europa.eu/snb/model/elm/Qualification> ; "
         f"<{TITLE}> ?t }} LIMIT {n}")
    return [row[0].value for row in db.query(q, use_default_graph_as_union=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(store_dir: str, engine: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "MICROHE_QUERY_ENGINE": engine, "MICROHE_WARM_INDEXES": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "microhe.cli", "serve", "--store", store_dir, "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the server ({engine}) did not start")


def drive(url: str, iris: list[str], clients: int, seconds: float, one_address: bool = False) -> tuple[float, int]:
    ok = [0] * clients
    failed = [0] * clients
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        rnd = random.Random(i)
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.1" if one_address else f"127.0.0.{2 + i}"), timeout=30) as c:
            n = 0
            while time.monotonic() < stop:
                iri = rnd.choice(iris)
                if n % 5 == 4:
                    r = c.get(url + "/api/queries/credential-summary", params={"credential": iri})
                else:
                    r = c.get(url + "/sparql", params={"query": f"SELECT ?t WHERE {{ <{iri}> <{TITLE}> ?t }}"},
                              headers={"Accept": "application/sparql-results+json"})
                n += 1
                if r.status_code == 200:
                    ok[i] += 1
                else:
                    failed[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(ok) / (time.monotonic() - t0), sum(failed)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--one-address", action="store_true",
                    help="every client from 127.0.0.1 (one client for the per-client share)")
    args = ap.parse_args()
    iris = credentials(args.store)
    results: dict[str, list[float]] = {"threads": [], "processes": []}
    for run in range(args.runs):
        for engine in ("threads", "processes"):
            proc, url = start(args.store, engine)
            try:
                drive(url, iris, args.clients, 2, args.one_address)  # warm-up
                rate, failed = drive(url, iris, args.clients, args.seconds, args.one_address)
            finally:
                proc.terminate()
                proc.wait(30)
            results[engine].append(rate)
            print(f"run {run + 1} {engine:9s} {rate:7.1f} req/s  ({failed} failed)", flush=True)
    for engine, rates in results.items():
        print(f"median {engine:9s} {statistics.median(rates):7.1f} req/s")


if __name__ == "__main__":
    main()
