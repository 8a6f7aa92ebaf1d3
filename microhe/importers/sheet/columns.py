"""The documented column set of the spreadsheet importer (``microhe import csv``).

One row is one micro-credential specification. Column names are matched ignoring case,
accents, spaces, ``-`` and ``_``; each column also answers to its aliases, among them the
field names of the MicroHE 2018 metadata draft (``adms:identifier``, ``skos:prefLabel``,
``esco:hasECTSCreditPoints`` ...). A header that is neither is refused with the closest
names (a typo must not drop a column silently); a column whose header starts with ``#``
is a steward's own note and is ignored.

=========================  ========  ==============================================================
column                     required  what it holds (-> where it goes in the ELM model)
=========================  ========  ==============================================================
``id``                     yes       a stable key within the issuer: the IRI is minted from the
                                     instance base, the issuer and the id
``title``                  yes       -> ``dcterms:title`` (M2)
``title_language``                   language tag of title, description, outcomes (default ``en``)
``description``                      -> ``dcterms:description``
``issuer``                 yes       awarding body: a name (-> an ``elm:Organisation``) or an IRI (M4)
``issuer_homepage``                  -> ``foaf:homepage`` of a named issuer
``country``                yes       the issuer's country (M3): code, name, IRI
``eqf_level``                        -> ``elm:EQFLevel`` (M8): ``6``, ``EQF 6``, an EQF IRI
``level``                            -> ``elm:NQFLevel`` (M8): ``DQR 6``, ``SCQF Level 10``, a QDR IRI
``credits``                          -> ``elm:creditPoint``/``elm:point`` (M7)
``credit_system``                    -> ``elm:creditPoint``/``elm:framework`` (default ECTS)
``hours``                            -> ``elm:volumeOfLearning`` (M7), in hours
``mode``                             -> ``elm:mode`` (M10)
``assessment_type``                  -> ``elm:provenBy``/``dcterms:type`` (M9)
``identity_verification``            -> ``elm:provenBy``/``elm:idVerification``
``qa_body``                          -> ``elm:accreditation``/``elm:accreditingAgent`` (M11): name or IRI
``accreditation_type``               -> ``elm:accreditation``/``dcterms:type`` (M11)
``learning_outcomes``                -> ``elm:learningOutcome`` (M6): texts or skill IRIs, ``;`` between
``isced``                            -> ``elm:ISCEDFCode``: code (``0613``), label or IRI
``entry_requirements``               -> ``elm:entryRequirement`` (a note)
``part_of``                          -> ``elm:isPartOf``: the id of another row, or an IRI
``language``                         language(s) of instruction -> ``dcterms:language``, ``;`` between
``url``                              -> ``foaf:homepage`` of the specification
=========================  ========  ==============================================================

The README's "From a spreadsheet" table is this list; a test keeps them equal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    what: str
    required: bool = False
    vocabulary: str | None = None   # the controlled vocabulary of its values (microhe vocab NAME)
    multi: bool = False             # several values separated by ";"
    aliases: tuple[str, ...] = ()   # other headers, the MicroHE 2018 draft field names first
    example: str = ""               # the template's example row


COLUMNS: tuple[Column, ...] = (
    Column("id", "a stable key within the issuer (the IRI is minted from base, issuer and id)", True,
           aliases=("adms:identifier", "identifier", "course id", "course code", "code", "kennung", "identifiant"),
           example="DS-101"),
    Column("title", "title of the micro-credential", True,
           aliases=("skos:prefLabel", "name", "course title", "titel", "titre", "titolo", "titulo"),
           example="Data wrangling with Python"),
    Column("title_language", "language tag of title, description, outcomes (default en)",
           aliases=("title language", "lang", "xml:lang"), example="en"),
    Column("description", "what the course is about",
           aliases=("skos:definition", "definition", "summary", "beschreibung"),
           example="Import, clean, reshape and join real-world data sets with Python and pandas."),
    Column("issuer", "awarding body: its name or IRI", True,
           aliases=("dcterms:creator", "dcterms:rightsHolder", "awarding body", "institution", "provider",
                    "issuer name", "issuer iri"),
           example="Example University of Applied Sciences"),
    Column("issuer_homepage", "the awarding body's web site",
           aliases=("foaf:homepage", "awarding body homepage"), example="https://www.example.org/"),
    Column("country", "the awarding body's country (code, English name or IRI)", True, "country",
           aliases=("awarding body country", "issuer country", "country code", "land", "pays", "paese", "pais"),
           example="DEU"),
    Column("eqf_level", "EQF level 1-8", vocabulary="eqf",
           aliases=("eqf", "EQF level", "esco:hasEQFLevel", "eqf niveau"), example="6"),
    Column("level", "national framework level (DQR 6, SCQF Level 10, a QDR IRI)", vocabulary="level",
           aliases=("nqf level", "nqf", "esco:hasNQFLevel", "framework level", "qualifications framework level"),
           example="DQR 6"),
    Column("credits", "credit points (a number)",
           aliases=("microhe:hasCreditPoints", "esco:hasECTSCreditPoints", "ects", "credit points", "ects credits"),
           example="5"),
    Column("credit_system", "the credit system of credits (default ECTS)", vocabulary="credit_system",
           aliases=("credit system", "credit unit", "credit type"), example="ECTS"),
    Column("hours", "notional learning hours (a number)",
           aliases=("esco:volumeOfLearning", "volume of learning", "workload", "workload hours", "learning hours"),
           example="150"),
    Column("mode", "mode of learning and assessment", vocabulary="mode",
           aliases=("mode of study", "mode of learning", "delivery mode", "form of participation"),
           example="Online"),
    Column("assessment_type", "type of assessment", vocabulary="assessment_type",
           aliases=("assessment method", "assessment", "type of assessment", "awarding method"),
           example="written examination"),
    Column("identity_verification", "supervision and identity verification of the assessment",
           vocabulary="identity_verification",
           aliases=("supervision", "id verification", "identity check", "supervision and identity verification"),
           example="Unsupervised without ID Verification"),
    Column("qa_body", "the quality-assurance body: its name or IRI",
           aliases=("esco:hasAccreditation", "quality assurance body", "accrediting agent", "accreditation body",
                    "qa agency"),
           example="Example Accreditation Agency"),
    Column("accreditation_type", "type of quality assurance", vocabulary="accreditation_type",
           aliases=("accreditation", "quality assurance type", "type of quality assurance", "qa type"),
           example="Program Quality Assurance"),
    Column("learning_outcomes", "learning outcomes: texts or skill IRIs, separated by ;", multi=True,
           aliases=("dcterms:description", "esco:skill", "learning outcome", "outcomes", "skills",
                    "lernergebnisse", "acquis d'apprentissage"),
           example="Clean and reshape tabular data with pandas; Write reusable Python functions for data preparation"),
    Column("isced", "ISCED-F 2013 field (code, label or IRI)", vocabulary="isced",
           aliases=("esco:hasISCED-FCode", "isced-f", "isced f code", "field of education"), example="0613"),
    Column("entry_requirements", "what a learner needs before enrolling",
           aliases=("esco:hasEntryRequirement", "entry requirement", "prerequisites", "voraussetzungen"),
           example="Basic Python programming."),
    Column("part_of", "the id of a larger specification in this file, or its IRI", multi=True,
           aliases=("isPartOf", "part of", "esco:isPartOf", "stacks into"), example=""),
    Column("language", "language(s) of instruction, separated by ;", vocabulary="language", multi=True,
           aliases=("language of instruction", "dcterms:language", "teaching language", "unterrichtssprache",
                    "langue d'enseignement"),
           example="English"),
    Column("url", "the course page", aliases=("dcat:landingPage", "landing page", "homepage", "web page", "link"),
           example="https://www.example.org/courses/ds-101"),
)

BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED = tuple(c.name for c in COLUMNS if c.required)


def norm(text: str) -> str:
    """A header or value as matched: accents dropped, case folded, runs of spaces, ``-`` and
    ``_`` as one space ("Präsenz" = "prasenz", "face-to-face" = "Face to face")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-]+", " ", plain.casefold()).strip()


def _header_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for c in COLUMNS:
        for h in (c.name, *c.aliases):
            key = norm(h)
            if out.get(key, c.name) != c.name:
                raise AssertionError(f"header {h!r} is an alias of both {out[key]} and {c.name}")
            out[key] = c.name
    return out


HEADERS = _header_index()


def column_for(header: str) -> str | None:
    """The column a header names (its name or an alias), else None."""
    return HEADERS.get(norm(header))


__all__ = ["BY_NAME", "COLUMNS", "Column", "HEADERS", "REQUIRED", "column_for", "norm"]
