"""Runaway queries against a live server: does a cheap client keep being served?

    python -m bench.runaways                       # builds the 5k store (synth --seed 2) once
    python -m bench.runaways --store DIR --seconds 60 --engine processes

The set-up of issue #13: `microhe serve` on the 5k synthetic store; from 127.0.0.1 one
client keeps 8 runaway queries in flight for the whole run (3 aggregates over a cartesian
product, 3 sorts over a join, 2 property-path explosions: each sent again as soon as its
answer, a 503, comes back); from 127.0.0.2 a cheap client sends the bench's point query and
the named query `credential-summary` at 10 requests/s (open loop: a slow answer does not
slow the schedule). Reported: the cheap client's status counts and p50/p99 latency, the
runaways' answers, the server's front-process RSS growth, the largest RSS of any worker
process, and how long after the runaways stop the server's CPU falls to idle.
Results: JSON in bench/results/runaways-<engine>.json and a line for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNAWAYS = [
    ("aggregate", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"),
    ("sort", "SELECT * WHERE { ?s ?p ?o . ?s2 ?p ?o2 } ORDER BY ?o ?o2 LIMIT 10"),
    ("path", "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:never>|!<urn:x:never>)* ?b }"),
]
MIX = [0, 1, 2, 0, 1, 2, 0, 1]  # 3 aggregates, 3 sorts, 2 paths
HERE = Path(__file__).parent


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
    env.update(extra)
    return env


def build_store(root: Path) -> Path:
    store, data = root / "store-5k", root / "synth-5k.nt"
    if (store / "CURRENT").exists():
        return store
    subprocess.run(["microhe", "synth", "--credentials", "5000", "--seed", "2", "--out", str(data)], check=True,
                   env=_env())
    subprocess.run(["microhe", "init", "--store", str(store)], check=True, env=_env())
    subprocess.run(["microhe", "load", "--store", str(store), "--bulk", str(data)], check=True, env=_env())
    return store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


async def run(url: str, server_pid: int, seconds: float, credentials: list[str]) -> dict:
    import httpx

    cheap_lat: list[float] = []
    cheap_status: dict[str, int] = {}
    runaway_status: dict[str, int] = {}
    stop = time.monotonic() + seconds
    front0 = _rss_mb(server_pid)
    peaks = {"front": front0, "worker": 0.0}

    async def runaway(client, kind: int):
        name, q = RUNAWAYS[kind]
        while time.monotonic() < stop:
            try:
                r = await client.post(url + "/sparql", data={"query": q}, timeout=600)
                key = f"{name} {r.status_code}"
            except httpx.HTTPError as e:
                key = f"{name} {type(e).__name__}"
            runaway_status[key] = runaway_status.get(key, 0) + 1

    async def cheap(client, i: int):
        cred = credentials[i % len(credentials)]
        t = time.perf_counter()
        try:
            if i % 2:
                r = await client.get(url + "/api/queries/credential-summary", params={"credential": cred}, timeout=30)
            else:
                r = await client.post(url + "/sparql", data={"query": f"SELECT ?p ?o WHERE {{ <{cred}> ?p ?o }}"},
                                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
            key = str(r.status_code)
        except httpx.HTTPError as e:
            key = type(e).__name__
        cheap_lat.append((time.perf_counter() - t) * 1000)
        cheap_status[key] = cheap_status.get(key, 0) + 1

    async def watch():
        while time.monotonic() < stop:
            pids = _tree(server_pid)
            peaks["front"] = max(peaks["front"], _rss_mb(server_pid))
            for p in pids[1:]:
                peaks["worker"] = max(peaks["worker"], _rss_mb(p))
            await asyncio.sleep(0.2)

    bad = httpx.AsyncHTTPTransport(local_address="127.0.0.1")
    good = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(transport=bad, limits=httpx.Limits(max_connections=16)) as rc, \
            httpx.AsyncClient(transport=good) as cc:
        tasks = [asyncio.create_task(runaway(rc, k)) for k in MIX]
        tasks.append(asyncio.create_task(watch()))
        await asyncio.sleep(1.0)  # the runaways first
        sent, t0 = [], time.monotonic()
        i = 0
        while time.monotonic() < stop:
            sent.append(asyncio.create_task(cheap(cc, i)))
            i += 1
            await asyncio.sleep(max(0.0, t0 + i / 10 - time.monotonic()))
        await asyncio.gather(*sent)
        ended = time.monotonic()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    # after the runaways' clients are gone: how long until the server is idle again?
    idle_after = None
    last = _cpu_seconds(_tree(server_pid))
    for _ in range(600):
        await asyncio.sleep(0.5)
        now = _cpu_seconds(_tree(server_pid))
        if now - last < 0.05:  # < 10% of one core over half a second
            idle_after = round(time.monotonic() - ended, 1)
            break
        last = now
    lat = sorted(cheap_lat)
    pct = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else None  # noqa: E731
    return {"cheap": {"requests": len(lat), "status": cheap_status, "p50_ms": pct(0.5), "p99_ms": pct(0.99)},
            "runaways": runaway_status, "front_rss_mb": {"start": round(front0, 1), "peak": round(peaks["front"], 1)},
            "worker_rss_peak_mb": round(peaks["worker"], 1), "idle_after_s": idle_after}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.runaways", description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="store directory (default: build the 5k synthetic store)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=30, help="MICROHE_QUERY_TIMEOUT of the server")
    ap.add_argument("--memory-mb", type=int, default=1024, help="MICROHE_QUERY_MEMORY_MB of the server")
    ap.add_argument("--engine", default="processes", help="MICROHE_QUERY_ENGINE of the server")
    args = ap.parse_args(argv)
    root = Path(os.environ.get("MICROHE_BENCH_TMP") or tempfile.gettempdir()) / "microhe-bench-runaways"
    root.mkdir(parents=True, exist_ok=True)
    store = args.store or build_store(root)
    port = _free_port()
    env = _env(MICROHE_QUERY_TIMEOUT=str(args.timeout), MICROHE_QUERY_MEMORY_MB=str(args.memory_mb),
               MICROHE_QUERY_ENGINE=args.engine)
    server = subprocess.Popen(["microhe", "serve", "--store", str(store), "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(url + "/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not become ready")
            time.sleep(0.5)
        r = httpx.post(url + "/sparql", data={"query": "PREFIX elm: <http://data.europa.eu/snb/model/elm/> "
                                                       "SELECT ?c WHERE { ?c a elm:Qualification } LIMIT 50"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
        creds = [b["c"]["value"] for b in r.json()["results"]["bindings"]]
        result = asyncio.run(run(url, server.pid, args.seconds, creds))
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    result.update({"engine": args.engine, "seconds": args.seconds, "timeout_s": args.timeout,
                   "memory_mb": args.memory_mb,
                   "command": "python -m bench.runaways " + " ".join(argv if argv is not None else sys.argv[1:])})
    out = HERE / "results" / f"runaways-{args.engine}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    c = result["cheap"]
    print(f"\n| {args.engine} | {c['requests']} | {c['status']} | {c['p50_ms']} | {c['p99_ms']} | "
          f"{result['front_rss_mb']['start']} -> {result['front_rss_mb']['peak']} | {result['worker_rss_peak_mb']} | "
          f"{result['idle_after_s']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
