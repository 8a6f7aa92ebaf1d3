"""Reading the steward's file: XLSX with formulas, merged cells, hidden sheets, dates, a
zip bomb and an oversized file; CSV with a missing required column, extra columns, ragged
rows, semicolons, a BOM and other encodings. Each refusal names its row/column or cell.
The files are built here with openpyxl and zipfile."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from microhe.errors import InputError, InvalidValue
from microhe.importers.errors import ImportFailed
from microhe.importers.registry import import_document
from tests.importers.conftest import BASE, ECTS
from tests.importers.test_csv import ROW, sheet

HEADER = list(ROW)


def xlsx(rows: list[list[object]], *, title: str = "Courses", before: list[str] = (), hidden: bool = True,
         edit=None) -> bytes:
    wb = Workbook()
    first = wb.active
    for name in before:  # sheets before the data sheet
        ws = wb.create_sheet(name, 0)
        ws["A1"] = "not the data"
        ws.sheet_state = "hidden" if hidden else "visible"
    first.title = title
    first.append(HEADER)
    for r in rows:
        first.append(r)
    if edit:
        edit(first)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def values(**over: object) -> list[object]:
    return [over.get(k, v) for k, v in ROW.items()]


def conv_of(data: bytes, **kw):
    return import_document("csv", data, "courses.xlsx", base=BASE, **kw)


def test_xlsx_reads_like_csv():
    assert conv_of(xlsx([values()])).ntriples() == import_document("csv", sheet(ROW), "c.csv", base=BASE).ntriples()


def test_numbers_become_text():
    conv = conv_of(xlsx([values(credits=7.5, hours=150.0, eqf_level=6)]))
    f = conv.facts()[0]
    assert f["ects"] == ["7.5"] and f["eqf"] == [6]


def _with_formula(cached: bool) -> bytes:
    """A workbook whose credits cell is =2+3; with ``cached`` the value 5 is stored as a
    spreadsheet program would (openpyxl itself never calculates, so the cached value is
    written into the sheet XML here)."""
    data = xlsx([values(credits="=2+3")])
    if not cached:
        return data
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<f>2+3</f><v></v>", b"<f>2+3</f><v>5</v>").replace(b"<f>2+3</f>",
                                                                                       b"<f>2+3</f><v>5</v>")
            zout.writestr(info, body)
    return out.getvalue()


def test_formula_cells_use_their_cached_value():
    data = _with_formula(cached=True)
    assert load_workbook(io.BytesIO(data))["Courses"]["F2"].value == "=2+3"  # the formula is there
    conv = conv_of(data)
    assert conv.facts()[0]["ects"] == ["5"]
    assert any("formula" in n.what and "cached" in n.rule for n in conv.notes)


def test_a_formula_without_cached_value_is_refused_naming_the_cell():
    with pytest.raises(ImportFailed) as e:
        conv_of(_with_formula(cached=False))
    assert "formula cell(s) F2 have no cached value" in str(e.value)


def test_merged_cells_give_their_value_to_every_row():
    def merge(ws):
        ws.merge_cells("C2:C3")  # one issuer for two rows
    second = values(id="DS-102", title="Statistics", issuer=None)
    conv = conv_of(xlsx([values(), second], edit=merge))
    assert [f["issuer"] for f in conv.facts()] == [["Example University"], ["Example University"]]
    assert any("merged cells C2:C3" in n.what for n in conv.notes)


def test_hidden_sheets_are_skipped_and_a_sheet_can_be_named():
    data = xlsx([values()], before=["Notes"])
    conv = conv_of(data)
    assert conv.facts()[0]["title"] == ["Data wrangling with Python"]
    assert any("hidden sheet(s) 'Notes'" in n.what for n in conv.notes)
    assert conv_of(data, sheet="Courses").ntriples() == conv.ntriples()
    with pytest.raises(ImportFailed, match="no sheet named 'Kurse'; sheets: 'Notes', 'Courses'"):
        conv_of(data, sheet="Kurse")
    visible_first = xlsx([values()], before=["Notes"], hidden=False)
    with pytest.raises(InputError, match="required column 'id' is missing"):
        conv_of(visible_first)  # the first visible sheet is read: "Notes" has no header


def test_a_date_cell_is_refused_naming_the_cell():
    def date_credits(ws):
        ws["F2"].value = datetime(2024, 5, 5)  # "5.5" typed into a date-formatted cell
        ws["F2"].number_format = "dd.mm.yyyy"
    with pytest.raises(ImportFailed) as e:
        conv_of(xlsx([values()], edit=date_credits))
    assert "cell F2 holds a date/time (2024-05-05T00:00:00)" in str(e.value) and "format the column as text" \
        in str(e.value)


def test_a_date_serial_without_a_date_format_is_a_number():
    def serial(ws):
        ws["G2"].value = 45417  # a date serial where hours are expected: the number is read as it is
    conv = conv_of(xlsx([values()], edit=serial))
    assert conv.facts()[0]["hours"]


def test_a_zip_bomb_is_refused_by_the_uncompressed_cap(monkeypatch):
    monkeypatch.setenv("MICROHE_SHEET_MAX_UNCOMPRESSED_BYTES", str(4 * 1024 * 1024))
    good = xlsx([values()])
    zin = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("xl/media/padding.bin", b"\0" * (5 * 1024 * 1024))  # 5 MB of zeros: ~5 KB packed
    data = out.getvalue()
    assert len(data) < 64 * 1024
    with pytest.raises(ImportFailed, match="unpacks to more than 4194304 bytes"):
        conv_of(data)


def test_the_default_cap_refuses_a_bomb_of_a_hundred_megabytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        zout.writestr("xl/workbook.xml", b"<workbook/>")
        zout.writestr("xl/worksheets/sheet1.xml", b" " * (100 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 200 * 1024  # a small file
    with pytest.raises(ImportFailed, match="unpacks to more than 33554432 bytes"):
        conv_of(data)


def test_a_50_mb_file_is_refused_before_it_is_read():
    data = xlsx([values()]) + b"\0" * (50 * 1024 * 1024)
    with pytest.raises(ImportFailed, match="exceeds the import limit"):
        conv_of(data)


def test_the_row_cap(monkeypatch):
    monkeypatch.setenv("MICROHE_SHEET_MAX_ROWS", "3")
    rows = [{**ROW, "id": f"C{i}"} for i in range(4)]
    with pytest.raises(ImportFailed, match="4 rows or more; at most 3"):
        import_document("csv", sheet(*rows), "c.csv", base=BASE)
    with pytest.raises(ImportFailed, match="4 rows; at most 3"):
        conv_of(xlsx([values(id=f"C{i}") for i in range(4)]))


def test_not_a_workbook():
    with pytest.raises(ImportFailed, match="old binary Excel file"):
        conv_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ImportFailed, match="damaged or truncated zip"):
        conv_of(xlsx([values()])[:500])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(ImportFailed, match="OpenDocument"):
        conv_of(out.getvalue())


# -- CSV


def csv_conv(data: bytes, **kw):
    return import_document("csv", data, "courses.csv", base=BASE, **kw)


def test_a_missing_required_column():
    data = sheet({k: v for k, v in ROW.items() if k != "country"})
    with pytest.raises(InvalidValue) as e:
        csv_conv(data)
    assert "row 1: the required column 'country' is missing" in str(e.value)


def test_extra_columns_are_refused_with_the_closest_names_unless_marked():
    with pytest.raises(InvalidValue) as e:
        csv_conv(sheet({**ROW, "titel2": "x", "Kreditpunkte": "5"}))
    assert "row 1, column M1: unknown column 'titel2'; closest: title" in str(e.value)
    assert "column N1: unknown column 'Kreditpunkte'" in str(e.value)
    conv = csv_conv(sheet({**ROW, "# internal note": "x"}))
    assert any("ignored" in n.rule for n in conv.notes)
    with pytest.raises(InvalidValue, match="'name' and 'title' .column B. both name the column title"):
        csv_conv(sheet({**ROW, "name": "Other"}))


def test_ragged_rows():
    good = sheet(ROW).decode()
    longer = good + ",".join(['"x"'] * (len(ROW) + 1)) + "\r\n"
    with pytest.raises(ImportFailed, match=f"row 3 has {len(ROW) + 1} cells, more than the {len(ROW)} columns"):
        csv_conv(longer.encode())
    shorter = good + "a,b\r\n"
    with pytest.raises(ImportFailed, match="row 3 has 2 cells, fewer than"):
        csv_conv(shorter.encode())


def test_semicolon_separators_as_european_excel_writes_them():
    conv = csv_conv(sheet({**ROW, "credits": "7,5"}, sep=";"))
    assert conv.facts()[0]["ects"] == ["7.5"]
    assert any("separator ';'" in n.what for n in conv.notes)


def test_a_bom_is_tolerated_and_other_encodings_are_named():
    plain = sheet({**ROW, "title": "Datenaufbereitung für Einsteiger"})
    conv = csv_conv(b"\xef\xbb\xbf" + plain)
    assert conv.facts()[0]["title"] == ["Datenaufbereitung für Einsteiger"]
    assert conv.ntriples() == csv_conv(plain).ntriples()
    latin = plain.decode().encode("cp1252")
    with pytest.raises(ImportFailed, match="not utf-8 text .* give --encoding|--encoding"):
        csv_conv(latin)
    assert csv_conv(latin, encoding="cp1252").ntriples() == conv.ntriples()
    with pytest.raises(ImportFailed, match="unknown encoding 'klingon'"):
        csv_conv(plain, encoding="klingon")


def test_cells_starting_with_formula_characters_are_data():
    conv = csv_conv(sheet({**ROW, "title": "=HYPERLINK(\"http://evil\")", "description": "'-minus"}))
    assert conv.facts()[0]["title"] == ['=HYPERLINK("http://evil")']
    assert any(q.object.value == "-minus" for q in conv.quads)  # microhe's own escape is taken off


def test_empty_files_and_rows():
    with pytest.raises(ImportFailed, match="empty"):
        csv_conv(b"")
    with pytest.raises(InvalidValue, match="no rows below the header"):
        csv_conv(",".join(ROW).encode() + b"\r\n,,,\r\n")
    conv = csv_conv(sheet(ROW) + b",,,,,,,,,,,,\r\n")
    assert len(conv.rows) == 1 and conv.facts()[0]["credits"] == [f"{ECTS} 5"]


def test_broken_quoting_names_the_row():
    data = sheet(ROW) + b'"DS-2,"unterminated\r\n'
    with pytest.raises(ImportFailed, match="row 3"):
        csv_conv(data)
