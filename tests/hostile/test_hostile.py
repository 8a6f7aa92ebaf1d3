"""The hostile-input corpus (``cases.json``, ``documents/``; conventions in README.md):
every case is refused with its expected exit code or HTTP status and a message that says
what was wrong, and the store's sorted N-Quads dump is unchanged afterwards."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.ingest.load import initialise
from microhe.store.embedded import Store
from tests.api.writes import make_writable

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases.json").read_text("utf-8"))
DOCUMENTS = CASES["documents"]
REQUESTS = CASES["requests"]


def _params(cases: list[dict], key: str) -> list:
    """A case with ``"pending": "<issue item>"`` is a known hole not yet closed: a strict
    xfail, so closing it makes the run fail until the mark is removed."""
    return [pytest.param(c, id=c[key], marks=[pytest.mark.xfail(strict=True, reason=c["pending"])]
                         if c.get("pending") else []) for c in cases]


MEDIA_TYPES = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".jsonld": "application/ld+json",
               ".nq": "application/n-quads", ".nt": "application/n-triples"}


def _says(text: str, pattern: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def test_every_document_in_the_folder_has_a_case_and_every_case_a_document():
    listed = {c["file"] for c in DOCUMENTS}
    present = {p.name for p in (HERE / "documents").iterdir()}
    assert listed == present


# -- the command line ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_store(demo_dir, tmp_path_factory):
    """This module's copy of the on-disk demo store, and its dump (the CLI must not change it)."""
    path = tmp_path_factory.mktemp("hostile") / "store"
    shutil.copytree(demo_dir, path)
    with Store(path) as s:
        dump = s.dump_bytes()
    return path, dump


@pytest.mark.parametrize("case", _params(DOCUMENTS, "file"))
def test_the_cli_refuses_the_document_and_changes_nothing(case, cli_store, tmp_path):
    store, before = cli_store
    work = tmp_path / "store"
    shutil.copytree(store, work)
    result = CliRunner().invoke(main, ["load", "--store", str(work), str(HERE / "documents" / case["file"])])
    said = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == case["exit"], said
    assert isinstance(result.exception, SystemExit) or result.exception is None, result.exception  # no traceback
    assert _says(said, case["message"]), said
    with Store(work, read_only=True) as s:
        assert s.dump_bytes() == before


# -- HTTP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http(tmp_path_factory, reference_quads):
    w = make_writable(tmp_path_factory.mktemp("hostile-http"), reference_quads)
    initialise(w.store, demo=True)
    yield w
    w.client.__exit__(None, None, None)
    w.store.close()


@pytest.mark.parametrize("case", _params(DOCUMENTS, "file"))
def test_the_graph_store_refuses_the_document_and_changes_nothing(case, http):
    before = http.dump()
    path = HERE / "documents" / case["file"]
    r = http.client.put("/rdf-graphs", params={"graph": "urn:hostile:document"}, content=path.read_bytes(),
                        headers={**http.auth, "Content-Type": MEDIA_TYPES[path.suffix]})
    assert r.status_code == case["status"], r.text
    assert _says(r.text, case["message"]), r.text
    assert http.dump() == before


@pytest.mark.parametrize("case", _params(REQUESTS, "id"))
def test_the_server_refuses_the_request_and_changes_nothing(case, http):
    before = http.dump()
    headers = dict(case.get("headers", {}))
    if case.get("auth"):
        headers.update(http.auth)
    kwargs: dict = {"headers": headers}
    if "body" in case:
        kwargs["content"] = case["body"].encode("utf-8")
    if "json" in case:
        kwargs["json"] = case["json"]
    if "raw_path" in case:
        r = http.client.request(case["method"], case["raw_path"], **kwargs)
    else:
        r = http.client.request(case["method"], case["path"], params=case.get("params"), **kwargs)
    allowed = case.get("status_in", [case.get("status")])
    assert r.status_code in allowed, (r.status_code, r.text[:500])
    assert _says(r.text, case["message"]), r.text[:500]
    assert http.dump() == before
    if "token" in case["id"] or case.get("auth"):
        assert http.token not in r.text
