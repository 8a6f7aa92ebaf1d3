"""The validation report as typed models: the shape of ``ValidationReport.to_json()``, which
the CLI prints with ``--format json`` and the HTTP answers carry (the API documents it as
``ValidationReport`` in its OpenAPI description). Import them by their ``...Model`` names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ValidationResult(BaseModel):
    """One sh:ValidationResult."""

    focus_node: str = Field(description="IRI, or _:label for a blank node")
    path: str | None = Field(description="The property IRI, or a SPARQL 1.1 property path (IRIs in <>)")
    message: str
    severity: Literal["Violation", "Warning", "Info"]
    shape: str
    constraint: str = Field(description="The SHACL constraint component IRI")
    value: str | None


class DroppedKey(BaseModel):
    """A JSON-LD key that expansion dropped (its value is not in the data)."""

    path: str = Field(description="JSON path without the leading $, e.g. credentialSubject.hasClaim[0].foo")
    key: str
    kind: Literal["key", "type"] = Field(description="key: the key and its value were dropped; "
                                                     "type: a type term the @context does not define")


class ValidationReport(BaseModel):
    """A SHACL validation report of microhe's profiles over one input plus the reference data."""

    conforms: bool = Field(description="No violation, and at least one node was checked")
    profiles: list[str]
    violations: int
    warnings: int
    checked: dict[str, int | None] = Field(
        description="Per profile, the focus nodes of the input its targets selected (null: not countable)")
    nothing_checked: bool = Field(description="The input has triples but no profile targets any of its nodes")
    message: str | None = Field(description="When nothing was checked: \"0 micro-credentials found: nothing was "
                                            "checked\", the classes found and the import that handles them")
    found_classes: list[str] = Field(description="When nothing was checked: the input's classes (IRIs)")
    dropped: int = Field(description="How many JSON-LD keys expansion dropped")
    dropped_keys: list[DroppedKey]
    edc_context: Literal["3.1", "3.2"] | None = Field(
        description="The EDC context version the input was read with (JSON-LD using the EDC context)")
    results: list[ValidationResult]


# The names other modules use (the classes keep the short names the OpenAPI description shows;
# microhe.validation.ValidationReport is the report object itself).
ValidationReportModel = ValidationReport
ValidationResultModel = ValidationResult
DroppedKeyModel = DroppedKey

__all__ = ["DroppedKeyModel", "ValidationReportModel", "ValidationResultModel"]
