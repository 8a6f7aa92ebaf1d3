"""One rule turns what a caller has into a side of a comparison: the CLI (a path or an
IRI) and the API (an IRI, a document, requirements) both go through
:func:`microhe.recognition.sides.resolve_side`, so the same document gives the same
comparison either way, and the same mistakes the same refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.cli import main
from microhe.errors import InvalidValue, NotFound
from microhe.ingest.load import Source
from microhe.rdf.iri import InvalidIRI
from microhe.recognition.sides import resolve_side, side_of_argument
from microhe.settings import Settings
from microhe.store.embedded import Store

from .conftest import CANDIDATE, DEMO, TARGET

UPLOAD = Path(__file__).parents[1] / "fixtures" / "upload-applied-data-analysis.ttl"


def test_the_cli_and_the_api_compare_a_document_alike(store_dir, tmp_path):
    r = CliRunner().invoke(main, ["compare", "--store", str(store_dir), str(UPLOAD), "--target", TARGET,
                                  "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    cli = json.loads(r.stdout)
    store = Store(store_dir)
    try:
        with TestClient(create_app(Settings(store=tmp_path / "unused"), store)) as client:
            api = client.post("/api/recognition/compare",
                              json={"document": UPLOAD.read_text(encoding="utf-8"), "target": TARGET}).json()
        side = resolve_side(store, "credential", document=Source.from_path(UPLOAD))
    finally:
        store.close()
    assert (cli["credential"].pop("source"), api["credential"].pop("source")) == (UPLOAD.name, "upload")
    for key in ("credential", "target", "criteria", "recommendation", "credential_validation"):
        assert cli[key] == api[key], key
    validation = side.validation()
    assert validation is not None and validation.model_dump() == cli["credential_validation"]
    assert side.facts.iri == cli["credential"]["iri"]


def test_requirements_from_a_file_and_from_json_make_the_same_target(store_dir, tmp_path):
    requirements = {"eqf": 6, "ects": 5, "title": "wanted"}
    path = tmp_path / "req.json"
    path.write_text(json.dumps(requirements), encoding="utf-8")
    store = Store(store_dir)
    try:
        from_file = side_of_argument(store, str(path), "target")
        given = resolve_side(store, "target", requirements=requirements)
    finally:
        store.close()
    assert from_file.facts == given.facts and from_file.report is None


@pytest.mark.parametrize("kw,error,words", [
    ({}, InvalidValue, "give exactly one of credential (an IRI) or document"),
    ({"iri": CANDIDATE, "requirements": {"eqf": 6}}, InvalidValue, "exactly one"),
    ({"requirements": {"eqf": 6}}, InvalidValue, "requirements describe a target"),
    ({"iri": "not an iri"}, InvalidIRI, "credential: specification 'not an iri' is not an absolute IRI"),
    ({"iri": DEMO + "no-such-credential"}, NotFound, "no specification"),
])
def test_the_refusals_are_the_same_for_every_caller(store_dir, kw, error, words):
    store = Store(store_dir)
    try:
        with pytest.raises(error) as e:
            resolve_side(store, "credential", **kw)
    finally:
        store.close()
    assert words in str(e.value)


def test_a_cli_argument_that_is_neither_a_file_nor_an_iri_is_refused(store_dir):
    r = CliRunner().invoke(main, ["compare", "--store", str(store_dir), "no-such-file.ttl", "--target", TARGET])
    assert r.exit_code == 2
    assert "'no-such-file.ttl' is neither a file nor an absolute IRI" in r.stderr


def test_a_json_ld_document_under_an_unbundled_context_is_compared_with_the_context_dir(store_dir, tmp_path):
    """The uploaded credential of a comparison resolves JSON-LD contexts as `load` does: bundled,
    or from the operator's context directory (`compare --context-dir`, the server's
    MICROHE_CONTEXT_DIR); without it the context is refused, naming its URL."""
    import rdflib

    url = "https://pilot.example.org/contexts/pilot-v1.jsonld"
    ctx_dir = tmp_path / "ctx"
    ctx_dir.mkdir()
    (ctx_dir / "pilot.jsonld").write_text(json.dumps({"@context": {"elm": "http://data.europa.eu/snb/model/elm/"}}))
    (ctx_dir / "index.json").write_text(json.dumps({"contexts": {url: "pilot.jsonld"}}))
    expanded = json.loads(rdflib.Graph().parse(UPLOAD).serialize(format="json-ld"))
    doc = tmp_path / "upload.jsonld"
    doc.write_text(json.dumps({"@context": url, "@graph": expanded}))

    def cli(*extra):
        return CliRunner().invoke(main, ["compare", "--store", str(store_dir), *extra, str(doc), "--target", TARGET,
                                         "--format", "json"])

    refused = cli()
    assert refused.exit_code == 2 and url in refused.output
    from_jsonld = json.loads(cli("--context-dir", str(ctx_dir)).stdout)
    from_turtle = json.loads(CliRunner().invoke(
        main, ["compare", "--store", str(store_dir), str(UPLOAD), "--target", TARGET, "--format", "json"]).stdout)
    assert from_jsonld["criteria"] == from_turtle["criteria"]
    assert from_jsonld["recommendation"] == from_turtle["recommendation"]
    store = Store(store_dir)
    try:
        for context_dir, status in ((None, 400), (ctx_dir, 200)):
            settings = Settings(store=tmp_path / "unused", context_dir=context_dir)
            with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
                r = client.post("/api/recognition/compare",
                                json={"document": doc.read_text(), "document_format": "application/ld+json",
                                      "target": TARGET})
            assert r.status_code == status, r.text
            if status == 200:
                assert r.json()["criteria"] == from_turtle["criteria"]
    finally:
        store.close()
