"""Reading a spreadsheet (CSV or XLSX) into a header and rows of text, within limits.

XLSX is read with **openpyxl**: it is the one maintained library that both reads and writes
the format (the template needs a second sheet and drop-down data validation, which
python-calamine, a faster read-only reader, cannot write), and it gives what the import rules
need: a formula cell's text and, separately, its cached value (``data_only``), merged ranges,
and each sheet's visibility. Before openpyxl sees the file, its zip members are unpacked
once into nothing, counting the bytes actually produced (zip headers can lie), so a zip bomb
is refused at :attr:`Settings.sheet_max_uncompressed_bytes`.

Rules (each refusal names the cell, the row or the column):

* rows are numbered as the spreadsheet shows them (the header is row 1); empty rows are skipped;
  more than :attr:`Settings.sheet_max_rows` data rows are refused;
* XLSX: the sheet named by ``sheet``, else the first visible one (hidden sheets are skipped
  and reported); a merged range gives its value to every cell it covers; a formula gives its
  cached value, and a formula without one (a file written by a program that does not
  calculate) is refused naming the cell; an error value (``#N/A``) and a date (Excel turns
  "1-5" or "5.5" into one) are refused naming the cell; numbers become text ("5", "7.5");
* CSV: UTF-8 unless ``encoding`` names another codec; a UTF-8 byte-order mark is dropped; the
  separator is the one of ``,`` ``;`` and tab that the header row uses (European Excel writes
  ``;``); a row with more or fewer cells than the header is refused (a separator inside an
  unquoted value shifts every column after it); a cell starting with ``=``, ``+``, ``-`` or
  ``@`` is text, never evaluated, and the apostrophe microhe puts before such a cell when it
  writes CSV (:func:`csv_cell`) is taken off again.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from microhe.importers.errors import ImportFailed

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_COLUMNS = 200
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SheetUnreadable(ImportFailed):
    """The file cannot be read as a spreadsheet, or a cell cannot be taken as it is."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]           # (row number as the sheet shows it, cells)
    kind: str                                    # "csv" or "xlsx"
    sheet: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (what, rule)


def cell_name(row: int, col: int) -> str:
    """Spreadsheet cell name: (3, 1) -> "A3"."""
    letters = ""
    n = col
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{row}"


