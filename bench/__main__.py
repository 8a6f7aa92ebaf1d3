"""The benchmark harness: ``python -m bench [--credentials N] [--quick]``.

One process tree: this process (the microhe side), one rdflib worker process (the
baseline, fed one query at a time so baseline and microhe runs alternate on the same
data), and the three HTTP servers (microhe, ``oxigraph serve``, rdflib-endpoint) on
127.0.0.1 free ports, started and stopped here; then the clearinghouse pages against their
JSON/RDF counterparts over HTTP (:mod:`bench.pages`). Writes ``bench/results/latest.json``
and the figures section of ``bench/RESULTS.md`` (between the bench markers; the
hand-written text around them is kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SYNTH = "https://w3id.org/microhe/synth/"
ELM = "http://data.europa.eu/snb/model/elm/"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def rss_mb() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(me, 1), "children_max": round(kids, 1)}


# -- 1. loads ----------------------------------------------------------------------------
# Each load runs in a forked child (fresh process: its own peak RSS, nothing cached from an
# earlier run), into a fresh store directory on disk (the kind of store microhe uses) or,
# for the secondary in-memory figures, an in-memory store.

NT = ox.RdfFormat.N_TRIPLES


def _in_child(fn, *args, budget: float) -> dict:
    """``fn(*args)`` (returning a dict) in a forked child bounded by ``budget`` seconds;
    the dict gains the child's ``peak_rss_mb``; ``{"over_budget": s}`` or ``{"error": ...}``."""
    parent, child = mp.Pipe()

    def target(conn):
        try:
            res = fn(*args)
            res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            conn.send(res)
        except BaseException as e:  # noqa: BLE001 - reported in the results
            conn.send({"error": repr(e)[:300]})

    proc = mp.get_context("fork").Process(target=target, args=(child,))
    proc.start()
    res = parent.recv() if parent.poll(budget) else {"over_budget": budget}
    if proc.is_alive():
        proc.kill()
    proc.join()
    return res


def _raw_load(paths: list[str], where: str | None, bulk: bool) -> dict:
    """pyoxigraph alone: ``Store.load`` (one transaction per file) or ``bulk_load``."""
    st = ox.Store(where) if where else ox.Store()
    t = time.perf_counter()
    for i, path in enumerate(paths):
        (st.bulk_load if bulk else st.load)(path=path, format=NT, to_graph=ox.NamedNode(f"urn:bench:{i}"))
    if where:
        st.flush()
    return {"s": time.perf_counter() - t}


def _validated_load(paths: list[str], where: str | None, bulk: bool) -> dict:
    """``microhe.ingest.load.load`` (parse, validate with the default profiles, derive, write
    with provenance) of each file in turn into a store holding the reference data, as
    ``microhe load [--bulk]`` does; the store directory is kept for the query phase."""
    from microhe.ingest.load import Source, initialise, load
    from microhe.store.embedded import Store

    store = Store(where)
    initialise(store)
    t = time.perf_counter()
    triples = 0
    for path in paths:
        [out] = load(store, [Source.from_path(path)], bulk=bulk)
        triples += out.triples
    if bulk:
        store.optimize()  # once after the last file, as after `microhe load --bulk`
    store.flush()
    res = {"s": time.perf_counter() - t, "triples": triples}
    store.close()
    return res


def _dir_mb(path: str) -> float:
    return round(sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20, 1)


def loads(paths: list[str], mem_path: str, tmp: str, cfg: dict) -> dict:
    """Phase 1: pyoxigraph's loads against microhe's, alternating, same files. Returns the
    figures and ``store_dir``, the store microhe loaded (used by the query phase)."""
    budget = cfg["load_budget_s"]
    out: dict = {}

    def run(name, fn, files, where, bulk):
        res = _in_child(fn, files, where, bulk, budget=budget)
        out[name] = res
        log(f"{name}: {res}")
        return res.get("s")

    d = lambda name: os.path.join(tmp, name)  # noqa: E731
    transactional = cfg["transactional"]
    if transactional:
        run("raw_disk", _raw_load, paths, d("raw"), False)
        shutil.rmtree(d("raw"), ignore_errors=True)
        run("validated_disk", _validated_load, paths, d("microhe"), False)
        out["store_dir"] = d("microhe")
        if cfg["repeat_raw"]:
            run("raw_disk_again", _raw_load, paths, d("raw"), False)
            shutil.rmtree(d("raw"), ignore_errors=True)
    run("bulk_disk", _raw_load, paths, d("bulk"), True)
    shutil.rmtree(d("bulk"), ignore_errors=True)
    if cfg["validated_bulk"] or not transactional:
        run("validated_bulk_disk", _validated_load, paths, d("microhe-bulk"), True)
        if not transactional:
            out["store_dir"] = d("microhe-bulk")
        else:
            shutil.rmtree(d("microhe-bulk"), ignore_errors=True)
    out["store_mb"] = _dir_mb(out["store_dir"])
    if mem_path:
        run("raw_memory", _raw_load, [mem_path], None, False)
        run("validated_memory", _validated_load, [mem_path], None, False)
    return out


# -- 2. validation fidelity --------------------------------------------------------------


def fidelity(path: str, sidecar: str) -> dict:
    import pyshacl
    import rdflib
    from rdflib.namespace import RDF, SH

    from microhe.ingest.load import Source, stage
    from microhe.validation import DEFAULT_PROFILES, reference_graph
    from microhe.validation.profiles import shapes_graph

    src = Source.from_path(path)
    t = time.perf_counter()
    _, _, report = stage(src)  # what microhe.ingest.load.load runs (parse + personal check + validate)
    project_s = time.perf_counter() - t
    project = {(r.focus_node, r.path, r.constraint) for r in report.violations}

    t = time.perf_counter()
    g = rdflib.Graph()
    g.parse(path, format="nt")
    g += reference_graph()
    _, results, _ = pyshacl.validate(g, shacl_graph=shapes_graph(tuple(DEFAULT_PROFILES)), inference="none",
                                     advanced=True, allow_warnings=True, meta_shacl=False)
    pyshacl_s = time.perf_counter() - t
    ref = set()
    for rep in results.subjects(RDF.type, SH.ValidationReport):
        for r in results.objects(rep, SH.result):
            if results.value(r, SH.resultSeverity) != SH.Violation:
                continue
            path_ = results.value(r, SH.resultPath)
            ref.add((str(results.value(r, SH.focusNode)), str(path_) if isinstance(path_, rdflib.URIRef) else None,
                     str(results.value(r, SH.sourceConstraintComponent))))
    side = json.loads(Path(sidecar).read_text())
    expected = {(v["focus_node"], v["path"], v["constraint"]) for v in side["violations"]}
    return {"triples": len(g), "violations_project": len(project), "violations_pyshacl": len(ref),
            "violations_sidecar": len(expected), "violations_match_pyshacl": project == ref,
            "violations_match_sidecar": project == expected, "project_s": round(project_s, 3),
            "pyshacl_s": round(pyshacl_s, 3), "project_over_pyshacl": round(project_s / pyshacl_s, 3)}


