"""Credit conversion between ECTS, UK credits, SCQF credit points, US semester and quarter
credit hours, ECVET points and notional hours, with the basis and sources of every figure.

Semantics (domain.md section 4, as revised after review by a credential evaluator):

* ``ects.value`` is the system's published convention where one exists (UK and SCQF 2:1,
  so 20 UK = 10 ECTS), the disputed one for US credits (2 ECTS per semester credit, a
  quarter credit being 2/3 of a semester credit) and ECVET (no official conversion; 1:1 by
  annual volume only), the identity for ECTS and the hours midpoint for HOURS; ``basis``
  and ``sources`` say which rule gave it.
* ``by_hours`` is the range notional hours give, reported beside it and never mixed into
  it: ``min``/``max`` with the hours per credit and per ECTS used (25-30 h, or the fixed
  value of the credential's country when it is known: Austria, Italy, Malta 25 h,
  Finland 27 h, Netherlands 28 h). ``by_hours.min <= by_hours.max`` always; for UK and
  SCQF credits the range excludes the conventional value (the convention runs at 20 h per
  ECTS), which is why both are reported. ECVET defines no hours per point: ``by_hours``
  is None.

Rules are read from the reference graph (``mhe:CreditConversionRule``,
``mhe:NationalCreditHours``), never constants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from microhe.errors import InvalidValue
from microhe.frameworks.models import ByHours, CreditConversion, ECTSValue, Range
from microhe.store.embedded import Store
from microhe.store.labels import Ref, choose
from microhe.store.views import Watch, per_store
from microhe.vocab import COUNTRY, MHE, SKOS

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
    hours_min: float | None  # None: the system defines no hours per credit (ECVET)
    hours_max: float | None
    matches: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    to_ects: list[Rule] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: list[tuple[str, str | None]] = field(default_factory=list)  # skos:prefLabel (text, language tag)

    def ref(self, langs=()) -> Ref:
        """The system as ``{iri, label, lang}``, labelled in ``langs`` (else English, else any)."""
        label, lang = choose(self.labels, langs)
        return Ref(iri=self.iri, label=label or self.code, lang=lang)


@dataclass(frozen=True)
class NationalHours:
    """A country's fixed hours per credit of a system (``mhe:NationalCreditHours``)."""

    country: str  # ISO 3166-1 alpha-3
    hours: float
    note: str
    sources: tuple[str, ...]


_QUERY = f"""
PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?sys ?code ?hmin ?hmax ?match ?ssrc ?snote ?rule ?factor ?basis ?disputed ?note ?rsrc WHERE {{
  ?sys a mhe:CreditSystem ; skos:notation ?code .
  OPTIONAL {{ ?sys mhe:hoursPerCreditMin ?hmin ; mhe:hoursPerCreditMax ?hmax }}
  OPTIONAL {{ ?sys skos:exactMatch ?match }}
  OPTIONAL {{ ?sys dcterms:source ?ssrc }}
  OPTIONAL {{ ?sys skos:note ?snote }}
  OPTIONAL {{
    ?rule a mhe:CreditConversionRule ; mhe:sourceSystem ?sys ; mhe:targetSystem ?ects ;
          mhe:conversionFactor ?factor ; mhe:basis ?basis .
    ?ects skos:notation "{ECTS_CODE}" .
    OPTIONAL {{ ?rule mhe:disputed ?disputed }} OPTIONAL {{ ?rule skos:note ?note }}
    OPTIONAL {{ ?rule dcterms:source ?rsrc }}
  }}
}}"""

_NATIONAL_QUERY = f"""
PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?n ?code ?country ?h ?note ?src WHERE {{
  ?n a mhe:NationalCreditHours ; mhe:creditSystem ?sys ; dcterms:spatial ?country ; mhe:hoursPerCreditMin ?h .
  ?sys skos:notation ?code .
  OPTIONAL {{ ?n skos:note ?note }} OPTIONAL {{ ?n dcterms:source ?src }}
}}"""


#: what the credit systems read: they are kept across writes that touch none of it
WATCH = Watch(types=(MHE + "CreditSystem", MHE + "CreditConversionRule", MHE + "NationalCreditHours"))


