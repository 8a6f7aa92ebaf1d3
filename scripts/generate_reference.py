#!/usr/bin/env python3
"""Generate the bundled reference graph in ``microhe/kg/reference/``.

Writes three Turtle files from the read-only shared material (never read at run time):

* ``frameworks.ttl``     EQF, QF-EHEA and the national frameworks with all their levels,
                         one ``mhe:LevelReferencing`` node per row of the referencing CSV,
                         and the EU QDR level concepts the levels are linked to;
* ``credit-systems.ttl`` credit systems and sourced conversion rules;
* ``vocabularies.ttl``   ISCED-F 2013 (with hierarchy), ELM modes, assessment types,
                         learning settings and the country authority list.

Inputs: ``<shared>/data/nqf_eqf_referencing.csv`` and ``<shared>/anchors/elm/cv-xsd/*.xsd``.
It then runs ``scripts/qf_coverage.py``, which writes ``docs/qf-coverage.md`` from
``frameworks.ttl`` (``--check`` checks it too). The publishers of the cited hosts and the
document mirrors that are never a source are listed in ``microhe/frameworks/sources.py``.
The output is deterministic (sorted, no blank nodes, no time stamps): running the script
twice gives byte-identical files. Usage::

    python scripts/generate_reference.py [--shared ../shared] [--out DIR] [--check]

Only the standard library and rdflib are used. The data-model contract is
``docs/data-model.md``; the conventions chosen here are in ``microhe/kg/reference/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from microhe.frameworks.sources import (  # noqa: E402, F401 - MIRROR_HOSTS: the one list, re-exported
    MIRROR_HOSTS,
    by_name,
    is_mirror,
    publisher_of,
)
from microhe.vocab import (  # noqa: E402 - after the path set-up above
    COUNTRY,
    DCTERMS,
    ECTS,
    EQF_LEVEL,
    EQF_SCHEME,
    ISCED_F,
    MHE,
    QDR_SCHEME,
    RDF,
    RDFS,
    REF,
    SKOS,
    framework_iri,
    level_iri,
    level_slug,
)

CSV_REL = "data/nqf_eqf_referencing.csv"
XSD_REL = "anchors/elm/cv-xsd"
ELM_REPO = "https://github.com/european-commission-empl/European-Learning-Model"
ELM_COMMIT = "9d7c5d22002237c3afeb1750b7038e6fe2cdd371"  # anchors/elm/README.md, cv-xsd/
ELM_XSD_PATH = "xsd/loq/cv"

XS = "{http://www.w3.org/2001/XMLSchema}"

# ---------------------------------------------------------------------------------------
# Terms


def mhe(local: str) -> URIRef:
    return URIRef(MHE + local)


def skos(local: str) -> URIRef:
    return URIRef(SKOS + local)


def dct(local: str) -> URIRef:
    return URIRef(DCTERMS + local)


A = URIRef(RDF + "type")
RDFS_SEEALSO = URIRef(RDFS + "seeAlso")

CONFIDENCE = {name: mhe(name) for name in ("Stated", "Inferred", "Uncertain", "Disputed")}

BELOW_EQF1_NOTE = "Below EQF 1: this level is not referenced to any EQF level."


def dec(value) -> Literal:
    """An xsd:decimal literal, rounded to 6 places, always written with a decimal point."""
    d = Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN).normalize()
    text = format(d, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def elm_source(xsd_name: str) -> URIRef:
    """The anchor file's IRI in the ELM repository at the pinned commit."""
    return URIRef(f"{ELM_REPO}/blob/{ELM_COMMIT}/{ELM_XSD_PATH}/{xsd_name}")


# ---------------------------------------------------------------------------------------
# Frameworks: the codes table of domain.md section 4 (levels listed lowest first)


@dataclass(frozen=True)
class Framework:
    code: str
    csv_short: str
    levels: tuple[str, ...]
    name_en: str
    native: tuple[str, str] | None = None  # (lang, name) when the CSV name is not English
    native_lang: str = "en"  # language of the CSV's level labels and framework name
    qdr_framework: str | None = None  # label of the EU QDR framework concept (nqf.xsd), matched by name
    qdr_prefix: str | None = None  # "<prefix> Level <label>": its QDR level concepts (issue 22 frameworks)
    country: str | None = None  # ISO3, for frameworks that the shared CSV has no row for
    alt: tuple[str, ...] = ()  # other names it goes by (national abbreviations)


