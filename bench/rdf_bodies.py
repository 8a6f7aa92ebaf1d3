"""``/ontology`` and ``/.well-known/void`` as JSON-LD over HTTP: N GETs, N HEADs and N
conditional GETs (``If-None-Match`` of the first answer) each, against a real ``microhe
serve --port 0`` over a fresh store with the demo data; p50 and total per kind.

    python -m bench.rdf_bodies [--requests 20]

Their JSON-LD is compacted by PyLD (0.5-1 s under load); it is built once per store state
and representation now, and HEAD / 304 are answered without building it.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

JSONLD = {"Accept": "application/ld+json"}


def _serve(store: str) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-c", "from microhe.cli import main; main()",
               "serve", "--port", "0", "--store", store, "--demo"]
    proc = subprocess.Popen(command,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "MICROHE_WARM_INDEXES": "false"})
    assert proc.stderr is not None
    for line in proc.stderr:  # blocks until the server says where it listens
        m = re.search(r"listening on (http://[\d.]+:\d+)/", line)
        if m:
            return proc, m.group(1)
    raise SystemExit(f"the server did not start (exit {proc.wait()})")


def _time(fn, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, sum(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20)
    n = ap.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = _serve(os.path.join(tmp, "store"))
        try:
            with httpx.Client(base_url=url, timeout=120) as c:
                for path in ("/ontology", "/.well-known/void"):
                    etag = c.get(path, headers=JSONLD).headers["etag"]

                    def get(path=path):
                        assert c.get(path, headers=JSONLD).status_code == 200

                    def head(path=path):
                        assert c.head(path, headers=JSONLD).status_code == 200

                    def cond(path=path, etag=etag):
                        assert c.get(path, headers={**JSONLD, "If-None-Match": etag}).status_code == 304

                    for name, fn in (("GET", get), ("HEAD", head), ("GET If-None-Match (304)", cond)):
                        p50, total = _time(fn, n)
                        print(f"{path:18} {name:24} {n} requests: p50 {p50:7.1f} ms, total {total:8.1f} ms")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
