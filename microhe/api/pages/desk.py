"""The page models of the recognition desk (``/level``, ``/compare``, ``/pathways``): the
forms read from the URL (GET forms, so an answer is a shareable link and the back button
walks through it), the answers of :mod:`microhe.frameworks` and :mod:`microhe.recognition`
put in words, and the links between them.

The comparison's parameters are one list (:data:`COMPARE_PARAMS`): the ``/decisions/new``
page of the decisions desk reads the same names, so "Record a decision" is that page with
the query the comparison was made from. A value the page cannot use is a message on the
page (4xx, the form refilled), never a 5xx.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError

from microhe.errors import MicroheError
from microhe.frameworks.credits import credit_systems
from microhe.frameworks.models import CreditConversion, LevelTranslation
from microhe.publish.names import safe_href
from microhe.rdf.iri import is_absolute_iri
from microhe.recognition.compare import ELEMENT_NAMES, Rules
from microhe.recognition.models import Comparison, CreditsStated, CriterionResult
from microhe.recognition.search import search
from microhe.recognition.search_query import SearchQuery
from microhe.store.embedded import Store
from microhe.store.labels import Ref

#: The largest credential file the compare page reads (an ELM document is a few kB; the JSON
#: API's body limit, Settings.max_body_bytes, is for loading data, not for one comparison).
DOCUMENT_MAX = 2 * 1024 * 1024
#: How a target is given: an IRI in the store, or requirements (``outcome`` repeats).
REQUIREMENT_PARAMS = ("eqf", "programme_eqf", "ects", "outcome", "title")
RULE_PARAMS = ("workload_ratio", "outcome_coverage", "strict_level")
#: The parameters of a comparison, in the order links carry them (``/decisions/new`` reads the same).
COMPARE_PARAMS = ("credential", "target", *REQUIREMENT_PARAMS, *RULE_PARAMS)
PATHWAY_PARAMS = ("target", *REQUIREMENT_PARAMS, "max")
TITLE_MAX = 300
HITS = 10
_TRUE = ("1", "true", "on", "yes")


@dataclass
class DeskForm:
    """The parameters of a compare or pathways form as given, what they make, and what was wrong."""

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


def _number(form: DeskForm, name: str, lo: float, hi: float, *, whole: bool = False) -> float | None:
    raw = form.values.get(name)
    if raw is None:
        return None
    kind = "a whole number" if whole else "a number"
    try:
        x = float(raw) if not whole else int(raw)
    except ValueError:
        form.errors.append(f"{name} must be {kind} from {lo:g} to {hi:g}, not {raw!r}")
        return None
    if not math.isfinite(x) or not lo <= x <= hi:
        form.errors.append(f"{name} must be {kind} from {lo:g} to {hi:g}, not {raw!r}")
        return None
    return x


def read_form(params: Any, names: Iterable[str] = (*COMPARE_PARAMS, "max")) -> DeskForm:
    """The form of ``params`` (query or form data: ``get``/``getlist``), checked."""
    form = DeskForm()
    for name in names:
        if name == "outcome":
            form.outcomes = [o.strip() for o in params.getlist("outcome") if isinstance(o, str) and o.strip()]
            continue
        raw = params.get(name)
        if isinstance(raw, str) and raw.strip():
            form.values[name] = raw.strip()
    for o in form.outcomes:
        if not is_absolute_iri(o):
            form.errors.append(f"outcome {o[:200]!r} is not an absolute IRI: pick skills from the list")
    req: dict[str, Any] = {}
    for key in ("eqf", "programme_eqf"):
        n = _number(form, key, 1, 8, whole=True)
        if n is not None:
            req[key] = int(n)
    ects = _number(form, "ects", 0, 10_000)
    if ects is not None:
        req["ects"] = ects
    if form.outcomes:
        req["outcomes"] = list(form.outcomes)
    title = form.values.get("title")
    if title is not None:
        if len(title) > TITLE_MAX:
            form.errors.append(f"title is longer than {TITLE_MAX} characters")
        req["title"] = title
    if any(k in form.values for k in REQUIREMENT_PARAMS) or form.outcomes:
        form.requirements = req
    if form.requirements is not None and form.target is not None:
        form.errors.append("give a target IRI or requirements (level, ECTS, outcomes, title), not both: clear one")
    ratio = _number(form, "workload_ratio", 0, 10)
    coverage = _number(form, "outcome_coverage", 0, 1)
    strict = form.values.get("strict_level", "").lower() in _TRUE
    form.rules = Rules(workload_ratio=0.8 if ratio is None else ratio,
                       outcome_coverage=0.75 if coverage is None else coverage, strict_level=strict)
    if "max" in names:
        size = _number(form, "max", 1, 6, whole=True)
        form.max_size = 3 if size is None else int(size)
    return form


# -- picking a credential or a target by search -------------------------------------------------


@dataclass
class Hit:
    label: str
    issuer: str | None
    eqf: list[int]
    ects: Any
    href: str          # the form with this one chosen
    page: str | None   # the credential's own page


def hits(store: Store, text: str | None, langs: tuple[str, ...], choose: Callable[[str], str],
         page_of: Callable[[str], str | None]) -> tuple[list[Hit], int, str | None]:
    """The first :data:`HITS` credentials matching ``text`` (the search page's words), each
    with the link that picks it; the number of matches; a message when the words are unusable."""
    if not text:
        return [], 0, None
    try:
        query = SearchQuery.model_validate({"text": text[:200], "limit": HITS, "facets": False})
        found = search(store, query, langs=langs)
    except (ValidationError, MicroheError) as e:
        return [], 0, str(e)
    out = [Hit(h.label or h.iri, h.issuer.label if h.issuer else None, h.eqf, h.ects, choose(h.iri), page_of(h.iri))
           for h in found.results]
    return out, found.total, None


# -- level and credits in words ----------------------------------------------------------


def candidate_links(candidates: Iterable[str], path: str) -> list[dict[str, str]]:
    """Links for the candidates of an ambiguous level: a candidate naming an IRI (``<...>``)
    is asked for by that IRI, else by its framework code and level ("CQFW Entry 3")."""
    out = []
    for c in candidates:
        iri = re.search(r"<([^<>\s]+)>", c)
        text = re.sub(r"\s*<[^<>]*>", "", c).strip()
        if iri:
            query = urlencode({"level": iri.group(1)})
        else:
            fw, _, level = c.strip().partition(" ")
            query = urlencode({"framework": fw, "level": level.strip()})
        out.append({"text": text, "href": f"{path}?{query}"})
    return out


def eqf_words(result: LevelTranslation, t) -> str:
    """"EQF level 7", "EQF level 7 or 8", "below EQF level 1" or "referencing not found"."""
    if result.eqf:
        return t("EQF level {n}", n=f" {t('or')} ".join(map(str, result.eqf)))
    return t("below EQF level 1") if result.found else t("referencing not found")


def level_name(result: LevelTranslation) -> str:
    own = f"{result.framework} {result.level}"
    return result.label if result.label == own else f"{result.label} ({own})"


def system_choices(store: Store) -> list[tuple[str, str]]:
    """(code, code) of every credit system, for the conversion form."""
    return [(code, code) for code in credit_systems(store)]


BASIS = {"identity": "ECTS itself", "convention": "by convention", "notional-hours": "by notional hours",
         "none": "no rule gives a value"}


def num(x: Any) -> str:
    """A figure as people write it: 15, not 15.0; 7.5."""
    return f"{float(x):g}" if isinstance(x, (int, float)) else str(x)


def span(lo: Any, hi: Any) -> str:
    return f"{lo:g}" if float(lo) == float(hi) else f"{lo:g}–{hi:g}"


def credit_words(c: CreditConversion, t) -> str:
    value = t("no ECTS value") if c.ects.value is None else f"{c.ects.value:g} ECTS"
    name = c.credit_system.label or c.system
    return t("{amount} {system} = {value}", amount=f"{c.amount:g}", system=name, value=value)


# -- the comparison report ------------------------------------------------------------------

CRITERIA = {"level": "Level", "workload": "Workload", "learning-outcomes": "Learning outcomes",
            "assessment": "Assessment and identity verification", "quality-assurance": "Quality assurance"}
STATUS = {"meets": "meets the target", "below": "below the target", "check-module-level": "check the module's level",
          "unknown": "unknown", "short": "short of the target", "covered": "covered", "partial": "partly covered",
          "none": "not covered", "not-required": "not required", "verified": "identity verified",
          "unverified": "identity not verified", "assured": "quality assured"}
OUTCOMES = {"recognise": "Recognise", "recognise-partially": "Recognise partially",
            "substantial-differences": "Substantial differences", "needs-information": "Needs information"}
EVIDENCE = {"credential_eqf": "Credential's EQF level", "credential_levels": "Credential's stated levels",
            "target_eqf": "Target's EQF level", "target_levels": "Target's stated levels",
            "target_level_from": "Target level taken from", "credential_ects": "Credential's ECTS",
            "credential_credits": "Credential's credits", "target_ects": "Target's ECTS", "ratio": "Ratio",
            "covered": "Covered", "missing": "Missing", "credential_outcomes": "Credential's outcomes",
            "coverage": "Coverage", "assessment_types": "Assessment types", "id_verification": "Identity verification",
            "accreditations": "Accreditations", "issuer": "Awarding body"}


def cue(c: CriterionResult) -> tuple[str, str]:
    """The symbol and class of a status: a cue besides colour (✓ no difference, ✗ substantial,
    ? unknown, – not required)."""
    if c.status == "not-required":
        return "–", "na"
    return {False: ("✓", "ok"), True: ("✗", "bad"), None: ("?", "unknown")}[c.substantial]


@dataclass
class Item:
    text: str
    href: str | None = None


def _credits_text(c: CreditsStated, t) -> str:
    out = f"{c.amount:g} {c.credit_system.label if c.credit_system and c.credit_system.label else c.system}"
    if c.ects is not None:
        out += f" = {c.ects:g} ECTS ({t(BASIS.get(c.basis, c.basis))})"
    if c.by_hours is not None:
        out += "; " + t("by notional hours {range} ECTS", range=span(c.by_hours.min, c.by_hours.max))
    if c.disputed:
        out += "; " + t("disputed rule")
    return out


def evidence_rows(c: CriterionResult, t, link: Callable[[str], str | None]) -> list[tuple[str, list[Item]]]:
    """The evidence of a criterion as (label, items) rows: things by their labels (linked where
    a page exists), levels, figures."""
    rows: list[tuple[str, list[Item]]] = []
    evidence: BaseModel = c.evidence
    for name in type(evidence).model_fields:
        value = getattr(evidence, name)
        label = t(EVIDENCE.get(name, name.replace("_", " ")))
        if isinstance(value, list) and value and all(isinstance(v, Ref) for v in value):
            items = [Item(v.label or v.iri, link(v.iri)) for v in value]
        elif isinstance(value, Ref):
            items = [Item(value.label or value.iri, link(value.iri))]
        elif isinstance(value, CreditsStated):
            items = [Item(_credits_text(value, t))]
        elif isinstance(value, list) and name.endswith("eqf"):
            items = [Item(t("EQF {n}", n=n)) for n in value]
        elif isinstance(value, list):
            items = [Item(str(v)) for v in value]
        elif value is None:
            items = []
        elif isinstance(value, float) and name in ("ratio", "coverage"):
            items = [Item(f"{value:.2f}")]
        else:
            items = [Item(t(str(value)) if isinstance(value, str) else f"{value:g}")]
        rows.append((label, items))
    return rows


def report_rows(comparison: Comparison, t, link: Callable[[str], str | None]) -> list[dict[str, Any]]:
    out = []
    for c in comparison.criteria:
        symbol, kind = cue(c)
        out.append({"c": c, "name": t(CRITERIA.get(c.name, c.name)), "status": t(STATUS.get(c.status, c.status)),
                    "symbol": symbol, "kind": kind, "evidence": evidence_rows(c, t, link)})
    return out


def missing_elements(comparison: Comparison, t) -> list[str]:
    return [f"{code} {t(ELEMENT_NAMES.get(code, ''))}".strip() for code in comparison.recommendation.missing]


def safe(iri: str) -> str | None:
    """A source or IRI as a link only when a browser may follow it (http, https, mailto)."""
    return safe_href(iri)


__all__ = ["DOCUMENT_MAX", "COMPARE_PARAMS", "PATHWAY_PARAMS", "REQUIREMENT_PARAMS", "RULE_PARAMS", "DeskForm",
           "read_form", "Hit", "hits", "candidate_links", "eqf_words", "level_name", "system_choices", "credit_words",
           "span", "num", "BASIS", "CRITERIA", "STATUS", "OUTCOMES", "EVIDENCE", "cue", "Item", "evidence_rows", "report_rows",
           "missing_elements", "safe"]
