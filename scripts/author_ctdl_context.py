"""Writes microhe/rdf/contexts/ctdl-context-authored.json: a JSON-LD context for the CTDL and
CTDL-ASN records of the Credential Registry, AUTHORED here (no copy of the published
https://credreg.net/ctdl/schema/context/json with a clear licence was found).

It declares the prefixes the records use, and for the terms they use: language maps
(``"ceterms:name": {"en-US": "..."}``), IRI values (``"ceterms:ownedBy": "https://..."``,
compact ones too: ``"creditUnit:DegreeCredit"``) and durations. Terms not listed still
expand through their prefix (a plain literal, or a node when the value is an object).
Regenerate: ``python scripts/author_ctdl_context.py`` (tests/importers/test_ctdl.py reads
every CTDL anchor with the result).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "microhe" / "rdf" / "contexts" / "ctdl-context-authored.json"

PREFIXES = {
    "ceterms": "https://purl.org/ctdl/terms/",
    "ceasn": "https://purl.org/ctdlasn/terms/",
    "qdata": "https://credreg.net/qdata/terms/",
    "navy": "https://purl.org/navy/terms/",
    "asn": "http://purl.org/ASN/schema/core/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "http://schema.org/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vann": "http://purl.org/vocab/vann/",
    "meta": "http://credreg.net/meta/terms/",
}
#: CTDL concept schemes: "creditUnit:DegreeCredit" -> https://purl.org/ctdl/vocabs/creditUnit/DegreeCredit
SCHEMES = ["agentSector", "agentService", "assessMethod", "assessUse", "audience", "audLevel", "creditUnit",
           "credentialStat", "deliveryType", "learnMethod", "lifeCycle", "orgType", "scoringMethod",
           "serviceType", "claimType", "costType", "residency", "inputType", "financialAid", "purposeType",
           "lrnOppType", "pathwayComponentType", "alignmentType", "earningsCredentialType", "intervalType",
           "publicationStatus", "pathwayComponentCondition", "scheduleFrequency", "scheduleTiming", "submissionOf"]

LANGUAGE_MAPS = [
    "ceterms:name", "ceterms:description", "ceterms:alternateName", "ceterms:targetNodeName",
    "ceterms:targetNodeDescription", "ceterms:frameworkName", "ceterms:identifierTypeName", "ceterms:condition",
    "ceterms:keyword", "ceterms:submissionRequirement", "ceterms:experience",
    "ceterms:deliveryTypeDescription", "ceterms:learningMethodDescription", "ceterms:assessmentMethodDescription",
    "ceterms:processMethodDescription", "ceterms:scoringMethodDescription", "ceterms:audienceLevelTypeDescription",
    "ceterms:creditUnitTypeDescription", "ceterms:agentPurposeDescription", "ceterms:streetAddress",
    "ceterms:addressLocality", "ceterms:addressRegion", "ceterms:addressCountry", "ceterms:postOfficeBoxNumber",
    "ceterms:valueStatement", "ceterms:alternateNotation",
    "ceasn:name", "ceasn:description", "ceasn:comment", "ceasn:competencyText", "ceasn:competencyCategory",
    "ceasn:competencyLabel", "ceasn:definition", "ceasn:publisherName", "ceasn:conceptKeyword", "ceasn:note",
    "skos:prefLabel", "skos:altLabel", "skos:definition", "skos:note", "skos:hiddenLabel", "skos:scopeNote",
    "schema:description", "schema:name",
]
IRI_VALUED = [
    "ceterms:ownedBy", "ceterms:offeredBy", "ceterms:accreditedBy", "ceterms:approvedBy", "ceterms:recognizedBy",
    "ceterms:regulatedBy", "ceterms:renewedBy", "ceterms:revokedBy", "ceterms:owns", "ceterms:offers",
    "ceterms:accredits", "ceterms:approvedIn", "ceterms:recognizedIn", "ceterms:regulatedIn",
    "ceterms:isPartOf", "ceterms:hasPart", "ceterms:isPreparationFor", "ceterms:preparationFrom",
    "ceterms:isAdvancedStandingFor", "ceterms:advancedStandingFrom", "ceterms:isRecommendedFor",
    "ceterms:isRequiredFor", "ceterms:targetNode", "ceterms:framework", "ceterms:subjectWebpage",
    "ceterms:sameAs", "ceterms:source", "ceterms:image", "ceterms:targetAssessment", "ceterms:targetCredential",
    "ceterms:targetLearningOpportunity", "ceterms:teaches", "ceterms:assesses", "ceterms:targetCompetency",
    "ceterms:creditUnitType", "ceterms:creditLevelType", "ceterms:deliveryType", "ceterms:learningMethodType",
    "ceterms:assessmentMethodType", "ceterms:audienceLevelType", "ceterms:audienceType", "ceterms:agentType",
    "ceterms:agentSectorType", "ceterms:credentialStatusType", "ceterms:alignmentType", "ceterms:transferValueFor",
    "ceterms:transferValueFrom", "ceterms:precededBy", "ceterms:precedes", "ceterms:preceededBy",
    "ceterms:preceeds", "ceterms:hasFacetScheme", "ceterms:facetedDescription", "ceterms:facetType",
    "ceterms:inQualificationsFramework", "ceterms:hasSubFrameworkScheme", "ceterms:hasGlossary",
    "ceterms:supersedes", "ceterms:supersededBy", "ceterms:previousVersion", "ceterms:latestVersion",
    "ceterms:nextVersion", "ceterms:publisher", "ceterms:owner", "ceterms:industryType", "ceterms:occupationType",
    "ceterms:instructionalProgramType", "ceterms:indicativeCredentialType", "ceterms:compares",
    "ceterms:sourceNode", "ceterms:classification", "ceterms:conceptTerm", "ceterms:availableOnlineAt",
    "ceterms:availabilityListing",
    "ceasn:isPartOf", "ceasn:isChildOf", "ceasn:hasChild", "ceasn:hasTopChild", "ceasn:isTopChildOf",
    "ceasn:creator", "ceasn:publisher", "ceasn:rightsHolder", "ceasn:source", "ceasn:educationLevelType",
    "ceasn:conceptTerm", "ceasn:sourceDocumentation", "ceasn:inProgressionModel", "ceasn:publicationStatusType",
    "ceasn:exactAlignment", "ceasn:majorAlignment", "ceasn:minorAlignment", "ceasn:broadAlignment",
    "ceasn:narrowAlignment", "ceasn:skillEmbodied", "ceasn:knowledgeEmbodied", "ceasn:abilityEmbodied",
    "ceasn:license", "ceasn:derivedFrom",
    "asn:hasProgressionLevel", "asn:hasProgressionModel", "asn:inProgressionModel",
    "skos:inScheme", "skos:hasTopConcept", "skos:topConceptOf", "skos:broader", "skos:narrower",
    "skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:related",
    "schema:about", "schema:url", "schema:creator", "owl:sameAs",
]
DURATIONS = ["ceterms:exactDuration", "ceterms:minimumDuration", "ceterms:maximumDuration"]


def context() -> dict:
    ctx: dict = {"@version": 1.1, **PREFIXES}
    for s in SCHEMES:
        ctx[s] = f"https://purl.org/ctdl/vocabs/{s}/"
    expand = {**PREFIXES}
    for term in LANGUAGE_MAPS:
        p, local = term.split(":", 1)
        ctx[term] = {"@id": expand[p] + local, "@container": "@language"}
    for term in IRI_VALUED:
        p, local = term.split(":", 1)
        ctx[term] = {"@id": expand[p] + local, "@type": "@id"}
    for term in DURATIONS:
        p, local = term.split(":", 1)
        ctx[term] = {"@id": expand[p] + local, "@type": "xsd:duration"}
    return {"@context": ctx}


if __name__ == "__main__":
    OUT.write_text(json.dumps(context(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
