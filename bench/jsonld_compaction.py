"""Focused bench (issue 23): what PyLD costs to serve a graph as JSON-LD a portal can use.

For synthetic graphs of about 10k and 100k triples (microhe.devtools.synth), times:

* ``expanded``: microhe's own flattened expanded form built from the triples
  (microhe.rdf.jsonld_write.expanded: no PyLD), what a graph above the cap is served as;
* ``compacted``: that document compacted with microhe's context by PyLD
  (``jsonld.compact``, what ``/rdf-graphs?graph=`` answers by default);
* ``pyld flatten``: PyLD's own flatten+compact from the expanded document (the textbook
  route, for comparison);
* ``serialised``: the JSON text of the compacted document.

    python -m bench.jsonld_compaction [--sizes 10000,100000]

Prints one line per size with seconds and microseconds per triple; the cap
(``Settings.jsonld_compact_cap``) is chosen from these (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from microhe.devtools.synth import generate
from microhe.rdf import jsonld_write as jw

TRIPLES_PER_CREDENTIAL = 32  # about (bench/RESULTS.md: 1,000 credentials, 32,609 triples)


def triples_of(n: int) -> list[ox.Triple]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "synth.nt")
        generate(path, credentials=max(1, n // TRIPLES_PER_CREDENTIAL + 1), seed=1)
        triples = list(dict.fromkeys(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)))
    return triples[:n]


def _timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def main(argv: list[str] | None = None) -> int:
    from pyld import jsonld

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--no-flatten", action="store_true", help="skip PyLD's own flatten (slowest)")
    args = ap.parse_args(argv)
    ctx = jw.context_document()
    options = {"documentLoader": jw.document_loader(), "processingMode": "json-ld-1.1"}
    for n in (int(s) for s in args.sizes.split(",")):
        triples = triples_of(n)
        t_exp, expanded = _timed(lambda ts=triples: jw.expanded(ts))
        t_cmp, compacted = _timed(lambda ts=triples: jw.compacted(ts, "http://bench.example/context.jsonld"))
        t_ser, text = _timed(lambda doc=compacted: json.dumps(doc, ensure_ascii=False, indent=1))
        line = (f"{len(triples):>7} triples: expanded {t_exp:6.2f} s, compacted {t_cmp:6.2f} s "
                f"({t_cmp / len(triples) * 1e6:5.0f} us/triple), serialised {t_ser:5.2f} s, {len(text) / 1e6:.1f} MB")
        if not args.no_flatten:
            t_flat, _ = _timed(lambda doc=expanded: jsonld.flatten(doc, ctx, options))
            line += f"; pyld flatten+compact {t_flat:6.2f} s ({t_flat / len(triples) * 1e6:5.0f} us/triple)"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