def _n(a: int, b: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(a, b + 1))


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("QF-EHEA", "QF-EHEA", ("short", "first", "second", "third"),
              "Qualifications Framework of the European Higher Education Area"),
    Framework("DQR", "DQR", _n(1, 8), "German Qualifications Framework for Lifelong Learning",
              ("de", "Deutscher Qualifikationsrahmen für lebenslanges Lernen"), "de",
              qdr_framework="German National Qualifications Framework"),
    Framework("LTKS", "LTKS/LTQF", _n(1, 8), "Lithuanian Qualifications Framework",
              ("lt", "Lietuvos kvalifikacijų sandara"), "lt",
              qdr_framework="Lithuanian National Qualifications Framework"),
    Framework("FINQF", "FiNQF", _n(1, 8),
              "Finnish National Framework for Qualifications and Other Competence Modules",
              qdr_framework="Finnish National Qualifications Framework"),
    Framework("SQF", "SQF/SOK", _n(1, 10), "Slovenian Qualifications Framework",
              ("sl", "Slovensko ogrodje kvalifikacij"), "sl",
              qdr_framework="Slovenian Qualifications Framework"),
    Framework("MQF", "MQF", ("A", "B") + _n(1, 8), "Malta Qualifications Framework",
              qdr_framework="Maltese National Qualifications Framework"),
    Framework("QNQ", "QNQ", _n(1, 8), "Italian National Qualifications Framework",
              ("it", "Quadro nazionale delle qualificazioni"), "it",
              qdr_framework="Italian Qualifications Framework"),
    Framework("NFQ", "NFQ", _n(1, 10), "Irish National Framework of Qualifications",
              qdr_framework="Irish National Framework of Qualifications"),
    Framework("SCQF", "SCQF", _n(1, 12), "Scottish Credit and Qualifications Framework",
              qdr_framework="Scottish Credit and Qualifications Framework"),
    Framework("RQF", "RQF", ("Entry 1", "Entry 2", "Entry 3") + _n(1, 8),
              "Regulated Qualifications Framework",
              qdr_framework="Regulated Qualifications Framework (RQF) for England and Northern Ireland"),
    Framework("CQFW", "CQFW", ("Entry 1", "Entry 2", "Entry 3") + _n(1, 8),
              "Credit and Qualifications Framework for Wales",
              qdr_framework="Credit and Qualifications Framework for Wales"),
    Framework("FHEQ", "FHEQ", _n(4, 8), "Framework for Higher Education Qualifications"),
    Framework("CNCP", "CNCP-2019", _n(1, 8),
              "French National Framework of Professional Certifications (2019)",
              ("fr", "Cadre national des certifications professionnelles"), "fr",
              qdr_framework="French National Qualifications Framework"),
    Framework("FR-1969", "FR-1969", ("V", "IV", "III", "II", "I"),
              "French nomenclature of training levels (1969, superseded)",
              ("fr", "Nomenclature des niveaux de formation (1969)"), "fr"),
    Framework("NLQF", "NLQF", ("Entry", "1", "2", "3", "4", "4+", "5", "6", "7", "8"),
              "Dutch Qualifications Framework", qdr_framework="Dutch National Qualifications Framework"),
) + tuple(
    # Issue 22: every other framework of the EU QDR register (nqf.xsd). The code is unique in
    # microhe (Romania ROQF beside the UK's RQF, Latvia LQF beside Lithuania's LTKS/LTQF,
    # Greece HQF beside Hungary HUQF, Portugal QNQ-PT beside Italy's QNQ); the QDR label prefix
    # and the national abbreviations are further names, so "QNQ 6" gets both candidates.
    # Levels: those of the QDR concepts "<prefix> Level <label>", lowest first (sub-levels
    # keep their own label: CROQF 4.1, CyQF 5a, NNMQF 7 A); the Flemish VKS has none in QDR.
    Framework(code, code, levels, name, native, native[0] if native else "en", qdr_framework=qfw,
              qdr_prefix=prefix, country=iso3, alt=alt)
    for code, iso3, name, native, prefix, qfw, levels, alt in (
        ("AT-NQF", "AUT", "Austrian National Qualifications Framework", ("de", "Nationaler Qualifikationsrahmen"),
         "AT: NQF", "Austrian National Qualifications Framework", _n(1, 8), ("NQR", "AT NQF")),
        ("CFC", "BEL", "Qualifications Framework of the French Community of Belgium",
         ("fr", "Cadre francophone des certifications"), "CFC",
         "Qualifications Framework of the French Community of Belgium", _n(1, 8), ()),
        ("QDG", "BEL", "Qualifications Framework of the German-speaking Community of Belgium", None, "QDG",
         "Qualifications Framework of the German-speaking Community of Belgium", _n(1, 8), ()),
        ("VKS", "BEL", "Flemish Qualifications Structure", ("nl", "Vlaamse kwalificatiestructuur"), None,
         "Flemish qualifications framework", _n(1, 8), ()),
        ("BQF", "BGR", "Bulgarian Qualifications Framework", None, "BQF",
         "Bulgarian Qualifications Framework", _n(0, 8), ()),
        ("CROQF", "HRV", "Croatian Qualifications Framework", ("hr", "Hrvatski kvalifikacijski okvir"), "CROQF",
         "Croatian Qualifications Framework",
         ("1", "2", "3", "4.1", "4.2", "5", "6", "7.1", "7.2", "8.1", "8.2"), ("HKO",)),
        ("CYQF", "CYP", "Cyprus Qualifications Framework", None, "CyQF",
         "Cypriot National Qualifications Framework",
         ("1", "2", "3", "4", "5a", "5b", "5c", "6", "7a", "7b", "7c", "8"), ()),
        ("NSK", "CZE", "Czech National Register of Qualifications", ("cs", "Národní soustava kvalifikací"), "NSK",
         "Czech National Register of Qualifications", _n(1, 8), ()),
        ("DK-NQF", "DNK", "Danish Qualifications Framework for Lifelong Learning", None, "DK NQF",
         "Danish National Qualifications Framework", _n(1, 8), ()),
        ("ESTQF", "EST", "Estonian Qualifications Framework", ("et", "Eesti kvalifikatsiooniraamistik"), "EstQF",
         "Estonian Qualifications Framework", _n(1, 8), ("EKR",)),
        ("HQF", "GRC", "Hellenic Qualifications Framework", None, "HQF",
         "Hellenic National Qualifications Framework", _n(1, 8), ()),
        ("HUQF", "HUN", "Hungarian Qualifications Framework", ("hu", "Magyar Képesítési Keretrendszer"), "HuQF",
         "Hungarian National Qualifications Framework", _n(1, 8), ("MKKR",)),
        ("LQF", "LVA", "Latvian Qualifications Framework", None, "LQF",
         "Latvian Qualifications Framework", _n(1, 8), ("LKI",)),
        ("CLQ", "LUX", "Luxembourg Qualifications Framework", ("fr", "Cadre luxembourgeois des qualifications"),
         "CLQ", "Luxembourg Qualifications Framework", _n(1, 8), ()),
        ("PQF", "POL", "Polish Qualifications Framework", ("pl", "Polska Rama Kwalifikacji"), "PQF",
         "Polish National Qualifications Framework", _n(1, 8), ("PRK",)),
        ("QNQ-PT", "PRT", "Portuguese National Qualifications Framework", ("pt", "Quadro Nacional de Qualificações"),
         "QNQ", "Portuguese National Qualifications Framework", _n(1, 8), ()),
        ("ROQF", "ROU", "Romanian National Qualifications Framework", ("ro", "Cadrul Național al Calificărilor"),
         "ROQF", "Romanian National Qualifications Framework", _n(1, 8), ("CNC",)),
        ("SKKR", "SVK", "Slovak Qualifications Framework", ("sk", "Slovenský kvalifikačný rámec"), "SKKR",
         "Slovak National Qualifications Framework", _n(1, 8), ()),
        ("MECU", "ESP", "Spanish Qualifications Framework for Lifelong Learning",
         ("es", "Marco Español de Cualificaciones para el aprendizaje permanente"), "MECU",
         "Spanish Qualifications Framework for Lifelong Learning", _n(1, 8), ()),
        ("SEQF", "SWE", "Swedish Qualifications Framework", None, "SeQF",
         "Swedish National Qualifications Framework", _n(1, 8), ()),
        ("ISQF", "ISL", "Icelandic Qualifications Framework", None, "ISQF", "Icelandic Qualifications Framework",
         ("1", "2", "3", "4", "5.1", "5.2", "6.1", "6.2", "7"), ()),
        ("NQFL", "LIE", "National Qualifications Framework for Lifelong Learning for Liechtenstein", None, "NQFL",
         "National Qualifications Framework for Lifelong Learning for Liechtenstein", _n(1, 8), ()),
        ("NKR", "NOR", "Norwegian Qualifications Framework for Lifelong Learning", None, "NKR",
         "Norwegian Qualifications Framework",
         ("1", "2", "3", "4", "5.1", "5.2", "6.1", "6.2", "7", "8"), ()),
        ("NQF-VPET", "CHE", "National Qualifications Framework for Vocational and Professional Education and "
         "Training (Switzerland)", None, "NQF VPET",
         "National Qualifications Framework of Swiss Vocational and Professional Education", _n(1, 8), ("NQR-CH",)),
        ("AQF", "ALB", "Albanian Qualifications Framework", None, "AQF", "Albanian Qualifications Framework",
         _n(1, 8), ()),
        ("BH-NQF", "BIH", "Bosnia and Herzegovina Qualifications Framework", None, "BH NQF",
         "Bosnia and Herzegovina Qualifications Framework", _n(1, 8), ()),
        ("KS-NQF", "1A0", "Kosovo National Qualifications Framework", None, "KS NQF",
         "Kosovo National Qualifications Framework", _n(1, 8), ()),
        ("ME-NQF", "MNE", "Montenegrin Qualifications Framework", None, "ME NQF",
         "Montenegrin Qualifications Framework",
         ("1.1", "1.2", "2", "3", "4.1", "4.2", "5", "6", "7.1", "7.2", "8"), ()),
        ("NNMQF", "MKD", "North Macedonian Qualifications Framework", None, "NNMQF",
         "North Macedonian Qualifications Framework",
         ("1", "2", "3", "4", "5", "5 A", "5 B", "6", "6 A", "6 B", "7", "7 A", "7 B", "8"), ()),
        ("NQFS", "SRB", "Serbian Qualifications Framework", ("sr", "Nacionalni okvir kvalifikacija Srbije"), "NQFS",
         "Serbian Qualifications Framework",
         ("1", "2", "3", "4", "5", "6", "6.1", "6.2", "7", "7.1", "7.2", "8"), ("NOKS",)),
        ("TQF", "TUR", "Turkish Qualifications Framework", ("tr", "Türkiye Yeterlilikler Çerçevesi"), "TQF",
         "Turkish Qualifications Framework", _n(1, 8), ("TYÇ",)),
    )
)
BY_SHORT = {fw.csv_short: fw for fw in FRAMEWORKS}
BY_CODE = {fw.code: fw for fw in FRAMEWORKS}

# Label prefixes of the CSV's nqf_level_label column, per framework code.
_LABEL_PATTERNS = {
    "QF-EHEA": re.compile(r"^(?P<l>Short|First|Second|Third) cycle$"),
    "DQR": re.compile(r"^DQR (?P<l>\d+)$"),
    "LTKS": re.compile(r"^LTKS (?P<l>\d+)$"),
    "FINQF": re.compile(r"^FiNQF (?P<l>\d+)$"),
    "SQF": re.compile(r"^SQF (?P<l>\d+)$"),
    "MQF": re.compile(r"^(?:MQF (?P<l>\d+)|Introductory Level (?P<l2>[AB]))$"),
    "QNQ": re.compile(r"^QNQ (?P<l>\d+)$"),
    "NFQ": re.compile(r"^NFQ (?P<l>\d+)$"),
    "SCQF": re.compile(r"^SCQF (?P<l>\d+)$"),
    "RQF": re.compile(r"^RQF (?P<l>Entry \d|\d+)$"),
    "CQFW": re.compile(r"^CQFW (?P<l>Entry \d|\d+)$"),
    "FHEQ": re.compile(r"^FHEQ (?P<l>\d+)$"),
    "CNCP": re.compile(r"^Niveau (?P<l>\d+)$"),
    "FR-1969": re.compile(r"^Niveau (?P<l>[IV]+)$"),
    "NLQF": re.compile(r"^NLQF (?:(?P<l>\d+\+?)|(?P<l2>Entry) level)$"),
}
_LABEL_PATTERNS.update({fw.code: re.compile(rf"^{re.escape(fw.code)} (?P<l>.+)$")
                        for fw in FRAMEWORKS if fw.country is not None})
_PAREN = re.compile(r"^(?P<base>[^(]*?)\s*(?:\((?P<paren>.*)\))?\s*$")
_YEAR = re.compile(r"^\d{4}$")