# -- 3. query latency --------------------------------------------------------------------


class _Timeout(Exception):
    pass


def _read_into(ds, path: str, fmt, graph=None) -> None:
    """Add a file's triples (into ``graph``) or quads to an rdflib Dataset, parsed by
    pyoxigraph: the same terms rdflib's own parser makes (a literal typed xsd:string
    becomes a plain one, as rdflib reads it), about 2-3x sooner, which keeps the --quick run
    within its three minutes; the baseline measured is rdflib's query engine, not its parser."""
    import rdflib

    xsd_string = "http://www.w3.org/2001/XMLSchema#string"
    iris: dict[str, rdflib.URIRef] = {}

    def term(x):
        if isinstance(x, ox.NamedNode):
            hit = iris.get(x.value)
            if hit is None:
                hit = iris[x.value] = rdflib.URIRef(x.value)
            return hit
        if isinstance(x, ox.BlankNode):
            return rdflib.BNode(x.value)
        if x.language:
            return rdflib.Literal(x.value, lang=x.language)
        if x.datatype.value == xsd_string:
            return rdflib.Literal(x.value)
        return rdflib.Literal(x.value, datatype=term(x.datatype))

    graphs: dict = {}

    def context(q):
        name = graph if graph is not None else (None if isinstance(q.graph_name, ox.DefaultGraph)
                                                 else term(q.graph_name))
        g = graphs.get(name)
        if g is None:
            g = graphs[name] = ds.graph(name) if name is not None else ds.default_context
        return g

    ds.store.addN((term(q.subject), term(q.predicate), term(q.object), context(q))
                  for q in ox.parse(path=path, format=fmt))


def _rdflib_worker(data: str, graph: str, conn, budget: float) -> None:
    """The rdflib baseline: one parse of the data, shared by the query baseline and by
    rdflib-endpoint (served from this process on the same in-memory Dataset afterwards).
    Parses the synthetic N-Triples file into ``graph`` first (this runs while the microhe
    query store is being built, which is not a timed figure), then the rest of the
    benchmark store (reference data, derived values, load records) from an N-Quads dump
    whose path arrives on ``conn``; ``None`` instead of a path: exit."""
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    t = time.perf_counter()
    _read_into(ds, data, ox.RdfFormat.N_TRIPLES, rdflib.URIRef(graph))
    rest = conn.recv()
    if rest is None:
        return
    _read_into(ds, rest, ox.RdfFormat.N_QUADS)
    conn.send(("ready", time.perf_counter() - t, len(ds)))

    def alarm(*_):
        raise _Timeout()

    signal.signal(signal.SIGALRM, alarm)
    while True:
        msg = conn.recv()
        if msg is None:
            return
        if msg[0] == "serve":  # rdflib-endpoint on the already-parsed Dataset, until SIGTERM
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            import uvicorn
            from rdflib_endpoint import SparqlEndpoint

            app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False)
            uvicorn.run(app, host="127.0.0.1", port=msg[1], log_level="warning")
            os._exit(0)
        text, binds = msg
        init = {k: (rdflib.URIRef(v) if kind == "iri" else rdflib.Literal(v, datatype=rdflib.URIRef(dt) if dt else None))
                for k, (kind, v, dt) in binds.items()}
        t = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            n = len(list(ds.query(text, initBindings=init)))
            signal.setitimer(signal.ITIMER_REAL, 0)
            conn.send(("ok", time.perf_counter() - t, n))
        except _Timeout:
            conn.send(("timeout", budget, 0))
        except Exception as e:  # noqa: BLE001 - report, keep serving
            signal.setitimer(signal.ITIMER_REAL, 0)
            conn.send(("error", time.perf_counter() - t, repr(e)[:200]))


def _param_sets(store, rng: random.Random, n: int) -> dict:
    def pick(q: str, var: str) -> list[str]:
        return [r[var].value for r in store.query(q)]

    creds = pick(f"SELECT ?c WHERE {{ ?c a <{ELM}Qualification> FILTER(STRSTARTS(STR(?c), '{SYNTH}')) }}", "c")
    orgs = sorted({c for c in pick(f"SELECT ?o WHERE {{ ?a <{ELM}awardingBody> ?o }}", "o")})
    skills = pick(f"SELECT ?s WHERE {{ ?s <http://www.w3.org/2004/02/skos/core#inScheme> <{SYNTH}skills> }}", "s")
    wholes = pick(f"SELECT DISTINCT ?w WHERE {{ ?w <{ELM}hasPart> ?p }}", "w")
    levels = [("SCQF", "11"), ("DQR", "6"), ("RQF", "6"), ("NFQ", "8"), ("EQF", "5"), ("SQF", "9"), ("LTKS", "7")]
    fws = ["EQF", "DQR", "SCQF", "RQF", "NFQ", "SQF", "QF-EHEA"]
    systems = ["ECTS", "UK", "SCQF", "US-SCH", "HOURS"]
    # paged queries get `after` (a later page: its key filter costs more than a first page's)
    # in half the sets; drawn from their own generator so the other values stay as before
    pages = random.Random(7)
    out = []
    for _ in range(n):
        fw, lvl = rng.choice(levels)
        out.append({"credential": rng.choice(creds), "institution": rng.choice(orgs), "issuer": rng.choice(orgs),
                    "skill": rng.choice(skills[:40]) if rng.random() < 0.2 else rng.choice(skills),
                    "eqf": str(rng.randint(4, 8)), "framework": fw, "level": lvl, "fw": rng.choice(fws),
                    "from": rng.choice(systems), "to": "ECTS", "whole": rng.choice(wholes) if wholes else None,
                    "other": rng.choice(creds), "amount": str(rng.choice([5, 10, 15, 20])),
                    "country": rng.choice(["DEU", "GBR", "FRA", "IRL", "NLD", "ESP"]),
                    "mode": rng.choice(["online", "presential", "blended"]),
                    "text": rng.choice(["data", "energy", "project management", "python"]),
                    "after": pages.choice(creds) if pages.random() < 0.5 else None})
    return {"sets": out, "credentials": len(creds)}


