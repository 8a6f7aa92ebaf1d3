"""Rendering a page: one Jinja environment (autoescaping every value), the base
template's context (navigation, language switch, the mount path), and the response
headers every page carries (``Content-Language``, ``Vary``, the language cookie).

Every value from the graph reaches a template as text and is escaped there; a link is
made only from :func:`href` (a local path of this server, or an http/https/mailto IRI).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from microhe import __version__
from microhe.api.pages import i18n
from microhe.publish.names import local_href, safe_href

#: The navigation of every page: (path, label). "Data model" is the ontology's documentation; levels and
#: credits, compare and pathways are the recognition desk (routes/desk.py); upload and decisions the
#: steward's and the evaluator's writes (routes/upload.py, routes/decisions.py).
NAV = (("/", "Home"), ("/search", "Search"), ("/frameworks", "Frameworks"), ("/level", "Levels and credits"),
       ("/compare", "Compare"), ("/pathways", "Pathways"), ("/upload", "Upload"), ("/decisions", "Decisions"),
       ("/sparql", "SPARQL"), ("/docs", "API docs"), ("/ontology", "Data model"))


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("microhe.api", "templates"), autoescape=select_autoescape(["html", "svg", "xml"]),
                      trim_blocks=True, lstrip_blocks=True)
    return env


def static_directory() -> Path:
    """The folder ``/static`` serves (package data: one CSS file and the pages' scripts)."""
    return Path(str(resources.files("microhe.api").joinpath("static")))


def root_of(request: Request) -> str:
    return request.scope.get("root_path", "") or ""


def language(request: Request) -> str:
    return i18n.choose(request.query_params.get("lang"), request.cookies.get(i18n.COOKIE),
                       request.headers.get("accept-language"))


def href(iri: str, base: str | None, root: str = "") -> str | None:
    """Where a link to ``iri`` goes: this server's page for it, the IRI itself when a
    browser may follow it (http, https, mailto), else None (shown as text)."""
    return local_href(iri, base, root) or safe_href(iri)


def _switch(request: Request) -> list[dict]:
    """The language switch: the current URL with each ``lang``."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    out = []
    for code, name in i18n.LANGUAGES.items():
        out.append({"code": code, "name": name, "href": f"{request.url.path}?{urlencode([*params, ('lang', code)])}"})
    return out


def context(request: Request, lang: str | None = None) -> dict:
    """The variables of the base template."""
    lang = lang or language(request)
    root = root_of(request)
    path = request.url.path[len(root):] if root and request.url.path.startswith(root) else request.url.path
    nav = [{"href": root + p, "label": label, "current": p == path or (p != "/" and path.startswith(p + "/"))}
           for p, label in NAV]
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    sign_in = f"{root}/sign-in" if path in ("/sign-in", "/") else f"{root}/sign-in?{urlencode({'next': here})}"
    return {"lang": lang, "t": i18n.translator(lang), "root": root, "nav": nav, "languages": _switch(request),
            "version": __version__, "account": _account(request), "sign_in_href": sign_in}


def _account(request: Request) -> dict | None:
    """Who is signed in (name, and the CSRF token of the sign-out form), or None."""
    if getattr(request.app.state, "settings", None) is None:
        return None
    from microhe.api import session as web

    s = web.current(request)
    return {"name": s.name, "csrf": s.csrf} if s else None


def render(request: Request, template: str, **values) -> tuple[str, dict[str, str]]:
    """The page's HTML and the headers it must be sent with."""
    ctx = context(request, values.pop("lang", None))
    html = environment().get_template(template).render({**ctx, **values})
    headers = {"Content-Language": ctx["lang"], "Vary": "Accept, Accept-Language, Cookie"}
    if ctx["account"]:  # a signed-in page holds the session's CSRF token: never cached
        headers["Cache-Control"] = "no-store"
    return html, headers


def page(request: Request, template: str, *, status: int = 200, headers: dict[str, str] | None = None,
         **values) -> HTMLResponse:
    """An HTML response of ``template`` (with the language cookie when ``?lang=`` chose one)."""
    html, own = render(request, template, **values)
    response = HTMLResponse(html, status_code=status, headers={**own, **(headers or {})})
    remember_language(request, response)
    return response


def remember_language(request: Request, response) -> None:
    chosen = (request.query_params.get("lang") or "").lower()
    if chosen in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", path=root_of(request) or "/")


__all__ = ["NAV", "environment", "static_directory", "language", "href", "context", "render", "page",
           "remember_language", "root_of"]
