"""``POST /api/import/{format}``: the converted RDF by content negotiation plus the report;
storing needs a token; bad input is a 4xx with a message and nothing is stored."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient

from microhe.api.app import create_app
from microhe.auth.tokens import TokenFile
from microhe.settings import Settings
from microhe.store.embedded import Store
from tests.importers.conftest import anchor

MC = "elm/v3.1-master/examples-jsonld/Sample-MC-Annex1-signed.jsonld"
BADGE = "openbadges3-clr2/examples/basicOpenBadgeCredential__Sample_OpenBadgeCredential.json"


@pytest.fixture
def api(tmp_path):
    from microhe.ingest.load import initialise

    store = Store()
    initialise(store)
    settings = Settings(store=tmp_path / "store", base="http://127.0.0.1:8000/", warm_indexes=False)
    token = TokenFile.beside(settings.store).add("importer")
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
        yield client, store, token


def _state(store: Store) -> list[str]:
    return sorted(str(q) for q in store.quads())


def test_converts_with_content_negotiation(api):
    client, _, _ = api
    body = anchor(BADGE).read_bytes()
    r = client.post("/api/import/auto", content=body)
    assert r.status_code == 200 and r.json()["format"] == "ob3"
    assert r.json()["specifications"][0]["title"] == ["Teamwork"] and "@prefix elm:" in r.json()["rdf"]
    for mt in ("text/turtle", "application/ld+json", "application/n-quads"):
        r = client.post("/api/import/ob3", content=body, headers={"Accept": mt})
        assert r.status_code == 200 and r.headers["content-type"].startswith(mt)
        assert json.loads(r.headers["x-microhe-import"])["specifications"] == 1
        assert "Teamwork" in r.text


def test_storing_needs_a_token_and_is_idempotent(api):
    client, store, token = api
    body = anchor(MC).read_bytes()
    before = _state(store)
    assert client.post("/api/import/edc?load=true&profile=consistency", content=body).status_code == 401
    refused = client.post("/api/import/edc?load=true", content=body, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422 and "M11" in refused.text
    assert _state(store) == before
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.post("/api/import/edc?load=true&profile=consistency&name=mc.jsonld", content=body, headers=auth)
    assert ok.status_code == 200 and ok.json()["loaded"]["status"] == "loaded"
    again = client.post("/api/import/edc?load=true&profile=consistency&name=mc.jsonld", content=body, headers=auth)
    assert again.json()["loaded"]["status"] == "unchanged"
    dry = client.post("/api/import/edc?dry-run=true&name=mc.jsonld", content=body)
    assert dry.json()["dry_run"]["status"] == "unchanged"


def _b64(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("fmt,body,status,words", [
    ("nope", lambda: b"{}", 422, "unknown import format"),
    ("ob3", lambda: anchor(BADGE).read_bytes()[:200], 400, "truncated"),
    ("ob3", lambda: f"{_b64({'alg': 'none'})}.{_b64(json.loads(anchor(BADGE).read_bytes()))}.".encode(), 400,
     "alg 'none'"),
    ("ob3", lambda: f"{_b64({'alg': 'ES256'})}.@@.{_b64(b'x')}".encode(), 400, "not a compact JWT"),
    ("edc", lambda: anchor(BADGE).read_bytes(), 400, "not a Europass EDC document"),
    ("ob3", lambda: json.dumps({"@context": ["https://example.org/ctx"], "type": ["OpenBadgeCredential"]}).encode(),
     400, "never fetched"),
    ("ctdl", lambda: anchor("ctdl/competency-frameworks/DQP.jsonld").read_bytes(), 422,
     "nothing to import: found ceasn:Competency"),
    ("auto", lambda: b"\xef\xbb\xbf" + b"[1, 2", 400, "invalid JSON"),
])
def test_bad_input_is_refused_and_nothing_stored(api, fmt, body, status, words):
    client, store, token = api
    before = _state(store)
    r = client.post(f"/api/import/{fmt}?load=true", content=body(), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert _state(store) == before


def test_a_50_mb_body_is_refused(api):
    client, store, _ = api
    r = client.post("/api/import/auto", content=b" " * (50 * 1024 * 1024))
    assert r.status_code == 413
