"""The typed results of recognition (comparison, pathways, search, decisions), as pydantic
models: what the library functions return, what ``microhe`` prints and what the HTTP API
sends (``response_model``), so that the three share one result and a client can generate
types.

A thing the answer names (a skill, institution, level, credit system, specification) is a
:class:`~microhe.store.labels.Ref` ``{iri, label, lang}``, its label in the language asked
for (else English, else any), never a bare IRI.

Fields are in the order the JSON has them. :meth:`Answer.to_json` is the JSON as sent: a
field a result has only sometimes (``SearchResults.level``, ``Comparison.credential_validation``)
is left out of it when absent (``exclude_if``), never sent as null. A number whose int/float
type is its own is :data:`~microhe.frameworks.models.Number`, so the JSON keeps it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from microhe.frameworks.models import Number
from microhe.store.labels import Ref


def _absent(value: Any) -> bool:
    return value is None


class Answer(BaseModel):
    """A result of the library that is also an answer of the API."""

    def to_json(self) -> dict[str, Any]:
        """The JSON as the API sends it (and ``--format json`` prints it)."""
        return self.model_dump(mode="json", by_alias=True)


# -- comparison -----------------------------------------------------------------------------


class Side(BaseModel):
    """One side of a comparison: what it is (its title as label) and where its facts came from."""

    iri: str
    label: str | None = Field(description="Its title in the language asked for (None: it has none)")
    lang: str | None
    source: str = Field(description="store, upload or requirements (or a file name, from the command line)")
    incomplete: list[str] | None = Field(
        None, exclude_if=_absent,
        description="The Council 2022 elements (M2-M11) the record lacks; left out when it has them all")


# Each criterion's evidence, one model per case of :func:`microhe.recognition.compare.compare`
# (the keys, and their order, differ between its cases).


class LevelEvidence(BaseModel):
    """Both sides resolve to EQF: the levels compared."""

    credential_eqf: list[int]
    credential_levels: list[Ref] = Field(description="The credential's stated EQF/NQF levels")
    target_eqf: list[int] = Field(description="The target's EQF levels (its programme's when target_level_from "
                                              "is 'programme')")
    target_levels: list[Ref] = Field(description="The target's stated EQF/NQF levels")
    target_level_from: Literal["module", "programme"] = Field(
        "module", description="module: the target's own level; programme: it states none, its programme's is used")


class LevelsStated(BaseModel):
    """A side states no level that resolves to EQF: the levels each states."""

    credential_levels: list[Ref]
    target_levels: list[Ref]


class NoEvidence(BaseModel):
    """Nothing was compared (the detail says which side is silent): ``{}``."""

    model_config = ConfigDict(extra="forbid")


class EctsByHours(BaseModel):
    min: Number = Field(description="ECTS by notional hours, low end")
    max: Number = Field(description="ECTS by notional hours, high end")


class CreditsStated(BaseModel):
    """The credits a side states and what :func:`microhe.frameworks.credits.convert` makes of
    them: the system's value (with its basis, and whether the rule is disputed) and, beside
    it, the range notional hours give (None for a system without hours: ECVET)."""

    amount: Number = Field(description="The amount stated (hours for a volume of learning)")
    system: str = Field(description="Credit system code (ECTS, UK, SCQF, US-SCH, US-QCH, ECVET, HOURS)")
    credit_system: Ref | None = Field(description="The credit system (None: ECTS stated as a number, not read "
                                                  "from credit points)")
    ects: Number | None = Field(description="ECTS by the system's rule (None: no rule gives one)")
    basis: str = Field(description="identity, convention, notional-hours or none")
    disputed: bool = Field(description="The rule is disputed, not official (US credits, ECVET)")
    by_hours: EctsByHours | None = Field(description="ECTS by notional hours (None: the system defines no hours)")
    country: str | None = Field(description="The issuer's country whose fixed hours per ECTS were used (ISO3)")


class WorkloadEvidence(BaseModel):
    credential_ects: Number = Field(description="The ECTS compared: the value of credential_credits")
    credential_credits: CreditsStated
    target_ects: Number
    ratio: float = Field(description="credential ECTS / target ECTS, 3 decimals")


class WorkloadStated(BaseModel):
    """The workload could not be compared: what the credential states, if anything."""

    credential_credits: CreditsStated | None


class OutcomesEvidence(BaseModel):
    covered: list[Ref] = Field(description="Required outcomes matched by the same concept or a narrower one")
    missing: list[Ref]
    credential_outcomes: list[Ref] = Field(description="The credential's skill concepts (else its outcome nodes)")
    coverage: float = Field(description="covered / required, 3 decimals")


class AssessmentStated(BaseModel):
    """Identity verification not required: what the credential states anyway."""

    assessment_types: list[Ref]
    id_verification: list[Ref]


class AssessmentTypes(BaseModel):
    """Identity verification required and the credential does not say: its assessment types."""

    assessment_types: list[Ref]


class IdentityVerification(BaseModel):
    """Identity verification required and stated: the statements the verdict rests on."""

    id_verification: list[Ref]
    assessment_types: list[Ref]


class Accreditations(BaseModel):
    """Quality assurance not required: the accreditations anyway."""

    accreditations: list[Ref] = Field(description="Of the credential and of its awarding body")


class QualityAssurance(BaseModel):
    """Quality assurance required: the accreditations found and the awarding body looked at."""

    accreditations: list[Ref] = Field(description="Of the credential and of its awarding body")
    issuer: Ref | None = Field(description="The awarding body (None: the credential names none)")


class CriterionResult(BaseModel):
    """One criterion of the substantial-difference comparison (the base of its cases)."""

    name: str
    status: str
    substantial: bool | None = Field(description="A substantial difference (None: unknown, never a pass)")
    detail: str = Field(description="The verdict in words")
    evidence: BaseModel = Field(description="The figures the verdict rests on")


class LevelCompared(CriterionResult):
    name: Literal["level"]
    status: Literal["meets", "below"]
    substantial: bool
    evidence: LevelEvidence


class LevelCheckModule(CriterionResult):
    """The target states no level of its own and the credential is below its programme's:
    the module's own level decides (modules inside an EQF 6 degree often sit lower)."""

    name: Literal["level"]
    status: Literal["check-module-level"]
    substantial: None
    evidence: LevelEvidence


