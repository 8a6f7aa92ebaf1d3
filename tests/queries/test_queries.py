"""The named queries in microhe/queries/: headers, parameters, and golden results.

Golden results are never snapshots of a query's own output. They are computed here, in plain
Python, from independent sources: the shared NQF-EQF referencing CSV, the EU QDR list
(anchors/elm/cv-xsd/nqf.xsd) and the bundled Turtle files parsed with rdflib.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

import microhe
from microhe.queries.catalogue import PARAM_TYPES, QueryError, catalogue, parse_query_file
from microhe.store.embedded import Store
from tests.demo import demo_copy

ROOT = Path(__file__).parents[2]
SHARED = ROOT / ".." / "shared"
CSV_PATH = SHARED / "data" / "nqf_eqf_referencing.csv"
NQF_XSD = SHARED / "anchors" / "elm" / "cv-xsd" / "nqf.xsd"
QUERIES = Path(microhe.__file__).parent / "queries"
KG = Path(microhe.__file__).parent / "kg"

ELM = rdflib.Namespace("http://data.europa.eu/snb/model/elm/")
MHE = rdflib.Namespace("https://w3id.org/microhe/ontology#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
ROV = rdflib.Namespace("http://www.w3.org/ns/regorg#")
EQF = "http://data.europa.eu/snb/eqf/"
QDR = "http://data.europa.eu/snb/qdr/"
REF_FW = "https://w3id.org/microhe/ref/framework/"
ECTS_IRIS = {"http://data.europa.eu/snb/education-credit/6fcec5c5af", "https://w3id.org/microhe/ref/credit-system/ECTS"}
DEMO = "https://w3id.org/microhe/demo/"
SPEC_TYPES = (ELM.Qualification, ELM.LearningAchievementSpecification)
CLASSES = ("lookup", "recognition", "facets", "statistics")

# CSV framework_short -> framework code (docs: shared/design/domain.md section 4)
CODES = {"LTKS/LTQF": "LTKS", "FiNQF": "FINQF", "SQF/SOK": "SQF", "CNCP-2019": "CNCP",
         "1969 nomenclature": "FR-1969"}
ALL_CODES = ["QF-EHEA", "DQR", "LTKS", "FINQF", "SQF", "MQF", "QNQ", "NFQ", "SCQF", "RQF", "CQFW",
             "FHEQ", "CNCP", "FR-1969", "NLQF"]


# ---------------------------------------------------------------------------------------
# independent sources
# ---------------------------------------------------------------------------------------


def slug(label: str) -> str:
    return label.strip().lower().replace("+", "plus").replace(" ", "-")


def bare_label(row: dict) -> str:
    """The bare level label of a CSV row: 'SQF 9 (Diploma ...)' -> '9', 'RQF Entry 3' ->
    'Entry 3', 'Introductory Level A' -> 'A', 'Niveau V (1969)' -> 'V', 'Short cycle' -> 'short'."""
    text = row["nqf_level_label"].split(" (", 1)[0].strip()
    for prefix in ("Introductory Level ", "Niveau "):
        if text.startswith(prefix):
            return text[len(prefix):]
    if row["framework_short"] == "QF-EHEA":
        return text.split()[0].lower()
    first, _, rest = text.partition(" ")
    if rest and (first in ("DQR", "LTKS", "FiNQF", "SQF", "MQF", "QNQ", "NFQ", "SCQF", "RQF", "CQFW", "FHEQ", "NLQF")
                 or first == row["framework_short"]):  # issue 22 rows: "<code> <label>"
        text = rest
    return re.sub(r"\s+level$", "", text)


#: The repository's referencing rows (issue 22; NLQF 4+ of issue 17 is one of them): each
#: replaces the shared CSV's row of the same framework_short and label; the graph's note is the
#: row's note followed by "Evidence (publisher, retrieved date): “quote”" (reference README).
REPO_CSV = Path(__file__).parents[2] / "data" / "nqf_eqf_referencing.csv"


def csv_rows() -> list[dict]:
    with open(CSV_PATH, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if not r["nqf_level_label"].startswith("credit_conversion")]
    with open(REPO_CSV, newline="", encoding="utf-8") as f:
        repo = [r for r in csv.DictReader(f) if not r["nqf_level_label"].startswith("credit_conversion")]
    keys = {(r["framework_short"], r["nqf_level_label"]) for r in repo}
    rows = [r for r in rows if (r["framework_short"], r["nqf_level_label"]) not in keys]
    for r in repo:
        r["note"] = f"{r['note']} Evidence ({r['publisher']}, retrieved {r['retrieved']}): \u201c{r['evidence']}\u201d"
    rows += repo
    for r in rows:
        r["code"] = CODES.get(r["framework_short"], r["framework_short"])
        r["label"] = bare_label(r)
        r["eqf"] = int(r["eqf_level"]) if r["eqf_level"].strip() else None
    return rows


CSV_ROWS = csv_rows()
CSV_EQF: dict[tuple[str, str], set[int]] = defaultdict(set)  # (code, slug) -> EQF levels
for _r in CSV_ROWS:
    CSV_EQF[(_r["code"], slug(_r["label"]))]  # levels below EQF 1 exist with no EQF level
    if _r["eqf"] is not None:
        CSV_EQF[(_r["code"], slug(_r["label"]))].add(_r["eqf"])


def qdr_labels() -> dict[str, str]:
    xs = "{http://www.w3.org/2001/XMLSchema}"
    out = {}
    for e in ET.parse(NQF_XSD).getroot().iter(f"{xs}enumeration"):
        doc = e.find(f".//{xs}documentation")
        if doc is not None and doc.text:
            out[e.get("value")] = " ".join(doc.text.split())
    return out


QDR_LABELS = qdr_labels()

# EU QDR label -> (code, bare label, EQF restriction); label forms from domain.md section 4.
_QDR_FORMS = [
    (r"DQR Level (\S+)", "DQR"), (r"LTQF Level (\S+)", "LTKS"), (r"FiNQF Level (\S+)", "FINQF"),
    (r"SQF Level (\S+)", "SQF"), (r"MQF Level (\S+)", "MQF"), (r"IT NQF Level (\S+)", "QNQ"),
    (r"FQF Level (\S+)", "CNCP"),  # issue 17: QDR 'QNQ Level n' is (most likely) Portugal's, FQF = CNCP
    (r"IE NQF Level (\S+)", "NFQ"), (r"SCQF Level (\S+)", "SCQF"), (r"RQF Level (\S+)", "RQF"),
    (r"RQF (Entry) Level (\d)", "RQF"), (r"CQFW Level (\S+)", "CQFW"), (r"NLQF Level (\S+)", "NLQF"),
    (r"NLQF (Entry) Level", "NLQF"), (r"NQF RNCP Level (V|IV|III)", "FR-1969"),
    (r"NQF RNCP Level (II)-Grade de Licence", "FR-1969"),
]
# One-concept-per-several-levels QDR labels: linked with closeMatch, never resolve a level.
_QDR_MULTI = {"RQF Entry Levels 1-2": ("RQF", ["Entry 1", "Entry 2"]), "CQFW Entry 1-3": ("CQFW", ["Entry 1", "Entry 2", "Entry 3"])}  # noqa: E501 - data kept on one line
# FR-1969 level I is one-to-many (7 or 8); the QDR list has one concept per candidate.
_QDR_FR_I = {"NQF RNCP Level I-Master": 7, "NQF RNCP Level I-Doctorat": 8}


def qdr_level(iri: str) -> tuple[str, str] | None:
    """(code, bare label) of a single-level QDR concept of one of our frameworks."""
    label = QDR_LABELS.get(iri, "")
    for pattern, code in _QDR_FORMS:
        m = re.fullmatch(pattern, label)
        if m:
            return code, " ".join(m.groups())
    return None


def expected_eqf(declared: str) -> set[int]:
    """EQF levels of a declared level IRI, from the CSV and the QDR list only."""
    if declared.startswith(EQF) and declared[len(EQF):].isdigit():
        return {int(declared[len(EQF):])}
    if declared.startswith(REF_FW):
        code, _, level = declared[len(REF_FW):].partition("/level/")
        return set(CSV_EQF.get((code, level), set()))
    if declared.startswith(QDR):
        label = QDR_LABELS.get(declared, "")
        if label in _QDR_FR_I:
            return {_QDR_FR_I[label]} & CSV_EQF[("FR-1969", "i")]
        hit = qdr_level(declared)
        if hit:
            return set(CSV_EQF.get((hit[0], slug(hit[1])), set()))
    return set()


def parse_ttl(*paths: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def run(demo_store: Store, name: str, **params: str) -> list[dict]:
    nq = catalogue()[name]
    result = demo_store.query(nq.text_for(nq.bindings(params)), substitutions=nq.bindings(params))
    names = [v.value for v in result.variables]
    return [{n: sol[n] for n in names} for sol in result]


def val(term) -> str | None:
    return None if term is None else term.value


def words(term, sep: str | None = None) -> list[str]:
    """The items of a GROUP_CONCAT cell (unbound when there was nothing to join)."""
    return [] if term is None else [w for w in term.value.split(sep) if w]


def specs(g: rdflib.Graph) -> set:
    return {s for t in SPEC_TYPES for s in g.subjects(RDF.type, t)}


def en(g: rdflib.Graph, node, prop) -> str | None:
    values = list(g.objects(node, prop))
    english = sorted(str(v) for v in values if getattr(v, "language", None) == "en")
    return english[0] if english else (sorted(str(v) for v in values)[0] if values else None)


def issuers(g: rdflib.Graph, spec) -> set:
    return {b for ao in g.objects(spec, ELM.awardingOpportunity) for b in g.objects(ao, ELM.awardingBody)}


def declared_levels(g: rdflib.Graph, spec) -> set[str]:
    return {str(o) for p in (ELM.EQFLevel, ELM.NQFLevel) for o in g.objects(spec, p)}


# ---------------------------------------------------------------------------------------
# the catalogue itself: headers, parameters, conventions
# ---------------------------------------------------------------------------------------

RQ_FILES = sorted(QUERIES.glob("*.rq"))
README = (QUERIES / "README.md").read_text(encoding="utf-8")
README_EXAMPLES = re.findall(r"^microhe query (\S+)((?: --param \S+)*)", README, flags=re.M)


def _examples() -> dict[str, dict[str, str]]:
    out = {}
    for name, params in README_EXAMPLES:
        out[name] = dict(p.split("=", 1) for p in params.split(" --param ")[1:])
    return out


EXAMPLES = _examples()
RUNTIME_DATA_QUERIES = {"decisions-about-issuer"}


def body(text: str) -> str:
    """The query without its comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_the_catalogue_holds_every_query_file():
    assert RQ_FILES, "no .rq files in microhe/queries/"
    assert sorted(catalogue()) == [p.stem for p in RQ_FILES]


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_every_query_has_a_summary_and_a_class(path):
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^#\+ summary: \S", text, flags=re.M), f"{path.name}: no '#+ summary:'"
    m = re.search(r"^#\+ class: (\S+)\s*$", text, flags=re.M)
    assert m, f"{path.name}: no '#+ class:'"
    assert m.group(1) in CLASSES, f"{path.name}: class {m.group(1)!r} not one of {CLASSES}"


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_every_header_is_complete_and_each_parameter_is_used_and_projected(path):
    text = path.read_text(encoding="utf-8")
    nq = parse_query_file(path.stem, text)
    assert nq.summary and nq.description and nq.tags
    sparql = body(text)
    select = sparql.split("WHERE", 1)[0]
    for p in nq.params:
        assert p.type in PARAM_TYPES
        assert p.description, f"{path.name}: parameter {p.name} has no description"
        assert re.search(rf"\?{re.escape(p.name)}\b", sparql), f"{path.name}: ?{p.name} declared but not used"
        # pyoxigraph substitutes projected variables only
        assert re.search(rf"\?{re.escape(p.name)}\b", select), f"{path.name}: ?{p.name} is not projected"
        assert not re.search(rf"BOUND\s*\(\s*\?{re.escape(p.name)}\b", sparql), \
            f"{path.name}: BOUND(?{p.name}) is always false for a substituted parameter"


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_every_query_is_valid_sparql_and_runs_on_the_demo_store(demo_store, path):
    nq = catalogue()[path.stem]
    values = EXAMPLES.get(nq.name, {})
    missing = [p.name for p in nq.params if p.required and p.name not in values]
    assert not missing, f"README.md has no example for {nq.name} with {missing}"
    result = demo_store.query(nq.text_for(nq.bindings(values)), substitutions=nq.bindings(values))
    rows = list(result)
    if nq.name.endswith("-violation"):
        assert rows == [], f"{nq.name} must return no rows: {rows[:5]}"
    elif nq.name in RUNTIME_DATA_QUERIES:
        # Decisions are recorded at run time; the demo holds none (tests/recognition covers rows).
        assert rows == []
    elif not nq.name.startswith("construct-"):
        assert rows, f"{nq.name}: the README example returns no rows"
        assert re.search(r"\bORDER BY\b", body(nq.text)), f"{nq.name}: a report needs ORDER BY"


