"""Every input error is a 4xx with a message, never a 500.

Strings that are not IRIs (no scheme, a space, ``|``, a bad percent escape) used to pass
loose pattern checks and make pyoxigraph raise ``ValueError`` deep inside a handler: 500
on compare, pathways, decisions, Graph Store ``?graph=``, named-query IRI parameters and
linked-data paths such as ``/demo/%zz``. These are the cases schemathesis found
(tests/api/test_schemathesis.py), pinned one by one.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.auth.tokens import TokenFile
from microhe.rdf.iri import InvalidIRI, check_iri, is_absolute_iri
from microhe.settings import Settings
from tests.demo import demo_copy

NOT_IRIS = ["", "x", "no scheme", "http://example.org/%zz", "http://example.org/a|b", "http://example.org/a b",
            "\\©", "http://example.org/%"]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("input-errors")
    store = demo_copy()
    settings = Settings(store=tmp / "store", base="http://127.0.0.1:8000/", warm_indexes=False)
    token = TokenFile.beside(settings.store).add("input-errors")
    client = TestClient(create_app(settings, store), raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    with client:
        yield client
    store.close()


def _refused(r, status: int, *words: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail
    for w in words:
        assert w in detail, detail


@pytest.mark.parametrize("value", NOT_IRIS)
def test_iri_rule_is_the_stores(value):
    assert not is_absolute_iri(value)
    with pytest.raises(InvalidIRI, match="is not an absolute IRI"):
        check_iri(value, "target")


def test_iri_rule_accepts_absolute_iris():
    for value in ("https://w3id.org/microhe/demo/x", "urn:x:y", "mailto:a@b.org", "http://example.org/%20é"):
        assert check_iri(value, "x") == value


@pytest.mark.parametrize("value", NOT_IRIS)
def test_pathways_target_not_an_iri_is_422(api, value):
    _refused(api.get("/api/recognition/pathways", params={"target": value}), 422, "target", "not an absolute IRI")


@pytest.mark.parametrize("value", NOT_IRIS)
def test_compare_credential_not_an_iri_is_422(api, value):
    r = api.post("/api/recognition/compare", json={"credential": value, "requirements": {"eqf": 6}})
    _refused(r, 422, "credential", "not an absolute IRI")


def test_compare_target_and_outcomes_not_iris_are_422(api):
    spec = "https://w3id.org/microhe/demo/credential/dhbw-python-data-wrangling"
    _refused(api.post("/api/recognition/compare", json={"credential": spec, "target": "http://x/%zz"}), 422,
             "not an absolute IRI")
    _refused(api.post("/api/recognition/compare", json={"credential": spec,
                                                         "requirements": {"outcomes": ["http://x/a|b"]}}),
             422, "outcomes")


@pytest.mark.parametrize("param", ["credential", "issuer"])
@pytest.mark.parametrize("value", ["x", "http://example.org/%zz", "http://example.org/a|b"])
def test_list_decisions_filter_not_an_iri_is_422(api, param, value):
    _refused(api.get("/api/recognition/decisions", params={param: value}), 422, param, "absolute IRI")


@pytest.mark.parametrize("field", ["credential", "institution"])
def test_record_decision_with_a_bad_percent_escape_is_422(api, field):
    body = {"credential": "https://w3id.org/microhe/demo/x", "institution": "https://example.org/uni",
            "purpose": "access", "outcome": "recognise", field: "http://example.org/%zz"}
    _refused(api.post("/api/recognition/decisions", json=body), 422, field, "absolute IRI")


@pytest.mark.parametrize("path", ["/demo/%zz", "/ref/%zz", "/%zz", "/demo/a|b", "/demo/%", "/ref/a%2"])
def test_linked_data_path_that_forms_no_iri_is_404(api, path):
    _refused(api.get(path), 404, "not an IRI", "nothing is described here")


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
def test_graph_store_graph_param_not_an_iri_is_400(api, method):
    r = api.request(method, "/rdf-graphs?graph=http://example.org/%25zz", content=b"<a:b> <a:c> <a:d> .",
                    headers={"Content-Type": "application/n-triples"})
    _refused(r, 400, "?graph=", "not an absolute IRI")


def test_named_query_iri_parameter_with_a_bad_escape_is_422(api):
    r = api.get("/api/queries/credential-summary", params={"credential": "http://example.org/%zz"})
    _refused(r, 422, "parameter credential", "not an absolute IRI")


def test_fastapi_validation_422_matches_the_declared_schema(api):
    """The 422 of a missing parameter is FastAPI's list of field errors; the document's
    422 schema says so (and the app's own 422 messages are strings, also declared)."""
    r = api.get("/api/recognition/pathways")
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"] == ["query", "target"]
    doc = api.get("/openapi.json").json()
    declared = doc["paths"]["/api/recognition/pathways"]["get"]["responses"]["422"]
    assert declared["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/InvalidInput"}
    variants = doc["components"]["schemas"]["InvalidInput"]["properties"]["detail"]["anyOf"]
    assert {"type": "string"} in variants
    assert {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}} in variants
