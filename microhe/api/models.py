"""Response models of the HTTP-only answers: the probes, the named-query catalogue and
what a Graph Store write answers (the load outcome).

What a library function answers is described next to it (:mod:`microhe.recognition.models`,
:mod:`microhe.frameworks.models`); these are answers only the HTTP API gives. Fields are
in the order the JSON has them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from microhe.validation.models import DroppedKeyModel, ValidationReportModel


class Health(BaseModel):
    status: Literal["ok"] = Field(description="Always ok: the process answers")


class Ready(BaseModel):
    """200 when ready, 503 otherwise (same body)."""

    status: Literal["ready", "not ready"]
    store: str = Field(description="ok, or the error of the store's read")
    views_pending: list[str] = Field(description="Search views still being built for the current store state")


class QueryParameter(BaseModel):
    name: str
    type: str = Field(description="iri, string, langstring, integer, decimal, boolean, date...")
    required: bool
    default: str | None
    description: str


class NamedQueryEntry(BaseModel):
    """A named query of the catalogue, run at ``url``."""

    model_config = ConfigDict(populate_by_name=True)

    name: str
    summary: str
    description: str
    tags: list[str]
    query_class: str = Field(alias="class", description="lookup, listing, statistics... (the query's header)")
    url: str = Field(description="Path of GET /api/queries/{name}")
    parameters: list[QueryParameter]


class StrippedLearner(BaseModel):
    """A learner removed from a write (``strip-personal-data``): which node and why, never
    the learner's data."""

    node: str = Field(description="The learner's node, as N-Triples (an IRI in <>, or a blank node)")
    reasons: list[str] = Field(description="Why it counts as learner data (the predicates that gave it away)")


def _absent(value: Any) -> bool:
    return value is None


class GraphWritten(BaseModel):
    """The answer of a Graph Store PUT or POST that was written (validated, one transaction):
    the load outcome (``microhe.ingest.load.Outcome.to_json``), with the graph as the request
    named it, whether it is the default graph, and the validation report."""

    source: str = Field(description="The source's name: HTTP PUT or HTTP POST")
    graph: str | None = Field(description="The graph written (null: the store's default graph)")
    sha256: str = Field(description="SHA-256 of the bytes received, hex")
    triples: int = Field(description="Triples the graph holds from this body")
    status: Literal["loaded", "replaced", "merged", "unchanged"] = Field(
        description="loaded (a new graph), replaced, merged (added to an existing graph) or unchanged")
    personal_quads_stripped: int = Field(description="Quads about learners removed before the write")
    personal_data_stripped: list[StrippedLearner]
    warnings: int = Field(description="SHACL warnings (warnings never refuse a write)")
    dropped_keys: list[DroppedKeyModel] = Field(description="JSON-LD keys the body's @context does not map")
    edc_context: Literal["3.1", "3.2"] | None = Field(
        description="The EDC context version a JSON-LD body was read with (null: not an EDC document)")
    default: bool = Field(description="True when the default graph was written")
    report: ValidationReportModel | None = Field(
        default=None, exclude_if=_absent,
        description="The SHACL validation report of the write (left out when nothing was validated)")


class GraphWriteRefused(BaseModel):
    """A write refused because the data would not conform (nothing was written)."""

    detail: str
    report: ValidationReportModel


class LoadOutcome(BaseModel):
    """What a load wrote (``microhe.ingest.load.Outcome.to_json``)."""

    source: str
    graph: str | None
    sha256: str | None
    triples: int
    status: Literal["loaded", "replaced", "merged", "unchanged"]
    personal_quads_stripped: int
    personal_data_stripped: list[StrippedLearner]
    warnings: int
    dropped_keys: list[DroppedKeyModel]
    edc_context: Literal["3.1", "3.2"] | None


class ImportedSpecification(BaseModel):
    """The facts of one specification a conversion holds (``importers.result.specification_facts``):
    every value as found in the converted RDF, lists sorted."""

    iri: str
    types: list[str]
    title: list[str]
    issuer: list[str] = Field(description="Legal names of the awarding body")
    issuer_iri: list[str]
    country: list[str] = Field(description="ISO 3166-1 alpha-3 codes of the awarding body's address")
    eqf: list[int]
    nqf: list[str] = Field(description="NQF level IRIs")
    ects: list[str] = Field(description="ECTS credit points as stated")
    credits: list[str] = Field(description="'<credit system IRI> <points>' for every credit statement")
    hours: list[str] = Field(description="Volume of learning, xsd:duration")
    mode: list[str]
    assessment: list[str] = Field(description="Assessment types")
    qa: list[str] = Field(description="Accreditations (of the specification or its awarding body)")
    outcomes: list[str] = Field(description="Titles of its learning outcomes")
    isced: list[str]
    part_of: list[str]
    has_part: list[str]


