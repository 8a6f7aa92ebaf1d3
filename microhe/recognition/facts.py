"""What recognition needs to know about one specification, read from a store: its EQF
level(s) (and, for a module stating none, its programme's), workload in ECTS, learning
outcomes (skills), assessment and identity verification, quality assurance, declared stack
parts, and the target requirements.

The workload is read through :func:`microhe.frameworks.credits.convert` from the credit
points as stated (ECTS first, then the other systems in IRI order; a system without hours,
ECVET, only when nothing else is stated) or else from the volume of learning in hours,
with the fixed hours per ECTS of the issuer's country when it has one (Italy 25 h, ...):
so the comparison reports the rule (basis, disputed) and the hours-based range beside the
value, as ``microhe credits`` does.

A specification is read from the main store, or from an uploaded document staged in
an in-memory store (validated but never stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from microhe.errors import NotFound
from microhe.frameworks.credits import CreditError, convert
from microhe.frameworks.models import CreditConversion
from microhe.ingest.derive import derive, duration_hours
from microhe.kg.bundled import reference_graphs
from microhe.rdf.iri import check_iri
from microhe.recognition.search import ISSUER_PATH
from microhe.store.embedded import Store
from microhe.validation.elements import incomplete_of
from microhe.vocab import CRED, DCTERMS, ELM, MHE

_Q = f"""
PREFIX elm: <{ELM}> PREFIX dcterms: <{DCTERMS}> PREFIX mhe: <{MHE}> PREFIX cred: <{CRED}>
SELECT ?spec ?title ?eqf ?level ?fw ?point ?vol ?lo ?skill ?assess ?atype ?idv ?acc ?orgacc ?org ?country
       ?credIssuer ?reqid ?reqqa ?part ?whole ?wholeeqf WHERE {{
  {{ ?spec dcterms:title ?title }}
  UNION {{ ?spec mhe:derivedEQFLevel ?eqf }}
  UNION {{ ?spec elm:EQFLevel|elm:NQFLevel ?level }}
  UNION {{ ?spec elm:creditPoint ?cp . ?cp elm:framework ?fw ; elm:point ?point }}
  UNION {{ ?spec elm:volumeOfLearning ?vol }}
  UNION {{ {{ ?spec elm:isPartOf ?whole }} UNION {{ ?whole elm:hasPart ?spec }}
           OPTIONAL {{ ?whole mhe:derivedEQFLevel ?wholeeqf }} }}
  UNION {{ ?spec elm:learningOutcome ?lo OPTIONAL {{ ?lo elm:relatedESCOSkill|elm:relatedSkill ?skill }} }}
  UNION {{ {{ ?spec elm:provenBy ?assess }} UNION {{ ?assess elm:proves ?spec }}
           UNION {{ ?spec ^elm:specifiedBy/elm:provenBy/elm:specifiedBy ?assess }}
           OPTIONAL {{ ?assess dcterms:type ?atype }} OPTIONAL {{ ?assess elm:idVerification ?idv }} }}
  UNION {{ ?spec ^elm:specifiedBy/elm:provenBy/elm:idVerification ?idv }}
  UNION {{ ?spec elm:idVerification ?idv }}
  UNION {{ ?spec elm:accreditation ?acc }}
  UNION {{ ?spec {ISSUER_PATH} ?org OPTIONAL {{ ?org elm:accreditation ?orgacc }}
           OPTIONAL {{ ?org elm:location/elm:address/elm:countryCode ?country }} }}
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
    ects: float | None = None      # the ECTS compared: credits.ects.value (None: no rule gives one)
    ects_min: float | None = None  # credits.by_hours (None: no hours)
    ects_max: float | None = None
    #: the conversion of the stated credits (or hours) the ECTS come from; None: none stated
    credits: CreditConversion | None = None
    country: str | None = None     # the issuer's country (ISO3)
    #: the EQF levels of the programme(s) it is part of (elm:isPartOf / elm:hasPart)
    programme_eqf: set[int] = field(default_factory=set)
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


_Q_ONE = _Q.replace("SELECT ?spec ", "SELECT ", 1)  # the query of one specification (read_facts)


def read_facts(store: Store, iri: str, *, source: str = "store") -> Facts:
    check_iri(iri, "specification")  # InvalidIRI (a ValueError) before the store sees it
    f = Facts(iri, source=source)
    found = False
    credential_issuer = None
    credits: list[tuple[str, str]] = []
    hours: float | None = None
    # the IRI written into the query (a NamedNode, so checked and escaped as an IRIREF) rather
    # than substituted: bound by substitution or VALUES, pyoxigraph 0.5 evaluates the UNION's
    # branches for every specification first (1.8 s at 10^5 credentials; 10 ms so)
    for r in store.query(_Q_ONE.replace("?spec", str(ox.NamedNode(iri)))):
        found = True
        v = {k: (r[k].value if r[k] is not None else None) for k in
             ("title", "eqf", "level", "fw", "point", "vol", "lo", "skill", "assess", "atype", "idv", "acc",
              "orgacc", "org", "country", "credIssuer", "reqid", "reqqa", "part", "wholeeqf")}
        if v["title"] and (f.title is None or getattr(r["title"], "language", None) == "en"):
            f.title = v["title"]
        if v["eqf"]:
            f.eqf.add(int(v["eqf"].rsplit("/", 1)[-1]))
        if v["level"]:
            f.levels.add(v["level"])
        if v["fw"] and v["point"] is not None and (v["fw"], v["point"]) not in credits:
            credits.append((v["fw"], v["point"]))
        if v["vol"]:
            hours = duration_hours(v["vol"])
        if v["wholeeqf"]:
            f.programme_eqf.add(int(v["wholeeqf"].rsplit("/", 1)[-1]))
        if v["country"]:
            f.country = v["country"].rsplit("/", 1)[-1]
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
    f.credits = workload(store, credits, hours, f.country)
    if f.credits is not None:
        f.ects = None if f.credits.by_hours is None else _float(f.credits.ects.value)
        if f.credits.by_hours is not None:
            f.ects_min, f.ects_max = float(f.credits.by_hours.min), float(f.credits.by_hours.max)
    f.incomplete = incomplete_of(store, iri)
    return f


def _float(x) -> float | None:
    return None if x is None else float(x)


def workload(store: Store, credits: list[tuple[str, str]], hours: float | None,
             country: str | None) -> CreditConversion | None:
    """The conversion the comparison uses: the first stated credits (ECTS first) whose system
    defines hours (so the value has a range beside it), else the volume of learning in hours,
    else credits of a system without hours (ECVET: reported, never compared), else None.
    ``country`` (the issuer's) brings its fixed hours per ECTS where it has them."""
    without_hours = None
    for system, point in sorted(credits, key=lambda c: (not c[0].endswith("6fcec5c5af"), c)):
        try:
            doc = convert(store, point, system, country)
        except CreditError:
            try:  # a country the reference data cannot read must not hide the credits
                doc = convert(store, point, system)
            except CreditError:
                continue
        if doc.by_hours is not None and doc.ects.value is not None:
            return doc
        without_hours = without_hours or doc
    if hours:
        try:
            return convert(store, hours, "HOURS", country)
        except CreditError:
            return convert(store, hours, "HOURS")
    return without_hours


def facts_from_document(reference: Store, quads: list[ox.Quad], name: str = "upload") -> Facts:
    """Facts of the specification described by an uploaded document (an award's
    specification, or the document's single specification)."""
    staging = Store(log_changes=False)  # thrown away: its writes need no change log
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
