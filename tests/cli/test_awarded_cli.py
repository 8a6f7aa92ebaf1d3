"""The command line shows an awarded Europass credential's specification with its issuer's
country and flags what it lacks (issue 16): ``microhe load --strip-personal-data --profile
consistency`` of the official sample (facts by hand in tests/recognition/test_awarded.py:
"Digital micro-credential creation", EQF 6, 2 ECTS, issuer in IRL, no quality assurance),
then ``microhe search`` and ``microhe compare`` in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / ".." / "shared" / "anchors" / "esco" / "ELM-Sample-MC-Annex1-unsigned.jsonld").resolve()
MC = "urn:epass:qualification:1"

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/anchors is absent")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("edc") / "store")
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--store", path]).exit_code == 0
    # the default profiles refuse it (M11), as they should; consistency alone lets it in
    refused = runner.invoke(main, ["load", "--store", path, "--strip-personal-data", str(SAMPLE)])
    assert refused.exit_code == 1 and "M11" in refused.output
    r = runner.invoke(main, ["load", "--store", path, "--strip-personal-data", "--profile", "consistency",
                             str(SAMPLE)])
    assert r.exit_code == 0, r.output
    return path


def test_search_text_shows_the_country_and_the_flag(store):
    r = CliRunner().invoke(main, ["search", "--store", store, "--text", "micro-credential creation"])
    assert r.exit_code == 0, r.output
    [line] = [x for x in r.output.splitlines() if MC in x]
    assert "IRL" in line and "Digital micro-credential creation" in line and line.endswith("[incomplete: M11]")


def test_search_json_carries_issuer_country_and_incomplete(store):
    r = CliRunner().invoke(main, ["search", "--store", store, "--country", "IRL", "--format", "json"])
    assert r.exit_code == 0, r.output
    [hit] = [h for h in json.loads(r.output)["results"] if h["iri"] == MC]
    assert (hit["issuer"]["iri"], hit["country"], hit["eqf"], hit["ects"], hit["incomplete"]) == (
        "urn:epass:org:1", "IRL", [6], 2.0, ["M11"])


def test_compare_text_flags_the_incomplete_credential(store, tmp_path):
    target = tmp_path / "requirements.json"
    target.write_text(json.dumps({"eqf": 6, "ects": 2}))
    r = CliRunner().invoke(main, ["compare", "--store", store, MC, "--target", str(target)])
    assert r.exit_code == 0, r.output
    assert "credential incomplete: M11" in r.output
