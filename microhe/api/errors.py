"""The error answers of the API as the OpenAPI document declares them.

Every refusal is a JSON object ``{"detail": ...}`` (FastAPI's ``HTTPException`` shape):

* ``detail`` is a message saying what was wrong and what to do (``ErrorMessage``), on
  every 4xx the app raises itself;
* on 422 it is either such a message (the app's own checks of a value: "credential
  'x' is not an absolute IRI ...") or FastAPI's list of field errors (a declared
  parameter or body field of the wrong type or range), so 422 declares both
  (``InvalidInput``) instead of FastAPI's default schema, which claims only the list;
* an unknown framework or level (404) carries the valid choices (``UnknownTerm``).

Routers declare their real error statuses with :func:`error_responses`, so clients
(and schemathesis, tests/api/test_schemathesis.py) can rely on the document.

A library refusal (:class:`microhe.errors.MicroheError`) is answered here, in one place:
:data:`STATUS` maps its category to the status, :func:`spell_option` renders the option
a message suggests as this API offers it (``?strip-personal-data=true``). Routes let
those errors through; they raise ``HTTPException`` only for what is HTTP's own (a
missing Content-Type, a body over the limit, an unacceptable format).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse

from microhe.errors import (
    Conflict,
    InputError,
    InvalidValue,
    MicroheError,
    NotFound,
    Unavailable,
    ValidationFailed,
    category,
)


class ErrorMessage(BaseModel):
    """A refused request: what was wrong and what to do about it."""

    detail: str = Field(description="What was wrong and what to do about it")


class FieldError(BaseModel):
    """One wrong parameter or body field (FastAPI's request validation)."""

    loc: list[str | int] = Field(description="Where: ['query', name], ['body', field, ...]")
    msg: str
    type: str


class InvalidInput(BaseModel):
    """422: a value was wrong. FastAPI's validation of declared parameters answers a list
    of field errors; the app's own checks answer one message."""

    detail: list[FieldError] | str


class UnknownTermDetail(BaseModel):
    message: str
    valid: list[str] = Field(description="The values that would have been understood")


class UnknownTerm(BaseModel):
    """404: an unknown framework code or level label, with the valid ones."""

    detail: UnknownTermDetail


class InvalidOrAmbiguous(BaseModel):
    """422: a value is wrong (field errors or a message), or the input names several things:
    then ``detail`` is ``{message, valid}`` with the candidates (an ambiguous level)."""

    detail: list[FieldError] | str | UnknownTermDetail


DESCRIPTIONS = {
    400: "Malformed request (the message says what to fix)",
    401: "No bearer token: write routes need 'Authorization: Bearer <token>'",
    403: "The bearer token is not valid for this store",
    404: "Not found",
    406: "None of the offered representations is acceptable",
    409: "Conflict with the current state of the store",
    410: "Gone: no longer available here (the message says what to do instead)",
    413: "Request body over the limit (Settings.max_body_bytes)",
    414: "The URL is too long (the message gives the limit)",
    415: "Unsupported Content-Type",
    422: "A value is wrong (the message says which and why)",
    501: "Not offered by this deployment (the message says why)",
    503: "Temporarily unavailable (write tokens unreadable, or the server is busy)",
}

#: The statuses of every route that writes (token check) and takes a body.
WRITE = (400, 401, 403, 413, 503)


def error_responses(*codes: int, models: dict[int, type[BaseModel]] | None = None,
                    **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """FastAPI ``responses=`` for the error ``codes`` a route really answers: JSON
    ``ErrorMessage`` bodies, ``InvalidInput`` for 422; ``models`` overrides the body
    model, ``descriptions`` (``d404="..."``) the description of a status."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        model = (models or {}).get(code, InvalidInput if code == 422 else ErrorMessage)
        out[code] = {"model": model, "description": descriptions.get(f"d{code}", DESCRIPTIONS[code])}
    return out


def error_content(code: int) -> dict[str, Any]:
    """The same declaration as a raw OpenAPI response object, for routes documented with
    ``openapi_extra`` (refers to the component schema, registered by the app)."""
    name = "InvalidInput" if code == 422 else "ErrorMessage"
    return {"description": DESCRIPTIONS[code],
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


#: The HTTP status of each category of library error: the one place it is chosen.
STATUS: dict[type[MicroheError], int] = {
    InputError: 400,
    InvalidValue: 422,
    ValidationFailed: 422,
    Conflict: 409,
    NotFound: 404,
    Unavailable: 503,
}

#: How the API offers the options that library messages suggest (default ``?name=true``).
OPTIONS = {"replace": "PUT (which replaces the graph's content)"}


def spell_option(option: str) -> str:
    return OPTIONS.get(option, f"?{option}=true")


def status_of(e: MicroheError) -> int:
    cat = category(e)
    return STATUS.get(cat, 400) if cat is not None else 400


def detail_of(e: MicroheError) -> str | dict:
    """The ``detail`` of the answer: the message, with the valid choices when the error
    lists them (an unknown framework or level)."""
    message = e.render(spell_option)
    valid = getattr(e, "valid", None)
    return message if valid is None else {"message": message, "valid": valid}


def library_error_response(e: MicroheError) -> JSONResponse:
    """The answer to a library refusal: ``{"detail": ...}`` with its category's status."""
    return JSONResponse({"detail": detail_of(e)}, status_code=status_of(e))


async def microhe_error(request: Request, e: MicroheError) -> JSONResponse:
    """The exception handler of every library refusal (registered by ``create_app``)."""
    return library_error_response(e)


def _json_safe(value: Any) -> Any:
    """``value`` with every float JSON cannot write (NaN, Infinity: Python's JSON parser reads
    them, RFC 8259 has none) as its text, e.g. ``"nan"``."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


async def invalid_request(request: Request, e: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 answer to a request its models refuse, with the refused input written
    safely: FastAPI's own handler failed (500) on a body holding ``NaN`` or ``Infinity``,
    because it echoes the input in a JSON answer that cannot hold them."""
    return JSONResponse({"detail": _json_safe(jsonable_encoder(e.errors()))}, status_code=422)


__all__ = ["ErrorMessage", "FieldError", "InvalidInput", "InvalidOrAmbiguous", "UnknownTerm", "error_responses", "error_content",
           "DESCRIPTIONS", "WRITE", "STATUS", "spell_option", "status_of", "detail_of", "library_error_response",
           "microhe_error", "invalid_request"]
