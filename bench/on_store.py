"""The harness's query phases on a store that is already loaded (no generation, no loads).

    python -m bench.on_store STORE_DIR [--reps 50] [--cap 60] [--http] [--out FILE]

Runs ``recognition_latency`` and ``query_latency`` of ``python -m bench`` (same calls, same
parameter sets) on STORE_DIR opened read-only, and with ``--http`` the /sparql comparison
with ``oxigraph serve`` (no rdflib baseline). Used for the 1M store when the full run
was stopped after its loads (bench/RESULTS.md); results go to FILE (default
``bench/results/on-store.json``), written after each phase.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from .__main__ import (
    RESULTS,
    _param_sets,
    http_throughput,
    log,
    query_latency,
    recognition_latency,
    views_reload,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.on_store", description=__doc__.splitlines()[0])
    ap.add_argument("store_dir")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--cap", type=float, default=60.0, help="seconds per query before it stops repeating")
    ap.add_argument("--http", action="store_true", help="also /sparql against oxigraph serve")
    ap.add_argument("--out", type=Path, default=RESULTS / "on-store.json")
    a = ap.parse_args(argv)
    if not Path(a.store_dir).is_dir():
        ap.error(f"{a.store_dir}: no such store directory")
    from microhe.store.embedded import Store

    out: dict = {"store_dir": a.store_dir, "date": time.strftime("%Y-%m-%d %H:%M")}

    def save() -> None:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(out, indent=1) + "\n")

    store = Store(a.store_dir, read_only=True)
    out["recognition"] = recognition_latency(store, a.reps)
    out["views_reload"] = views_reload(store)
    save()
    out["queries"] = query_latency(store, None, a.reps, 0, a.cap)["queries"]
    save()
    if a.http:
        params = _param_sets(store, random.Random(13), 20000)["sets"]
        store.close()
        with tempfile.TemporaryDirectory(prefix="microhe-bench-") as tmp:
            out["http"] = http_throughput(a.store_dir, params, 8, 20.0, tmp, None)
        save()
    log(f"done: {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
