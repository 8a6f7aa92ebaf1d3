"""`/sparql` throughput on the bench mix: microhe against `oxigraph serve`, alternating.

    python -m bench.throughput                           # 5k store, 3 rounds, 8 clients, 30 s each
    python -m bench.throughput --engine threads          # microhe with the in-process thread engine

Both servers read the same store (the 5k synthetic store of `bench.runaways`, a copy for
oxigraph); each round runs microhe then `oxigraph serve` with the bench's request mix
(point, search and level-equivalence queries, `bench.__main__._http_queries`) for the same
time after the same warm-up; the reported ratio is the median of the rounds' ratios. Each
client sends from its own loopback address (127.0.0.10, .11, ...), as the users of a
portal would: microhe runs at most `MICROHE_CLIENT_SHARE` queries of one address at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import __main__ as harness
from .runaways import build_store

HERE = Path(__file__).parent


def _start(name: str, store: Path, oxi_dir: Path, engine: str) -> tuple[subprocess.Popen, str]:
    port = harness.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
    if name == "microhe":
        env["MICROHE_QUERY_ENGINE"] = engine
        argv = [sys.executable, "-m", "bench.servers", "microhe", str(store), str(port)]
        url = f"http://127.0.0.1:{port}/sparql"
    else:
        argv = ["oxigraph", "serve", "--location", str(oxi_dir), "--union-default-graph", "--bind", f"127.0.0.1:{port}"]
        url = f"http://127.0.0.1:{port}/query"
    proc = subprocess.Popen(argv, cwd=HERE.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not harness.wait_ready(url, proc, 600):
        proc.kill()
        raise SystemExit(f"{name} did not start")
    return proc, url


async def _drive(url: str, queries: list[str], clients: int, seconds: float) -> dict:
    """``clients`` clients, each on its own source address, sending ``queries`` in turn
    for ``seconds``; what is still in flight at the end is not counted (as wrk does)."""
    import httpx

    done, errors, lat = 0, 0, []
    it = iter(queries)
    end = time.monotonic() + seconds

    async def client(i: int) -> None:
        nonlocal done, errors
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + i}")
        async with httpx.AsyncClient(transport=transport, timeout=30) as c:
            for q in it:
                if time.monotonic() > end:
                    return
                t = time.perf_counter()
                try:
                    r = await c.post(url, data={"query": q}, headers={"Accept": "application/sparql-results+json"})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                lat.append((time.perf_counter() - t) * 1000)
                done += ok
                errors += not ok

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(client(i)) for i in range(clients)]
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, end - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = min(time.perf_counter() - t0, seconds)
    lat.sort()
    return {"ok": done, "errors": errors, "rps": round(done / elapsed, 1),
            "p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
            "p99_ms": round(lat[int(len(lat) * 0.99)], 1) if lat else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--engine", default="processes")
    args = ap.parse_args(argv)
    root = Path(os.environ.get("MICROHE_BENCH_TMP") or tempfile.gettempdir()) / "microhe-bench-runaways"
    root.mkdir(parents=True, exist_ok=True)
    store = build_store(root)
    oxi_dir = root / "oxigraph-copy"
    shutil.rmtree(oxi_dir, ignore_errors=True)
    shutil.copytree(store, oxi_dir)
    from microhe.store.embedded import Store

    with Store(store, read_only=True) as s:
        params = harness._param_sets(s, random.Random(13), 2000)["sets"]
    queries = harness._http_queries(params)
    rounds = []
    for r in range(args.rounds):
        row = {}
        for name in ("microhe", "oxigraph_server"):
            proc, url = _start(name, store, oxi_dir, args.engine)
            try:
                asyncio.run(_drive(url, queries[:40], args.clients, 5.0))  # warm-up
                row[name] = asyncio.run(_drive(url, queries, args.clients, args.seconds))
            finally:
                harness.stop_process(proc, 15)
        row["ratio"] = round(row["microhe"]["rps"] / row["oxigraph_server"]["rps"], 2)
        print(f"round {r + 1}: microhe {row['microhe']['rps']} req/s, oxigraph serve "
              f"{row['oxigraph_server']['rps']} req/s, ratio {row['ratio']}", file=sys.stderr)
        rounds.append(row)
    result = {"engine": args.engine, "clients": args.clients, "seconds": args.seconds, "rounds": rounds,
              "median_ratio": statistics.median(r["ratio"] for r in rounds),
              "command": "python -m bench.throughput " + " ".join(argv if argv is not None else sys.argv[1:])}
    shutil.rmtree(oxi_dir, ignore_errors=True)
    (HERE / "results" / f"throughput-{args.engine}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
