"""``microhe import csv`` and ``microhe vocab``: the template round trip (template -> fill ->
import --load -> search finds the rows), re-import, refusals with exit 2 and nothing stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from microhe.cli import main
from microhe.store.embedded import Store


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def dump(store_dir: Path) -> list[str]:
    s = Store(store_dir)
    try:
        return sorted(str(q) for q in s.quads())
    finally:
        s.close()


FILLED = [
    {"id": "STAT-1", "title": "Statistik für Data Science", "title_language": "de",
     "issuer": "Hochschule Beispielstadt", "country": "Deutschland", "level": "DQR 6", "credits": "5",
     "credit_system": "ECTS-Punkte", "hours": "150", "mode": "Präsenz", "assessment_type": "Klausur",
     "qa_body": "Beispiel-Akkreditierungsagentur", "accreditation_type": "Programmakkreditierung",
     "learning_outcomes": "Daten statistisch auswerten; Ergebnisse deuten", "language": "Deutsch"},
    {"id": "ML-2", "title": "Apprentissage automatique", "title_language": "fr", "issuer": "Université d'Exemple",
     "country": "FR", "eqf_level": "7", "credits": "6", "hours": "160", "mode": "présentiel",
     "assessment_type": "examen écrit", "qa_body": "Agence d'exemple", "accreditation_type":
     "accréditation de programme", "learning_outcomes": "Entraîner des modèles", "language": "français"},
]


def fill(template: Path, rows: list[dict[str, str]]) -> None:
    if template.suffix == ".xlsx":
        wb = load_workbook(template)
        ws = wb["Specifications"]
        head = [c.value for c in ws[1]]
        for i, r in enumerate(rows, start=3):
            for j, h in enumerate(head, start=1):
                ws.cell(row=i, column=j, value=r.get(h, ""))
        wb.save(template)
    else:
        text = template.read_text("utf-8")
        head = next(csv.reader(io.StringIO(text)))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        for r in rows:
            w.writerow([r.get(h, "") for h in head])
        template.write_text(text + buf.getvalue(), "utf-8")


def test_template_round_trip_xlsx(tmp_path):
    store, book = tmp_path / "s", tmp_path / "courses.xlsx"
    assert run("init", "--store", str(store)).exit_code == 0
    r = run("import", "csv", "--template", str(book))
    assert r.exit_code == 0, r.output
    wb = load_workbook(book)
    assert wb.sheetnames == ["Specifications", "Allowed values"]
    ws = wb["Specifications"]
    assert ws["A1"].value == "id" and ws["A2"].value == "DS-101"
    validated = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    assert {"G2", "M2", "N2", "Q2"} <= validated  # country, mode, assessment_type, accreditation_type
    allowed = [c.value for c in wb["Allowed values"][1]]
    assert "mode" in allowed and "accreditation_type" in allowed
    fill(book, FILLED)
    loaded = run("import", "--store", str(store), "csv", str(book), "--load", "--format", "json")
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.stdout)["loaded"][0]["status"] == "loaded"

    def search(*args: str) -> dict:
        r = run("search", "--store", str(store), "--format", "json", *args)
        assert r.exit_code == 0, r.output
        return {x["label"]: x for x in json.loads(r.stdout)["results"]}  # hits are labelled (issue 17)

    found = search("--text", "Beispielstadt")
    hit = found["Statistik für Data Science"]
    assert (hit["issuer"]["label"], hit["country"], hit["eqf"], hit["ects"]) == ("Hochschule Beispielstadt", "DEU", [6],
                                                                             5.0)
    found = search("--country", "FRA", "--eqf", "7")
    assert found["Apprentissage automatique"]["ects"] == 6.0
    assert "Data wrangling with Python" in search("--country", "DEU", "--eqf", "6", "--mode", "online")

    # an edited title updates the same specification; the file's graph is replaced
    wb = load_workbook(book)
    wb["Specifications"]["B3"] = "Statistik für Data Science (2. Auflage)"
    wb.save(book)
    again = run("import", "--store", str(store), "csv", str(book), "--load", "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["loaded"][0]["status"] == "replaced"
    titles = search("--text", "Beispielstadt")
    assert list(titles) == ["Statistik für Data Science (2. Auflage)"]


def test_template_csv_imports_as_it_is(tmp_path):
    book = tmp_path / "courses.csv"
    assert run("import", "csv", "--template", str(book)).exit_code == 0
    rows = list(csv.reader(io.StringIO(book.read_text("utf-8"))))
    assert len(rows) == 2 and rows[0][0] == "id"
    fill(book, FILLED[1:])
    store = tmp_path / "s"
    run("init", "--store", str(store))
    r = run("import", "--store", str(store), "csv", str(book), "--load")
    assert r.exit_code == 0, r.output


def test_refusals_exit_2_and_store_nothing(tmp_path):
    store = tmp_path / "s"
    run("init", "--store", str(store))
    before = dump(store)
    bad = tmp_path / "bad.csv"
    assert run("import", "csv", "--template", str(bad)).exit_code == 0
    fill(bad, [{**FILLED[0], "mode": "Präsens"}])
    r = CliRunner().invoke(main, ["import", "--store", str(store), "csv", str(bad), "--load"])
    assert r.exit_code == 2
    assert "row 3, column mode: 'Präsens' is not in the list" in r.stderr and "'Präsenz' (Presential)" in r.stderr
    assert dump(store) == before
    # a violation found by validation names the row and column
    gap = tmp_path / "gap.csv"
    assert run("import", "csv", "--template", str(gap)).exit_code == 0
    fill(gap, [{**FILLED[0], "learning_outcomes": ""}])
    r = CliRunner().invoke(main, ["import", "--store", str(store), "csv", str(gap), "--load"])
    assert r.exit_code == 1
    assert "row 3, column learning_outcomes (R3): Violation: M6 learning outcomes" in r.stdout
    assert "credential/" not in r.stdout.split("M6", 1)[0]
    assert dump(store) == before


def test_template_and_option_misuse(tmp_path):
    assert run("import", "csv", "--template", str(tmp_path / "t.ods")).exit_code == 2
    assert run("import", "edc", "--template", str(tmp_path / "t.xlsx")).exit_code == 2
    some = tmp_path / "x.json"
    some.write_text("{}")
    r = CliRunner().invoke(main, ["import", "edc", str(some), "--sheet", "A"])
    assert r.exit_code == 2 and "--sheet and --encoding are options of the csv format" in r.output
    assert CliRunner().invoke(main, ["import", "csv"]).exit_code == 2


def test_vocab_lists_vocabularies_and_values():
    r = run("vocab")
    assert r.exit_code == 0 and "accreditation_type" in r.stdout and "mode" in r.stdout
    r = run("vocab", "accreditation_type", "--format", "json")
    values = {v["label"]: v for v in json.loads(r.stdout)["values"]}
    assert values["Program Quality Assurance"]["iri"] == "http://data.europa.eu/snb/accreditation/820101cba6"
    assert "Programmakkreditierung (de)" in values["Program Quality Assurance"]["aliases"]
    r = run("vocab", "mode")
    assert "Präsenz (de)" in r.stdout and "présentiel (fr)" in r.stdout
    r = CliRunner().invoke(main, ["vocab", "modes"])
    assert r.exit_code == 2 and "closest: mode" in r.output


def test_load_points_a_spreadsheet_to_import_csv(tmp_path):
    book = tmp_path / "courses.csv"
    assert run("import", "csv", "--template", str(book)).exit_code == 0
    r = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "s"), str(book)])
    assert r.exit_code == 2 and "microhe import csv FILE" in r.output