def test_every_query_is_listed_in_the_readme():
    for path in RQ_FILES:
        assert f"`{path.stem}`" in README, f"{path.stem} missing from microhe/queries/README.md"


def test_the_readme_examples_name_real_queries_and_parameters():
    cat = catalogue()
    assert README_EXAMPLES
    for name, values in EXAMPLES.items():
        assert name in cat, name
        cat[name].bindings(values)  # unknown parameter or bad value -> QueryError


def test_the_same_query_gives_the_same_rows_twice(demo_store):
    a = run(demo_store, "credentials-by-eqf-level", eqf="6")
    b = run(demo_store, "credentials-by-eqf-level", eqf="6")
    assert a == b


# ---------------------------------------------------------------------------------------
# parameters: types, missing values, injection
# ---------------------------------------------------------------------------------------


def test_a_missing_required_parameter_is_a_query_error():
    with pytest.raises(QueryError, match="eqf"):
        catalogue()["credentials-by-eqf-level"].bindings({})
    with pytest.raises(QueryError, match="framework"):
        catalogue()["framework-levels"].bindings({})


@pytest.mark.parametrize(("name", "values"), [
    ("credentials-by-eqf-level", {"eqf": "six"}),
    ("credentials-by-eqf-level", {"eqf": "6.5"}),
    ("credentials-of-institution", {"institution": "not an iri"}),
    ("credentials-of-institution", {"institution": 'https://example.org/x> } ; DROP ALL ; #'}),
    ("credential-summary", {"credential": 'https://example.org/"x"'}),
    ("framework-levels", {"framework": "SCQF", "nonsense": "1"}),
])
def test_a_value_of_the_wrong_type_or_an_unknown_parameter_is_a_query_error(name, values):
    with pytest.raises(QueryError):
        catalogue()[name].bindings(values)


