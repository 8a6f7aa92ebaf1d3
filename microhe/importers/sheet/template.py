"""The blank template of ``microhe import csv --template FILE.xlsx|FILE.csv``.

A header row with the documented columns (:mod:`.columns`) and one filled example row that
imports as it is (a test loads it). The XLSX template also has a second sheet, "Allowed
values", listing per controlled column its values (English label, IRI), and drop-down data
validation on the first sheet pointing at those lists. The drop-downs warn rather than
refuse, because the importer also takes IRIs and the aliases of ``microhe vocab``.

CSV is written with :func:`.reading.csv_cell`: a value starting with ``=``, ``+``, ``-`` or
``@`` gets a leading apostrophe, so no spreadsheet program evaluates it.
"""

from __future__ import annotations

import csv
import io

from microhe.importers.sheet.columns import COLUMNS
from microhe.importers.sheet.controlled import vocabularies
from microhe.importers.sheet.reading import csv_cell

SHEET = "Specifications"
VALUES_SHEET = "Allowed values"
DATA_ROWS = 1000  # rows of the first sheet that get the drop-downs


def allowed_values() -> dict[str, list[tuple[str, str]]]:
    """column -> [(value shown in the drop-down, IRI)] for every controlled column."""
    vocabs = vocabularies()
    out: dict[str, list[tuple[str, str]]] = {}
    for c in COLUMNS:
        if c.vocabulary is None or c.vocabulary not in vocabs:
            continue
        v = vocabs[c.vocabulary]
        if c.vocabulary in ("isced", "eqf"):  # codes: the labels repeat ("... not further defined")
            out[c.name] = [(e.notation or e.label, e.iri) for e in v.entries]
        else:
            out[c.name] = sorted(((e.label, e.iri) for e in v.entries), key=lambda x: x[0].casefold())
    out["level"] = framework_levels()
    return out


def framework_levels() -> list[tuple[str, str]]:
    """Every framework level's English label ("DQR 6", "RQF Entry 3"), as the level parser reads it."""
    import pyoxigraph as ox

    from microhe.importers.sheet.rows import reference_store
    from microhe.vocab import MHE, SKOS

    q = f"""SELECT ?l ?label ?rank WHERE {{ ?l a <{MHE}FrameworkLevel> ; <{SKOS}prefLabel> ?label ;
            <{SKOS}inScheme> ?fw ; <{MHE}levelRank> ?rank . ?fw <{SKOS}notation> ?code
            FILTER(LANG(?label) = "en" && ?code != "EQF") }}"""
    rows = reference_store().query(q)
    assert isinstance(rows, ox.QuerySolutions)
    found = [(r["label"].value, r["l"].value, int(r["rank"].value)) for r in rows]
    found.sort(key=lambda x: (x[0].rsplit(" ", 1)[0] if x[0][-1].isdigit() else x[0], x[2]))
    return [(label, iri) for label, iri, _ in found]


def template_csv() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_cell(c.name) for c in COLUMNS])
    w.writerow([csv_cell(c.example) for c in COLUMNS])
    return buf.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    values = wb.create_sheet(VALUES_SHEET)
    bold = Font(bold=True)
    required = PatternFill("solid", fgColor="FFF2CC")
    for i, c in enumerate(COLUMNS, start=1):
        head = ws.cell(row=1, column=i, value=c.name)
        head.font = bold
        if c.required:
            head.fill = required
        head.comment = Comment(f"{c.what}{' (required)' if c.required else ''}"
                               + (f"\nalso: {', '.join(c.aliases[:4])}" if c.aliases else ""), "microhe")
        ws.cell(row=2, column=i, value=c.example).number_format = "@"  # text: no dates, no lost zeros
        for r in range(3, 3 + 50):
            ws.cell(row=r, column=i).number_format = "@"
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(c.example) + 2, 40))
    ws.freeze_panes = "B2"

    col = 1
    for name, entries in allowed_values().items():
        values.cell(row=1, column=col, value=name).font = bold
        values.cell(row=1, column=col + 1, value=f"{name} IRI").font = bold
        for r, (label, iri) in enumerate(entries, start=2):
            values.cell(row=r, column=col, value=label).number_format = "@"
            values.cell(row=r, column=col + 1, value=iri)
        values.column_dimensions[get_column_letter(col)].width = 34
        values.column_dimensions[get_column_letter(col + 1)].width = 24
        letter = get_column_letter(col)
        target = next(i for i, c in enumerate(COLUMNS, start=1) if c.name == name)
        dv = DataValidation(type="list", formula1=f"='{VALUES_SHEET}'!${letter}$2:${letter}${len(entries) + 1}",
                            allow_blank=True, showErrorMessage=True, errorStyle="warning",
                            errorTitle="Not in the list",
                            error="Not one of the listed values. microhe also accepts an IRI or an alias "
                                  "(see `microhe vocab`); keep it?")
        tl = get_column_letter(target)
        dv.add(f"{tl}2:{tl}{DATA_ROWS + 1}")
        ws.add_data_validation(dv)
        col += 3
    values.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template(suffix: str) -> bytes:
    """The template as ``.xlsx`` or ``.csv`` bytes."""
    if suffix.lower() == ".xlsx":
        return template_xlsx()
    if suffix.lower() == ".csv":
        return template_csv()
    raise ValueError(f"a template is .xlsx or .csv, not {suffix or 'no suffix'}")


__all__ = ["SHEET", "VALUES_SHEET", "allowed_values", "framework_levels", "template", "template_csv",
           "template_xlsx"]