def _query_values(nq, p: dict) -> dict:
    """The parameter set ``p`` as the values of ``nq``'s parameters (IRI parameters get
    IRIs: the country authority IRI, the mode IRI)."""
    from microhe.recognition.search import MODES

    names = {x.name for x in nq.params}
    kinds = {x.name: x.type for x in nq.params}
    vals = {}
    for name in names:
        key = {"framework": "fw" if nq.name == "framework-levels" else "framework"}.get(name, name)
        if key in p and p[key] is not None:
            v = p[key]
            if kinds[name] == "iri" and key == "country":
                v = "http://publications.europa.eu/resource/authority/country/" + v
            elif kinds[name] == "iri" and key == "mode":
                v = MODES[v]
            vals[name] = v
    return vals


class RdflibBaseline:
    """The rdflib worker process (see :func:`_rdflib_worker`): started before the query
    store is built, given the rest of the data once it is, queried, then turned into
    rdflib-endpoint for the HTTP part. ``poll`` makes it look like a Popen to wait_ready."""

    def __init__(self, data: str, graph: str, budget: float):
        self.conn, child = mp.Pipe()
        self.proc = mp.get_context("fork").Process(target=_rdflib_worker, args=(data, graph, child, budget))
        self.proc.start()
        self.load = None
        self.t0 = time.perf_counter()

    def ready(self, rest: str) -> dict:
        self.conn.send(rest)
        status, secs, n = self.conn.recv()
        self.load = {"parse_s": round(secs, 2), "quads": n,
                     "wall_from_start_s": round(time.perf_counter() - self.t0, 1)}
        log(f"rdflib baseline: {n} quads parsed in {secs:.1f}s (shared with rdflib-endpoint)")
        return self.load

    def serve(self, port: int) -> None:
        self.conn.send(("serve", port))

    def poll(self):
        return None if self.proc.is_alive() else (self.proc.exitcode or 0)

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(10)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join()


def query_latency(store, baseline: RdflibBaseline | None, reps: int, rdflib_reps: int,
                  cap_s: float = float("inf")) -> dict:
    """p50/p99 of every named query over ``reps`` parameter sets (fewer, with the number of
    runs reported, once one query has used ``cap_s`` seconds: at least one run), alternating
    with the rdflib baseline for the first ``rdflib_reps``."""
    from microhe.queries.catalogue import catalogue

    rng = random.Random(5)
    params = _param_sets(store, rng, reps)["sets"]
    use_rdflib = baseline is not None
    conn = baseline.conn if use_rdflib else None
    rd_load = baseline.load if use_rdflib else None
    out: dict[str, dict] = {}
    for name, nq in catalogue().items():
        ms, rd, rd_status = [], [], "ok"
        cold = None
        spent = 0.0
        for i in range(reps):
            if spent > cap_s:
                break
            vals = _query_values(nq, params[i])
            try:
                binds = nq.bindings(vals)
            except Exception as e:  # noqa: BLE001
                out[name] = {"error": str(e)}
                break
            t = time.perf_counter()
            n = len(list(store.query(nq.text_for(binds), substitutions=binds)))
            dt = (time.perf_counter() - t) * 1000
            spent += dt / 1000
            if cold is None:
                cold = dt
            ms.append(dt)
            if use_rdflib and i < rdflib_reps and rd_status == "ok":
                wire = {k: ("iri", v.value, None) if isinstance(v, ox.NamedNode) else
                        ("lit", v.value, v.datatype.value if v.datatype else None) for k, v in binds.items()}
                conn.send((nq.text_for(binds), wire))
                status, secs, info = conn.recv()
                if status == "ok":
                    rd.append(secs * 1000)
                else:
                    rd_status = status if status == "timeout" else f"error: {info}"
                    if status == "timeout":
                        rd.append(secs * 1000)
        if name in out:
            continue
        p50 = statistics.median(ms)
        row = {"class": nq.query_class, "p50_ms": round(p50, 2), "p99_ms": round(pct(ms, 99), 2), "runs": len(ms),
               "rows_last": n}
        if use_rdflib and rd:
            r50 = statistics.median(rd)
            row.update(rdflib_p50_ms=round(r50, 1), rdflib_runs=len(rd), rdflib_status=rd_status,
                       speedup_vs_rdflib=round(r50 / max(p50, 1e-3), 1),
                       speedup_is_lower_bound=rd_status == "timeout")
        elif use_rdflib:
            row.update(rdflib_status=rd_status)
        out[name] = row
        log(f"query {name}: p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms"
            + (f", rdflib {row.get('rdflib_p50_ms')} ms ({rd_status})" if use_rdflib else ""))
    return {"queries": out, "rdflib": rd_load}


def views_reload(store) -> dict:
    """Seconds until a second store object on the same directory (as a restarted server or
    the next ``microhe search`` has) holds the search views: read back from the store's
    ``microhe-views`` when it has a state token, else built. Run after
    :func:`recognition_latency`, whose first calls built (and saved) them."""
    from microhe.recognition.search import facet_index, search_index
    from microhe.store.embedded import Store

    if store.path is None:
        return {}
    again = Store(store.path, read_only=True)
    try:
        t0 = time.perf_counter()
        search_index(again)
        t1 = time.perf_counter()
        facet_index(again)
        t2 = time.perf_counter()
        out = {"state_token": again.state is not None, "search_records_s": round(t1 - t0, 2),
               "posting_lists_s": round(t2 - t1, 2)}
    finally:
        again.close()
    log(f"views for a second store object (as after a restart): {out}")
    return out