INJECTIONS = [
    'SCQF" ) } } ; DROP ALL ; #',
    'x" || "1" = "1',
    "SCQF> } UNION { ?s ?p ?o } #",
    '}}} INSERT DATA { <urn:x> <urn:y> <urn:z> } #',
]


@pytest.mark.parametrize("evil", INJECTIONS)
def test_a_string_parameter_is_a_literal_and_an_injection_attempt_changes_nothing(scratch_store, evil):
    before = scratch_store.dump_bytes()
    for name, nq in catalogue().items():
        string_params = [p for p in nq.params if p.type == "string"]
        if not string_params:
            continue
        values = dict(EXAMPLES.get(name, {}))
        for p in string_params:
            values[p.name] = evil
        rows = list(scratch_store.query(nq.text_for(nq.bindings(values)), substitutions=nq.bindings(values)))
        assert rows == [], f"{name} matched the injected value {evil!r}"
    assert scratch_store.dump_bytes() == before


def test_an_iri_parameter_that_names_nothing_returns_nothing(demo_store):
    unknown = "https://example.org/no-such-thing"
    for name, nq in catalogue().items():
        iri_params = [p for p in nq.params if p.type == "iri" and p.required]
        if not iri_params:
            continue
        rows = run(demo_store, name, **{p.name: unknown for p in iri_params})
        assert rows == [], name


@pytest.mark.parametrize("eqf", ["0", "9", "-1", "600"])
def test_an_eqf_level_out_of_range_returns_nothing(demo_store, eqf):
    assert run(demo_store, "credentials-by-eqf-level", eqf=eqf) == []


# ---------------------------------------------------------------------------------------
# framework-levels against the referencing CSV
# ---------------------------------------------------------------------------------------


def _confidence(note: str) -> str:
    if "DISPUTED" in note:
        return "Disputed"
    if "UNCERTAIN" in note:
        return "Uncertain"
    if "inferred" in note.lower():
        return "Inferred"
    return "Stated"


def _sources(text: str) -> frozenset[str]:
    return frozenset(u.strip() for u in text.split(";") if u.strip())


def not_found(r: dict) -> bool:
    """Issue 22: a repository row saying no usable source gives the level's EQF level; the
    level has no referencing node."""
    return r["eqf"] is None and r["note"].startswith("Referencing not found")


def test_the_csv_names_every_framework_code():
    assert set(ALL_CODES) <= {r["code"] for r in CSV_ROWS}
    # the shared CSV's 129 level rows, less the 8 NLQF rows and the SQF 9 pre-Bologna row the
    # repository replaces, + its 174 level rows (90 + 84 of issue 22's second session); the third
    # session replaces the mirror-sourced rows NFQ 1-10, SCQF 1-12, RQF and CQFW (11 each), FHEQ
    # 4-8 (49) and adds NKR 4, QDG 1-8 and AQF 1-8 (17); the fourth adds ROQF 1-8 (8), NNMQF's 14
    # levels, KS-NQF 1-8 and BH-NQF 1-8 (16), CROQF 4.1 and ISQF 1, 3 and 4 (4):
    # 129 - 9 - 49 + 174 + 49 + 17 + 8 + 14 + 16 + 4; the fifth (quotes for stated levels)
    # replaces 60 shared rows with repository rows of the same level: + 60 - 60
    assert len(CSV_ROWS) == 129 - 9 - 49 + 174 + 49 + 17 + 8 + 14 + 16 + 4
    # of which 'Referencing not found': NFQ 1-3, QDG 1-8, AQF 1-8; ROQF 1-2 and 4-8, NNMQF's 14,
    # KS-NQF 1-8, BH-NQF 1-8
    assert sum(map(not_found, CSV_ROWS)) == 3 + 8 + 8 + 7 + 14 + 8 + 8


@pytest.mark.parametrize("code", ALL_CODES)
def test_framework_levels_match_the_referencing_csv(demo_store, code):
    expected = sorted(
        (slug(r["label"]), None, None, None, frozenset()) if not_found(r) else  # a level, no referencing
        (slug(r["label"]), r["eqf"], _confidence(r["note"]), r["note"], _sources(r["source_url"]))
        for r in CSV_ROWS if r["code"] == code
    )
    rows = run(demo_store, "framework-levels", framework=code.lower())
    got = sorted(
        (slug(val(r["label"])), int(val(r["eqf"])) if r["eqf"] else None, val(r["confidence"]),
         val(r["notes"]), frozenset(words(r["sources"])))
        for r in rows
    )
    assert got == expected
    assert {val(r["frameworkCode"]) for r in rows} == {code}
    assert all(val(r["eqfLevel"]) == f"{EQF}{val(r['eqf'])}" for r in rows if r["eqf"])


@pytest.mark.parametrize("code", ALL_CODES)
def test_framework_level_ranks_follow_the_eqf_order(demo_store, code):
    rows = run(demo_store, "framework-levels", framework=code)
    rank_of = {val(r["level"]): int(val(r["rank"])) for r in rows}
    assert sorted(rank_of.values()) == list(range(1, len(rank_of) + 1))
    lowest: dict[str, int] = {}
    for r in rows:
        e = int(val(r["eqf"])) if r["eqf"] else 0
        lowest[val(r["level"])] = min(lowest.get(val(r["level"]), 99), e)
    by_rank = [lowest[lvl] for lvl in sorted(rank_of, key=rank_of.get)]
    assert by_rank == sorted(by_rank), f"{code}: rank order disagrees with EQF order {by_rank}"
    # rows come ordered by rank
    assert [int(val(r["rank"])) for r in rows] == sorted(int(val(r["rank"])) for r in rows)