class ImportNote(BaseModel):
    kind: Literal["converted", "dropped", "lost"]
    field: str
    rule: str


class ImportField(BaseModel):
    """What one cell became: ``mapped`` (as it is), ``converted`` (``rule`` says how),
    ``defaulted`` (empty: the default in ``rule``) or ``rejected`` (``rule`` says why)."""

    column: str
    value: str
    kind: Literal["mapped", "converted", "defaulted", "rejected"]
    rule: str


class ImportRow(BaseModel):
    """One spreadsheet row: the specification it became."""

    row: int = Field(description="The row number as the spreadsheet shows it (the header is row 1)")
    id: str
    iri: str
    status: Literal["converted", "rejected"]
    fields: list[ImportField]


class ImportDryRun(BaseModel):
    """What loading the conversion would change in its graph (nothing stored)."""

    source: str
    graph: str
    status: str = Field(description="would load (new graph), unchanged, or would replace (needs replace)")
    add: int
    remove: int
    keep: int
    loaded_from: str | None = Field(description="The source the graph was loaded from, if it holds data")
    added: list[str] = Field(description="Triples added, N-Triples")
    removed: list[str] = Field(description="Triples removed, N-Triples")


class ImportReport(BaseModel):
    """The answer of ``POST /api/import/{format}`` in JSON: the conversion, its report and its RDF."""

    source: str
    format: Literal["edc", "ob3", "ctdl", "csv"]
    sha256: str = Field(description="SHA-256 of the document as sent")
    converter: str
    signature: str = Field(description="'none' or 'present, not verified' (never verified)")
    found: list[str] = Field(description="Source classes of the records converted")
    triples: int
    specifications: list[ImportedSpecification]
    notes: list[ImportNote]
    dry_run: ImportDryRun | None = Field(default=None, exclude_if=_absent, description="With ?dry-run=true")
    loaded: LoadOutcome | None = Field(default=None, exclude_if=_absent, description="With ?load=true")
    rows: list[ImportRow] | None = Field(default=None, exclude_if=_absent,
                                         description="csv: what each row and column became")
    rdf: str = Field(description="The converted RDF as Turtle")


__all__ = ["LoadOutcome", "ImportedSpecification", "ImportNote", "ImportField", "ImportRow", "ImportDryRun",
           "ImportReport", "Health", "Ready",
           "QueryParameter", "NamedQueryEntry", "StrippedLearner", "GraphWritten", "GraphWriteRefused"]


class ChangeEntry(BaseModel):
    """One committed write (``microhe.store.changes.Change``)."""

    seq: int = Field(description="Its number: increasing, never reused (a failed write may leave a gap)")
    time: str = Field(description="When it was committed (UTC, RFC 3339; never decreasing with seq)")
    kind: str = Field(description="put, post, delete, update, load, import, decision, drop, init, restore, write, "
                      "clear")
    graphs: list[str] | None = Field(description="The graphs it touched (urn:x-arq:DefaultGraph: the store's default "
                                     "graph); null: any graph may have changed (harvest the dump again)")
    deleted: list[str] = Field(description="Those of its graphs that no longer exist (delete them)")
    added: list[str] | None = Field(description="IRI subjects it added quads about; null: not known (re-read its "
                                    "graphs)")
    removed: list[str] | None = Field(description="IRI subjects it removed quads about; null: not known")
    recovered: bool = Field(description="Recorded by the recovery after a crash: the write may not have committed "
                            "(re-reading what it names is harmless)")


class ChangePage(BaseModel):
    """A page of the change log, oldest first (``GET /api/changes``)."""

    since: int = Field(description="The point this page starts after")
    seq: int = Field(description="The last change now: ask since this next time")
    floor: int = Field(description="The oldest point the log answers from (older: 410, harvest the dump again)")
    changes: list[ChangeEntry]
