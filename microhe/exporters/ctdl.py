"""CTDL JSON-LD of a specification, as the Credential Registry publishes records: an
``@graph`` with the credential (or learning opportunity) and the organisations it names.

* class: the CTDL class the specification already carries (imported from CTDL or typed
  ``ceterms:MicroCredential``), else ``ceterms:MicroCredential`` for an ``elm:Qualification``
  and ``ceterms:LearningOpportunityProfile`` for a learning achievement specification;
* ``ceterms:ctid``: ``ce-`` + the UUID v5 (URL namespace) of the specification's IRI, so the
  same specification always gets the same CTID; organisations likewise;
* ``ceterms:name`` / ``description`` as language maps (``@none`` for untagged text); a
  record requires a description: the title stands in when the graph has none;
* the awarding body: ``ceterms:ownedBy`` (credentials) or ``ceterms:offeredBy`` (learning
  opportunities), described in the graph as a ``ceterms:CredentialOrganization`` with
  ``ceterms:address``/``ceterms:addressCountry`` (ISO alpha-2) and ``subjectWebpage``;
* ``ceterms:creditValue``: a ``ceterms:ValueProfile`` (``schema:value``,
  ``ceterms:creditUnitType`` ``creditUnit:ECTS`` / ``creditUnit:SemesterHour`` /
  ``creditUnit:QuarterHour``);
* ``ceterms:estimatedDuration``: a ``DurationProfile`` with the volume of learning as
  ``exactDuration``;
* ``ceterms:atLevel``: a ``CredentialAlignmentObject`` per EQF level (``targetNode`` the EQF
  concept, ``frameworkName`` EQF, ``codedNotation`` the level) and NQF level (``targetNode``);
* learning outcomes: ``ceterms:requires`` -> ``ConditionProfile`` -> ``targetCompetency`` for a
  credential, ``ceterms:teaches`` for a learning opportunity (``CredentialAlignmentObject``:
  ``targetNodeName``, ``targetNodeDescription``, ``targetNode`` the skill, else the outcome);
* mode -> ``ceterms:deliveryType`` (OnlineOnly, InPerson, BlendedDelivery); accreditations
  -> ``ceterms:accreditedBy`` their accrediting agent; ``isPartOf``/``hasPart``;
  ``subjectWebpage`` the web page.

Lost: assessment and identity verification (CTDL describes assessments as
``AssessmentProfile`` records of their own), ISCED-F fields (CTDL classifies by CIP),
credit systems without a CTDL credit unit, an accreditation that names no agent, notes and
entry requirements.
"""

from __future__ import annotations

import uuid
from typing import Any

from microhe.exporters.common import EQF_SCHEME_NAME, MODE_WORDS, alpha2, duration_hours, language_map, number
from microhe.exporters.model import CETERMS, Organisation, Spec
from microhe.exporters.result import Losses
from microhe.rdf import formats
from microhe.vocab import COUNTRY, ECTS, EQF_SCHEME, REF

NAME = "ctdl"
MEDIA_TYPE = formats.JSON_LD
CONTEXT = "https://credreg.net/ctdl/schema/context/json"
UNITS = {ECTS: "creditUnit:ECTS", REF + "credit-system/US-SCH": "creditUnit:SemesterHour",
         REF + "credit-system/US-QCH": "creditUnit:QuarterHour"}
DELIVERY = {"online": "deliveryType:OnlineOnly", "presential": "deliveryType:InPerson",
            "blended": "deliveryType:BlendedDelivery"}
OPPORTUNITY = "LearningOpportunityProfile"


