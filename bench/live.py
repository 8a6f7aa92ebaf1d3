"""Live writes (issue 24): readers while a server is written to, visibility, ready time.

    python -m bench.live STORE_DIR [--writes 20] [--every 3] [--out FILE]

On a *copy* of STORE_DIR (a loaded store, as ``python -m bench`` leaves it; the copy is
written to, STORE_DIR never), started as ``microhe serve`` on a free 127.0.0.1 port:

* **ready**: seconds from the start of the server process until ``/ready`` says 200 and a
  search answers (``ready_s``, with the views saved by an earlier run: ``ready_warm_s``
  is the first start, which builds them when no saved copy exists);
* **live**: 4 readers in a closed loop for the whole run (search by a word of a title,
  search with facets, compare, pathways), one write every ``--every`` seconds (``--writes``
  in all, in turn: Graph Store PUT of a new credential, POST of another, a recognition
  decision, an ``/update`` of a title, an edit of an institution's name, an edit of a
  framework level, a DELETE of a graph). Read latencies over all reads (p50/p99/max),
  write latencies, and per write its *visibility*: the time from its response until a
  search for its unique title (and compare and pathways of the new credential) reflect it,
  polled every 100 ms;
* **ready after kill -9**: the server killed while a write is in flight, started again;
  **ready after a load**: the server stopped, ``microhe load`` of one credential, started
  again.

Writes ``live`` into FILE (default ``bench/results/live-<N>.json``), and returns it to
``python -m bench``, which records it in latest.json and RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
ELM = "http://data.europa.eu/snb/model/elm/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FRAMEWORKS = "https://w3id.org/microhe/ref/graph/frameworks"
BENCH = "https://w3id.org/microhe/bench/"
MHE = "https://w3id.org/microhe/ontology#"
KINDS = ("put", "post", "decision", "update", "institution", "framework", "delete")


def log(msg: str) -> None:
    print(f"[live {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(xs: list[float], p: float) -> float | None:
    xs = sorted(xs)
    if not xs:
        return None
    return xs[min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP/1.1 connection to the server (one per thread)."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 120.0):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, body: bytes | None = None, ctype: str | None = None) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        if ctype:
            headers["Content-Type"] = ctype
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, doc=None) -> tuple[int, object]:
        body = json.dumps(doc).encode() if doc is not None else None
        status, raw = self.call(method, path, body, "application/json" if body else None)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None


class Server:
    """``microhe serve`` on a store, started and stopped (or killed) here."""

    def __init__(self, store: str, log_path: str):
        self.store, self.log_path = store, log_path
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> float:
        """Start; seconds until /ready is 200 and a search answers."""
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
        t = time.perf_counter()
        with open(self.log_path, "ab") as err:
            self.proc = subprocess.Popen([sys.executable, "-c", "from microhe.cli import main; main()", "serve",
                                          "--store", self.store, "--port", str(self.port)],
                                         stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=HERE.parent)
        c = None
        while time.perf_counter() - t < 3600:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {self.proc.returncode}); see {self.log_path}")
            try:
                c = c or Client(self.port, timeout=30)
                status, _ = c.call("GET", "/ready")
                if status == 200 and c.call("GET", "/api/credentials?limit=1")[0] == 200:
                    return round(time.perf_counter() - t, 2)
            except OSError:
                c = None
            time.sleep(0.1)
        raise RuntimeError("the server was not ready within an hour")

    def stop(self, *, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def _template(store_dir: str) -> dict:
    """A synthetic credential to copy for each write (its triples and those of its own
    nodes, as N-Triples with the credential's IRI as a placeholder), an institution, a
    framework level, some words and pairs for the readers."""
    import pyoxigraph as ox

    from microhe.store.embedded import Store

    s = Store(store_dir, read_only=True)
    try:
        specs = [r["s"].value for r in s.query(
            f"SELECT ?s WHERE {{ ?s a <{ELM}LearningAchievementSpecification> }} LIMIT 400")]
        specs += [r["s"].value for r in s.query(f"SELECT ?s WHERE {{ ?s a <{ELM}Qualification> }} LIMIT 400")]
        tpl = specs[0]
        # the credential, its own nodes and what the council profile checks in the same
        # document (its awarding body's location and address, the accreditation), copied
        # from the synthetic data; never another credential, never reference data
        synth = tpl.split("/credential/")[0] + "/"
        quads, todo, seen = [], [tpl], {tpl}
        while todo:
            node = todo.pop()
            for t in s.query(f"CONSTRUCT {{ <{node}> ?p ?o }} WHERE {{ <{node}> ?p ?o }}"):
                if t.predicate.value.startswith(MHE):
                    continue  # derived values and keys: the server derives its own
                quads.append(t)
                o = t.object
                if isinstance(o, ox.NamedNode) and o.value.startswith(synth) and o.value not in seen and \
                        "/skill/" not in o.value and ("/credential/" not in o.value or o.value.startswith(tpl + "/")):
                    seen.add(o.value)
                    todo.append(o.value)
        title = next(t.object.value for t in quads if t.subject.value == tpl and t.predicate.value == DCT + "title")
        lines = []
        for t in quads:
            line = f"{t.subject} {t.predicate} {t.object} ."
            if t.predicate.value == DCT + "title" and t.subject.value == tpl:
                line = f"{t.subject} {t.predicate} \"@TITLE@\"@en ."
            lines.append(line.replace(tpl, "@IRI@"))
        org = next(r["o"].value for r in s.query(
            f"SELECT ?o WHERE {{ <{tpl}> <{ELM}awardingOpportunity>/<{ELM}awardingBody> ?o }} LIMIT 1"))
        words = sorted({w.lower() for sp in specs[:200] for r in s.query(
            f"SELECT ?t WHERE {{ <{sp}> <{DCT}title> ?t }}") for w in r["t"].value.split() if len(w) > 3})
        level = next(r["l"].value for r in s.query(
            f"SELECT ?l WHERE {{ GRAPH <{FRAMEWORKS}> {{ ?l <{SKOS}notation> ?n ; <{SKOS}inScheme> ?fw }} }} LIMIT 1"))
    finally:
        s.close()
    return {"ntriples": "\n".join(lines) + "\n", "title": title, "org": org, "specs": specs, "words": words,
            "level": level}


def _q(path: str, **params) -> str:
    return path + "?" + urllib.parse.urlencode(params)


def _readers(port: int, tpl: dict, stop: threading.Event, out: dict) -> list[threading.Thread]:
    rng = random.Random(7)
    specs, words = tpl["specs"], tpl["words"] or ["data"]

    def search(c: Client) -> int:
        return c.call("GET", _q("/api/credentials", text=rng.choice(words)))[0]

    def facets(c: Client) -> int:
        return c.call("GET", _q("/api/credentials", eqf=rng.randint(3, 7), facets="true", offset=rng.choice((0, 20, 200))))[0]

    def compare(c: Client) -> int:
        return c.json("POST", "/api/recognition/compare", {"credential": rng.choice(specs), "target": rng.choice(specs)})[0]

    def pathways(c: Client) -> int:
        return c.call("GET", _q("/api/recognition/pathways", target=rng.choice(specs)))[0]

    def loop(name: str, fn) -> None:
        c = Client(port)
        lat, bad = out.setdefault(name, []), out.setdefault(name + "_errors", [])
        while not stop.is_set():
            t = time.perf_counter()
            status = fn(c)
            lat.append(time.perf_counter() - t)
            if status >= 400:
                bad.append(status)

    return [threading.Thread(target=loop, args=(n, f), daemon=True, name=f"reader-{n}")
            for n, f in (("search", search), ("facets", facets), ("compare", compare), ("pathways", pathways))]


def _write(c: Client, kind: str, k: int, tpl: dict, state: dict) -> tuple[int, float, object]:
    """One write of ``kind``; (status, seconds, what to check for visibility)."""
    tag = f"zq{k}x{random.Random(k).randint(1000, 9999)}"
    t = time.perf_counter()
    if kind in ("put", "post"):
        iri, graph = f"{BENCH}cred/{k}", f"{BENCH}graph/{k}"
        body = tpl["ntriples"].replace("@IRI@", iri).replace("@TITLE@", f"Benchwrite {tag}").encode()
        status, raw = c.call(kind.upper(), _q("/rdf-graphs", graph=graph), body, "application/n-triples")
        if status < 400:
            state.setdefault("graphs", []).append((graph, tag))
        check = ("cred", iri, tag)
    elif kind == "decision":
        spec = tpl["specs"][k % len(tpl["specs"])]
        before = c.json("GET", _q("/api/recognition/decisions", credential=spec))[1]
        status, raw = c.call("POST", "/api/recognition/decisions", json.dumps(
            {"credential": spec, "institution": tpl["org"], "purpose": "access", "outcome": "recognise"}).encode(),
            "application/json")
        check = ("decisions", spec, len(before) if isinstance(before, list) else None)
    elif kind == "update":
        graph, old = state["graphs"][-1]
        iri = f"{BENCH}cred/{graph.rsplit('/', 1)[-1]}"
        text = (f"DELETE {{ GRAPH <{graph}> {{ <{iri}> <{DCT}title> ?t }} }} INSERT {{ GRAPH <{graph}> "
                f"{{ <{iri}> <{DCT}title> \"Benchedit {tag}\"@en }} }} WHERE {{ GRAPH <{graph}> {{ <{iri}> <{DCT}title> ?t }} }}")
        status, raw = c.call("POST", "/update", text.encode(), "application/sparql-update")
        state["graphs"][-1] = (graph, tag)
        check = ("title", tag, 1)
    elif kind == "institution":
        g = f"{BENCH}graph/institutions"  # the institution renamed: its bench name replaced
        text = (f"DELETE {{ GRAPH <{g}> {{ <{tpl['org']}> <{SKOS}prefLabel> ?n }} }} "
                f"INSERT {{ GRAPH <{g}> {{ <{tpl['org']}> <{SKOS}prefLabel> \"Zz {tag}\"@en }} }} "
                f"WHERE {{ OPTIONAL {{ GRAPH <{g}> {{ <{tpl['org']}> <{SKOS}prefLabel> ?n }} }} }}")
        status, raw = c.call("POST", "/update", text.encode(), "application/sparql-update")
        check = ("title", tag, None)  # every credential of the institution: at least one
    elif kind == "framework":
        text = (f"DELETE {{ GRAPH <{FRAMEWORKS}> {{ <{tpl['level']}> <{SKOS}editorialNote> ?n }} }} "
                f"INSERT {{ GRAPH <{FRAMEWORKS}> {{ <{tpl['level']}> <{SKOS}editorialNote> \"bench {tag}\" }} }} "
                f"WHERE {{ OPTIONAL {{ GRAPH <{FRAMEWORKS}> {{ <{tpl['level']}> <{SKOS}editorialNote> ?n }} }} }}")
        status, raw = c.call("POST", "/update", text.encode(), "application/sparql-update")
        check = None  # no search-visible effect: its write and the reads around it are measured
    else:  # delete
        graph, old = state["graphs"].pop(0)
        status, raw = c.call("DELETE", _q("/rdf-graphs", graph=graph))
        check = ("title", old, 0)
    took = time.perf_counter() - t
    if status >= 400:
        log(f"write {kind} -> {status}: {raw[:3000]!r}")
    return status, took, check


def _visible(c: Client, check, *, search_only: bool = False) -> bool:
    what = check[0]
    if what == "cred":
        _, iri, tag = check
        st, doc = c.json("GET", _q("/api/credentials", text=tag))
        if st != 200 or not isinstance(doc, dict) or doc.get("total") != 1:
            return False
        if search_only:
            return True
        if c.call("GET", _q("/api/recognition/pathways", target=iri))[0] != 200:
            return False
        return c.json("POST", "/api/recognition/compare", {"credential": iri, "target": iri})[0] == 200
    if what == "title":
        _, tag, want = check
        st, doc = c.json("GET", _q("/api/credentials", text=tag))
        total = doc.get("total") if isinstance(doc, dict) else None
        return st == 200 and total is not None and (total >= 1 if want is None else total == want)
    if what == "decisions":
        _, spec, before = check
        st, doc = c.json("GET", _q("/api/recognition/decisions", credential=spec))
        return st == 200 and isinstance(doc, list) and before is not None and len(doc) > before
    return True


def live(store_dir: str, *, writes: int = 20, every: float = 3.0, tmp: str | None = None) -> dict:
    """The whole phase on a copy of ``store_dir`` (see the module)."""
    from microhe.auth.tokens import TokenFile

    out: dict = {"writes": writes, "every_s": every, "readers": 4}
    work = tempfile.mkdtemp(prefix="microhe-live-", dir=tmp)
    try:
        store = os.path.join(work, "store")
        t = time.perf_counter()
        shutil.copytree(store_dir, store)
        for extra in (".changes.sqlite", ".changes.sqlite-wal", ".changes.sqlite-shm"):
            if os.path.exists(store_dir.rstrip("/") + extra):
                shutil.copy(store_dir.rstrip("/") + extra, store + extra)
        log(f"store copied in {time.perf_counter() - t:.1f}s")
        tpl = _template(store)
        token = TokenFile.beside(store).add("bench-live")
        server = Server(store, os.path.join(work, "server.log"))
        out["ready_first_s"] = server.start()  # builds the views when none is saved for this store
        log(f"first start ready in {out['ready_first_s']}s")
        server.stop()
        out["ready_s"] = server.start()
        log(f"ready in {out['ready_s']}s (saved views)")

        reads: dict = {}
        stop = threading.Event()
        readers = _readers(server.port, tpl, stop, reads)
        for r in readers:
            r.start()
        c = Client(server.port, token)
        state: dict = {}
        results = []
        t0 = time.perf_counter()
        for k in range(writes):
            time.sleep(max(0.0, t0 + k * every - time.perf_counter()))
            kind = KINDS[k % len(KINDS)]
            if kind == "update" and not state.get("graphs"):
                kind = "put"
            if kind == "delete" and not state.get("graphs"):
                kind = "put"
            status, took, check = _write(c, kind, k, tpl, state)
            seen = in_search = None
            if check is not None and status < 400:
                v0 = time.perf_counter()
                while time.perf_counter() - v0 < 60:  # search first (polled every 100 ms) ...
                    if _visible(c, check, search_only=True):
                        in_search = round(time.perf_counter() - v0, 3)
                        break
                    time.sleep(0.1)
                while time.perf_counter() - v0 < 60:  # ... then search, compare and pathways together
                    if _visible(c, check):
                        seen = round(time.perf_counter() - v0, 3)
                        break
                    time.sleep(0.1)
            results.append({"kind": kind, "status": status, "write_ms": round(took * 1000, 1), "visible_s": seen,
                            "in_search_s": in_search})
            log(f"write {k} {kind}: {status} in {took * 1000:.0f} ms, in search after {in_search}s, "
                f"in search, compare and pathways after {seen}s")
        stop.set()
        for r in readers:
            r.join(180)
        all_reads = [x for name in ("search", "facets", "compare", "pathways") for x in reads.get(name, [])]
        out["read_count"] = len(all_reads)
        out["read_p50_ms"] = round(pct(all_reads, 50) * 1000, 1) if all_reads else None
        out["read_p99_ms"] = round(pct(all_reads, 99) * 1000, 1) if all_reads else None
        out["read_max_ms"] = round(max(all_reads) * 1000, 1) if all_reads else None
        out["read_errors"] = {n: len(reads.get(n + "_errors", [])) for n in ("search", "facets", "compare", "pathways")}
        out["reads"] = {n: {"count": len(reads.get(n, [])), "p50_ms": round(pct(reads[n], 50) * 1000, 1),
                            "p99_ms": round(pct(reads[n], 99) * 1000, 1)}
                        for n in ("search", "facets", "compare", "pathways") if reads.get(n)}
        w = [x["write_ms"] for x in results]
        vis = [x["visible_s"] for x in results if x["visible_s"] is not None]
        out["write_p50_ms"], out["write_p99_ms"] = pct(w, 50), pct(w, 99)
        out["visibility_max_s"] = max(vis) if vis else None
        in_search = [x["in_search_s"] for x in results if x["in_search_s"] is not None]
        out["visibility_search_max_s"] = max(in_search) if in_search else None
        out["not_visible"] = [x["kind"] for x in results if x["visible_s"] is None and x["kind"] != "framework"]
        out["write_results"] = results

        # ready after kill -9 mid-write: the PUT is sent, the server killed before it answers
        k = writes + 1
        body = tpl["ntriples"].replace("@IRI@", f"{BENCH}cred/{k}").replace("@TITLE@", f"Benchkill zq{k}").encode()
        raw = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        raw.request("PUT", _q("/rdf-graphs", graph=f"{BENCH}graph/{k}"), body=body,
                    headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {token}"})
        time.sleep(0.05)
        server.stop(kill=True)
        raw.close()
        out["ready_after_kill_s"] = server.start()
        log(f"ready after kill -9 mid-write in {out['ready_after_kill_s']}s")
        server.stop()
        # ready after `microhe load` while the server was stopped
        extra = os.path.join(work, "one.nt")
        Path(extra).write_text(tpl["ntriples"].replace("@IRI@", f"{BENCH}cred/loaded").replace(
            "@TITLE@", "Benchload zqloaded"), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
        t = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", "from microhe.cli import main; main()", "load", "--store", store,
                              "--graph", f"{BENCH}graph/loaded", extra], capture_output=True, text=True, env=env)
        out["load_while_stopped_s"] = round(time.perf_counter() - t, 2)
        if run.returncode != 0:
            log(f"load failed: {run.stderr[-500:]}")
        out["ready_after_load_s"] = server.start()
        c = Client(server.port)
        st, doc = c.json("GET", _q("/api/credentials", text="zqloaded"))
        out["loaded_credential_found"] = isinstance(doc, dict) and doc.get("total") == 1
        log(f"ready after a load in {out['ready_after_load_s']}s; found: {out['loaded_credential_found']}")
        server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__.splitlines()[0])
    ap.add_argument("store_dir")
    ap.add_argument("--writes", type=int, default=20)
    ap.add_argument("--every", type=float, default=3.0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--record", type=int, default=None, metavar="N",
                    help="put the figures into the growth table of bench/RESULTS.md as those of N credentials")
    a = ap.parse_args(argv)
    if not Path(a.store_dir).is_dir():
        ap.error(f"{a.store_dir}: no such store directory")
    res = live(a.store_dir, writes=a.writes, every=a.every, tmp=os.environ.get("MICROHE_BENCH_TMP"))
    res["command"] = "python -m bench.live " + " ".join(sys.argv[1:] if argv is None else argv)
    res["date"] = time.strftime("%Y-%m-%d %H:%M")
    out = a.out or RESULTS / "live.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")
    if a.record:
        from bench.__main__ import record_live

        record_live(a.record, res, HERE / "RESULTS.md")
    log(f"done: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
