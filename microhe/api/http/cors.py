"""CORS for the public read endpoints (``/sparql``, ``/api/queries/...``).

CORS is decided per router, never app-wide: a read-only router takes
:class:`PublicReadRoute` as its ``route_class`` and answers ``OPTIONS`` with
:func:`preflight`, so write endpoints (``/update``, Graph Store writes) never get
permissive CORS.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.routing import APIRoute

from microhe.api.errors import library_error_response
from microhe.errors import MicroheError

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Result-Truncated, X-Row-Cap, Warning, Retry-After, Server-Timing, Vary",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Accept-Language, Content-Language, Cache-Control, X-Requested-With",
    "Access-Control-Max-Age": "86400",
    "Allow": "GET, POST, OPTIONS",
}


class PublicReadRoute(APIRoute):
    """A route whose every response (errors included) allows any origin to read it.

    Used as ``route_class`` of the read-only routers so that CORS is decided per router,
    never app-wide (write endpoints must not get permissive CORS)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handler(request)
            except HTTPException as e:
                response = PlainTextResponse(str(e.detail), status_code=e.status_code, headers=e.headers)
            except MicroheError as e:  # answered as the app's handler would, with CORS
                response = library_error_response(e)
            for k, v in CORS_HEADERS.items():
                response.headers.setdefault(k, v)
            return response

        return with_cors


def preflight() -> Response:
    """The answer to an OPTIONS (CORS preflight) request on a public read endpoint."""
    return Response(status_code=204, headers=PREFLIGHT_HEADERS)


__all__ = ["CORS_HEADERS", "PREFLIGHT_HEADERS", "PublicReadRoute", "preflight"]
