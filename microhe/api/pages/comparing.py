"""The comparison a page is asked for, from its query (or form) parameters: the parameter
names of ``/compare`` and ``/decisions/new`` alike, so that the compare page's "Record a
decision" link carries its comparison over unchanged.

* ``credential``: the credential's IRI (required);
* ``target``: the target's IRI, *or* requirements: ``eqf`` or ``programme_eqf`` (1-8),
  ``ects`` (a number), ``outcome`` (repeatable, skill IRIs), ``title``;
* optional rules: ``workload_ratio`` (0-10), ``outcome_coverage`` (0-1),
  ``strict_level`` (true/false).

The values are checked here (a 400 page says which one is wrong and why); the comparison
itself is the library's (:func:`microhe.recognition.sides.resolve_side`,
:func:`~microhe.recognition.sides.compare_sides`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from microhe.errors import InvalidValue
from microhe.rdf.iri import iri_problem
from microhe.recognition.compare import Rules
from microhe.recognition.models import Comparison
from microhe.recognition.sides import compare_sides, resolve_side
from microhe.store.embedded import Store

#: Every parameter of a comparison, in the order links carry them.
PARAMS = ("credential", "target", "eqf", "programme_eqf", "ects", "outcome", "title", "workload_ratio",
          "outcome_coverage", "strict_level")
_REQUIREMENTS = ("eqf", "programme_eqf", "ects", "outcome", "title")
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


class ComparisonParamError(InvalidValue):
    """A comparison parameter that cannot be used (the message names it)."""


@dataclass
class ComparisonAsked:
    credential: str
    target: str | None
    requirements: dict[str, Any] | None
    rules: Rules
    #: The parameters as given (name, value), to carry in links and hidden form fields.
    params: list[tuple[str, str]] = field(default_factory=list)


def _iri(name: str, value: str) -> str:
    problem = iri_problem(value)
    if problem is not None:
        raise ComparisonParamError(f"{name} must be an absolute IRI: {value[:200]!r} is not ({problem})")
    return value


def _number(name: str, value: str, low: float, high: float) -> float:
    try:
        x = float(value)
    except ValueError:
        raise ComparisonParamError(f"{name} must be a number, not {value[:50]!r}") from None
    if not math.isfinite(x) or not low <= x <= high:
        raise ComparisonParamError(f"{name} must be between {low:g} and {high:g}, not {value[:50]!r}")
    return x


def _level(name: str, value: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= 8:
        raise ComparisonParamError(f"{name} must be an EQF level 1-8, not {value[:50]!r}")
    return int(value)


def read(items: list[tuple[str, Any]]) -> ComparisonAsked:
    """The comparison asked for by ``items`` (query or form parameters); other names are
    ignored (a form has its own fields)."""
    given: dict[str, list[str]] = {}
    for k, v in items:
        if k in PARAMS and isinstance(v, str) and v.strip() != "":
            given.setdefault(k, []).append(v.strip())
    for k, vs in given.items():
        if k != "outcome" and len(vs) > 1:
            raise ComparisonParamError(f"{k} is given {len(vs)} times; give it once")
    one = {k: vs[0] for k, vs in given.items() if k != "outcome"}
    if "credential" not in one:
        raise ComparisonParamError("credential (the IRI of the credential to compare) is required")
    credential = _iri("credential", one["credential"])
    asked_reqs = [k for k in _REQUIREMENTS if k in given]
    target = one.get("target")
    if target is not None and asked_reqs:
        raise ComparisonParamError(f"give a target (an IRI) or requirements ({', '.join(asked_reqs)}), not both")
    requirements: dict[str, Any] | None = None
    if target is not None:
        target = _iri("target", target)
    elif asked_reqs:
        requirements = {}
        for key in ("eqf", "programme_eqf"):
            if key in one:
                requirements[key] = _level(key, one[key])
        if "ects" in one:
            requirements["ects"] = _number("ects", one["ects"], 0, 1000)
        if "title" in one:
            requirements["title"] = one["title"][:300]
        requirements["outcomes"] = [_iri("outcome", o) for o in given.get("outcome", [])][:200]
    else:
        raise ComparisonParamError("give a target (the IRI of a module or credential) or requirements "
                                   "(eqf, ects, outcome, title)")
    rules = Rules(
        workload_ratio=_number("workload_ratio", one["workload_ratio"], 0, 10) if "workload_ratio" in one else 0.8,
        outcome_coverage=_number("outcome_coverage", one["outcome_coverage"], 0, 1) if "outcome_coverage" in one
        else 0.75,
        strict_level=_flag(one.get("strict_level")))
    params = [(k, v) for k in PARAMS for v in given.get(k, [])]
    return ComparisonAsked(credential, target, requirements, rules, params)


def _flag(value: str | None) -> bool:
    if value is None:
        return False
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ComparisonParamError(f"strict_level must be true or false, not {value[:50]!r}")


def run(store: Store, asked: ComparisonAsked, langs: tuple[str, ...]) -> Comparison:
    """The comparison (the library's; raises NotFound for an unknown credential or target)."""
    cred = resolve_side(store, "credential", iri=asked.credential)
    if asked.target is not None:
        target = resolve_side(store, "target", iri=asked.target)
    else:
        target = resolve_side(store, "target", requirements=asked.requirements)
    return compare_sides(store, cred, target, asked.rules, langs)


__all__ = ["ComparisonAsked", "ComparisonParamError", "PARAMS", "read", "run"]
