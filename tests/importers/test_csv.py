"""The spreadsheet importer (``csv``): every column with a valid, an aliased and an invalid
value; the MicroHE 2018 draft's field names as column aliases; stable IRIs; one rejected
cell refuses the file with its row and column; validation results placed on rows.

Golden values are the official concept IRIs (``microhe/kg/reference`` sources:
``europass-*.xsd``, the country and language authority tables) and hand-written rows."""

from __future__ import annotations

import csv
import io

import pytest

from microhe.errors import InvalidValue
from microhe.importers.registry import import_document
from tests.importers.conftest import BASE, ECTS, EQF, MODE, QDR

ACC = "http://data.europa.eu/snb/accreditation/"
ASSESS = "http://data.europa.eu/snb/assessment/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
LANG = "http://publications.europa.eu/resource/authority/language/"
UNSUPERVISED = "http://data.europa.eu/snb/supervision-verification/c598449d64"

ROW = {"id": "DS-101", "title": "Data wrangling with Python", "issuer": "Example University", "country": "DEU",
       "eqf_level": "6", "credits": "5", "hours": "150", "mode": "Online", "assessment_type": "written examination",
       "qa_body": "Example Agency", "accreditation_type": "Program Quality Assurance",
       "learning_outcomes": "Clean data; Write functions"}


def sheet(*rows: dict[str, str], header: list[str] | None = None, sep: str = ",") -> bytes:
    cols = header or list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    return buf.getvalue().encode("utf-8")


def convert(*rows: dict[str, str], **kw):
    return import_document("csv", sheet(*rows, **kw), "courses.csv", base=BASE)


def triples(conv) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], q.object.value)
            for q in conv.quads}


def objects(conv, predicate: str) -> set[str]:
    return {o for _s, p, o in triples(conv) if p == predicate}


def rejected(*rows: dict[str, str], **kw) -> InvalidValue:
    with pytest.raises(InvalidValue) as e:
        convert(*rows, **kw)
    return e.value


def test_a_row_becomes_a_native_specification():
    conv = convert(ROW)
    [spec] = conv.facts()
    assert spec["iri"].startswith(BASE + "credential/example-university-") and spec["iri"].endswith("/DS-101")
    assert spec["types"] == ["http://data.europa.eu/snb/model/elm/Qualification"]
    assert spec["title"] == ["Data wrangling with Python"] and spec["issuer"] == ["Example University"]
    assert spec["country"] == ["DEU"] and spec["eqf"] == [6] and spec["ects"] == ["5"]
    assert spec["credits"] == [f"{ECTS} 5"] and spec["mode"] == [MODE + "920fbb3cbe"]
    assert spec["assessment"] == [ASSESS + "6e6cb2cc78"] and spec["outcomes"] == ["Clean data", "Write functions"]
    assert objects(conv, "type") >= {ACC + "820101cba6"}
    assert objects(conv, "volumeOfLearning") == {"PT150H"}


# column, valid value -> object IRI/literal expected, aliased value, invalid value, predicate
CELLS = [
    ("country", "DEU", COUNTRY + "DEU", "Deutschland", "Germny", "countryCode"),
    ("country", "Germany", COUNTRY + "DEU", "DE", "Atlantis", "countryCode"),
    ("eqf_level", "6", EQF + "6", "EQF level 6", "9", "EQFLevel"),
    ("level", "DQR 6", QDR + "c_6919ed25", "DQR Niveau 6", "DQR 11", "NQFLevel"),
    ("credits", "5", "5", "5,0", "five", "point"),
    ("credit_system", "ECTS", ECTS, "ECTS-Punkte", "ECTZ", "framework"),
    ("hours", "150", "PT150H", "150 Stunden", "lots", "volumeOfLearning"),
    ("mode", "Online", MODE + "920fbb3cbe", "en ligne", "Präsens", "mode"),
    ("mode", "Presential", MODE + "9191af2ed9", "Präsenz", "presnz", "mode"),
    ("mode", "Blended", MODE + "e92d221e4d", "semipresencial", "bland", "mode"),
    ("assessment_type", "oral examination", ASSESS + "d30284d7df", "mündliche Prüfung", "orale", "type"),
    ("identity_verification", "Unsupervised without ID Verification", UNSUPERVISED, "unsupervised", "watched",
     "idVerification"),
    ("accreditation_type", "Institutional Quality Assurance", ACC + "bb4618238e", "Systemakkreditierung",
     "Institutional Quality", "type"),
    ("isced", "0613", "http://data.europa.eu/snb/isced-f/0613", "613", "0617", "ISCEDFCode"),
    ("language", "German", LANG + "DEU", "Deutsch", "Klingon", "language"),
    ("title_language", "de", "Data wrangling with Python", "DE", "deutsch!", "title"),
    ("url", "https://www.example.org/c", "https://www.example.org/c", "www.example.org/c", "not a url",
     "homepage"),
]


