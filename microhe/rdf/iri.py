"""Absolute IRIs given by callers: one rule, the store's own.

A caller's string becomes a ``pyoxigraph.NamedNode`` somewhere down the line, and
pyoxigraph refuses what RFC 3987 refuses (no scheme, a space, ``|``, ``%zz``, ...) with a
``ValueError``. Checked only by a looser pattern, such strings used to reach it and end
as a 500. So the rule here *is* pyoxigraph's: whatever it accepts as a named node is an
absolute IRI, and the error says why not, for the boundary (HTTP, CLI) to report as an
input error.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pyoxigraph as ox

from microhe.errors import InvalidValue

#: RFC 3986 ``scheme ":"`` at the start of a reference: what makes it absolute rather than relative.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class InvalidIRI(InvalidValue):
    """A string given where an absolute IRI was expected (the message says which and why)."""


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI, or None when it is one."""
    try:
        ox.NamedNode(value)
    except ValueError as e:
        return str(e)
    return None


def is_absolute_iri(value: str) -> bool:
    return iri_problem(value) is None


def check_iri(value: str, what: str) -> str:
    """``value`` when it is an absolute IRI; else InvalidIRI naming ``what`` it was."""
    problem = iri_problem(value)
    if problem is not None:
        raise InvalidIRI(f"{what} {value!r} is not an absolute IRI ({problem}); "
                         "give a full IRI such as https://example.org/thing")
    return value


def has_scheme(reference: str) -> bool:
    """Whether an IRI reference starts with a scheme (is not relative); not a validity check."""
    return _SCHEME.match(reference) is not None


def resolve(base: str, reference: str) -> str:
    """RFC 3986 resolution of a relative IRI reference against ``base`` (urljoin, keeping an
    empty fragment: ``<x#>``)."""
    path, hash_, fragment = reference.partition("#")
    resolved = urljoin(base, path) if path else base.partition("#")[0]
    return resolved + hash_ + fragment


__all__ = ["InvalidIRI", "iri_problem", "is_absolute_iri", "check_iri", "has_scheme", "resolve"]
