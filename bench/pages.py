"""The clearinghouse pages over HTTP, each paired with its JSON/RDF counterpart (issue 18).

    python -m bench.pages --store DIR [--data FILE.nt] [--urls 200] [--out FILE] [--markdown FILE]

Starts ``microhe serve`` on the store (127.0.0.1, a free port, ``--base`` the synthetic
data's IRI space so credential and institution pages are served at their own paths, as in
a deployment whose base is its data's), polls ``/ready`` until the search views are built,
warms every route up, then sends one request at a time (one keep-alive client, nothing in
parallel) in rounds: each round asks every page type for its next URL and, right before or
after it (alternating), the matching JSON/RDF request, so both sides of a pair see the same
server state and machine load. Page types and their counterparts:

* home ``/`` vs ``/api/credentials`` (its first page; both with ``?lang=``);
* search ``/search?<facets or text>`` vs ``/api/credentials?<the same parameters>``;
* credential page vs the same IRI as Turtle / JSON-LD (``Accept``, alternating);
* institution page vs the same IRI as Turtle;
* framework page ``/frameworks/{code}`` vs ``/api/recognition/level`` of one of its levels;
* credit supplement ``<credential>/supplement?format=html`` vs ``?format=jsonld``.

Latency is from sending the request to the last byte of the body. The target of issue 18:
per page type, HTML p50 <= JSON p50 + 15 ms and HTML p95 <= 250 ms. With ``--data`` and a
store directory that does not exist yet, the store is built first as ``python -m bench``
builds it (reference data, then ``microhe.ingest.load.load`` of the file, bulk). Results:
``bench/results/pages-<N>.json`` and the section of ``bench/RESULTS.md`` between the
``bench:pages:<N>`` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SYNTH = "https://w3id.org/microhe/synth/"
ELM = "http://data.europa.eu/snb/model/elm/"
TYPES = ("home", "search", "credential", "institution", "framework", "supplement")
#: The target of issue 18 (per page type, against its counterpart measured in the same run).
P50_MARGIN_MS, P95_MAX_MS = 15.0, 250.0
LANGS = ("en", "de", "fr")
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser's


def log(msg: str) -> None:
    print(f"[pages {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
    return xs[k]


# -- what to ask for ----------------------------------------------------------------------


def sample(store_dir: str, n: int, seed: int = 18) -> dict:
    """Credentials, awarding bodies, frameworks with their levels and search parameters of
    the store (opened read-only, closed before the server opens it)."""
    from microhe.frameworks.index import framework_index
    from microhe.recognition.search import search
    from microhe.recognition.search_query import SearchQuery
    from microhe.store.embedded import Store

    store = Store(store_dir, read_only=True)
    try:
        creds = sorted(r["c"].value for r in store.query(
            f"SELECT ?c WHERE {{ ?c a <{ELM}Qualification> FILTER(STRSTARTS(STR(?c), '{SYNTH}')) }}"))
        orgs = sorted({r["o"].value for r in store.query(
            f"SELECT ?o WHERE {{ ?a <{ELM}awardingBody> ?o FILTER(STRSTARTS(STR(?o), '{SYNTH}')) }}")})
        idx = framework_index(store)
        levels = {c: [lv.label for lv in idx.levels_of(c)] for c in idx.codes()}
        facets = search(store, SearchQuery.model_validate({"limit": 0})).facets
        assert facets is not None
        countries = sorted(facets.country)
        total = len(store)
    finally:
        store.close()
    rng = random.Random(seed)
    codes = sorted(c for c, lv in levels.items() if lv)
    texts = ["data", "energy", "project management", "python", "safety", "design", "health", "finance"]
    searches: list[dict] = []
    seen: set[str] = set()
    while len(searches) < n:
        kind = rng.random()
        p: dict = {}
        if kind < 0.5:
            p = {"eqf": rng.randint(3, 8), "country": rng.choice(countries)}
            if rng.random() < 0.5:
                p["mode"] = rng.choice(["online", "presential", "blended"])
        elif kind < 0.8:
            p = {"text": rng.choice(texts)}
            if rng.random() < 0.5:
                p["eqf"] = rng.randint(4, 7)
        else:
            p = {"ects_min": rng.choice([1, 2, 3, 5]), "ects_max": rng.choice([6, 10, 15]),
                 "country": rng.choice(countries)}
        if rng.random() < 0.3:
            p["offset"] = 20 * rng.randint(1, 3)
        key = urlencode(sorted(p.items()))
        if key not in seen:
            seen.add(key)
            searches.append(p)
    return {"credentials": rng.sample(creds, min(n, len(creds))), "institutions": rng.sample(orgs, min(n, len(orgs))),
            "frameworks": codes, "levels": levels, "searches": searches, "store_quads": total,
            "credential_count": len(creds), "institution_count": len(orgs)}


def pairs(s: dict, n: int) -> dict[str, list[tuple[tuple[str, dict], tuple[str, dict]]]]:
    """Per page type, ``n`` (html request, counterpart request), each ``(path, headers)``."""
    html = {"Accept": HTML_ACCEPT}

    def local(iri: str) -> str:
        return "/" + quote(iri[len(SYNTH):], safe="/:@!$&'()*+,;=-._~")

    rng = random.Random(19)
    out: dict[str, list] = {t: [] for t in TYPES}
    fw_levels = [(c, lv) for c in s["frameworks"] for lv in s["levels"][c]]
    for i in range(n):
        lang = LANGS[i % len(LANGS)]
        out["home"].append(((f"/?lang={lang}", html), (f"/api/credentials?lang={lang}", {})))
        q = urlencode(s["searches"][i % len(s["searches"])])
        out["search"].append(((f"/search?{q}", html), (f"/api/credentials?{q}", {})))
        c = local(s["credentials"][i % len(s["credentials"])])
        rdf = "text/turtle" if i % 2 == 0 else "application/ld+json"
        out["credential"].append(((c, html), (c, {"Accept": rdf})))
        o = local(s["institutions"][i % len(s["institutions"])])
        out["institution"].append(((o, html), (o, {"Accept": "text/turtle"})))
        code = s["frameworks"][i % len(s["frameworks"])]
        fc, lv = rng.choice([x for x in fw_levels if x[0] == code])
        out["framework"].append(((f"/frameworks/{code}?lang={LANGS[(i // len(s['frameworks'])) % len(LANGS)]}", html),
                                 (f"/api/recognition/level?{urlencode({'framework': fc, 'level': lv})}", {})))
        out["supplement"].append(((f"{c}/supplement?format=html", {}), (f"{c}/supplement?format=jsonld", {})))
    return out


# -- the server ---------------------------------------------------------------------------


def start_server(store_dir: str, port: int) -> subprocess.Popen:
    """``microhe serve`` as a user starts it (the console script of this Python)."""
    exe = shutil.which("microhe")
    cli = [exe] if exe else [sys.executable, "-c", "from microhe.cli import main; main()"]
    argv = [*cli, "serve", "--store", store_dir, "--port", str(port), "--base", SYNTH]
    return subprocess.Popen(argv, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_ready(client, proc: subprocess.Popen, timeout: float) -> float:
    """Seconds until ``/ready`` says 200 (the search views built); raises when the server
    exits or the time is up."""
    t = time.perf_counter()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"microhe serve exited ({proc.returncode}): {proc.stderr.read().decode()[-800:]}")
        try:
            if client.get("/ready").status_code == 200:
                return time.perf_counter() - t
        except Exception:  # noqa: BLE001 - not listening yet
            pass
        time.sleep(0.5)
    raise RuntimeError(f"microhe serve not ready after {timeout:.0f} s")


def _get(client, path: str, headers: dict) -> tuple[float, int, int]:
    t = time.perf_counter()
    r = client.get(path, headers=headers)
    body = r.content
    return (time.perf_counter() - t) * 1000, r.status_code, len(body)


def measure(client, plan: dict, warmup: int) -> dict:
    """Warm each pair up, then the rounds (HTML first in even rounds, counterpart first in odd)."""
    for t in TYPES:
        for h, j in plan[t][:warmup]:
            _get(client, *h)
            _get(client, *j)
    lat: dict = {t: {"html": [], "json": [], "errors": [], "bytes_html": 0, "bytes_json": 0} for t in TYPES}
    n = min(len(v) for v in plan.values())
    for i in range(n):
        for t in TYPES:
            h, j = plan[t][i]
            order = (("html", h), ("json", j)) if i % 2 == 0 else (("json", j), ("html", h))
            for side, (path, headers) in order:
                ms, status, size = _get(client, path, headers)
                if status != 200:
                    lat[t]["errors"].append(f"{side} {path} {headers.get('Accept', '')}: {status}")
                lat[t][side].append(ms)
                lat[t]["bytes_" + side] += size
    return lat


def summarise(lat: dict, plan: dict) -> dict:
    out = {}
    for t in TYPES:
        h, j = lat[t]["html"], lat[t]["json"]
        hp50, hp95, jp50, jp95 = pct(h, 50), pct(h, 95), pct(j, 50), pct(j, 95)
        out[t] = {
            "requests": len(h), "distinct_html_urls": len({p for (p, _), _ in plan[t][:len(h)]}),
            "html_p50_ms": round(hp50, 1), "html_p95_ms": round(hp95, 1), "html_mean_ms": round(statistics.mean(h), 1),
            "json_p50_ms": round(jp50, 1), "json_p95_ms": round(jp95, 1), "json_mean_ms": round(statistics.mean(j), 1),
            "p50_difference_ms": round(hp50 - jp50, 1),
            "html_kb": round(lat[t]["bytes_html"] / len(h) / 1024, 1), "json_kb": round(lat[t]["bytes_json"] / len(j) / 1024, 1),
            "p50_met": hp50 <= jp50 + P50_MARGIN_MS, "p95_met": hp95 <= P95_MAX_MS,
            "errors": lat[t]["errors"][:10], "error_count": len(lat[t]["errors"]),
        }
        out[t]["met"] = out[t]["p50_met"] and out[t]["p95_met"] and not out[t]["error_count"]
    return out


COUNTERPART = {
    "home": "`/api/credentials` (first page)", "search": "`/api/credentials`, same parameters",
    "credential": "same IRI, Turtle / JSON-LD", "institution": "same IRI, Turtle",
    "framework": "`/api/recognition/level`", "supplement": "`?format=jsonld`",
}


def table(r: dict) -> list[str]:
    lines = ["| page type | counterpart | requests (distinct HTML URLs) | HTML p50 / p95 ms | counterpart p50 / p95 ms "
             "| HTML - counterpart p50 ms | HTML / counterpart KB | target (p50 <= +15 ms, p95 <= 250 ms) |",
             "|---|---|---|---|---|---|---|---|"]
    for t in TYPES:
        x = r["types"][t]
        status = "met" if x["met"] else "missed (" + ", ".join(
            k for k, ok in (("p50", x["p50_met"]), ("p95", x["p95_met"]), ("errors", not x["error_count"])) if not ok) + ")"
        lines.append(f"| {t} | {COUNTERPART[t]} | {x['requests']} ({x['distinct_html_urls']}) | {x['html_p50_ms']} / "
                     f"{x['html_p95_ms']} | {x['json_p50_ms']} / {x['json_p95_ms']} | {x['p50_difference_ms']:+} | "
                     f"{x['html_kb']} / {x['json_kb']} | {status} |")
    return lines


def write_markdown(r: dict, path: Path) -> None:
    """Replace this size's section (``bench:pages:<N>`` markers) in RESULTS.md, else append it."""
    n = r["credentials"]
    begin, end = f"<!-- bench:pages:{n}:begin -->", f"<!-- bench:pages:{n}:end -->"
    block = [begin, "", f"### Pages over HTTP, {n:,} credentials ({r['store_quads']:,} quads), {r['date']}", "",
             f"Command: `{r['command']}`  ",
             f"Load average (1, 5, 15 min) at start {r['load_before']}, at end {r['load_after']} "
             "(2 cores, shared with other processes)  ",
             f"Server: `microhe serve --base {SYNTH}`; ready (search views built) {r['ready_s']} s after start; "
             f"{r['warmup']} warm-up pairs per type; then {r['rounds']} rounds, one request at a time, "
             "each page paired with its counterpart in the same round (order alternating)  ",
             f"Targets: {r['targets_met']}/{len(TYPES)} page types met", "", *table(r), "", end]
    text = path.read_text() if path.exists() else "# microhe benchmarks\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: "\n".join(block), text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + \
        "\n".join(block) + "\n"
    path.write_text(text)