@per_store(watch=WATCH)
def credit_systems(store: Store) -> dict[str, CreditSystem]:
    """The credit systems of the store's reference data by code (built once per store state)."""
    systems: dict[str, CreditSystem] = {}
    rules: dict[str, Rule] = {}
    for r in store.query(_QUERY):
        code = r["code"].value
        sys = systems.get(code)
        if sys is None:
            hmin = float(r["hmin"].value) if r["hmin"] is not None else None
            hmax = float(r["hmax"].value) if r["hmax"] is not None else None
            sys = systems[code] = CreditSystem(r["sys"].value, code, hmin, hmax)
        for key, target in (("match", sys.matches), ("ssrc", sys.sources), ("snote", sys.notes)):
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
    by_iri = {sys.iri: sys for sys in systems.values()}
    for r in store.query(f"PREFIX mhe: <{MHE}> PREFIX skos: <{SKOS}> "
                         "SELECT ?sys ?l WHERE { ?sys a mhe:CreditSystem ; skos:prefLabel ?l }"):
        if r["sys"].value in by_iri:
            by_iri[r["sys"].value].labels.append((r["l"].value, getattr(r["l"], "language", None)))
    for sys in systems.values():
        sys.labels.sort(key=lambda t: (t[1] or "", t[0]))
        sys.to_ects.sort(key=lambda ru: ru.iri)
        sys.sources.sort()
        for ru in sys.to_ects:
            ru.notes.sort()
            ru.sources.sort()
    return systems


@per_store(watch=WATCH)
def national_hours(store: Store) -> dict[tuple[str, str], NationalHours]:
    """(system code, ISO3) -> the country's fixed hours per credit of that system."""
    found: dict[tuple[str, str], dict] = {}
    for r in store.query(_NATIONAL_QUERY):
        iso3 = r["country"].value.rsplit("/", 1)[-1]
        d = found.setdefault((r["code"].value, iso3), {"h": float(r["h"].value), "note": "", "src": set()})
        if r["note"] is not None:
            d["note"] = r["note"].value
        if r["src"] is not None:
            d["src"].add(r["src"].value)
    return {k: NationalHours(k[1], d["h"], d["note"], tuple(sorted(d["src"]))) for k, d in found.items()}


def country_code(country: str | None) -> str | None:
    """ISO 3166-1 alpha-3 from a code or an EU country authority IRI; None for none."""
    if country is None or not str(country).strip():
        return None
    c = str(country).strip()
    if c.startswith(COUNTRY):
        c = c[len(COUNTRY):]
    if len(c) != 3 or not c.isascii() or not c.isalpha():
        raise CreditError(f"country {country!r} is not an ISO 3166-1 alpha-3 code (e.g. AUT) or a "
                          f"country authority IRI ({COUNTRY}AUT)")
    return c.upper()


def system_for(store: Store, code_or_iri: str) -> CreditSystem:
    """A credit system by code (case-insensitive; ``UK-CATS`` is an alias of ``UK``) or IRI
    (also the official ECTS IRI via skos:exactMatch)."""
    systems = credit_systems(store)
    wanted = code_or_iri.strip()
    aliases = {"UK-CATS": "UK", "CATS": "UK", "SCH": "US-SCH", "US": "US-SCH", "QCH": "US-QCH", "US-QUARTER": "US-QCH",
               "H": "HOURS", "HOUR": "HOURS"}
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


