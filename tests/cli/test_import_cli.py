"""``microhe import``: convert, --load (validated, all or nothing, idempotent, withdrawn by
drop), --dry-run, and bad input (exit 2, a clear message, nothing stored)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.store.embedded import Store
from tests.importers.conftest import anchor

MC = "elm/v3.1-master/examples-jsonld/Sample-MC-Annex1-signed.jsonld"
BADGE = "openbadges3-clr2/examples/basicOpenBadgeCredential__Sample_OpenBadgeCredential.json"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def dump(store_dir: Path) -> list[str]:
    s = Store(store_dir)
    try:
        return sorted(str(q) for q in s.quads())
    finally:
        s.close()


def test_convert_shows_turtle_and_the_report(tmp_path):
    r = run("import", "--store", str(tmp_path / "s"), "auto", str(anchor(MC)))
    assert r.exit_code == 0, r.output
    assert "Digital micro-credential creation" in r.stdout and "@prefix elm:" in r.stdout
    assert "seal: present, not verified" in r.stderr and "dropped: the learner (M1)" in r.stderr


def test_load_is_validated_idempotent_and_withdrawn_by_drop(tmp_path):
    store = tmp_path / "s"
    refused = run("import", "--store", str(store), "edc", str(anchor(MC)), "--load")
    assert refused.exit_code == 1 and "M11" in refused.stdout  # the official sample lacks M11
    run("init", "--store", str(store))
    before = dump(store)
    assert run("import", "--store", str(store), "edc", str(anchor(MC)), "--load").exit_code == 1
    assert dump(store) == before  # nothing half-loaded
    ok = run("import", "--store", str(store), "edc", str(anchor(MC)), "--load", "--profile", "consistency",
             "--format", "json")
    assert ok.exit_code == 0, ok.output
    loaded = json.loads(ok.stdout)["loaded"][0]
    assert loaded["status"] == "loaded" and loaded["graph"].endswith("/graph/Sample-MC-Annex1-signed.jsonld")
    again = run("import", "--store", str(store), "edc", str(anchor(MC)), "--load", "--profile", "consistency")
    assert again.exit_code == 0 and "already imported" in again.stderr
    dry = run("import", "--store", str(store), "edc", str(anchor(MC)), "--dry-run", "--format", "json")
    assert json.loads(dry.stdout)["dry_run"][0]["status"] == "unchanged"
    s = Store(store)
    record = {str(q.predicate).rsplit("#", 1)[-1][:-1]: q.object.value for q in s.quads(
        "https://w3id.org/microhe/graph/meta") if "importFormat" in str(q.predicate) or "signatureStatus"
        in str(q.predicate) or "sourceSha256" in str(q.predicate)}
    s.close()
    import hashlib

    assert record == {"importFormat": "edc", "signatureStatus": "present, not verified",
                      "sourceSha256": hashlib.sha256(anchor(MC).read_bytes()).hexdigest()}
    assert run("drop", "--store", str(store), loaded["graph"]).exit_code == 0
    assert dump(store) == before


def _b64(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BAD = {
    "truncated.json": (lambda: anchor(BADGE).read_bytes()[:300], "truncated"),
    "bom.json": (lambda: b"\xef\xbb\xbf" + b'{"a": ', "invalid JSON"),
    "alg-none.jwt": (lambda: f"{_b64({'alg': 'none'})}.{_b64(json.loads(anchor(BADGE).read_bytes()))}.".encode(),
                     "alg 'none'"),
    "segment.jwt": (lambda: f"{_b64({'alg': 'ES256'})}.%%%.{_b64(b'x')}".encode(), "not a compact JWT"),
    "context.json": (lambda: json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2",
                                                      "https://example.org/unknown-context"],
                                         "type": ["VerifiableCredential", "OpenBadgeCredential"]}).encode(),
                     "example.org/unknown-context.*never fetched"),
    "framework.json": (lambda: anchor("ctdl/competency-frameworks/DQP.jsonld").read_bytes(),
                       "nothing to import: found ceasn:Competency, ceasn:CompetencyFramework"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_exits_2_with_a_message_and_stores_nothing(tmp_path, name):
    make, message = BAD[name]
    f = tmp_path / name
    f.write_bytes(make())
    store = tmp_path / "s"
    run("init", "--store", str(store))
    before = dump(store)
    fmt = "ctdl" if name == "framework.json" else "ob3"
    r = run("import", "--store", str(store), fmt, str(f), "--load")
    assert r.exit_code == 2, r.output
    import re

    assert re.search(message, r.stderr), r.stderr
    assert dump(store) == before


def test_a_bom_is_dropped_and_a_wrong_format_is_named(tmp_path):
    f = tmp_path / "bom-badge.json"
    f.write_bytes(b"\xef\xbb\xbf" + anchor(BADGE).read_bytes())
    assert run("import", "--store", str(tmp_path / "s"), "ob3", str(f)).exit_code == 0
    wrong = run("import", "--store", str(tmp_path / "s"), "edc", str(f))
    assert wrong.exit_code == 2 and "not a Europass EDC document" in wrong.stderr


def test_a_50_mb_file_is_refused_before_reading(tmp_path):
    f = tmp_path / "big.json"
    with f.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    r = run("import", "--store", str(tmp_path / "s"), "auto", str(f))
    assert r.exit_code == 2 and "exceeds the import limit" in r.stderr
