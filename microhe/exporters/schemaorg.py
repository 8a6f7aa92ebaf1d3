"""schema.org JSON-LD of a specification: an ``EducationalOccupationalCredential`` (pending,
under ``schema:Credential``), what search engines and portals read; also embedded in the
credential page as a ``<script type="application/ld+json">`` data block.

``name``/``description`` (one language, ``inLanguage``), ``url`` the web page, ``provider``
the awarding body (an ``Organization`` with ``address.addressCountry``, ISO alpha-2),
``educationalLevel`` a ``DefinedTerm`` per EQF level (``termCode``, ``inDefinedTermSet`` the
EQF scheme, ``url`` the concept) and NQF level (``url``), ``timeRequired`` the volume of learning,
``competencyRequired`` a ``DefinedTerm`` per learning outcome (``url`` its skill),
``recognizedBy`` the accrediting agents, ``credentialCategory`` "Micro-credential" for a
``ceterms:MicroCredential``.

Lost: credits (``numberOfCredits`` belongs to ``EducationalOccupationalProgram`` and ``Course``,
not to a credential), mode, assessment, identity verification, ISCED-F, stacks, notes,
entry requirements, titles in other languages. Nothing is read back from schema.org (no
importer): it is a publication format.
"""

from __future__ import annotations

from typing import Any

from microhe.exporters.common import EQF_SCHEME_NAME, alpha2, duration_hours, number
from microhe.exporters.model import CETERMS, Spec, Text
from microhe.exporters.result import Losses
from microhe.rdf import formats
from microhe.vocab import EQF_SCHEME

NAME = "schemaorg"
MEDIA_TYPE = formats.JSON_LD
CONTEXT = "https://schema.org"


def _pick(texts: list[Text], lang: str | None = None) -> Text | None:
    for want in (lang, "en", None):
        for t in texts:
            if t[1] == want:
                return t
    return texts[0] if texts else None


def _hours(value: str) -> str:
    h = duration_hours(value)
    n = number(str(h)) if h is not None else None
    return f"PT{n}H" if n is not None else value


def export(spec: Spec) -> tuple[dict[str, Any], Losses]:
    lost = Losses(spec.iri)
    title = _pick(spec.titles) or (spec.iri, None)
    doc: dict[str, Any] = {"@context": CONTEXT, "@type": "EducationalOccupationalCredential", "@id": spec.iri,
                           "name": title[0]}
    lost.add("title (other languages)", [t for t in spec.titles if t != title], "one name per page")
    desc = _pick(spec.descriptions, title[1])
    if desc:
        doc["description"] = desc[0]
    if title[1]:
        doc["inLanguage"] = title[1]
    if CETERMS + "MicroCredential" in spec.types:
        doc["credentialCategory"] = {"@type": "DefinedTerm", "name": "Micro-credential",
                                     "url": CETERMS + "MicroCredential"}
    if spec.homepages:
        doc["url"] = spec.homepages[0]
    providers = []
    for org in spec.issuers:
        o: dict[str, Any] = {"@type": "Organization"}
        if not org.iri.startswith("_:"):
            o["@id"] = org.iri
        name = _pick(org.names)
        if name:
            o["name"] = name[0]
        code = alpha2(org.country)
        if code:
            o["address"] = {"@type": "PostalAddress", "addressCountry": code}
        if org.homepage:
            o["url"] = org.homepage
        providers.append(o)
    if providers:
        doc["provider"] = providers[0] if len(providers) == 1 else providers
    levels: list[dict[str, Any]] = [{"@type": "DefinedTerm", "name": f"EQF level {n}", "termCode": str(n),
                                     "inDefinedTermSet": {"@type": "DefinedTermSet", "@id": EQF_SCHEME,
                                                          "name": EQF_SCHEME_NAME},
                                     "url": f"http://data.europa.eu/snb/eqf/{n}"} for n in spec.eqf]
    levels += [{"@type": "DefinedTerm", "url": iri} for iri in spec.nqf]
    if levels:
        doc["educationalLevel"] = levels
    if spec.hours:
        doc["timeRequired"] = _hours(spec.hours[0])
    competencies = []
    for out in spec.outcomes:
        term: dict[str, Any] = {"@type": "DefinedTerm", "name": (_pick(out.titles, title[1]) or ("", None))[0]}
        if out.skills:
            term["url"] = out.skills[0]
        competencies.append(term)
    if competencies:
        doc["competencyRequired"] = competencies
    agents = [a for acc in spec.accreditations for a in acc.agents]
    if agents:
        doc["recognizedBy"] = [{"@type": "Organization", "@id": a} for a in dict.fromkeys(agents)]
    lost.add("quality assurance", [(acc.titles[0][0] if acc.titles else acc.iri) for acc in spec.accreditations
                                   if not acc.agents], "recognizedBy names an organisation; the accreditation names none")
    lost.add("ECTS", [c.point for c in spec.credits if c.framework.endswith("/6fcec5c5af")],
             "numberOfCredits is a property of EducationalOccupationalProgram and Course, not of a credential")
    lost.add("other credits", [f"{c.point} {c.framework}" for c in spec.credits if not c.framework.endswith("/6fcec5c5af")],
             "no credit property on a credential")
    lost.add("volume of learning", spec.hours[1:], "one timeRequired")
    lost.add("mode", spec.modes, "no mode of study on a credential")
    lost.add("assessment", [t for x in spec.assessments for t in (x.types or [x.iri])], "no assessment on a credential")
    lost.add("identity verification", spec.id_verification, "no place on a credential")
    lost.add("ISCED-F field", spec.isced, "no field-of-study classification on a credential")
    lost.add("part of", spec.part_of, "no stacking relation on a credential")
    lost.add("has part", spec.has_part, "no stacking relation on a credential")
    lost.add("notes", spec.notes, "no place on a credential")
    lost.add("entry requirement", spec.entry, "no place on a credential")
    lost.add("identifier", spec.identifiers, "not written")
    return doc, lost


__all__ = ["CONTEXT", "MEDIA_TYPE", "NAME", "export"]
