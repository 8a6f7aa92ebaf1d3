"""``list_decisions`` with many decided credentials: a synthetic store of N credentials in
memory (:mod:`microhe.devtools.synth`), D decisions on D different specifications, then
``list_decisions`` (everything, and filtered by one awarding body), p50 of 7 runs.

    python -m bench.decisions_listing [--credentials 10000] [--decisions 200]

The awarding bodies of the decided credentials used to be read one query per credential
(~1 ms each); they are one query for all now.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from microhe.devtools.synth import generate
from microhe.recognition.decisions import list_decisions, record_decision
from microhe.store.embedded import Store

ELM = "http://data.europa.eu/snb/model/elm/"


def _p50(fn, runs: int = 7) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        n = len(fn())
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--credentials", type=int, default=10_000)
    ap.add_argument("--decisions", type=int, default=200)
    args = ap.parse_args()
    store = Store()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synth.nt"
        generate(path, credentials=args.credentials, seed=1)
        g = ox.NamedNode("urn:bench:synth")
        store.restore(ox.Quad(t.subject, t.predicate, t.object, g)
                      for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    specs = sorted(r["s"].value for r in store.query(
        f"SELECT ?s WHERE {{ ?s a <{ELM}Qualification> }}"))
    chosen = random.Random(1).sample(specs, min(args.decisions, len(specs)))
    for cred in chosen:
        record_decision(store, credential=cred, institution="https://example.org/org/bench", purpose="access",
                        outcome="recognise", decided_by="bench", base="http://127.0.0.1:8000/")
    all_ms, rows = _p50(lambda: list_decisions(store))
    body = next((d.issuer.iri for d in list_decisions(store, credential=min(chosen)) if d.issuer), None)
    one_ms, one_rows = _p50(lambda: list_decisions(store, issuer=body)) if body else (0.0, 0)
    print(f"{len(store)} quads, {len(chosen)} decisions on {len(chosen)} credentials")
    print(f"list_decisions(): {rows} rows, p50 {all_ms:.1f} ms")
    print(f"list_decisions(issuer=one body): {one_rows} rows, p50 {one_ms:.1f} ms")


if __name__ == "__main__":
    main()
