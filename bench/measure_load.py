"""Load and validation figures for the knowledge-graph core (issue 2 note).

    python bench/measure_load.py [--copies 60]

Builds a ~100k-triple file by copying the demo credentials under fresh IRIs, then times:
the reference-graph initialisation, `microhe.ingest.load.load` of the file (parse, learner-data
check, SHACL validation with the default profiles, derived values, one transaction),
pyoxigraph's own transactional `Store.load` of the same file (the baseline), and the
validation step alone. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from microhe.ingest.load import Source, initialise, load, stage
from microhe.kg import bundled
from microhe.store.embedded import Store


def synth_file(copies: int, out: Path) -> int:
    demo = next(g for g in bundled.demo_graphs() if g.name.endswith("credentials.ttl"))
    skills = next(g for g in bundled.demo_graphs() if g.name.endswith("skills.ttl"))
    base = "https://w3id.org/microhe/demo/"
    lines = [f"{q.subject} {q.predicate} {q.object} ." for q in skills.quads()]
    for i in range(copies):
        for q in demo.quads():
            t = f"{q.subject} {q.predicate} {q.object} ."
            t = t.replace(base + "credential/", f"{base}credential/c{i}-").replace("_:", f"_:c{i}x")
            lines.append(t)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        f = tmp / "synthetic.nt"
        triples = synth_file(args.copies, f)
        store = Store(tmp / "store")
        t = time.perf_counter()
        init = initialise(store)
        init_s = time.perf_counter() - t
        ref_triples = sum(o.triples for o in init)
        src = Source.from_path(f)
        t = time.perf_counter()
        stage(src)
        staged_s = time.perf_counter() - t
        t = time.perf_counter()
        load(store, [src])
        load_s = time.perf_counter() - t
        raw = ox.Store(str(tmp / "raw"))
        t = time.perf_counter()
        raw.load(path=str(f), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
        raw_s = time.perf_counter() - t
        print(json.dumps({
            "reference_triples": ref_triples, "reference_init_s": round(init_s, 3),
            "reference_triples_per_s": round(ref_triples / init_s),
            "file_triples": triples, "validated_load_s": round(load_s, 3),
            "validated_load_triples_per_s": round(triples / load_s),
            "parse_and_validate_s": round(staged_s, 3),
            "pyoxigraph_store_load_s": round(raw_s, 3),
            "validated_load_over_raw": round(load_s / raw_s, 1),
        }, indent=2))


if __name__ == "__main__":
    main()