@pytest.mark.parametrize("code", ALL_CODES)
def test_framework_levels_link_the_eu_qdr_concepts_with_the_same_label(demo_store, code):
    exact: dict[str, set[str]] = defaultdict(set)
    close: dict[str, set[str]] = defaultdict(set)
    for iri, label in QDR_LABELS.items():
        hit = qdr_level(iri)
        if hit and hit[0] == code:
            exact[slug(hit[1])].add(iri)
        if label in _QDR_MULTI and _QDR_MULTI[label][0] == code:
            for lvl in _QDR_MULTI[label][1]:
                close[slug(lvl)].add(iri)
        if label in _QDR_FR_I and code == "FR-1969":
            close["i"].add(iri)
    rows = run(demo_store, "framework-levels", framework=code)
    for r in rows:
        s = slug(val(r["label"]))
        assert set(words(r["qdr"])) == exact.get(s, set()), f"{code} {s}: exactMatch"
        assert set(words(r["qdrClose"])) == close.get(s, set()), f"{code} {s}: closeMatch"


def test_framework_levels_of_the_eqf_are_its_eight_levels(demo_store):
    rows = run(demo_store, "framework-levels", framework="eqf")
    assert [(val(r["label"]), val(r["eqf"]), val(r["eqfLevel"])) for r in rows] == \
        [(str(n), str(n), f"{EQF}{n}") for n in range(1, 9)]


def test_framework_levels_of_an_unknown_code_is_empty(demo_store):
    assert run(demo_store, "framework-levels", framework="XQF") == []


def test_the_sqf_9_level_is_one_to_many_with_the_qualification_types_and_confidence(demo_store):
    rows = [r for r in run(demo_store, "framework-levels", framework="SQF") if val(r["label"]) == "9"]
    got = {(val(r["eqf"]), val(r["confidence"]), val(r["qualificationTypes"])) for r in rows}
    assert got == {("7", "Stated", "Diploma o specializaciji po univerzitetni izobrazbi"),
                   ("8", "Stated", "pre-Bologna Magisterij znanosti/umetnosti")}  # nok.si register (issue 22)


# ---------------------------------------------------------------------------------------
# credentials-by-eqf-level against the demo Turtle + CSV + QDR list
# ---------------------------------------------------------------------------------------


def expected_by_eqf(g: rdflib.Graph) -> dict[int, set[tuple[str, str]]]:
    """EQF level -> {(specification, declared level)} computed without the store."""
    out: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for spec in specs(g):
        for declared in declared_levels(g, spec):
            for e in expected_eqf(declared):
                out[e].add((str(spec), declared))
    return out


@pytest.mark.parametrize("eqf", range(1, 9))
def test_credentials_by_eqf_level_match_an_independent_resolution(demo_store, demo_graph, eqf):
    expected = expected_by_eqf(demo_graph)[eqf]
    rows = run(demo_store, "credentials-by-eqf-level", eqf=str(eqf))
    got = {(val(r["credential"]), val(r["declaredLevel"])) for r in rows}
    assert got == expected
    assert all(val(r["eqf"]) == str(eqf) for r in rows)


def test_every_demo_specification_resolves_to_some_eqf_level(demo_graph):
    resolved = {s for pairs in expected_by_eqf(demo_graph).values() for s, _ in pairs}
    assert resolved == {str(s) for s in specs(demo_graph)}


def test_a_specification_declaring_only_the_qdr_iri_of_rqf_6_is_at_eqf_6(demo_store, demo_graph):
    qdr_rqf6 = "http://data.europa.eu/snb/qdr/c_c392e7a2"
    assert QDR_LABELS[qdr_rqf6] == "RQF Level 6"
    only_qdr = [s for s in specs(demo_graph) if declared_levels(demo_graph, s) == {qdr_rqf6}]
    assert only_qdr, "the demo data should hold a specification declaring only RQF Level 6 by its QDR IRI"
    rows = run(demo_store, "credentials-by-eqf-level", eqf="6")
    for spec in only_qdr:
        hits = [r for r in rows if val(r["credential"]) == str(spec)]
        assert [(val(r["declaredLevel"]), val(r["declaredAs"])) for r in hits] == [(qdr_rqf6, "NQFLevel")]


def test_credentials_by_eqf_level_give_title_issuer_name_and_country(demo_store, demo_graph):
    for r in run(demo_store, "credentials-by-eqf-level", eqf="6"):
        spec = rdflib.URIRef(val(r["credential"]))
        assert val(r["title"]) == en(demo_graph, spec, DCT.title)
        issuer = rdflib.URIRef(val(r["issuer"]))
        assert issuer in issuers(demo_graph, spec)
        assert val(r["issuerName"]) == en(demo_graph, issuer, ROV.legalName)
        countries = {str(c) for loc in demo_graph.objects(issuer, ELM.location)
                     for a in demo_graph.objects(loc, ELM.address) for c in demo_graph.objects(a, ELM.countryCode)}
        assert val(r["country"]) in countries


# ---------------------------------------------------------------------------------------
# credentials-of-institution, credential-summary, learning outcomes, stacks, skills
# ---------------------------------------------------------------------------------------


def _ects(g: rdflib.Graph, spec) -> Decimal | None:
    points = [Decimal(str(p)) for cp in g.objects(spec, ELM.creditPoint)
              if {str(f) for f in g.objects(cp, ELM.framework)} & ECTS_IRIS
              for p in g.objects(cp, ELM.point)]
    return max(points) if points else None


def _hours(g: rdflib.Graph, spec) -> Decimal | None:
    for v in g.objects(spec, ELM.volumeOfLearning):
        d = v.toPython()
        if hasattr(d, "total_seconds") and not getattr(d, "years", 0) and not getattr(d, "months", 0):
            return Decimal(str(d.total_seconds())) / 3600
    return None


def _awarding_bodies(g: rdflib.Graph) -> set:
    return {b for s in specs(g) for b in issuers(g, s)}


