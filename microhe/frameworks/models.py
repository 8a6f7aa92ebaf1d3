"""The shapes of what level translation and credit conversion answer, as pydantic models.

:func:`microhe.frameworks.levels.translate` and :func:`microhe.frameworks.credits.convert`
return plain dicts (JSON as it is sent); these models describe those dicts field by field,
in their key order, so that the HTTP API documents and checks them (``response_model``)
and a client can generate types. A number that is an integer when it is whole (``amount``)
is ``int | float``: the union keeps the value's own type, so the JSON stays as it was.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

#: A JSON number whose int/float type is kept (``15`` stays ``15``, ``7.5`` stays ``7.5``).
Number = int | float


class Referencing(BaseModel):
    """One referencing of a level to an EQF level, with its evidence."""

    eqf: int | None = Field(description="The EQF level (None: a sourced statement that it is below EQF 1)")
    confidence: str = Field(description="stated, inferred, uncertain or disputed")
    qualification_types: str | None = Field(description="The qualification types the referencing is limited to")
    note: str | None
    sources: list[str] = Field(description="Source URLs")


class LevelBrief(BaseModel):
    """A level of a framework, with its EQF level(s)."""

    framework: str = Field(description="Framework code")
    level: str = Field(description="Level label within the framework")
    eqf: list[int]
    iri: str


class LevelTranslation(BaseModel):
    """A level in EQF terms and its equivalents in other frameworks."""

    framework: str = Field(description="Framework code")
    level: str = Field(description="Level label within the framework")
    iri: str = Field(description="The level's IRI")
    label: str = Field(description="The level's name, e.g. 'SCQF 11'")
    eqf: list[int] = Field(description="EQF levels it is referenced to (empty: below EQF 1)")
    referencing: list[Referencing]
    equivalents: list[LevelBrief] = Field(description="Levels of other frameworks sharing an EQF level")
    qdr: list[str] = Field(description="Matching EU Qualification Dataset Register concepts")
    sources: list[str]
    notes: list[str] = Field(description="What a recogniser should know (many-to-one, confidence, below EQF 1)")


class ECTSRange(BaseModel):
    value: Number = Field(description="ECTS by the convention")
    min: Number = Field(description="ECTS by notional hours, lowest")
    max: Number = Field(description="ECTS by notional hours, highest")


class HoursRange(BaseModel):
    min: Number
    max: Number


class CreditConversion(BaseModel):
    """Credits converted to ECTS, with the notional-hours range and the rule's evidence."""

    amount: Number = Field(description="The amount converted")
    system: str = Field(description="Credit system code")
    ects: ECTSRange
    hours: HoursRange = Field(description="Notional hours of learning")
    basis: str = Field(description="Which figure is the value: identity (ECTS), convention or notional-hours")
    disputed: bool = Field(description="The convention is disputed (not an official rule)")
    sources: list[str]
    notes: list[str]


__all__ = ["Number", "Referencing", "LevelBrief", "LevelTranslation", "ECTSRange", "HoursRange", "CreditConversion"]
