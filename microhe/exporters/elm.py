"""ELM v3 JSON-LD (Europass EDC context) of a specification: the learning-opportunity side
of ELM, not an issued credential (no learner, no award, no seal).

The specification keeps its class (``Qualification`` or ``LearningAchievementSpecification``)
and IRI, with everything the graph holds along the ELM paths: title and description (language
maps), the awarding body (``awardingOpportunity/awardingBody``, ``legalName``,
``location/address/countryCode``, ``homepage``), EQF/NQF level, ISCED-F field, credit
points, volume of learning, mode, assessment specifications (``provenBy``, ``dcType``),
accreditations, learning outcomes with ESCO and other skills, stacks, notes and entry
requirements. Concepts are referenced by their official IRI (the EDC shapes resolve them
through the controlled vocabularies, as the ELM tooling does). It passes the official
``EDC-generic-no-cv``/``EDC-generic-full`` shapes and the LOQ constraints
(``tests/exporters/test_elm.py``).

ELM is the graph's own model, so little is lost: the CTDL class and the Open Badges
achievement type a specification may carry as a second type (no ELM term), and plain
``dcterms:identifier`` values (ELM's ``identifier`` is a structured ``Identifier`` with a
scheme the graph does not know).
"""

from __future__ import annotations

from typing import Any

from microhe.exporters.common import language_map
from microhe.exporters.model import Accreditation, Organisation, Spec, Text
from microhe.exporters.result import Losses
from microhe.rdf import formats
from microhe.vocab import ELM

NAME = "elm"
MEDIA_TYPE = formats.JSON_LD
#: The VC 1.1 context first: it aliases ``id``/``type`` (the EDC context alone does not, and
#: a document naming only it loses every node's IRI and class, silently).
CONTEXT = ["https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap"]
ESCO_SKILL = "http://data.europa.eu/esco/skill/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
#: ISO 639-1 -> the EU language authority's code, for the official EU languages (the
#: language of a title when the graph states no elm:language).
EU_LANGUAGES = dict(p.split(":") for p in (
    "bg:BUL hr:HRV cs:CES da:DAN nl:NLD en:ENG et:EST fi:FIN fr:FRA de:DEU el:ELL hu:HUN ga:GLE it:ITA lv:LAV "
    "lt:LIT mt:MLT pl:POL pt:POR ro:RON sk:SLK sl:SLV es:SPA sv:SWE").split())
ESCO_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"


def _one(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _id(node: dict[str, Any], iri: str) -> dict[str, Any]:
    """``node`` with its IRI (a blank node of the graph stays anonymous)."""
    return {"id": iri, **node} if not iri.startswith("_:") else node


class _Writer:
    def __init__(self, spec: Spec, lost: Losses):
        self.spec, self.lost = spec, lost
        #: ELM wants a language on every text (the shapes require rdf:langString): untagged
        #: text is written in the language of the specification's title, else English.
        self.lang = next((lang for _, lang in spec.titles if lang), "en")

    def texts(self, texts: list[Text]) -> dict[str, Any]:
        return language_map([(t, lang or self.lang) for t, lang in texts])

    def note(self, text: str) -> dict[str, Any]:
        return {"type": "Note", "noteLiteral": {self.lang: text}}

    def concepts(self, iris: list[str]) -> Any:
        """Concept references, each a ``skos:Concept`` node with the scheme and label the graph
        holds (an ESCO skill is in ESCO's skills scheme by its IRI); EU-list concepts need
        no more, the controlled vocabularies describe them."""
        out = []
        for iri in iris:
            c = self.spec.concepts.get(iri)
            node: dict[str, Any] = {"id": iri, "type": "Concept"}
            schemes = c.schemes if c else ([ESCO_SCHEME] if iri.startswith(ESCO_SKILL) else [])
            if schemes:
                node["inScheme"] = _one([{"id": x, "type": "ConceptScheme"} for x in schemes])
            if c and c.labels:
                node["prefLabel"] = self.texts(c.labels)
            if c and c.notation:
                node["notation"] = c.notation
            out.append(node)
        return _one(out)

    def agent(self, iri: str) -> dict[str, Any]:
        """An accrediting agent or accredited body: an ``elm:Organisation`` with what the
        graph says of it (no accreditations of its own: they are not this export's)."""
        org = self.spec.agents.get(iri) or Organisation(iri)
        node: dict[str, Any] = {"type": "Organisation"}
        if org.names:
            node["legalName"] = self.texts(org.names)
        if org.country:
            node["location"] = {"type": "Location", "address": {"type": "Address", "countryCode": org.country}}
        return _id(node, iri)

    def organisation(self, org: Organisation) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "Organisation"}
        if org.names:
            node["legalName"] = self.texts(org.names)
        if org.country:
            node["location"] = {"type": "Location", "address": {"type": "Address", "countryCode": org.country}}
        if org.homepage:
            node["homepage"] = _page(org.homepage)
        mine = [a for a in self.spec.accreditations if a.of_issuer]
        accs = [x for x in (self.accreditation(a) for a in mine) if x]
        if accs:
            node["accreditation"] = _one(accs)
        return _id(node, org.iri)

    def accreditation(self, acc: Accreditation) -> dict[str, Any] | None:
        if not acc.types:  # EDC-generic-full: exactly one dc:type from the accreditation list
            self.lost.add("quality assurance", acc.titles[0][0] if acc.titles else acc.iri,
                          "an ELM accreditation needs its type (a concept of the EU accreditation list); the graph "
                          "states none")
            return None
        node: dict[str, Any] = {"type": "Accreditation", "dcType": self.concepts(acc.types[:1])}
        if acc.titles:
            node["title"] = self.texts(acc.titles)
        if acc.agents:
            node["accreditingAgent"] = _one([self.agent(a) for a in acc.agents])
        if acc.organisations:
            node["organisation"] = _one([self.agent(o) for o in acc.organisations])
        if acc.homepage:
            node["homepage"] = _page(acc.homepage)
        return _id(node, acc.iri)