def test_credentials_of_institution_match_the_demo_data_for_every_awarding_body(demo_store, demo_graph):
    bodies = _awarding_bodies(demo_graph)
    assert len(bodies) > 5
    for body_iri in sorted(bodies):
        expected = {s for s in specs(demo_graph) if body_iri in issuers(demo_graph, s)}
        rows = run(demo_store, "credentials-of-institution", institution=str(body_iri))
        assert {val(r["credential"]) for r in rows} == {str(s) for s in expected}, body_iri
        assert len(rows) == len(expected)
        for r in rows:
            spec = rdflib.URIRef(val(r["credential"]))
            assert val(r["title"]) == en(demo_graph, spec, DCT.title)
            ects = _ects(demo_graph, spec)
            assert (Decimal(val(r["ects"])) if r["ects"] else None) == ects
            hours = _hours(demo_graph, spec)
            assert (Decimal(val(r["hours"])) if r["hours"] else None) == hours
            want_eqf = set().union(*(expected_eqf(d) for d in declared_levels(demo_graph, spec)))
            assert {int(x) for x in words(r["eqf"])} == want_eqf
            assert set(words(r["levels"])) == declared_levels(demo_graph, spec)
            n_points = len(list(demo_graph.objects(spec, ELM.creditPoint)))
            assert len(words(r["credits"], "; ")) == n_points


def test_credentials_of_an_organisation_that_awards_nothing_is_empty(demo_store):
    assert run(demo_store, "credentials-of-institution", institution="https://w3id.org/microhe/ref/org/tampere-university") == []


def test_credential_summary_matches_the_demo_data_for_every_specification(demo_store, demo_graph):
    for spec in sorted(specs(demo_graph)):
        rows = run(demo_store, "credential-summary", credential=str(spec))
        fields: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            assert val(r["credential"]) == str(spec)
            fields[val(r["field"])].add(val(r["value"]))
        assert fields["title"] == {str(t) for t in demo_graph.objects(spec, DCT.title)}
        assert fields["issuer"] == {str(i) for i in issuers(demo_graph, spec)}
        assert fields["declaredLevel"] == declared_levels(demo_graph, spec)
        want_eqf = set().union(*(expected_eqf(d) for d in declared_levels(demo_graph, spec)))
        assert fields["eqf"] == {f"{EQF}{e}" for e in want_eqf}
        assert fields["outcome"] == {str(o) for o in demo_graph.objects(spec, ELM.learningOutcome)}
        assert fields["mode"] == {str(m) for m in demo_graph.objects(spec, ELM.mode)}
        assert fields["qa"] == {str(a) for a in demo_graph.objects(spec, ELM.accreditation)}
        assert fields["assessment"] == {str(t) for a in demo_graph.objects(spec, ELM.provenBy)
                                        for t in demo_graph.objects(a, DCT.type)}
        ects = _ects(demo_graph, spec)
        assert {Decimal(x) for x in fields["ects"]} == ({ects} if ects is not None else set())
        hours = _hours(demo_graph, spec)
        assert {Decimal(x) for x in fields["hours"]} == ({hours} if hours is not None else set())
        parts = {str(p) for p in demo_graph.objects(spec, ELM.hasPart)} | \
                {str(p) for p in demo_graph.subjects(ELM.isPartOf, spec)}
        assert fields["hasPart"] == parts


def test_credential_summary_of_the_rqf_6_specification(demo_store):
    spec = "https://w3id.org/microhe/demo/credential/eden-designing-micro-credentials"
    rows = {(val(r["field"]), val(r["value"]), val(r["label"])) for r in run(demo_store, "credential-summary", credential=spec)}
    assert ("declaredLevel", "http://data.europa.eu/snb/qdr/c_c392e7a2", "RQF Level 6") in rows
    assert ("eqf", f"{EQF}6", "6") in rows
    assert ("country", "http://publications.europa.eu/resource/authority/country/GBR", "GBR") in rows
    assert ("credits", "10", "UK") in rows


def test_learning_outcomes_of_a_credential_match_the_demo_data(demo_store, demo_graph):
    for spec in sorted(specs(demo_graph)):
        expected = set()
        for lo in demo_graph.objects(spec, ELM.learningOutcome):
            skills = {str(s) for p in (ELM.relatedESCOSkill, ELM.relatedSkill) for s in demo_graph.objects(lo, p)}
            expected |= {(str(lo), s) for s in skills} or {(str(lo), None)}
        rows = run(demo_store, "learning-outcomes-of-credential", credential=str(spec))
        assert {(val(r["outcome"]), val(r["skill"])) for r in rows} == expected
        for r in rows:
            assert val(r["title"]) == en(demo_graph, rdflib.URIRef(val(r["outcome"])), DCT.title)


def test_stacks_are_the_declared_pairs(demo_store, demo_graph):
    via_is = {(str(p), str(w)) for p, w in demo_graph.subject_objects(ELM.isPartOf)}
    via_has = {(str(p), str(w)) for w, p in demo_graph.subject_objects(ELM.hasPart)}
    expected = {pair: ("both" if pair in via_is and pair in via_has else "isPartOf" if pair in via_is else "hasPart")
                for pair in via_is | via_has}
    rows = run(demo_store, "stacks")
    assert {(val(r["part"]), val(r["whole"])): val(r["declaredBy"]) for r in rows} == expected
    assert len(rows) == len(expected)
    one = sorted(expected)[0][0]
    rows = run(demo_store, "stacks", credential=one)
    assert {(val(r["part"]), val(r["whole"])) for r in rows} == {pw for pw in expected if one in pw}


