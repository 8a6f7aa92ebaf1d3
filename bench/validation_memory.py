"""Where the memory of a large file's validation goes: RSS after each step of the on-disk
validation (:class:`microhe.validation.ondisk.DiskStaging`).

    python -m bench.validation_memory FILE.nt [--profiles council-2022,consistency]

Fills the disk staging with FILE (chunks of 100,000 quads), then runs the compiled checks and
the focus-node counts separately, printing the process's RSS and peak RSS (MB) after each.
At 1M credentials the validation is the peak of a ``microhe load --bulk`` (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pyoxigraph as ox


def _rss_mb() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 // 2**20


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.validation_memory", description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--profiles", default="council-2022,consistency")
    a = ap.parse_args(argv)
    from microhe.rdf.stream import read_chunks
    from microhe.validation.compiled import run_compiled
    from microhe.validation.ondisk import DiskStaging

    with DiskStaging(tuple(a.profiles.split(","))) as staging:
        t = time.perf_counter()
        for part in read_chunks(a.file, ox.RdfFormat.N_TRIPLES, name=a.file.name, base_iri=None, salt="bench",
                                chunk=100_000):
            staging.add(part)
        staging.store.flush()
        print(f"staged {staging.quads:,} quads in {time.perf_counter() - t:.0f} s: rss {_rss_mb()} MB, "
              f"peak {_peak_mb()} MB", flush=True)
        t = time.perf_counter()
        results = run_compiled(staging.store, staging.changed, staging._compiled)
        print(f"compiled checks: {len(results)} results in {time.perf_counter() - t:.0f} s: rss {_rss_mb()} MB, "
              f"peak {_peak_mb()} MB", flush=True)
        t = time.perf_counter()
        counts = staging._focus_counts()
        print(f"focus-node counts {counts} in {time.perf_counter() - t:.0f} s: rss {_rss_mb()} MB, "
              f"peak {_peak_mb()} MB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
