"""Cross-framework recognition over HTTP: level translation, credit conversion,
comparison, pathways, faceted search and recognition decisions. Each route calls the
same library function as the CLI command of the same name. Library refusals are
answered by their category (:mod:`microhe.api.errors`), not here."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from microhe.api.auth import require_writer
from microhe.api.deps import SettingsDep, StoreDep, contexts_of
from microhe.api.errors import WRITE, InvalidOrAmbiguous, UnknownTerm, error_responses
from microhe.api.http.language import LangDep, say_language
from microhe.api.http.paging import page_links
from microhe.frameworks.credits import convert
from microhe.frameworks.levels import translate
from microhe.frameworks.models import CreditConversion, LevelTranslation
from microhe.ingest.load import Source
from microhe.rdf import formats
from microhe.recognition.compare import Rules
from microhe.recognition.decisions import list_decisions, record_decision
from microhe.recognition.models import Comparison, Decision, DecisionRecorded, Pathways, SearchResults
from microhe.recognition.pathways import pathways
from microhe.recognition.search import search
from microhe.recognition.search_query import SearchQuery
from microhe.recognition.sides import compare_sides, resolve_side

router = APIRouter(tags=["recognition"])


@router.get("/api/recognition/level", summary="Translate a framework level into EQF and other frameworks",
            response_model=LevelTranslation,
            responses=error_responses(404, 422, models={404: UnknownTerm, 422: InvalidOrAmbiguous},
                                      d404="Unknown framework or level",
                                      d422="Ambiguous input (the candidates are listed) or a bad value"))
def level(store: StoreDep, response: Response, langs: LangDep,
          level: Annotated[str, Query(description="The level as credentials write it: 6, Level 6, Entry 3, 4+, "
                                                  "'FQF Level 6', 'SCQF 10', or a level IRI (microhe, EQF or EU QDR)")],
          framework: Annotated[str | None, Query(description="Framework code or short form, e.g. SCQF, LTQF "
                                                             "(omit when the level names it)")] = None,
          to: Annotated[str | None, Query(description="Only levels of this framework")] = None,
          country: Annotated[str | None, Query(description="ISO 3166-1 alpha-3 country of the credential, to tell "
                                                           "apart frameworks sharing a name")] = None) -> LevelTranslation:
    """A level of a qualifications framework in EQF terms, with the levels of other frameworks at
    the same EQF level (``same_eqf_level``: broadly comparable level, not equivalence), the
    pairings a referencing documents (``closest``) and the evidence (confidence, sources, notes).
    404 with the valid codes or labels when the framework or level is unknown; 422 with the
    candidates when the input is ambiguous. Levels are labelled in the language asked for
    (``lang``, else ``Accept-Language``; ``Content-Language`` says which)."""
    result = translate(store, framework, level, to, country, langs)
    say_language(response, result, langs)
    return result


@router.get("/api/recognition/credits", summary="Convert credits to ECTS: the convention's value and the hours range",
            response_model=CreditConversion, responses=error_responses(422))
def credits(store: StoreDep, response: Response, langs: LangDep,
            amount: Annotated[str, Query(description="Non-negative number of credits")],
            system: Annotated[str, Query(description="ECTS, UK, SCQF, US-SCH, US-QCH, ECVET or HOURS")],
            country: Annotated[str | None, Query(description="ISO 3166-1 alpha-3 country of the credential: its fixed "
                                                             "hours per ECTS credit replace 25-30 h")] = None
            ) -> CreditConversion:
    """An amount of credits of a credit system in ECTS: ``ects`` (the system's value, with its
    basis, whether it is disputed, and its sources) and ``by_hours`` (the range notional hours
    give, with the hours per credit and per ECTS used; ``min <= max``; None for ECVET) and the
    credit system labelled (``credit_system``)."""
    result = convert(store, amount, system, country, langs)
    say_language(response, result, langs)
    return result


#: Request bodies refuse NaN and Infinity, which Python's JSON parser reads and RFC 8259 does
#: not have (an infinite ECTS requirement was compared as if meant).
FINITE = ConfigDict(allow_inf_nan=False)


class Requirements(BaseModel):
    model_config = FINITE
    eqf: int | list[int] | None = Field(None, description="Required EQF level(s): the target module's own")
    programme_eqf: int | list[int] | None = Field(
        None, description="The EQF level(s) of the programme the target module belongs to, when the module's own "
                          "is not known (check-module-level unless strict_level)")
    ects: float | None = Field(None, ge=0, description="Required workload in ECTS")
    outcomes: list[str] = Field(default_factory=list, description="Required outcome / skill IRIs")
    requires_identity_verification: bool = False
    requires_quality_assurance: bool = False
    title: str | None = None


class CompareRequest(BaseModel):
    model_config = FINITE
    credential: str | None = Field(None, description="IRI of a specification in the store")
    document: str | None = Field(None, description="An ELM/RDF document (validated, never stored)")
    document_format: str | None = Field(None, description="Media type or file name of the document, e.g. text/turtle")
    target: str | None = Field(None, description="IRI of a target specification in the store")
    requirements: Requirements | None = None
    workload_ratio: float = Field(0.8, ge=0, le=10)
    outcome_coverage: float = Field(0.75, ge=0, le=1)
    strict_level: bool = Field(False, description="Take a target module's programme level as its own")


@router.post("/api/recognition/compare", summary="Compare a micro-credential with a target (substantial differences)",
             response_model=Comparison,
             responses=error_responses(400, 404, 413, 422, d400="The document cannot be read as RDF",
                                       d404="No such specification in the store"))
def compare_route(store: StoreDep, settings: SettingsDep, req: CompareRequest, response: Response,
                  langs: LangDep) -> Comparison:
    """Substantial-difference comparison (Lisbon Recognition Convention) of a credential (in the
    store, or an uploaded document, validated and never stored) with a target (in the store, or
    requirements): level, workload, learning outcomes, assessment, quality assurance, and a
    recommendation. Missing data is `unknown`, never a pass; a credential lacking Council 2022
    elements M6-M10 is `needs-information`. The recommendation gives both possible effects
    (`credit_transfer`, `exemption`); `caveats` lists every ambiguity it rests on."""
    document = None
    if req.document is not None:
        data = req.document.encode()
        if len(data) > settings.max_body_bytes:
            raise HTTPException(413, detail="document too large")
        fmt = req.document_format or formats.TURTLE
        name, media = (fmt, None) if "." in fmt else ("upload", fmt)
        document = Source(name, data, media)
    cred = resolve_side(store, "credential", iri=req.credential, document=document, base_iri=settings.base,
                        document_name="upload", contexts=contexts_of(settings) if document is not None else None)
    requirements = None if req.requirements is None else req.requirements.model_dump(exclude_none=True)
    tgt = resolve_side(store, "target", iri=req.target, requirements=requirements)
    result = compare_sides(store, cred, tgt, Rules(req.workload_ratio, req.outcome_coverage, req.strict_level), langs)
    say_language(response, result, langs)
    return result


@router.get("/api/recognition/pathways", summary="Combinations of micro-credentials that stack to a target",
            response_model=Pathways, responses=error_responses(404, 422, d404="No such specification in the store"))
def pathways_route(store: StoreDep, response: Response, langs: LangDep,
                   target: Annotated[str, Query(description="IRI of the target specification")],
                   max: Annotated[int, Query(ge=1, le=6, description="Most credentials in one pathway")] = 3
                   ) -> Pathways:
    """Minimal combinations of at most `max` micro-credentials that together cover the target's
    required outcomes and workload at its level, ranked by excess ECTS; the declared stack
    (elm:hasPart / isPartOf) with any cycle; why nothing was found when nothing was."""
    result = pathways(store, resolve_side(store, "target", iri=target).facts, max_size=max, langs=langs)
    say_language(response, result, langs)
    return result


@router.get("/api/credentials", summary="Faceted search of micro-credential specifications",
            response_model=SearchResults,
            responses=error_responses(404, 422, models={404: UnknownTerm, 422: InvalidOrAmbiguous},
                                      d404="Unknown framework or level",
                                      d422="A bad value, or an ambiguous level (the candidates are listed)"))
def credentials(store: StoreDep, request: Request, response: Response, langs: LangDep,
                query: Annotated[SearchQuery, Query()]) -> SearchResults:
    """Specifications matching every filter given, in a stable order (title, then IRI), one page
    at a time, with facet counts over all matches (EQF level, country, field, mode, ECTS band).
    Titles and issuers are labelled in the language asked for. ``Link`` headers name the first,
    previous and next pages."""
    result = search(store, query, langs=langs)
    say_language(response, result, langs)
    links = page_links(request, total=result.total, offset=result.offset, limit=result.limit)
    if links:
        response.headers["Link"] = links
    return result


class DecisionRequest(BaseModel):
    model_config = FINITE
    credential: str = Field(description="IRI of the recognised specification (must be in the store)")
    institution: str = Field(description="IRI of the recognising institution")
    purpose: Literal["access", "credit-transfer", "full-recognition"]
    outcome: Literal["recognise", "recognise-partially", "substantial-differences", "needs-information"]
    credited_ects: float | None = Field(None, ge=0)
    comparison: dict[str, Any] | None = Field(None, description="The comparison document it rests on")
    note: str | None = Field(None, max_length=10_000)


@router.post("/api/recognition/decisions", status_code=201, summary="Record a recognition decision (token required)",
             response_model=DecisionRecorded,
             responses=error_responses(*WRITE, 404, 422, d404="No such specification in the store"))
def record(store: StoreDep, settings: SettingsDep, req: DecisionRequest,
           writer: Annotated[str, Depends(require_writer)]) -> DecisionRecorded:
    """Record who recognised which credential, for what purpose, with what outcome and credit, on
    the basis of which comparison (PROV, in the decisions graph). Needs a write token."""
    return record_decision(store, credential=req.credential, institution=req.institution, purpose=req.purpose,
                           outcome=req.outcome, credited_ects=req.credited_ects, comparison=req.comparison,
                           note=req.note, decided_by=writer, base=settings.base)


@router.get("/api/recognition/decisions", summary="Recorded recognition decisions",
            response_model=list[Decision], responses=error_responses(422))
def decisions(store: StoreDep, response: Response, langs: LangDep,
              credential: Annotated[str | None, Query(description="Only decisions about this credential")] = None,
              issuer: Annotated[str | None, Query(description="Only decisions about credentials of this issuer")] = None
              ) -> list[Decision]:
    """The recorded decisions, oldest first, optionally only those about one credential or about
    the credentials of one issuer; credential, issuer and institution labelled in the language asked for."""
    result = list_decisions(store, credential=credential, issuer=issuer, langs=langs)
    say_language(response, result, langs)
    return result