def test_skills_narrower_is_the_transitive_closure_of_broader(demo_store, demo_graph):
    children: dict[str, set[str]] = defaultdict(set)
    for n, b in demo_graph.subject_objects(SKOS.broader):
        children[str(b)].add(str(n))
    for b, n in demo_graph.subject_objects(SKOS.narrower):
        children[str(b)].add(str(n))
    tops = sorted({str(s) for s in demo_graph.subjects(RDF.type, SKOS.Concept) if str(s).startswith(DEMO + "skill/")})
    assert tops
    for skill in tops:
        seen, todo = {skill}, [skill]
        while todo:
            for c in children.get(todo.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        rows = run(demo_store, "skills-narrower", skill=skill)
        assert {val(r["narrower"]) for r in rows} == seen, skill
        for r in rows:
            n = rdflib.URIRef(val(r["narrower"]))
            cited = {lo for p in (ELM.relatedESCOSkill, ELM.relatedSkill) for lo in demo_graph.subjects(p, n)}
            assert int(val(r["outcomes"])) == len(cited)


# ---------------------------------------------------------------------------------------
# recognition: level equivalents and credit conversion rules
# ---------------------------------------------------------------------------------------


#: QF-EHEA cycles a self-certification or CSV note names for these levels (by hand; see
#: tests/frameworks/test_levels.py CYCLES): NFQ 6 short, NFQ 7 and 8 first, SCQF 10 first
#: (uncertain), SQF 6 short.
NAMED_CYCLES = {("NFQ", "8"): "first", ("NFQ", "7"): "first", ("SCQF", "10"): "first", ("SCQF", "9"): "first",
                ("SQF", "6"): "short", ("NFQ", "6"): "short", ("LTKS", "5"): "short", ("LTKS", "6"): "first",
                ("FHEQ", "5"): "short", ("FHEQ", "6"): "first", ("SCQF", "8"): "short", ("SQF", "7"): "first"}


@pytest.mark.parametrize(("code", "label"), [("SQF", "9"), ("RQF", "Entry 3"), ("QF-EHEA", "short"),
                                             ("SCQF", "10"), ("FR-1969", "I"), ("NFQ", "8"), ("EQF", "6"),
                                             ("RQF", "4")])
def test_same_eqf_level_matches_the_csv(demo_store, code, label):
    if code == "EQF":
        eqfs = {int(label)}
    else:
        eqfs = CSV_EQF[(code, slug(label))]
    expected = {(r["code"], slug(r["label"]), r["eqf"]) for r in CSV_ROWS if r["eqf"] in eqfs and r["code"] != code}
    if code != "EQF":
        expected |= {("EQF", str(e), e) for e in eqfs}
    # QF-EHEA cycles only where named for the level (and the level's own cycle list when it is one)
    if code == "QF-EHEA":
        expected = {x for x in expected if x[0] == "EQF" or NAMED_CYCLES.get((x[0], x[1])) == slug(label)}
    elif code != "EQF":
        expected = {x for x in expected if x[0] != "QF-EHEA" or NAMED_CYCLES.get((code, slug(label))) == x[1]}
    rows = run(demo_store, "same-eqf-level", framework=code.lower(), level=label.upper())
    got = {(val(r["otherFramework"]), slug(val(r["otherLabel"])), int(val(r["eqf"]))) for r in rows}
    assert got == expected
    assert {val(r["caveat"]) for r in rows} == {"broadly comparable level, not equivalence"}


def test_a_level_below_eqf_1_has_no_levels_at_the_same_eqf_level(demo_store):
    assert run(demo_store, "same-eqf-level", framework="RQF", level="Entry 1") == []


def test_credit_conversion_rules_match_the_reference_data(demo_store):
    g = parse_ttl(KG / "reference" / "credit-systems.ttl")
    code = {s: str(c) for s in g.subjects(RDF.type, MHE.CreditSystem) for c in g.objects(s, SKOS.notation)}
    expected = {}
    for rule in g.subjects(RDF.type, MHE.CreditConversionRule):
        expected[str(rule)] = (code[g.value(rule, MHE.sourceSystem)], code[g.value(rule, MHE.targetSystem)],
                               Decimal(str(g.value(rule, MHE.conversionFactor))),
                               str(g.value(rule, MHE.basis)).rsplit("#", 1)[-1],
                               str(g.value(rule, MHE.disputed)).lower(),
                               frozenset(str(s) for s in g.objects(rule, DCT.source)))
    rows = run(demo_store, "credit-conversion-rules")
    got = {val(r["rule"]): (val(r["sourceSystem"]), val(r["targetSystem"]), Decimal(val(r["factor"])),
                            val(r["basis"]), val(r["disputed"]), frozenset(words(r["sources"])))
           for r in rows}
    assert got == expected
    # the CSV's disputed US rule and the UK 2:1 convention are there, each next to its hours-based rule
    us = {v[3]: v for v in got.values() if v[:2] == ("US-SCH", "ECTS")}
    assert us["ConventionBasis"][2] == 2 and us["ConventionBasis"][4] == "true"
    assert "NotionalHoursBasis" in us
    uk = run(demo_store, "credit-conversion-rules", **{"from": "uk", "to": "ECTS"})
    assert {val(r["basis"]) for r in uk} == {"ConventionBasis", "NotionalHoursBasis"}
    assert all((val(r["sourceSystem"]), val(r["targetSystem"])) == ("UK", "ECTS") for r in uk)


# ---------------------------------------------------------------------------------------
# store-statistics against rdflib counts
# ---------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_store_statistics_match_counts_computed_with_rdflib(demo_store):
    # the whole store, read by rdflib from an N-Quads dump (no SPARQL involved)
    ds = rdflib.Dataset()
    ds.parse(data=demo_store.dump_bytes().decode("utf-8"), format="nquads")
    named = {str(g.identifier): g for g in ds.graphs() if str(g.identifier) != str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)}
    named = {iri: g for iri, g in named.items() if len(g)}

    def typed(*types) -> int:
        return len({s for g in named.values() for t in types for s in g.subjects(RDF.type, t)})

    expected = {
        "specifications": typed(*SPEC_TYPES),
        "organisations": typed(ELM.Organisation),
        "learningOutcomes": typed(ELM.LearningOutcome),
        "accreditations": typed(ELM.Accreditation),
        "frameworks": typed(MHE.QualificationsFramework),
        "levels": typed(MHE.FrameworkLevel),
        "levelReferencings": typed(MHE.LevelReferencing),
        "creditSystems": typed(MHE.CreditSystem),
        "creditConversionRules": typed(MHE.CreditConversionRule),
        "concepts": typed(SKOS.Concept),
        "graphs": len(named),
    }
    rows = run(demo_store, "store-statistics")
    counts = {val(r["statistic"]): int(val(r["count"])) for r in rows if r["graph"] is None}
    assert counts == expected
    triples = {val(r["graph"]): int(val(r["count"])) for r in rows if val(r["statistic"]) == "triples"}
    assert triples == {iri: len(g) for iri, g in named.items()}
    # each bundled reference and demo graph holds exactly the triples of its Turtle file
    for folder, base in (("reference", "https://w3id.org/microhe/ref/graph/"), ("demo", f"{DEMO}graph/")):
        for path in sorted((KG / folder).glob("*.ttl")):
            assert triples[base + path.stem] == len(parse_ttl(path)), path.name
    # and the values a reader checks first
    assert counts["frameworks"] == 16 + 31  # issue 22: +31 QDR frameworks
    assert counts["levelReferencings"] == len([r for r in CSV_ROWS if not not_found(r)])
    assert counts["specifications"] == len(specs(parse_ttl(KG / "demo" / "credentials.ttl")))


def test_store_statistics_on_an_empty_store_are_zero():
    s = Store()
    nq = catalogue()["store-statistics"]
    rows = [{v.value: sol[v.value] for v in (ox.Variable("statistic"), ox.Variable("count"))}
            for sol in s.query(nq.text)]
    assert rows and all(int(r["count"].value) == 0 for r in rows)


# ---------------------------------------------------------------------------------------
# edge cases (fixtures/edge-cases.ttl, loaded next to the demo data)
# ---------------------------------------------------------------------------------------

EDGE = "https://example.org/edge/"
EDGE_TTL = Path(__file__).parent / "fixtures" / "edge-cases.ttl"


