"""``POST /api/import/csv``: a CSV or XLSX body, the per-row report, 422 with every problem's
row and column, 413 above the body limit, validation results placed on rows; nothing stored
on a refusal."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.api.routes.test_importing import _state, api  # noqa: F401 - the fixture
from tests.importers.test_csv import ROW, sheet


def _xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kurse"
    ws.append(list(ROW))
    ws.append(list(ROW.values()))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_csv_and_xlsx_bodies_convert_with_a_row_report(api):  # noqa: F811
    client, _, _ = api
    r = client.post("/api/import/csv", content=sheet(ROW), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["format"] == "csv" and body["rows"][0]["row"] == 2 and body["rows"][0]["status"] == "converted"
    assert body["specifications"][0]["country"] == ["DEU"]
    x = client.post("/api/import/auto?sheet=Kurse", content=_xlsx())
    assert x.status_code == 200, x.text
    assert x.json()["specifications"] == body["specifications"]


def test_problems_are_422_with_rows_and_columns_and_nothing_is_stored(api):  # noqa: F811
    client, store, token = api
    before = _state(store)
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/import/csv?load=true", content=sheet({**ROW, "mode": "Präsens", "country": "Atlantis"}),
                    headers=auth)
    assert r.status_code == 422
    problems = {(p["row"], p["column"]) for p in r.json()["problems"]}
    assert problems == {(2, "mode"), (2, "country")}
    assert "row 2, column mode" in r.json()["detail"]
    assert _state(store) == before
    gap = client.post("/api/import/csv?load=true&name=c.csv", content=sheet({**ROW, "learning_outcomes": ""}),
                      headers=auth)
    assert gap.status_code == 422
    assert [(v["row"], v["column"]) for v in gap.json()["located"] if v["severity"] == "Violation"] == \
        [(2, "learning_outcomes")]
    assert "row 2, column learning_outcomes" in gap.json()["detail"]
    assert _state(store) == before
    assert client.post("/api/import/csv", content=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1").status_code == 400
    assert client.post("/api/import/csv?encoding=klingon", content=sheet(ROW)).status_code == 400
    assert client.post("/api/import/edc?sheet=A", content=b"{}").status_code == 400


def test_a_50_mb_body_is_413(api):  # noqa: F811
    client, store, _ = api
    before = _state(store)
    r = client.post("/api/import/csv", content=_xlsx() + b"\0" * (50 * 1024 * 1024))
    assert r.status_code == 413
    assert _state(store) == before


def test_load_and_reimport_under_a_name(api):  # noqa: F811
    client, _, token = api
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.post("/api/import/csv?load=true&name=courses.csv", content=sheet(ROW), headers=auth)
    assert ok.status_code == 200 and ok.json()["loaded"]["status"] == "loaded"
    edited = client.post("/api/import/csv?load=true&name=courses.csv", content=sheet({**ROW, "title": "New title"}),
                         headers=auth)
    assert edited.status_code == 200 and edited.json()["loaded"]["status"] == "replaced"
    assert edited.json()["specifications"][0]["iri"] == ok.json()["specifications"][0]["iri"]
    # without ?name the default graph upload.csv is never replaced silently
    first = client.post("/api/import/csv?load=true", content=sheet(ROW), headers=auth)
    assert first.status_code == 200
    other = client.post("/api/import/csv?load=true", content=sheet({**ROW, "id": "X"}), headers=auth)
    assert other.status_code == 409
