"""The comparison a page is asked for, from its query (or form) parameters: the one reading
of them for ``/compare`` (GET, and the upload's POST), ``/pathways``, ``/decisions/new`` and
``POST /decisions`` (its ``cmp_`` fields), so that the same value gets the same answer on
every page and the compare page's "Record a decision" link carries its comparison over
unchanged.

* ``credential``: the credential's IRI;
* ``target``: the target's IRI, *or* requirements: ``eqf`` or ``programme_eqf`` (1-8),
  ``ects`` (0-:data:`ECTS_MAX`), ``outcome`` (repeatable, skill IRIs, at most
  :data:`OUTCOMES_MAX`), ``title`` (at most :data:`TITLE_MAX` characters);
* optional rules: ``workload_ratio`` (0-10), ``outcome_coverage`` (0-1),
  ``strict_level`` (true/false; the compare form's checkbox sends "1");
* ``max`` (pathways only): the most credentials in one pathway (1-6).

A value that cannot be used is refused, never truncated or guessed: an evaluator must see
the comparison they asked for or a message naming the field and the rule (422). The pages
show every problem at once (:attr:`ComparisonForm.errors`); the decision routes raise
:class:`ComparisonParamError`. The comparison itself is the library's
(:func:`microhe.recognition.sides.resolve_side`, :func:`~microhe.recognition.sides.compare_sides`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from microhe.errors import InvalidValue
from microhe.rdf.iri import iri_problem
from microhe.recognition.compare import Rules
from microhe.recognition.models import Comparison
from microhe.recognition.sides import compare_sides, resolve_side
from microhe.store.embedded import Store

#: How a target is given: an IRI in the store, or requirements (``outcome`` repeats).
REQUIREMENT_PARAMS = ("eqf", "programme_eqf", "ects", "outcome", "title")
RULE_PARAMS = ("workload_ratio", "outcome_coverage", "strict_level")
#: Every parameter of a comparison, in the order links carry them.
COMPARE_PARAMS = ("credential", "target", *REQUIREMENT_PARAMS, *RULE_PARAMS)
PATHWAY_PARAMS = ("target", *REQUIREMENT_PARAMS, "max")
#: The recognition library and ``/api/recognition/compare`` take any non-negative ECTS; a
#: bound keeps typos and infinities out (a whole doctorate is a few hundred ECTS).
ECTS_MAX = 10_000
TITLE_MAX = 300
#: A module states a few outcomes; the decision form carries each as a field, and a form
#: has at most :data:`microhe.api.pages.forms.MAX_FIELDS` (200).
OUTCOMES_MAX = 100
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class ComparisonParamError(InvalidValue):
    """A comparison parameter that cannot be used (the message names it)."""


@dataclass
class ComparisonForm:
    """The parameters of a comparison (or pathways) form as given, what they make, and what was wrong."""

    values: dict[str, str] = field(default_factory=dict)    # single-valued parameters, stripped, non-empty
    outcomes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requirements: dict[str, Any] | None = None
    rules: Rules = field(default_factory=Rules)
    max_size: int = 3

    @property
    def credential(self) -> str | None:
        return self.values.get("credential")

    @property
    def target(self) -> str | None:
        return self.values.get("target")

    @property
    def has_target(self) -> bool:
        return self.target is not None or self.requirements is not None

    @property
    def params(self) -> list[tuple[str, str]]:
        """The comparison's parameters as given, to carry in links and hidden form fields."""
        return self.pairs()

    def pairs(self, names: Iterable[str] = COMPARE_PARAMS, **changes: str | None) -> list[tuple[str, str]]:
        """The given parameters among ``names`` as query pairs, ``changes`` applied (None drops)."""
        values = {**self.values, **{k: v for k, v in changes.items() if v is not None}}
        for k, v in changes.items():
            if v is None:
                values.pop(k, None)
        out: list[tuple[str, str]] = []
        for name in names:
            if name == "outcome":
                out += [("outcome", o) for o in self.outcomes]
            elif name in values:
                out.append((name, values[name]))
        return out

    def url(self, path: str, names: Iterable[str] = COMPARE_PARAMS, **changes: str | None) -> str:
        pairs = self.pairs(names, **changes)
        return path + ("?" + urlencode(pairs) if pairs else "")


def _number(form: ComparisonForm, name: str, lo: float, hi: float, *, whole: bool = False) -> float | None:
    raw = form.values.get(name)
    if raw is None:
        return None
    kind = "a whole number" if whole else "a number"
    try:
        x = float(raw) if not whole else int(raw)
    except ValueError:
        x = math.nan
    if not math.isfinite(x) or not lo <= x <= hi:
        form.errors.append(f"{name} must be {kind} from {lo:g} to {hi:g}, not {raw[:50]!r}")
        return None
    return x