@pytest.fixture(scope="module")
def edge_store() -> Store:
    s = demo_copy()
    quads = list(ox.parse(EDGE_TTL.read_bytes(), ox.RdfFormat.TURTLE, without_named_graphs=True))
    # with its derived values, as microhe.ingest.load writes them (the queries read mhe:derivedEQFLevel)
    from microhe.ingest.derive import derive, derived_graph

    g = "https://example.org/graph/edge-cases"
    s.write({g: quads, derived_graph(g): derive(s, quads, g)})
    return s


@pytest.fixture(scope="module")
def edge_graph() -> rdflib.Graph:
    return parse_ttl(EDGE_TTL)


def test_edge_case_levels_resolve_as_the_csv_and_the_qdr_list_say(edge_store, edge_graph):
    assert expected_eqf("http://data.europa.eu/snb/qdr/c_828fbcc3") == {7}    # I-Master
    assert expected_eqf("http://data.europa.eu/snb/qdr/c_de548626") == set()  # CQFW Entry 1-3
    assert expected_eqf("http://data.europa.eu/snb/qdr/c_0ab74a56") == set()  # MQF Level A
    for eqf in range(1, 9):
        want = {(str(s), d) for s in specs(edge_graph) for d in declared_levels(edge_graph, s) if eqf in expected_eqf(d)}
        got = {(val(r["credential"]), val(r["declaredLevel"]))
               for r in run(edge_store, "credentials-by-eqf-level", eqf=str(eqf)) if val(r["credential"]).startswith(EDGE)}
        assert got == want, eqf
    at7 = run(edge_store, "credentials-by-eqf-level", eqf="7")
    assert {val(r["credential"]) for r in at7 if val(r["credential"]).startswith(EDGE)} == {EDGE + "b", EDGE + "c"}
    a = [r for r in run(edge_store, "credentials-by-eqf-level", eqf="5") if val(r["credential"]) == EDGE + "a"]
    assert [(val(r["title"]), r["title"].language, val(r["issuerName"])) for r in a] == [("Grenzfälle", "de", "Randfall-Hochschule")]  # noqa: E501 - data kept on one line
    assert val(a[0]["country"]).endswith("/AUT")


def test_edge_case_an_unresolvable_level_or_a_month_workload_does_not_blank_the_other_values(edge_store):
    rows = {val(r["credential"]): r for r in run(edge_store, "credentials-of-institution", institution=EDGE + "org")}
    assert sorted(rows) == [EDGE + "a", EDGE + "b", EDGE + "c"]
    a, b, c = rows[EDGE + "a"], rows[EDGE + "b"], rows[EDGE + "c"]
    assert words(a["eqf"]) == ["5"]
    assert len(words(a["levels"])) == 2
    assert sorted(words(a["credits"], "; ")) == ["4 ECTS", "8 UK"]
    assert val(a["ects"]) == "4" and a["hours"] is None
    assert words(b["eqf"]) == ["7"] and val(b["hours"]) == "1.5" and b["ects"] is None and b["credits"] is None
    assert sorted(words(c["eqf"])) == ["7", "8"]


def test_edge_case_summary_outcomes_and_one_sided_stack(edge_store):
    summary = {(val(r["field"]), val(r["value"])) for r in run(edge_store, "credential-summary", credential=EDGE + "c")}
    assert ("type", "http://data.europa.eu/snb/model/elm/LearningAchievementSpecification") in summary
    assert {v for f, v in summary if f == "eqf"} == {f"{EQF}7", f"{EQF}8"}
    assert {v for f, v in summary if f == "title"} == {"Edge case C", "Randfall C"}
    outcomes = run(edge_store, "learning-outcomes-of-credential", credential=EDGE + "c")
    assert {(val(r["outcome"]), val(r["skill"]), val(r["relation"])) for r in outcomes} == {
        (EDGE + "c-lo1", None, None),
        (EDGE + "c-lo2", DEMO + "skill/statistical-analysis", "relatedESCOSkill"),
        (EDGE + "c-lo2", DEMO + "skill/data-visualisation", "relatedSkill"),
    }
    stack = run(edge_store, "stacks", credential=EDGE + "a")
    assert [(val(r["part"]), val(r["whole"]), val(r["declaredBy"])) for r in stack] == [(EDGE + "b", EDGE + "a", "isPartOf")]
    summary_a = {(val(r["field"]), val(r["value"])) for r in run(edge_store, "credential-summary", credential=EDGE + "a")}
    assert ("hasPart", EDGE + "b") in summary_a and not any(f == "hours" for f, _ in summary_a)


def expected_facets(g: rdflib.Graph) -> dict[tuple[str, str], int]:
    """(facet, value) -> number of specifications, computed with rdflib."""
    return {k: len(v) for k, v in expected_facet_members(g).items()}


def expected_facet_members(g: rdflib.Graph) -> dict[tuple[str, str], set]:
    """(facet, value) -> the specifications with it, computed with rdflib."""
    expected: dict[tuple[str, str], set] = defaultdict(set)
    for s in specs(g):
        for d in declared_levels(g, s):
            for e in expected_eqf(d):
                expected[("eqf", f"{EQF}{e}")].add(s)
        for b in issuers(g, s):
            expected[("issuer", str(b))].add(s)
            for loc in g.objects(b, ELM.location):
                for a in g.objects(loc, ELM.address):
                    for c in g.objects(a, ELM.countryCode):
                        expected[("country", str(c))].add(s)
        for m in g.objects(s, ELM.mode):
            expected[("mode", str(m))].add(s)
        for i in g.objects(s, ELM.ISCEDFCode):
            expected[("isced", str(i))].add(s)
        for cp in g.objects(s, ELM.creditPoint):
            for f in g.objects(cp, ELM.framework):
                expected[("creditSystem", str(f))].add(s)
    return expected


def facet_counts(demo_store: Store) -> dict[tuple[str, str], int]:
    return {(val(r["facet"]), val(r["value"])): int(val(r["count"])) for r in run(demo_store, "credential-facets")}


def test_credential_facets_count_the_specifications_as_rdflib_does(demo_store, demo_graph):
    g = demo_graph + parse_ttl(KG / "reference" / "credit-systems.ttl")
    assert facet_counts(demo_store) == expected_facets(g)
    rows = run(demo_store, "credential-facets")
    labels = {val(r["value"]): val(r["label"]) for r in rows if val(r["facet"]) in ("eqf", "creditSystem")}
    assert labels[f"{EQF}6"] == "6" and labels["http://data.europa.eu/snb/education-credit/6fcec5c5af"] == "ECTS"


