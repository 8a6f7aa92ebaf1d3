"""Operations: ``/health`` (the process answers), ``/ready`` (the store answers and the
search views describe its current state) and one log line per refused or failed request
(``microhe.api.http.requestlog``) that never holds a token or a query text."""

from __future__ import annotations

import hashlib
import logging
import re

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.auth.tokens import TokenFile
from microhe.recognition.warm import VIEWS, warm
from microhe.store.embedded import Store

from .conftest import make_settings

LOGGER = "microhe.requests"


def app_over(tmp_path, store: Store | None = None, **overrides):
    return create_app(make_settings(tmp_path, **overrides), store if store is not None else Store())


# -- /health and /ready ------------------------------------------------------------------


def test_health_answers_ok(tmp_path):
    client = TestClient(app_over(tmp_path))
    r = client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_ready_is_503_until_the_views_are_built_and_again_after_a_write(tmp_path):
    store = Store()
    # no lifespan (no `with`): the background warmer does not run, the test builds the views
    client = TestClient(app_over(tmp_path, store, warm_indexes=True))
    r = client.get("/ready")
    assert r.status_code == 503, r.text
    doc = r.json()
    assert doc["status"] == "not ready" and doc["store"] == "ok"
    assert set(doc["views_pending"]) == {name for name, _ in VIEWS}

    warm(store)
    r = client.get("/ready")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "store": "ok", "views_pending": []}

    store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    r = client.get("/ready")
    assert r.status_code == 503 and r.json()["views_pending"]


def test_ready_without_background_warming_needs_only_the_store(tmp_path):
    client = TestClient(app_over(tmp_path, warm_indexes=False))
    r = client.get("/ready")
    assert r.status_code == 200, r.text
    assert r.json()["views_pending"] == []


def test_ready_is_503_when_the_store_cannot_be_read(tmp_path):
    store = Store()
    warm(store)
    client = TestClient(app_over(tmp_path, store, warm_indexes=True))
    store.close()
    r = client.get("/ready")
    assert r.status_code == 503
    assert r.json()["status"] == "not ready" and r.json()["store"] != "ok"


# -- the request log ---------------------------------------------------------------------

LINE = re.compile(r"^(?P<kind>refused|failed) (?P<status>\d{3}) (?P<method>[A-Z]+) (?P<path>\S+) "
                  r"client=(?P<client>\S+) reason=(?P<reason>\".*\")(?: query_sha256=(?P<sha>[0-9a-f]{12}))?$")


def request_lines(caplog) -> list[re.Match]:
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return matches


@pytest.fixture
def writable_app(tmp_path):
    settings = make_settings(tmp_path, store=tmp_path / "store", warm_indexes=False)
    token = TokenFile.beside(settings.store).add("ops")
    return TestClient(create_app(settings, Store())), token


def test_a_refused_query_logs_one_line_with_client_reason_and_query_hash(tmp_path, caplog):
    client = TestClient(app_over(tmp_path, warm_indexes=False))
    query = "SELECT * WHERE { ?s ?p }"
    caplog.set_level(logging.INFO, logger=LOGGER)
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400
    (m,) = request_lines(caplog)
    assert (m["kind"], m["status"], m["method"], m["path"]) == ("refused", "400", "GET", "/sparql")
    assert m["client"] == "testclient:50000"
    assert "syntax error" in m["reason"]
    assert m["sha"] == hashlib.sha256(query.encode()).hexdigest()[:12]
    assert query not in caplog.text and "?s ?p" not in caplog.text


def test_a_posted_query_is_hashed_not_logged(tmp_path, caplog):
    client = TestClient(app_over(tmp_path, warm_indexes=False))
    query = "SELECT * WHERE { ?secret_var_name ?p }"
    caplog.set_level(logging.INFO, logger=LOGGER)
    r = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400
    (m,) = request_lines(caplog)
    assert m["method"] == "POST" and m["sha"] == hashlib.sha256(query.encode()).hexdigest()[:12]
    assert "secret_var_name" not in caplog.text


def test_tokens_never_reach_the_log(writable_app, caplog):
    client, token = writable_app
    caplog.set_level(logging.DEBUG)  # every logger, every level
    update = "INSERT DATA { <urn:a> <urn:b> }"  # a syntax error: refused after the token check
    r1 = client.post("/update", content=update, headers={"Authorization": f"Bearer {token}",
                                                          "Content-Type": "application/sparql-update"})
    r2 = client.post("/update", content=update, headers={"Authorization": "Bearer WRONG-TOKEN-VALUE",
                                                          "Content-Type": "application/sparql-update"})
    r3 = client.get("/sparql?query=ASK%7B%7D&access_token=URL-TOKEN-VALUE")
    assert (r1.status_code, r2.status_code, r3.status_code) == (400, 403, 400)
    lines = request_lines(caplog)
    assert [(m["status"], m["path"]) for m in lines] == [("400", "/update"), ("403", "/update"), ("400", "/sparql")]
    assert lines[0]["sha"] == hashlib.sha256(update.encode()).hexdigest()[:12]
    # everything the server side logged, at any level (httpx is the test's own client)
    server_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "refused 400 GET /sparql" in server_log
    for secret in (token, "WRONG-TOKEN-VALUE", "URL-TOKEN-VALUE", "urn:a"):
        assert secret not in server_log


def test_successful_requests_are_not_logged(tmp_path, caplog):
    client = TestClient(app_over(tmp_path, warm_indexes=False))
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert client.get("/health").status_code == 200
    assert request_lines(caplog) == []


def test_an_unhandled_error_logs_one_failed_line(tmp_path, caplog):
    app = app_over(tmp_path, warm_indexes=False)

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("kaput")

    client = TestClient(app, raise_server_exceptions=False)
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert client.get("/boom-for-test?x=1").status_code == 500
    (m,) = request_lines(caplog)
    assert (m["kind"], m["status"], m["path"]) == ("failed", "500", "/boom-for-test")
    assert "RuntimeError: kaput" in m["reason"]


def test_a_validation_error_logs_where_and_what_but_not_the_input(tmp_path, caplog):
    client = TestClient(app_over(tmp_path, warm_indexes=False))
    caplog.set_level(logging.INFO, logger=LOGGER)
    r = client.get("/api/credentials", params={"limit": "NOT-A-NUMBER-VALUE"})
    assert r.status_code == 422 and "NOT-A-NUMBER-VALUE" in r.text  # FastAPI echoes the input to the client
    (m,) = request_lines(caplog)
    assert m["status"] == "422" and "limit" in m["reason"]
    assert "NOT-A-NUMBER-VALUE" not in "\n".join(r.getMessage() for r in caplog.records if r.name == LOGGER)
