"""One hierarchy for every refusal microhe makes, so each layer answers alike.

A library function raises one of five categories (or a named subclass of one, e.g.
:class:`microhe.rdf.parse.ParseError` is an :class:`InputError`); the category alone
decides what the caller gets:

================  ==========  ===============================================
category          CLI exit    HTTP status
================  ==========  ===============================================
InputError        2           400 (malformed or unreadable input)
  InvalidValue    2           422 (a value was understood but is wrong)
ValidationFailed  1           422 (the data was refused: SHACL, learner data)
Conflict          1           409 (the store already holds something else)
NotFound          2           404
Unavailable       2           503 (store, server or token file not usable now)
================  ==========  ===============================================

The exit code is chosen in one place (``microhe.cli.common``), the status in one place
(``microhe.api.errors``); neither looks at the message.

Messages say what was wrong and what to do, in terms that fit every caller. When the
remedy is an option of the call (``replace``, ``strip-personal-data``), the error names
it in a :class:`Hint` instead of spelling it: the CLI renders it as ``--replace``, the
HTTP layer as its query parameter or method, and ``str(e)`` (a notebook) as "the
replace option". This module imports nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Hint:
    """A remedy that is an option of the call: ``option`` (its neutral name, e.g.
    ``"replace"``) and what it does (``purpose``: "to swap its content")."""

    option: str
    purpose: str


def neutral(option: str) -> str:
    """How ``str(e)`` names an option: for a reader of any layer."""
    return f"the {option} option"


class MicroheError(Exception):
    """Base of every microhe refusal. ``message`` says what was wrong; ``hint`` (if any)
    the option that would have made the call go through; :meth:`render` joins them with
    the caller's spelling of the option."""

    def __init__(self, message: str, *, hint: Hint | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def describe(self) -> str:
        """What was wrong (without the hint); subclasses add a location."""
        return self.message

    def render(self, spell: Callable[[str], str] = neutral) -> str:
        """The whole message, the hint's option spelt by ``spell`` (the caller's layer)."""
        text = self.describe()
        if self.hint is None:
            return text
        # one sentence or a clause: "... learner data. Use X to ..." / "...; use X to ..."
        use = " Use" if text.endswith(".") else "; use"
        return f"{text}{use} {spell(self.hint.option)} {self.hint.purpose}"

    def __str__(self) -> str:
        return self.render()


class InputError(MicroheError):
    """The call or its input is wrong: unreadable, unparsable, malformed (exit 2, HTTP 400)."""


class InvalidValue(InputError, ValueError):
    """A value was understood but is not acceptable (an unknown credit system, a bad IRI,
    a missing parameter): exit 2, HTTP 422. Also a ValueError, as Python callers expect."""


class ValidationFailed(MicroheError):
    """The data was read and refused: SHACL violations, learner data (exit 1, HTTP 422)."""


class Conflict(MicroheError):
    """The store already holds something the call would overwrite (exit 1, HTTP 409)."""


class NotFound(MicroheError, LookupError):
    """What the call names is not in the store or not known (exit 2, HTTP 404). ``valid``,
    when given, lists the names that would have been understood. Also a LookupError."""

    def __init__(self, message: str, *, valid: list[str] | None = None, hint: Hint | None = None):
        super().__init__(message, hint=hint)
        self.valid = valid


class Unavailable(MicroheError):
    """Something needed cannot be used now: the store (held, unreachable), a server, the
    token file (exit 2, HTTP 503)."""


CATEGORIES = (InvalidValue, InputError, ValidationFailed, Conflict, NotFound, Unavailable)


def category(e: BaseException) -> type[MicroheError] | None:
    """The most specific category ``e`` belongs to (its first one in method resolution
    order), or None for an exception outside the hierarchy."""
    for cls in type(e).__mro__:
        if cls in CATEGORIES:
            return cls
    return None


__all__ = ["Hint", "neutral", "MicroheError", "InputError", "InvalidValue", "ValidationFailed", "Conflict",
           "NotFound", "Unavailable", "CATEGORIES", "category"]
