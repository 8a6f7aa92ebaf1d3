#!/usr/bin/env python3
"""Write ``docs/qf-coverage.md``: how far the EQF referencing of every framework level in
the bundled reference graph is sourced (issue 22).

Reads ``microhe/kg/reference/frameworks.ttl`` (the generated graph). A level counts once, by
its best referencing: ``stated`` > ``inferred`` > ``uncertain`` > ``disputed``; ``below EQF 1``
when its only referencing says so; ``not found`` when it has none. The second table lists
the sources of the referencing nodes by publisher (``microhe/frameworks/sources.py``), with
the framework levels each supports. ``scripts/generate_reference.py`` runs this script after
writing the graph. Usage::

    python scripts/qf_coverage.py          # write docs/qf-coverage.md
    python scripts/qf_coverage.py --check  # exit 1 if the committed file is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from microhe.frameworks.sources import publisher_of  # noqa: E402 - after the path set-up above

TTL = REPO / "microhe" / "kg" / "reference" / "frameworks.ttl"
OUT = REPO / "docs" / "qf-coverage.md"
MHE = "https://w3id.org/microhe/ontology#"
COLUMNS = ("stated", "inferred", "uncertain", "disputed", "below EQF 1", "not found")
RANK = {"Stated": 0, "Inferred": 1, "Uncertain": 2, "Disputed": 3}


def m(local: str) -> URIRef:
    return URIRef(MHE + local)


def level_status(g: Graph, level: URIRef) -> str:
    refs = list(g.subjects(m("referencedLevel"), level))
    if not refs:
        return "not found"
    with_eqf = [r for r in refs if g.value(r, m("eqfLevel")) is not None]
    if not with_eqf:
        return "below EQF 1"
    best = min((str(g.value(r, m("confidence"))).rsplit("#", 1)[-1] for r in with_eqf), key=lambda c: RANK[c])
    return best.lower()


def table(g: Graph) -> tuple[list[tuple[str, str, Counter]], Counter]:
    rows = []
    total: Counter = Counter()
    for fw in g.subjects(RDF.type, m("QualificationsFramework")):
        code = str(g.value(fw, SKOS.notation))
        if code == "EQF":
            continue
        country = ", ".join(sorted(str(c).rsplit("/", 1)[-1] for c in g.objects(fw, DCTERMS.spatial))) or "-"
        counts: Counter = Counter()
        for level in g.subjects(SKOS.inScheme, fw):
            if (level, RDF.type, m("FrameworkLevel")) in g:
                counts[level_status(g, level)] += 1
        rows.append((code, country, counts))
        total.update(counts)
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows, total


def publishers(g: Graph) -> dict[str, dict[str, set[str]]]:
    """publisher -> source URL -> the levels ("CODE label") of the referencing nodes citing it."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for ref in g.subjects(RDF.type, m("LevelReferencing")):
        level = g.value(ref, m("referencedLevel"))
        name = f"{g.value(g.value(level, SKOS.inScheme), SKOS.notation)} {g.value(level, SKOS.notation)}"
        for src in g.objects(ref, DCTERMS.source):
            p = publisher_of(str(src))
            if p is None:
                raise SystemExit(f"{src}: no publisher known (microhe/frameworks/sources.py)")
            out[p.name + ("" if p.official else " (third party)")][str(src)].add(name)
    return out


def _levels(names: set[str]) -> str:
    """'DQR 1-3, NFQ 7' style: labels grouped by framework, in natural order."""
    by_fw: dict[str, list[str]] = defaultdict(list)
    for n in names:
        fw, label = n.split(" ", 1)
        by_fw[fw].append(label)
    def key(label: str) -> tuple[int, int, str]:
        m_ = re.match(r"(\d+)(.*)", label)
        return (1, int(m_[1]), m_[2]) if m_ else (0, 0, label)  # 'Entry 3' before 1, 5 before 5a

    return "; ".join(f"{fw} {', '.join(sorted(ls, key=key))}" for fw, ls in sorted(by_fw.items()))


def publisher_lines(g: Graph) -> list[str]:
    pubs = publishers(g)
    refs = len(set(g.subjects(RDF.type, m("LevelReferencing"))))
    lines = ["", "## Sources of the referencing by publisher", "",
             "Every source of a level's EQF referencing (`mhe:LevelReferencing`), by its publisher; the levels",
             "it supports. A referencing node citing two publishers counts for both.", "",
             "| publisher | sources | referencing nodes | source | levels supported |", "|---|---|---|---|---|"]
    for pub, urls in sorted(pubs.items(), key=lambda kv: kv[0].casefold()):
        nodes = sum(len(v) for v in urls.values())
        for i, (u, names) in enumerate(sorted(urls.items())):
            head = f"| {pub} | {len(urls)} | {nodes} |" if i == 0 else "| | | |"
            lines.append(f"{head} <{u}> | {_levels(names)} |")
    n_src = sum(len(u) for u in pubs.values())
    lines.append(f"| total | {len(pubs)} publishers, {n_src} sources | {refs} referencing nodes | | |")
    return lines


def render() -> str:
    g = Graph().parse(TTL, format="turtle")
    rows, total = table(g)
    lines = [
        "# Coverage of the EQF referencing of every framework level",
        "",
        "Generated by `scripts/qf_coverage.py` from `microhe/kg/reference/frameworks.ttl`: do not edit by",
        "hand. A level counts once, by its best referencing (stated > inferred > uncertain > disputed);",
        "`below EQF 1` is a sourced statement that the level is referenced to no EQF level; `not found`",
        "means no source stating its EQF level was found (issue 22): it is present, and nothing is guessed.",
        "",
        "| framework | country | levels | " + " | ".join(COLUMNS) + " |",
        "|---|---|---|" + "---|" * len(COLUMNS),
    ]
    for code, country, counts in rows:
        lines.append(f"| {code} | {country} | {sum(counts.values())} | "
                     + " | ".join(str(counts.get(c, 0)) for c in COLUMNS) + " |")
    lines.append(f"| total | {len(rows)} frameworks | {sum(total.values())} | "
                 + " | ".join(str(total.get(c, 0)) for c in COLUMNS) + " |")
    lines += publisher_lines(g)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/qf-coverage.md is out of date")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python scripts/qf_coverage.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"{OUT}: {len(text.splitlines())} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
