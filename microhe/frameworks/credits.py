"""Credit conversion between ECTS, UK credits, SCQF credit points, US semester credit
hours and notional hours, with the basis and sources of every figure.

Semantics (domain.md section 4): ``min``/``max`` always come from notional hours
(1 ECTS = 25-30 h; the source system's hours per credit from the reference graph);
``value`` is the system's published convention where one exists (UK and SCQF 2:1,
the disputed US 2:1), else the midpoint of ``min`` and ``max``; ``basis`` says which.
Rules are read from the reference graph (``mhe:CreditConversionRule``), never constants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from microhe.errors import InvalidValue
from microhe.store.embedded import Store
from microhe.store.views import per_store
from microhe.vocab import MHE, SKOS

ECTS_CODE = "ECTS"


class CreditError(InvalidValue):
    """A bad amount or an unknown credit system (message lists valid values)."""


@dataclass
class Rule:
    iri: str
    factor: float
    basis: str  # "convention" | "notional-hours"
    disputed: bool
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class CreditSystem:
    iri: str
    code: str
    hours_min: float
    hours_max: float
    matches: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    to_ects: list[Rule] = field(default_factory=list)


_QUERY = f"""
PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?sys ?code ?hmin ?hmax ?match ?ssrc ?rule ?factor ?basis ?disputed ?note ?rsrc WHERE {{
  ?sys a mhe:CreditSystem ; skos:notation ?code ; mhe:hoursPerCreditMin ?hmin ; mhe:hoursPerCreditMax ?hmax .
  OPTIONAL {{ ?sys skos:exactMatch ?match }}
  OPTIONAL {{ ?sys dcterms:source ?ssrc }}
  OPTIONAL {{
    ?rule a mhe:CreditConversionRule ; mhe:sourceSystem ?sys ; mhe:targetSystem ?ects ;
          mhe:conversionFactor ?factor ; mhe:basis ?basis .
    ?ects skos:notation "{ECTS_CODE}" .
    OPTIONAL {{ ?rule mhe:disputed ?disputed }} OPTIONAL {{ ?rule skos:note ?note }}
    OPTIONAL {{ ?rule dcterms:source ?rsrc }}
  }}
}}"""


@per_store
def credit_systems(store: Store) -> dict[str, CreditSystem]:
    """The credit systems of the store's reference data by code (built once per store state)."""
    systems: dict[str, CreditSystem] = {}
    rules: dict[str, Rule] = {}
    for r in store.query(_QUERY):
        code = r["code"].value
        sys = systems.get(code)
        if sys is None:
            sys = systems[code] = CreditSystem(r["sys"].value, code, float(r["hmin"].value), float(r["hmax"].value))
        for key, target in (("match", sys.matches), ("ssrc", sys.sources)):
            if r[key] is not None and r[key].value not in target:
                target.append(r[key].value)
        if r["rule"] is not None:
            rule = rules.get(r["rule"].value)
            if rule is None:
                basis = "convention" if r["basis"].value == MHE + "ConventionBasis" else "notional-hours"
                rule = rules[r["rule"].value] = Rule(
                    r["rule"].value, float(r["factor"].value), basis,
                    r["disputed"] is not None and r["disputed"].value == "true")
                sys.to_ects.append(rule)
            for key, target in (("note", rule.notes), ("rsrc", rule.sources)):
                if r[key] is not None and r[key].value not in target:
                    target.append(r[key].value)
    for sys in systems.values():
        sys.to_ects.sort(key=lambda ru: ru.iri)
        for ru in sys.to_ects:
            ru.notes.sort()
            ru.sources.sort()
    return systems


