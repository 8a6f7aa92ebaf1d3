"""Credit conversion (microhe.frameworks.credits.convert), golden values computed by
hand from domain.md section 4 (revised semantics, issue 17), never from the code:

* ``ects.value`` is the published convention where one exists (UK and SCQF 2:1, basis
  ``convention``), the disputed US rules (2 ECTS per semester credit; a quarter credit is
  2/3 of a semester credit, so 4/3 ECTS), ECVET 1:1 by annual volume only (disputed, no
  official conversion), the identity for ECTS and the hours midpoint for HOURS;
* ``by_hours`` is the notional-hours range: 1 ECTS = 25-30 h (or the country's fixed value:
  Austria, Italy, Malta 25 h, Finland 27 h, Netherlands 28 h); 1 UK credit = 10 h; 1 SCQF
  credit point = 10 h; 1 US semester credit hour ~ 45 h, quarter ~ 30 h; HOURS are hours;
  ECVET defines no hours (None). ``by_hours.min <= by_hours.max`` always.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from microhe.frameworks.credits import CreditError, convert, parse_amount
from tests.recognition.conftest import csv_rows, csv_sources

ECTS_H = (25.0, 30.0)
#: system -> (hours per credit or None, convention ECTS per credit or None, disputed)
SEMANTICS = {
    "UK": (10.0, 0.5, False),
    "SCQF": (10.0, 0.5, False),
    "US-SCH": (45.0, 2.0, True),
    "US-QCH": (30.0, 4 / 3, True),     # 2/3 of a semester credit: 30 h, 2 x 2/3 ECTS
    "ECVET": (None, 1.0, True),        # no hours per point; 60 points = 60 ECTS = one year, by analogy only
    "HOURS": (1.0, None, False),
}
SYSTEMS = ["ECTS", *SEMANTICS]
AMOUNTS = [0, 1, 2.5, 3, 7.5, 15, 20, 45, 60, 120, 150]


def expected(amount: float, system: str, per_ects=ECTS_H) -> dict:
    if system == "ECTS":
        return {"value": amount, "min": amount, "max": amount, "basis": "identity", "disputed": False}
    hours, convention, disputed = SEMANTICS[system]
    if hours is None:
        return {"value": amount * convention, "min": None, "max": None, "basis": "convention", "disputed": disputed}
    lo = amount * hours / per_ects[1]
    hi = amount * hours / per_ects[0]
    if convention is None:
        return {"value": (lo + hi) / 2, "min": lo, "max": hi, "basis": "notional-hours", "disputed": False}
    return {"value": amount * convention, "min": lo, "max": hi, "basis": "convention", "disputed": disputed}


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize("amount", AMOUNTS)
def test_every_system_and_amount_against_hand_computed_values(demo_store, system, amount):
    doc = convert(demo_store, amount, system).model_dump(mode="json")
    want = expected(float(amount), system)
    assert doc["system"] == system
    assert doc["amount"] == amount
    assert doc["ects"]["value"] == pytest.approx(want["value"], abs=0.0051)  # rounded to 2 decimals
    assert doc["ects"]["basis"] == doc["basis"] == want["basis"]
    assert doc["ects"]["disputed"] is doc["disputed"] is want["disputed"]
    assert "min" not in doc["ects"] and "max" not in doc["ects"]  # removed (issue 17)
    if want["min"] is None:
        assert doc["by_hours"] is None and doc["hours"] is None
    else:
        h = doc["by_hours"]
        assert h["min"] == pytest.approx(want["min"], abs=0.0051)
        assert h["max"] == pytest.approx(want["max"], abs=0.0051)
        assert h["min"] <= h["max"]  # the invariant, for every system
        assert (h["hours_per_ects"]["min"], h["hours_per_ects"]["max"]) == ECTS_H
        assert h["sources"]
    assert doc["ects"]["sources"] and doc["sources"] and (doc["notes"] or system == "ECTS")
    json.dumps(doc, allow_nan=False)  # a valid JSON document


@pytest.mark.parametrize("amount,system,value,lo,hi", [
    (15, "SCQF", 7.5, 5.0, 6.0),      # the showcase: 150 h
    (10, "UK", 5.0, 3.33, 4.0),       # issue 17: value 5 (convention) beside 100 h = 3.33-4 ECTS
    (20, "UK", 10.0, 6.67, 8.0),      # 200 h
    (1, "US-SCH", 2.0, 1.5, 1.8),     # 45 h
    (3, "US-SCH", 6.0, 4.5, 5.4),     # 135 h
    (3, "US-QCH", 4.0, 3.0, 3.6),     # 3 quarter = 2 semester credits: 4 ECTS (disputed); 90 h
    (45, "HOURS", 1.65, 1.5, 1.8),
    (150, "HOURS", 5.5, 5.0, 6.0),
    (120, "UK", 60.0, 40.0, 48.0),    # the UK academic year
    (7.5, "ECTS", 7.5, 7.5, 7.5),
])
def test_golden_examples(demo_store, amount, system, value, lo, hi):
    doc = convert(demo_store, amount, system)
    assert doc.by_hours is not None
    assert (doc.ects.value, doc.by_hours.min, doc.by_hours.max) == (value, lo, hi)


def test_ecvet_points_have_no_official_conversion(demo_store):
    doc = convert(demo_store, 30, "ECVET")
    assert (doc.ects.value, doc.ects.basis, doc.ects.disputed) == (30, "convention", True)
    assert doc.by_hours is None
    assert "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32009H0708(02)" in doc.ects.sources
    assert any("replaced ECVET" in n for n in doc.notes)
    assert any("no hours-based figure" in n for n in doc.notes)


@pytest.mark.parametrize("country,hours,amount,system,lo,hi,value", [
    ("AUT", 25, 100, "HOURS", 4.0, 4.0, 4.0),         # 100 h / 25 h
    ("ITA", 25, 10, "UK", 4.0, 4.0, 5.0),              # 100 h / 25 h; the convention still gives 5
    ("MLT", 25, 150, "HOURS", 6.0, 6.0, 6.0),
    ("FIN", 27, 135, "HOURS", 5.0, 5.0, 5.0),          # 135 h / 27 h
    ("NLD", 28, 140, "HOURS", 5.0, 5.0, 5.0),          # 140 h / 28 h
    ("http://publications.europa.eu/resource/authority/country/NLD", 28, 2, "US-SCH", 3.21, 3.21, 4.0),  # 90/28
    ("DEU", None, 100, "HOURS", 3.33, 4.0, 3.67),      # no fixed value: 25-30 h
])
def test_a_countrys_fixed_hours_per_ects_win_over_25_30(demo_store, country, hours, amount, system, lo, hi, value):
    doc = convert(demo_store, amount, system, country)
    assert doc.by_hours is not None
    assert (doc.by_hours.min, doc.by_hours.max, doc.ects.value) == (lo, hi, value)
    if hours is None:
        assert doc.by_hours.country is None and (doc.by_hours.hours_per_ects.min, doc.by_hours.hours_per_ects.max) == (25, 30)
    else:
        assert (doc.by_hours.hours_per_ects.min, doc.by_hours.hours_per_ects.max) == (hours, hours)
        assert doc.by_hours.country == country[-3:]


def test_ects_in_a_fixed_hours_country_gives_its_hours(demo_store):
    doc = convert(demo_store, 4, "ECTS", "NLD")
    assert doc.hours is not None and (doc.hours.min, doc.hours.max) == (112, 112)  # 4 x 28 h
    assert doc.by_hours is not None and (doc.by_hours.min, doc.by_hours.max) == (4, 4)


@pytest.mark.parametrize("country", ["Austria", "AT", "12", "A\u00dfT", "http://example.org/country/AUT"])
def test_a_bad_country_is_refused(demo_store, country):
    with pytest.raises(CreditError, match="alpha-3"):
        convert(demo_store, 10, "UK", country)


def test_the_showcase_document_exactly(demo_store):
    doc = convert(demo_store, 15, "SCQF").model_dump(mode="json")
    assert {k: doc[k] for k in ("amount", "system", "basis", "disputed")} == {
        "amount": 15, "system": "SCQF", "basis": "convention", "disputed": False}
    assert {k: doc["ects"][k] for k in ("value", "basis", "disputed")} == {
        "value": 7.5, "basis": "convention", "disputed": False}
    assert {k: doc["by_hours"][k] for k in ("min", "max", "hours_per_credit", "hours_per_ects", "country")} == {
        "min": 5, "max": 6, "hours_per_credit": {"min": 10, "max": 10},
        "hours_per_ects": {"min": 25, "max": 30}, "country": None}
    assert doc["hours"] == {"min": 150, "max": 150}


@pytest.mark.parametrize("system", ["UK", "SCQF", "US-SCH", "US-QCH"])
def test_a_convention_outside_the_hours_range_reports_both(demo_store, system):
    doc = convert(demo_store, 10, system)
    assert doc.by_hours is not None and doc.ects.value is not None
    assert not doc.by_hours.min <= doc.ects.value <= doc.by_hours.max
    assert any("both are reported" in n for n in doc.notes)


@pytest.mark.parametrize("system", ["US-SCH", "US-QCH", "ECVET"])
def test_disputed_rules_are_flagged(demo_store, system):
    doc = convert(demo_store, 2, system)
    assert doc.disputed is True and doc.ects.disputed is True
    assert any("disputed" in n.lower() for n in doc.notes)


_CSV_SYSTEM = {"UK-CATS": "UK", "SCQF": "SCQF", "US-SCH": "US-SCH", "ECTS": "ECTS"}


@pytest.mark.parametrize("system", ["UK", "SCQF", "US-SCH"])
def test_sources_include_the_csv_rows_of_the_system_and_of_ects(demo_store, system):
    rows = [r for r in csv_rows() if r["nqf_level_label"].startswith("credit_conversion")]
    # issue 22: the repository CSV's row of the same label replaces the shared one (the
    # '1 UK credit' row: its malformed URL and mirror source replaced by the page's address)
    with (Path(__file__).parents[2] / "data" / "nqf_eqf_referencing.csv").open(encoding="utf-8", newline="") as f:
        repo = {(r["framework_short"], r["nqf_level_label"]): r for r in csv.DictReader(f)}
    rows = [repo.get((r["framework_short"], r["nqf_level_label"]), r) for r in rows]
    want = set()
    for r in rows:
        if _CSV_SYSTEM.get(r["framework_short"]) in (system, "ECTS"):
            want |= csv_sources(r)
    assert want
    assert want <= set(convert(demo_store, 10, system).sources)


@pytest.mark.parametrize("spelling,code", [
    ("ects", "ECTS"), ("uk", "UK"), ("UK-CATS", "UK"), ("cats", "UK"), ("scqf", "SCQF"), ("us-sch", "US-SCH"),
    ("hours", "HOURS"), ("http://data.europa.eu/snb/education-credit/6fcec5c5af", "ECTS"),
    ("us-qch", "US-QCH"), ("qch", "US-QCH"), ("ecvet", "ECVET"),
    ("https://w3id.org/microhe/ref/credit-system/SCQF", "SCQF"),
])
def test_system_spellings_and_iris(demo_store, spelling, code):
    assert convert(demo_store, 4, spelling).system == code


@pytest.mark.parametrize("text,value", [("7.5", 7.5), (" 15 ", 15.0), ("0", 0.0), ("1e1", 10.0), (3, 3.0)])
def test_amounts_given_as_text(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("amount", ["-1", -0.5, "abc", "", "   ", "nan", "NaN", "inf", "-inf", "1,5", "1e400",
                                    "15 ECTS", None])
def test_bad_amounts_are_refused(demo_store, amount):
    with pytest.raises(CreditError):
        convert(demo_store, amount, "UK")


def test_an_amount_too_large_for_the_hours_is_refused(demo_store):
    with pytest.raises(CreditError):
        convert(demo_store, "1e307", "US-SCH")


@pytest.mark.parametrize("system", ["XYZ", "", "EQF", "credits"])
def test_unknown_system_lists_the_valid_ones(demo_store, system):
    with pytest.raises(CreditError) as e:
        convert(demo_store, 10, system)
    for code in ("ECTS", "UK", "SCQF", "US-SCH", "US-QCH", "ECVET", "HOURS"):
        assert code in str(e.value)
