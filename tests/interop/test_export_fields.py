"""The export columns of the field x format matrix (export_fields.csv), checked cell by
cell: a source holding the field (the official EDC sample, or an interop fixture) is
imported and exported to each format; a ``held`` field is in the document under its key
with the probe value, a ``lost`` one is in the loss report (field name and value) and
its value is nowhere in the document."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from microhe.exporters.registry import EXPORTERS
from tests.exporters.conftest import SOURCES, spec_of

ROWS = list(csv.DictReader((Path(__file__).parent / "export_fields.csv").open(encoding="utf-8")))


@cache
def exported(source: str, fmt: str) -> tuple[Any, list[tuple[str, str]]]:
    doc, lost = EXPORTERS[fmt].export(spec_of(source))
    return doc, [(x.field, x.value) for x in lost.items]


def values_of(node: Any, key: str) -> list[Any]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                out.append(v)
            out += values_of(v, key)
    elif isinstance(node, list):
        for v in node:
            out += values_of(v, key)
    return out


def test_every_export_format_and_field_has_its_cells():
    assert {r["format"] for r in ROWS} == set(EXPORTERS)
    assert {r["source"] for r in ROWS} <= set(SOURCES)
    by_field: dict[str, set[str]] = {}
    for r in ROWS:
        by_field.setdefault(r["field"], set()).add(r["format"])
    assert all(formats == set(EXPORTERS) for formats in by_field.values()), by_field
    assert {r["status"] for r in ROWS} == {"held", "lost"}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['format']}-{r['field']}" for r in ROWS])
def test_each_cell(row):
    doc, lost = exported(row["source"], row["format"])
    text = json.dumps(doc, ensure_ascii=False)
    if row["status"] == "held":
        found = values_of(doc, row["target"])
        assert found, f"no {row['target']} in the {row['format']} document"
        assert any(row["probe"] in json.dumps(v, ensure_ascii=False) for v in found), \
            f"{row['probe']!r} not under {row['target']}"
    else:
        assert any(f == row["target"] and row["probe"] in v for f, v in lost), \
            f"{row['field']} is not reported lost as {row['target']!r} ({lost})"
        if len(row["probe"]) > 3:
            assert row["probe"] not in text, f"{row['probe']!r} is reported lost but written"
