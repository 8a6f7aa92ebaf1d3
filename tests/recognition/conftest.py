"""Shared material for the recognition tests: the demo store (built once per module)
and the facts of the shared referencing CSV, read here independently of the code under
test."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox

from microhe.ingest.derive import derive, derived_graph
from microhe.store.embedded import Store

ROOT = Path(__file__).resolve().parents[2]
SHARED = (ROOT / ".." / "shared").resolve()
CSV_PATH = SHARED / "data" / "nqf_eqf_referencing.csv"
DEMO_DIR = ROOT / "microhe" / "kg" / "demo"
REFERENCE_DIR = ROOT / "microhe" / "kg" / "reference"

DEMO = "https://w3id.org/microhe/demo/credential/"
SKILL = "https://w3id.org/microhe/demo/skill/"
ORG = "https://w3id.org/microhe/demo/org/"
REF_ORG = "https://w3id.org/microhe/ref/org/"

CANDIDATE = DEMO + "strathlowe-applied-data-analysis"
TARGET = DEMO + "vmu-data-analysis-for-decision-making"
NEAR_MISS = DEMO + "ballynore-data-analysis-essentials"
RQF6_QDR = "http://data.europa.eu/snb/qdr/c_c392e7a2"

#: Every framework code of the CLI/API (domain.md section 4).
CODES = ["EQF", "QF-EHEA", "DQR", "LTKS", "FINQF", "SQF", "MQF", "QNQ", "NFQ", "SCQF", "RQF", "CQFW",
         "FHEQ", "CNCP", "FR-1969", "NLQF"]
#: CSV ``framework_short`` -> code (others are the same).
CSV_CODE = {"LTKS/LTQF": "LTKS", "FiNQF": "FINQF", "SQF/SOK": "SQF", "CNCP-2019": "CNCP",
            "1969 nomenclature": "FR-1969"}


def csv_rows() -> list[dict]:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def bare_label(framework_short: str, label: str) -> str:
    """The bare level label of a CSV level label: no framework prefix, no parenthetical
    ("SQF 9 (...)" -> "9", "RQF Entry 3" -> "Entry 3", "Introductory Level A" -> "A",
    "Niveau V (1969)" -> "V", "Short cycle" -> "short", "NLQF Entry level" -> "Entry")."""
    s = re.sub(r"\s*\(.*\)\s*$", "", label).strip()
    if framework_short == "QF-EHEA":
        return s.split()[0].lower()
    if s.startswith("Introductory Level "):
        return s[len("Introductory Level "):]
    s = s.split(" ", 1)[1]
    return re.sub(r"\s+level$", "", s)


def csv_levels() -> dict[tuple[str, str], dict]:
    """(code, bare label) -> {"eqf": set of EQF levels, "rows": [CSV rows]} for every
    level row of the CSV (credit-conversion rows excluded)."""
    out: dict[tuple[str, str], dict] = {}
    for r in csv_rows():
        if r["nqf_level_label"].startswith("credit_conversion"):
            continue
        code = CSV_CODE.get(r["framework_short"], r["framework_short"])
        entry = out.setdefault((code, bare_label(r["framework_short"], r["nqf_level_label"])),
                               {"eqf": set(), "rows": []})
        entry["rows"].append(r)
        if r["eqf_level"].strip():
            entry["eqf"].add(int(r["eqf_level"]))
    return out


def csv_sources(row: dict) -> set[str]:
    return {u.strip() for u in row["source_url"].split(" ; ") if u.strip()}


PREFIXES = """
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix mhe: <https://w3id.org/microhe/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix eqf: <http://data.europa.eu/snb/eqf/> .
@prefix qdr: <http://data.europa.eu/snb/qdr/> .
@prefix skill: <https://w3id.org/microhe/demo/skill/> .
@prefix t: <https://example.org/test/> .
"""
ECTS_IRI = "http://data.europa.eu/snb/education-credit/6fcec5c5af"


def write_turtle(store: Store, name: str, text: str) -> str:
    """Write a small Turtle fixture (``PREFIXES`` prepended) into its own named graph with
    its derived values (EQF levels, ECTS), as the loader does, but without SHACL: the
    fixtures are deliberately partial. Returns the graph IRI."""
    quads = list(ox.parse((PREFIXES + text).encode("utf-8"), ox.RdfFormat.TURTLE))
    g = "https://example.org/test/graph/" + name
    node = ox.NamedNode(g)
    quads = [ox.Quad(q.subject, q.predicate, q.object, node) for q in quads]
    store.write({g: quads, derived_graph(g): derive(store, quads, g)})
    return g

