"""The compiled form of a profile (one SPARQL SELECT per constraint) and the vocabulary
the compiler, the staging store and the runner share: the two refusals, the custom
functions that read a literal's original lexical form, and duration repair."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode

XSD = "http://www.w3.org/2001/XMLSchema#"

_XSD_STRING = XSD + "string"
_LEX_FN = ox.NamedNode("urn:microhe:fastvalidate:lexical")
_STRDT_FN = ox.NamedNode("urn:microhe:fastvalidate:strdt")
_DURATIONS = {XSD + "duration", XSD + "dayTimeDuration"}
_DURATION_RE = re.compile(r"^(-?)P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
                          r"(?:(\d+(?:\.\d+)?)S)?)?$")


def lenient_duration(lexical: str) -> str | None:
    """rdflib (isodate) reads fractional days, hours and minutes ("PT112.5H"), which XSD and
    oxigraph reject: the same duration in seconds ("PT405000S"), or None when the
    lexical form is already XSD or not a day-time duration."""
    m = _DURATION_RE.match(lexical)
    if not m or lexical in ("P", "-P") or lexical.endswith("T"):
        return None
    d, h, mi = m.group(2), m.group(3), m.group(4)
    if not any(x and "." in x for x in (d, h, mi)):
        return None
    from decimal import Decimal

    secs = sum((Decimal(x or "0") * k for x, k in ((d, 86400), (h, 3600), (mi, 60), (m.group(5), 1))), Decimal(0))
    text = format(secs.normalize(), "f")
    return f"{m.group(1)}PT{text}S"


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature the compiler does not implement."""


class NonCanonicalInput(ValueError):
    """Distinct input literals would be merged by the store's canonicalisation."""


# -- compiled form ---------------------------------------------------------------------------


@dataclass
class _Check:
    query: str
    prefixes: dict
    shape: str  # _str form
    component: str
    severity: str
    messages: list  # rdflib Literals
    path: str | None  # the ValidationResult.path text
    has_value: bool  # the rows' ?value is the result value
    sparql: bool = False  # message substitution of the row's variables
    this_projected: bool = False
    row_vars: tuple = ()


@dataclass
class CompiledProfile:
    checks: list[_Check] = field(default_factory=list)


def _str(term) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