def build_store(data: str, store_dir: str) -> None:
    """The store ``python -m bench`` builds: reference data, then the file, bulk-loaded."""
    from .__main__ import _validated_load

    t = time.perf_counter()
    res = _validated_load([data], store_dir, True)
    log(f"store built from {data} in {time.perf_counter() - t:.1f} s ({res['triples']} triples)")


def run(store_dir: str, *, urls: int = 200, warmup: int = 5, ready_timeout: float = 3600.0,
        command: str = "", credentials: int | None = None) -> dict:
    """The whole measurement on ``store_dir`` (a closed store directory)."""
    import httpx

    from .__main__ import free_port, stop_process

    t0 = time.perf_counter()
    s = sample(store_dir, urls + warmup)
    plan = pairs(s, urls + warmup)
    warm = {t: v[:warmup] for t, v in plan.items()}
    rounds = {t: v[warmup:] for t, v in plan.items()}
    log(f"sampled {len(s['credentials'])} credentials, {len(s['institutions'])} institutions, "
        f"{len(s['frameworks'])} frameworks, {len(s['searches'])} searches")
    port = free_port()
    proc = start_server(store_dir, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            ready_s = wait_until_ready(client, proc, ready_timeout)
            log(f"ready in {ready_s:.1f} s")
            load_before = [round(x, 2) for x in os.getloadavg()]
            measure(client, warm, warmup)
            lat = measure(client, rounds, 0)
            load_after = [round(x, 2) for x in os.getloadavg()]
    finally:
        stop_process(proc, 10)
    types = summarise(lat, rounds)
    r = {"credentials": credentials or s["credential_count"], "institutions": s["institution_count"],
         "store_quads": s["store_quads"], "store_dir": store_dir, "date": time.strftime("%Y-%m-%d %H:%M"),
         "command": command, "load_before": load_before, "load_after": load_after, "ready_s": round(ready_s, 1),
         "warmup": warmup, "rounds": urls, "types": types, "targets_met": sum(x["met"] for x in types.values()),
         "wall_s": round(time.perf_counter() - t0, 1)}
    for line in table(r):
        print(line)
    for t in TYPES:
        print(f"{t}: target {'met' if types[t]['met'] else 'MISSED'}")
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="store directory (built from --data when it does not exist)")
    ap.add_argument("--data", help="synthetic N-Triples file to build the store from (python -m bench's data)")
    ap.add_argument("--urls", type=int, default=200, help="measured requests per page type and side (>= 200 for the target)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="JSON results (default bench/results/pages-<N>.json)")
    ap.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md", help="RESULTS.md to update ('-': none)")
    a = ap.parse_args(argv)
    if a.urls < 1 or a.warmup < 0:
        ap.error("--urls must be >= 1 and --warmup >= 0")
    if not Path(a.store).is_dir():
        if not a.data:
            ap.error(f"{a.store}: no such store directory (give --data FILE to build it)")
        if not Path(a.data).is_file():
            ap.error(f"{a.data}: no such file")
        build_store(a.data, a.store)
    command = "python -m bench.pages " + " ".join(sys.argv[1:] if argv is None else argv)
    r = run(a.store, urls=a.urls, warmup=a.warmup, command=command)
    RESULTS.mkdir(exist_ok=True)
    out = a.out or RESULTS / f"pages-{r['credentials']}.json"
    out.write_text(json.dumps(r, indent=1) + "\n")
    if str(a.markdown) != "-":
        write_markdown(r, a.markdown)
    log(f"done in {r['wall_s']} s: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