def recognition_latency(store, reps: int) -> dict:
    from microhe.frameworks.credits import convert
    from microhe.frameworks.levels import translate
    from microhe.recognition.compare import compare
    from microhe.recognition.facts import read_facts
    from microhe.recognition.pathways import pathways
    from microhe.recognition.search import search

    params = _param_sets(store, random.Random(9), reps)["sets"]
    calls = {
        "GET /api/recognition/level": ("recognition", lambda p: translate(store, p["framework"], p["level"])),
        "GET /api/recognition/credits": ("recognition", lambda p: convert(store, p["amount"], p["from"])),
        "POST /api/recognition/compare": ("recognition", lambda p: compare(
            store, read_facts(store, p["credential"]), read_facts(store, p["other"]))),
        "GET /api/recognition/pathways": ("recognition", lambda p: pathways(store, p["whole"], max_size=3)),
        "GET /api/credentials (facets)": ("facets", lambda p: search(store, eqf=int(p["eqf"]), country=p["country"],
                                                                    mode=p["mode"], facets=True)),
        "GET /api/credentials (text)": ("facets", lambda p: search(store, text=p["text"], facets=True)),
    }
    out = {}
    for name, (cls, fn) in calls.items():
        ms = []
        cold = None
        for i in range(reps + 1):
            t = time.perf_counter()
            try:
                fn(params[i % len(params)])
            except Exception as e:  # noqa: BLE001
                out[name] = {"class": cls, "error": repr(e)[:200]}
                break
            dt = (time.perf_counter() - t) * 1000
            if i == 0:
                cold = dt  # first call builds the cached indexes
            else:
                ms.append(dt)
        if name in out:
            continue
        out[name] = {"class": cls, "p50_ms": round(statistics.median(ms), 2), "p99_ms": round(pct(ms, 99), 2),
                     "cold_ms": round(cold, 1), "runs": len(ms)}
        log(f"recognition {name}: p50 {out[name]['p50_ms']} ms, p99 {out[name]['p99_ms']} ms, cold {cold:.0f} ms")
    return out


# -- 4. HTTP throughput ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc, timeout: float) -> bool:
    import httpx

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            r = httpx.post(url, data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"},
                           timeout=5)
            if r.status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def _http_queries(params: list[dict]) -> list[str]:
    qs = []
    for i, p in enumerate(params):
        kind = i % 10
        if kind < 5:  # point
            qs.append(f"SELECT ?p ?o WHERE {{ <{p['credential']}> ?p ?o }}")
        elif kind < 8:  # search
            qs.append(f"""PREFIX elm: <{ELM}> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?c ?t WHERE {{ ?c a elm:Qualification ; elm:EQFLevel <http://data.europa.eu/snb/eqf/{p['eqf']}> ;
  elm:awardingOpportunity/elm:awardingBody/elm:location/elm:address/elm:countryCode
  <http://publications.europa.eu/resource/authority/country/{p['country']}> ; dcterms:title ?t }} LIMIT 20""")
        else:  # recognition: levels equivalent to a declared level
            qs.append(f"""PREFIX mhe: <https://w3id.org/microhe/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX elm: <{ELM}>
SELECT DISTINCT ?eqf ?other WHERE {{ <{p['credential']}> elm:EQFLevel|elm:NQFLevel ?d .
  ?d (skos:exactMatch|^skos:exactMatch)? ?lvl . ?lvl mhe:referencedToEQF ?eqf .
  ?other mhe:referencedToEQF ?eqf }}""")
    return qs


async def _load(url: str, queries: list[str], concurrency: int, seconds: float) -> dict:
    """``concurrency`` clients sending ``queries`` in turn for ``seconds`` (or until the
    queries run out). Requests still in flight at the deadline are cancelled and counted as
    ``unfinished`` (as wrk does): a slow server then cannot stretch the run, and its rate
    counts only what it answered within the window."""
    import httpx

    done, errors, inflight, lat = 0, 0, 0, []
    it = iter(queries)
    end = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def worker():
            nonlocal done, errors, inflight
            for q in it:
                if time.monotonic() > end:
                    return
                t = time.perf_counter()
                inflight += 1
                try:
                    r = await client.post(url, data={"query": q}, headers={"Accept": "application/sparql-results+json"})
                    r.read()
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                finally:
                    inflight -= 1
                lat.append((time.perf_counter() - t) * 1000)
                done += ok
                errors += not ok

        t0 = time.perf_counter()
        tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
        _, pending = await asyncio.wait(tasks, timeout=max(0.0, end - time.monotonic()))
        unfinished = inflight
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = min(time.perf_counter() - t0, seconds) if pending else time.perf_counter() - t0
    return {"requests": done + errors, "ok": done, "errors": errors, "unfinished": unfinished,
            "seconds": round(elapsed, 2), "rps": round(done / elapsed, 1) if elapsed else 0.0,
            "p50_ms": round(pct(lat, 50), 1) if lat else None, "p99_ms": round(pct(lat, 99), 1) if lat else None}