class LevelUnknown(CriterionResult):
    name: Literal["level"]
    status: Literal["unknown"]
    substantial: None
    evidence: LevelsStated


class WorkloadCompared(CriterionResult):
    name: Literal["workload"]
    status: Literal["meets", "short"]
    substantial: bool
    evidence: WorkloadEvidence


class WorkloadUnknown(CriterionResult):
    name: Literal["workload"]
    status: Literal["unknown"]
    substantial: None
    evidence: WorkloadStated


class OutcomesCompared(CriterionResult):
    name: Literal["learning-outcomes"]
    status: Literal["covered", "partial", "none"]
    substantial: bool
    evidence: OutcomesEvidence


class OutcomesUnknown(CriterionResult):
    name: Literal["learning-outcomes"]
    status: Literal["unknown"]
    substantial: None
    evidence: NoEvidence


class AssessmentNotRequired(CriterionResult):
    name: Literal["assessment"]
    status: Literal["not-required"]
    substantial: Literal[False]
    evidence: AssessmentStated


class AssessmentUnknown(CriterionResult):
    name: Literal["assessment"]
    status: Literal["unknown"]
    substantial: None
    evidence: AssessmentTypes


class AssessmentCompared(CriterionResult):
    name: Literal["assessment"]
    status: Literal["verified", "unverified"]
    substantial: bool
    evidence: IdentityVerification


class QualityNotRequired(CriterionResult):
    name: Literal["quality-assurance"]
    status: Literal["not-required"]
    substantial: Literal[False]
    evidence: Accreditations


class QualityCompared(CriterionResult):
    name: Literal["quality-assurance"]
    status: Literal["assured"]
    substantial: Literal[False]
    evidence: QualityAssurance


class QualityUnknown(CriterionResult):
    """The target requires quality assurance and the credential states none (Council
    element M11): the recogniser must ask, not presume a difference."""

    name: Literal["quality-assurance"]
    status: Literal["unknown"]
    substantial: None
    evidence: QualityAssurance


def criterion_case(value: Any) -> str:
    """The case of a criterion (a model or its JSON): ``name:unknown``, ``name:not-required``
    or ``name:compared`` (every other status)."""
    name, status = (value.get("name"), value.get("status")) if isinstance(value, dict) else (value.name, value.status)
    return f"{name}:{status if status in ('unknown', 'not-required', 'check-module-level') else 'compared'}"


