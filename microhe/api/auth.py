"""Bearer-token authentication for the write endpoints (Graph Store writes, ``/update``).

Tokens are created with ``microhe token add NAME`` and kept hashed in the token file
beside the store (``<Settings.store>.tokens.json``, see :mod:`microhe.auth.tokens`), never in
the RDF store. A write request must carry ``Authorization: Bearer <token>``:

* a token in the URL (``?token=``, ``?access_token=``, any case) is refused with 400, never
  silently ignored: URLs end up in logs, browser histories and ``Referer`` headers. The
  rule holds on every route, reads included (:mod:`microhe.api.http.urlguard` applies it before
  routing); :func:`refuse_token_in_url` repeats it here for an app that mounts a write
  router without that middleware;
* no (or a non-Bearer) ``Authorization`` header: 401 with ``WWW-Authenticate: Bearer``;
* a token that is not in the token file: 403.

The comparison is constant time (:meth:`TokenFile.verify` compares every entry).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from microhe.auth.tokens import TokenFile, TokensUnavailable
from microhe.errors import Unavailable

REALM = "microhe"
#: Query parameters that would carry a token in the URL (compared case-insensitively).
URL_TOKEN_PARAMS = frozenset({"token", "access_token", "access-token", "bearer", "auth", "api_key", "apikey"})


def refuse_token_in_url(request: Request) -> None:
    """400 when the URL carries something that looks like a credential."""
    bad = sorted({k for k in request.query_params.keys() if k.lower() in URL_TOKEN_PARAMS})
    if bad:
        raise HTTPException(
            400,
            detail=f"credentials are never accepted in the URL (got ?{bad[0]}=); "
            "send the token as 'Authorization: Bearer <token>' and revoke the exposed one "
            "(`microhe token revoke NAME`)",
        )


def bearer_token(request: Request) -> str:
    """The token of an ``Authorization: Bearer`` header, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            401,
            detail="this endpoint writes to the store and needs 'Authorization: Bearer <token>' "
            "(create one with `microhe token add NAME`)",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    return token


#: The ``bearerAuth`` security scheme of the OpenAPI document. Declared only: it never
#: refuses (``auto_error=False``), :func:`require_writer` checks the header itself, so
#: that the 400/401/403 answers and their messages stay the app's own.
BEARER = HTTPBearer(scheme_name="bearerAuth", auto_error=False,
                    description="A write token (`microhe token add NAME`), as 'Authorization: Bearer <token>'")


def require_writer(request: Request,
                   _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None) -> str:
    """FastAPI dependency: the name of the write token presented, or 400/401/403. Every
    route that depends on it carries the ``bearerAuth`` requirement in /openapi.json."""
    refuse_token_in_url(request)
    token = bearer_token(request)
    settings = request.app.state.settings
    try:
        name = TokenFile.beside(settings.store).verify(token)
    except TokensUnavailable as e:  # an unreadable token file refuses every write
        raise Unavailable(f"write tokens unavailable: {e}") from None
    if name is None:
        raise HTTPException(
            403,
            detail="the bearer token is not valid for this store",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token"'},
        )
    return name


__all__ = ["require_writer", "refuse_token_in_url", "bearer_token", "REALM", "BEARER"]