def _peak_rss_mb(pid: int) -> float | None:
    """A process's peak resident set (VmHWM), in MB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            kb = next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:"))
        return round(kb / 1024, 1)
    except (OSError, StopIteration):
        return None


def _api_calls(params: list[dict]) -> list[str]:
    """GETs of the recognition and search routes (their indexes are built on first use:
    part of what serving costs in memory)."""
    out = []
    for p in params[:20]:
        out += [f"/api/recognition/level?framework={p['framework']}&level={p['level']}",
                f"/api/recognition/credits?amount={p['amount']}&system={p['from']}",
                f"/api/credentials?eqf={p['eqf']}&country={p['country']}&mode={p['mode']}",
                f"/api/credentials?text={p['text'].replace(' ', '+')}"]
        if p.get("whole"):
            out.append(f"/api/recognition/pathways?target={p['whole']}&max=3")
    return out


def http_throughput(store_dir: str, params: list[dict], concurrency: int, seconds: float, tmp: str,
                    baseline: RdflibBaseline | None) -> dict:
    """Phase 4: the same /sparql request list against microhe serving the store its load
    wrote (on disk), ``oxigraph serve`` on a copy of that store directory, and
    rdflib-endpoint on the baseline's parse."""
    queries = _http_queries(params)
    results, procs = {}, []
    oxi_dir = os.path.join(tmp, "oxigraph")
    t = time.perf_counter()
    shutil.copytree(store_dir, oxi_dir)  # closed RocksDB directory: a copy is a store
    log(f"store copied for oxigraph serve in {time.perf_counter() - t:.1f}s")
    servers = {
        "microhe": [sys.executable, "-m", "bench.servers", "microhe", store_dir],
        "oxigraph_server": ["oxigraph", "serve", "--location", oxi_dir, "--union-default-graph", "--bind"],
        "rdflib_endpoint": None,  # served by the baseline process on its parsed Dataset
    }
    if baseline is None:
        servers.pop("rdflib_endpoint")
    try:
        for name, cmd in servers.items():
            port = free_port()
            if cmd is None:
                baseline.serve(port)
                proc = baseline
            else:
                argv = cmd + ([f"127.0.0.1:{port}"] if name == "oxigraph_server" else [str(port)])
                proc = subprocess.Popen(argv, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                procs.append(proc)
            base = f"http://127.0.0.1:{port}"
            url = base + ("/query" if name == "oxigraph_server" else "/sparql")
            t = time.perf_counter()
            # microhe builds its recognition indexes before it listens (minutes at 1M)
            if not wait_ready(url, proc, 3600 if name == "microhe" else 300):
                err = (proc.stderr.read().decode()[-500:] if proc is not baseline and proc.poll() is not None
                       else "not ready")
                results[name] = {"error": err}
                log(f"{name}: failed to start: {err}")
            else:
                ready_s = round(time.perf_counter() - t, 1)
                log(f"{name} ready in {ready_s}s on {url}")
                asyncio.run(_load(url, queries[:20], concurrency, min(10.0, seconds / 2)))  # warm-up
                results[name] = asyncio.run(_load(url, queries, concurrency, seconds))
                results[name]["ready_s"] = ready_s
                if name == "microhe":
                    api = asyncio.run(_get_all(base, _api_calls(params)))
                    results[name]["api_calls_ok"] = api
                    results[name]["server_peak_rss_mb"] = _peak_rss_mb(proc.pid)
                log(f"{name}: {results[name]}")
            if proc is baseline:
                baseline.stop()
                continue
            stop_process(proc, 10)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return results


def stop_process(proc, grace: float) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def _get_all(base: str, paths: list[str]) -> str:
    import httpx

    ok = 0
    async with httpx.AsyncClient(base_url=base, timeout=900) as client:  # the first call builds indexes
        for path in paths:
            ok += (await client.get(path)).status_code == 200
    return f"{ok}/{len(paths)}"


# -- report ------------------------------------------------------------------------------


def versions() -> dict:
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for pkg in ("microhe", "pyoxigraph", "oxigraph", "rdflib", "pyshacl", "rdflib-endpoint", "fastapi", "uvicorn", "httpx"):
        try:
            out[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            out[pkg] = None
    return out


def machine() -> dict:
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "os": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def targets(r: dict) -> list[tuple[str, str, str]]:
    rows = []

    def add(name, ok, detail):
        rows.append((name, "n/a" if ok is None else ("met" if ok else "missed"), detail))

    v = r.get("validated_load_over_raw")
    mem = r.get("validated_load_over_raw_memory")
    mem_text = f"; in memory {mem}x on {r['memory_credentials']:,} credentials" if mem is not None else ""
    if v is not None:
        add("validated load <= 2x Store.load (on disk)", v <= 2, f"{v}x{mem_text}")
    else:
        vb = r.get("validated_bulk_over_bulk")
        add("validated load <= 2x Store.load (on disk)", None,
            f"no single-transaction load at this size (does not fit in memory); validated --bulk load "
            f"{vb}x pyoxigraph bulk_load{mem_text}")
    allq = {**r["query_p50_ms"]}
    for cls, p50_lim, p99_lim in (("lookup", 50, 250), ("recognition", 50, 250)):
        names = [n for n, c in r["query_class"].items() if c == cls]
        bad = [n for n in names if r["query_p50_ms"][n] > p50_lim or r["query_p99_ms"][n] > p99_lim]
        add(f"{cls} p50 <= {p50_lim} ms, p99 <= {p99_lim} ms", not bad,
            "all " + str(len(names)) if not bad else "missed by: " + ", ".join(
                f"{n} ({r['query_p50_ms'][n]}/{r['query_p99_ms'][n]} ms)" for n in bad))
    names = [n for n, c in r["query_class"].items() if c == "facets"]
    bad = [n for n in names if allq[n] > 200]
    add("faceted search p50 <= 200 ms", not bad, "all " + str(len(names)) if not bad else ", ".join(
        f"{n} ({allq[n]} ms)" for n in bad))
    names = [n for n, c in r["query_class"].items() if c == "statistics"]
    bad = [n for n in names if allq[n] > 50]
    add("statistics <= 50 ms", not bad, ", ".join(f"{n} {allq[n]} ms" for n in names))
    sp = r.get("speedup_vs_rdflib") or {}
    heavy = {n: s for n, s in sp.items() if r["query_class"].get(n) in ("facets", "statistics")
             or (r.get("rdflib_p50_ms", {}).get(n) or 0) > 1000}
    if sp:
        lower = {n for n in heavy if (r["queries"].get(n) or {}).get("speedup_is_lower_bound")}
        bad = {n: s for n, s in heavy.items() if s < 20 and n not in lower}
        unknown = {n for n in lower if heavy[n] < 20}
        add("heavy queries >= 20x rdflib", None if unknown and not bad else not bad,
            ", ".join(f"{n} {'>= ' if n in lower else ''}{s}x" for n, s in heavy.items()) or "no heavy query")
    else:
        add("heavy queries >= 20x rdflib", None, "rdflib baseline not run at this size")
    ox_ratio, rd_ratio = r.get("http_vs_oxigraph_server"), r.get("http_vs_rdflib_endpoint")
    add("/sparql >= 0.5x oxigraph serve", None if ox_ratio is None else ox_ratio >= 0.5, f"{ox_ratio}x")
    rd = (r.get("http") or {}).get("rdflib_endpoint") or {}
    asked = rd.get("requests", 0) + rd.get("unfinished", 0)  # unfinished: cut off at the deadline
    if rd_ratio is None and asked and rd.get("ok") == 0 and r.get("http_rps"):
        # no finite ratio: rdflib-endpoint answered nothing within the run
        add("/sparql >= 10x rdflib-endpoint", True, f"rdflib-endpoint answered none of {asked} requests "
            f"in {rd['seconds']} s; microhe {r['http_rps']} rps")
    else:
        add("/sparql >= 10x rdflib-endpoint", None if rd_ratio is None else rd_ratio >= 10, f"{rd_ratio}x")
    p99, vis = r.get("live_read_p99_ms"), r.get("live_visibility_max_s")
    add("writes never stall readers: read p99 <= 250 ms, visibility <= 2 s", None if p99 is None or vis is None
        else p99 <= 250 and vis <= 2, f"read p99 {p99} ms, visibility max {vis} s (in search "
        f"{r.get('live_visibility_search_max_s')} s), write p99 {r.get('live_write_p99_ms')} ms")
    ready = [r.get(k) for k in ("ready_s", "ready_after_kill_s", "ready_after_load_s")]
    add("ready in <= 10 s (saved views; after kill -9 mid-write; after a load while stopped)",
        None if None in ready else max(ready) <= 10, " / ".join(f"{x} s" for x in ready))
    rss = r.get("serving_rss_mb")
    detail = f"microhe serve peak RSS {rss} MB at {r['credentials']:,} credentials"
    add("serving 100k credentials within 2 GB RSS", None if rss is None or r["credentials"] < 100_000 else rss <= 2048,
        detail)
    return rows


def _size_block(r: dict) -> str:
    n = r["credentials"]
    lines = [f"<!-- bench:{n}:begin -->", "", f"### {n:,} credentials ({r['triples']:,} triples"
             + (f" in {r['files']} files" if r.get("files", 1) > 1 else "") + f"), {r['date']}", "",
             f"Command: `{r['command']}`  ", f"Machine: {r['machine']['cpu']}, {r['machine']['cores']} cores, "
             f"{r['machine']['memory_gb']} GB, {r['machine']['os']}; load average at start "
             f"{r['machine']['load_average']}  ",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()) + "  ",
             f"Store: {r.get('store_kind')}; {r.get('store_quads'):,} quads, {r.get('store_mb_on_disk')} MB on disk  ",
             f"Wall time: {r['wall_s']} s", "", "| figure | value |", "|---|---|"]
    for k in ("raw_load_s", "bulk_load_s", "validated_load_s", "validated_load_over_raw", "validated_load_over_bulk",
              "validated_bulk_load_s", "validated_bulk_over_bulk", "validated_bulk_over_raw",
              "raw_load_memory_s", "validated_load_memory_s", "validated_load_over_raw_memory",
              "violations_match_pyshacl", "http_rps", "http_vs_oxigraph_server", "http_vs_rdflib_endpoint",
              "serving_rss_mb", "peak_rss_mb", "peak_rss_children_max_mb", *LIVE_FIGURES):
        lines.append(f"| `{k}` | {r.get(k)} |")
    lv = r.get("live") or {}
    if lv.get("write_results"):
        lines.append("| live writes (kind: status, write ms, visible in search / search+compare+pathways s) | "
                     + "; ".join(f"{w['kind']}: {w['status']}, {w['write_ms']}, {w.get('in_search_s')}/{w['visible_s']}"
                                 for w in lv["write_results"]) + " |")
        lines.append(f"| live reads (4 readers, all reads) | {lv.get('read_count')} reads, p50 {lv.get('read_p50_ms')} ms, "
                     f"p99 {lv.get('read_p99_ms')} ms, max {lv.get('read_max_ms')} ms; errors {lv.get('read_errors')} |")
    loads = r.get("loads") or {}
    if loads:
        lines.append("| load children (s, peak RSS MB) | " + "; ".join(
            f"{k} {v.get('s', v.get('error', v.get('over_budget'))):.4g} s, {v.get('peak_rss_mb')} MB"
            if isinstance(v.get("s"), float) else f"{k} {v}" for k, v in loads.items()) + " |")
    if r.get("memory_credentials"):
        lines.append(f"| in-memory comparison file | {r['memory_credentials']:,} credentials |")
    if r.get("rdflib_load"):
        lines.append(f"| rdflib parse (one, shared by the query baseline and rdflib-endpoint) | "
                     f"{r['rdflib_load']['parse_s']} s, {r['rdflib_load']['quads']:,} quads |")
    f = r["fidelity"]
    lines.append(f"| validation fidelity run | {f['triples']:,} triples with reference data; project path "
                 f"{f['project_s']} s vs pyshacl {f['pyshacl_s']} s (ratio {f['project_over_pyshacl']}); violations "
                 f"project {f['violations_project']} / pyshacl {f['violations_pyshacl']} / sidecar "
                 f"{f['violations_sidecar']} |")
    cold = (r["recognition"].get("POST /api/recognition/compare") or {}).get("cold_ms")
    vr = r.get("views_reload") or {}
    if cold is not None and vr:
        lines.append(f"| search views: built on first request / read back by a second store object | "
                     f"{cold / 1000:.1f} s / {vr['search_records_s']} s records + {vr['posting_lists_s']} s posting "
                     f"lists ({'saved views' if vr['state_token'] else 'built again: no state token'}) |")
    lines += ["", "| query / endpoint | class | runs | p50 ms | p99 ms | rdflib p50 ms | speedup vs rdflib |",
              "|---|---|---|---|---|---|---|"]
    for n_ in r["query_p50_ms"]:
        q = r["queries"].get(n_) or r["recognition"].get(n_) or {}
        rd = q.get("rdflib_p50_ms", "")
        spd = r["speedup_vs_rdflib"].get(n_, "")
        if spd != "" and q.get("speedup_is_lower_bound"):
            spd, rd = f">= {spd}", f">= {rd} (timeout)"
        lines.append(f"| {n_} | {r['query_class'][n_]} | {q.get('runs', '')} | {r['query_p50_ms'][n_]} "
                     f"| {r['query_p99_ms'][n_]} | {rd} | {spd} |")
    lines += ["", "| HTTP `/sparql` (mix 50% point, 30% search, 20% recognition) | requests ok | rps | p50 ms | p99 ms |",
              "|---|---|---|---|---|"]
    for name, h in r["http"].items():
        if "error" in h:
            lines.append(f"| {name} | error: {h['error'][:80]} | | | |")
        else:
            lines.append(f"| {name} | {h['ok']}/{h['requests']} in {h['seconds']} s (concurrency "
                         f"{r['http_concurrency']}) | {h['rps']} | {h['p50_ms']} | {h['p99_ms']} |")
    lines += ["", "| target | status | detail |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(r)]
    lines += ["", f"<!-- bench:{n}:end -->"]
    return "\n".join(lines)


#: the live-writes figures (bench/live.py) as they appear in latest.json, RESULTS.md and the growth table
LIVE_FIGURES = {"live_read_p99_ms": "read_p99_ms", "live_write_p99_ms": "write_p99_ms",
                "live_visibility_max_s": "visibility_max_s", "live_visibility_search_max_s": "visibility_search_max_s",
                "ready_s": "ready_s", "ready_after_kill_s": "ready_after_kill_s",
                "ready_after_load_s": "ready_after_load_s"}
GROWTH = HERE / "growth.json"
_GROWTH_KEYS = ("date", "command", "triples", "files", "store_quads", "store_mb_on_disk", "raw_load_s",
                "validated_load_s", "validated_load_over_raw", "bulk_load_s", "validated_bulk_load_s",
                "validated_bulk_over_bulk", "validated_load_over_raw_memory", "http_rps", "http_vs_oxigraph_server",
                "serving_rss_mb", *LIVE_FIGURES, "wall_s")


def _growth_table(growth: dict) -> list[str]:
    sizes = sorted(growth, key=int)
    lines = ["### Growth (the latest run at each size; its section below has the details)", "",
             "| figure | " + " | ".join(f"{int(n):,}" for n in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for k in _GROWTH_KEYS[2:]:
        lines.append(f"| `{k}` | " + " | ".join(str(growth[n].get(k)) for n in sizes) + " |")
    names = sorted({q for n in sizes for q in growth[n].get("query_p50_ms", {})})
    for q in names:
        lines.append(f"| p50 ms {q} | " + " | ".join(str(growth[n].get("query_p50_ms", {}).get(q, "")) for n in sizes)
                     + " |")
    return lines


def record_live(n: int, lv: dict, path: Path) -> None:
    """The live-writes figures of ``python -m bench.live --record N`` (a run on an existing
    store of N credentials) into the growth table's column N; the size sections stay."""
    growth = json.loads(GROWTH.read_text()) if GROWTH.exists() else {}
    growth.setdefault(str(n), {}).update({k: lv.get(v) for k, v in LIVE_FIGURES.items()})
    GROWTH.write_text(json.dumps(growth, indent=1, sort_keys=True) + "\n")
    text = path.read_text()
    pre, rest = text.split(BEGIN, 1)
    region, post = rest.split(END, 1)
    blocks = [m.group(0) for m in re.finditer(r"<!-- bench:(\d+):begin -->.*?<!-- bench:\1:end -->", region, re.S)]
    body = [BEGIN, "", *_growth_table(growth), ""]
    for b in blocks:
        body += [b, ""]
    path.write_text(pre + "\n".join(body) + END + post)


def write_markdown(r: dict, path: Path) -> None:
    """Replace this size's section (between ``bench:<N>:begin/end``) and the growth table in
    the figures region of RESULTS.md; other sizes' sections and the hand-written text stay."""
    growth = json.loads(GROWTH.read_text()) if GROWTH.exists() else {}
    growth[str(r["credentials"])] = {**{k: r.get(k) for k in _GROWTH_KEYS}, "query_p50_ms": r["query_p50_ms"]}
    GROWTH.write_text(json.dumps(growth, indent=1, sort_keys=True) + "\n")
    text = path.read_text() if path.exists() else "# microhe benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN not in text or END not in text:
        text += "\n" + BEGIN + "\n" + END + "\n"
    pre, rest = text.split(BEGIN, 1)
    region, post = rest.split(END, 1)
    blocks = {int(m.group(1)): m.group(0) for m in
              re.finditer(r"<!-- bench:(\d+):begin -->.*?<!-- bench:\1:end -->", region, re.S)}
    blocks[r["credentials"]] = _size_block(r)
    body = [BEGIN, "", *_growth_table(growth), ""]
    for n in sorted(blocks):
        body += [blocks[n], ""]
    path.write_text(pre + "\n".join(body) + END + post)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--credentials", type=int, default=None, help="dataset size (default 10000 with --quick, else 100000)")
    ap.add_argument("--quick", action="store_true", help="10k credentials, small repeat counts and budgets (< 3 min)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None, help="JSON results (default bench/results/latest-<N>.json)")
    ap.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-rdflib", action="store_true",
                    help="skip the rdflib baseline and rdflib-endpoint (rdflib cannot hold 1M credentials here)")
    a = ap.parse_args(argv)
    n = a.credentials or (10_000 if a.quick else 100_000)
    quick = a.quick
    big = n > 100_000
    cfg = {
        "reps": 15 if quick else 50, "rdflib_reps": 2 if quick else 3, "query_cap_s": 20.0 if quick else 60.0, "rdflib_budget_s": 2.0 if quick else 15.0,  # noqa: E501 - data kept on one line
        "load_budget_s": 300.0 if quick else 7200.0, "fidelity_credentials": 30 if quick else 1000,
        # one transaction of 30M+ quads does not fit in memory here: above 100k only bulk loads,
        # of the dataset in 100k-credential shards (microhe load --bulk, file by file)
        "transactional": not big, "shards": max(1, n // 100_000) if big else 1,
        "repeat_raw": not quick and n < 100_000, "validated_bulk": not quick,
        # the secondary in-memory comparison: on a 2k file in --quick, 10k otherwise, none above 100k
        "memory_credentials": None if big else min(n, 2000 if quick else 10_000),
        "page_urls": 50 if quick else 200,  # per page type and side (issue 18: >= 200)
        "http_requests": 3000 if quick else 20000, "http_seconds": 6.0 if quick else 20.0, "http_concurrency": 8,
        "max_rdflib_credentials": 100_000,
        "live_writes": 20, "live_every_s": 3.0,
    }
    started = time.perf_counter()
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    from microhe.devtools.synth import generate, shard_paths, violations_path

    path = DATA / f"synth-{n}-s{a.seed}.nt"
    t = time.perf_counter()
    stats = generate(path, credentials=n, seed=a.seed, shards=cfg["shards"])
    paths = [str(x) for x in shard_paths(path, cfg["shards"])]
    log(f"generated {len(paths)} file(s) for {n} credentials: {stats.triples} triples in {time.perf_counter() - t:.1f}s")
    inv = DATA / f"synth-{cfg['fidelity_credentials']}-s{a.seed}-invalid.nt"
    generate(inv, credentials=cfg["fidelity_credentials"], seed=a.seed, invalid_rate=0.1)
    mem_path = None
    if cfg["memory_credentials"]:
        mem_path = str(path)
        if cfg["memory_credentials"] != n:
            mem_path = str(DATA / f"synth-{cfg['memory_credentials']}-s{a.seed}.nt")
            generate(mem_path, credentials=cfg["memory_credentials"], seed=a.seed)

    tmp = tempfile.mkdtemp(prefix="microhe-bench-", dir=os.environ.get("MICROHE_BENCH_TMP"))
    try:
        # 1. loads
        ld = loads(paths, mem_path, tmp, cfg)

        # 2. fidelity (the invalid-rate dataset, whole graph), 3. queries, on the store
        # microhe's load wrote (opened read-only; the HTTP server opens it afterwards). The
        # rdflib baseline parses the same data in its own process.
        from microhe.ingest.load import graph_for
        from microhe.store.embedded import Store

        use_rdflib = not a.no_rdflib and n <= cfg["max_rdflib_credentials"] and len(paths) == 1
        store = Store(ld["store_dir"], read_only=True)
        baseline = None
        if use_rdflib:  # its parse of the synthetic file overlaps the fidelity and recognition runs
            synth_graph = graph_for(path.name, "http://127.0.0.1:8000/")
            baseline = RdflibBaseline(str(path), synth_graph, cfg["rdflib_budget_s"])
        try:
            fid = fidelity(str(inv), str(violations_path(inv)))
            log(f"fidelity: {fid}")
            rec = recognition_latency(store, cfg["reps"])
            reload = views_reload(store)
            if baseline is not None:
                rest = os.path.join(tmp, "rest.nq")
                with open(rest, "wb") as f:
                    for g in store.named_graphs():
                        if g != synth_graph:
                            ox.serialize(store.quads(g), f, ox.RdfFormat.N_QUADS)
                baseline.ready(rest)
            ql = query_latency(store, baseline, cfg["reps"], cfg["rdflib_reps"], cfg["query_cap_s"])
            http_params = _param_sets(store, random.Random(13), cfg["http_requests"])["sets"]
            store_quads = len(store)
            store.close()
            # 4. HTTP
            http = http_throughput(ld["store_dir"], http_params, cfg["http_concurrency"], cfg["http_seconds"], tmp,
                                   baseline)
            # 5. the clearinghouse pages against their JSON/RDF counterparts (bench/pages.py)
            from .pages import run as run_pages

            pages = run_pages(ld["store_dir"], urls=cfg["page_urls"], command="(phase of python -m bench)",
                              credentials=n)
            # 6. live writes (issue 24): readers while the server is written to, on a copy of the store
            from bench.live import live as live_phase
            try:
                lv = live_phase(ld["store_dir"], writes=cfg["live_writes"], every=cfg["live_every_s"], tmp=tmp)
            except Exception as e:  # noqa: BLE001 - reported in the results
                lv = {"error": repr(e)[:500]}
            log(f"live: {lv}")
        finally:
            if baseline is not None:
                baseline.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def secs(name):
        v = ld.get(name, {}).get("s")
        return None if v is None else round(v, 3)

    def ratio(x, y):
        return None if x is None or y is None else round(x / y, 2)

    raw = min([x for x in (secs("raw_disk"), secs("raw_disk_again")) if x is not None], default=None)
    vload, bulk, vbulk = secs("validated_disk"), secs("bulk_disk"), secs("validated_bulk_disk")
    queries = {k: v for k, v in ql["queries"].items() if "error" not in v}
    rps = {k: v.get("rps") for k, v in http.items()}
    r = {
        "credentials": n, "triples": stats.triples, "files": len(paths), "store_quads": store_quads,
        "store_mb_on_disk": ld.get("store_mb"), "seed": a.seed,
        "date": time.strftime("%Y-%m-%d %H:%M"), "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(), "versions": versions(), "config": cfg,
        "store_kind": "on disk (RocksDB), as microhe load and microhe serve use by default",
        "raw_load_s": raw, "bulk_load_s": bulk, "validated_load_s": vload,
        "validated_load_over_raw": ratio(vload, raw), "validated_load_over_bulk": ratio(vload, bulk),
        "validated_bulk_load_s": vbulk, "validated_bulk_over_bulk": ratio(vbulk, bulk),
        "validated_bulk_over_raw": ratio(vbulk, raw),
        "memory_credentials": cfg["memory_credentials"],
        "raw_load_memory_s": secs("raw_memory"), "validated_load_memory_s": secs("validated_memory"),
        "validated_load_over_raw_memory": ratio(secs("validated_memory"), secs("raw_memory")),
        "loads": {k: v for k, v in ld.items() if isinstance(v, dict)},
        "rdflib_enabled": use_rdflib,
        "violations_match_pyshacl": fid["violations_match_pyshacl"], "fidelity": fid,
        "query_p50_ms": {**{k: v["p50_ms"] for k, v in queries.items()},
                         **{k: v["p50_ms"] for k, v in rec.items() if "p50_ms" in v}},
        "query_p99_ms": {**{k: v["p99_ms"] for k, v in queries.items()},
                         **{k: v["p99_ms"] for k, v in rec.items() if "p99_ms" in v}},
        "query_class": {**{k: v["class"] for k, v in queries.items()},
                        **{k: v["class"] for k, v in rec.items() if "p50_ms" in v}},
        "rdflib_p50_ms": {k: v["rdflib_p50_ms"] for k, v in queries.items() if "rdflib_p50_ms" in v},
        "speedup_vs_rdflib": {k: v["speedup_vs_rdflib"] for k, v in queries.items() if "speedup_vs_rdflib" in v},
        "queries": ql["queries"], "recognition": rec, "views_reload": reload, "rdflib_load": ql["rdflib"],
        "http": http, "http_concurrency": cfg["http_concurrency"], "http_rps": rps.get("microhe"),
        "http_vs_oxigraph_server": round(rps["microhe"] / rps["oxigraph_server"], 2)
        if rps.get("microhe") and rps.get("oxigraph_server") else None,
        "http_vs_rdflib_endpoint": round(rps["microhe"] / rps["rdflib_endpoint"], 1)
        if rps.get("microhe") and rps.get("rdflib_endpoint") else None,
        "serving_rss_mb": (http.get("microhe") or {}).get("server_peak_rss_mb"),
        "pages": pages,
        "live": lv, **{k: lv.get(v) for k, v in LIVE_FIGURES.items()},
    }
    mem = rss_mb()
    r["peak_rss_mb"] = mem["self"]
    r["peak_rss_children_max_mb"] = mem["children_max"]
    r["wall_s"] = round(time.perf_counter() - started, 1)
    out = a.out or RESULTS / f"latest-{n}.json"
    out.write_text(json.dumps(r, indent=1) + "\n")
    if quick and a.out is None:
        (RESULTS / "latest.json").write_text(json.dumps(r, indent=1) + "\n")  # the file --quick writes
    write_markdown(r, a.markdown)
    from .pages import write_markdown as write_pages

    write_pages({**pages, "command": r["command"]}, a.markdown)
    log(f"done in {r['wall_s']}s: {out}, {a.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