def split_label(code: str, csv_label: str) -> tuple[str, str | None]:
    """CSV level label -> (bare level label, qualification types or None).

    'SQF 4 (upper secondary vocational (3-year))' -> ('4', 'upper secondary vocational (3-year)');
    'Niveau V (1969)' -> ('V', None): a year in parentheses names no qualification type.
    """
    m = _PAREN.match(csv_label.strip())
    base, paren = m["base"], m["paren"]
    lm = _LABEL_PATTERNS[code].match(base)
    if not lm:
        raise ValueError(f"{code}: unexpected level label {csv_label!r}")
    label = lm["l"] or lm.groupdict().get("l2")
    if code == "QF-EHEA":
        label = label.lower()
    if paren is not None and _YEAR.match(paren):
        paren = None
    return label, paren


def level_pref_label(fw: Framework, label: str) -> str:
    if fw.code == "QF-EHEA":
        return f"QF-EHEA {label} cycle"
    return f"{fw.code} {label}"


# EU QDR (nqf.xsd) label forms, per domain.md section 4.
EXACT, CLOSE, RELATED = (skos(x) for x in ("exactMatch", "closeMatch", "relatedMatch"))


def qdr_links(code: str, label: str) -> list[tuple[URIRef, str]]:
    """(SKOS mapping property, QDR prefLabel) pairs for one of our levels."""
    fw = BY_CODE[code]
    if fw.qdr_prefix is not None:
        return [(EXACT, f"{fw.qdr_prefix} Level {label}")]
    simple = {"DQR": "DQR", "LTKS": "LTQF", "FINQF": "FiNQF", "SQF": "SQF", "MQF": "MQF",
              "NFQ": "IE NQF", "SCQF": "SCQF", "NLQF": "NLQF"}
    if code in simple:
        if code == "NLQF" and label == "Entry":
            return [(EXACT, "NLQF Entry Level")]
        return [(EXACT, f"{simple[code]} Level {label}")]
    if code == "QNQ":
        # Italy's levels are 'IT NQF Level n'; the QDR's 'QNQ Level n' are (most likely)
        # Portugal's Quadro Nacional de Qualificações: framework QNQ-PT, never linked here
        return [(EXACT, f"IT NQF Level {label}")]
    if code == "CNCP":
        # the French 2019 framework: QDR 'FQF Level n' (French National Qualifications Framework)
        return [(EXACT, f"FQF Level {label}")]
    if code == "RQF":
        if label in ("Entry 1", "Entry 2"):
            return [(CLOSE, "RQF Entry Levels 1-2")]
        if label == "Entry 3":
            return [(EXACT, "RQF Entry Level 3")]
        return [(EXACT, f"RQF Level {label}")]
    if code == "CQFW":
        if label.startswith("Entry"):
            return [(CLOSE, "CQFW Entry 1-3")]
        return [(EXACT, f"CQFW Level {label}")]
    if code == "FR-1969":
        if label == "I":
            # one of our levels, two QDR concepts, one per EQF candidate (one-to-many I -> 7 or 8):
            # close, not exact, so that exactMatch never merges 'I-Master' with EQF 8
            return [(CLOSE, "NQF RNCP Level I-Master"), (CLOSE, "NQF RNCP Level I-Doctorat")]
        if label == "II":
            return [(EXACT, "NQF RNCP Level II-Grade de Licence")]
        return [(EXACT, f"NQF RNCP Level {label}")]
    return []  # QF-EHEA, FHEQ: no QDR concept


# QDR concepts that carry one EQF candidate of our level (CSV FR-1969 rows, note 'niveau I
# reclassified to 7 (master) or 8 (doctorat)'); domain.md: "the two level-I concepts carry the
# one-to-many I -> 7 or 8".
QDR_EQF = {"NQF RNCP Level I-Master": "7", "NQF RNCP Level I-Doctorat": "8"}

# The repository's own referencing rows (issue 22): the shared CSV's columns plus
# `publisher`, `evidence` (a short quote) and `retrieved` (date). Read alongside the shared
# CSV; where both have a row for one (framework_short, nqf_level_label) the repository's
# wins. NLQF 4+ (issue 17, Nuffic) is one of them.
REPO_CSV = REPO / "data" / "nqf_eqf_referencing.csv"
REPO_COLUMNS = ("country_iso3", "framework_name", "framework_short", "nqf_level_label", "eqf_level",
                "source_url", "note", "publisher", "evidence", "retrieved")

# A repository row is Stated only with a source on its publisher's official host and a quote;
# otherwise its note must say "inferred" or "UNCERTAIN". The publishers and their hosts, and the
# document mirrors that are never a source, are listed once in microhe/frameworks/sources.py.
# A repository row with no EQF level whose note starts with this marker overrides a shared row
# that has no usable source: the level is left 'referencing not found' (no referencing node).
NOT_FOUND_MARK = "Referencing not found"
# The QDR list does not say which framework a level concept belongs to: the level concepts
# are matched to a framework by their label prefix, and the prefix to the framework concept by
# name. Only QNQ is doubtful (Italy's framework is also abbreviated QNQ).
QNQ_PT_NOTE = ("inferred: the EU QDR list gives no hierarchy; its eight 'QNQ Level n' concepts are taken as "
               "Portugal's (Quadro Nacional de Qualificações) because Italy's levels are 'IT NQF Level n' and "
               "the list has a 'Portuguese National Qualifications Framework' concept and no other family for "
               "it (issue 17; Cedefop NQF country report Portugal 2022).")
NOT_FOUND_NOTE = ("Referencing not found: no source stating the EQF level of this level was found (issue 22 "
                  "searched the Cedefop NQF country pages, national coordination points, referencing reports "
                  "and Europass); it is not guessed.")

# Documented pairings of levels of two frameworks (mhe:LevelPairing): a referencing or a
# QF-EHEA self-certification puts them side by side. Level translation gives them as
# `closest`, and lists a QF-EHEA cycle at the same EQF level only where one of these names
# it (RQF 4, SCQF 7 and FHEQ 4 are EQF 5, yet no self-certification makes them short cycle).
# (code, label, code, label, confidence, sources, note)
# The UK-Ireland leaflet 'Qualifications can cross boundaries' and the FHEQ self-certification
# were read only in copies on document-mirror hosts (never cited, issue 22); the publishers' own
# pages say what the documents do, not their per-level tables: the pairings are uncertain.
QAA_QUALIFICATIONS = ("http://www.qaa.ac.uk/assuring-standards-and-quality/the-quality-code/qualifications"
                      "?TermStoreId=6b185e6c-0907-4bf0-939c-5e32b6b0d190&TermSetId=d8bbf376-e21e-40e9-86f7-9abc40a376c4"
                      "&TermId=ce7c2bd8-0800-45c3-8d66-93d25f1ad3a2&DeviceChannel=HighContrast")
WALES_LEAFLET = ("http://wales.gov.uk/topics/educationandskills/qualificationsinwales/creditqualificationsframework/"
                 "publications/comparingqualificationsguide/?skip=1&lang=en")
SCQF_EUROPEAN_TOOLS = "https://scqf.org.uk/services-partnerships/international-european-tools-and-projects/european-tools/"
_LEAFLET = (WALES_LEAFLET, QAA_QUALIFICATIONS)
_FHEQ_SC = ("http://www.qaa.ac.uk/AssuringStandardsAndQuality/Qualifications/Pages/theFHEQ-within-Europe.aspx",
            QAA_QUALIFICATIONS)
_SCQF_SC = ("http://www.qaa.ac.uk/AssuringStandardsAndQuality/Qualifications/Pages/theFHEQ-within-Europe.aspx",
            SCQF_EUROPEAN_TOOLS)
_READ_IN_COPIES = ("UNCERTAIN: {doc} was read only in copies on document-mirror hosts, which are not cited; "
                   "the publishers' own pages (cited) say what it does, their stored text not this level's row.")
_UK_IE = (_READ_IN_COPIES.format(doc="the UK-Ireland leaflet 'Qualifications can cross boundaries'") + " The leaflet "
          "puts the Scottish {a} beside the Irish {b}; a broad comparison, not equivalence.")
