"""Credit conversion (microhe.frameworks.credits.convert), golden values computed by
hand from domain.md section 4, never from the code:

* ``min``/``max`` always come from notional hours: 1 ECTS = 25-30 h; 1 UK credit = 10 h;
  1 SCQF credit point = 10 h; 1 US semester credit hour ~ 45 h; HOURS are hours;
* ``value`` is the published convention where one exists (UK and SCQF 2:1, basis
  ``convention``), the disputed US rule (2 ECTS per credit, ``disputed`` true), and the
  midpoint of min and max for HOURS (basis ``notional-hours``);
* ECTS to ECTS is the identity.
"""

from __future__ import annotations

import json

import pytest

from microhe.frameworks.credits import CreditError, convert, parse_amount
from tests.recognition.conftest import csv_rows, csv_sources

ECTS_H = (25.0, 30.0)
#: system -> (hours per credit, convention ECTS per credit or None, disputed)
SEMANTICS = {
    "UK": (10.0, 0.5, False),
    "SCQF": (10.0, 0.5, False),
    "US-SCH": (45.0, 2.0, True),
    "HOURS": (1.0, None, False),
}
AMOUNTS = [0, 1, 2.5, 3, 7.5, 15, 20, 45, 60, 120, 150]


def expected(amount: float, system: str) -> dict:
    if system == "ECTS":
        return {"value": amount, "min": amount, "max": amount, "basis": "identity", "disputed": False}
    hours, convention, disputed = SEMANTICS[system]
    lo = amount * hours / ECTS_H[1]
    hi = amount * hours / ECTS_H[0]
    if convention is None:
        return {"value": (lo + hi) / 2, "min": lo, "max": hi, "basis": "notional-hours", "disputed": False}
    return {"value": amount * convention, "min": lo, "max": hi, "basis": "convention", "disputed": disputed}


@pytest.mark.parametrize("system", ["ECTS", "UK", "SCQF", "US-SCH", "HOURS"])
@pytest.mark.parametrize("amount", AMOUNTS)
def test_every_system_and_amount_against_hand_computed_values(demo_store, system, amount):
    doc = convert(demo_store, amount, system)
    want = expected(float(amount), system)
    assert doc["system"] == system
    assert doc["amount"] == amount
    for k in ("value", "min", "max"):
        assert doc["ects"][k] == pytest.approx(want[k], abs=0.0051), k  # rounded to 2 decimals
    assert doc["basis"] == want["basis"]
    assert doc["disputed"] is want["disputed"]
    assert doc["ects"]["min"] <= doc["ects"]["max"]
    assert doc["sources"] and doc["notes"] or system == "ECTS"
    json.dumps(doc, allow_nan=False)  # a valid JSON document


@pytest.mark.parametrize("amount,system,value,lo,hi", [
    (15, "SCQF", 7.5, 5.0, 6.0),      # the showcase: 150 h
    (20, "UK", 10.0, 6.67, 8.0),      # 200 h
    (1, "US-SCH", 2.0, 1.5, 1.8),     # 45 h
    (3, "US-SCH", 6.0, 4.5, 5.4),     # 135 h
    (45, "HOURS", 1.65, 1.5, 1.8),
    (150, "HOURS", 5.5, 5.0, 6.0),
    (120, "UK", 60.0, 40.0, 48.0),    # the UK academic year
    (7.5, "ECTS", 7.5, 7.5, 7.5),
])
def test_golden_examples(demo_store, amount, system, value, lo, hi):
    e = convert(demo_store, amount, system)["ects"]
    assert (e["value"], e["min"], e["max"]) == (value, lo, hi)


def test_the_showcase_document_exactly(demo_store):
    doc = convert(demo_store, 15, "SCQF")
    assert {k: doc[k] for k in ("amount", "system", "ects", "basis", "disputed")} == {
        "amount": 15, "system": "SCQF", "ects": {"value": 7.5, "min": 5.0, "max": 6.0},
        "basis": "convention", "disputed": False}


@pytest.mark.parametrize("system", ["UK", "SCQF", "US-SCH"])
def test_a_convention_outside_the_hours_range_reports_both(demo_store, system):
    doc = convert(demo_store, 10, system)
    assert not doc["ects"]["min"] <= doc["ects"]["value"] <= doc["ects"]["max"]
    assert any("both are reported" in n for n in doc["notes"])


def test_us_semester_credits_are_flagged_disputed(demo_store):
    doc = convert(demo_store, 2, "US-SCH")
    assert doc["disputed"] is True
    assert any("disputed" in n.lower() for n in doc["notes"])


_CSV_SYSTEM = {"UK-CATS": "UK", "SCQF": "SCQF", "US-SCH": "US-SCH", "ECTS": "ECTS"}


@pytest.mark.parametrize("system", ["UK", "SCQF", "US-SCH"])
def test_sources_include_the_csv_rows_of_the_system_and_of_ects(demo_store, system):
    rows = [r for r in csv_rows() if r["nqf_level_label"].startswith("credit_conversion")]
    want = set()
    for r in rows:
        if _CSV_SYSTEM.get(r["framework_short"]) in (system, "ECTS"):
            want |= csv_sources(r)
    assert want
    assert want <= set(convert(demo_store, 10, system)["sources"])


@pytest.mark.parametrize("spelling,code", [
    ("ects", "ECTS"), ("uk", "UK"), ("UK-CATS", "UK"), ("cats", "UK"), ("scqf", "SCQF"), ("us-sch", "US-SCH"),
    ("hours", "HOURS"), ("http://data.europa.eu/snb/education-credit/6fcec5c5af", "ECTS"),
    ("https://w3id.org/microhe/ref/credit-system/SCQF", "SCQF"),
])
def test_system_spellings_and_iris(demo_store, spelling, code):
    assert convert(demo_store, 4, spelling)["system"] == code


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
    for code in ("ECTS", "UK", "SCQF", "US-SCH", "HOURS"):
        assert code in str(e.value)
