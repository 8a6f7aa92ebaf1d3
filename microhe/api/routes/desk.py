"""The recognition desk for people: HTML pages over the same library functions as the JSON
API's recognition routes (:mod:`microhe.api.routes.recognition`).

* ``GET /level``: level translation (framework and level, or a level IRI) and credit
  conversion (amount and system), answered in words with sources and caveats;
* ``GET /compare``: a credential (by IRI, or picked by search) against a target (by IRI,
  picked by search, or requirements: level, ECTS, outcomes from the skill hierarchy), the
  report criterion by criterion, the recommendation and a link to record the decision;
  ``POST /compare`` (multipart, field ``document``): the same for an uploaded file,
  validated and never stored;
* ``GET /pathways``: ranked stacks of credentials towards a target.

Every page works without JavaScript (GET forms and links). Input the library refuses is a
page with the message and the form refilled, with the status of the error's category
(:func:`microhe.api.errors.status_of`); the pages are not in the OpenAPI document.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from microhe.api.deps import SettingsDep, StoreDep
from microhe.api.errors import status_of
from microhe.api.http.multipart import is_multipart
from microhe.api.pages import comparing, desk, i18n, ladder, render
from microhe.errors import InvalidValue, MicroheError
from microhe.frameworks.credits import convert
from microhe.frameworks.levels import translate
from microhe.frameworks.parse import AmbiguousLevelError
from microhe.ingest.load import Source
from microhe.rdf.parse import detect_format
from microhe.rdf.reading import UnsupportedFormatError
from microhe.recognition.pathways import pathways
from microhe.recognition.sides import Side, compare_sides, resolve_side
from microhe.recognition.skills import skill_tree
from microhe.settings import Settings
from microhe.store.embedded import Store
from microhe.store.labels import Labels

router = APIRouter(include_in_schema=False)


# -- /level -----------------------------------------------------------------------------


@router.get("/level")
@router.head("/level")
def level_page(request: Request, store: StoreDep) -> Response:
    lang = render.language(request)
    langs = i18n.label_langs(lang)
    q = request.query_params
    values = {k: q[k].strip() for k in ("framework", "level", "to", "amount", "system", "country")
              if q.get(k) and q[k].strip()}
    errors: list[str] = []
    candidates: list[dict[str, str]] = []
    status = 200
    level = credits = None
    if "level" in values or "framework" in values:
        try:
            if "level" not in values:
                raise InvalidValue("give a level, e.g. 6, 'Level 6', 'Entry 3', or a level IRI")
            level = translate(store, values.get("framework"), values["level"], values.get("to"), None, langs)
        except MicroheError as e:
            errors.append(str(e))
            status = max(status, status_of(e))
            if isinstance(e, AmbiguousLevelError):
                candidates = desk.candidate_links(e.valid, render.root_of(request) + "/level")
    if "amount" in values or "system" in values:
        try:
            if "amount" not in values or "system" not in values:
                raise InvalidValue("give both the amount and the credit system")
            credits = convert(store, values["amount"], values["system"], values.get("country"), langs)
        except MicroheError as e:
            errors.append(str(e))
            status = max(status, status_of(e))
    systems = desk.system_choices(store)
    return render.page(request, "level.html", status=status, lang=lang, values=values, errors=errors,
                       candidates=candidates, level=level, credits=credits, systems=systems,
                       frameworks=ladder.framework_choices(store), d=desk)


# -- /compare ---------------------------------------------------------------------------


def _common(request: Request, store: Store, settings: Settings, form: comparing.ComparisonForm, lang: str) -> dict[str, Any]:
    """What the compare and pathways forms share: the chosen things' labels, the skill tree."""
    langs = i18n.label_langs(lang)
    root = render.root_of(request)
    labels = Labels(store, langs)
    chosen = {}
    for role in ("credential", "target"):
        iri = form.values.get(role)
        if iri:
            ref = labels.ref(iri)
            chosen[role] = {"label": ref.label, "href": render.href(iri, settings.base, root) if ref.label else None}
    skills, truncated = skill_tree(store, langs)
    known = {s.iri for s in skills}
    other = [o for o in form.outcomes if o not in known]
    return {"f": form, "chosen": chosen, "skills": skills, "skills_truncated": truncated,
            "other_outcomes": other, "selected": set(form.outcomes), "d": desk}


def _chooser(form: comparing.ComparisonForm, path: str, role: str) -> Callable[[str], str]:
    """The link that picks a search hit as the ``role`` side, the rest of the form kept."""
    return lambda iri: form.url(path, **{role: iri})


def _link(settings: Settings, root: str) -> Callable[[str], str | None]:
    return lambda iri: render.href(iri, settings.base, root)


@router.get("/compare")
@router.head("/compare")
def compare_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    lang = render.language(request)
    langs = i18n.label_langs(lang)
    root = render.root_of(request)
    path = root + "/compare"
    form = comparing.read_form(request.query_params.multi_items(), comparing.COMPARE_PARAMS)
    q = request.query_params
    texts = {k: q[k].strip()[:200] for k in ("credential_text", "target_text") if q.get(k) and q[k].strip()}
    link = _link(settings, root)
    searches = {}
    for role in ("credential", "target"):
        found, total, problem = desk.hits(store, texts.get(f"{role}_text"), langs, _chooser(form, path, role), link)
        searches[role] = {"hits": found, "total": total, "problem": problem}
    status = 422 if form.errors else 200
    comparison = None
    if not form.errors and form.credential and form.has_target:
        try:
            cred = resolve_side(store, "credential", iri=form.credential)
            comparison = _compare(store, cred, form, langs)
        except MicroheError as e:
            form.errors.append(str(e))
            status = status_of(e)
    record = f"{root}/decisions/new?{urlencode(form.pairs())}" if comparison is not None else None
    return render.page(request, "compare.html", status=status, lang=lang, path=path, texts=texts,
                       searches=searches, comparison=comparison, record=record, upload=None,
                       rows=desk.report_rows(comparison, i18n.translator(lang), link) if comparison else [],
                       **_common(request, store, settings, form, lang))


