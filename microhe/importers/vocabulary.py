"""Notations and labels resolved to the official concept IRIs, from the bundled reference
data only (``microhe/kg/reference``: ISCED-F, learning modes, countries, frameworks and
their levels, credit systems), never from the network.

Pilot documents (EBSI-style EDC, badges, registry records) often write ``"EQFLevel": "6"``,
``"mode": "online"``, ``"ISCEDFCode": "0613"``, ``"framework": "ECTS"`` or a country as
``"DE"``/``"DEU"``/``"Germany"`` where ELM expects an IRI. :func:`resolve` turns such a
value into the IRI or returns None (the caller reports it as lost).
"""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox

from microhe.kg import bundled
from microhe.rdf import iri
from microhe.vocab import COUNTRY, ECTS, EQF_LEVEL, ISCED_F, REF, SKOS, level_iri

MODE = "http://data.europa.eu/snb/learning-assessment/"
MODES = {"online": MODE + "920fbb3cbe", "presential": MODE + "9191af2ed9", "blended": MODE + "e92d221e4d"}
_MODE_WORDS = {"online": "online", "on-line": "online", "remote": "online", "distance": "online",
               "presential": "presential", "onsite": "presential", "on-site": "presential",
               "face-to-face": "presential", "face to face": "presential", "in person": "presential",
               "in-person": "presential", "classroom": "presential", "blended": "blended", "hybrid": "blended"}
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"

#: ISO 3166-1 alpha-2 -> alpha-3 (the EU country authority uses alpha-3): EU/EEA, candidates and
#: neighbours, and the countries credential data in the anchors comes from.
ALPHA2 = dict(pair.split(":") for pair in (
    "AT:AUT BE:BEL BG:BGR HR:HRV CY:CYP CZ:CZE DK:DNK EE:EST FI:FIN FR:FRA DE:DEU GR:GRC EL:GRC HU:HUN "
    "IE:IRL IT:ITA LV:LVA LT:LTU LU:LUX MT:MLT NL:NLD PL:POL PT:PRT RO:ROU SK:SVK SI:SVN ES:ESP SE:SWE "
    "IS:ISL LI:LIE NO:NOR CH:CHE GB:GBR UK:GBR AL:ALB BA:BIH ME:MNE MK:MKD RS:SRB TR:TUR UA:UKR MD:MDA "
    "GE:GEO AM:ARM AZ:AZE BY:BLR RU:RUS XK:XKX AD:AND MC:MCO SM:SMR VA:VAT US:USA CA:CAN MX:MEX BR:BRA "
    "AR:ARG CL:CHL CO:COL AU:AUS NZ:NZL JP:JPN CN:CHN KR:KOR IN:IND SG:SGP ZA:ZAF IL:ISR EG:EGY MA:MAR "
    "TN:TUN NG:NGA KE:KEN AE:ARE SA:SAU").split())


def _literal_text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


@cache
def _index() -> dict[str, dict[str, str]]:
    """scheme key -> lower-cased notation or label -> concept IRI."""
    idx: dict[str, dict[str, str]] = {"isced": {}, "country": {}, "mode": {}, "level": {}, "credit": {}}
    notation, label = SKOS + "notation", SKOS + "prefLabel"
    for g in bundled.reference_graphs():
        for q in g.quads():
            s = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
            if q.predicate.value not in (notation, label):
                continue
            text = _literal_text(q.object).strip().lower()
            if s.startswith(ISCED_F) and q.predicate.value == notation:
                idx["isced"][text] = s
            elif s.startswith(COUNTRY):
                idx["country"][text] = s
            elif s.startswith(MODE):
                idx["mode"][text] = s
            elif s.startswith(REF + "framework/") and "/level/" in s and q.predicate.value == label:
                idx["level"][text] = s
            elif s.startswith(REF + "credit-system/") and q.predicate.value == notation:
                idx["credit"][text] = s
    return idx


def is_absolute_iri(value: str) -> bool:
    """An absolute IRI (:mod:`microhe.rdf.iri`), but not a notation that only looks like one
    ("EQF:6")."""
    return iri.is_absolute_iri(value) and not re.fullmatch(r"[A-Za-z]+:\d+", value)


def eqf(value: object) -> str | None:
    """'6', 6, 'EQF 6', 'Level 6', 'EQF level 6', an EQF IRI -> the EQF level IRI."""
    text = str(value).strip()
    if text.startswith(EQF_LEVEL) and re.fullmatch(r"[1-8]", text[len(EQF_LEVEL):]):
        return text
    m = re.fullmatch(r"(?i)(?:eqf)?\s*(?:level)?\s*[-:]?\s*([1-8])", text)
    return f"{EQF_LEVEL}{m.group(1)}" if m else None


def isced(value: object) -> str | None:
    text = str(value).strip()
    if text.startswith(ISCED_F):
        return text
    return _index()["isced"].get(text.lower())


def mode(value: object) -> str | None:
    text = str(value).strip()
    if text.startswith(MODE):
        return text
    word = _MODE_WORDS.get(text.lower())
    return MODES[word] if word else _index()["mode"].get(text.lower())


def country(value: object) -> str | None:
    """An alpha-2 or alpha-3 code, an English name or a country-authority IRI."""
    text = str(value).strip()
    if text.startswith(COUNTRY):
        return text
    if re.fullmatch(r"[A-Za-z]{2}", text):
        a3 = ALPHA2.get(text.upper())
        return COUNTRY + a3 if a3 else None
    return _index()["country"].get(text.lower())


def nqf(value: object) -> str | None:
    """'RQF Level 6' / 'RQF 6' / 'SCQF Level 11' -> the project's level IRI of that framework
    (which links the EU QDR concept with skos:exactMatch)."""
    text = str(value).strip()
    if text.startswith(("http://", "https://")):
        return text
    m = re.fullmatch(r"(?i)([A-Za-z][A-Za-z-]*)\s+(?:level\s+)?(.+)", text)
    if not m:
        return None
    code, level = m.group(1).upper(), m.group(2).strip()
    iri = level_iri(code, level)
    return iri if iri in set(_index()["level"].values()) else None


def credit_system(value: object) -> str | None:
    """'ECTS' -> the official ECTS IRI; other systems -> the reference credit-system IRI."""
    text = str(value).strip()
    if text.startswith(("http://", "https://")):
        return text
    if text.upper() == "ECTS":
        return ECTS
    return _index()["credit"].get(text.lower())


def language(value: object) -> str | None:
    text = str(value).strip()
    return LANGUAGE + text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else None


__all__ = ["ALPHA2", "MODES", "country", "credit_system", "eqf", "is_absolute_iri", "isced", "language", "mode", "nqf"]
