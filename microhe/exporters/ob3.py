"""An unsigned Open Badges 3.0 ``AchievementCredential`` whose achievement is the specification.

VC 2.0 envelope (contexts VC 2.0 + OB ``context-3.0.3.json``, ``validFrom`` the time of
the export, no ``proof``: a specification is not an award and signing is the issuer's act),
``issuer`` the awarding body (a ``Profile`` with ``name``, ``url``,
``address.addressCountryCode``), ``credentialSubject`` an ``AchievementSubject`` without a
learner, its ``achievement`` the specification:

* ``name`` / ``description`` / ``inLanguage``: the title and description in English, else
  the untagged or first language (OB holds one language; the others are lost); an
  Achievement requires a description, the title stands in when the graph has none;
* ``criteria``: a ``Criteria:`` note, else the web page (``criteria.id``), else the learning
  outcomes as narrative;
* EQF and ECTS the Edubadges way (educredentials obv3-examples): an ``alignment`` with
  ``targetType`` ``ext:EQF``, ``targetCode`` the level, ``targetUrl`` the EQF concept, and the
  ``ECTS`` extension term. Never ``creditsAvailable`` for ECTS: OB 3.0 defines it as credit
  hours (US usage); only US semester credit hours go there. Edubadges' ``timeInvestment``
  (hours) and ``participationType`` carry workload and mode; quality assurance is an
  ``ext:QualityAssurance`` alignment;
* learning outcomes: one ``alignment`` per outcome and skill (``targetName``, ``targetDescription``,
  ``targetUrl`` the skill, else the outcome's IRI, as OB requires one), ESCO skills typed
  ``ext:ESCO``.

The ``ECTS``, ``timeInvestment`` and ``participationType`` terms are Edubadges' extension, whose
context is not bundled (no stated licence): under the VC 2.0 context they expand to
issuer-dependent IRIs, and microhe's importer reads them by name. Lost: NQF levels, ISCED-F
fields, assessment and identity verification (Edubadges has only free text), credits
other than ECTS and US semester hours, stacks, notes, entry requirements, identifiers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from microhe.errors import InvalidValue
from microhe.exporters.common import MODE_WORDS, alpha2, duration_hours, number
from microhe.exporters.model import CETERMS, Spec, Text
from microhe.exporters.result import Losses
from microhe.rdf import formats
from microhe.vocab import ECTS, REF

NAME = "ob3"
MEDIA_TYPE = formats.JSON_LD
CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
US_SCH = REF + "credit-system/US-SCH"
ESCO_SKILL = "http://data.europa.eu/esco/skill/"


def _pick(texts: list[Text]) -> Text | None:
    for want in ("en", None):
        for t in texts:
            if t[1] == want:
                return t
    return texts[0] if texts else None


def _absolute(iri: str) -> bool:
    return not iri.startswith("_:")


def export(spec: Spec, *, now: datetime | None = None) -> tuple[dict[str, Any], Losses]:
    lost = Losses(spec.iri)
    if not spec.issuers:
        raise InvalidValue(f"<{spec.iri}> names no awarding body: an Open Badges credential requires an issuer; "
                           "add elm:awardingOpportunity/elm:awardingBody, or export to elm, ctdl or schemaorg")
    org = spec.issuers[0]
    lost.add("issuer", [o.iri for o in spec.issuers[1:]], "an Open Badge has one issuer")
    title = _pick(spec.titles) or (spec.iri, None)
    lang = title[1]
    lost.add("title (other languages)", [t for t in spec.titles if t != title], "an Achievement has one name")
    desc = _pick([d for d in spec.descriptions if d[1] == lang] or spec.descriptions)
    lost.add("description (other languages)", [d for d in spec.descriptions if d != desc], "one description")
    a: dict[str, Any] = {"id": spec.iri, "type": ["Achievement"]}
    if CETERMS + "MicroCredential" in spec.types:
        a["achievementType"] = "MicroCredential"
    a["name"] = title[0]
    a["description"] = desc[0] if desc else title[0]
    if lang:
        a["inLanguage"] = lang
    criteria = [n[len("Criteria: "):] for n in spec.notes if n.startswith("Criteria: ")]
    if criteria:
        a["criteria"] = {"narrative": criteria[0]}
    elif spec.homepages:
        a["criteria"] = {"id": spec.homepages[0]}
    else:
        outcomes = "; ".join(o.titles[0][0] for o in spec.outcomes)
        a["criteria"] = {"narrative": f"Achieve the learning outcomes: {outcomes}." if outcomes
                         else f"As specified at {spec.iri}."}
    alignment: list[dict[str, Any]] = []
    for level in spec.eqf:
        alignment.append({"type": ["Alignment"], "targetType": "ext:EQF", "targetCode": str(level),
                          "targetName": f"EQF level {level}", "targetFramework": "European Qualifications Framework",
                          "targetUrl": f"http://data.europa.eu/snb/eqf/{level}"})
    for acc in spec.accreditations:
        url = acc.homepage or next(iter(acc.agents), None) or (acc.iri if _absolute(acc.iri) else None)
        name = (_pick(acc.titles) or (None, None))[0] or (f"Accreditation by {acc.agents[0]}" if acc.agents else None)
        if not url or not name:
            lost.add("quality assurance", acc.iri, "an Alignment needs a name and a URL")
            continue
        alignment.append({"type": ["Alignment"], "targetType": "ext:QualityAssurance", "targetName": name,
                          "targetUrl": url, **({"targetCode": acc.agents[0]} if acc.agents and url != acc.agents[0]
                                               else {})})
    for o in spec.outcomes:
        chosen = _pick([t for t in o.titles if t[1] == lang] or o.titles) or ("", None)
        name = chosen[0]
        lost.add("learning outcomes (other languages)", [t for t in o.titles if t != chosen],
                 "an Alignment has one targetName")
        for skill in o.skills or ([o.iri] if _absolute(o.iri) else []):
            al: dict[str, Any] = {"type": ["Alignment"], "targetName": name, "targetUrl": skill}
            if skill.startswith(ESCO_SKILL):
                al["targetType"] = "ext:ESCO"
            if o.description:
                al["targetDescription"] = o.description
            alignment.append(al)
        if not o.skills and not _absolute(o.iri):
            lost.add("learning outcomes", name, "an Alignment needs a URL: the outcome has no skill and no IRI")
    if alignment:
        a["alignment"] = alignment
    for c in spec.credits:
        value = number(c.point)
        if c.framework == ECTS and value is not None and "ECTS" not in a:
            a["ECTS"] = value
        elif c.framework == US_SCH and value is not None and "creditsAvailable" not in a:
            a["creditsAvailable"] = value
        else:
            lost.add("other credits", f"{c.point} {c.framework}", "OB holds ECTS (Edubadges) and US credit hours only")
    for h in spec.hours:
        hours = duration_hours(h)
        if hours is not None and "timeInvestment" not in a:
            a["timeInvestment"] = number(str(hours))
        else:
            lost.add("volume of learning", h, "timeInvestment holds one number of hours")
    words = [MODE_WORDS[m] for m in spec.modes if m in MODE_WORDS]
    if len(words) == 1:
        a["participationType"] = words[0]
    else:
        lost.add("mode", spec.modes, "participationType holds one of online, presential, blended")
    lost.add("NQF level", spec.nqf, "no level field in OB 3.0; Edubadges aligns the EQF level only")
    lost.add("ISCED-F field", spec.isced, "fieldOfStudy is free text, no concept")
    lost.add("assessment", [t for x in spec.assessments for t in (x.types or [x.iri])],
             "Edubadges' assessmentType is free text, no assessment specification")
    lost.add("identity verification", spec.id_verification, "no place in an Achievement")
    lost.add("part of", spec.part_of, "no stacking relation in an Achievement")
    lost.add("has part", spec.has_part, "no stacking relation in an Achievement")
    lost.add("notes", [n for n in spec.notes if not n.startswith("Criteria: ")], "no place in an Achievement")
    lost.add("entry requirement", spec.entry, "no place in an Achievement")
    lost.add("identifier", spec.identifiers, "otherIdentifier needs an identifier type the graph does not state")
    issuer: dict[str, Any] = {"id": org.iri if _absolute(org.iri) else
                              f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, spec.iri + '#issuer')}", "type": ["Profile"]}
    if org.names:
        issuer["name"] = (_pick(org.names) or org.names[0])[0]
    if org.homepage:
        issuer["url"] = org.homepage
    code = alpha2(org.country)
    if code:
        issuer["address"] = {"type": ["Address"], "addressCountryCode": code}
    else:
        lost.add("issuer country", org.country, "addressCountryCode is ISO 3166-1 alpha-2")
    when = (now or datetime.now(UTC)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = {"@context": CONTEXTS, "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, spec.iri)}",
           "type": ["VerifiableCredential", "AchievementCredential"], "name": title[0], "issuer": issuer,
           "validFrom": when, "credentialSubject": {"type": ["AchievementSubject"], "achievement": a}}
    return doc, lost


__all__ = ["CONTEXTS", "MEDIA_TYPE", "NAME", "export"]
