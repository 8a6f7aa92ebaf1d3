"""The credit supplement of every micro-credential specification (issue 19), beside its
page: ``GET <credential page>/supplement``.

* ``/demo/{rest}/supplement``, ``/ref/{rest}/supplement``: the bundled IRIs;
* ``/resource/supplement?iri=...``: any IRI the store describes (``urn:epass:...``);
* ``/{path}/supplement``: an IRI under the deployment's base;
* ``/supplement.css``: its stylesheet (screen and A4 print).

HTML (printable, A4), PDF (PDF/A-2b) or JSON-LD, by ``Accept`` or ``?format=html|pdf|jsonld``;
the language of the pages (``?lang=``, the cookie, ``Accept-Language``). 404 for an IRI the
store does not describe, 422 for one that is no specification. What it says is built by
:mod:`microhe.publish.supplement` (the command line ``microhe supplement`` uses the same).
Registered before the linked-data router, whose ``/demo/{rest}`` would otherwise take
``/demo/.../supplement`` for an IRI.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlencode

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from microhe.api.deps import SettingsDep, StoreDep
from microhe.api.errors import library_error_response
from microhe.api.http.negotiation import HTML, JSON_LD, negotiate, not_acceptable_message, offer
from microhe.api.http.paths import RESOURCE
from microhe.api.pages import render
from microhe.errors import MicroheError
from microhe.publish.supplement import build_supplement
from microhe.publish.supplement_render import render_html
from microhe.publish.supplement_render import stylesheet as supplement_css
from microhe.publish.supplement_verify import render as render_file
from microhe.recognition.decisions import list_decisions
from microhe.store.embedded import Store
from microhe.vocab import DEMO, REF

PDF = "application/pdf"
OFFERED = (HTML, PDF, JSON_LD)
FORMATS = {"html": HTML, "pdf": PDF, "jsonld": JSON_LD}
SUFFIX = "/supplement"
CSS_PATH = "/supplement.css"

router = APIRouter(include_in_schema=False)


def _raw(request: Request, prefix: str) -> str:
    """The path between ``prefix`` and ``/supplement``, percent-encoded as sent (IRIs are
    compared as strings)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(request.url.path, safe="/:@!$&'()*+,;=-._~")
    path = path.split("?", 1)[0]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    path = path[len(prefix):] if path.startswith(prefix) else path.lstrip("/")
    return path[: -len(SUFFIX)] if path.endswith(SUFFIX) else path


def _media_type(request: Request) -> str:
    given = [v for v in request.query_params.getlist("format") if v.strip()]
    if given:
        mt = FORMATS.get(given[0].strip().lower())
        if mt is None:
            raise HTTPException(406, detail=f"unknown format {given[0]!r} for a credit supplement; use one of: "
                                            f"{', '.join(FORMATS)}", headers={"Vary": "Accept"})
        return mt
    mt = negotiate(request.headers.get("accept"), OFFERED)
    if mt is None:
        raise HTTPException(406, detail=not_acceptable_message(request.headers.get("accept"),
                                                               offer("a credit supplement", OFFERED)),
                            headers={"Vary": "Accept"})
    return mt


def _filename(iri: str, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", unquote(iri.rstrip("/").rsplit("/", 1)[-1]))[:80].strip("-.") or "credential"
    return f"{stem}-supplement.{ext}"


def _serve(request: Request, store: Store, base: str, iri: str, page: str) -> Response:
    mt = _media_type(request)
    lang = render.language(request)
    root = render.root_of(request)
    try:
        s = build_supplement(store, iri, lang=lang, base=base, root=root, decisions=list_decisions(store, credential=iri))
    except MicroheError as e:  # 404/422 of a negotiated route: say that the answer varied on Accept
        refusal = library_error_response(e)
        refusal.headers["Vary"] = "Accept"
        return refusal
    own = request.url.path
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("format",)]
    alternates = [(f, f"{own}?{urlencode([*query, ('format', f)])}") for f in FORMATS]
    headers = {"Vary": "Accept, Accept-Language, Cookie", "Content-Language": lang,
               "Link": ", ".join(f'<{href}>; rel="alternate"; type="{FORMATS[f]}"' for f, href in alternates)}
    if mt == HTML:
        links = [("← " + s.credential.title, page), ("PDF", alternates[1][1]), ("JSON-LD", alternates[2][1])]
        body = render_html(s, stylesheet_href=f"{root}{CSS_PATH}", links=links,
                           icon_href=f"{root}/static/favicon.svg").encode("utf-8")
        media = "text/html; charset=utf-8"
    elif mt == PDF:
        body = render_file(s, "pdf")
        media = PDF
        headers["Content-Disposition"] = f'inline; filename="{_filename(iri, "pdf")}"'
    else:
        body = render_file(s, "jsonld")
        media = JSON_LD
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        body = b""
    response = Response(body, media_type=media, headers=headers)
    render.remember_language(request, response)
    return response


async def _answer(request: Request, store: Store, base: str, iri: str, page: str) -> Response:
    return await run_in_threadpool(_serve, request, store, base, iri, page)  # the PDF takes a moment: off the loop


@router.get(CSS_PATH)
def supplement_stylesheet() -> Response:
    return Response(supplement_css(), media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/demo/{rest:path}" + SUFFIX)
@router.head("/demo/{rest:path}" + SUFFIX)
async def demo_supplement(rest: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    r = _raw(request, "/demo/")
    return await _answer(request, store, settings.base, DEMO + r, f"{render.root_of(request)}/demo/{r}")


@router.get("/ref/{rest:path}" + SUFFIX)
@router.head("/ref/{rest:path}" + SUFFIX)
async def ref_supplement(rest: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    r = _raw(request, "/ref/")
    return await _answer(request, store, settings.base, REF + r, f"{render.root_of(request)}/ref/{r}")


@router.get(RESOURCE + SUFFIX)
@router.head(RESOURCE + SUFFIX)
async def lookup_supplement(request: Request, store: StoreDep, settings: SettingsDep, iri: str | None = None) -> Response:
    if not iri:
        raise HTTPException(400, detail=f"give the IRI of a specification: {RESOURCE}{SUFFIX}?iri=<the IRI, percent-encoded>")
    page = f"{render.root_of(request)}{RESOURCE}?{urlencode({'iri': iri})}"
    return await _answer(request, store, settings.base, iri, page)


@router.get("/{path:path}" + SUFFIX)
@router.head("/{path:path}" + SUFFIX)
async def base_supplement(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    r = _raw(request, "/")
    return await _answer(request, store, settings.base, settings.base + r, f"{render.root_of(request)}/{r}")


__all__ = ["router", "OFFERED", "FORMATS", "CSS_PATH", "SUFFIX"]
