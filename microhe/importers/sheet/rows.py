"""One spreadsheet row -> one ELM specification, as the demo data writes them
(``docs/data-model.md``, "A micro-credential specification"), with a report per row.

IRIs are stable keys, not content hashes: the specification is
``<base>credential/<issuer key>/<id>``, where the issuer key is the slug of the issuer's
name (or IRI) plus 8 hex digits of its SHA-256 (case, accents and spacing ignored), so an
edited title, outcome or credit keeps the IRI, and a re-import of the file replaces its
graph. A named issuer or QA body is ``<base>organisation/<issuer key>`` (the same in every
file that names it); the nodes of a specification (awarding opportunity, credit point,
outcomes, assessment, accreditation, notes) are under its IRI.

Per row and column the report says what happened to the value: ``mapped`` (taken as it
is), ``converted`` (with the rule: alias, label, decimal comma, leading zero ...),
``defaulted`` (an empty column given its default) or ``rejected`` (with why and the
closest valid values). One rejected cell rejects the file: nothing is imported.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from microhe.errors import MicroheError
from microhe.importers.sheet import controlled
from microhe.importers.sheet.columns import BY_NAME, norm
from microhe.importers.vocabulary import is_absolute_iri
from microhe.store.embedded import Store
from microhe.vocab import DCTERMS, ECTS, ELM, FOAF, RDF, SKOS, XSD

ROV = "http://www.w3.org/ns/regorg#"
ESCO_SKILL = "http://data.europa.eu/esco/skill/"
_TYPE = ox.NamedNode(RDF + "type")
_HOUR_WORDS = ("h", "hrs", "hours", "hour", "std", "stunden", "heures", "ore", "uur", "horas")
_CREDIT_WORDS = {"ects": ECTS, "cp": ECTS, "lp": ECTS, "ec": ECTS, "cfu": ECTS}


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class RowReport:
    row: int
    id: str
    iri: str = ""
    fields: list[dict[str, str]] = field(default_factory=list)

    def add(self, column: str, value: str, kind: str, rule: str = "") -> None:
        self.fields.append({"column": column, "value": value, "kind": kind, "rule": rule})

    @property
    def status(self) -> str:
        return "rejected" if any(f["kind"] == "rejected" for f in self.fields) else "converted"

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "id": self.id, "iri": self.iri, "status": self.status, "fields": self.fields}


def slug(text: str, n: int = 48) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()[:n].strip("-") or "x"


def org_key(text: str) -> str:
    """The issuer key: readable slug + 8 hex digits of the normalised name or IRI."""
    key = text.strip() if is_absolute_iri(text.strip()) else norm(text)
    tail = text.rstrip("/").rsplit("/", 1)[-1] if is_absolute_iri(text.strip()) else text
    return f"{slug(tail, 40)}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"


@cache
def reference_store() -> Store:
    """An in-memory store holding only the bundled reference graphs: framework levels are
    read against it (never against the live store), so a file converts the same everywhere."""
    from microhe.ingest.load import initialise

    s = Store()
    initialise(s)
    return s


def number(text: str) -> tuple[str, str] | None:
    """'5' -> ('5', ''), '7,5' -> ('7.5', 'decimal comma'), '5.0' -> ('5', ''); None if not a
    non-negative number."""
    t = text.strip().replace("\u00a0", " ")
    rule = ""
    if re.fullmatch(r"\d+,\d+", t):
        t, rule = t.replace(",", "."), "decimal comma read as a decimal point"
    if not re.fullmatch(r"\d+(\.\d+)?", t):
        return None
    f = float(t)
    return (str(int(f)) if f.is_integer() else repr(f)), rule


class RowConverter:
    """Converts the rows of one file; :attr:`quads`, :attr:`reports`, :attr:`problems`."""

    def __init__(self, base: str):
        self.base = base.rstrip("/") + "/"
        self.quads: list[ox.Quad] = []
        self.problems: list[Problem] = []
        self.reports: list[RowReport] = []
        self.subjects: dict[str, int] = {}     # node IRI -> row (to place validation results)
        self.orgs: dict[str, str] = {}         # org IRI -> name shown

    # -- writing
    def add(self, s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o))

    def typed(self, s: str, cls: str, row: int) -> str:
        self.quads.append(ox.Quad(ox.NamedNode(s), _TYPE, ox.NamedNode(cls)))
        self.subjects.setdefault(s, row)
        return s

    # -- cells
    def reject(self, rep: RowReport, column: str, value: str, message: str) -> None:
        rep.add(column, value, "rejected", message)
        self.problems.append(Problem(rep.row, column, value, message))

    def controlled(self, rep: RowReport, column: str, value: str) -> str | None:
        vocab = BY_NAME[column].vocabulary
        assert vocab is not None
        try:
            hit = controlled.resolve(vocab, value)
        except controlled.UnknownValue as e:
            self.reject(rep, column, value, str(e))
            return None
        if hit.how == "IRI":
            rep.add(column, value, "mapped", f"<{hit.iri}>")
        else:
            rep.add(column, value, "converted", f"{hit.how} -> {hit.label!r} <{hit.iri}>")
        return hit.iri

    def organisation(self, rep: RowReport, column: str, value: str, country: str | None = None,
                     homepage: str | None = None) -> str:
        text = value.strip()
        if is_absolute_iri(text):
            rep.add(column, value, "mapped", "the organisation's IRI")
            iri = text
            named = False
        else:
            iri = f"{self.base}organisation/{org_key(text)}"
            rep.add(column, value, "converted", f"elm:Organisation <{iri}> with rov:legalName {text!r}@en (the IRI "
                    "is minted from the name: the same name gives the same organisation in every file)")
            named = True
        if iri not in self.orgs:
            self.orgs[iri] = text
            self.typed(iri, ELM + "Organisation", rep.row)
            if named:
                self.add(iri, ROV + "legalName", ox.Literal(text, language="en"))
                self.add(iri, SKOS + "prefLabel", ox.Literal(text, language="en"))
        if homepage:
            self.add(iri, FOAF + "homepage", ox.NamedNode(homepage))
        if country:
            key = org_key(iri)
            loc = self.typed(f"{self.base}organisation/{key}/location", DCTERMS + "Location", rep.row)
            addr = self.typed(f"{self.base}organisation/{key}/address", ELM + "Address", rep.row)
            self.add(iri, ELM + "location", ox.NamedNode(loc))
            self.add(loc, ELM + "address", ox.NamedNode(addr))
            self.add(addr, ELM + "countryCode", ox.NamedNode(country))
        return iri

    def url(self, rep: RowReport, column: str, value: str) -> str | None:
        text = value.strip()
        if re.fullmatch(r"(?i)www\.[^\s]+", text):
            rep.add(column, value, "converted", "https:// added")
            text = "https://" + text
        if not (re.match(r"(?i)https?://", text) and is_absolute_iri(text)) or any(c in text for c in ' <>"{}|\\^`'):
            self.reject(rep, column, value, "not a web address (give it with https://)")
            return None
        if text == value.strip():
            rep.add(column, value, "mapped", "foaf:homepage")
        return text

    # -- one row
    def row(self, number_: int, cells: dict[str, str], part_of_ids: dict[str, str]) -> None:
        """Convert one row; ``part_of_ids``: id -> IRI of the rows of the same issuer."""
        get = cells.get
        rep = RowReport(number_, get("id", "").strip())
        self.reports.append(rep)
        for col in ("id", "title", "issuer", "country"):
            if not get(col, "").strip():
                self.reject(rep, col, "", f"empty: the {col} is required")
        if rep.status == "rejected":
            return
        rid, title, issuer_text = get("id", "").strip(), get("title", "").strip(), get("issuer", "").strip()
        spec = f"{self.base}credential/{org_key(issuer_text)}/{quote(rid, safe='-._~')}"
        rep.iri = spec
        rep.add("id", rid, "mapped", f"the specification's IRI <{spec}>")
        self.typed(spec, ELM + "Qualification", number_)

        lang = get("title_language", "").strip()
        if not lang:
            lang = "en"
            rep.add("title_language", "", "defaulted", "en")
        elif not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang):
            self.reject(rep, "title_language", lang, "not a language tag (en, de, fr-BE ...)")
            lang = "en"
        else:
            lang = lang.lower()
            rep.add("title_language", lang, "mapped", "")
        self.add(spec, DCTERMS + "title", ox.Literal(title, language=lang))
        rep.add("title", title, "mapped", f"dcterms:title @{lang}")
        if get("description", "").strip():
            self.add(spec, DCTERMS + "description", ox.Literal(get("description", "").strip(), language=lang))
            rep.add("description", get("description", "").strip(), "mapped", f"dcterms:description @{lang}")

        country = self.controlled(rep, "country", get("country", ""))
        homepage = self.url(rep, "issuer_homepage", get("issuer_homepage", "")) \
            if get("issuer_homepage", "").strip() else None
        org = self.organisation(rep, "issuer", issuer_text, country, homepage)
        opp = self.typed(spec + "/awarding", ELM + "AwardingOpportunity", number_)
        self.add(spec, ELM + "awardingOpportunity", ox.NamedNode(opp))
        self.add(opp, ELM + "awardingBody", ox.NamedNode(org))

        self._levels(rep, spec, get("eqf_level", "").strip(), get("level", "").strip(), country)
        self._workload(rep, spec, get("credits", "").strip(), get("credit_system", "").strip(), get("hours", "").strip())
        if get("mode", "").strip():
            m = self.controlled(rep, "mode", get("mode", ""))
            if m:
                self.add(spec, ELM + "mode", ox.NamedNode(m))
        self._assessment(rep, spec, get("assessment_type", "").strip(), get("identity_verification", "").strip())
        self._accreditation(rep, spec, org, get("qa_body", "").strip(), get("accreditation_type", "").strip())
        self._outcomes(rep, spec, get("learning_outcomes", ""), lang)
        if get("isced", "").strip():
            self._isced(rep, spec, get("isced", "").strip())
        if get("entry_requirements", "").strip():
            note = self.typed(spec + "/entry-requirement", ELM + "Note", number_)
            self.add(spec, ELM + "entryRequirement", ox.NamedNode(note))
            self.add(note, ELM + "noteLiteral", ox.Literal(get("entry_requirements", "").strip(), language=lang))
            rep.add("entry_requirements", get("entry_requirements", "").strip(), "mapped", "elm:entryRequirement note")
        for part in _split(get("part_of", "")):
            if is_absolute_iri(part):
                self.add(spec, ELM + "isPartOf", ox.NamedNode(part))
                rep.add("part_of", part, "mapped", "elm:isPartOf")
            elif part in part_of_ids:
                parent = part_of_ids[part]
                self.add(spec, ELM + "isPartOf", ox.NamedNode(parent))
                self.add(parent, ELM + "hasPart", ox.NamedNode(spec))
                rep.add("part_of", part, "converted", f"the row with id {part!r}: elm:isPartOf <{parent}> (and "
                        "elm:hasPart on it)")
            else:
                import difflib

                near = difflib.get_close_matches(part, list(part_of_ids), n=3)
                self.reject(rep, "part_of", part, f"no row of this issuer has the id {part!r} and it is not an IRI"
                            + (f"; closest ids: {', '.join(near)}" if near else ""))
        for part in _split(get("language", "")):
            try:
                hit = controlled.resolve("language", part)
            except controlled.UnknownValue as e:
                self.reject(rep, "language", part, str(e))
                continue
            self.add(spec, DCTERMS + "language", ox.NamedNode(hit.iri))
            rep.add("language", part, "mapped" if hit.how == "IRI" else "converted",
                    f"{hit.how} -> {hit.label!r} <{hit.iri}>")
        if get("url", "").strip():
            u = self.url(rep, "url", get("url", ""))
            if u:
                self.add(spec, FOAF + "homepage", ox.NamedNode(u))

    def _levels(self, rep: RowReport, spec: str, eqf: str, level: str, country: str | None) -> None:
        if eqf:
            m = re.fullmatch(r"(?i)(?:(?:eqf|eqr|cec|qeq|mec|ekr)[\s\-]*)?(?:level|niveau|stufe|livello|nivel)?"
                             r"\s*([1-8])", eqf)
            if eqf.startswith("http://data.europa.eu/snb/eqf/") and eqf.rsplit("/", 1)[-1] in "12345678":
                iri = eqf
                rep.add("eqf_level", eqf, "mapped", "elm:EQFLevel")
            elif m:
                iri = f"http://data.europa.eu/snb/eqf/{m.group(1)}"
                rep.add("eqf_level", eqf, "mapped" if eqf == m.group(1) else "converted",
                        f"EQF level {m.group(1)} <{iri}>")
            else:
                self.reject(rep, "eqf_level", eqf, "not an EQF level: give 1-8, 'EQF 6' or an EQF level IRI "
                            "(a national level goes in the column level)")
                iri = ""
            if iri:
                self.add(spec, ELM + "EQFLevel", ox.NamedNode(iri))
        if level:
            from microhe.frameworks.parse import parse_level

            try:
                parsed = parse_level(reference_store(), level, None, country)
            except MicroheError as e:
                self.reject(rep, "level", level, str(e))
                return
            except ValueError as e:
                self.reject(rep, "level", level, str(e))
                return
            iri = parsed.concept or _native_level(parsed)
            self.add(spec, ELM + "NQFLevel", ox.NamedNode(iri))
            eq = ", ".join(map(str, parsed.eqf)) or "none"
            rep.add("level", level, "mapped" if iri == level else "converted",
                    f"{parsed.framework} {' / '.join(lv.label for lv in parsed.levels)} <{iri}> (EQF {eq})")

    def _workload(self, rep: RowReport, spec: str, credits: str, system: str, hours: str) -> None:
        if credits:
            text, unit = credits, ""
            m = re.fullmatch(r"(?i)\s*([\d.,]+)\s*([A-Za-z-]+)\s*", credits)
            if m and m.group(2).lower() in _CREDIT_WORDS:
                text, unit = m.group(1), m.group(2)
            parsed = number(text)
            if parsed is None:
                self.reject(rep, "credits", credits, "not a number of credit points (e.g. 5 or 7.5)")
            else:
                point, rule = parsed
                framework = None
                if system:
                    framework = self.controlled(rep, "credit_system", system)
                elif unit:
                    framework = _CREDIT_WORDS[unit.lower()]
                    rep.add("credit_system", "", "converted", f"from the unit {unit!r} in credits: ECTS <{ECTS}>")
                else:
                    framework = ECTS
                    rep.add("credit_system", "", "defaulted", f"ECTS <{ECTS}>")
                if framework:
                    cp = self.typed(spec + "/credit", ELM + "CreditPoint", rep.row)
                    self.add(spec, ELM + "creditPoint", ox.NamedNode(cp))
                    self.add(cp, ELM + "framework", ox.NamedNode(framework))
                    self.add(cp, ELM + "point", ox.Literal(point))
                    rep.add("credits", credits, "converted" if (rule or unit or point != credits) else "mapped",
                            ("; ".join(x for x in (rule, f"unit {unit!r} taken off" if unit else "") if x)
                             or f"elm:point {point!r}"))
        elif system:
            self.reject(rep, "credit_system", system, "a credit system without credits: fill the column credits")
        if hours:
            t = hours.strip()
            m = re.fullmatch(r"(?i)PT(\d+(?:\.\d+)?)H", t)
            unit = ""
            if m:
                t = m.group(1)
            else:
                m2 = re.fullmatch(r"(?i)([\d.,]+)\s*([A-Za-zäöüéè.]+)", t)
                if m2 and m2.group(2).lower().rstrip(".") in _HOUR_WORDS:
                    t, unit = m2.group(1), m2.group(2)
            parsed = number(t)
            if parsed is None or float(parsed[0]) == 0:
                self.reject(rep, "hours", hours, "not a number of hours (e.g. 150)")
                return
            value, rule = parsed
            self.add(spec, ELM + "volumeOfLearning", ox.Literal(f"PT{value}H", datatype=ox.NamedNode(XSD + "duration")))
            rules = [x for x in (rule, f"unit {unit!r} taken off" if unit else "") if x]
            rep.add("hours", hours, "converted", "; ".join(rules + [f"elm:volumeOfLearning PT{value}H"]))

    def _assessment(self, rep: RowReport, spec: str, kind: str, verification: str) -> None:
        if not kind and not verification:
            return
        a = self.typed(spec + "/assessment", ELM + "LearningAssessmentSpecification", rep.row)
        self.add(spec, ELM + "provenBy", ox.NamedNode(a))
        if kind:
            t = self.controlled(rep, "assessment_type", kind)
            if t:
                self.add(a, DCTERMS + "type", ox.NamedNode(t))
                label = controlled.vocabularies()["assessment_type"].by_iri()[t].label
                self.add(a, DCTERMS + "title", ox.Literal(label[:1].upper() + label[1:], language="en"))
        if verification:
            v = self.controlled(rep, "identity_verification", verification)
            if v:
                self.add(a, ELM + "idVerification", ox.NamedNode(v))

    def _accreditation(self, rep: RowReport, spec: str, org: str, body: str, kind: str) -> None:
        if not body and not kind:
            return
        acc = self.typed(spec + "/accreditation", ELM + "Accreditation", rep.row)
        self.add(spec, ELM + "accreditation", ox.NamedNode(acc))
        self.add(acc, ELM + "organisation", ox.NamedNode(org))
        label = ""
        if kind:
            t = self.controlled(rep, "accreditation_type", kind)
            if t:
                self.add(acc, DCTERMS + "type", ox.NamedNode(t))
                label = controlled.vocabularies()["accreditation_type"].by_iri()[t].label
        if body:
            agent = self.organisation(rep, "qa_body", body)
            self.add(acc, ELM + "accreditingAgent", ox.NamedNode(agent))
            who = self.orgs.get(agent, body)
            self.add(acc, DCTERMS + "title", ox.Literal(f"{label or 'Accreditation'} by {who}", language="en"))

    def _outcomes(self, rep: RowReport, spec: str, cell: str, lang: str) -> None:
        for n, part in enumerate(_split(cell), start=1):
            lo = self.typed(f"{spec}/outcome/{n}", ELM + "LearningOutcome", rep.row)
            self.add(spec, ELM + "learningOutcome", ox.NamedNode(lo))
            if is_absolute_iri(part):
                p = "relatedESCOSkill" if part.startswith(ESCO_SKILL) else "relatedSkill"
                self.add(lo, ELM + p, ox.NamedNode(part))
                rep.add("learning_outcomes", part, "converted", f"an outcome with elm:{p} <{part}> (no title: the "
                        "skill names it)")
            else:
                self.add(lo, DCTERMS + "title", ox.Literal(part, language=lang))
                rep.add("learning_outcomes", part, "mapped", f"an elm:LearningOutcome titled @{lang}")

    def _isced(self, rep: RowReport, spec: str, value: str) -> None:
        try:
            hit = controlled.resolve("isced", value)
        except controlled.UnknownValue as e:
            if value.isdigit():  # Excel drops the leading zero of 0613
                try:
                    hit = controlled.resolve("isced", "0" + value)
                    self.add(spec, ELM + "ISCEDFCode", ox.NamedNode(hit.iri))
                    rep.add("isced", value, "converted", f"leading zero restored (spreadsheets drop it): {'0' + value}"
                            f" {hit.label!r} <{hit.iri}>")
                    return
                except controlled.UnknownValue:
                    pass
            self.reject(rep, "isced", value, str(e))
            return
        self.add(spec, ELM + "ISCEDFCode", ox.NamedNode(hit.iri))
        rep.add("isced", value, "mapped" if hit.how in ("IRI", "notation") else "converted",
                f"{hit.how} -> {hit.label!r} <{hit.iri}>")


def _native_level(parsed) -> str:
    """The level IRI as the demo data writes it: the EU QDR concept when exactly one
    QDR concept is the same level (skos:exactMatch), else the microhe level IRI."""
    level = parsed.levels[0]
    from microhe.frameworks.parse import vocabulary

    voc = vocabulary(reference_store())
    exact = [iri for iri, c in voc.qdr.items() if level.iri in c.exact and len(c.exact) == 1]
    return exact[0] if len(exact) == 1 and len(parsed.levels) == 1 else level.iri


def _split(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;\n]", cell or "") if p.strip()]


__all__ = ["Problem", "RowConverter", "RowReport", "number", "org_key", "reference_store", "slug"]
