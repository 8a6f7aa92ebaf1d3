"""Latency of every named query on the demo data (not a test; pytest does not collect it).

    python tests/queries/bench_queries.py [--runs N] [--copies K]

Builds an in-memory store with ``initialise(store, demo=True)``, optionally adds K copies of
the demo credentials under new IRIs (to see how a query scales), and runs each catalogue
query with the parameters of its example in ``microhe/queries/README.md``: one warm-up run,
then N timed runs; prints rows, median and minimum in milliseconds (planning included).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

import microhe
from microhe.ingest.load import initialise
from microhe.queries.catalogue import catalogue
from microhe.store.embedded import Store

QUERIES = Path(microhe.__file__).parent / "queries"
DEMO_TTL = Path(microhe.__file__).parent / "kg" / "demo" / "credentials.ttl"


def readme_examples() -> dict[str, dict[str, str]]:
    text = (QUERIES / "README.md").read_text(encoding="utf-8")
    out = {}
    for name, params in re.findall(r"^microhe query (\S+)((?: --param \S+)*)", text, flags=re.M):
        out[name] = dict(p.split("=", 1) for p in params.split(" --param ")[1:])
    return out


def add_copies(store: Store, copies: int) -> None:
    src = DEMO_TTL.read_text(encoding="utf-8")
    for i in range(copies):
        text = src.replace("<https://w3id.org/microhe/demo/>", f"<https://w3id.org/microhe/demo/copy{i}/>")
        text = text.replace("<https://w3id.org/microhe/demo/credential/>", f"<https://w3id.org/microhe/demo/copy{i}/credential/>")
        quads = list(ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE, without_named_graphs=True))
        store.write({f"https://example.org/bench/copy/{i}": quads})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--copies", type=int, default=0)
    args = ap.parse_args()
    store = Store()
    initialise(store, demo=True)
    add_copies(store, args.copies)
    examples = readme_examples()
    print(f"store: {len(store)} quads; {args.runs} timed runs per query after one warm-up")
    print(f"{'query':36s} {'rows':>6s} {'median ms':>10s} {'min ms':>8s}")
    for name, nq in catalogue().items():
        bindings = nq.bindings(examples.get(name, {}))
        rows = len(list(store.query(nq.text_for(bindings), substitutions=bindings)))
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            list(store.query(nq.text_for(bindings), substitutions=bindings))
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name:36s} {rows:6d} {statistics.median(times):10.2f} {min(times):8.2f}")


if __name__ == "__main__":
    main()
