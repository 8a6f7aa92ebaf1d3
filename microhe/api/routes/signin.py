"""Signing in and out of the pages, without JavaScript (:mod:`microhe.api.session`).

* ``GET /sign-in``: a form asking for a write token (``microhe token add NAME``), with a
  pre-session token against login CSRF; ``?next=`` (a local path) is where to go after;
* ``POST /sign-in``: the token for a session cookie (303 to ``next``); a token that is not
  valid: 401 with one generic message (nothing tells a revoked token from one never
  issued); more than :class:`~microhe.api.session.Throttle`'s failures from one client:
  429 with ``Retry-After``;
* ``POST /sign-out``: ends the session (its record is deleted server-side), CSRF-checked.

The token travels in the form body only (never a URL: the form posts), and neither it nor
the body is logged.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microhe.api import session as web
from microhe.api.pages import i18n, render
from microhe.api.pages.forms import posted, read_form, refused

router = APIRouter(include_in_schema=False)


def _form(request: Request, *, status: int = 200, error: str | None = None, next_: str | None = None) -> HTMLResponse:
    nonce = web.signin_nonce(request)
    root = render.root_of(request)
    page = render.page(request, "sign_in.html", status=status, error=error, nonce=nonce,
                       next=web.safe_next(next_ if next_ is not None else request.query_params.get("next"), root),
                       headers={"Cache-Control": "no-store"})
    web.set_cookie(request, page, web.SIGNIN_COOKIE, nonce, max_age=3600)
    return page


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    return _form(request)


@router.post("/sign-in", dependencies=[Depends(web.session_write)])
async def sign_in(request: Request) -> Response:
    t = i18n.translator(render.language(request))
    form = await read_form(request)
    if isinstance(form, Response):
        return form
    next_ = form.get("next")
    next_ = next_ if isinstance(next_, str) else None
    nonce, cookie = form.get("csrf"), request.cookies.get(web.SIGNIN_COOKIE)
    if not cookie or not isinstance(nonce, str) or not web.csrf_equal(nonce, cookie):
        return refused(request, 403, "Form refused", t(
            "This sign-in form did not come from this site's sign-in page (or your browser refused its cookie). "
            "Open the sign-in page and try again."))
    who = web.client(request)
    limiter = web.throttle(request)
    wait = limiter.wait(who)
    if wait:
        return refused(request, 429, "Too many attempts", t(
            "Too many failed sign-ins from your address. Try again in {n} seconds.", n=wait),
            headers={"Retry-After": str(wait)})
    token = form.get("token")
    session = web.sessions(request).open(token.strip()) if isinstance(token, str) and token.strip() else None
    if session is None:
        limiter.failed(who)
        return _form(request, status=401, next_=next_, error=t(
            "The token was not accepted. Check that you copied the whole write token; a revoked token no longer "
            "works. Ask the operator for a new one (microhe token add NAME)."))
    response = RedirectResponse(web.safe_next(next_, render.root_of(request)), status_code=303)
    web.set_cookie(request, response, web.COOKIE, session.id)
    web.clear_cookie(request, response, web.SIGNIN_COOKIE)
    return response


@router.post("/sign-out", dependencies=[Depends(web.session_write)])
async def sign_out(request: Request) -> Response:
    got = await posted(request)
    if isinstance(got, Response):
        return got
    form, s = got
    if s is not None:
        web.sessions(request).close(s.id)
    response = RedirectResponse(render.root_of(request) + "/", status_code=303)
    web.clear_cookie(request, response, web.COOKIE)
    return response


__all__ = ["router"]