_FHEQ_T1 = _READ_IN_COPIES.format(doc="the FHEQ (QAA 2008), Table 1, with the FHEQ self-certification report")
PAIRINGS = (
    ("SCQF", "9", "NFQ", "7", "Uncertain", _LEAFLET,
     _UK_IE.format(a="Bachelors/Ordinary Degree (SCQF 9)", b="Ordinary Bachelor Degree (NFQ 7)")),
    ("SCQF", "10", "NFQ", "8", "Uncertain", _LEAFLET,
     _UK_IE.format(a="Honours Degree (SCQF 10)", b="Honours Bachelor Degree (NFQ 8)")),
    # FHEQ self-certification (QAA 2008, FHEQ Table 1): level 4 names no cycle
    ("FHEQ", "5", "QF-EHEA", "short", "Uncertain", _FHEQ_SC,
     _FHEQ_T1 + " Table 1: foundation degree at level 5 = short cycle (within or linked to the first cycle); "
     "FHEQ level 4 (Certificate of HE) names no cycle. QAA states that it verified the FHEQ's compatibility."),
    *((("FHEQ", lv, "QF-EHEA", cyc, "Uncertain", _FHEQ_SC,
        _FHEQ_T1 + f" Table 1: level {lv} = {cyc} cycle. QAA states that it verified the FHEQ's compatibility.")
       for lv, cyc in (("6", "first"), ("7", "second"), ("8", "third")))),
    # Scotland's verification (FQHEIS, SCQF levels 7-12): report not read here
    *((("SCQF", lv, "QF-EHEA", cyc, "Uncertain", _SCQF_SC,
        f"UNCERTAIN: SCQF {lv} = {cyc} cycle as Scotland's verification of the FQHEIS against the QF-EHEA is "
        "summarised by QAA and the UK-Ireland leaflet (read only in mirror copies, not cited); the "
        "verification report itself was not read. "
        "SCQF 7 names no cycle.")
       for lv, cyc in (("8", "short"), ("9", "first"), ("10", "first"), ("11", "second"), ("12", "third")))),
)
# Cycles named in the CSV notes of a level row (the row's sources and confidence apply).
CSV_CYCLES = {
    ("SQF", "6"): "short", ("SQF", "7"): "first", ("SQF", "8"): "second", ("SQF", "10"): "third",
    ("NFQ", "6"): "short", ("NFQ", "7"): "first", ("NFQ", "8"): "first", ("NFQ", "9"): "second",
    ("NFQ", "10"): "third",
    ("LTKS", "5"): "short", ("LTKS", "6"): "first", ("LTKS", "7"): "second",
}

# QF-EHEA typical workload (domain.md section 4 and the CSV notes).
QF_EHEA_ECTS = {
    "short": ("120", "120", "Typically about 120 ECTS credits."),
    "first": ("180", "240", "Typically 180-240 ECTS credits."),
    "second": ("90", "120", "Typically 90-120 ECTS credits, minimum 60 ECTS credits at second-cycle level."),
    "third": (None, None, "ECTS credits not specified for the third cycle."),
}

# ---------------------------------------------------------------------------------------
# Reading the inputs


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_xsd(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """(targetNamespace, [(concept IRI, English label)]) of a controlled-vocabulary XSD."""
    root = ET.parse(path).getroot()
    items = []
    for e in root.iter(XS + "enumeration"):
        doc = e.find(f"{XS}annotation/{XS}documentation")
        items.append((e.get("value"), " ".join((doc.text or "").split())))
    return root.get("targetNamespace"), items


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_repo_rows(path: Path = REPO_CSV) -> list[dict[str, str]]:
    """The repository's referencing rows, checked: a publisher, a quote, a date, no mirror
    source, and `Stated` (no inferred/uncertain marker in the note) only with a source on
    the publisher's official host."""
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != REPO_COLUMNS:
            raise ValueError(f"{path}: columns {reader.fieldnames} != {list(REPO_COLUMNS)}")
        rows = list(reader)
    for n, r in enumerate(rows, start=2):
        where = f"{path.name} line {n} ({r['nqf_level_label']})"
        for col in ("publisher", "evidence", "retrieved", "source_url", "framework_short", "nqf_level_label"):
            if not r[col].strip():
                raise ValueError(f"{where}: empty {col}")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["retrieved"]):
            raise ValueError(f"{where}: retrieved {r['retrieved']!r} is not a date (YYYY-MM-DD)")
        for u in r["source_url"].split(" ; "):
            m = re.fullmatch(r"https?://([A-Za-z0-9.-]+)(?::\d+)?(?:[/?#]\S*)?", u.strip())
            if not m:
                raise ValueError(f"{where}: malformed source URL {u!r}")
            if is_mirror(u):
                raise ValueError(f"{where}: {m[1].lower()} is a document mirror, not a source")
            if publisher_of(u) is None:
                raise ValueError(f"{where}: no publisher is known for {m[1].lower()}; add it to "
                                 "microhe/frameworks/sources.py PUBLISHERS or cite its publisher's page")
        publisher = by_name(r["publisher"])
        if publisher is None:
            raise ValueError(f"{where}: publisher {r['publisher']!r} is not in microhe/frameworks/sources.py")
        if not any(publisher_of(u) == publisher for u in r["source_url"].split(" ; ")):
            raise ValueError(f"{where}: no source is on {r['publisher']}'s host {publisher.hosts}")
        if confidence(r["note"]) == CONFIDENCE["Stated"] and not publisher.official:
            raise ValueError(f"{where}: stated, but {r['publisher']} is a third party; cite the official "
                             "page or mark the note 'inferred'/'UNCERTAIN'")
        if r["note"].startswith(NOT_FOUND_MARK) and r["eqf_level"]:
            raise ValueError(f"{where}: '{NOT_FOUND_MARK}' with an EQF level")
    return rows


def read_rows(shared: Path) -> list[dict[str, str]]:
    """The shared CSV's rows, each replaced by the repository's row of the same
    (framework_short, nqf_level_label) where there is one, plus the repository's new rows."""
    repo = read_repo_rows()
    keys = {(r["framework_short"], r["nqf_level_label"]) for r in repo}
    rows = [r for r in read_csv(shared / CSV_REL) if (r["framework_short"], r["nqf_level_label"]) not in keys] + repo
    for r in rows:
        for u in r["source_url"].split(" ; "):
            if is_mirror(u) or publisher_of(u) is None:
                raise ValueError(f"{r['framework_short']} {r['nqf_level_label']}: source {u.strip()!r} is a "
                                 "document mirror or has no known publisher; override the row in " + CSV_REL)
    return rows


def is_not_found(row: dict[str, str]) -> bool:
    """A repository row saying that no usable source gives this level's EQF level."""
    return not row["eqf_level"] and row["note"].startswith(NOT_FOUND_MARK)


def row_note(row: dict[str, str]) -> str:
    """The row's note; a repository row adds its publisher, date and quote."""
    if not row.get("evidence"):
        return row["note"]
    return (f"{row['note']} Evidence ({row['publisher']}, retrieved {row['retrieved']}): "
            f"\u201c{row['evidence']}\u201d")


def sources(row: dict[str, str]) -> list[URIRef]:
    return [URIRef(u.strip()) for u in row["source_url"].split(" ; ") if u.strip()]


def confidence(note: str) -> URIRef:
    """The CSV note's marker: DISPUTED > UNCERTAIN > inferred > (none = stated)."""
    n = note.lower()
    for word, name in (("disputed", "Disputed"), ("uncertain", "Uncertain"), ("inferred", "Inferred")):
        if re.search(rf"\b{word}\b", n):
            return CONFIDENCE[name]
    return CONFIDENCE["Stated"]


def is_credit_row(row: dict[str, str]) -> bool:
    return row["nqf_level_label"].startswith("credit_conversion:")


# ---------------------------------------------------------------------------------------
# Deterministic Turtle writer (sections, fixed predicate order, sorted objects, no bnodes)

PREFIXES = (
    ("rdf", RDF), ("rdfs", RDFS), ("xsd", str(XSD)), ("skos", SKOS), ("dcterms", DCTERMS),
    ("mhe", MHE), ("eqf", EQF_LEVEL), ("qdr", "http://data.europa.eu/snb/qdr/"),
    ("isced", ISCED_F), ("country", COUNTRY),
    ("mode", "http://data.europa.eu/snb/learning-assessment/"),
    ("assessment", "http://data.europa.eu/snb/assessment/"),
    ("setting", "http://data.europa.eu/snb/learning-setting/"),
    ("credit", "http://data.europa.eu/snb/education-credit/"),
)
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
PREDICATE_ORDER = [URIRef(x) for x in (
    SKOS + "inScheme", SKOS + "topConceptOf", SKOS + "notation", SKOS + "prefLabel",
    SKOS + "altLabel", SKOS + "definition", MHE + "levelRank", MHE + "referencedLevel",
    MHE + "eqfLevel", MHE + "referencedToEQF", SKOS + "broader", SKOS + "exactMatch",
    SKOS + "closeMatch", SKOS + "relatedMatch",
    MHE + "sourceSystem", MHE + "targetSystem", MHE + "conversionFactor",
    MHE + "basis", MHE + "disputed",
    MHE + "confidence", MHE + "qualificationTypes", MHE + "typicalECTSMin", MHE + "typicalECTSMax",
    MHE + "hoursPerCreditMin", MHE + "hoursPerCreditMax", DCTERMS + "spatial",
    SKOS + "note", DCTERMS + "source",
)]
_NUMERIC = {str(XSD.integer), str(XSD.decimal), str(XSD.boolean)}


