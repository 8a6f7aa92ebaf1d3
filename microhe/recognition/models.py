"""The shapes of what recognition answers (comparison, pathways, search, decisions), as
pydantic models.

The library functions return plain dicts (JSON as it is sent); these models describe
those dicts field by field, in their key order, so that the HTTP API documents and checks
them (``response_model``) and a client can generate types. Fields a dict has only
sometimes (``SearchResults.level``, ``Comparison.credential_validation``) are optional and
left out of the JSON when absent (the routes serialise with ``exclude_unset``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from microhe.frameworks.models import Number

# -- comparison -----------------------------------------------------------------------------


class Side(BaseModel):
    """One side of a comparison: where its facts came from."""

    iri: str
    title: str | None
    source: str = Field(description="store, upload or requirements")
    incomplete: list[str] | None = Field(
        None, description="The Council 2022 elements (M2-M11) the record lacks; left out when it has them all")


class Criterion(BaseModel):
    """One criterion of the substantial-difference comparison."""

    name: Literal["level", "workload", "learning-outcomes", "assessment", "quality-assurance"]
    status: str = Field(description="meets, below, short, partial, none, covered, verified, unverified, "
                                    "not-required, missing, assured or unknown")
    substantial: bool | None = Field(description="A substantial difference (None: unknown, never a pass)")
    detail: str
    evidence: dict[str, Any] = Field(description="The figures the verdict rests on (keys depend on the criterion)")


class Recommendation(BaseModel):
    outcome: Literal["recognise", "recognise-partially", "substantial-differences", "needs-information"]
    credited_ects: Number | None = Field(description="ECTS to credit (recognise, recognise-partially)")
    reasons: list[str]


class RulesUsed(BaseModel):
    workload_ratio: float
    outcome_coverage: float


class Comparison(BaseModel):
    """A micro-credential compared with a target, criterion by criterion, with a recommendation."""

    credential: Side
    target: Side
    criteria: list[Criterion]
    recommendation: Recommendation
    rules: RulesUsed
    credential_validation: dict[str, Any] | None = Field(
        None, description="The SHACL report of an uploaded document (only when one was sent)")


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


class Pathways(BaseModel):
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
        None, description="The Council 2022 elements (M2-M11) the record lacks, e.g. [\"M9\", \"M11\"] "
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


class SearchResults(BaseModel):
    """A page of matching specifications (stable order) with facet counts."""

    total: int = Field(description="Matches in all")
    offset: int
    limit: int
    results: list[SearchHit]
    level: SearchLevel | None = Field(None, description="The framework level searched for (only with framework+level)")
    facets: Facets | None = Field(None, description="Facet counts (left out with facets=false)")


# -- decisions ------------------------------------------------------------------------------


class Decision(BaseModel):
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


class DecisionRecorded(BaseModel):
    iri: str = Field(description="The new decision's IRI")
    decided_by: str


__all__ = ["Side", "Criterion", "Recommendation", "RulesUsed", "Comparison", "CredentialBrief", "PathwayTarget",
           "Pathway", "DeclaredStack", "NoSolution", "Pathways", "SearchHit", "SearchLevel", "Facets",
           "SearchResults", "Decision", "DecisionRecorded"]