def _page(url: str) -> dict[str, Any]:
    """ELM's web page: an ``elm:WebResource`` with its ``contentURL``."""
    return {"type": "WebResource", "contentURL": url}


def export(spec: Spec) -> tuple[dict[str, Any], Losses]:
    lost = Losses(spec.iri)
    w = _Writer(spec, lost)
    cls = "Qualification" if spec.is_qualification else "LearningAchievementSpecification"
    doc: dict[str, Any] = {"@context": CONTEXT, "id": spec.iri, "type": cls}
    if spec.titles:
        doc["title"] = w.texts(spec.titles)
    if spec.descriptions:
        doc["description"] = w.texts(spec.descriptions)
    if spec.issuers:
        doc["awardingOpportunity"] = _one([{"type": "AwardingOpportunity", "awardingBody": w.organisation(o),
                                            "learningAchievementSpecification": spec.iri} for o in spec.issuers])
    if spec.eqf:
        doc["eqfLevel"] = _one([f"http://data.europa.eu/snb/eqf/{n}" for n in spec.eqf])
    qdr = list(dict.fromkeys(q for q in spec.qdr.values() if q))
    if qdr:
        doc["nqfLevel"] = w.concepts(qdr)
    lost.add("NQF level", [n for n in spec.nqf if not spec.qdr.get(n)], "ELM's NQF level is a concept of the EU "
             "QDR list; the graph links none to this level")
    if spec.isced:
        doc["thematicArea"] = _one(spec.isced)
    if spec.credits:
        doc["creditPoint"] = _one([{"type": "CreditPoint", "framework": w.concepts([c.framework]), "point": c.point}
                                   for c in spec.credits])
    if spec.hours:
        doc["volumeOfLearning"] = spec.hours[0]
        lost.add("volume of learning", spec.hours[1:], "ELM holds one volume of learning")
    if spec.modes:
        doc["mode"] = _one(spec.modes)
    if spec.assessments:
        doc["provenBy"] = _one([_id({"type": "LearningAssessmentSpecification",
                                     **({"title": w.texts(a.titles)} if a.titles else {}),
                                     **({"dcType": w.concepts(a.types)} if a.types else {})}, a.iri)
                                for a in spec.assessments])
    lost.add("identity verification", spec.id_verification, "the LOQ shape of an assessment specification is "
             "closed: no elm:idVerification (EDC puts it on the award's assessment)")
    own = [x for x in (w.accreditation(a) for a in spec.accreditations if not a.of_issuer) if x]
    if own:
        doc["accreditation"] = _one(own)
    if spec.outcomes:
        outcomes = []
        for o in spec.outcomes:
            node: dict[str, Any] = {"type": "LearningOutcome", "title": w.texts(o.titles)}
            lost.add("learning outcome description", o.description, "the LOQ shape of a learning outcome is closed: "
                     "no description")
            esco = [k for k in o.skills if k.startswith(ESCO_SKILL)]
            other = [k for k in o.skills if not k.startswith(ESCO_SKILL)]
            if esco:
                node["relatedESCOSkill"] = w.concepts(esco)
            if other:
                node["relatedSkill"] = w.concepts(other)
            outcomes.append(_id(node, o.iri))
        doc["learningOutcome"] = _one(outcomes)
    lost.add("part of", spec.part_of, "the EDC shapes require the whole to be described in full in the same "
             "document (title, outcomes, levels): export it on its own")
    lost.add("has part", spec.has_part, "the EDC shapes require each part to be described in full in the same "
             "document: export it on its own")
    languages = spec.languages or [LANGUAGE + EU_LANGUAGES[t] for t in dict.fromkeys(
        lang.split("-")[0] for _, lang in spec.titles if lang) if t in EU_LANGUAGES]
    if languages:
        doc["language"] = _one(languages)
    if spec.homepages:
        doc["homepage"] = _one([_page(p) for p in spec.homepages])
    if spec.notes:
        doc["additionalNote"] = _one([w.note(n) for n in spec.notes])
    if spec.entry:
        doc["entryRequirement"] = _one([w.note(n) for n in spec.entry])
    lost.add("class", [t for t in spec.types if not t.startswith(ELM)], "no ELM class for it (a CTDL class kept "
             "as a second type)")
    lost.add("identifier", spec.identifiers, "a bare identifier: ELM's identifier is an elm:Identifier with a scheme")
    return doc, lost


__all__ = ["CONTEXT", "MEDIA_TYPE", "NAME", "export"]
