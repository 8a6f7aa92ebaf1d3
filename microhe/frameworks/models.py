"""What level translation and credit conversion answer, as pydantic models.

:func:`microhe.frameworks.levels.translate` returns a :class:`LevelTranslation` and
:func:`microhe.frameworks.credits.convert` a :class:`CreditConversion` (typed results: the
HTTP API documents and checks them with ``response_model``, the CLI prints their JSON, a
client can generate types). A number that is an integer when it is whole (``amount``) is
``int | float``: the union keeps the value's own type, so ``15`` stays ``15``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from microhe.store.labels import Ref

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
    label: str | None = Field(None, description="The level's name in the language asked for, e.g. 'SCQF 11'")
    lang: str | None = Field(None, description="The label's language tag (None: untagged)")


#: Said with every list of levels at the same EQF level: the EQF is a translation device.
SAME_EQF_CAVEAT = ("broadly comparable level, not equivalence: levels referenced to the same EQF level "
                   "are comparable in level only; recognition still compares learning outcomes, workload "
                   "and quality assurance")


class Pairing(LevelBrief):
    """A level of another framework that a referencing or self-certification pairs with this one."""

    confidence: str = Field(description="stated, inferred, uncertain or disputed")
    note: str | None
    sources: list[str] = Field(description="Source URLs of the pairing")


class LevelTranslation(BaseModel):
    """A level in EQF terms, the levels of other frameworks at the same EQF level (broadly
    comparable, not equivalent) and the pairings a referencing documents."""

    framework: str = Field(description="Framework code")
    level: str = Field(
        description="Level label within the framework (several joined by ', ' for a concept standing for several)")
    iri: str = Field(
        description="The level's IRI (the QDR concept's when the input named one standing for several levels)")
    label: str = Field(description="The level's name in the language asked for, e.g. 'SCQF 11'")
    lang: str | None = Field(None, description="The label's language tag (None: untagged)")
    eqf: list[int] = Field(description="EQF levels it is referenced to (empty: below EQF 1, or referencing not found)")
    referencing: list[Referencing]
    levels: list[LevelBrief] = Field(
        description="The framework level(s) the input names (several for one QDR concept of several levels)")
    same_eqf_level: list[LevelBrief] = Field(
        description="Levels of other frameworks referenced to the same EQF level: broadly comparable, not equivalent. "
                    "QF-EHEA cycles only where a self-certification or referencing names the cycle")
    caveat: str = Field(description="What same_eqf_level means: " + SAME_EQF_CAVEAT)
    closest: list[Pairing] = Field(description="Levels a referencing pairs with this one (SCQF 9 ~ NFQ 7), with sources")
    qdr: list[Ref] = Field(description="Matching EU Qualification Dataset Register concepts, with their labels")
    sources: list[str]
    notes: list[str] = Field(description="What a recogniser should know (many-to-one, confidence, below EQF 1)")
    found: bool = Field(True, description="False: 'referencing not found', no source stating the level's EQF "
                                          "level was found (eqf is then empty, and that is no below-EQF-1 statement)")


class Range(BaseModel):
    min: Number
    max: Number


class ECTSValue(BaseModel):
    """The ECTS figure a credit evaluator would quote, with the rule behind it."""

    value: Number | None = Field(description="ECTS by the system's convention (identity for ECTS, hours midpoint for HOURS)")
    basis: str = Field(description="identity (ECTS), convention (UK, SCQF, US, ECVET) or notional-hours (HOURS)")
    disputed: bool = Field(description="The rule is disputed, not official (US credits, ECVET)")
    sources: list[str] = Field(description="Sources of the rule that gives the value")


class ByHours(BaseModel):
    """The ECTS range that notional hours give, with the hours used. Always min <= max; for UK
    and SCQF credits it excludes the conventional value (20 h per ECTS by convention)."""

    min: Number = Field(description="ECTS at the most hours per ECTS")
    max: Number = Field(description="ECTS at the fewest hours per ECTS")
    hours_per_credit: Range = Field(description="Notional hours per credit of the source system")
    hours_per_ects: Range = Field(description="Notional hours per ECTS credit used: 25-30, or the country's fixed value")
    country: str | None = Field(description="ISO 3166-1 alpha-3 country whose fixed hours per ECTS were used")
    sources: list[str]


HoursRange = Range


class CreditConversion(BaseModel):
    """Credits in ECTS: the system's value with its basis, and the hours-based range beside it."""

    amount: Number = Field(description="The amount converted")
    system: str = Field(description="Credit system code")
    credit_system: Ref = Field(description="The credit system, labelled in the language asked for")
    ects: ECTSValue
    by_hours: ByHours | None = Field(description="ECTS by notional hours (None: the system defines no hours, ECVET)")
    hours: Range | None = Field(description="Notional hours of learning (None: the system defines no hours)")
    basis: str = Field(description="= ects.basis")
    disputed: bool = Field(description="= ects.disputed")
    sources: list[str]
    notes: list[str]


__all__ = ["Number", "Referencing", "LevelBrief", "Pairing", "LevelTranslation", "SAME_EQF_CAVEAT", "Range",
           "ECTSValue", "ByHours", "HoursRange", "CreditConversion"]
