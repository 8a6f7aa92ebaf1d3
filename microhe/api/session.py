"""The web session of the pages with a write effect (sign-in, upload, decisions): reading
the session cookie, CSRF checks, where to go after signing in, the sign-in rate limit.

The session cookie (``microhe_session``: HttpOnly, SameSite=Strict, path ``/``, Secure
when the request came over https, as uvicorn reports it: its proxy headers are trusted
from loopback only) authenticates **only the HTML forms**. The JSON write API keeps
requiring ``Authorization: Bearer`` (:func:`microhe.api.auth.require_writer` never reads a
cookie), so a cross-site request can never ride on a browser's session to write through
it. Every cookie-authenticated POST must carry the session's CSRF token
(:func:`microhe.auth.sessions.csrf_token`) in a form field ``csrf``: without it, or with a
wrong one or another session's, 403 and nothing is done. The sign-in form itself is
protected by a pre-session token (a random value in a SameSite=Strict cookie and in the
form, compared), so another site cannot sign a browser in with its own token.

Routes whose POST writes through a session declare :func:`session_write` as a
dependency: CORS (:mod:`microhe.api.http.cors`) then treats them as writes (no
``Access-Control-Allow-Origin`` for other origins). No answer ever allows credentials.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from microhe.api.http.clients import client_of
from microhe.auth.sessions import Session, Sessions, csrf_matches

COOKIE = "microhe_session"
SIGNIN_COOKIE = "microhe_signin"
_STATE_KEY = "microhe_session"


def session_write() -> None:
    """Marker dependency of the routes that write through a web session (for CORS)."""


def sessions(request: Request) -> Sessions:
    settings = request.app.state.settings
    return Sessions(settings.store, idle=settings.session_idle_minutes * 60)


def current(request: Request) -> Session | None:
    """The live session of the request's cookie (looked up once per request)."""
    if _STATE_KEY not in request.scope:
        value = request.cookies.get(COOKIE)
        request.scope[_STATE_KEY] = sessions(request).get(value) if value else None
    return request.scope[_STATE_KEY]


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_path(request: Request) -> str:
    return request.scope.get("root_path", "") or "/"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=cookie_path(request), secure=is_https(request),
                        httponly=True, samesite="strict")


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=cookie_path(request), secure=is_https(request), httponly=True,
                           samesite="strict")


def signin_nonce(request: Request) -> str:
    """The sign-in form's pre-session token: the cookie's, or a new one (the caller sets it)."""
    value = request.cookies.get(SIGNIN_COOKIE) or ""
    return value if 20 <= len(value) <= 100 else secrets.token_urlsafe(24)


def csrf_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


def csrf_ok(session: Session, form) -> bool:
    value = form.get("csrf")
    return csrf_matches(session.id, value if isinstance(value, str) else None)


def safe_next(value: str | None, root: str = "") -> str:
    """Where to go after signing in: ``value`` when it is a path of this site (``/...``),
    else the home page. Refused: ``//host`` and ``/\\host`` (other hosts to a browser),
    any backslash, scheme or host, control characters."""
    home = (root or "") + "/"
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return home
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return home
    return value


def to_sign_in(request: Request) -> RedirectResponse:
    """303 to the sign-in page, coming back here afterwards (a GET's own URL)."""
    root = request.scope.get("root_path", "") or ""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{root}/sign-in?next={quote(here, safe='')}", status_code=303)


class Throttle:
    """At most ``limit`` failed sign-ins per client in ``window`` seconds; then 429 until
    the oldest failure leaves the window. In memory (per server process)."""

    def __init__(self, limit: int = 10, window: float = 600.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        q = self._failures.setdefault(client, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def wait(self, client: str) -> int:
        """Seconds the client must wait before trying again (0: it may try now)."""
        with self._lock:
            now = self.clock()
            q = self._recent(client, now)
            if len(q) < self.limit:
                return 0
            return max(1, int(self.window - (now - q[0])) + 1)

    def failed(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(client, now).append(now)
            if len(self._failures) > 10_000:  # forget idle clients, never grow without bound
                for k in [k for k, v in self._failures.items() if not v]:
                    del self._failures[k]


def throttle(request: Request) -> Throttle:
    state = request.app.state
    t = getattr(state, "signin_throttle", None)
    if t is None:
        t = state.signin_throttle = Throttle()
    return t


def client(request: Request) -> str:
    return client_of(request, request.app.state.settings)


__all__ = ["COOKIE", "SIGNIN_COOKIE", "Throttle", "clear_cookie", "client", "csrf_equal", "csrf_ok", "current", "safe_next",
           "session_write", "sessions", "set_cookie", "signin_nonce", "throttle", "to_sign_in"]
