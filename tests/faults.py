"""Fault injection: kill -9 during loads and server writes, then check what the store holds.

Not part of the default suite (minutes of work). Run from the repository root:

    python -m tests.faults                      # 80 loads (8 modes) + 30 server writes
    python -m tests.faults --loads 8 --server-writes 4 --credentials 300   # a quick look

Every run starts from a copy of one base store (reference + demo graphs + a synthetic
file A in graph G), starts a real process (`microhe load` or `microhe serve` + a Graph
Store PUT), sends it SIGKILL at a random moment of its measured duration, and then lets
the next command open the store (as a user would). The store must then hold exactly the
state before the write (the sorted N-Quads dump byte-identical) or exactly the state after
it (every graph's triple count as after a complete run, and its load record). "rolled back"
counts the runs where the next open found an interrupted bulk write and restored its
checkpoint (the dump then equals the one before). Anything else is counted as "partial" (a
failure). The figures of the last run go into
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from microhe.ingest.provenance import load_records
from microhe.store.embedded import Store
from microhe.store.served import ADDRESS_FILE
from microhe.vocab import META_GRAPH

G = "urn:faults:target"  # holds file A in the base store; the replace modes swap in B
G_NEW = "urn:faults:new"  # the new-graph modes load B here
MODES = {
    "new": ["--graph", G_NEW],
    "replace": ["--graph", G, "--replace"],
    "bulk-new": ["--graph", G_NEW, "--bulk"],
    "bulk-replace": ["--graph", G, "--replace", "--bulk"],
    # the same four, with the file read, validated and written in chunks (issue 26): every
    # file counts as large, and chunks of 5,000 quads make a kill land between or inside chunks
    "chunked-new": ["--graph", G_NEW],
    "chunked-replace": ["--graph", G, "--replace"],
    "chunked-bulk-new": ["--graph", G_NEW, "--bulk"],
    "chunked-bulk-replace": ["--graph", G, "--replace", "--bulk"],
}
CHUNKED_ENV = {"MICROHE_STREAM_BYTES": "1", "MICROHE_LOAD_CHUNK": "5000"}


def _env(mode: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
    return {**env, **CHUNKED_ENV} if mode.startswith("chunked") else env


def _microhe(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run(["microhe", *args], capture_output=True, text=True, env=_env(), timeout=600)
    if check and run.returncode != 0:
        raise SystemExit(f"microhe {' '.join(args)} failed ({run.returncode}): {run.stderr[-2000:]}")
    return run


def _state(path: Path) -> tuple[bytes, dict[str, int], set[str], bool]:
    """Dump, triple count per graph (metadata graph aside: its times differ), graphs with a
    load record, and whether the open rolled back an interrupted bulk write."""
    with Store(path) as s:  # a writable open: rolls back an interrupted bulk write, as any command would
        rolled_back = s.rolled_back is not None
        dump = s.dump_bytes()
        sizes: Counter = Counter()
        for q in s.quads():
            g = q.graph_name
            if isinstance(g, ox.NamedNode) and g.value != META_GRAPH:
                sizes[g.value] += 1
        recorded = set(load_records(s))
    return dump, dict(sizes), recorded, rolled_back


def _classify(path: Path, before: bytes, after_sizes: dict[str, int], target: str) -> str:
    dump, sizes, recorded, rolled_back = _state(path)
    if dump == before:
        return "rolled back" if rolled_back else "unchanged"
    if sizes == after_sizes and target in recorded:
        return "complete"
    return "partial"


class Lab:
    def __init__(self, root: Path, credentials: int, seed: int):
        self.root = root
        self.rng = random.Random(seed)
        self.a, self.b = root / "a.nt", root / "b.nt"
        _microhe("synth", "--credentials", str(credentials), "--seed", str(seed), "--out", str(self.a))
        _microhe("synth", "--credentials", str(credentials), "--seed", str(seed + 1), "--out", str(self.b))
        self.base = root / "base"
        _microhe("init", "--store", str(self.base), "--demo")
        _microhe("load", "--store", str(self.base), "--graph", G, str(self.a))
        self.token = _microhe("token", "add", "faults", "--store", str(self.base)).stdout.strip()
        self.before = _state(self.base)[0]
        self.after: dict[str, tuple[dict[str, int], float]] = {}

    def copy(self, name: str) -> Path:
        path = self.root / name
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(self.base, path)
        tokens = self.base.with_name(self.base.name + ".tokens.json")
        if tokens.exists():
            shutil.copy2(tokens, path.with_name(path.name + ".tokens.json"))
        return path

    # -- loads ---------------------------------------------------------------------------

    def load_cmd(self, path: Path, mode: str) -> list[str]:
        return ["microhe", "load", "--store", str(path), *MODES[mode], str(self.b)]

    def reference_load(self, mode: str) -> None:
        path = self.copy(f"ref-{mode}")
        t = time.monotonic()
        subprocess.run(self.load_cmd(path, mode), check=True, capture_output=True, env=_env(mode))
        took = time.monotonic() - t
        self.after[mode] = (_state(path)[1], took)
        shutil.rmtree(path)

    def killed_load(self, mode: str, i: int) -> tuple[str, bool]:
        sizes, took = self.after[mode]
        path = self.copy(f"run-{i}")
        proc = subprocess.Popen(self.load_cmd(path, mode), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=_env(mode))
        delay = self.rng.uniform(0.55, 1.02) * took  # validation comes first: aim at the write
        try:
            proc.wait(delay)
            killed = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed = True
        target = G_NEW if "new" in mode else G
        outcome = _classify(path, self.before, sizes, target)
        shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(path.with_name(path.name + ".checkpoint"), ignore_errors=True)
        return outcome, killed

    # -- server writes -------------------------------------------------------------------

    def _serve(self, path: Path) -> tuple[subprocess.Popen, str]:
        """``microhe serve --port 0`` on ``path``; its URL from the address file it writes
        beside the store once it listens (the port the OS gave it)."""
        env = {**_env(), "MICROHE_WARM_INDEXES": "false"}
        log = self.root / "serve.log"
        with open(log, "wb") as err:
            proc = subprocess.Popen(["microhe", "serve", "--store", str(path), "--port", "0"],
                                    stdout=subprocess.DEVNULL, stderr=err, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = json.loads((path / ADDRESS_FILE).read_text())["url"]
                urllib.request.urlopen(url + "/health", timeout=5).read()
                return proc, url
            except (OSError, ValueError, KeyError, urllib.error.URLError):
                time.sleep(0.1)
        proc.kill()
        proc.wait()
        raise SystemExit(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")

    def _put(self, url: str) -> int:
        req = urllib.request.Request(f"{url}/rdf-graphs?graph={G}", data=self.b.read_bytes(), method="PUT",
                                     headers={"Content-Type": "application/n-triples",
                                              "Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status

    def reference_put(self) -> None:
        path = self.copy("ref-put")
        proc, url = self._serve(path)
        t = time.monotonic()
        self._put(url)
        took = time.monotonic() - t
        proc.terminate()
        proc.wait(30)
        self.after["put"] = (_state(path)[1], took)
        shutil.rmtree(path)

    def killed_put(self, i: int) -> tuple[str, bool]:
        import threading

        sizes, took = self.after["put"]
        path = self.copy(f"put-{i}")
        proc, url = self._serve(path)
        done = threading.Event()

        def send():
            try:
                self._put(url)
            except Exception:  # noqa: BLE001 - the server is killed under it
                pass
            done.set()

        threading.Thread(target=send, daemon=True).start()
        killed = not done.wait(self.rng.uniform(0.1, 1.0) * took)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        outcome = _classify(path, self.before, sizes, G)
        shutil.rmtree(path, ignore_errors=True)
        return outcome, killed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__.split("\n\n")[0])
    ap.add_argument("--loads", type=int, default=80, help="killed loads, spread over the modes")
    ap.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of: {', '.join(MODES)}")
    ap.add_argument("--server-writes", type=int, default=30, help="killed servers during a Graph Store PUT")
    ap.add_argument("--credentials", type=int, default=1000, help="size of each synthetic file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, help="also write the counts as JSON here")
    args = ap.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="microhe-faults-", dir=os.environ.get("MICROHE_BENCH_TMP")))
    started = time.monotonic()
    try:
        print(f"setting up in {root} ({args.credentials} credentials per file) ...", file=sys.stderr)
        lab = Lab(root, args.credentials, args.seed)
        counts: dict[str, Counter] = {}
        modes = [m for m in args.modes.split(",") if m]
        unknown = [m for m in modes if m not in MODES]
        if unknown:
            ap.error(f"unknown mode(s) {', '.join(unknown)}; valid: {', '.join(MODES)}")
        for mode in modes:
            lab.reference_load(mode)
            print(f"reference {mode}: {lab.after[mode][1]:.1f} s", file=sys.stderr)
        for i in range(args.loads):
            mode = modes[i % len(modes)]
            outcome, killed = lab.killed_load(mode, i)
            counts.setdefault(mode, Counter())[outcome] += 1
            counts[mode]["killed" if killed else "finished first"] += 1
            print(f"load {i + 1}/{args.loads} {mode}: {'killed' if killed else 'finished'} -> {outcome}",
                  file=sys.stderr)
        if args.server_writes:
            lab.reference_put()
            print(f"reference PUT: {lab.after['put'][1]:.1f} s", file=sys.stderr)
        for i in range(args.server_writes):
            outcome, killed = lab.killed_put(i)
            counts.setdefault("server PUT", Counter())[outcome] += 1
            counts["server PUT"]["killed" if killed else "finished first"] += 1
            print(f"server write {i + 1}/{args.server_writes}: {'killed' if killed else 'finished'} -> {outcome}",
                  file=sys.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    cols = ["runs", "killed", "finished first", "unchanged", "rolled back", "complete", "partial"]
    print("| mode | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    failures = 0
    for mode, c in counts.items():
        c["runs"] = c["unchanged"] + c["rolled back"] + c["complete"] + c["partial"]
        failures += c["partial"]
        print(f"| {mode} | " + " | ".join(str(c[k]) for k in cols) + " |")
    print(f"\n{failures} partial state(s) in {sum(c['runs'] for c in counts.values())} runs, "
          f"{time.monotonic() - started:.0f} s (python -m tests.faults {' '.join(argv or sys.argv[1:])})")
    if args.json:
        args.json.write_text(json.dumps({m: dict(c) for m, c in counts.items()}, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
