"""``POST /api/import/{format}``: the importers over HTTP (``microhe import``'s route).

The body is one document as a platform publishes it (Europass EDC JSON-LD, sealed or
wrapped; an Open Badge as JSON-LD or a compact JWT; CTDL JSON-LD) or the steward's
spreadsheet (``csv``: a CSV or XLSX file, ``?sheet=NAME``, ``?encoding=ENC``; a cell that
cannot be imported answers 422 with every problem's row and column); ``format`` is
``edc``, ``ob3``, ``ctdl``, ``csv`` or ``auto``. At most :data:`~microhe.importers.jsondoc.MAX_IMPORT_BYTES`
(and ``Settings.max_body_bytes``): 413 beyond. The answer is the converted RDF by
content negotiation (``text/turtle``, ``application/ld+json``, ``application/n-quads``,
``application/n-triples``; the report's summary in the ``X-Microhe-Import`` header) or, by
default (``application/json``), the report with the RDF as Turtle.

``?load=true`` stores it as ``microhe import --load`` does (validated, all or nothing, into
``?graph=IRI`` or ``<base>graph/<name>`` with ``?name=`` the file name, default
``upload.<format>``); it needs a write token, like every write route. ``?dry-run=true``
answers what loading would change. Malformed input: 400; nothing to import or a format
that does not fit: 422; a document that would not conform: 422 with the SHACL report.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from microhe.api.auth import refuse_token_in_url, require_writer
from microhe.api.deps import SettingsDep, StoreDep, contexts_of, read_body
from microhe.api.errors import error_content
from microhe.api.http.negotiation import JSON_LD, N_QUADS, N_TRIPLES, TURTLE, content_type, negotiate
from microhe.api.models import ImportReport
from microhe.importers.jsondoc import MAX_IMPORT_BYTES
from microhe.importers.registry import FORMATS, import_document, importer
from microhe.importers.service import dry_run, serialise, store_conversions
from microhe.importers.spreadsheet import SheetRejected
from microhe.ingest.errors import NotConforming
from microhe.rdf.iri import iri_problem
from microhe.validation import available_profiles

router = APIRouter(tags=["import"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFERED = ("application/json", TURTLE, JSON_LD, N_QUADS, N_TRIPLES)
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return False
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise HTTPException(400, detail=f"?{name}= takes true or false, not {value!r}")


def _profiles(request: Request, default: tuple[str, ...]) -> tuple[str, ...]:
    names = [n.strip() for v in request.query_params.getlist("profile") for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n not in available_profiles()]
    if unknown:
        raise HTTPException(400, detail=f"unknown validation profile(s) {', '.join(unknown)}; "
                            f"available: {', '.join(available_profiles())}")
    return tuple(dict.fromkeys(names)) or default


_DOC = {
    "parameters": [
        {"name": "load", "in": "query", "required": False, "schema": {"type": "boolean"},
         "description": "Store the conversion (validated, all or nothing; needs a write token)."},
        {"name": "dry-run", "in": "query", "required": False, "schema": {"type": "boolean"},
         "description": "Answer what loading would add and remove in the graph; store nothing."},
        {"name": "graph", "in": "query", "required": False, "schema": {"type": "string", "format": "iri"},
         "description": "Target graph (default <base>graph/<name>)."},
        {"name": "name", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "The document's file name (its graph and its load record)."},
        {"name": "replace", "in": "query", "required": False, "schema": {"type": "boolean"},
         "description": "With load: swap the content of a graph that holds other data."},
        {"name": "profile", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Validation profile(s) for load, comma-separated."},
        {"name": "sheet", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "csv, XLSX: the sheet to read (default: the first visible one)."},
        {"name": "encoding", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "csv, CSV: the text encoding (default UTF-8; a byte-order mark is tolerated)."},
    ],
    "requestBody": {"required": True, "content": {
        **{mt: {"schema": {"type": "string"}} for mt in ("application/json", JSON_LD, "application/jwt", "text/plain",
                                                         "text/csv")},
        XLSX: {"schema": {"type": "string", "format": "binary"}}}},
    "responses": {str(c): error_content(c) for c in (400, 401, 403, 406, 409, 413, 422)},
}


@router.post("/api/import/{source_format}", summary="Import what a platform publishes (EDC, OB 3.0, CTDL) or a spreadsheet",
             response_class=Response, openapi_extra=_DOC,
             responses={200: {"model": ImportReport, "description": "The report with the converted RDF (JSON), or the "
                              "converted RDF alone (by content negotiation)",
                              "content": {mt: {"schema": {"type": "string"}} for mt in OFFERED
                                          if mt != "application/json"}}})
async def import_route(source_format: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Convert the document in the body (``edc``, ``ob3``, ``ctdl``, ``csv`` or ``auto``) to the ELM
    model, without its learner: the report and the RDF. ``?load=true`` stores it (validated, all or
    nothing; write token), ``?dry-run=true`` says what storing would change."""
    refuse_token_in_url(request)
    if source_format not in FORMATS:
        importer(source_format)  # the registry's message: unknown format, known ones (422)
    load, check = _flag(request, "load"), _flag(request, "dry-run")
    if load and check:
        raise HTTPException(400, detail="give ?load=true or ?dry-run=true, not both")
    graph = request.query_params.get("graph")
    if graph is not None and iri_problem(graph) is not None:
        raise HTTPException(400, detail=f"?graph={graph!r} is not an absolute IRI ({iri_problem(graph)})")
    profiles = _profiles(request, tuple(settings.profiles))
    replace = _flag(request, "replace")
    writer = require_writer(request) if load else None  # storing needs a token; converting does not
    sheet, encoding = request.query_params.get("sheet"), request.query_params.get("encoding")
    if (sheet is not None or encoding is not None) and source_format not in ("csv", "auto"):
        raise HTTPException(400, detail="?sheet= and ?encoding= are options of the csv format")
    name = request.query_params.get("name") or f"upload.{source_format}"
    mt = negotiate(request.headers.get("accept"), OFFERED)
    if mt is None:
        raise HTTPException(406, detail=f"acceptable: {', '.join(OFFERED)}")
    data = await read_body(request, min(settings.max_body_bytes, MAX_IMPORT_BYTES))
    try:
        conv = await run_in_threadpool(import_document, source_format, data, name, base=settings.base, sheet=sheet,
                                       encoding=encoding, contexts=contexts_of(settings))
    except SheetRejected as e:
        refused = {"detail": str(e), "problems": [p.to_json() for p in e.problems], "rows": e.rows}
        return Response(json.dumps(refused), status_code=422, media_type="application/json")
    report: dict = conv.to_json()
    if check:
        report["dry_run"] = await run_in_threadpool(dry_run, store, conv, graph=graph, base=settings.base)
    if load:
        def run():
            return store_conversions(store, [conv], graph=graph, profiles=profiles, replace=replace,
                                     base=settings.base, agent=f"import:{writer}",
                                     replace_own="name" in request.query_params)  # never the default upload.csv
        try:
            [outcome] = await run_in_threadpool(run)
        except NotConforming as e:
            body: dict[str, Any] = {"detail": f"{name} would not conform: {len(e.report.violations) if e.report else '?'} "
                              "violation(s); nothing was stored", "import": report,
                    "report": e.report.to_json() if e.report else None}
            if conv.locator is not None and e.report is not None:  # spreadsheets: where, by row and column
                located = conv.locate(e.report.results)
                body["located"] = located
                body["detail"] += ": " + "; ".join(f"{v['where']}: {v['message']}" for v in located
                                                   if v["severity"] == "Violation")
            return Response(json.dumps(body), status_code=422, media_type="application/json")
        report["loaded"] = outcome.to_json()
    headers = {"Vary": "Accept"}
    if mt == "application/json":
        report["rdf"] = serialise(conv, TURTLE).decode("utf-8")
        body = ImportReport.model_validate(report).model_dump(mode="json")  # the documented shape, checked
        return Response(json.dumps(body), media_type="application/json", headers=headers)
    summary = {k: report[k] for k in ("format", "sha256", "signature", "triples")}
    summary["specifications"] = len(report["specifications"])
    headers["X-Microhe-Import"] = json.dumps(summary, ensure_ascii=True)
    return Response(serialise(conv, mt), media_type=content_type(mt), headers=headers)


__all__ = ["router"]