class TurtleWriter:
    def __init__(self, graph: Graph):
        self.g = graph
        self.used: set[str] = set()

    def term(self, t) -> str:
        if isinstance(t, URIRef):
            s = str(t)
            if s == RDF + "type":
                return "a"
            for prefix, ns in PREFIXES:
                if s.startswith(ns) and _LOCAL.fullmatch(s[len(ns):]):
                    self.used.add(prefix)
                    return f"{prefix}:{s[len(ns):]}"
            return f"<{s}>"
        if isinstance(t, Literal):
            if t.datatype is not None and str(t.datatype) in _NUMERIC:
                return str(t)
            return t.n3()
        raise TypeError(f"blank nodes are not written: {t!r}")

    def subject(self, s: URIRef) -> str:
        preds = sorted(set(self.g.predicates(s, None)),
                       key=lambda p: (p != A, PREDICATE_ORDER.index(p) if p in PREDICATE_ORDER
                                      else len(PREDICATE_ORDER), str(p)))
        lines = []
        for p in preds:
            objs = sorted(self.term(o) for o in self.g.objects(s, p))
            lines.append(f"    {self.term(p)} " + " ,\n        ".join(objs))
        return self.term(s) + "\n" + " ;\n".join(lines) + " .\n"

    def write(self, header: list[str], sections: list[tuple[str, list[URIRef]]]) -> str:
        seen: set[URIRef] = set()
        body = []
        for title, subjects in sections:
            body.append(f"# {'-' * 4} {title} {'-' * max(4, 82 - len(title))}\n")
            for s in subjects:
                if s in seen:
                    raise ValueError(f"subject written twice: {s}")
                seen.add(s)
                body.append(self.subject(s))
        missing = set(self.g.subjects()) - seen
        if missing:
            raise ValueError(f"subjects in no section: {sorted(missing)[:5]}")
        prefixes = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES if p in self.used]
        comments = "\n".join("# " + h if h else "#" for h in header)
        return comments + "\n\n" + "\n".join(prefixes) + "\n\n" + "\n".join(body)


# ---------------------------------------------------------------------------------------
# Building the graphs


@dataclass
class Built:
    graph: Graph = field(default_factory=Graph)
    sections: list[tuple[str, list[URIRef]]] = field(default_factory=list)

    def add(self, s, p, o):
        self.graph.add((URIRef(s) if isinstance(s, str) else s, p, o))


def header(title: str, shared: Path, inputs: list[str], extra: list[str],
           repo_inputs: tuple[Path, ...] = ()) -> list[str]:
    lines = [
        f"microhe reference data: {title}",
        "",
        "generated by scripts/generate_reference.py — do not edit by hand",
        "(regenerate: python scripts/generate_reference.py [--shared ../shared])",
        "",
        "Sources (paths relative to the shared folder, ../shared from the repository root):",
    ]
    for rel in inputs:
        lines.append(f"  {rel}  sha256 {sha256(shared / rel)}")
    for path in repo_inputs:
        if path.is_file():
            lines.append(f"  (repository) {path.relative_to(REPO).as_posix()}  sha256 {sha256(path)}")
    if any(rel.startswith(XSD_REL) for rel in inputs):
        lines += [
            f"  {XSD_REL}/*.xsd = {ELM_REPO}",
            f"    commit {ELM_COMMIT}, path {ELM_XSD_PATH}/ (see anchors/elm/README.md)",
        ]
    lines += extra
    lines += [
        "",
        "Licence: this file is part of microhe, EUPL-1.2. The EU controlled-vocabulary",
        "concepts (data.europa.eu/snb/*, publications.europa.eu/resource/authority/*) are EU",
        "Publications Office / DG EMPL reference data, reused with attribution; the ELM",
        "repository they were read from is EUPL-1.2. Every referencing and conversion fact",
        "cites the URLs of its CSV row with dcterms:source.",
    ]
    return lines


