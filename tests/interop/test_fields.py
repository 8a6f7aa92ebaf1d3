"""The field x format matrix (fields.csv): each cell checked on a document holding that
field: a kept or converted field must be in the converted triples under its target
property, with the probe value; a dropped or lost field's probe value must appear nowhere
in them. The EDC document is the official sample (signed); the Open Badge and CTDL ones are
fixtures here holding every field of the matrix, and so is the steward's spreadsheet
(every column of the template, plus a column of the steward's own)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from microhe.importers.registry import import_document
from tests.importers.conftest import BASE, anchor

HERE = Path(__file__).parent
ROWS = list(csv.DictReader((HERE / "fields.csv").open(encoding="utf-8")))
PREFIXES = {"dcterms": "http://purl.org/dc/terms/", "elm": "http://data.europa.eu/snb/model/elm/",
            "foaf": "http://xmlns.com/foaf/0.1/", "ob": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#",
            "ceterms": "https://purl.org/ctdl/terms/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
SOURCES = {"edc": lambda: anchor("elm/v3.1-master/examples-jsonld/Sample-MC-Annex1-signed.jsonld").read_bytes(),
           "ob3": lambda: (HERE / "fixtures/ob3-edubadge.json").read_bytes(),
           "ctdl": lambda: (HERE / "fixtures/ctdl-micro.json").read_bytes(),
           "csv": lambda: (HERE / "fixtures/steward-sheet.csv").read_bytes()}


@cache
def converted(fmt: str) -> tuple[str, list[str]]:
    conv = import_document(fmt, SOURCES[fmt](), f"matrix.{fmt}", base=BASE)
    return conv.ntriples().decode("utf-8"), [str(n) for n in conv.notes]


def _iri(compact: str) -> str:
    prefix, local = compact.split(":", 1)
    return f"<{PREFIXES[prefix]}{local}>"


def test_the_matrix_covers_every_format_and_only_known_statuses():
    assert {r["format"] for r in ROWS} == {"edc", "ob3", "ctdl", "csv"}
    assert {r["status"] for r in ROWS} <= {"kept", "converted", "dropped", "lost"}
    assert all(r["rule"] and r["probe"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['format']}-{r['field']}" for r in ROWS])
def test_each_cell(row):
    text, notes = converted(row["format"])
    if row["status"] in ("kept", "converted"):
        target = _iri(row["target"])
        lines = [line for line in text.splitlines() if target in line]
        assert lines, f"no {row['target']} in the output"
        if row["target"] in ("elm:awardingOpportunity", "elm:provenBy", "elm:learningOutcome", "elm:accreditation",
                             "elm:creditPoint", "elm:additionalNote", "elm:entryRequirement"):
            assert row["probe"] in text  # the value sits on the node the target property reaches
        elif row["target"].startswith("ceterms:"):
            assert any(row["probe"] in line and "rdf-syntax-ns#type" in line for line in text.splitlines())
        else:
            assert any(row["probe"] in line for line in lines), f"{row['probe']!r} not under {row['target']}"
    else:
        assert row["probe"] not in text, f"{row['probe']!r} should not be in the output ({row['status']})"
        if row["status"] == "lost" and row["format"] not in ("edc", "csv"):
            assert any(n.startswith("lost") for n in notes), "lost fields are reported"
