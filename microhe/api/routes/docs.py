"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served
from this server alone.

FastAPI's own pages load their scripts and styles from a CDN (blank offline) and start
Swagger UI with an inline script (refused by a Content-Security-Policy without
``'unsafe-inline'``). These pages load the vendored bundles from
``/static/vendor/{swagger-ui,redoc}`` and a static initialiser from ``/static/docs``, which
reads the OpenAPI document's URL from a ``data-`` attribute. The app is created with
FastAPI's ``docs_url`` and ``redoc_url`` off, so these are the only ones.
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

router = APIRouter()

#: ReDoc's own policy (the one page that needs exceptions; vendor/README.md): its
#: styled-components insert <style> elements, its search index runs in a worker from a
#: blob: URL, and its sidebar shows a logo from cdn.redoc.ly, which img-src refuses so the
#: page makes no request beyond this server.
REDOC_CSP = ("default-src 'self'; script-src 'self'; worker-src blob:; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
             "base-uri 'none'; frame-ancestors 'none'")


@cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader("microhe.api", "templates"), autoescape=select_autoescape(["html"]))


def _page(request: Request, template: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    openapi_url = request.app.openapi_url or "/openapi.json"
    html = _templates().get_template(template).render(root=root, openapi_url=root + openapi_url,
                                                      title=request.app.title)
    return HTMLResponse(html, headers=headers)


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json: try every operation from the browser."""
    return _page(request, "docs.html")


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json: the API reference as one readable page."""
    return _page(request, "redoc.html", {"Content-Security-Policy": REDOC_CSP})


__all__ = ["router"]