def build_frameworks(shared: Path) -> tuple[Graph, str]:
    all_rows = read_rows(shared)
    rows = [r for r in all_rows if not is_credit_row(r)]
    credit_rows = [r for r in all_rows if is_credit_row(r)]
    qdr_ns, qdr_items = read_xsd(shared / XSD_REL / "nqf.xsd")
    eqf_ns, eqf_items = read_xsd(shared / XSD_REL / "eqf.xsd")
    assert qdr_ns == QDR_SCHEME and eqf_ns == EQF_SCHEME, (qdr_ns, eqf_ns)
    qdr_by_label: dict[str, str] = {}
    for iri, lab in qdr_items:
        if lab in qdr_by_label:
            raise ValueError(f"nqf.xsd: label {lab!r} is not unique")
        qdr_by_label[lab] = iri

    b = Built()
    g = b.graph
    QF, FL, LR = mhe("QualificationsFramework"), mhe("FrameworkLevel"), mhe("LevelReferencing")
    CS, CONCEPT = skos("ConceptScheme"), skos("Concept")

    # EQF: the official scheme and levels
    eqf = URIRef(EQF_SCHEME)
    for t in (QF, CS):
        g.add((eqf, A, t))
    g.add((eqf, skos("notation"), Literal("EQF")))
    g.add((eqf, skos("prefLabel"), Literal("European Qualifications Framework", lang="en")))
    g.add((eqf, dct("source"), elm_source("eqf.xsd")))
    eqf_levels = []
    for iri, lab in eqf_items:
        n = iri.rsplit("/", 1)[1]
        lvl = URIRef(level_iri("EQF", n))
        assert str(lvl) == iri
        eqf_levels.append(lvl)
        for t in (FL, CONCEPT):
            g.add((lvl, A, t))
        g.add((lvl, skos("inScheme"), eqf))
        g.add((lvl, skos("notation"), Literal(n)))
        g.add((lvl, skos("prefLabel"), Literal(lab, lang="en")))
        g.add((lvl, skos("altLabel"), Literal(f"EQF level {n}", lang="en")))
        g.add((lvl, mhe("levelRank"), Literal(int(n))))
        g.add((lvl, mhe("referencedToEQF"), lvl))
    eqf_levels.sort(key=lambda u: int(str(u).rsplit("/", 1)[1]))
    b.sections.append(("EQF (official scheme and levels)", [eqf] + eqf_levels))

    # rows per framework
    by_code: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        fw = BY_SHORT.get(r["framework_short"])
        if fw is None:
            raise ValueError(f"framework_short {r['framework_short']!r} is not in the codes table")
        by_code[fw.code].append(r)

    qdr_used: dict[str, str] = {}  # IRI -> label
    for fw in FRAMEWORKS:
        frows = by_code[fw.code]
        f_iri = URIRef(framework_iri(fw.code))
        for t in (QF, CS):
            g.add((f_iri, A, t))
        g.add((f_iri, skos("notation"), Literal(fw.code)))
        g.add((f_iri, skos("prefLabel"), Literal(fw.name_en, lang="en")))
        if fw.native:
            g.add((f_iri, skos("prefLabel"), Literal(fw.native[1], lang=fw.native[0])))
        names = {r["framework_name"] for r in frows}
        labels = {fw.name_en} | ({fw.native[1]} if fw.native else set())
        for name in names - labels:
            g.add((f_iri, skos("altLabel"), Literal(name, lang=fw.native_lang)))
        if fw.csv_short != fw.code:
            g.add((f_iri, skos("altLabel"), Literal(fw.csv_short)))
        for alt in fw.alt:
            g.add((f_iri, skos("altLabel"), Literal(alt)))
        if fw.code == "QNQ-PT":
            g.add((f_iri, skos("editorialNote"), Literal(QNQ_PT_NOTE, lang="en")))
            g.add((f_iri, dct("source"), URIRef("https://www.cedefop.europa.eu/en/tools/nqfs-online-tool/countries/portugal-2022")))
        if fw.qdr_framework is not None:
            if fw.qdr_framework not in qdr_by_label:
                raise ValueError(f"{fw.code}: no QDR framework concept labelled {fw.qdr_framework!r}")
            qiri = URIRef(qdr_by_label[fw.qdr_framework])
            g.add((f_iri, EXACT, qiri))
            qdr_used[str(qiri)] = fw.qdr_framework
        for iso3 in ({r["country_iso3"] for r in frows} | ({fw.country} if fw.country else set())) - {""}:
            g.add((f_iri, dct("spatial"), URIRef(COUNTRY + iso3)))
        for r in frows:
            for src in sources(r):
                g.add((f_iri, dct("source"), src))
        if fw.code == "MQF":
            for r in credit_rows:
                if r["framework_short"] == "MQF":
                    g.add((f_iri, skos("note"), Literal(row_note(r))))
                    for src in sources(r):
                        g.add((f_iri, dct("source"), src))

        # levels
        parsed = [(r, *split_label(fw.code, r["nqf_level_label"])) for r in frows]
        found = {label for _, label, _ in parsed}
        if not found <= set(fw.levels) or (fw.country is None and found != set(fw.levels)):
            raise ValueError(f"{fw.code}: CSV levels {sorted(found)} != codes table {fw.levels}")
        level_subjects, ref_subjects = [], []
        for rank, label in enumerate(fw.levels, start=1):
            lvl = URIRef(level_iri(fw.code, label))
            level_subjects.append(lvl)
            for t in (FL, CONCEPT):
                g.add((lvl, A, t))
            g.add((lvl, skos("inScheme"), f_iri))
            g.add((lvl, skos("notation"), Literal(label)))
            g.add((lvl, skos("prefLabel"), Literal(level_pref_label(fw, label), lang="en")))
            g.add((lvl, mhe("levelRank"), Literal(rank)))
            lrows = [(r, q) for r, lab, q in parsed if lab == label and not is_not_found(r)]
            for r, _, _ in [(r, lab, q) for r, lab, q in parsed if lab == label and is_not_found(r)]:
                g.add((lvl, skos("note"), Literal(row_note(r))))  # why: the sources that were checked
                for src in sources(r):
                    g.add((lvl, dct("source"), src))
            for r, _ in lrows:
                base = _PAREN.match(r["nqf_level_label"].strip())["base"]
                if base != level_pref_label(fw, label):
                    g.add((lvl, skos("altLabel"), Literal(base, lang=fw.native_lang)))
            eqfs = sorted({r["eqf_level"] for r, _ in lrows} - {""}, key=int)
            for n in eqfs:
                g.add((lvl, mhe("referencedToEQF"), URIRef(level_iri("EQF", n))))
            if not lrows:
                g.add((lvl, skos("note"), Literal(NOT_FOUND_NOTE, lang="en")))
            elif not eqfs:
                g.add((lvl, skos("note"), Literal(BELOW_EQF1_NOTE, lang="en")))
            if len(eqfs) > 1:
                g.add((lvl, skos("note"), Literal(
                    f"One-to-many: referenced to EQF levels {' and '.join(eqfs)}; each "
                    "mhe:LevelReferencing node says which qualifications and gives the source.",
                    lang="en")))
            if fw.code == "QF-EHEA":
                lo, hi, text = QF_EHEA_ECTS[label]
                if lo is not None:
                    g.add((lvl, mhe("typicalECTSMin"), dec(lo)))
                    g.add((lvl, mhe("typicalECTSMax"), dec(hi)))
                g.add((lvl, skos("note"), Literal(text, lang="en")))
                for r, _ in lrows:
                    for src in sources(r):
                        g.add((lvl, dct("source"), src))
            for prop, qlabel in qdr_links(fw.code, label):
                if qlabel not in qdr_by_label:
                    raise ValueError(f"{fw.code} {label}: no QDR concept labelled {qlabel!r}")
                qiri = URIRef(qdr_by_label[qlabel])
                g.add((lvl, prop, qiri))
                qdr_used[str(qiri)] = qlabel
                if prop == RELATED:
                    g.add((lvl, skos("note"), Literal(
                        f"The EU QDR list also has '{qlabel}' <{qiri}>, which the referencing "
                        "CSV does not name: it is linked with skos:relatedMatch only, is not a "
                        "level of this framework here and carries no EQF level.", lang="en")))
                if qlabel in QDR_EQF:
                    g.add((lvl, skos("note"), Literal(
                        f"'{qlabel}' <{qiri}> (skos:closeMatch) is the EU QDR concept for the "
                        f"EQF {QDR_EQF[qlabel]} candidate of this level and carries "
                        f"mhe:referencedToEQF EQF {QDR_EQF[qlabel]} itself.", lang="en")))

            # one referencing node per CSV row
            for r, qtypes in lrows:
                n = r["eqf_level"]
                tail = f"eqf-{n}" if n else "below-eqf-1"
                ref = URIRef(f"{REF}referencing/{fw.code}/{level_slug(label)}/{tail}")
                if (ref, None, None) in g:
                    raise ValueError(f"duplicate referencing {ref}")
                ref_subjects.append(ref)
                g.add((ref, A, LR))
                g.add((ref, mhe("referencedLevel"), lvl))
                if n:
                    g.add((ref, mhe("eqfLevel"), URIRef(level_iri("EQF", n))))
                g.add((ref, mhe("confidence"), confidence(r["note"])))
                if qtypes:
                    g.add((ref, mhe("qualificationTypes"), Literal(qtypes)))
                g.add((ref, skos("note"), Literal(row_note(r))))
                for src in sources(r):
                    g.add((ref, dct("source"), src))
        def ref_order(u, fw=fw):
            level = g.value(u, mhe("referencedLevel"))
            return fw.levels.index(str(g.value(level, skos("notation")))), str(u)

        ref_subjects.sort(key=ref_order)
        b.sections.append((f"{fw.code}: framework and levels", [f_iri] + level_subjects))
        b.sections.append((f"{fw.code}: referencing to EQF (one node per CSV row)", ref_subjects))

    # pairings: documented by a referencing / self-certification (PAIRINGS) or a CSV note (CSV_CYCLES)
    pairing_subjects = []
    by_label = {(fw.code, lab): r for fw in FRAMEWORKS for r in by_code[fw.code]
                for lab in [split_label(fw.code, r["nqf_level_label"])[0]]}
    csv_pairings = []
    for (code, lab), cyc in sorted(CSV_CYCLES.items()):
        r = by_label[(code, lab)]
        conf = str(confidence(r["note"])).rsplit("#", 1)[-1]
        csv_pairings.append((code, lab, "QF-EHEA", cyc, conf, tuple(str(u) for u in sources(r)),
                             f"The referencing CSV's note on {code} {lab} names the {cyc} cycle: {r['note']}"))
    for a, la, b2, lb, conf, srcs, note in PAIRINGS + tuple(csv_pairings):
        p = URIRef(f"{REF}pairing/{a}/{level_slug(la)}/{b2}/{level_slug(lb)}")
        pairing_subjects.append(p)
        for lvl in (level_iri(a, la), level_iri(b2, lb)):
            if (URIRef(lvl), A, FL) not in g:
                raise ValueError(f"pairing {p}: no level {lvl}")
            g.add((p, mhe("pairedLevel"), URIRef(lvl)))
        g.add((p, A, mhe("LevelPairing")))
        g.add((p, mhe("confidence"), CONFIDENCE[conf]))
        g.add((p, skos("note"), Literal(note, lang="en")))
        for src in srcs:
            g.add((p, dct("source"), URIRef(src)))
    b.sections.append(("pairings of levels documented by a referencing or a QF-EHEA self-certification",
                       sorted(pairing_subjects)))

    # QDR concepts we link to, so the graph is self-contained
    qdr_scheme = URIRef(QDR_SCHEME)
    g.add((qdr_scheme, A, CS))
    g.add((qdr_scheme, skos("prefLabel"), Literal("EU QDR national qualifications framework levels", lang="en")))
    g.add((qdr_scheme, dct("source"), elm_source("nqf.xsd")))
    qdr_subjects = []
    for iri in sorted(qdr_used):
        q = URIRef(iri)
        qdr_subjects.append(q)
        g.add((q, A, CONCEPT))
        g.add((q, skos("inScheme"), qdr_scheme))
        g.add((q, skos("prefLabel"), Literal(qdr_used[iri], lang="en")))
        if qdr_used[iri] in QDR_EQF:
            g.add((q, mhe("referencedToEQF"), URIRef(level_iri("EQF", QDR_EQF[qdr_used[iri]]))))
    unlinked = sorted(lab for iri, lab in qdr_items if iri not in qdr_used)
    if unlinked:
        raise ValueError(f"{len(unlinked)} QDR concepts of nqf.xsd are linked to no framework or level: {unlinked[:5]}")
    b.sections.append(("EU QDR framework and level concepts linked above (every concept of nqf.xsd; labels from it)",
                       [qdr_scheme] + qdr_subjects))
    text = TurtleWriter(g).write(
        header("qualifications frameworks, levels and their referencing to the EQF", shared,
               [CSV_REL, f"{XSD_REL}/nqf.xsd", f"{XSD_REL}/eqf.xsd"],
               ["", "Data model: docs/data-model.md; conventions: microhe/kg/reference/README.md."],
               (REPO_CSV,)),
        b.sections)
    return g, text


# Credit systems: (code, CSV framework_short of the hours row, label, hours min, hours max)
CREDIT_SYSTEMS = (
    ("ECTS", "ECTS", "European Credit Transfer and Accumulation System", "25", "30"),
    ("UK", "UK-CATS", "UK credit (Credit Accumulation and Transfer)", "10", "10"),
    ("SCQF", "SCQF", "SCQF credit point", "10", "10"),
    ("US-SCH", "US-SCH", "US semester credit hour", "45", "45"),
    ("US-QCH", None, "US quarter credit hour", "30", "30"),   # 2/3 of a semester credit (issue 17)
    ("ECVET", None, "ECVET credit point", None, None),         # no hours per point (issue 17)
    ("HOURS", None, "Notional learning hours", "1", "1"),
)