def system_for(store: Store, code_or_iri: str) -> CreditSystem:
    """A credit system by code (case-insensitive; ``UK-CATS`` is an alias of ``UK``) or IRI
    (also the official ECTS IRI via skos:exactMatch)."""
    systems = credit_systems(store)
    wanted = code_or_iri.strip()
    aliases = {"UK-CATS": "UK", "CATS": "UK", "SCH": "US-SCH", "US": "US-SCH", "H": "HOURS", "HOUR": "HOURS"}
    up = aliases.get(wanted.upper(), wanted.upper())
    for sys in systems.values():
        if sys.code.upper() == up or sys.iri == wanted or wanted in sys.matches:
            return sys
    raise CreditError(f"unknown credit system {code_or_iri!r}; valid: {', '.join(systems)}")


def parse_amount(amount) -> float:
    """A non-negative finite number, or CreditError."""
    try:
        d = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise CreditError(f"credit amount {amount!r} is not a number") from None
    if not d.is_finite():
        raise CreditError(f"credit amount {amount!r} is not a finite number")
    if d < 0:
        raise CreditError(f"credit amount {amount!r} is negative; credits are non-negative")
    if not math.isfinite(float(d)):  # e.g. 1e400: finite as a Decimal, not as a float
        raise CreditError(f"credit amount {amount!r} is too large")
    return float(d)


def _r(x: float) -> float:
    return round(x + 0.0, 2)


def convert(store: Store, amount, system: str) -> dict:
    """Convert ``amount`` credits of ``system`` to ECTS (value, min, max) with evidence."""
    value_in = parse_amount(amount)
    sys = system_for(store, system)
    ects = system_for(store, ECTS_CODE)
    hours_min, hours_max = value_in * sys.hours_min, value_in * sys.hours_max
    if not math.isfinite(hours_max):
        raise CreditError(f"credit amount {amount!r} is too large")
    notes: list[str] = []
    sources = set(sys.sources) | set(ects.sources)
    if sys.code == ECTS_CODE:
        lo = hi = val = value_in
        basis, disputed = "identity", False
        notes.append(f"{_fmt(value_in)} ECTS = {_fmt(hours_min)}-{_fmt(hours_max)} notional hours (25-30 h per ECTS).")
    else:
        lo, hi = hours_min / ects.hours_max, hours_max / ects.hours_min
        convention = next((ru for ru in sys.to_ects if ru.basis == "convention"), None)
        if convention is not None:
            val, basis, disputed = value_in * convention.factor, "convention", convention.disputed
            notes.extend(convention.notes)
            sources |= set(convention.sources)
            if not (lo - 1e-9 <= val <= hi + 1e-9):
                notes.append(
                    f"The convention ({_fmt(convention.factor)} ECTS per {sys.code} credit) gives {_fmt(val)} ECTS, "
                    f"outside the {_fmt(lo)}-{_fmt(hi)} ECTS that notional hours give; both are reported.")
        else:
            val, basis, disputed = (lo + hi) / 2, "notional-hours", False
        for ru in sys.to_ects:
            if ru.basis == "notional-hours":
                sources |= set(ru.sources)
        hours = _fmt(hours_min) if hours_min == hours_max else f"{_fmt(hours_min)}-{_fmt(hours_max)}"
        notes.append(f"{_fmt(value_in)} {sys.code} = {hours} notional hours; "
                     f"at 25-30 h per ECTS that is {_fmt(lo)}-{_fmt(hi)} ECTS.")
    if disputed:
        notes.insert(0, f"The {sys.code} to ECTS convention is disputed (not an official rule).")
    return {
        "amount": _num(value_in),
        "system": sys.code,
        "ects": {"value": _r(val), "min": _r(lo), "max": _r(hi)},
        "hours": {"min": _r(hours_min), "max": _r(hours_max)},
        "basis": basis,
        "disputed": disputed,
        "sources": sorted(sources),
        "notes": notes,
    }


def ects_of(store: Store, amount, system_iri: str) -> dict | None:
    """ECTS value/min/max of a declared credit point (None if the system is unknown)."""
    try:
        return convert(store, amount, system_iri)["ects"]
    except CreditError:
        return None


def _num(x: float):
    return int(x) if float(x).is_integer() else x


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if not math.isclose(x, round(x)) else str(int(round(x)))
