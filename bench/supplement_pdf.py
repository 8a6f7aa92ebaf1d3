"""The credit supplement's PDF: how long one takes, cold and warm (issue 19: < 2 s each).

    python -m bench.supplement_pdf [--repeat 10] [--starts 3]

* HTTP cold: `microhe serve --demo --port 0` started afresh (its own temporary store), then
  the first request after /health answers is `GET <credential page>/supplement?format=pdf`
  (WeasyPrint imported, fonts found and the supplement built on that request); repeated
  for ``--starts`` server starts;
* HTTP warm: ``--repeat`` further requests of the same server, one at a time, for
  different credentials;
* in-process: `render_pdf` in a fresh interpreter (cold: imports included) and again
  (warm), library only.

Wall-clock seconds on this machine (2 cores shared with other work; the in-process figures
also as CPU seconds of the process, which other work on the machine inflates less), printed
as JSON and as a line for bench/RESULTS.md, with the load average at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

LISTENING = re.compile(r"microhe listening on http://[^:/]+:(\d+)/")
CREDENTIALS = ["dhbw-python-data-wrangling", "dhbw-statistics-for-data-science", "dhbw-machine-learning-foundations",
               "dhbw-applied-data-science-certificate", "dhbw-plc-programming", "dhbw-agile-project-management",
               "vmu-data-analysis-for-decision-making", "vmu-online-course-design", "vmu-facilitating-online-learning"]


def _microhe() -> list[str]:
    script = shutil.which("microhe")
    return [script] if script else [sys.executable, "-c", "from microhe.cli import main; main()"]


def _get(url: str) -> tuple[float, int, bytes]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        body = r.read()
        return time.perf_counter() - t, r.status, body


def http(repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "serve.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([*_microhe(), "serve", "--store", str(Path(work) / "store"), "--demo", "--port", "0"],
                                    stdout=out, stderr=subprocess.STDOUT)
        try:
            url = None
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if url is None and (m := LISTENING.search(log.read_text())):
                    url = f"http://127.0.0.1:{m.group(1)}"
                if url:
                    try:
                        if _get(url + "/health")[1] == 200:
                            break
                    except OSError:
                        pass
                time.sleep(0.1)
            assert url, log.read_text()
            page = f"{url}/demo/credential/{{}}/supplement?format=pdf"
            cold, status, body = _get(page.format(CREDENTIALS[0]))
            assert status == 200 and body.startswith(b"%PDF-")
            warm = []
            for i in range(repeat):
                s, status, body = _get(page.format(CREDENTIALS[(i + 1) % len(CREDENTIALS)]))
                assert status == 200 and body.startswith(b"%PDF-")
                warm.append(s)
            return {"cold_s": round(cold, 3), "warm_s": [round(w, 3) for w in warm], "bytes": len(body)}
        finally:
            proc.terminate()
            proc.wait(timeout=30)


IN_PROCESS = """
import json, time
t0 = time.perf_counter()
from tests.demo import demo_copy
from microhe.publish.supplement import build_supplement
from microhe.publish.supplement_render import render_pdf
store = demo_copy()
iri = "https://w3id.org/microhe/demo/credential/dhbw-python-data-wrangling"
t1 = time.perf_counter(); c1 = time.process_time(); render_pdf(build_supplement(store, iri))
t2 = time.perf_counter(); c2 = time.process_time(); render_pdf(build_supplement(store, iri))
t3 = time.perf_counter(); c3 = time.process_time()
print(json.dumps({"cold_s": round(t2 - t1, 3), "warm_s": round(t3 - t2, 3), "cold_cpu_s": round(c2 - c1, 3),
                  "warm_cpu_s": round(c3 - c2, 3), "store_s": round(t1 - t0, 3)}))
"""


def in_process() -> dict:
    out = subprocess.run([sys.executable, "-c", IN_PROCESS], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--starts", type=int, default=3)
    a = ap.parse_args()
    runs = [http(a.repeat) for _ in range(a.starts)]
    cold = [r["cold_s"] for r in runs]
    warm = [w for r in runs for w in r["warm_s"]]
    lib = in_process()
    result = {"http_cold_s": cold, "http_warm_p50_s": round(statistics.median(warm), 3), "http_warm_max_s": max(warm),
              "in_process": lib, "pdf_bytes": runs[-1]["bytes"]}
    print(json.dumps(result, indent=2))
    print(f"| supplement PDF | HTTP cold {min(cold)}-{max(cold)} s ({len(cold)} starts) | warm p50 "
          f"{result['http_warm_p50_s']} s, max {result['http_warm_max_s']} s ({len(warm)} requests) | in-process cold "
          f"{lib['cold_s']} s, warm {lib['warm_s']} s (CPU {lib['cold_cpu_s']} s, {lib['warm_cpu_s']} s) | "
          f"load average {os.getloadavg()[0]:.1f} |")


if __name__ == "__main__":
    main()