def csv_cell(text: str) -> str:
    """A value as microhe writes it into CSV: one starting with = + - @ (or tab/CR) gets a
    leading apostrophe, so that no spreadsheet program evaluates it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def read_table(data: bytes, source: str, *, sheet: str | None = None, encoding: str | None = None,
               max_uncompressed: int, max_rows: int) -> Table:
    if data.startswith(OLE_MAGIC):
        raise SheetUnreadable("an old binary Excel file (.xls): save it as .xlsx or as CSV UTF-8", source)
    if data.startswith(ZIP_MAGIC):
        if encoding:
            raise SheetUnreadable("--encoding applies to CSV; this is an XLSX file", source)
        return _xlsx(data, source, sheet, max_uncompressed, max_rows)
    if sheet:
        raise SheetUnreadable("--sheet applies to XLSX; this is a CSV file", source)
    return _csv(data, source, encoding, max_rows)


# -- XLSX


def _check_zip(data: bytes, source: str, cap: int) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SheetUnreadable("not a readable XLSX file (a damaged or truncated zip)", source) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > 10_000:
            raise SheetUnreadable(f"{len(infos)} parts in the zip: not a spreadsheet", source)
        if "xl/workbook.xml" not in {i.filename for i in infos}:
            kind = "an OpenDocument spreadsheet (.ods)" if "mimetype" in {i.filename for i in infos} else \
                "a zip file but not an Excel workbook"
            raise SheetUnreadable(f"{kind}: save it as .xlsx or as CSV UTF-8", source)
        total = 0
        for info in infos:
            try:
                with zf.open(info) as member:
                    while chunk := member.read(1 << 20):
                        total += len(chunk)
                        if total > cap:
                            raise SheetUnreadable(
                                f"unpacks to more than {cap} bytes (the limit for a spreadsheet, "
                                "MICROHE_SHEET_MAX_UNCOMPRESSED_BYTES): a zip bomb, or a sheet far larger than "
                                "a course catalogue; split it", source)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as e:
                raise SheetUnreadable(f"not a readable XLSX file ({info.filename}: {e})", source) from None


def _xlsx(data: bytes, source: str, sheet: str | None, cap: int, max_rows: int) -> Table:
    import openpyxl

    _check_zip(data, source, cap)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as e:  # openpyxl raises many kinds on malformed parts
        raise SheetUnreadable(f"not a readable XLSX workbook ({type(e).__name__}: {e})", source) from None
    notes: list[tuple[str, str]] = []
    names = wb.sheetnames
    if sheet is not None:
        if sheet not in names:
            raise SheetUnreadable(f"no sheet named {sheet!r}; sheets: {', '.join(map(repr, names))}", source)
        ws = wb[sheet]
    else:
        visible = [n for n in names if wb[n].sheet_state == "visible"]
        if not visible:
            raise SheetUnreadable("every sheet is hidden; name one with --sheet", source)
        ws = wb[visible[0]]
        hidden = [n for n in names if n not in visible and names.index(n) < names.index(visible[0])]
        if hidden:
            notes.append((f"hidden sheet(s) {', '.join(map(repr, hidden))}", f"skipped; read the first visible "
                          f"sheet {visible[0]!r} (choose another with --sheet)"))
    if not hasattr(ws, "merged_cells"):
        raise SheetUnreadable(f"{ws.title!r} is a chart sheet, not a worksheet", source)
    if ws.max_column > MAX_COLUMNS:
        raise SheetUnreadable(f"sheet {ws.title!r} has {ws.max_column} columns; at most {MAX_COLUMNS}", source)
    if ws.max_row - 1 > max_rows * 2:  # beyond any trimming of empty rows: refuse before reading cells
        raise SheetUnreadable(f"sheet {ws.title!r} has {ws.max_row - 1} rows below its header; at most {max_rows} "
                              "(MICROHE_SHEET_MAX_ROWS): split the file", source)

    grid: dict[tuple[int, int], object] = {}
    formulas: list[tuple[int, int]] = []
    for row in ws.iter_rows():
        for c in row:
            if c.value is None:
                continue
            if c.data_type == "f" or type(c.value).__name__ in ("ArrayFormula", "DataTableFormula"):
                formulas.append((c.row, c.column))
            grid[(c.row, c.column)] = c.value
    if formulas:
        cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[ws.title]
        missing = []
        for r, col in formulas:
            v = cached.cell(row=r, column=col).value
            if v is None:
                missing.append(cell_name(r, col))
            grid[(r, col)] = v
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            raise SheetUnreadable(f"sheet {ws.title!r}: formula cell(s) {shown} have no cached value (the file was "
                                  "written by a program that does not calculate formulas): open and save it in "
                                  "Excel or LibreOffice, or type the values", source)
        notes.append((f"{len(formulas)} formula cell(s)", "their values as last calculated (cached) are used"))
    merged = list(ws.merged_cells.ranges)
    for rng in merged:
        top = grid.get((rng.min_row, rng.min_col))
        for r in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                if top is not None:
                    grid[(r, col)] = top
    if merged:
        notes.append((f"merged cells {', '.join(str(r) for r in merged[:5])}" + (" ..." if len(merged) > 5 else ""),
                      "the value of a merged range applies to every row and column it covers"))

    width = max((col for (_r, col) in grid), default=0)
    last = max((r for (r, _c) in grid), default=0)
    if last == 0:
        raise SheetUnreadable(f"sheet {ws.title!r} is empty: it needs a header row and one row per course", source)
    first = min(r for (r, _c) in grid)
    header = [_xlsx_text(grid.get((first, col)), first, col, source) for col in range(1, width + 1)]
    rows = []
    for r in range(first + 1, last + 1):
        cells = [_xlsx_text(grid.get((r, col)), r, col, source) for col in range(1, width + 1)]
        if any(x.strip() for x in cells):
            rows.append((r, cells))
    if len(rows) > max_rows:
        raise SheetUnreadable(f"{len(rows)} rows; at most {max_rows} (MICROHE_SHEET_MAX_ROWS): split the file", source)
    return Table(header, rows, "xlsx", ws.title, notes)


def _xlsx_text(v: object, r: int, col: int, source: str) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise SheetUnreadable(f"cell {cell_name(r, col)}: not a number ({v})", source)
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (datetime, date, time, timedelta)):
        shown = v.isoformat() if not isinstance(v, timedelta) else str(v)
        raise SheetUnreadable(f"cell {cell_name(r, col)} holds a date/time ({shown}) where text or a number is "
                              "expected: the spreadsheet program turned the value into a date (\"5.5\" or \"1-5\" "
                              "often are); format the column as text and type the value again", source)
    text = str(v)
    if text.startswith("#") and text.upper() in ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"):
        raise SheetUnreadable(f"cell {cell_name(r, col)} holds the error value {text}: correct the formula", source)
    return text


# -- CSV


def _decode(data: bytes, source: str, encoding: str | None) -> tuple[str, list[tuple[str, str]]]:
    notes = []
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise SheetUnreadable(f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1, utf-16)", source) \
                from None
    enc = encoding or "utf-8"
    if data.startswith(codecs.BOM_UTF8) and codecs.lookup(enc).name == "utf-8":
        data = data[len(codecs.BOM_UTF8):]
        notes.append(("UTF-8 byte-order mark", "dropped"))
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise SheetUnreadable(f"not {enc} text (byte {e.start}, line {line}): save the file as \"CSV UTF-8\", or "
                              "name its encoding with --encoding (e.g. cp1252, latin-1)", source) from None
    if "\x00" in text:
        raise SheetUnreadable("the text holds NUL characters: not a CSV file (UTF-16? give --encoding utf-16)", source)
    return text, notes


def _separator(header_line: str) -> str:
    counts = {sep: 0 for sep in (",", ";", "\t")}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def _csv(data: bytes, source: str, encoding: str | None, max_rows: int) -> Table:
    text, notes = _decode(data, source, encoding)
    if not text.strip():
        raise SheetUnreadable("the file is empty: it needs a header row and one row per course", source)
    sep = _separator(text.splitlines()[0] if text.splitlines() else "")
    if sep != ",":
        notes.append((f"separator {'tab' if sep == chr(9) else repr(sep)}", "detected from the header row"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records: list[list[str]] = []
    try:
        for rec in reader:
            records.append(rec)
            if len(records) > max_rows + 1 + 1000:  # empty rows are skipped below; stop reading far beyond
                break
    except csv.Error as e:
        raise SheetUnreadable(f"row {len(records) + 1} (line {reader.line_num}): not valid CSV ({e}); a quote "
                              "inside a value must be doubled (\"\")", source) from None
    header = records[0]
    if len(header) > MAX_COLUMNS:
        raise SheetUnreadable(f"{len(header)} columns; at most {MAX_COLUMNS}", source)
    rows = []
    escaped = 0
    for i, rec in enumerate(records[1:], start=2):
        if not any(x.strip() for x in rec):
            continue
        if len(rec) != len(header):
            more = "more" if len(rec) > len(header) else "fewer"
            raise SheetUnreadable(f"row {i} has {len(rec)} cells, {more} than the {len(header)} columns of the "
                                  f"header (separator {sep!r}): a separator inside an unquoted value, or a missing "
                                  "one; quote values that contain the separator", source)
        cells = []
        for x in rec:
            if x.startswith("'") and x[1:].startswith(FORMULA_START):
                x = x[1:]
                escaped += 1
            cells.append(x)
        rows.append((i, cells))
    if escaped:
        notes.append((f"{escaped} cell(s) starting with '=, '+, '-, '@", "the apostrophe that keeps a spreadsheet "
                      "from evaluating them is removed; the value is text"))
    if len(rows) > max_rows:
        raise SheetUnreadable(f"{len(rows)} rows or more; at most {max_rows} (MICROHE_SHEET_MAX_ROWS): split the "
                              "file", source)
    return Table(header, rows, "csv", None, notes)


__all__ = ["SheetUnreadable", "Table", "cell_name", "csv_cell", "read_table"]