def convert(store: Store, amount, system: str, country: str | None = None, langs=()) -> CreditConversion:
    """Convert ``amount`` credits of ``system`` to ECTS: the convention's value (with basis and
    sources) and, beside it, the range notional hours give. ``country`` (ISO3 or authority
    IRI) applies that country's fixed hours per ECTS credit when the reference data has one;
    the credit system is named with its label in ``langs`` (else English)."""
    value_in = parse_amount(amount)
    sys = system_for(store, system)
    ects = system_for(store, ECTS_CODE)
    cc = country_code(country)
    assert ects.hours_min is not None and ects.hours_max is not None  # the reference data defines ECTS hours
    per_ects = (ects.hours_min, ects.hours_max)
    national = national_hours(store).get((ECTS_CODE, cc)) if cc else None
    notes: list[str] = []
    hour_sources = set(ects.sources)
    if national is not None:
        per_ects = (national.hours, national.hours)
        hour_sources = set(national.sources)
        notes.append(f"{cc} fixes 1 ECTS = {_fmt(national.hours)} h; used instead of 25-30 h. {national.note}")
    if sys.code == ECTS_CODE:
        per_credit: tuple[float, float] | None = per_ects
    elif sys.hours_min is not None and sys.hours_max is not None:
        per_credit = (sys.hours_min, sys.hours_max)
    else:
        per_credit = None
    hours = (value_in * per_credit[0], value_in * per_credit[1]) if per_credit else None
    if hours is not None and not math.isfinite(hours[1]):
        raise CreditError(f"credit amount {amount!r} is too large")
    by_hours = None
    if hours is not None and per_credit is not None:
        lo, hi = (value_in, value_in) if sys.code == ECTS_CODE else (hours[0] / per_ects[1], hours[1] / per_ects[0])
        hour_sources |= set(sys.sources) | {s for ru in sys.to_ects if ru.basis == "notional-hours" for s in ru.sources}
        by_hours = ByHours(min=_num(_r(lo)), max=_num(_r(hi)), hours_per_credit=_range(per_credit),
                           hours_per_ects=_range(per_ects), country=cc if national else None,
                           sources=sorted(hour_sources))
    convention = next((ru for ru in sys.to_ects if ru.basis == "convention"), None)
    if sys.code == ECTS_CODE:
        val: float | None = value_in
        basis, disputed, rule_sources = "identity", False, sorted(ects.sources)
        assert hours is not None
        notes.append(f"{_fmt(value_in)} ECTS = {_span(*hours)} notional hours "
                     f"({_span(*per_ects)} h per ECTS).")
    else:
        if convention is not None:
            val, basis, disputed = value_in * convention.factor, "convention", convention.disputed
            rule_sources = convention.sources
            notes.extend(convention.notes)
        elif by_hours is not None:
            assert hours is not None
            val, basis, disputed = (hours[0] / per_ects[1] + hours[1] / per_ects[0]) / 2, "notional-hours", False
            rule_sources = sorted(hour_sources)
        else:  # no convention and no hours: nothing to say but that
            val, basis, disputed, rule_sources = None, "none", True, sorted(sys.sources)
        notes.extend(n for n in sys.notes if n not in notes and sys.hours_min is None)
        if by_hours is not None and hours is not None:
            notes.append(f"{_fmt(value_in)} {sys.code} = {_span(*hours)} notional hours; at {_span(*per_ects)} h "
                         f"per ECTS that is {_span(float(by_hours.min), float(by_hours.max))} ECTS.")
            if val is not None and basis == "convention" and not (by_hours.min - 1e-9 <= _r(val) <= by_hours.max + 1e-9):
                notes.append(
                    f"The convention ({_fmt(convention.factor) if convention else '?'} ECTS per {sys.code} credit) "
                    f"gives {_fmt(val)} ECTS, outside the {_span(float(by_hours.min), float(by_hours.max))} ECTS "
                    "that notional hours give; both are reported (ects.value and by_hours).")
        else:
            notes.append(f"{sys.code} defines no notional hours per credit: no hours-based figure.")
    if disputed:
        notes.insert(0, f"The {sys.code} to ECTS rule is disputed (not an official rule).")
    sources = set(rule_sources) | (set(by_hours.sources) if by_hours else set()) | set(sys.sources)
    return CreditConversion(
        amount=_num(value_in),
        system=sys.code,
        credit_system=sys.ref(langs),
        ects=ECTSValue(value=_num(_r(val)) if val is not None else None, basis=basis, disputed=disputed,
                       sources=sorted(rule_sources)),
        by_hours=by_hours,
        hours=Range(min=_num(_r(hours[0])), max=_num(_r(hours[1]))) if hours else None,
        basis=basis,
        disputed=disputed,
        sources=sorted(sources),
        notes=notes,
    )


def _range(pair: tuple[float, float]) -> Range:
    return Range(min=_num(_r(pair[0])), max=_num(_r(pair[1])))


def _span(a: float, b: float) -> str:
    return _fmt(a) if math.isclose(a, b) else f"{_fmt(a)}-{_fmt(b)}"


def _num(x: float):
    return int(x) if float(x).is_integer() else x


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if not math.isclose(x, round(x)) else str(int(round(x)))
