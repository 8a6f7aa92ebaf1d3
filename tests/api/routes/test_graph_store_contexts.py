"""Graph Store writes: the operator's context directory (Settings.context_dir), dropped
JSON-LD keys in the report, focus-node counts, and 422 when nothing was checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..writes import GRAPH, VALID, make_writable

OB3 = Path(__file__).parents[2] / "rdf" / "fixtures" / "parse" / "ob3-basic.json"
URL = "https://example.org/contexts/pilot-v1.jsonld"
JSONLD = {"Content-Type": "application/ld+json"}
TTL = {"Content-Type": "text/turtle"}
PILOT_DOC = {"@context": URL, "@id": "https://example.org/pilot/spec1", "@type": "Qualification",
             "title": {"en": "Pilot course"}, "pilotScore": 7}


@pytest.fixture
def context_dir(tmp_path) -> Path:
    d = tmp_path / "ctx"
    d.mkdir()
    ctx = {"@context": {"elm": "http://data.europa.eu/snb/model/elm/", "Qualification": "elm:Qualification",
                        "title": {"@id": "http://purl.org/dc/terms/title", "@container": "@language"}}}
    (d / "pilot.jsonld").write_text(json.dumps(ctx))
    (d / "index.json").write_text(json.dumps({"contexts": {URL: "pilot.jsonld"}}))
    return d


@pytest.fixture
def app_with(tmp_path, reference_quads):  # noqa: F811
    made = []

    def factory(**overrides):
        w = make_writable(tmp_path / f"w{len(made)}", reference_quads, **overrides)
        made.append(w)
        return w

    yield factory
    for w in made:
        w.client.__exit__(None, None, None)
        w.store.close()


def test_an_open_badge_is_422_nothing_checked_and_nothing_written(app_with):
    w = app_with()
    before = w.dump()
    # (its learner would be refused first: stripped, the rest is validated as issued)
    r = w.client.put("/rdf-graphs", params={"graph": GRAPH, "strip-personal-data": "true"}, content=OB3.read_bytes(),
                     headers={**w.auth, **JSONLD})
    assert r.status_code == 422, r.text
    body = r.json()
    assert "0 micro-credentials found: nothing was checked" in body["detail"]
    assert "microhe import ob3" in body["detail"]
    assert body["report"]["nothing_checked"] is True
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential" in body["report"]["found_classes"]
    assert w.dump() == before


def test_a_written_graph_reports_the_focus_nodes_checked(app_with):
    w = app_with()
    r = w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=VALID, headers={**w.auth, **TTL})
    assert r.status_code == 201, r.text
    # by hand from conftest_writes.VALID: council-2022 checks ex:spec, its outcome and its
    # accreditation; consistency the spec (credit point, EQF, ISCED-F) and the credit point
    assert r.json()["report"]["checked"] == {"council-2022": 3, "consistency": 2}
    assert r.json()["dropped_keys"] == []


def test_an_unknown_context_is_400_naming_the_url_and_the_setting(app_with):
    w = app_with()
    before = w.dump()
    r = w.client.put("/rdf-graphs", params={"graph": GRAPH}, content=json.dumps(PILOT_DOC),
                     headers={**w.auth, **JSONLD})
    assert r.status_code == 400
    assert URL in r.text and "MICROHE_CONTEXT_DIR" in r.text
    assert w.dump() == before


def test_the_context_dir_setting_resolves_the_context_and_the_report_names_the_dropped_key(app_with, context_dir):
    w = app_with(context_dir=context_dir)
    before = w.dump()
    r = w.client.put("/rdf-graphs", params={"graph": GRAPH, "profile": "council-2022"},
                     content=json.dumps(PILOT_DOC), headers={**w.auth, **JSONLD})
    assert r.status_code == 422, r.text  # a title only: most Annex I elements are missing
    report = r.json()["report"]
    assert report["checked"] == {"council-2022": 1}
    assert report["dropped_keys"] == [{"path": "pilotScore", "key": "pilotScore", "kind": "key"}]
    assert w.dump() == before


def test_openapi_types_the_validation_report(app_with):
    w = app_with()
    spec = w.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "ValidationReport" in schemas
    assert {"conforms", "checked", "nothing_checked", "dropped_keys", "results"} <= set(
        schemas["ValidationReport"]["properties"])
    for method in ("put", "post"):
        answers = spec["paths"]["/rdf-graphs"][method]["responses"]
        for code in ("422", "200", "201"):
            ref = answers[code]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert "ValidationReport" in json.dumps(schemas[ref]["properties"]["report"]), (method, code)
        assert "text/turtle" in answers["422"]["content"]
