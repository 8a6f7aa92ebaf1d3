"""What recognition needs to know about one specification, read from a store: its EQF
level(s), workload in ECTS, learning outcomes (skills), assessment and identity
verification, quality assurance, declared stack parts, and the target requirements.

A specification is read from the main store, or from an uploaded document staged in
an in-memory store (validated but never stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from microhe.errors import NotFound
from microhe.ingest.derive import derive
from microhe.kg.bundled import reference_graphs
from microhe.rdf.iri import check_iri
from microhe.recognition.search import ISSUER_PATH
from microhe.store.embedded import Store
from microhe.validation.elements import incomplete_of
from microhe.vocab import CRED, DCTERMS, ELM, MHE

_Q = f"""
PREFIX elm: <{ELM}> PREFIX dcterms: <{DCTERMS}> PREFIX mhe: <{MHE}> PREFIX cred: <{CRED}>
SELECT ?spec ?title ?eqf ?level ?ects ?emin ?emax ?lo ?skill ?assess ?atype ?idv ?acc ?orgacc ?org ?credIssuer ?reqid
       ?reqqa ?part WHERE {{
  {{ ?spec dcterms:title ?title }}
  UNION {{ ?spec mhe:derivedEQFLevel ?eqf }}
  UNION {{ ?spec elm:EQFLevel|elm:NQFLevel ?level }}
  UNION {{ ?spec mhe:derivedECTS ?ects ; mhe:derivedECTSMin ?emin ; mhe:derivedECTSMax ?emax }}
  UNION {{ ?spec elm:learningOutcome ?lo OPTIONAL {{ ?lo elm:relatedESCOSkill|elm:relatedSkill ?skill }} }}
  UNION {{ {{ ?spec elm:provenBy ?assess }} UNION {{ ?assess elm:proves ?spec }}
           UNION {{ ?spec ^elm:specifiedBy/elm:provenBy/elm:specifiedBy ?assess }}
           OPTIONAL {{ ?assess dcterms:type ?atype }} OPTIONAL {{ ?assess elm:idVerification ?idv }} }}
  UNION {{ ?spec ^elm:specifiedBy/elm:provenBy/elm:idVerification ?idv }}
  UNION {{ ?spec elm:idVerification ?idv }}
  UNION {{ ?spec elm:accreditation ?acc }}
  UNION {{ ?spec {ISSUER_PATH} ?org OPTIONAL {{ ?org elm:accreditation ?orgacc }} }}
  UNION {{ ?spec ^elm:specifiedBy/^elm:hasClaim/^cred:credentialSubject/cred:issuer ?credIssuer }}
  UNION {{ ?spec mhe:requiresIdentityVerification ?reqid }}
  UNION {{ ?spec mhe:requiresQualityAssurance ?reqqa }}
  UNION {{ {{ ?spec elm:hasPart ?part }} UNION {{ ?part elm:isPartOf ?spec }} }}
}}"""


class NotFoundError(NotFound):
    """No such specification in the store (or none in a document)."""


@dataclass
class Facts:
    iri: str
    title: str | None = None
    eqf: set[int] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    ects: float | None = None
    ects_min: float | None = None
    ects_max: float | None = None
    outcomes: set[str] = field(default_factory=set)     # outcome nodes
    skills: set[str] = field(default_factory=set)       # their skill concepts
    assessments: set[str] = field(default_factory=set)
    assessment_types: set[str] = field(default_factory=set)
    id_verification: set[str] = field(default_factory=set)
    accreditations: set[str] = field(default_factory=set)
    issuer: str | None = None
    issuer_accreditations: set[str] = field(default_factory=set)
    requires_identity_verification: bool = False
    requires_quality_assurance: bool = False
    parts: set[str] = field(default_factory=set)
    source: str = "store"
    #: the Council elements the specification lacks (``("M9", "M11")``), empty when complete
    incomplete: tuple[str, ...] = ()

    @property
    def required_outcomes(self) -> set[str]:
        """What a target requires: its skills, or its outcome nodes when they name no skill."""
        return self.skills or self.outcomes


def read_facts(store: Store, iri: str, *, source: str = "store") -> Facts:
    check_iri(iri, "specification")  # InvalidIRI (a ValueError) before the store sees it
    f = Facts(iri, source=source)
    found = False
    credential_issuer = None
    for r in store.query(_Q, substitutions={"spec": ox.NamedNode(iri)}):
        found = True
        v = {k: (r[k].value if r[k] is not None else None) for k in
             ("title", "eqf", "level", "ects", "emin", "emax", "lo", "skill", "assess", "atype", "idv", "acc",
              "orgacc", "org", "credIssuer", "reqid", "reqqa", "part")}
        if v["title"] and (f.title is None or getattr(r["title"], "language", None) == "en"):
            f.title = v["title"]
        if v["eqf"]:
            f.eqf.add(int(v["eqf"].rsplit("/", 1)[-1]))
        if v["level"]:
            f.levels.add(v["level"])
        if v["ects"]:
            assert v["emin"] is not None and v["emax"] is not None  # bound with ?ects, in one UNION branch
            f.ects, f.ects_min, f.ects_max = float(v["ects"]), float(v["emin"]), float(v["emax"])
        if v["lo"]:
            f.outcomes.add(v["lo"])
        if v["skill"]:
            f.skills.add(v["skill"])
        if v["assess"]:
            f.assessments.add(v["assess"])
        if v["atype"]:
            f.assessment_types.add(v["atype"])
        if v["idv"]:
            f.id_verification.add(v["idv"])
        if v["acc"]:
            f.accreditations.add(v["acc"])
        if v["org"]:
            f.issuer = v["org"]
        elif v["credIssuer"] and f.issuer is None:
            credential_issuer = v["credIssuer"]
        if v["orgacc"]:
            f.issuer_accreditations.add(v["orgacc"])
        if v["reqid"]:
            f.requires_identity_verification = v["reqid"] in ("true", "1")
        if v["reqqa"]:
            f.requires_quality_assurance = v["reqqa"] in ("true", "1")
        if v["part"]:
            f.parts.add(v["part"])
    if not found:
        raise NotFoundError(f"no specification <{iri}> in the store")
    if f.issuer is None:  # no awarding body: the issuer of the credential that claims it
        f.issuer = credential_issuer
    f.incomplete = incomplete_of(store, iri)
    return f


def facts_from_document(reference: Store, quads: list[ox.Quad], name: str = "upload") -> Facts:
    """Facts of the specification described by an uploaded document (an award's
    specification, or the document's single specification)."""
    staging = Store()
    staging.restore(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    specified = [r["s"].value for r in staging.query(
        f"PREFIX elm: <{ELM}> SELECT DISTINCT ?s WHERE {{ ?a elm:specifiedBy ?s . ?a a elm:LearningAchievement }}")]
    specs = specified or [r["s"].value for r in staging.query(
        f"PREFIX elm: <{ELM}> SELECT DISTINCT ?s WHERE {{ {{ ?s a elm:Qualification }} UNION "
        f"{{ ?s a elm:LearningAchievementSpecification }} FILTER NOT EXISTS {{ ?s elm:isPartOf ?whole }} }} ORDER BY ?s")]
    if not specs:
        raise NotFoundError(f"{name}: no micro-credential specification (elm:Qualification or "
                            "elm:LearningAchievementSpecification) in the document")
    graph = "urn:microhe:upload"
    staging.restore(derive(reference, quads, graph))
    # the bundled reference graphs beside it, as validation sees a document: which Council
    # elements it lacks is judged on the same ground (an NQF level's EQF referencing, a
    # known institution's country)
    staging.restore(q for g in reference_graphs() for q in g.quads())
    return read_facts(staging, specs[0], source=name)
