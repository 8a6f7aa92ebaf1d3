"""Importers and the operator's context directory: an Open Badge or CTDL record whose issuer
adds a context microhe does not bundle is refused naming the URL, and converted once the
context directory (``microhe import --context-dir`` / ``MICROHE_CONTEXT_DIR`` for the
server) holds it. Nothing is fetched."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from microhe.cli import main
from microhe.importers.errors import ImportFailed
from microhe.importers.registry import import_document
from microhe.rdf.context_dir import open_context_dir

BADGE = Path(__file__).parents[1] / "interop" / "fixtures" / "ob3-edubadge.json"
CTDL = Path(__file__).parents[1] / "interop" / "fixtures" / "ctdl-micro.json"
EXT = "https://badges.example.org/contexts/extension-v1.jsonld"
BASE = "http://127.0.0.1:8000/"


def _with_extension(path: Path, key: str) -> bytes:
    """The fixture with the issuer's extension context added and one term of it used."""
    doc = json.loads(path.read_text("utf-8"))
    ctx = doc["@context"]
    doc["@context"] = [*(ctx if isinstance(ctx, list) else [ctx]), EXT]
    doc[key] = "Cohort 2026"
    return json.dumps(doc).encode()


@pytest.fixture
def context_dir(tmp_path) -> Path:
    d = tmp_path / "ctx"
    d.mkdir()
    (d / "ext.jsonld").write_text(json.dumps({"@context": {"cohortName": "https://badges.example.org/terms#cohortName"}}))
    (d / "index.json").write_text(json.dumps({"contexts": {EXT: "ext.jsonld"}}))
    return d


@pytest.mark.parametrize("fmt,fixture,key", [("ob3", BADGE, "cohortName"), ("ctdl", CTDL, "cohortName")])
def test_an_unbundled_context_is_refused_then_read_from_the_context_dir(fmt, fixture, key, context_dir):
    data = _with_extension(fixture, key)
    with pytest.raises(ImportFailed) as refused:
        import_document(fmt, data, f"x.{fmt}", base=BASE)
    assert EXT in str(refused.value)
    conv = import_document(fmt, data, f"x.{fmt}", base=BASE, contexts=open_context_dir(context_dir))
    plain = import_document(fmt, fixture.read_bytes(), f"x.{fmt}", base=BASE)
    # the same conversion as without the extension (IRIs differ: they are minted from the file's SHA-256)
    assert conv.ntriples().count(b"\n") == plain.ntriples().count(b"\n") > 10


def test_cli_import_takes_the_context_dir(context_dir, tmp_path):
    f = tmp_path / "badge.json"
    f.write_bytes(_with_extension(BADGE, "cohortName"))
    runner = CliRunner()
    refused = runner.invoke(main, ["import", "ob3", str(f)])
    assert refused.exit_code != 0 and EXT in refused.output
    ok = runner.invoke(main, ["import", "ob3", "--context-dir", str(context_dir), str(f)])
    assert ok.exit_code == 0, ok.output
    plain = runner.invoke(main, ["import", "ob3", str(BADGE)])
    def count(out: str) -> str:
        return re.search(r"ob3, (\d+) triples", out).group(1)
    assert count(ok.output) == count(plain.output)
    by_env = runner.invoke(main, ["import", "ob3", str(f)], env={"MICROHE_CONTEXT_DIR": str(context_dir)})
    assert by_env.exit_code == 0, by_env.output


def test_cli_import_refuses_a_broken_context_dir(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "index.json").write_text("{not json")
    r = CliRunner().invoke(main, ["import", "ob3", "--context-dir", str(d), str(BADGE)])
    assert r.exit_code == 2 and "index.json" in r.output


def test_the_server_imports_with_the_context_dir_setting(context_dir, tmp_path):
    from microhe.api.app import create_app
    from microhe.ingest.load import initialise
    from microhe.settings import Settings
    from microhe.store.embedded import Store

    body = _with_extension(BADGE, "cohortName")
    store = Store()
    initialise(store)
    for ctx, status in ((None, 400), (context_dir, 200)):
        settings = Settings(store=tmp_path / "store", base=BASE, warm_indexes=False, context_dir=ctx)
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            r = client.post("/api/import/ob3", content=body, headers={"Accept": "application/json"})
        assert r.status_code == status, r.text
        if status != 200:
            assert EXT in r.text