def ctid(iri: str) -> str:
    """``ce-`` + UUID v5 of the IRI: the CTID of a record exported from this graph."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, iri)}"


def ctdl_class(spec: Spec) -> str:
    own = sorted(t[len(CETERMS):] for t in spec.types if t.startswith(CETERMS))
    if own:
        return own[0]
    return "MicroCredential" if spec.is_qualification else OPPORTUNITY


def _node_id(iri: str) -> str:
    return iri  # a blank node of the graph ("_:x") stays a blank node in JSON-LD


def _organisation(org: Organisation, lost: Losses) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": _node_id(org.iri), "@type": "ceterms:CredentialOrganization"}
    if not org.iri.startswith("_:"):
        node["ceterms:ctid"] = ctid(org.iri)
    if org.names:
        node["ceterms:name"] = language_map(org.names)
    if org.country:
        code = alpha2(org.country) or org.country[len(COUNTRY):]
        node["ceterms:address"] = [{"@type": "ceterms:Place", "ceterms:addressCountry": {"en": code}}]
    if org.homepage:
        node["ceterms:subjectWebpage"] = org.homepage
    return node


def _hours(value: str) -> str:
    h = duration_hours(value)
    n = number(str(h)) if h is not None else None
    return f"PT{n}H" if n is not None else value


def export(spec: Spec) -> tuple[dict[str, Any], Losses]:
    lost = Losses(spec.iri)
    cls = ctdl_class(spec)
    rec: dict[str, Any] = {"@id": spec.iri, "@type": f"ceterms:{cls}", "ceterms:ctid": ctid(spec.iri)}
    rec["ceterms:name"] = language_map(spec.titles or [(spec.iri, None)])
    rec["ceterms:description"] = language_map(spec.descriptions or spec.titles or [(spec.iri, None)])
    if spec.homepages:
        rec["ceterms:subjectWebpage"] = spec.homepages[0]
        lost.add("web page", spec.homepages[1:], "subjectWebpage holds one page")
    graph: list[dict[str, Any]] = [rec]
    if spec.issuers:
        rec["ceterms:offeredBy" if cls == OPPORTUNITY else "ceterms:ownedBy"] = [_node_id(o.iri) for o in spec.issuers]
        graph += [_organisation(o, lost) for o in spec.issuers]
    credits = []
    for c in spec.credits:
        value = number(c.point)
        if c.framework in UNITS and value is not None:
            credits.append({"@type": "ceterms:ValueProfile", "schema:value": value,
                            "ceterms:creditUnitType": [UNITS[c.framework]]})
        else:
            lost.add("other credits", f"{c.point} {c.framework}", "no CTDL credit unit for this credit system")
    if credits:
        rec["ceterms:creditValue"] = credits
    if spec.hours:
        rec["ceterms:estimatedDuration"] = [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": _hours(h)}
                                            for h in spec.hours]
    levels = [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": EQF_SCHEME,
               "ceterms:frameworkName": {"en": EQF_SCHEME_NAME}, "ceterms:codedNotation": str(n),
               "ceterms:targetNode": f"http://data.europa.eu/snb/eqf/{n}",
               "ceterms:targetNodeName": {"en": f"EQF level {n}"}} for n in spec.eqf]
    levels += [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": iri} for iri in spec.nqf]
    if levels:
        rec["ceterms:atLevel"] = levels
    competencies = []
    for o in spec.outcomes:
        for target in o.skills or [o.iri]:
            cao: dict[str, Any] = {"@type": "ceterms:CredentialAlignmentObject",
                                   "ceterms:targetNodeName": language_map(o.titles)}
            if o.description:
                cao["ceterms:targetNodeDescription"] = {"@none": o.description}
            if not target.startswith("_:"):
                cao["ceterms:targetNode"] = target
            competencies.append(cao)
    if competencies and cls == OPPORTUNITY:
        rec["ceterms:teaches"] = competencies
    elif competencies:
        rec["ceterms:requires"] = [{"@type": "ceterms:ConditionProfile",
                                    "ceterms:description": {"en": "The learning outcomes of the credential"},
                                    "ceterms:targetCompetency": competencies}]
    delivery = [DELIVERY[MODE_WORDS[m]] for m in spec.modes if m in MODE_WORDS]
    lost.add("mode", [m for m in spec.modes if m not in MODE_WORDS], "no CTDL delivery type for this mode")
    if delivery:
        rec["ceterms:deliveryType"] = delivery
    agents = []
    for acc in spec.accreditations:
        if acc.agents:
            agents += [a for a in acc.agents if a not in agents]
        else:
            lost.add("quality assurance", (acc.titles[0][0] if acc.titles else acc.iri),
                     "ceterms:accreditedBy names the accrediting agent; the accreditation names none")
    if agents:
        rec["ceterms:accreditedBy"] = agents
    if spec.part_of:
        rec["ceterms:isPartOf"] = spec.part_of
    if spec.has_part:
        rec["ceterms:hasPart"] = spec.has_part
    lost.add("assessment", [t for x in spec.assessments for t in (x.types or [x.iri])],
             "CTDL describes assessments as AssessmentProfile records of their own")
    lost.add("identity verification", spec.id_verification, "no place in a CTDL credential")
    lost.add("ISCED-F field", spec.isced, "CTDL classifies programmes by CIP (instructionalProgramType), not ISCED-F")
    lost.add("notes", spec.notes, "no place in a CTDL credential")
    lost.add("entry requirement", spec.entry, "no condition profile is written for free-text requirements")
    lost.add("identifier", [i for i in spec.identifiers if i != rec["ceterms:ctid"]],
             "the record's CTID is minted from its IRI (ce- + UUID v5), so one specification has one CTID")
    return {"@context": CONTEXT, "@graph": graph}, lost


__all__ = ["CONTEXT", "MEDIA_TYPE", "NAME", "ctdl_class", "ctid", "export"]
