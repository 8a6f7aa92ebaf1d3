"""Faceted search (microhe.recognition.search) over the demo data, checked against
expectations computed independently here: rdflib over the demo Turtle (and the partner
institutions), EU QDR labels from the ELM ``nqf.xsd``, EQF levels from the shared
referencing CSV, ECTS from domain.md's conversion conventions, ISCED-F fields by code
prefix and the demo skill hierarchy by ``skos:broader``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.namespace import DCTERMS, SKOS

from microhe.frameworks.levels import UnknownFrameworkError, UnknownLevelError
from microhe.recognition.models import SearchResults
from microhe.recognition.search import SearchError, search

from .conftest import DEMO, DEMO_DIR, REFERENCE_DIR, SHARED, SKILL, csv_levels

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
ROV = Namespace("http://www.w3.org/ns/regorg#")
ECTS_IRI = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
CREDIT_SYSTEM = "https://w3id.org/microhe/ref/credit-system/"
MODES = {"920fbb3cbe": "online", "9191af2ed9": "presential", "e92d221e4d": "blended"}
BANDS = [(0, 1, "<1"), (1, 3, "1-3"), (3, 6, "3-6"), (6, 10, "6-10"), (10, 15, "10-15"), (15, 30, "15-30"),
         (30, math.inf, ">=30")]

EQF_OF = {k: v["eqf"] for k, v in csv_levels().items()} | {("EQF", str(n)): {n} for n in range(1, 9)}

# QDR label forms of domain.md section 4 -> framework code.
_QDR_FW = {"DQR": "DQR", "LTQF": "LTKS", "FiNQF": "FINQF", "SQF": "SQF", "MQF": "MQF", "QNQ": "QNQ",
           "IT NQF": "QNQ", "IE NQF": "NFQ", "SCQF": "SCQF", "RQF": "RQF", "CQFW": "CQFW", "NLQF": "NLQF",
           "FQF": "CNCP"}  # CNCP n = QDR 'FQF Level n' (issue 17)


def _qdr_labels() -> dict[str, str]:
    text = (SHARED / "anchors" / "elm" / "cv-xsd" / "nqf.xsd").read_text(encoding="utf-8")
    return dict(re.findall(r'<xs:enumeration value="([^"]+)">\s*<xs:annotation>\s*'
                           r"<xs:documentation>([^<]+)</xs:documentation>", text))


QDR = _qdr_labels()


def level_key(iri: str) -> tuple[str, str]:
    """(framework code, bare label) of a declared level IRI, from its IRI or QDR label."""
    if m := re.fullmatch(r"http://data\.europa\.eu/snb/eqf/(\d)", iri):
        return "EQF", m.group(1)
    if m := re.fullmatch(r"https://w3id\.org/microhe/ref/framework/([^/]+)/level/(.+)", iri):
        return m.group(1), m.group(2)
    label = QDR[iri]
    if label.startswith("NQF RNCP Level "):
        return "FR-1969", label.split()[3].split("-")[0]
    m = re.fullmatch(r"(.+?) Level (\S+)", label)
    return _QDR_FW[m.group(1)], m.group(2)


def hours(duration) -> float:
    """Hours of an xsd:duration literal (rdflib gives a timedelta for day-time durations)."""
    return duration.toPython().total_seconds() / 3600


@dataclass
class Expected:
    iri: str
    title: str = ""
    text: str = ""
    country: str | None = None
    levels: set[tuple[str, str]] = field(default_factory=set)
    eqf: set[int] = field(default_factory=set)
    ects: float | None = None
    modes: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    skills: set[str] = field(default_factory=set)


def _en(g: Graph, s, p) -> list[str]:
    return [str(o) for o in g.objects(s, p) if getattr(o, "language", None) in (None, "en")]


def _expected() -> tuple[dict[str, Expected], dict[str, set[str]]]:
    g = Graph()
    g.parse(DEMO_DIR / "credentials.ttl", format="turtle")
    g.parse(REFERENCE_DIR / "institutions.ttl", format="turtle")
    skills = Graph()
    skills.parse(DEMO_DIR / "skills.ttl", format="turtle")
    narrower: dict[str, set[str]] = {}
    for c in set(skills.subjects(SKOS.broader, None)) | set(skills.objects(None, SKOS.broader)):
        narrower[str(c)] = {str(n) for n in skills.transitive_subjects(SKOS.broader, c)}
    out: dict[str, Expected] = {}
    for spec in g.subjects(RDF.type, ELM.Qualification):
        e = Expected(str(spec))
        e.title = _en(g, spec, DCTERMS.title)[0]
        names: list[str] = []
        for opp in g.objects(spec, ELM.awardingOpportunity):
            for org in g.objects(opp, ELM.awardingBody):
                names += _en(g, org, ROV.legalName) + _en(g, org, SKOS.prefLabel)
                for loc in g.objects(org, ELM.location):
                    for addr in g.objects(loc, ELM.address):
                        for cc in g.objects(addr, ELM.countryCode):
                            e.country = str(cc).rsplit("/", 1)[1]
        e.text = " ".join([e.title, *_en(g, spec, DCTERMS.description), *names]).casefold()
        for p in (ELM.EQFLevel, ELM.NQFLevel):
            for lv in g.objects(spec, p):
                key = level_key(str(lv))
                e.levels.add(key)
                e.eqf |= EQF_OF[key]
        credits = {}
        for cp in g.objects(spec, ELM.creditPoint):
            credits[str(g.value(cp, ELM.framework))] = float(g.value(cp, ELM.point))
        if ECTS_IRI in credits:
            e.ects = credits[ECTS_IRI]
        elif CREDIT_SYSTEM + "UK" in credits or CREDIT_SYSTEM + "SCQF" in credits:
            e.ects = (credits.get(CREDIT_SYSTEM + "UK") or credits[CREDIT_SYSTEM + "SCQF"]) / 2  # 2:1 convention
        elif CREDIT_SYSTEM + "US-SCH" in credits:
            e.ects = credits[CREDIT_SYSTEM + "US-SCH"] * 2  # the disputed 1:2 rule
        elif (vol := g.value(spec, ELM.volumeOfLearning)) is not None:
            h = hours(vol)
            e.ects = (h / 30 + h / 25) / 2  # hours only: the midpoint of 25-30 h per ECTS
        e.modes = {MODES[str(m).rsplit("/", 1)[1]] for m in g.objects(spec, ELM.mode)}
        e.fields = {str(f).rsplit("/", 1)[1] for f in g.objects(spec, ELM.ISCEDFCode)}
        e.skills = {str(s) for lo in g.objects(spec, ELM.learningOutcome) for s in g.objects(lo, ELM.relatedESCOSkill)}
        out[e.iri] = e
    return out, narrower


RECORDS, NARROWER = _expected()


def expect(pred) -> set[str]:
    return {e.iri for e in RECORDS.values() if pred(e)}


def all_of(demo_store, **kw) -> SearchResults:
    return search(demo_store, limit=1000, **kw)


def got(demo_store, **kw) -> set[str]:
    doc = all_of(demo_store, **kw)
    assert doc.total == len(doc.results)
    return {r.iri for r in doc.results}


def facets_of(iris: set[str]) -> dict:
    out: dict[str, dict[str, int]] = {"eqf": {}, "country": {}, "field": {}, "mode": {}, "ects": {}}

    def inc(facet, key):
        out[facet][key] = out[facet].get(key, 0) + 1

    for iri in iris:
        e = RECORDS[iri]
        for x in e.eqf:
            inc("eqf", str(x))
        if e.country:
            inc("country", e.country)
        for f in e.fields:
            inc("field", f)
        for m in e.modes:
            inc("mode", m)
        if e.ects is not None:
            inc("ects", next(b for lo, hi, b in BANDS if lo <= e.ects < hi))
    return {k: dict(sorted(v.items())) for k, v in out.items()}


# -- the expectations themselves -------------------------------------------------------


def test_the_independent_model_matches_the_demo_readme():
    assert len(RECORDS) == 46
    assert RECORDS[DEMO + "eden-designing-micro-credentials"].levels == {("RQF", "6")}
    assert RECORDS[DEMO + "jsi-research-software-engineering"].eqf == {7, 8}
    assert RECORDS[DEMO + "strathlowe-applied-data-analysis"].ects == 7.5
    assert RECORDS[DEMO + "bellerive-digital-project-management"].levels == {("FR-1969", "II")}


# -- every record: EQF and ECTS --------------------------------------------------------


def test_every_record_with_its_eqf_levels_and_ects(demo_store):
    doc = all_of(demo_store)
    assert doc.total == len(RECORDS)
    for r in doc.results:
        e = RECORDS[r.iri]
        assert set(r.eqf) == e.eqf, r.iri
        assert r.ects == pytest.approx(e.ects, abs=0.0051), r.iri
        assert r.country == e.country
        assert set(r.modes) == e.modes
        assert set(r.fields) == e.fields


def test_stable_order_by_title_then_iri(demo_store):
    results = all_of(demo_store).results
    assert [r.iri for r in results] == [e.iri for e in sorted(RECORDS.values(),
                                                                  key=lambda e: (e.title.casefold(), e.iri))]


# -- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize("eqf", range(1, 9))
def test_eqf_filter_includes_nqf_only_credentials(demo_store, eqf):
    assert got(demo_store, eqf=eqf) == expect(lambda e: eqf in e.eqf)


def test_the_qdr_only_rqf_6_credential_is_found_under_eqf_6(demo_store):
    assert DEMO + "eden-designing-micro-credentials" in got(demo_store, eqf=6)
    assert DEMO + "jsi-research-software-engineering" in got(demo_store, eqf=7) & got(demo_store, eqf=8)


@pytest.mark.parametrize("framework,level", [
    ("SCQF", "11"), ("scqf", "9"), ("RQF", "6"), ("RQF", "4"), ("FHEQ", "6"), ("DQR", "6"), ("QF-EHEA", "second"),
    ("FR-1969", "II"), ("SQF", "9"), ("EQF", "7"), ("NFQ", "8"), ("QNQ", "7"), ("CQFW", "5"), ("SCQF", "2"),
    ("RQF", "http://data.europa.eu/snb/qdr/c_c392e7a2"),
])
def test_framework_and_level(demo_store, framework, level):
    key = (framework.upper(), level) if not level.startswith("http") else ("RQF", "6")
    want = expect(lambda e: key in e.levels)
    doc = all_of(demo_store, framework=framework, level=level)
    assert {r.iri for r in doc.results} == want
    assert doc.level is not None and doc.level.eqf == sorted(EQF_OF[key])


def test_qnq_7_finds_both_qdr_concepts_of_the_level(demo_store):
    # QDR has "QNQ Level 7" and "IT NQF Level 7": both are QNQ 7.
    assert got(demo_store, framework="QNQ", level="7") == {DEMO + "fpm-bim-fundamentals",
                                                          DEMO + "fpm-energy-efficiency-buildings"}


@pytest.mark.parametrize("lo,hi", [(5, 7.5), (1, 2), (6, 6), (10, None), (None, 1.5), (0, None), (7.5, 7.5), (20, None)])
def test_ects_range_over_credits_in_every_system(demo_store, lo, hi):
    want = expect(lambda e: e.ects is not None and (lo is None or e.ects >= lo - 1e-9)
                  and (hi is None or e.ects <= hi + 1e-9))
    assert got(demo_store, ects_min=lo, ects_max=hi) == want


def test_ects_range_reaches_scqf_uk_us_and_hours_only_credentials(demo_store):
    found = got(demo_store, ects_min=1, ects_max=10)
    for slug in ("strathlowe-applied-data-analysis",   # 15 SCQF
                 "eden-designing-micro-credentials",   # 10 UK
                 "acb-introductory-statistics",        # 3 US semester credit hours
                 "eden-accessible-learning-materials",  # 40 hours only
                 "ashcombe-cybersecurity-awareness"):   # 30 hours only
        assert DEMO + slug in found, slug


@pytest.mark.parametrize("code", ["06", "061", "0613", "05", "0542", "09", "01", "0688", "10"])
def test_field_includes_narrower_isced_codes(demo_store, code):
    assert got(demo_store, field=code) == expect(lambda e: any(f.startswith(code) for f in e.fields))


def test_field_06_includes_0613(demo_store):
    assert got(demo_store, field="0613") < got(demo_store, field="06")
    assert got(demo_store, field="http://data.europa.eu/snb/isced-f/06") == got(demo_store, field="06")


@pytest.mark.parametrize("skill", ["data-analysis", "data-science", "statistical-analysis", "machine-learning",
                                   "carbon-accounting", "python-data-wrangling"])
def test_skill_includes_narrower_skills(demo_store, skill):
    wanted = {SKILL + skill} | NARROWER.get(SKILL + skill, set())
    assert got(demo_store, skill=SKILL + skill) == expect(lambda e: bool(e.skills & wanted))


def test_skill_data_analysis_finds_the_narrower_python_data_wrangling(demo_store):
    assert DEMO + "strathlowe-applied-data-analysis" in got(demo_store, skill=SKILL + "data-analysis")


@pytest.mark.parametrize("country", ["GBR", "gbr", "DEU", "LTU", "FRA", "IRL", "NLD", "USA",
                                     "http://publications.europa.eu/resource/authority/country/FIN"])
def test_country(demo_store, country):
    code = country.rsplit("/", 1)[-1].upper()
    assert got(demo_store, country=country) == expect(lambda e: e.country == code)


@pytest.mark.parametrize("mode", ["online", "presential", "blended", "Online"])
def test_mode(demo_store, mode):
    assert got(demo_store, mode=mode) == expect(lambda e: mode.lower() in e.modes)


def test_modes_partition_the_demo_data(demo_store):
    assert [len(got(demo_store, mode=m)) for m in ("online", "presential", "blended")] == [19, 10, 17]


@pytest.mark.parametrize("text", ["python", "data analysis", "Strathlowe", "VMU", "fictional", "sustainab",
                                  "DATA  Visualisation", "nonexistentword"])
def test_text(demo_store, text):
    words = text.casefold().split()
    assert got(demo_store, text=text) == expect(lambda e: all(w in e.text for w in words))


@pytest.mark.parametrize("kw", [
    {"eqf": 6, "country": "GBR", "mode": "online"},
    {"field": "06", "ects_min": 5},
    {"eqf": 7, "skill": SKILL + "data-analysis"},
    {"text": "data", "eqf": 6, "ects_max": 5},
    {"framework": "NLQF", "level": "6", "mode": "blended"},
    {"country": "DEU", "field": "06", "eqf": 6, "ects_min": 5, "ects_max": 5},
    {"eqf": 8, "country": "GBR"},
])
def test_combinations(demo_store, kw):
    def ok(e: Expected) -> bool:
        return all([
            kw.get("eqf") is None or kw["eqf"] in e.eqf,
            kw.get("country") is None or e.country == kw["country"],
            kw.get("mode") is None or kw["mode"] in e.modes,
            kw.get("field") is None or any(f.startswith(kw["field"]) for f in e.fields),
            kw.get("ects_min") is None or (e.ects is not None and e.ects >= kw["ects_min"]),
            kw.get("ects_max") is None or (e.ects is not None and e.ects <= kw["ects_max"]),
            kw.get("skill") is None or bool(e.skills & ({kw["skill"]} | NARROWER.get(kw["skill"], set()))),
            kw.get("text") is None or kw["text"] in e.text,
            kw.get("framework") is None or (kw["framework"], kw["level"]) in e.levels,
        ])

    assert got(demo_store, **kw) == expect(ok)


# -- pagination and facets -------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 7, 10, 20, 46])
@pytest.mark.parametrize("kw", [{}, {"eqf": 6}, {"mode": "online"}])
def test_pagination_is_stable_and_complete(demo_store, limit, kw):
    full = [r.iri for r in all_of(demo_store, **kw).results]
    pages, offset = [], 0
    while True:
        doc = search(demo_store, limit=limit, offset=offset, **kw)
        assert doc.total == len(full) and doc.limit == limit and doc.offset == offset
        if not doc.results:
            break
        assert len(doc.results) <= limit
        pages += [r.iri for r in doc.results]
        offset += limit
    assert pages == full
    assert len(set(pages)) == len(pages)
    first = search(demo_store, limit=limit, offset=0, **kw).results
    assert first == search(demo_store, limit=limit, offset=0, **kw).results


def test_limit_zero_gives_counts_only(demo_store):
    doc = search(demo_store, limit=0)
    assert doc.results == [] and doc.total == len(RECORDS)
    assert search(demo_store, offset=1000).results == []


@pytest.mark.parametrize("kw", [{}, {"eqf": 7}, {"country": "GBR"}, {"field": "06"}, {"mode": "presential"},
                                {"ects_min": 5, "ects_max": 10}])
def test_facet_counts(demo_store, kw):
    doc = search(demo_store, limit=5, **kw)  # facets are over every match, not just the page
    want = got(demo_store, **kw)
    assert doc.facets is not None and doc.facets.model_dump() == facets_of(want)
    f = doc.facets.model_dump()
    assert sum(f["country"].values()) == sum(1 for i in want if RECORDS[i].country)
    assert sum(f["mode"].values()) == sum(len(RECORDS[i].modes) for i in want)
    assert sum(f["eqf"].values()) == sum(len(RECORDS[i].eqf) for i in want)
    assert sum(f["ects"].values()) == sum(1 for i in want if RECORDS[i].ects is not None)


def test_facets_can_be_left_out(demo_store):
    assert search(demo_store, facets=False).facets is None
    assert "facets" not in search(demo_store, facets=False).to_json()


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("kw", [
    {"eqf": 0}, {"eqf": 9}, {"framework": "SCQF"}, {"mode": "hybrid"}, {"limit": -1},
    {"limit": 1001}, {"offset": -1}, {"ects_min": -1}, {"ects_max": float("nan")}, {"country": "GB"},
    {"country": "G1R"}, {"country": "GBRR"},
])
def test_bad_input_is_refused(demo_store, kw):
    with pytest.raises(SearchError):
        search(demo_store, **kw)


@pytest.mark.parametrize("level,key", [
    ("SCQF 11", ("SCQF", "11")),                                  # framework and level in one text
    ("SCQF Level 9", ("SCQF", "9")),
    ("RQF Level 6", ("RQF", "6")),                                # the QDR label
    ("http://data.europa.eu/snb/qdr/c_c392e7a2", ("RQF", "6")),   # the QDR concept
    ("https://w3id.org/microhe/ref/framework/SQF/level/9", ("SQF", "9")),
    ("second cycle", ("QF-EHEA", "second")),
])
def test_a_level_alone_as_microhe_level_accepts_it(demo_store, level, key):
    doc = all_of(demo_store, level=level)
    assert {r.iri for r in doc.results} == expect(lambda e: key in e.levels)
    assert doc.level is not None and (doc.level.framework, doc.level.level) == key


@pytest.mark.parametrize("framework,level,key", [("SCQF", "Level 11", ("SCQF", "11")),
                                                 ("FiNQF", "7", ("FINQF", "7")), ("LTQF", "6", ("LTKS", "6"))])
def test_a_level_as_credentials_write_it(demo_store, framework, level, key):
    doc = all_of(demo_store, framework=framework, level=level)
    assert {r.iri for r in doc.results} == expect(lambda e: key in e.levels)
    assert doc.level is not None and doc.level.framework == key[0]


@pytest.mark.parametrize("level", ["11", "6", "Entry 3"])
def test_an_ambiguous_level_is_refused_with_the_candidates(demo_store, level):
    from microhe.frameworks.parse import AmbiguousLevelError

    with pytest.raises(AmbiguousLevelError) as e:
        search(demo_store, level=level)
    assert e.value.valid and all(level.split()[-1] in c for c in e.value.valid)


def test_unknown_framework_or_level_is_refused_with_valid_values(demo_store):
    with pytest.raises(UnknownFrameworkError) as e:
        search(demo_store, framework="XQF", level="1")
    assert "SCQF" in e.value.valid
    with pytest.raises(UnknownLevelError) as e:
        search(demo_store, framework="SCQF", level="13")
    assert "12" in e.value.valid


def test_unknown_values_match_nothing(demo_store):
    assert got(demo_store, skill="https://example.org/no-such-skill") == set()
    assert got(demo_store, field="9999") == set()
    assert got(demo_store, country="ATA") == set()