# Sources read for issue 17 (not rows of the shared CSV).
US_QCH_SOURCES = ("http://www.csulb.edu/divisions/aa/grad_undergrad/aac/tools/unit_conv/",
                  "http://www.cas.unt.edu/advising/quarterhrs.htm")
US_QCH_NOTE = ("A US quarter credit hour is 2/3 of a semester credit hour (three quarters = two semesters "
               "of instruction; registrars multiply quarter units by 2/3), so ~30 h of the ~45 h of a "
               "semester credit; every ECTS figure follows from the semester rules and is as disputed.")
ECVET_SOURCES = ("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32009H0708(02)",
                 "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32020H1202(01)")
ECVET_NOTE = ("ECVET (Recommendation 2009/C 155/02): 60 ECVET points are allocated to the learning outcomes "
              "of one year of full-time formal VET; no hours per point and no official conversion to ECTS. "
              "The Council Recommendation on VET of 24 November 2020 replaced ECVET. The 1:1 figure is only "
              "the analogy of annual volumes (60 points, 60 ECTS per year): disputed.")
# A country's fixed hours per ECTS credit (domain.md section 4), wins over 25-30 h when the
# credential's country is known: (ISO3, hours, sources, note).
NATIONAL_ECTS_HOURS = (
    ("AUT", "25", ("https://uibk.ac.at/studium/organisation/anerkennung-und-ects-zuteilung/index.html.de",),
     "Austria: the Universitätsgesetz 2002 sets one year's workload at 1,500 hours for 60 ECTS credits, "
     "so 1 ECTS = 25 hours (as the University of Innsbruck states it; the statute itself was not read)."),
    ("FIN", "27", ("https://www.oph.fi/english/curricula_and_qualifications/higher_education/university_education",
                   "https://studyguide.jamk.fi/en/study-guide-bachelors-degrees/information-about-bachelors-degree/ects-and-student-workload/"),
     "Finland: one year of full-time study is on average 1,600 hours of student work = 60 credits "
     "(Government Decree 794/2004, as the Finnish National Agency for Education states it), i.e. 26.7 h, "
     "stated as about 27 hours per credit."),
    ("ITA", "25", ("https://www.gazzettaufficiale.it/atto/serie_generale/caricaArticolo?art.versione=1&art.idGruppo=0&art.flagTipoArticolo=0&art.codiceRedazionale=099G0577&art.idArticolo=5&art.idSottoArticolo=1&art.idSottoArticolo1=10&art.dataPubblicazioneGazzetta=2000-01-04&art.progressivo=0",),
     "Italy: 'al credito formativo universitario corrispondono venticinque ore di lavoro per studente' "
     "(DM 509/1999 art. 5, kept by DM 270/2004; ministerial decrees may vary it by up to 20% per class)."),
    ("MLT", "25", ("https://mfhea.mt/interactive-mqf/",), "Malta: 1 ECTS = 25 hours of learning (MFHEA)."),
    ("NLD", "28", ("https://wetten.overheid.nl/BWBR0005682/", "https://www.studiekeuze123.nl/begrippenlijst/ects-studiepunten"),
     "Netherlands: one study credit (studiepunt, ECTS) = 28 hours of study (Higher Education and Research "
     "Act, WHW art. 7.4; 60 credits = 1,680 h a year)."),
)


def build_credit_systems(shared: Path) -> tuple[Graph, str]:
    rows = [r for r in read_rows(shared) if is_credit_row(r)]
    _, credit_items = read_xsd(shared / XSD_REL / "credit-points.xsd")
    credit_ns, _ = read_xsd(shared / XSD_REL / "credit-points.xsd")

    def row(short: str, contains: str) -> dict[str, str]:
        hits = [r for r in rows if r["framework_short"] == short and contains in r["nqf_level_label"]]
        if len(hits) != 1:
            raise ValueError(f"credit row {short!r}/{contains!r}: {len(hits)} matches")
        return hits[0]

    hours_row = {
        "ECTS": row("ECTS", "1 ECTS credit"),
        "UK": row("UK-CATS", "1 UK credit"),
        "SCQF": row("SCQF", "1 SCQF credit point"),
        "US-SCH": row("US-SCH", "US semester credit"),
        "HOURS": row("ECTS", "1 ECTS credit"),  # hours are defined through the ECTS Users' Guide
    }
    extra_sources = {"US-QCH": US_QCH_SOURCES, "ECVET": ECVET_SOURCES}
    extra_notes = {"US-QCH": US_QCH_NOTE, "ECVET": ECVET_NOTE}
    malta = row("MQF", "Malta")
    cmf = row("CMF", "CMF")

    b = Built()
    g = b.graph
    sys_iri = {code: URIRef(f"{REF}credit-system/{code}") for code, *_ in CREDIT_SYSTEMS}
    hours = {}
    for code, short, label, lo, hi in CREDIT_SYSTEMS:
        s = sys_iri[code]
        g.add((s, A, mhe("CreditSystem")))
        g.add((s, skos("notation"), Literal(code)))
        g.add((s, skos("prefLabel"), Literal(label, lang="en")))
        if lo is not None:
            hours[code] = (Decimal(lo), Decimal(hi))
            g.add((s, mhe("hoursPerCreditMin"), dec(lo)))
            g.add((s, mhe("hoursPerCreditMax"), dec(hi)))
        if code in extra_sources:
            g.add((s, skos("note"), Literal(extra_notes[code], lang="en")))
            for src in extra_sources[code]:
                g.add((s, dct("source"), URIRef(src)))
            continue
        r = hours_row[code]
        if short and short != code:
            g.add((s, skos("altLabel"), Literal(short)))
        if short and r["framework_name"] != label:
            g.add((s, skos("altLabel"), Literal(r["framework_name"], lang="en")))
        if code == "HOURS":
            g.add((s, skos("definition"), Literal(
                "One notional hour of learning (the unit of elm:volumeOfLearning); used to "
                "convert workloads stated in hours.", lang="en")))
        else:
            g.add((s, skos("note"), Literal(row_note(r))))
        for src in sources(r):
            g.add((s, dct("source"), src))
    ects = sys_iri["ECTS"]
    g.add((ects, skos("exactMatch"), URIRef(ECTS)))
    g.add((ects, skos("note"), Literal(row_note(malta))))
    for src in sources(malta):
        g.add((ects, dct("source"), src))
    g.add((ects, RDFS_SEEALSO, URIRef(framework_iri("MQF"))))
    for code in ("SCQF",):
        g.add((sys_iri[code], RDFS_SEEALSO, URIRef(framework_iri(code))))
    b.sections.append(("credit systems", [sys_iri[c] for c, *_ in CREDIT_SYSTEMS]))

    # conversion rules (to ECTS; ECTS -> HOURS for workloads)
    rules = []

    def rule(rid, src_code, tgt_code, factor, basis, disputed, notes, srcs):
        r = URIRef(f"{REF}credit-rule/{rid}")
        rules.append(r)
        g.add((r, A, mhe("CreditConversionRule")))
        g.add((r, mhe("sourceSystem"), sys_iri[src_code]))
        g.add((r, mhe("targetSystem"), sys_iri[tgt_code]))
        g.add((r, mhe("conversionFactor"), dec(factor)))
        g.add((r, mhe("basis"), mhe(basis)))
        g.add((r, mhe("disputed"), Literal(disputed)))
        for n in notes:
            g.add((r, skos("note"), n if isinstance(n, Literal) else Literal(n)))
        for s in srcs:
            g.add((r, dct("source"), s))

    def hours_rule(src_code, tgt_code, extra_rows):
        (slo, shi), (tlo, thi) = hours[src_code], hours[tgt_code]
        lo, hi = slo / thi, shi / tlo
        mid = (lo + hi) / 2
        def span(a, z):
            a, z = (format(Decimal(str(dec(x))).normalize(), "f") for x in (a, z))
            return a if a == z else f"{a}-{z}"

        explain = Literal(
            f"Notional hours: 1 {src_code} = {span(slo, shi)} h and 1 {tgt_code} = {span(tlo, thi)} h, "
            f"so 1 {src_code} = {span(lo, hi)} {tgt_code}; conversionFactor is the "
            "midpoint of that range (decimals rounded to 6 places).", lang="en")
        srcs, notes = [], [explain]
        for r in extra_rows:
            srcs += sources(r)
            notes.append(row_note(r))
        rule(f"{src_code}-{tgt_code}-hours" if src_code != "HOURS" and tgt_code != "HOURS"
             else f"{src_code}-{tgt_code}", src_code, tgt_code, mid, "NotionalHoursBasis", False,
             notes, srcs)

    uk_conv = row("UK-CATS", "2 UK credits = 1 ECTS")
    rule("UK-ECTS", "UK", "ECTS", "0.5", "ConventionBasis", False,
         [row_note(uk_conv), Literal("Convention: 2 UK credits = 1 ECTS credit (120 UK = 60 ECTS per "
                                   "year); notional hours give 0.33-0.4, see credit-rule/UK-ECTS-hours.",
                                   lang="en")],
         sources(uk_conv))
    hours_rule("UK", "ECTS", [hours_row["UK"], hours_row["ECTS"]])
    scqf = hours_row["SCQF"]
    rule("SCQF-ECTS", "SCQF", "ECTS", "0.5", "ConventionBasis", False,
         [row_note(scqf), Literal("Convention 2 SCQF credit points = 1 ECTS credit, assumed by analogy "
                                "with UK credit (not seen stated for SCQF); notional hours give "
                                "0.33-0.4, see credit-rule/SCQF-ECTS-hours.", lang="en")],
         sources(scqf))
    hours_rule("SCQF", "ECTS", [hours_row["SCQF"], hours_row["ECTS"]])
    us = hours_row["US-SCH"]
    rule("US-SCH-ECTS", "US-SCH", "ECTS", "2.0", "ConventionBasis", True,
         [row_note(us), Literal("Disputed, non-authoritative rule of thumb (1 US semester credit = "
                              "2 ECTS credits); notional hours give 1.5-1.8, see "
                              "credit-rule/US-SCH-ECTS-hours.", lang="en")],
         sources(us))
    hours_rule("US-SCH", "ECTS", [us, hours_row["ECTS"]])
    rule("US-QCH-ECTS", "US-QCH", "ECTS", Decimal(4) / Decimal(3), "ConventionBasis", True,
         [row_note(us), Literal("Disputed: a quarter credit is 2/3 of a semester credit, so the semester rule "
                              "of thumb (2 ECTS) gives 4/3 ECTS per quarter credit; notional hours give "
                              "1-1.2, see credit-rule/US-QCH-ECTS-hours.", lang="en")],
         sources(us) + [URIRef(u) for u in US_QCH_SOURCES])
    hours_rule("US-QCH", "ECTS", [hours_row["ECTS"]])
    rule("ECVET-ECTS", "ECVET", "ECTS", "1", "ConventionBasis", True,
         [Literal(ECVET_NOTE, lang="en")], [URIRef(u) for u in ECVET_SOURCES])
    hours_rule("HOURS", "ECTS", [hours_row["ECTS"]])
    hours_rule("ECTS", "HOURS", [hours_row["ECTS"]])
    b.sections.append(("conversion rules", sorted(rules, key=str)))

    # a country's fixed hours per ECTS credit
    national = []
    for iso3, h, srcs, note in NATIONAL_ECTS_HOURS:
        n = URIRef(f"{REF}credit-system/ECTS/country/{iso3}")
        national.append(n)
        g.add((n, A, mhe("NationalCreditHours")))
        g.add((n, mhe("creditSystem"), sys_iri["ECTS"]))
        g.add((n, dct("spatial"), URIRef(COUNTRY + iso3)))
        g.add((n, mhe("hoursPerCreditMin"), dec(h)))
        g.add((n, mhe("hoursPerCreditMax"), dec(h)))
        g.add((n, skos("note"), Literal(note, lang="en")))
        for src in srcs:
            g.add((n, dct("source"), URIRef(src)))
    b.sections.append(("fixed hours per ECTS credit by country (win over 25-30 h when the country is known)",
                       national))

    # the official ECTS concept and a sizing guideline
    ects_c = URIRef(ECTS)
    ects_label = dict(credit_items)[ECTS]
    g.add((ects_c, A, skos("Concept")))
    g.add((ects_c, skos("inScheme"), URIRef(credit_ns)))
    g.add((ects_c, skos("prefLabel"), Literal(ects_label, lang="en")))
    g.add((URIRef(credit_ns), A, skos("ConceptScheme")))
    g.add((URIRef(credit_ns), skos("prefLabel"), Literal("Education credit systems (ELM)", lang="en")))
    g.add((URIRef(credit_ns), dct("source"), elm_source("credit-points.xsd")))
    cmf_iri = URIRef(f"{REF}sizing/CMF")
    g.add((cmf_iri, A, dct("Standard")))
    g.add((cmf_iri, skos("notation"), Literal("CMF")))
    g.add((cmf_iri, skos("prefLabel"), Literal(cmf["framework_name"], lang="en")))
    g.add((cmf_iri, skos("note"), Literal(row_note(cmf))))
    for src in sources(cmf):
        g.add((cmf_iri, dct("source"), src))
    b.sections.append(("official ECTS concept (credit-points.xsd) and sizing guideline",
                       [URIRef(credit_ns), ects_c, cmf_iri]))

    text = TurtleWriter(g).write(
        header("credit systems and credit conversion rules", shared,
               [CSV_REL, f"{XSD_REL}/credit-points.xsd"],
               ["", "conversionFactor = target units per source unit. ConventionBasis rules carry a",
                "system's published (or disputed) convention; NotionalHoursBasis rules the midpoint",
                "of the range that the systems' mhe:hoursPerCreditMin/Max give (range in skos:note).",
                "A conversion reports both, never only one."],
               (REPO_CSV,)),
        b.sections)
    return g, text


