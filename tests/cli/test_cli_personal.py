"""`microhe load` refuses learner data in any vocabulary, or strips it with the opt-in.

The fixtures (tests/fixtures/personal/) are appended to the conforming specification
tests/fixtures/spec-valid.ttl. A refusal exits 1, names the learner nodes and why, and
leaves the store's sorted N-Quads dump unchanged; ``--strip-personal-data`` loads the rest
without any of the personal markers. Institution data loads as sent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.store.embedded import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
PERSONAL = FIXTURES / "personal"
MARKERS = (b"Zelda", b"Xanthopoulou", b"1990-04-01", b"zelda.x@")
#: One of each kind: typed and untyped, linked to an award and free-standing, four vocabularies.
CASES = ["learner-linked-schema-http", "learner-linked-foaf", "learner-linked-vcard", "learner-linked-unknown",
         "learner-free-schema", "learner-free-untyped", "learner-contact-untyped-owner"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def dump(reference_store_dir: Path) -> bytes:
    s = Store(reference_store_dir)
    try:
        return s.dump_bytes()
    finally:
        s.close()


def document(tmp_path: Path, fixture: str) -> Path:
    out = tmp_path / f"{fixture}.ttl"
    out.write_text((FIXTURES / "spec-valid.ttl").read_text() + "\n" + (PERSONAL / f"{fixture}.ttl").read_text())
    return out


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory) -> Path:
    """A store holding only the bundled reference data (copied per test: init costs)."""
    path = tmp_path_factory.mktemp("personal") / "store"
    assert run("init", "--store", path).exit_code == 0
    return path


@pytest.fixture
def reference_store_dir(empty_store, tmp_path) -> Path:
    shutil.copytree(empty_store, tmp_path / "store")
    return tmp_path / "store"


@pytest.mark.parametrize("fixture", CASES)
def test_load_refuses_learner_data_then_strips_it_on_request(reference_store_dir, tmp_path, fixture):
    doc = document(tmp_path, fixture)
    before = dump(reference_store_dir)
    r = run("load", "--store", reference_store_dir, doc)
    assert r.exit_code == 1, r.output
    assert "--strip-personal-data" in r.stderr and "learner" in r.stderr
    assert not [m for m in MARKERS if m.decode() in r.stderr], r.stderr
    assert dump(reference_store_dir) == before

    r = run("load", "--store", reference_store_dir, doc, "--strip-personal-data", "--format", "json")
    assert r.exit_code == 0, r.output
    [outcome] = json.loads(r.stdout)["files"]
    assert outcome["personal_quads_stripped"] > 0 and outcome["personal_data_stripped"]
    after = dump(reference_store_dir)
    assert b"https://example.org/test/spec" in after
    assert not [m for m in MARKERS if m in after]


@pytest.mark.parametrize("fixture", ["institution-names-and-emails", "institution-named-contact"])
def test_institution_data_loads_as_sent(reference_store_dir, tmp_path, fixture):
    r = run("load", "--store", reference_store_dir, document(tmp_path, fixture))
    assert r.exit_code == 0, r.output
    after = dump(reference_store_dir)
    assert b"college.example" in after or b"programme-office@university.example" in after