#: One criterion, by its name and case (status).
Criterion = Annotated[
    Annotated[LevelCompared, Tag("level:compared")] | Annotated[LevelUnknown, Tag("level:unknown")]
    | Annotated[LevelCheckModule, Tag("level:check-module-level")]
    | Annotated[WorkloadCompared, Tag("workload:compared")] | Annotated[WorkloadUnknown, Tag("workload:unknown")]
    | Annotated[OutcomesCompared, Tag("learning-outcomes:compared")]
    | Annotated[OutcomesUnknown, Tag("learning-outcomes:unknown")]
    | Annotated[AssessmentNotRequired, Tag("assessment:not-required")]
    | Annotated[AssessmentUnknown, Tag("assessment:unknown")]
    | Annotated[AssessmentCompared, Tag("assessment:compared")]
    | Annotated[QualityNotRequired, Tag("quality-assurance:not-required")]
    | Annotated[QualityCompared, Tag("quality-assurance:compared")]
    | Annotated[QualityUnknown, Tag("quality-assurance:unknown")],
    Discriminator(criterion_case)]


#: What a comparison recommends (and a recorded decision's outcome).
RecommendedOutcome = Literal["recognise", "recognise-partially", "substantial-differences", "needs-information"]


class CreditTransfer(BaseModel):
    """The ECTS the credential carries, at most what the target allows:
    ``ects = min(credential_ects, allowed_ects)``."""

    ects: Number
    credential_ects: Number = Field(description="The ECTS the credential carries (its credits' value)")
    allowed_ects: Number = Field(description="What the target allows: its ECTS (recognise), its ECTS x outcome "
                                             "coverage (recognise-partially), 2 decimals")


class Exemption(BaseModel):
    """The target module waived (only when nothing is substantially different)."""

    module: Ref
    ects: Number | None = Field(description="The target module's ECTS")


#: What a caveat is about.
CaveatKind = Literal["eqf-candidates", "referencing", "level-concept", "programme-level", "credit-rule",
                     "credit-convention"]


class Caveat(BaseModel):
    """An ambiguity the answer rests on, said where a recogniser will read it."""

    kind: CaveatKind = Field(description="eqf-candidates (a level referenced to several EQF levels), referencing "
                                         "(not a stated referencing: inferred, uncertain, disputed), level-concept "
                                         "(a QDR concept standing for several levels or one candidate), "
                                         "programme-level (the target's level is its programme's), credit-rule (a "
                                         "disputed or missing credit conversion), credit-convention (the "
                                         "conventional ECTS value lies outside what notional hours give)")
    criterion: str = Field(description="The criterion it bears on (level, workload)")
    text: str


class Recommendation(BaseModel):
    outcome: RecommendedOutcome
    credit_transfer: CreditTransfer | None = Field(
        description="ECTS the credential carries, at most what the target allows (recognise, recognise-partially)")
    exemption: Exemption | None = Field(description="The target module waived (recognise only)")
    missing: list[str] = Field(
        description="Council 2022 elements the credential lacks that block a decision (M6-M10; M11 when the "
                    "target requires quality assurance)")
    reasons: list[str]


class RulesUsed(BaseModel):
    workload_ratio: float
    outcome_coverage: float
    strict_level: bool = Field(description="A target's programme level is taken as the module's own")


class ValidationSummary(BaseModel):
    """How a document side fared against the default SHACL profiles (the full report:
    ``microhe validate`` or the Graph Store's 422)."""

    conforms: bool
    violations: int = Field(description="Number of violations")
    warnings: int = Field(description="Number of warnings")


class Comparison(Answer):
    """A micro-credential compared with a target, criterion by criterion, with a recommendation."""

    credential: Side
    target: Side
    criteria: list[Criterion]
    recommendation: Recommendation
    caveats: list[Caveat] = Field(description="Every ambiguity the comparison rests on")
    rules: RulesUsed
    credential_validation: ValidationSummary | None = Field(
        default=None, exclude_if=_absent,
        description="The validation of an uploaded credential document (only when one was sent; never null)")
    target_validation: ValidationSummary | None = Field(
        default=None, exclude_if=_absent,
        description="The validation of a target document (only when the target was a file: the command line; "
                    "the API's target is in the store or requirements; never null)")


# -- pathways -------------------------------------------------------------------------------


class CredentialBrief(BaseModel):
    iri: str
    label: str | None = Field(description="Its title in the language asked for")
    lang: str | None
    ects: Number
    eqf: list[int]


class PathwayTarget(BaseModel):
    iri: str
    label: str | None = Field(description="Its title in the language asked for (None: it has none)")
    lang: str | None
    eqf: list[int]
    ects: Number | None
    required_outcomes: list[Ref]


