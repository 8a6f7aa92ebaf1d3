"""``microhe validate`` and ``microhe load`` read relative IRIs the same way: against the
instance base (``MICROHE_BASE``, default ``http://127.0.0.1:8000/``), or against the
``--base`` both accept. Before, ``validate`` exited 2 asking for ``base_iri`` (a Python
parameter) while ``load`` resolved the same file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.settings import Settings
from microhe.store.embedded import Store

VALID = Path(__file__).parent / "fixtures" / "spec-valid.ttl"
OTHER_BASE = "https://credentials.example.org/"
#: MICROHE_BASE unset for the CLI: the default base applies
ENV = {"MICROHE_BASE": None, "MICROHE_STORE": None}


def relative_spec(tmp_path: Path, *, conforming: bool = True) -> Path:
    text = VALID.read_text(encoding="utf-8").replace("ex:spec a elm:Qualification", "<credential/x> a elm:Qualification")
    assert "<credential/x>" in text
    if not conforming:  # no title: a violation whose focus node is the relative IRI, resolved
        text = text.replace('    dcterms:title "Test micro-credential in data analysis"@en ;\n', "")
    path = tmp_path / "relative.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], env=ENV, catch_exceptions=False)


def focus_nodes(output: str) -> set[str]:
    doc = json.loads(output)
    return {r["focus_node"] for f in doc["files"] for r in f["results"]}


def subjects(store_dir: Path) -> set[str]:
    with Store(store_dir) as s:
        return {q.subject.value for q in s.quads() if hasattr(q.subject, "value")}


@pytest.mark.parametrize("base", [None, OTHER_BASE])
def test_validate_and_load_accept_relative_iris_and_resolve_them_alike(tmp_path, base):
    expected = (base or Settings().base) + "credential/x"
    path = relative_spec(tmp_path)
    opts = ["--base", base] if base else []
    v = cli("validate", path, *opts)
    assert v.exit_code == 0, v.output
    store_dir = tmp_path / "store"
    loaded = cli("load", "--store", store_dir, path, *opts)
    assert loaded.exit_code == 0, loaded.output
    got = subjects(store_dir)
    assert expected in got
    assert not any(s.endswith("credential/x") and s != expected for s in got)


@pytest.mark.parametrize("base", [None, OTHER_BASE])
def test_validate_and_load_report_the_same_resolved_focus_node(tmp_path, base):
    expected = (base or Settings().base) + "credential/x"
    path = relative_spec(tmp_path, conforming=False)
    opts = ["--base", base] if base else []
    v = cli("validate", path, "--format", "json", *opts)
    assert v.exit_code == 1, v.output
    loaded = cli("load", "--store", tmp_path / "store", path, "--format", "json", *opts)
    assert loaded.exit_code == 1, loaded.output
    assert expected in focus_nodes(v.stdout)
    assert focus_nodes(v.stdout) == focus_nodes(loaded.stdout)


def test_a_base_that_is_not_an_absolute_iri_is_a_usage_error(tmp_path):
    r = cli("validate", relative_spec(tmp_path), "--base", "not-an-iri")
    assert r.exit_code == 2 and "--base" in r.output and "not an absolute IRI" in r.output
