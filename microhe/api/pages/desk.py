"""The page models of the recognition desk (``/level``, ``/compare``, ``/pathways``): the
forms read from the URL (GET forms, so an answer is a shareable link and the back button
walks through it), the answers of :mod:`microhe.frameworks` and :mod:`microhe.recognition`
put in words, and the links between them.

The comparison's parameters are read in one place for every page that takes them
(:mod:`microhe.api.pages.comparing`, whose lists this module re-exports for the templates):
the ``/decisions/new`` page of the decisions desk reads the same names, so "Record a
decision" is that page with the query the comparison was made from. A value the page
cannot use is a message on the page (4xx, the form refilled), never a 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError

from microhe.api.pages.comparing import COMPARE_PARAMS, PATHWAY_PARAMS, REQUIREMENT_PARAMS, RULE_PARAMS
from microhe.errors import MicroheError
from microhe.frameworks.credits import credit_systems
from microhe.frameworks.models import CreditConversion, LevelTranslation
from microhe.publish.names import safe_href
from microhe.recognition.compare import ELEMENT_NAMES
from microhe.recognition.models import Comparison, CreditsStated, CriterionResult
from microhe.recognition.search import search
from microhe.recognition.search_query import SearchQuery
from microhe.store.embedded import Store
from microhe.store.labels import Ref

#: The largest credential file the compare page reads (an ELM document is a few kB; the JSON
#: API's body limit, Settings.max_body_bytes, is for loading data, not for one comparison).
DOCUMENT_MAX = 2 * 1024 * 1024
HITS = 10


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


__all__ = ["DOCUMENT_MAX", "COMPARE_PARAMS", "PATHWAY_PARAMS", "REQUIREMENT_PARAMS", "RULE_PARAMS", "Hit", "hits",
           "candidate_links", "eqf_words", "level_name", "system_choices", "credit_words",
           "span", "num", "BASIS", "CRITERIA", "STATUS", "OUTCOMES", "EVIDENCE", "cue", "Item", "evidence_rows", "report_rows",
           "missing_elements", "safe"]