class Pathway(BaseModel):
    credentials: list[CredentialBrief]
    total_ects: Number
    excess_ects: Number = Field(description="ECTS beyond the target's workload")
    covered: list[Ref]
    missing: list[Ref]


class DeclaredStack(BaseModel):
    parts: list[Ref] = Field(description="Parts declared with elm:hasPart / elm:isPartOf, transitively")
    cycles: list[list[Ref]] = Field(description="Cycles found in the declared part-of graph")


class NoSolution(BaseModel):
    covered: list[Ref]
    missing: list[Ref]
    reason: str


class Pathways(Answer):
    """Ranked combinations of micro-credentials that stack to a target."""

    target: PathwayTarget
    pathways: list[Pathway]
    declared_stack: DeclaredStack
    candidates_considered: int
    candidates_combined: int
    no_solution: NoSolution | None = Field(description="Why nothing was found (None when pathways were found)")


# -- search ---------------------------------------------------------------------------------


class SearchHit(BaseModel):
    iri: str
    label: str | None = Field(description="Its title in the language asked for")
    lang: str | None
    issuer: Ref | None = Field(description="The awarding body, with its name")
    country: str | None = Field(description="Issuer country, ISO 3166-1 alpha-3")
    eqf: list[int]
    ects: Number | None
    ects_range: list[Number] | None = Field(description="[min, max] ECTS by notional hours")
    modes: list[str]
    fields: list[str] = Field(description="ISCED-F codes")
    incomplete: list[str] | None = Field(
        None, exclude_if=_absent, description="The Council 2022 elements (M2-M11) the record lacks, e.g. [\"M9\", \"M11\"] "
                          "(loaded with a lighter profile); left out when it has them all")


class SearchLevel(BaseModel):
    framework: str = Field(description="Framework code")
    level: str = Field(description="Level label(s) within the framework")
    eqf: list[int]
    levels: list[Ref] = Field(description="The level(s) searched for (a QDR concept may stand for several)")


class Facets(BaseModel):
    """Counts over all matches (not only the page), per value."""

    eqf: dict[str, int]
    country: dict[str, int]
    field: dict[str, int]
    mode: dict[str, int]
    ects: dict[str, int] = Field(description="Counts per ECTS band")


class SearchResults(Answer):
    """A page of matching specifications (stable order) with facet counts."""

    total: int = Field(description="Matches in all")
    offset: int
    limit: int
    results: list[SearchHit]
    level: SearchLevel | None = Field(
        default=None, exclude_if=_absent,
        description="The framework level searched for (only with framework+level; never null)")
    facets: Facets | None = Field(
        default=None, exclude_if=_absent, description="Facet counts (left out with facets=false; never null)")


# -- decisions ------------------------------------------------------------------------------


class Decision(Answer):
    """A recorded recognition decision."""

    iri: str = Field(description="The decision's own IRI")
    credential: Ref
    issuer: Ref | None = Field(description="The credential's awarding body, when the store knows it")
    institution: Ref
    purpose: str = Field(description="access, credit-transfer or full-recognition")
    outcome: str = Field(description="recognise, recognise-partially, substantial-differences or needs-information")
    credited_ects: float | None
    time: str = Field(description="When it was recorded (xsd:dateTime)")
    decided_by: str = Field(description="The name of the write token that recorded it")


class DecisionRecorded(Answer):
    iri: str = Field(description="The new decision's IRI")
    decided_by: str


__all__ = ["Answer", "Side", "LevelEvidence", "LevelsStated", "NoEvidence", "EctsByHours", "CreditsStated",
           "WorkloadEvidence", "WorkloadStated", "LevelCheckModule", "QualityUnknown", "Ref", "CreditTransfer",
           "Exemption", "CaveatKind", "Caveat",
           "OutcomesEvidence", "AssessmentStated", "AssessmentTypes", "IdentityVerification", "Accreditations",
           "QualityAssurance", "CriterionResult", "LevelCompared", "LevelUnknown", "WorkloadCompared",
           "WorkloadUnknown", "OutcomesCompared", "OutcomesUnknown", "AssessmentNotRequired", "AssessmentUnknown",
           "AssessmentCompared", "QualityNotRequired", "QualityCompared", "Criterion", "criterion_case",
           "RecommendedOutcome", "Recommendation", "RulesUsed", "ValidationSummary", "Comparison",
           "CredentialBrief", "PathwayTarget", "Pathway", "DeclaredStack", "NoSolution", "Pathways", "SearchHit",
           "SearchLevel", "Facets", "SearchResults", "Decision", "DecisionRecorded"]
