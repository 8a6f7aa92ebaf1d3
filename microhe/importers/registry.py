"""Format name -> importer, and ``auto``: which format a document is.

Every importer is a module with ``NAME``, ``convert(data, source, *, base, sha256)`` (the
JSON-LD ones also take ``contexts``: the operator's context directory) and
``sniff(doc)`` (parsed JSON -> bool). :func:`import_document` is the one entry point the
CLI and the HTTP route call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from microhe.importers import ctdl, edc, jose, ob3, spreadsheet
from microhe.importers.errors import ImportFailed, UnknownImportFormat
from microhe.importers.jsondoc import check_size, decode_text, load_json
from microhe.importers.result import Conversion
from microhe.importers.sheet.reading import ZIP_MAGIC
from microhe.settings import DEFAULT_BASE

IMPORTERS: dict[str, ModuleType] = {m.NAME: m for m in (edc, ob3, ctdl, spreadsheet)}
AUTO = "auto"
FORMATS = (*IMPORTERS, AUTO)


def importer(name: str) -> ModuleType:
    if name not in IMPORTERS and name != AUTO:
        raise UnknownImportFormat(f"unknown import format {name!r}; known: {', '.join(FORMATS)}")
    return IMPORTERS[name]


def sniff(data: bytes, source: str | None = None) -> str:
    """The format of a document (``edc``, ``ob3`` or ``ctdl``), from its content: an EDC
    names the EDC context (sealed or wrapped too), an Open Badge is an OpenBadgeCredential /
    AchievementCredential (or a compact JWT), a CTDL record uses ``ceterms:``/``ceasn:`` terms or
    the CTDL context. Raises ImportFailed when it is none of them."""
    check_size(data, source)
    if data.startswith(ZIP_MAGIC):  # an XLSX workbook (credentials are JSON, never zip)
        return spreadsheet.NAME
    text = decode_text(data, source)
    if jose.looks_like_jwt(text):
        return ob3.NAME
    doc: Any = load_json(text, source)
    for name in (edc.NAME, ob3.NAME, ctdl.NAME):
        if IMPORTERS[name].sniff(doc):
            return name
    raise ImportFailed("cannot tell the format: not a Europass EDC (no EDC @context), not an Open Badge "
                       "(no OpenBadgeCredential/AchievementCredential), not CTDL (no ceterms: terms), not an XLSX "
                       "workbook (a CSV file is not told from its content: name the format csv); "
                       f"name the format ({', '.join(IMPORTERS)})", source)


def import_document(fmt: str, data: bytes, source: str, *, base: str = DEFAULT_BASE, sheet: str | None = None,
                    encoding: str | None = None, contexts: Mapping[str, Any] | None = None) -> Conversion:
    """Convert one document with the importer ``fmt`` (``auto``: sniffed). ``sheet`` and
    ``encoding`` are options of the spreadsheet importer (``csv``) only; ``contexts`` (the
    operator's context directory, :func:`microhe.rdf.context_dir.open_context_dir`) adds
    JSON-LD contexts to the bundled ones for the JSON-LD formats."""
    if fmt != AUTO:
        importer(fmt)
    check_size(data, source)
    name = sniff(data, source) if fmt == AUTO else fmt
    sha = hashlib.sha256(data).hexdigest()
    if name == spreadsheet.NAME:
        return spreadsheet.convert(data, source, base=base, sha256=sha, sheet=sheet, encoding=encoding)
    if sheet is not None or encoding is not None:
        raise ImportFailed(f"--sheet and --encoding are options of the csv format, not of {name}", source)
    return IMPORTERS[name].convert(data, source, base=base, sha256=sha, contexts=contexts)


__all__ = ["AUTO", "FORMATS", "IMPORTERS", "import_document", "importer", "sniff"]