def test_credential_facets_rows_are_ordered_by_facet_count_and_value(demo_store):
    rows = [(val(r["facet"]), -int(val(r["count"])), val(r["value"])) for r in run(demo_store, "credential-facets")]
    assert len(rows) > 20 and rows == sorted(rows)
    assert len({(f, c) for f, c, _ in rows}) < len(rows), "the demo data should have equal counts to order"


def test_eqf_country_and_mode_facets_list_their_members_page_keys(demo_store, demo_graph):
    """mhe:facetMember: the page keys (SHA-256 of the IRI, computed here with hashlib) of the
    specifications with the facet value; mhe:pageKey: each specification's own key."""
    import hashlib

    def key(iri) -> str:
        return hashlib.sha256(str(iri).encode()).hexdigest()[:15]

    want = {k: {key(s) for s in members} for k, members in expected_facet_members(demo_graph).items()
            if k[0] in ("eqf", "country", "mode")}
    got: dict = defaultdict(set)
    for r in demo_store.query("PREFIX mhe: <https://w3id.org/microhe/ontology#> SELECT ?f ?v ?k WHERE { "
                         "?n mhe:facet ?f ; mhe:facetValue ?v ; mhe:facetMember ?k }"):
        got[(r["f"].value, r["v"].value)].add(r["k"].value)
    assert dict(got) == want and want
    keys = {r["s"].value: r["k"].value for r in demo_store.query(
        "SELECT ?s ?k WHERE { ?s <https://w3id.org/microhe/ontology#pageKey> ?k }")}
    assert set(keys) == {str(s) for s in specs(demo_graph)} and all(k == key(s) for s, k in keys.items())
    # ECTS members: per derived ECTS value, the keys of the specifications with that value
    by_value: dict = defaultdict(set)
    for r in demo_store.query("PREFIX mhe: <https://w3id.org/microhe/ontology#> SELECT ?s ?v WHERE { ?s mhe:derivedECTS ?v }"):
        by_value[float(r["v"].value)].add(key(r["s"].value))
    members: dict = defaultdict(set)
    for r in demo_store.query("PREFIX mhe: <https://w3id.org/microhe/ontology#> SELECT ?v ?k WHERE { "
                         "?n mhe:ectsValue ?v ; mhe:facetMember ?k }"):
        members[float(r["v"].value)].add(r["k"].value)
    assert dict(members) == dict(by_value) and len(by_value) > 3


def test_optional_blocks_are_kept_only_for_given_parameters():
    text = """#+ summary: s
#+ param: a iri optional x
#+ param: b iri optional y
SELECT ?s ?a ?b WHERE {
  ?s ?p ?o .
  ?s <urn:p> ?a .   #+ if a
  ?s <urn:q> ?b .   #+ if a b
}"""
    nq = parse_query_file("t", text)
    assert "<urn:p>" not in nq.text_for({}) and "<urn:q>" not in nq.text_for({})
    assert "<urn:p>" not in nq.text_for({"b"}) and "<urn:q>" in nq.text_for({"b"})
    assert nq.text_for({"a"}) == text
    with pytest.raises(QueryError, match="not a declared parameter"):
        parse_query_file("t", text.replace("#+ if a b", "#+ if c"))


def test_search_credentials_leaves_out_the_blocks_of_absent_parameters():
    nq = catalogue()["search-credentials"]
    bare = nq.text_for({})
    assert '"country"' not in bare and '"mode"' not in bare and "mhe:ectsValue" not in bare
    assert "?candidate mhe:pageKey" in bare and "?candidate mhe:pageKey" not in nq.text_for({"ectsMax"})
    assert '"country"' in nq.text_for({"country"}) and "mhe:ectsValue" in nq.text_for({"ectsMin"})


FIXTURES = ROOT / "tests" / "fixtures"


def test_credential_facet_counts_follow_a_load_a_replace_and_a_drop_of_a_graph(demo_graph):
    """The counts are kept per graph at load time (<g>#derived): they follow the graph's
    content when it is loaded, replaced and dropped."""
    from microhe.ingest.load import Source, drop, load

    s = demo_copy()
    base = demo_graph + parse_ttl(KG / "reference" / "credit-systems.ttl")
    graph = "https://example.org/graph/facets"
    first, second = FIXTURES / "spec-valid.ttl", FIXTURES / "upload-applied-data-analysis.ttl"

    def summed(*extra: Path) -> dict[tuple[str, str], int]:
        # per graph, as the derived counts are: the demo graph and the loaded file each count
        out = dict(expected_facets(base))
        for path in extra:
            for k, n in expected_facets(parse_ttl(path, KG / "reference" / "institutions.ttl",
                                                  KG / "reference" / "credit-systems.ttl")).items():
                out[k] = out.get(k, 0) + n
        return out

    load(s, [Source.from_path(first)], graph=graph)
    assert facet_counts(s) == summed(first)
    load(s, [Source.from_path(second)], graph=graph, replace=True, profiles=("consistency",))  # not M1-M11 complete
    assert facet_counts(s) == summed(second)
    assert summed(second) != summed(first)
    drop(s, graph)
    assert facet_counts(s) == expected_facets(base)


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_inlined_iri_parameters_give_the_rows_of_plain_substitutions(demo_store, path):
    """The engine writes IRI parameters into the patterns (microhe.rdf.sparql_text.inline_iris,
    100x faster where a UNION branch or a path uses them); the rows must be those of the
    query evaluated by pyoxigraph with the parameters as substitutions only."""
    from microhe.engine.results import query as engine_query

    nq = catalogue()[path.stem]
    values = EXAMPLES.get(nq.name, {})
    bindings = nq.bindings(values)
    text = nq.text_for(bindings)
    plain = demo_store._db.query(text, use_default_graph_as_union=True,
                                 substitutions={ox.Variable(k): v for k, v in bindings.items()})
    inlined = engine_query(demo_store._db, text, substitutions=bindings)
    if isinstance(plain, ox.QuerySolutions):
        assert isinstance(inlined, ox.QuerySolutions)
        assert [v.value for v in inlined.variables] == [v.value for v in plain.variables]
        assert sorted(map(str, inlined)) == sorted(map(str, plain))
    elif isinstance(plain, ox.QueryBoolean):
        assert bool(inlined) == bool(plain)
    else:
        assert sorted(map(str, inlined)) == sorted(map(str, plain))


def test_the_examples_exercise_inlining():
    """The equivalence test above is not vacuous: the README examples of these queries have
    IRI parameters the engine writes into their patterns."""
    from microhe.rdf.sparql_text import inline_iris

    cat = catalogue()
    inlined = set()
    for name, values in EXAMPLES.items():
        bindings = cat[name].bindings(values)
        text = cat[name].text_for(bindings)
        if inline_iris(text, bindings) != text:
            inlined.add(name)
    assert {"credential-summary", "credentials-of-institution", "learning-outcomes-of-credential"} <= inlined
