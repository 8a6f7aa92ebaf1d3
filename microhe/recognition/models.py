"""The typed results of recognition (comparison, pathways, search, decisions), as pydantic
models: what the library functions return, what ``microhe`` prints and what the HTTP API
sends (``response_model``), so that the three share one result and a client can generate
types.

Fields are in the order the JSON has them. :meth:`Answer.to_json` is the JSON as sent: a
field a result has only sometimes (``SearchResults.level``, ``Comparison.credential_validation``)
is left out of it when absent (``exclude_if``), never sent as null. A number whose int/float
type is its own is :data:`~microhe.frameworks.models.Number`, so the JSON keeps it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from microhe.frameworks.models import Number


def _absent(value: Any) -> bool:
    return value is None


class Answer(BaseModel):
    """A result of the library that is also an answer of the API."""

    def to_json(self) -> dict[str, Any]:
        """The JSON as the API sends it (and ``--format json`` prints it)."""
        return self.model_dump(mode="json", by_alias=True)


# -- comparison -----------------------------------------------------------------------------


class Side(BaseModel):
    """One side of a comparison: where its facts came from."""

    iri: str
    title: str | None
    source: str = Field(description="store, upload or requirements (or a file name, from the command line)")
    incomplete: list[str] | None = Field(
        None, exclude_if=_absent,
        description="The Council 2022 elements (M2-M11) the record lacks; left out when it has them all")


# Each criterion's evidence, one model per case of :func:`microhe.recognition.compare.compare`
# (the keys, and their order, differ between its cases).


class LevelEvidence(BaseModel):
    """Both sides resolve to EQF: the levels compared."""

    credential_eqf: list[int]
    credential_levels: list[str] = Field(description="The credential's stated EQF/NQF level IRIs")
    target_eqf: list[int]
    target_levels: list[str] = Field(description="The target's stated EQF/NQF level IRIs")


class LevelsStated(BaseModel):
    """A side states no level that resolves to EQF: the levels each states."""

    credential_levels: list[str]
    target_levels: list[str]


class NoEvidence(BaseModel):
    """Nothing was compared (the detail says which side is silent): ``{}``."""

    model_config = ConfigDict(extra="forbid")


class EctsRange(BaseModel):
    value: Number = Field(description="ECTS by the credit points (or the notional hours when no points are stated)")
    min: Number = Field(description="ECTS by notional hours, low end")
    max: Number = Field(description="ECTS by notional hours, high end")


class WorkloadEvidence(BaseModel):
    credential_ects: EctsRange
    target_ects: Number
    ratio: float = Field(description="credential ECTS / target ECTS, 3 decimals")


class OutcomesEvidence(BaseModel):
    covered: list[str] = Field(description="Required outcomes matched by the same concept or a narrower one")
    missing: list[str]
    credential_outcomes: list[str] = Field(description="The credential's skill concepts (else its outcome nodes)")
    coverage: float = Field(description="covered / required, 3 decimals")


class AssessmentStated(BaseModel):
    """Identity verification not required: what the credential states anyway."""

    assessment_types: list[str]
    id_verification: list[str]


class AssessmentTypes(BaseModel):
    """Identity verification required and the credential does not say: its assessment types."""

    assessment_types: list[str]


class IdentityVerification(BaseModel):
    """Identity verification required and stated: the statements the verdict rests on."""

    id_verification: list[str]
    assessment_types: list[str]


class Accreditations(BaseModel):
    """Quality assurance not required: the accreditations anyway."""

    accreditations: list[str] = Field(description="Of the credential and of its awarding body")


class QualityAssurance(BaseModel):
    """Quality assurance required: the accreditations found and the awarding body looked at."""

    accreditations: list[str] = Field(description="Of the credential and of its awarding body")
    issuer: str | None = Field(description="The awarding body (None: the credential names none)")


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
    evidence: NoEvidence


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
    status: Literal["missing", "assured"]
    substantial: bool
    evidence: QualityAssurance


def criterion_case(value: Any) -> str:
    """The case of a criterion (a model or its JSON): ``name:unknown``, ``name:not-required``
    or ``name:compared`` (every other status)."""
    name, status = (value.get("name"), value.get("status")) if isinstance(value, dict) else (value.name, value.status)
    return f"{name}:{status if status in ('unknown', 'not-required') else 'compared'}"


#: One criterion, by its name and case (status).
Criterion = Annotated[
    Annotated[LevelCompared, Tag("level:compared")] | Annotated[LevelUnknown, Tag("level:unknown")]
    | Annotated[WorkloadCompared, Tag("workload:compared")] | Annotated[WorkloadUnknown, Tag("workload:unknown")]
    | Annotated[OutcomesCompared, Tag("learning-outcomes:compared")]
    | Annotated[OutcomesUnknown, Tag("learning-outcomes:unknown")]
    | Annotated[AssessmentNotRequired, Tag("assessment:not-required")]
    | Annotated[AssessmentUnknown, Tag("assessment:unknown")]
    | Annotated[AssessmentCompared, Tag("assessment:compared")]
    | Annotated[QualityNotRequired, Tag("quality-assurance:not-required")]
    | Annotated[QualityCompared, Tag("quality-assurance:compared")],
    Discriminator(criterion_case)]


#: What a comparison recommends (and a recorded decision's outcome).
RecommendedOutcome = Literal["recognise", "recognise-partially", "substantial-differences", "needs-information"]


class Recommendation(BaseModel):
    outcome: RecommendedOutcome
    credited_ects: Number | None = Field(description="ECTS to credit (recognise, recognise-partially)")
    reasons: list[str]


class RulesUsed(BaseModel):
    workload_ratio: float
    outcome_coverage: float


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
    title: str
    ects: Number
    eqf: list[int]


class PathwayTarget(BaseModel):
    iri: str
    title: str | None
    eqf: list[int]
    ects: Number | None
    required_outcomes: list[str]


class Pathway(BaseModel):
    credentials: list[CredentialBrief]
    total_ects: Number
    excess_ects: Number = Field(description="ECTS beyond the target's workload")
    covered: list[str]
    missing: list[str]


class DeclaredStack(BaseModel):
    parts: list[str] = Field(description="Parts declared with elm:hasPart / elm:isPartOf, transitively")
    cycles: list[list[str]] = Field(description="Cycles found in the declared part-of graph")


class NoSolution(BaseModel):
    covered: list[str]
    missing: list[str]
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
    title: str
    issuer: str | None
    issuer_name: str | None
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
    framework: str
    level: str
    eqf: list[int]


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

    iri: str
    credential: str
    issuer: str | None = Field(description="The credential's awarding body, when the store knows it")
    institution: str
    purpose: str = Field(description="access, credit-transfer or full-recognition")
    outcome: str = Field(description="recognise, recognise-partially, substantial-differences or needs-information")
    credited_ects: float | None
    time: str = Field(description="When it was recorded (xsd:dateTime)")
    decided_by: str = Field(description="The name of the write token that recorded it")


class DecisionRecorded(Answer):
    iri: str = Field(description="The new decision's IRI")
    decided_by: str


__all__ = ["Answer", "Side", "LevelEvidence", "LevelsStated", "NoEvidence", "EctsRange", "WorkloadEvidence",
           "OutcomesEvidence", "AssessmentStated", "AssessmentTypes", "IdentityVerification", "Accreditations",
           "QualityAssurance", "CriterionResult", "LevelCompared", "LevelUnknown", "WorkloadCompared",
           "WorkloadUnknown", "OutcomesCompared", "OutcomesUnknown", "AssessmentNotRequired", "AssessmentUnknown",
           "AssessmentCompared", "QualityNotRequired", "QualityCompared", "Criterion", "criterion_case",
           "RecommendedOutcome", "Recommendation", "RulesUsed", "ValidationSummary", "Comparison",
           "CredentialBrief", "PathwayTarget", "Pathway", "DeclaredStack", "NoSolution", "Pathways", "SearchHit",
           "SearchLevel", "Facets", "SearchResults", "Decision", "DecisionRecorded"]
