"""The steward's spreadsheet (format ``csv``: a CSV or an XLSX file) -> ELM specifications.

One row per specification, in the documented column set of
:mod:`microhe.importers.sheet.columns` (the MicroHE 2018 draft's field names are aliases);
controlled values by IRI, English label or an alias in six languages
(:mod:`~microhe.importers.sheet.controlled`); the file is read within limits by
:mod:`~microhe.importers.sheet.reading` and each row converted by
:mod:`~microhe.importers.sheet.rows`. A file with any rejected cell is refused as a whole
(:class:`SheetRejected`: every problem with its row and column, exit 2 / HTTP 422); nothing
is imported. The conversion keeps, per row, what was mapped, converted, defaulted, and which
nodes the row made, so that a SHACL violation found when loading is reported against the row
and column it comes from (:func:`locate`), never against a node IRI.

``microhe import csv --template FILE`` writes the template (:mod:`.sheet.template`).
"""

from __future__ import annotations

import difflib
from typing import Any

from microhe.errors import InvalidValue
from microhe.importers.result import Conversion
from microhe.importers.sheet.columns import BY_NAME, COLUMNS, REQUIRED, column_for, norm
from microhe.importers.sheet.reading import Table, cell_name, read_table
from microhe.importers.sheet.rows import Problem, RowConverter, org_key
from microhe.settings import get_settings

NAME = "csv"
MAX_PROBLEMS_SHOWN = 50


