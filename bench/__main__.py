"""The benchmark harness: ``python -m bench [--credentials N] [--quick]``.

One process tree: this process (the microhe side), one rdflib worker process (the
baseline, fed one query at a time so baseline and microhe runs alternate on the same
data), and the three HTTP servers (microhe, ``oxigraph serve``, rdflib-endpoint) on
127.0.0.1 free ports, started and stopped here. Writes ``bench/results/latest.json``
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


def _raw_load(path: str, bulk: bool) -> tuple[float, int]:
    st = ox.Store()
    t = time.perf_counter()
    if bulk:
        st.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bench:g"))
    else:
        st.load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bench:g"))
    return time.perf_counter() - t, len(st)


def _validated_load_child(path: str, conn) -> None:
    from microhe.kg.load import Source, initialise, load
    from microhe.kg.store import Store

    store = Store()
    initialise(store)
    t = time.perf_counter()
    [out] = load(store, [Source.from_path(path)])
    conn.send((time.perf_counter() - t, out.triples))


def validated_load(path: str, budget: float) -> float | None:
    """``microhe.kg.load.load`` of the file into an in-memory store (reference data already
    there), in a child process bounded by ``budget`` seconds; None when over budget."""
    parent, child = mp.Pipe()
    p = mp.get_context("fork").Process(target=_validated_load_child, args=(path, child))
    p.start()
    got = parent.poll(budget)
    res = parent.recv()[0] if got else None
    if p.is_alive():
        p.kill()
    p.join()
    return res


def build_query_store(path: str):
    """The store queries run on: reference data + the file, loaded through
    ``microhe.kg.load.load`` with validation skipped (validation is timed separately), so
    the derived values and the load record (with mhe:tripleCount) are as a load makes them."""
    import microhe.kg.load as L
    from microhe.kg.store import Store
    from microhe.kg.validate import ValidationReport

    store = Store()
    L.initialise(store)
    skip = lambda data, profiles=(), **kw: ValidationReport([], tuple(profiles))  # noqa: E731
    real = L.validate, getattr(L, "validate_quads", None)
    L.validate = skip
    if real[1] is not None:
        L.validate_quads = skip
    try:
        L.load(store, [L.Source.from_path(path)])
    finally:
        L.validate = real[0]
        if real[1] is not None:
            L.validate_quads = real[1]
    return store


# -- 2. validation fidelity --------------------------------------------------------------


def fidelity(path: str, sidecar: str) -> dict:
    import pyshacl
    import rdflib
    from rdflib.namespace import RDF, SH

    from microhe.kg.load import Source, stage
    from microhe.kg.validate import DEFAULT_PROFILES, _shapes_graph, reference_graph

    src = Source.from_path(path)
    t = time.perf_counter()
    _, _, report = stage(src)  # what microhe.kg.load.load runs (parse + personal check + validate)
    project_s = time.perf_counter() - t
    project = {(r.focus_node, r.path, r.constraint) for r in report.violations}

    t = time.perf_counter()
    g = rdflib.Graph()
    g.parse(path, format="nt")
    g += reference_graph()
    _, results, _ = pyshacl.validate(g, shacl_graph=_shapes_graph(tuple(DEFAULT_PROFILES)), inference="none",
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
    ds.graph(rdflib.URIRef(graph)).parse(data, format="nt")
    rest = conn.recv()
    if rest is None:
        return
    ds.parse(rest, format="nquads")
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
                    "text": rng.choice(["data", "energy", "project management", "python"])})
    return {"sets": out, "credentials": len(creds)}


def _query_values(nq, p: dict) -> dict:
    names = {x.name for x in nq.params}
    vals = {}
    for name in names:
        key = {"framework": "fw" if nq.name == "framework-levels" else "framework"}.get(name, name)
        if key in p and p[key] is not None:
            vals[name] = p[key]
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


def query_latency(store, baseline: "RdflibBaseline | None", reps: int, rdflib_reps: int) -> dict:
    from microhe.kg.queries import catalogue

    rng = random.Random(5)
    params = _param_sets(store, rng, reps)["sets"]
    use_rdflib = baseline is not None
    conn = baseline.conn if use_rdflib else None
    rd_load = baseline.load if use_rdflib else None
    out: dict[str, dict] = {}
    for name, nq in catalogue().items():
        ms, rd, rd_status = [], [], "ok"
        cold = None
        for i in range(reps):
            vals = _query_values(nq, params[i])
            try:
                binds = nq.bindings(vals)
            except Exception as e:  # noqa: BLE001
                out[name] = {"error": str(e)}
                break
            t = time.perf_counter()
            n = len(list(store.query(nq.text, substitutions=binds)))
            dt = (time.perf_counter() - t) * 1000
            if cold is None:
                cold = dt
            ms.append(dt)
            if use_rdflib and i < rdflib_reps and rd_status == "ok":
                wire = {k: ("iri", v.value, None) if isinstance(v, ox.NamedNode) else
                        ("lit", v.value, v.datatype.value if v.datatype else None) for k, v in binds.items()}
                conn.send((nq.text, wire))
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


def recognition_latency(store, reps: int) -> dict:
    from microhe.kg.recognition.compare import compare
    from microhe.kg.recognition.credits import convert
    from microhe.kg.recognition.facts import read_facts
    from microhe.kg.recognition.levels import translate
    from microhe.kg.recognition.pathways import pathways
    from microhe.kg.recognition.search import search

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
    import httpx

    done, errors, lat = 0, 0, []
    it = iter(queries)
    end = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def worker():
            nonlocal done, errors
            for q in it:
                if time.monotonic() > end:
                    return
                t = time.perf_counter()
                try:
                    r = await client.post(url, data={"query": q}, headers={"Accept": "application/sparql-results+json"})
                    r.read()
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                lat.append((time.perf_counter() - t) * 1000)
                done += ok
                errors += not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return {"requests": done + errors, "ok": done, "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(done / elapsed, 1), "p50_ms": round(pct(lat, 50), 1), "p99_ms": round(pct(lat, 99), 1)}


def http_throughput(store, dump: str, n_requests: int, concurrency: int, seconds: float, tmp: str,
                    baseline: "RdflibBaseline | None") -> dict:
    params = _param_sets(store, random.Random(13), n_requests)["sets"]
    queries = _http_queries(params)
    results, procs = {}, []
    oxi_dir = os.path.join(tmp, "oxigraph")
    t = time.perf_counter()
    subprocess.run(["oxigraph", "load", "--location", oxi_dir, "--file", dump], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"oxigraph load: {time.perf_counter() - t:.1f}s")
    servers = {
        "microhe": [sys.executable, "-m", "bench.servers", "microhe", dump],
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
            url = f"http://127.0.0.1:{port}" + ("/query" if name == "oxigraph_server" else "/sparql")
            t = time.perf_counter()
            if not wait_ready(url, proc, 120):
                err = (proc.stderr.read().decode()[-500:] if proc is not baseline and proc.poll() is not None
                       else "not ready")
                results[name] = {"error": err}
                log(f"{name}: failed to start: {err}")
            else:
                log(f"{name} ready in {time.perf_counter() - t:.1f}s on {url}")
                asyncio.run(_load(url, queries[:20], concurrency, 10))  # warm-up
                results[name] = asyncio.run(_load(url, queries, concurrency, seconds))
                log(f"{name}: {results[name]}")
            if proc is baseline:
                baseline.stop()
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return results


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
    add("validated load <= 2x Store.load", None if v is None else v <= 2,
        f"{v}x" if v is not None else f"not measured within the budget (estimate {r.get('validated_load_over_raw_estimate')}x)")
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
    add("/sparql >= 10x rdflib-endpoint", None if rd_ratio is None else rd_ratio >= 10, f"{rd_ratio}x")
    if r["credentials"] >= 100_000:
        add("100k credentials within 2 GB RSS", r["peak_rss_mb"] <= 2048, f"{r['peak_rss_mb']} MB")
    else:
        add("100k credentials within 2 GB RSS", None, f"{r['peak_rss_mb']} MB at {r['credentials']} credentials")
    return rows


def write_markdown(r: dict, path: Path) -> None:
    lines = [BEGIN, "", f"### {r['credentials']:,} credentials ({r['triples']:,} triples), {r['date']}", "",
             f"Command: `{r['command']}`  ", f"Machine: {r['machine']['cpu']}, {r['machine']['cores']} cores, "
             f"{r['machine']['memory_gb']} GB, {r['machine']['os']}; load average at start "
             f"{r['machine']['load_average']} (other processes were running)  ",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()) + "  ",
             f"Wall time: {r['wall_s']} s", "", "| figure | value |", "|---|---|"]
    for k in ("raw_load_s", "bulk_load_s", "validated_load_s", "validated_load_over_raw", "validated_load_over_bulk",
              "validated_load_over_raw_estimate", "violations_match_pyshacl", "http_rps", "http_vs_oxigraph_server",
              "http_vs_rdflib_endpoint", "peak_rss_mb", "peak_rss_children_max_mb"):
        lines.append(f"| `{k}` | {r.get(k)} |")
    lines.append(f"| validated-load file | {r.get('validated_load_credentials'):,} credentials "
                 f"({r.get('validated_load_triples'):,} triples); `raw_load_s`, `bulk_load_s` and the ratios are on "
                 f"this file; Store.load of the full file {r.get('raw_load_full_s')} s |")
    if r.get("rdflib_load"):
        lines.append(f"| rdflib parse (one, shared by the query baseline and rdflib-endpoint) | "
                     f"{r['rdflib_load']['parse_s']} s, {r['rdflib_load']['quads']:,} quads |")
    f = r["fidelity"]
    lines.append(f"| validation fidelity run | {f['triples']:,} triples with reference data; project path "
                 f"{f['project_s']} s vs pyshacl {f['pyshacl_s']} s (ratio {f['project_over_pyshacl']}); violations "
                 f"project {f['violations_project']} / pyshacl {f['violations_pyshacl']} / sidecar "
                 f"{f['violations_sidecar']} |")
    lines += ["", "| query / endpoint | class | p50 ms | p99 ms | rdflib p50 ms | speedup vs rdflib |",
              "|---|---|---|---|---|---|"]
    for n in r["query_p50_ms"]:
        q = r["queries"].get(n) or r["recognition"].get(n) or {}
        rd = q.get("rdflib_p50_ms", "")
        spd = r["speedup_vs_rdflib"].get(n, "")
        if spd != "" and q.get("speedup_is_lower_bound"):
            spd, rd = f">= {spd}", f">= {rd} (timeout)"
        lines.append(f"| {n} | {r['query_class'][n]} | {r['query_p50_ms'][n]} | {r['query_p99_ms'][n]} | {rd} | {spd} |")
    lines += ["", "| HTTP `/sparql` (mix 50% point, 30% search, 20% recognition) | requests ok | rps | p50 ms | p99 ms |",
              "|---|---|---|---|---|"]
    for n, h in r["http"].items():
        if "error" in h:
            lines.append(f"| {n} | error: {h['error'][:80]} | | | |")
        else:
            lines.append(f"| {n} | {h['ok']}/{h['requests']} in {h['seconds']} s (concurrency {r['http_concurrency']}) "
                         f"| {h['rps']} | {h['p50_ms']} | {h['p99_ms']} |")
    lines += ["", "| target | status | detail |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(r)]
    lines += ["", END]
    block = "\n".join(lines)
    text = path.read_text() if path.exists() else "# microhe benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        text = pre + block + post
    else:
        text += "\n" + block + "\n"
    path.write_text(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--credentials", type=int, default=None, help="dataset size (default 10000 with --quick, else 100000)")
    ap.add_argument("--quick", action="store_true", help="10k credentials, small repeat counts and budgets (< 3 min)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    ap.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-rdflib", action="store_true",
                    help="skip the rdflib baseline and rdflib-endpoint (e.g. at 100k, where rdflib cannot parse the data in memory/time)")
    a = ap.parse_args(argv)
    n = a.credentials or (10_000 if a.quick else 100_000)
    quick = a.quick
    cfg = {
        "reps": 15 if quick else 50, "rdflib_reps": 3 if quick else 5, "rdflib_budget_s": 4.0 if quick else 30.0,
        "validated_budget_s": 40.0 if quick else 1800.0, "fidelity_credentials": 30 if quick else 1000,
        # quick: validated vs raw load on a smaller file (both timed on that same file)
        "validated_credentials": min(n, 2000) if quick else n,
        "http_requests": 3000 if quick else 20000, "http_seconds": 6.0 if quick else 20.0, "http_concurrency": 8,
        "max_rdflib_credentials": 100_000,
    }
    started = time.perf_counter()
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    from microhe.kg.synth import generate, violations_path

    path = DATA / f"synth-{n}-s{a.seed}.nt"
    t = time.perf_counter()
    stats = generate(path, credentials=n, seed=a.seed)
    log(f"generated {path.name}: {stats.triples} triples in {time.perf_counter() - t:.1f}s")
    inv = DATA / f"synth-{cfg['fidelity_credentials']}-s{a.seed}-invalid.nt"
    generate(inv, credentials=cfg["fidelity_credentials"], seed=a.seed, invalid_rate=0.1)
    vpath = path
    if cfg["validated_credentials"] != n:
        vpath = DATA / f"synth-{cfg['validated_credentials']}-s{a.seed}.nt"
        vstats = generate(vpath, credentials=cfg["validated_credentials"], seed=a.seed)
    else:
        vstats = stats

    # 1. loads, alternating baseline and microhe (the ratio on the validated-load file)
    raw_full, triples = _raw_load(str(path), bulk=False)
    raw1 = raw_full if vpath == path else _raw_load(str(vpath), bulk=False)[0]
    bulk, _ = _raw_load(str(vpath), bulk=True)
    log(f"Store.load {raw_full:.2f}s ({triples} triples); on {vpath.name}: Store.load {raw1:.2f}s, bulk_load {bulk:.2f}s")
    vload = validated_load(str(vpath), cfg["validated_budget_s"])
    log(f"microhe load of {vpath.name}: {vload if vload is not None else 'over budget'}")
    raw2, _ = _raw_load(str(vpath), bulk=False)
    raw = min(raw1, raw2)

    # 2. fidelity (the invalid-rate dataset, whole graph)
    fid = fidelity(str(inv), str(violations_path(inv)))
    log(f"fidelity: {fid}")
    est = None
    if vload is None:  # extrapolate from the fidelity run's validation rate (per triple, linear)
        est = round((raw + fid["project_s"] * vstats.triples / fid["triples"]) / raw, 1)

    # 3. queries. The rdflib baseline parses the synthetic file while the (untimed) query
    # store is built, then the rest of the store; its parse serves rdflib-endpoint later.
    from microhe.kg.load import graph_for

    synth_graph = graph_for(path.name, "http://127.0.0.1:8000/")
    use_rdflib = not a.no_rdflib and n <= cfg["max_rdflib_credentials"]
    baseline = RdflibBaseline(str(path), synth_graph, cfg["rdflib_budget_s"]) if use_rdflib else None
    try:
        t = time.perf_counter()
        store = build_query_store(str(path))
        log(f"query store built in {time.perf_counter() - t:.1f}s ({len(store)} quads)")
        tmp = tempfile.mkdtemp(prefix="microhe-bench-")
        dump = os.path.join(tmp, "store.nq")
        store.dump(dump, sort=False)
        if baseline is not None:
            rest = os.path.join(tmp, "rest.nq")
            g = ox.NamedNode(synth_graph)
            ox.serialize((q for q in store.raw if q.graph_name != g), rest, ox.RdfFormat.N_QUADS)
            baseline.ready(rest)
        ql = query_latency(store, baseline, cfg["reps"], cfg["rdflib_reps"])
        rec = recognition_latency(store, cfg["reps"])

        # 4. HTTP
        http = http_throughput(store, dump, cfg["http_requests"], cfg["http_concurrency"], cfg["http_seconds"], tmp,
                               baseline)
    finally:
        if baseline is not None:
            baseline.stop()
    shutil.rmtree(tmp, ignore_errors=True)

    queries = {k: v for k, v in ql["queries"].items() if "error" not in v}
    rps = {k: v.get("rps") for k, v in http.items()}
    r = {
        "credentials": n, "triples": stats.triples, "store_quads": len(store), "seed": a.seed,
        "date": time.strftime("%Y-%m-%d %H:%M"), "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(), "versions": versions(), "config": cfg,
        "raw_load_s": round(raw, 3), "bulk_load_s": round(bulk, 3),
        "validated_load_credentials": cfg["validated_credentials"], "validated_load_triples": vstats.triples,
        "raw_load_full_s": round(raw_full, 3), "rdflib_enabled": use_rdflib,
        "validated_load_s": None if vload is None else round(vload, 3),
        "validated_load_over_raw": None if vload is None else round(vload / raw, 2),
        "validated_load_over_bulk": None if vload is None else round(vload / bulk, 2),
        "validated_load_over_raw_estimate": est,
        "violations_match_pyshacl": fid["violations_match_pyshacl"], "fidelity": fid,
        "query_p50_ms": {**{k: v["p50_ms"] for k, v in queries.items()},
                         **{k: v["p50_ms"] for k, v in rec.items() if "p50_ms" in v}},
        "query_p99_ms": {**{k: v["p99_ms"] for k, v in queries.items()},
                         **{k: v["p99_ms"] for k, v in rec.items() if "p99_ms" in v}},
        "query_class": {**{k: v["class"] for k, v in queries.items()},
                        **{k: v["class"] for k, v in rec.items() if "p50_ms" in v}},
        "rdflib_p50_ms": {k: v["rdflib_p50_ms"] for k, v in queries.items() if "rdflib_p50_ms" in v},
        "speedup_vs_rdflib": {k: v["speedup_vs_rdflib"] for k, v in queries.items() if "speedup_vs_rdflib" in v},
        "queries": ql["queries"], "recognition": rec, "rdflib_load": ql["rdflib"],
        "http": http, "http_concurrency": cfg["http_concurrency"], "http_rps": rps.get("microhe"),
        "http_vs_oxigraph_server": round(rps["microhe"] / rps["oxigraph_server"], 2)
        if rps.get("microhe") and rps.get("oxigraph_server") else None,
        "http_vs_rdflib_endpoint": round(rps["microhe"] / rps["rdflib_endpoint"], 1)
        if rps.get("microhe") and rps.get("rdflib_endpoint") else None,
    }
    mem = rss_mb()
    r["peak_rss_mb"] = mem["self"]
    r["peak_rss_children_max_mb"] = mem["children_max"]
    r["wall_s"] = round(time.perf_counter() - started, 1)
    a.out.write_text(json.dumps(r, indent=1) + "\n")
    write_markdown(r, a.markdown)
    log(f"done in {r['wall_s']}s: {a.out}, {a.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
