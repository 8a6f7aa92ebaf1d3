"""``microhe export FORMAT IRI... [--out FILE]`` on the on-disk demo store: the document on
stdout or in the file, the loss report on stderr; wrong calls exit 2 with what was wrong,
and the store is never written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.cli.exporting import FORMAT_CHOICES
from microhe.exporters.registry import FORMATS
from microhe.store.embedded import Store

SPEC = "https://w3id.org/microhe/demo/credential/dhbw-python-data-wrangling"


def run(store_dir, *args):
    return CliRunner().invoke(main, ["export", "--store", str(store_dir), *map(str, args)], catch_exceptions=False)


def dump(path) -> bytes:
    s = Store(path)
    try:
        return s.dump_bytes()
    finally:
        s.close()


def test_the_cli_offers_the_registry_formats():
    assert FORMAT_CHOICES == FORMATS


def test_export_to_a_file_with_the_loss_report_on_stderr(store_dir, tmp_path):
    out = tmp_path / "spec.json"
    r = run(store_dir, "ob3", SPEC, "--out", out)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert doc["credentialSubject"]["achievement"]["ECTS"] == 5
    assert f"<{SPEC}> lost: NQF level" in r.stderr and "lost: assessment" in r.stderr


def test_export_to_stdout_and_json_report(store_dir):
    r = run(store_dir, "elm", SPEC)
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == SPEC
    r = run(store_dir, "schemaorg", SPEC, "--report", "json")
    report = json.loads(r.stdout)
    assert report["documents"][0]["@type"] == "EducationalOccupationalCredential"
    assert {"ECTS", "assessment"} <= {x["field"] for x in report["lost"]}


@pytest.mark.parametrize(("args", "says"), [
    (("pdf", SPEC), "Invalid value for 'FORMAT'"),
    (("elm", "https://w3id.org/microhe/demo/credential/nope"), "is not in the graph"),
    (("elm", "https://w3id.org/microhe/ref/org/dhbw"), "is not a specification"),
    (("elm", "not an iri"), "is not an absolute IRI"),
    (("elm", SPEC + "> } ; DROP ALL ; <x"), "is not an absolute IRI"),
    (("elm", *[f"https://example.org/{i}" for i in range(51)]), "51 IRIs exceed the limit of 50"),
])
def test_wrong_calls_exit_2_and_write_nothing(store_dir, args, says):
    before = dump(store_dir)
    r = run(store_dir, *args)
    assert r.exit_code == 2, r.output
    assert says in r.output
    assert dump(store_dir) == before


def test_no_iri_is_a_usage_error(store_dir):
    r = run(store_dir, "elm")
    assert r.exit_code == 2 and "Missing argument 'IRI...'" in r.output
