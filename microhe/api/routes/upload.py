"""The steward's upload, in the browser (:mod:`microhe.importers.upload` does the work).

* ``GET /upload``: a form (file, format: the importer registry's formats and the RDF
  syntaxes, or "detect");
* ``POST /upload``: validates the file (anyone; nothing stored) and shows the report by
  record and severity with what to add, and the dry-run diff against what is loaded (200
  when it conforms, 422 when not; an unreadable file: 400/413/422 pages). Signed in, a
  conforming file is staged server-side (:mod:`microhe.ingest.staging`) and a "Load" form
  posts its id;
* ``POST /upload/load``: loads a staged upload (session + CSRF), re-validated, all or
  nothing, recorded as ``upload:<token name>``; 303 to "my uploads";
* ``GET /uploads``: the graphs only this token wrote (from the provenance), each with
  "Withdraw";
* ``POST /uploads/withdraw``: a confirmation page, then (``confirm=yes``) drops the graph as
  the Graph Store's DELETE does. A graph another writer wrote: 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from microhe.api import session as web
from microhe.api.errors import detail_of, status_of
from microhe.api.pages import i18n, render
from microhe.api.pages.forms import posted, refused
from microhe.errors import MicroheError
from microhe.importers.spreadsheet import SheetRejected
from microhe.importers.upload import RDF_SYNTAXES, UPLOAD_FORMATS, check, load_upload, loaded_by, only_by
from microhe.ingest.errors import NotConforming
from microhe.ingest.load import drop
from microhe.ingest.lock import write_lock
from microhe.ingest.provenance import load_records
from microhe.ingest.staging import Staging
from microhe.publish.names import compact_path

router = APIRouter(include_in_schema=False)

#: The format choices of the form: (value, label).
FORMAT_LABELS = {"auto": "Detect", "edc": "Europass EDC (JSON-LD)", "ob3": "Open Badges 3.0", "ctdl": "CTDL (JSON-LD)",
                 "csv": "Spreadsheet (CSV or XLSX)", "turtle": "Turtle", "n-triples": "N-Triples",
                 "n-quads": "N-Quads", "trig": "TriG", "rdf-xml": "RDF/XML", "json-ld": "JSON-LD"}


def _choices() -> list[tuple[str, str]]:
    return [(f, FORMAT_LABELS.get(f, f)) for f in UPLOAD_FORMATS]


def _page(request: Request, status: int = 200, **values) -> Response:
    return render.page(request, "upload.html", status=status, formats=_choices(), rdf=tuple(RDF_SYNTAXES),
                       sign_in=f"{render.root_of(request)}/sign-in?next={render.root_of(request)}/upload",
                       headers={"Cache-Control": "no-store"}, compact_path=compact_path, **values)


def _failure(request: Request, e: MicroheError, chosen: str) -> Response:
    t = i18n.translator(render.language(request))
    detail = detail_of(e)
    message = detail if isinstance(detail, str) else str(e)
    problems = [str(p) for p in e.problems] if isinstance(e, SheetRejected) else []
    return _page(request, status_of(e), failure=t("The file was not accepted: {why}", why=message).rstrip(),
                 problems=problems, chosen=chosen)


def _sign_in_first(request: Request) -> Response:
    t = i18n.translator(render.language(request))
    return refused(request, 401, "Sign in first", t("This form writes to the store and needs a signed-in session "
                                                     "(your session may have ended). Sign in and try again; nothing "
                                                     "was done."))


@router.get("/upload")
def upload_page(request: Request) -> Response:
    return _page(request, chosen="auto")


@router.post("/upload", dependencies=[Depends(web.session_write)])
async def upload_check(request: Request) -> Response:
    t = i18n.translator(render.language(request))
    settings, store = request.app.state.settings, request.app.state.store
    got = await posted(request)
    if isinstance(got, Response):
        return got
    form, session = got
    fmt = form.get("format")
    fmt = fmt if isinstance(fmt, str) and fmt else "auto"
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, 400, failure=t("Choose a file to upload."), chosen=fmt)
    if fmt not in UPLOAD_FORMATS:
        return _page(request, 400, failure=t("Unknown format {name}; choose one from the list.", name=fmt[:40]),
                     chosen="auto")
    data = await upload.read()
    name = upload.filename
    try:
        result = await run_in_threadpool(check, store, name, data, fmt, base=settings.base,
                                         profiles=tuple(settings.profiles))
    except MicroheError as e:
        return _failure(request, e, fmt)
    staged = None
    blocked = None
    if session is not None and result.diff.exists and not only_by(store, result.graph, session.name):
        blocked = t("The graph {graph} holds data another token loaded; rename the file to load it into a graph of "
                    "its own.", graph=result.graph)
    if session is not None and result.conforms and blocked is None:
        staged = await run_in_threadpool(Staging(settings.store).put, session.name, result.name, result.format, data)
    return _page(request, 200 if result.conforms else 422, result=result, staged=staged, blocked=blocked,
                 chosen=fmt)


@router.post("/upload/load", dependencies=[Depends(web.session_write)])
async def upload_load(request: Request) -> Response:
    t = i18n.translator(render.language(request))
    settings, store = request.app.state.settings, request.app.state.store
    got = await posted(request)
    if isinstance(got, Response):
        return got
    form, session = got
    if session is None:
        return _sign_in_first(request)
    sid = form.get("staged")
    staging = Staging(settings.store)
    staged = staging.get(sid, session.name) if isinstance(sid, str) else None
    if staged is None:
        return refused(request, 404, "Nothing to load", t(
            "This upload is no longer waiting to be loaded (it was loaded already, it expired after an hour, or "
            "it was validated by another token). Upload the file again."))
    try:
        outcome = await run_in_threadpool(load_upload, store, staged.name, staged.data, staged.format,
                                          base=settings.base, writer=session.name, profiles=tuple(settings.profiles))
    except NotConforming as e:
        return refused(request, 422, "Not loaded", t("The file no longer conforms: {why}; nothing was stored.",
                                                     why=e.report.summary() if e.report else str(e)))
    except MicroheError as e:
        return refused(request, status_of(e), "Not loaded", str(e))
    staging.discard(staged.id)
    query = urlencode({"loaded": outcome.graph, "status": outcome.status})
    return RedirectResponse(f"{render.root_of(request)}/uploads?{query}", status_code=303)


@router.get("/uploads")
def my_uploads(request: Request) -> Response:
    session = web.current(request)
    if session is None:
        return web.to_sign_in(request)
    store = request.app.state.store
    records = load_records(store)
    rows = [{"graph": g, "record": records.get(g), "triples": store.graph_size(g)} for g in loaded_by(store, session.name)]
    return render.page(request, "uploads.html", rows=rows, csrf=session.csrf, loaded=request.query_params.get("loaded"),
                       status_word=request.query_params.get("status"), headers={"Cache-Control": "no-store"})


@router.post("/uploads/withdraw", dependencies=[Depends(web.session_write)])
async def withdraw(request: Request) -> Response:
    t = i18n.translator(render.language(request))
    store = request.app.state.store
    got = await posted(request)
    if isinstance(got, Response):
        return got
    form, session = got
    if session is None:
        return _sign_in_first(request)
    graph = form.get("graph")
    if not isinstance(graph, str) or not graph or not store.has_graph(graph):
        return refused(request, 404, "Not found", t("No such graph in the store; nothing was withdrawn."))
    if not only_by(store, graph, session.name):
        return refused(request, 403, "Not yours to withdraw", t(
            "The graph {graph} holds data that another token (or microhe itself) loaded; only what your token "
            "loaded can be withdrawn here. Nothing was withdrawn.", graph=graph))
    if form.get("confirm") != "yes":
        record = load_records(store).get(graph)
        return render.page(request, "withdraw.html", graph=graph, record=record, triples=store.graph_size(graph),
                           csrf=session.csrf, headers={"Cache-Control": "no-store"})

    def run() -> None:
        with write_lock(store):  # check and drop as one step, as the Graph Store's DELETE does
            if store.has_graph(graph) and only_by(store, graph, session.name):
                drop(store, graph)

    await run_in_threadpool(run)
    return RedirectResponse(f"{render.root_of(request)}/uploads?{urlencode({'withdrawn': graph})}", status_code=303)


__all__ = ["router", "FORMAT_LABELS"]