def _compare(store: Store, cred: Side, form: comparing.ComparisonForm, langs: tuple[str, ...]):
    tgt = resolve_side(store, "target", iri=form.target, requirements=form.requirements)
    return compare_sides(store, cred, tgt, form.rules, langs)


def _upload_name(filename: str | None) -> str:
    """The uploaded file's base name (no folders, no control characters), for messages and
    format detection by extension."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)[:120]
    return name or "upload"


@router.post("/compare")
async def compare_upload(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """A credential file compared with a target: parsed, validated and compared, never stored."""
    lang = render.language(request)
    form_data = None
    problem: tuple[int, str] | None = None
    data = b""
    name = "upload"
    media: str | None = None
    if not is_multipart(request.headers.get("content-type")):
        problem = (400, "send the credential file as multipart/form-data, in the field named document "
                        "(the upload form on this page)")
    else:
        try:
            form_data = await request.form(max_files=1, max_fields=200)
        except Exception as e:  # starlette's MultiPartException / HTTPException: a body that is no form
            problem = (400, f"the upload is not a readable multipart/form-data body: {getattr(e, 'detail', e)}")
    if form_data is not None:
        upload = form_data.get("document")
        if not isinstance(upload, UploadFile):
            problem = (400, "no file in the field named document: choose the credential file to compare")
        else:
            data = await upload.read(desk.DOCUMENT_MAX + 1)
            name = _upload_name(upload.filename)
            media = upload.content_type
            if len(data) > desk.DOCUMENT_MAX:
                problem = (413, f"the file is larger than {desk.DOCUMENT_MAX} bytes: a credential description is "
                                "a few kB; compare one credential at a time")
            elif not data.strip():
                problem = (400, f"{name!r} is empty: choose the credential file to compare")
            else:
                try:
                    fmt_media = media if media and media.split(";")[0].strip().lower() != "application/octet-stream" \
                        else None
                    detect_format(name=name, media_type=fmt_media)
                    media = fmt_media
                except UnsupportedFormatError as e:
                    problem = (415, str(e))
    params = form_data if form_data is not None else request.query_params
    return await run_in_threadpool(_upload_page, request, store, settings, lang, params, problem, name, data, media)


def _upload_page(request: Request, store: Store, settings: Settings, lang: str, params: Any,
                 problem: tuple[int, str] | None, name: str, data: bytes, media: str | None) -> Response:
    langs = i18n.label_langs(lang)
    root = render.root_of(request)
    form = comparing.read_form(params.multi_items(), comparing.COMPARE_PARAMS)
    form.values.pop("credential", None)  # the file is the credential
    status = 422 if form.errors else 200
    comparison = None
    if problem is not None:
        status, message = problem
        form.errors.insert(0, message)
    elif not form.errors and not form.has_target:
        form.errors.append("choose a target (an IRI in the store) or enter requirements, then upload the file again")
        status = 422
    elif not form.errors:
        try:
            cred = resolve_side(store, "credential", document=Source(name, data, media), base_iri=settings.base,
                                document_name=name)
            comparison = _compare(store, cred, form, langs)
        except MicroheError as e:
            form.errors.append(str(e))
            status = status_of(e)
    link = _link(settings, root)
    return render.page(request, "compare.html", status=status, lang=lang, path=root + "/compare", texts={},
                       searches={}, comparison=comparison, record=None, upload=name,
                       rows=desk.report_rows(comparison, i18n.translator(lang), link) if comparison else [],
                       **_common(request, store, settings, form, lang))


# -- /pathways --------------------------------------------------------------------------


@router.get("/pathways")
@router.head("/pathways")
def pathways_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    lang = render.language(request)
    langs = i18n.label_langs(lang)
    root = render.root_of(request)
    path = root + "/pathways"
    form = comparing.read_form(request.query_params.multi_items(), comparing.PATHWAY_PARAMS)
    q = request.query_params
    texts = {k: q[k].strip()[:200] for k in ("target_text",) if q.get(k) and q[k].strip()}
    link = _link(settings, root)
    found, total, problem = desk.hits(store, texts.get("target_text"), langs,
                                      lambda iri: form.url(path, comparing.PATHWAY_PARAMS, target=iri), link)
    status = 422 if form.errors else 200
    result = None
    if not form.errors and form.has_target:
        try:
            tgt = resolve_side(store, "target", iri=form.target, requirements=form.requirements)
            result = pathways(store, tgt.facts, max_size=form.max_size, langs=langs)
        except MicroheError as e:
            form.errors.append(str(e))
            status = status_of(e)
    return render.page(request, "pathways.html", status=status, lang=lang, path=path, texts=texts,
                       searches={"target": {"hits": found, "total": total, "problem": problem}},
                       result=result, link=link, **_common(request, store, settings, form, lang))


__all__ = ["router"]
