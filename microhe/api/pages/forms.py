"""What the pages with forms share: their refusal pages (a title, what was wrong and what
to do, the right status), the CSRF check of a signed-in form, and reading a form body.

A form body is read only here and never logged or echoed: it may hold a write token (the
sign-in form) or a file. The request log (:mod:`microhe.api.http.requestlog`) logs the
path and the page's first words, never a body.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException

from microhe.api import session as web
from microhe.api.pages import i18n, render
from microhe.auth.sessions import Session

#: Form fields a page reads (a form with more is refused: 400).
MAX_FIELDS = 200


def refused(request: Request, status: int, title: str, message: str, headers: dict[str, str] | None = None
            ) -> HTMLResponse:
    """An error page: ``title`` (translated) and ``message`` (as given), with ``status``."""
    t = i18n.translator(render.language(request))
    return render.page(request, "error.html", status=status, title=t(title), message=message, headers=headers)


def csrf_refused(request: Request) -> HTMLResponse:
    t = i18n.translator(render.language(request))
    return refused(request, 403, "Form refused", t(
        "This form did not carry this session's CSRF token (it may come from another site, another session, "
        "or a page older than your sign-in). Nothing was done. Reload the page and submit the form again."))


async def read_form(request: Request) -> FormData | HTMLResponse:
    """The form body (urlencoded or multipart, at most one file), or a 400 page."""
    try:
        return await request.form(max_files=1, max_fields=MAX_FIELDS)
    except MultiPartException as e:
        t = i18n.translator(render.language(request))
        return refused(request, 400, "Form refused", t("The form could not be read: {why}", why=str(e)))


def checked(request: Request, form: FormData) -> Session | HTMLResponse | None:
    """The request's session when its form carries the session's CSRF token; a 403 page
    when a session cookie came with a missing or wrong token; None without a session."""
    s = web.current(request)
    if s is None:
        return None
    if not web.csrf_ok(s, form):
        return csrf_refused(request)
    return s


async def posted(request: Request) -> tuple[FormData, Session | None] | HTMLResponse:
    """A form post as every signed-in form reads it: the form and the session it was
    checked against (:func:`read_form`, then :func:`checked`), or the refusal page."""
    form = await read_form(request)
    if isinstance(form, HTMLResponse):
        return form
    session = checked(request, form)
    if isinstance(session, HTMLResponse):
        return session
    return form, session


__all__ = ["refused", "csrf_refused", "read_form", "checked", "posted", "MAX_FIELDS"]