@pytest.mark.parametrize("column,valid,expected,alias,invalid,predicate", CELLS,
                         ids=[f"{c[0]}-{c[1]}" for c in CELLS])
def test_every_column_valid_aliased_and_invalid(column, valid, expected, alias, invalid, predicate):
    for value in (valid, alias):
        conv = convert({**ROW, column: value})
        assert expected in objects(conv, predicate), (column, value)
        fields = [f for f in conv.rows[0]["fields"] if f["column"] == column]
        assert fields and all(f["kind"] in ("mapped", "converted") for f in fields)
    e = rejected({**ROW, column: invalid})
    assert f"row 2, column {column}" in str(e)
    [p] = e.problems
    assert (p.row, p.column, p.value) == (2, column, invalid)


def test_an_unknown_value_names_the_closest_valid_ones():
    e = rejected({**ROW, "mode": "Präsens"})
    assert "'Präsenz' (Presential)" in str(e) and "microhe vocab mode" in str(e)
    e = rejected({**ROW, "assessment_type": "written exm"})
    assert "'written exam' (written examination)" in str(e)
    e = rejected({**ROW, "accreditation_type": "Program Quality"})
    assert "'Program Quality Assurance'" in str(e)


def test_text_columns_and_defaults():
    conv = convert({**ROW, "description": "About data", "entry_requirements": "Python", "title_language": "de"})
    assert ("About data" in objects(conv, "description")) and "Python" in objects(conv, "noteLiteral")
    langs = {q.object.language for q in conv.quads if q.predicate.value.endswith("/title") and
             q.subject.value.endswith("DS-101")}
    assert langs == {"de"}
    rep = convert(ROW).rows[0]["fields"]
    assert {"column": "title_language", "value": "", "kind": "defaulted", "rule": "en"} in rep
    assert any(f["column"] == "credit_system" and f["kind"] == "defaulted" and ECTS in f["rule"] for f in rep)


def test_credit_units_and_other_systems():
    conv = convert({**ROW, "credits": "20", "credit_system": "UK-CATS"})
    assert "https://w3id.org/microhe/ref/credit-system/UK" in objects(conv, "framework")
    conv = convert({**ROW, "credits": "7,5 ECTS"})
    assert objects(conv, "point") == {"7.5"} and objects(conv, "framework") == {ECTS}
    assert "a credit system without credits" in str(rejected({**ROW, "credits": "", "credit_system": "ECTS"}))


def test_ambiguous_level_lists_the_candidates():
    e = rejected({**ROW, "level": "Entry 3"})
    assert "row 2, column level" in str(e) and "RQF" in str(e) and "CQFW" in str(e)


def test_learning_outcomes_text_and_skill_iris():
    skill = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
    conv = convert({**ROW, "learning_outcomes": f"Clean data; {skill}; https://example.org/skill/x"})
    assert objects(conv, "relatedESCOSkill") == {skill}
    assert objects(conv, "relatedSkill") == {"https://example.org/skill/x"}
    assert len(objects(conv, "learningOutcome")) == 3


