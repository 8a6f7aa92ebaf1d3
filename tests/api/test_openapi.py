"""/openapi.json is a valid OpenAPI document and documents every route."""

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from microhe.api import create_app
from microhe.ingest.load import initialise
from microhe.settings import get_settings
from microhe.store.embedded import Store


def test_openapi_document_is_valid_and_every_route_is_documented(tmp_path):
    store = Store()
    initialise(store)
    app = create_app(get_settings(store=tmp_path / "store"), store)
    doc = TestClient(app).get("/openapi.json").json()
    validate(doc)  # raises on an invalid document
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            assert (route.path_format, method) in documented, f"{method} {route.path_format} not in OpenAPI"
            op = doc["paths"][route.path_format][method.lower()]
            assert op.get("summary") or op.get("description"), f"{method} {route.path_format} has no summary"


WRITES = {("/rdf-graphs", "put"), ("/rdf-graphs", "post"), ("/rdf-graphs", "delete"), ("/update", "post"),
          ("/api/recognition/decisions", "post")}


def _document(tmp_path) -> dict:
    store = Store()
    initialise(store)
    return TestClient(create_app(get_settings(store=tmp_path / "store"), store)).get("/openapi.json").json()


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_json_answer_has_a_schema_that_says_what_it_holds(tmp_path):
    """A client can generate types from the document: no 200/201 JSON answer is free-form
    (an object without properties, an array of free-form objects, or no schema)."""
    doc = _document(tmp_path)
    free = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status in ("200", "201"):
                schema = op.get("responses", {}).get(status, {}).get("content", {}).get("application/json", {}).get("schema")
                if schema is None and "application/json" not in op.get("responses", {}).get(status, {}).get("content", {}):
                    continue
                s = _resolve(doc, schema or {})
                if s.get("type") == "array":
                    s = _resolve(doc, s.get("items") or {})
                if not s.get("properties"):
                    free.append(f"{method.upper()} {path} {status}")
    assert not free, f"free-form JSON answers: {free}"


def test_write_operations_require_the_bearer_scheme(tmp_path):
    doc = _document(tmp_path)
    schemes = doc.get("components", {}).get("securitySchemes", {})
    assert schemes.get("bearerAuth", {}).get("type") == "http" and schemes["bearerAuth"].get("scheme") == "bearer", schemes
    missing = [f"{m.upper()} {p}" for p, m in sorted(WRITES)
               if {"bearerAuth": []} not in doc["paths"][p][m].get("security", [])]
    assert not missing, f"write operations without the bearer security requirement: {missing}"
    reads = [f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m, op in ops.items()
             if (p, m) not in WRITES and op.get("security")]
    assert not reads, f"read operations that declare a security requirement: {reads}"


def test_every_operation_has_tags_a_summary_and_a_description_and_every_tag_is_described(tmp_path):
    doc = _document(tmp_path)
    bare = [f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m, op in ops.items()
            if not op.get("tags") or not op.get("summary") or not op.get("description")]
    assert not bare, f"operations without tags, summary or description: {bare}"
    repeated = [f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m, op in ops.items()
                if len(set(op.get("tags", []))) != len(op.get("tags", []))]
    assert not repeated, f"operations listing a tag twice: {repeated}"
    described = {t["name"] for t in doc.get("tags", []) if t.get("description")}
    used = {t for ops in doc["paths"].values() for op in ops.values() for t in op.get("tags", [])}
    assert used <= described, f"tags without a description in openapi_tags: {sorted(used - described)}"
