"""Focused bench (issue 23): what set semantics of the union default graph would cost /sparql.

pyoxigraph evaluates the union default graph as a bag: a triple two graphs hold matches
twice (also with ``FROM g1 FROM g2`` or ``default_graph=[...]``: no dataset option gives a
set). Set semantics can only be had by rewriting the query, each triple pattern (and path)
``P`` evaluated as ``{ SELECT DISTINCT <vars> WHERE { GRAPH ?g { P } } }`` so each triple
counts once whatever graphs hold it. This measures the bench's three ``/sparql`` query
shapes (bench/__main__.py ``_http_queries``: point 50%, search 30%, recognition 20%) as
sent and rewritten that way, on a synthetic store with the reference data, in process
(the engine's time, which dominates the request's), and prints p50 of each and of the mix.

    python -m bench.union_set [--credentials 1000] [--reps 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from microhe.devtools.synth import generate
from microhe.ingest.load import initialise
from microhe.store.embedded import Store

ELM = "http://data.europa.eu/snb/model/elm/"
PFX = (f"PREFIX elm: <{ELM}> PREFIX dcterms: <http://purl.org/dc/terms/> "
       "PREFIX mhe: <https://w3id.org/microhe/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")


def _set(pattern: str, variables: str) -> str:
    return f"{{ SELECT DISTINCT {variables} WHERE {{ GRAPH ?g {{ {pattern} }} }} }}"


def shapes(cred: str, eqf: int, country: str) -> dict[str, tuple[str, str]]:
    """kind -> (the query as the bench sends it, its set-semantics rewrite)."""
    cc = f"<http://publications.europa.eu/resource/authority/country/{country}>"
    point = (f"SELECT ?p ?o WHERE {{ <{cred}> ?p ?o }}",
             f"SELECT ?p ?o WHERE {_set(f'<{cred}> ?p ?o', '?p ?o')}")
    search = (PFX + f"""SELECT ?c ?t WHERE {{ ?c a elm:Qualification ; elm:EQFLevel <http://data.europa.eu/snb/eqf/{eqf}> ;
  elm:awardingOpportunity/elm:awardingBody/elm:location/elm:address/elm:countryCode {cc} ; dcterms:title ?t }} LIMIT 20""",
              PFX + "SELECT ?c ?t WHERE { "
              + _set("?c a elm:Qualification", "?c")
              + _set(f"?c elm:EQFLevel <http://data.europa.eu/snb/eqf/{eqf}>", "?c")
              + _set("?c elm:awardingOpportunity ?a1", "?c ?a1") + _set("?a1 elm:awardingBody ?a2", "?a1 ?a2")
              + _set("?a2 elm:location ?a3", "?a2 ?a3") + _set("?a3 elm:address ?a4", "?a3 ?a4")
              + _set(f"?a4 elm:countryCode {cc}", "?a4")
              + _set("?c dcterms:title ?t", "?c ?t") + " } LIMIT 20")
    recognition = (PFX + f"""SELECT DISTINCT ?eqf ?other WHERE {{ <{cred}> elm:EQFLevel|elm:NQFLevel ?d .
  ?d (skos:exactMatch|^skos:exactMatch)? ?lvl . ?lvl mhe:referencedToEQF ?eqf .
  ?other mhe:referencedToEQF ?eqf }}""",
                   PFX + "SELECT DISTINCT ?eqf ?other WHERE { "
                   + _set(f"<{cred}> elm:EQFLevel|elm:NQFLevel ?d", "?d")
                   + _set("?d (skos:exactMatch|^skos:exactMatch)? ?lvl", "?d ?lvl")
                   + _set("?lvl mhe:referencedToEQF ?eqf", "?lvl ?eqf")
                   + _set("?other mhe:referencedToEQF ?eqf", "?other ?eqf") + " }")
    return {"point": point, "search": search, "recognition": recognition}


def _time(store: Store, query: str) -> tuple[float, int]:
    t = time.perf_counter()
    n = sum(1 for _ in store.query(query))
    return time.perf_counter() - t, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--credentials", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "synth.nt")
        generate(data, credentials=args.credentials, seed=1)
        store = Store()
        initialise(store)
        import pyoxigraph as ox

        synth = ox.NamedNode("urn:bench:synth")
        store.restore(list(store.quads()) + [ox.Quad(t.subject, t.predicate, t.object, synth) for t in
                                             ox.parse(path=str(data), format=ox.RdfFormat.N_TRIPLES)])
        creds = [r["c"].value for r in store.query(
            f"SELECT ?c WHERE {{ GRAPH <urn:bench:synth> {{ ?c a <{ELM}Qualification> }} }} LIMIT 200")]
        rng = random.Random(1)
        print(f"store: {len(store)} quads, {args.credentials} credentials, {args.reps} reps per shape")
        mix = {"point": 5, "search": 3, "recognition": 2}
        p50 = {}
        for kind in mix:
            bag, sets = [], []
            for _ in range(args.reps):
                q_bag, q_set = shapes(rng.choice(creds), rng.randint(4, 7), rng.choice(["DEU", "FRA", "ITA", "ESP"]))[kind]
                tb, _ = _time(store, q_bag)
                ts, _ = _time(store, q_set)
                bag.append(tb)
                sets.append(ts)
            p50[kind] = (statistics.median(bag), statistics.median(sets))
            print(f"{kind:12s} p50 bag {p50[kind][0] * 1000:8.2f} ms   set {p50[kind][1] * 1000:8.2f} ms   "
                  f"x{p50[kind][1] / p50[kind][0]:.2f}")
        bag_mix = sum(mix[k] * p50[k][0] for k in mix) / 10
        set_mix = sum(mix[k] * p50[k][1] for k in mix) / 10
        print(f"{'mix (5/3/2)':12s} mean of p50 bag {bag_mix * 1000:8.2f} ms   set {set_mix * 1000:8.2f} ms   "
              f"x{set_mix / bag_mix:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