VOCABULARIES = (
    ("isced-f.xsd", "ISCED-F 2013 fields of education and training"),
    ("europass-modes.xsd", "Modes of learning and assessment (ELM)"),
    ("europass-learning-assessment-types.xsd", "Learning assessment types (ELM)"),
    ("europass-learning-setting-types.xsd", "Learning setting types (ELM)"),
    ("country.xsd", "Countries and territories (EU authority table)"),
)


def build_vocabularies(shared: Path) -> tuple[Graph, str]:
    b = Built()
    g = b.graph
    for xsd_name, scheme_label in VOCABULARIES:
        ns, items = read_xsd(shared / XSD_REL / xsd_name)
        scheme = URIRef(ns)
        g.add((scheme, A, skos("ConceptScheme")))
        g.add((scheme, skos("prefLabel"), Literal(scheme_label, lang="en")))
        g.add((scheme, dct("source"), elm_source(xsd_name)))
        iris = {iri for iri, _ in items}
        subjects = []
        for iri, lab in items:
            c = URIRef(iri)
            subjects.append(c)
            g.add((c, A, skos("Concept")))
            g.add((c, skos("inScheme"), scheme))
            g.add((c, skos("prefLabel"), Literal(lab, lang="en")))
            if xsd_name in ("isced-f.xsd", "country.xsd"):
                code = iri.rsplit("/", 1)[1]
                g.add((c, skos("notation"), Literal(code)))
            if xsd_name == "isced-f.xsd":
                if len(code) == 2:
                    g.add((c, skos("topConceptOf"), scheme))
                else:
                    parent = ISCED_F + code[:-1]
                    if parent not in iris:
                        raise ValueError(f"ISCED-F {code}: no parent {code[:-1]}")
                    g.add((c, skos("broader"), URIRef(parent)))
        b.sections.append((f"{scheme_label} ({xsd_name})", [scheme] + sorted(subjects, key=str)))

    text = TurtleWriter(g).write(
        header("EU controlled vocabularies used by the graph", shared,
               [f"{XSD_REL}/{x}" for x, _ in VOCABULARIES],
               ["", "ISCED-F hierarchy (skos:broader) from code prefixes: 0613 -> 061 -> 06."]),
        b.sections)
    return g, text


BUILDERS = {
    "frameworks.ttl": build_frameworks,
    "credit-systems.ttl": build_credit_systems,
    "vocabularies.ttl": build_vocabularies,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                    help="the shared folder (default: <repo>/../shared)")
    ap.add_argument("--out", type=Path, default=REPO / "microhe" / "kg" / "reference",
                    help="output folder (default: microhe/kg/reference)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if a file in --out differs from what would be generated")
    args = ap.parse_args(argv)
    shared = args.shared.resolve()
    if not (shared / CSV_REL).is_file():
        ap.error(f"{shared / CSV_REL} not found (use --shared)")
    differ = []
    for name, build in BUILDERS.items():
        graph, text = build(shared)
        check = Graph().parse(data=text, format="turtle")  # the text must parse to the graph
        if len(check) != len(graph):
            raise SystemExit(f"{name}: written Turtle has {len(check)} triples, graph {len(graph)}")
        target = args.out / name
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                differ.append(name)
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        print(f"{target}: {len(graph)} triples", file=sys.stderr)
    # docs/qf-coverage.md is generated from frameworks.ttl: written (or checked) with it
    if args.out.resolve() == (REPO / "microhe" / "kg" / "reference").resolve():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import qf_coverage  # noqa: PLC0415 - the sibling script, found through the path set above

        if qf_coverage.main(["--check"] if args.check else []) != 0:
            differ.append("docs/qf-coverage.md")
    if differ:
        print("out of date: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