class SheetRejected(InvalidValue):
    """Cells or columns that cannot be imported: ``problems`` (row, column, value, message)
    and ``rows`` (the per-row report). Nothing was imported (exit 2, HTTP 422)."""

    def __init__(self, source: str, problems: list[Problem], rows: list[dict[str, Any]] | None = None):
        shown = "\n".join(f"  {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = f"\n  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        super().__init__(f"{source}: {len(problems)} problem(s), nothing imported:\n{shown}{more}")
        self.source = source
        self.problems = problems
        self.rows = rows or []


def _columns(table: Table, source: str) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """column name -> index in the row; notes. Refuses unknown, duplicate and missing columns."""
    problems: list[Problem] = []
    notes: list[tuple[str, str]] = []
    found: dict[str, int] = {}
    used = {i for _r, cells in table.rows for i, c in enumerate(cells) if c.strip()}
    for i, raw in enumerate(table.header):
        h = raw.strip()
        where = cell_name(1, i + 1)
        if not h:
            if i in used:
                problems.append(Problem(1, where, "", f"column {where[:-1]} holds values but has no header: name it "
                                        "(one of the documented columns) or start its header with #"))
            continue
        if h.startswith("#"):
            notes.append((f"column {h!r}", "ignored (its header starts with #: a note of the steward's own)"))
            continue
        col = column_for(h)
        if col is None:
            near = difflib.get_close_matches(norm(h), [norm(c.name) for c in COLUMNS] +
                                             [norm(a) for c in COLUMNS for a in c.aliases], n=3, cutoff=0.6)
            names = list(dict.fromkeys(column_for(n) or n for n in near))
            hint = f"; closest: {', '.join(names)}" if names else ""
            problems.append(Problem(1, where, h, f"unknown column {h!r}{hint}. The columns are listed by "
                                    "`microhe import csv --template`; start a header with # to keep a column of "
                                    "your own out of the import"))
            continue
        if col in found:
            other = table.header[found[col]]
            problems.append(Problem(1, where, h, f"{h!r} and {other!r} (column {cell_name(1, found[col] + 1)[:-1]}) "
                                    f"both name the column {col}: keep one"))
            continue
        if norm(h) != norm(col):
            notes.append((f"column {h!r}", f"read as {col} (alias)"))
        found[col] = i
    for col in REQUIRED:
        if col not in found:
            aliases = ", ".join(BY_NAME[col].aliases[:3])
            problems.append(Problem(1, "", col, f"the required column {col!r} is missing (also accepted: {aliases})"))
    if problems:
        raise SheetRejected(source, problems)
    return found, notes


def convert(data: bytes, source: str, *, base: str, sha256: str, sheet: str | None = None,
            encoding: str | None = None) -> Conversion:
    settings = get_settings()
    table = read_table(data, source, sheet=sheet, encoding=encoding,
                       max_uncompressed=settings.sheet_max_uncompressed_bytes, max_rows=settings.sheet_max_rows)
    columns, notes = _columns(table, source)
    rows = [(n, {col: cells[i] for col, i in columns.items()}) for n, cells in table.rows]
    if not rows:
        raise SheetRejected(source, [Problem(2, "", "", "no rows below the header: one row per course")])
    conv = Conversion(NAME, source, sha256, [])
    conv.found = [f"{table.kind.upper()}{f' sheet {table.sheet!r}' if table.sheet else ''}: {len(rows)} row(s)"]
    for what, rule in table.notes + notes:
        conv.note("converted", what, rule)
    rc = RowConverter(base)
    # ids per issuer: duplicates are refused, part_of finds its row
    by_issuer: dict[str, dict[str, str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for n, cells in rows:
        rid, issuer = cells.get("id", "").strip(), cells.get("issuer", "").strip()
        if not rid or not issuer:
            continue
        key = org_key(issuer)
        if (key, rid) in seen:
            rc.problems.append(Problem(n, "id", rid, f"the id {rid!r} of this issuer is already used in row "
                                       f"{seen[(key, rid)]}: an id names one specification"))
            continue
        seen[(key, rid)] = n
        from urllib.parse import quote

        by_issuer.setdefault(key, {})[rid] = f"{rc.base}credential/{key}/{quote(rid, safe='-._~')}"
    for n, cells in rows:
        issuer = cells.get("issuer", "").strip()
        rc.row(n, cells, by_issuer.get(org_key(issuer), {}) if issuer else {})
    conv.rows = [r.to_json() for r in rc.reports]
    if rc.problems:
        raise SheetRejected(source, sorted(rc.problems, key=lambda p: p.row), conv.rows)
    conv.quads = sorted(set(rc.quads), key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))
    conv.locator = _locator(rc.subjects, {r.iri: r.row for r in rc.reports}, columns)
    conv.replace_own_graph = True
    conv.note("converted", "each row", "an elm:Qualification with the ELM paths of docs/data-model.md; IRIs from "
              "the instance base, the issuer and the id")
    return conv


#: The first property of a SHACL result path -> the column it comes from.
_PATH_COLUMNS = (
    ("countryCode", "country"), ("elm/location", "country"), ("awardingOpportunity", "issuer"),
    ("awardingBody", "issuer"), ("terms/title", "title"), ("learningOutcome", "learning_outcomes"),
    ("relatedESCOSkill", "learning_outcomes"), ("volumeOfLearning", "hours"), ("elm/point", "credits"),
    ("elm/framework", "credit_system"), ("creditPoint", "credits"), ("EQFLevel", "eqf_level"),
    ("NQFLevel", "level"), ("idVerification", "identity_verification"), ("elm/mode>", "mode"),
    ("provenBy", "assessment_type"), ("terms/type", "assessment_type"), ("accreditingAgent", "qa_body"),
    ("accreditation", "accreditation_type"), ("ISCEDFCode", "isced"), ("entryRequirement", "entry_requirements"),
    ("isPartOf", "part_of"), ("hasPart", "part_of"), ("terms/language", "language"), ("homepage", "url"),
    ("terms/description", "description"),
)


def _column_of(path: str | None, focus: str) -> str:
    text = path or ""
    if "/accreditation" in focus and "terms/type" in text:
        return "accreditation_type"
    for needle, col in _PATH_COLUMNS:
        if needle in text:
            return col
    return ""


def _locator(subjects: dict[str, int], specs: dict[str, int], columns: dict[str, int]):
    def locate(focus: str, path: str | None) -> dict[str, Any]:
        row = specs.get(focus) or subjects.get(focus)
        if row is None:  # a node under a specification's IRI
            row = next((r for iri, r in specs.items() if focus.startswith(iri + "/")), None)
        col = _column_of(path, focus)
        where = f"row {row}" if row else "the file"
        if col:
            where += f", column {col}" + (f" ({cell_name(row, columns[col] + 1)})" if row and col in columns else "")
        return {"row": row, "column": col or None, "where": where}
    return locate


def sniff(doc: Any) -> bool:  # a spreadsheet is never JSON
    del doc
    return False


__all__ = ["NAME", "SheetRejected", "convert", "sniff"]