def _iri(form: ComparisonForm, name: str, value: str) -> bool:
    problem = iri_problem(value)
    if problem is not None:
        form.errors.append(f"{name} must be an absolute IRI: {value[:200]!r} is not ({problem})")
    return problem is None


def _flag(form: ComparisonForm, name: str) -> bool:
    raw = form.values.get(name)
    if raw is None or raw.lower() in _FALSE:
        return False
    if raw.lower() in _TRUE:
        return True
    form.errors.append(f"{name} must be true or false, not {raw[:50]!r}")
    return False


def read_form(items: Iterable[tuple[str, Any]], names: Iterable[str] = COMPARE_PARAMS) -> ComparisonForm:
    """The form of ``items`` (query or form parameters as (name, value) pairs), checked; only
    ``names`` are read (a page has other fields). Problems are collected in ``errors``."""
    names = tuple(names)
    form = ComparisonForm()
    given: dict[str, list[str]] = {}
    for k, v in items:
        if k in names and isinstance(v, str) and v.strip():
            given.setdefault(k, []).append(v.strip())
    form.outcomes = given.pop("outcome", [])
    for k, vs in given.items():
        form.values[k] = vs[0]
        if len(vs) > 1:
            form.errors.append(f"{k} is given {len(vs)} times: give it once")
    for role in ("credential", "target"):
        if role in form.values:
            _iri(form, role, form.values[role])
    if len(form.outcomes) > OUTCOMES_MAX:
        form.errors.append(f"{len(form.outcomes)} outcomes: give at most {OUTCOMES_MAX}, the ones the target requires")
    for o in form.outcomes:
        if not _iri(form, "outcome", o):
            break  # one message is enough; the form shows the outcomes chosen
    req: dict[str, Any] = {}
    for key in ("eqf", "programme_eqf"):
        n = _number(form, key, 1, 8, whole=True)
        if n is not None:
            req[key] = int(n)
    ects = _number(form, "ects", 0, ECTS_MAX)
    if ects is not None:
        req["ects"] = ects
    if form.outcomes:
        req["outcomes"] = list(form.outcomes)
    title = form.values.get("title")
    if title is not None:
        if len(title) > TITLE_MAX:
            form.errors.append(f"title is longer than {TITLE_MAX} characters ({len(title)}): shorten it")
        req["title"] = title
    if any(k in form.values for k in REQUIREMENT_PARAMS) or form.outcomes:
        form.requirements = req
    if form.requirements is not None and form.target is not None:
        form.errors.append("give a target IRI or requirements (level, ECTS, outcomes, title), not both: clear one")
    ratio = _number(form, "workload_ratio", 0, 10)
    coverage = _number(form, "outcome_coverage", 0, 1)
    form.rules = Rules(workload_ratio=0.8 if ratio is None else ratio,
                       outcome_coverage=0.75 if coverage is None else coverage,
                       strict_level=_flag(form, "strict_level"))
    if "max" in names:
        size = _number(form, "max", 1, 6, whole=True)
        form.max_size = 3 if size is None else int(size)
    return form


def read(items: Iterable[tuple[str, Any]]) -> ComparisonForm:
    """The comparison a decision is about: :func:`read_form`, and a credential and a target
    are required; raises :class:`ComparisonParamError` with every problem."""
    form = read_form(items)
    if not form.errors and form.credential is None:
        form.errors.append("credential (the IRI of the credential to compare) is required")
    if not form.errors and not form.has_target:
        form.errors.append("give a target (the IRI of a module or credential) or requirements "
                           "(eqf, ects, outcome, title)")
    if form.errors:
        raise ComparisonParamError("; ".join(form.errors))
    return form


def run(store: Store, asked: ComparisonForm, langs: tuple[str, ...]) -> Comparison:
    """The comparison (the library's; raises NotFound for an unknown credential or target)."""
    cred = resolve_side(store, "credential", iri=asked.credential)
    target = resolve_side(store, "target", iri=asked.target, requirements=asked.requirements)
    return compare_sides(store, cred, target, asked.rules, langs)


__all__ = ["COMPARE_PARAMS", "PATHWAY_PARAMS", "REQUIREMENT_PARAMS", "RULE_PARAMS", "ECTS_MAX", "TITLE_MAX",
           "OUTCOMES_MAX", "ComparisonForm", "ComparisonParamError", "read_form", "read", "run"]