def test_part_of_names_a_row_of_the_same_issuer_or_an_iri():
    parent = {**ROW, "id": "CERT", "title": "Certificate"}
    conv = convert({**ROW, "part_of": "CERT"}, parent)
    child = next(r["iri"] for r in conv.rows if r["id"] == "DS-101")
    cert = next(r["iri"] for r in conv.rows if r["id"] == "CERT")
    assert (child, "isPartOf", cert) in triples(conv) and (cert, "hasPart", child) in triples(conv)
    e = rejected({**ROW, "part_of": "CERTT"}, parent)
    assert "row 2, column part_of" in str(e) and "closest ids: CERT" in str(e)


MICROHE_2018 = {"adms:identifier": "id", "skos:prefLabel": "title", "dcterms:creator": "issuer",
                "esco:hasECTSCreditPoints": "credits", "esco:volumeOfLearning": "hours",
                "esco:hasISCED-FCode": "isced", "dcterms:description": "learning_outcomes",
                "skos:definition": "description", "esco:hasEntryRequirement": "entry_requirements",
                "dcat:landingPage": "url", "mode of study": "mode", "assessment method": "assessment_type"}


def test_the_microhe_2018_field_names_are_column_aliases():
    row = {**ROW, "isced": "0613", "description": "d", "entry_requirements": "e", "url": "https://example.org/x"}
    by_alias = {alias: row[col] for alias, col in MICROHE_2018.items()}
    rest = {k: v for k, v in row.items() if k not in MICROHE_2018.values()}
    native, aliased = convert(row), convert({**by_alias, **rest})
    assert native.ntriples() == aliased.ntriples()
    assert any(n.what == "column 'esco:hasECTSCreditPoints'" and "credits" in n.rule for n in aliased.notes)


def test_the_iri_is_minted_from_issuer_and_id_so_an_edited_title_keeps_it():
    a, b = convert(ROW), convert({**ROW, "title": "Data wrangling (new edition)", "credits": "6"})
    assert a.rows[0]["iri"] == b.rows[0]["iri"]
    other = convert({**ROW, "issuer": "Other University"})
    assert other.rows[0]["iri"] != a.rows[0]["iri"]
    # the issuer key ignores case, accents and spacing, but not the id
    assert convert({**ROW, "issuer": "  example  UNIVERSITY"}).rows[0]["iri"] == a.rows[0]["iri"]
    assert convert({**ROW, "id": "ds-101"}).rows[0]["iri"] != a.rows[0]["iri"]
    assert a.ntriples() == convert(ROW).ntriples()  # deterministic


def test_an_issuer_iri_is_kept():
    conv = convert({**ROW, "issuer": "https://w3id.org/microhe/ref/org/dhbw"})
    assert conv.facts()[0]["issuer_iri"] == ["https://w3id.org/microhe/ref/org/dhbw"]


def test_duplicate_ids_and_missing_required_cells_name_their_rows():
    e = rejected(ROW, {**ROW, "title": "Again"})
    assert "row 3, column id: the id 'DS-101' of this issuer is already used in row 2" in str(e)
    e = rejected({**ROW, "country": ""}, {**ROW, "id": "X", "title": ""})
    assert "row 2, column country: empty" in str(e) and "row 3, column title: empty" in str(e)
    assert e.rows and e.rows[0]["status"] == "rejected"


def test_every_problem_of_the_file_is_reported_at_once():
    e = rejected({**ROW, "mode": "x"}, {**ROW, "id": "B", "country": "y", "hours": "z"})
    assert [(p.row, p.column) for p in e.problems] == [(2, "mode"), (3, "country"), (3, "hours")]


def test_validation_results_are_placed_on_rows_and_columns():
    from microhe.validation import validate

    conv = convert(ROW, {**ROW, "id": "B", "mode": "", "learning_outcomes": ""})
    report = validate(conv.quads)
    placed = {(v["row"], v["column"]) for v in conv.locate(report.violations)}
    assert placed == {(3, "mode"), (3, "learning_outcomes")}
    assert all(v["where"].startswith("row 3, column ") for v in conv.locate(report.violations))
