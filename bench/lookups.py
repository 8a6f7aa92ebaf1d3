"""Named lookups on an existing store (issue 24, target 4): every named query of class
``lookup`` with its README example (an IRI parameter replaced by one of the store's own
specifications or awarding bodies), p50 of 5 runs through the engine's ``results.query``
(IRI parameters written into the patterns, as the server runs them); and the paged ones
walked page by page with ``after``: page 1, page 10 and the last page, p50 of 3 runs each.

    python -m bench.lookups STORE_DIR [--max-pages 2000]

Target: every p50 <= 50 ms at 10^5 credentials. Prints a Markdown table for RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import pyoxigraph as ox

from microhe.engine import results
from microhe.queries.catalogue import catalogue

ELM = "http://data.europa.eu/snb/model/elm/"
TARGET_MS = 50.0


def _p50(fn, runs: int) -> tuple[float, list]:
    times, rows = [], []
    for _ in range(runs):
        t = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, rows


def _examples() -> dict[str, dict[str, str]]:
    """The README's example parameters (the queries' own documentation)."""
    import re
    from importlib import resources
    text = resources.files("microhe").joinpath("queries", "README.md").read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = {}
    for name, params in re.findall(r"^microhe query (\S+)((?: --param \S+)*)", text, flags=re.M):
        out.setdefault(name, dict(p.split("=", 1) for p in re.findall(r"--param (\S+)", params)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.lookups", description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("--max-pages", type=int, default=2000)
    a = ap.parse_args(argv)
    st = ox.Store.read_only(a.store)
    union = {"use_default_graph_as_union": True}
    spec = next(iter(st.query(f"SELECT ?c WHERE {{ ?c a <{ELM}Qualification> }} LIMIT 1", **union)))[0].value
    org = next(iter(st.query(f"SELECT ?o WHERE {{ ?a <{ELM}awardingBody> ?o }} LIMIT 1", **union)))[0].value
    examples = _examples()
    print("| named lookup | rows | p50 ms | page 10 ms | last page ms (pages) | target |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for name, q in sorted(catalogue().items()):
        if q.query_class != "lookup":
            continue
        params = dict(examples.get(name, {}))
        for p in q.params:
            if p.name in params and p.type == "iri":
                params[p.name] = spec if p.name == "credential" else org if p.name in ("institution", "issuer") \
                    else params[p.name]
        b = q.bindings(params)
        p50, rows = _p50(lambda b=b, q=q: list(results.query(st, q.text_for(b), substitutions=b)), 5)
        page10 = last = None
        pages = 0
        if "after" in {p.name for p in q.params} and rows:
            after, times = None, {}
            while pages < a.max_pages:
                pages += 1
                pb = q.bindings({**params, **({"after": after} if after else {})})
                ms, got = _p50(lambda pb=pb, q=q: list(results.query(st, q.text_for(pb), substitutions=pb)), 3)
                if not got:
                    pages -= 1
                    break
                times[pages] = ms
                after = got[-1]["credential"].value
            page10, last = times.get(10), times.get(pages)
        figures = [x for x in (p50, page10, last) if x is not None]
        worst = max(worst, *figures)
        ok = "met" if max(figures) <= TARGET_MS else "missed"
        print(f"| `{name}` | {len(rows)} | {p50:.1f} | {'' if page10 is None else f'{page10:.1f}'} | "
              f"{'' if last is None else f'{last:.1f} ({pages})'} | {ok} |")
    print(f"\nworst p50 {worst:.1f} ms (target {TARGET_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
