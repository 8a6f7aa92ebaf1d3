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
          ("/rdf-graphs/{path}", "put"), ("/rdf-graphs/{path}", "post"), ("/rdf-graphs/{path}", "delete"),
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


#: Parts of a 2xx answer that are open objects on purpose, each with its reason:
#: the SHACL report of a Graph Store write belongs to the validation package, which
#: describes (and is changing) its own shape; a named query's row maps that query's own
#: variables (listed in the answer's ``variables``) to values.
OPEN_ON_PURPOSE = {"GraphWritten.report", "NamedQueryAnswer.rows[]"}


def _free_form_parts(doc: dict, schema: dict, where: str, seen: set[str]) -> list[str]:
    """Every object inside ``schema`` (fields, list items, union members, map values) that
    says nothing of what it holds: no properties and no typed ``additionalProperties``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _free_form_parts(doc, doc["components"]["schemas"][name], name, seen)
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []):
            found += _free_form_parts(doc, member, where, seen)
    if schema.get("type") == "array":
        found += _free_form_parts(doc, schema.get("items") or {}, f"{where}[]", seen)
    if schema.get("type") == "object" or "properties" in schema:
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            found += _free_form_parts(doc, extra, f"{where}{{}}", seen)
        elif "properties" not in schema and where not in OPEN_ON_PURPOSE:
            found.append(where)
        for name, sub in schema.get("properties", {}).items():
            found += _free_form_parts(doc, sub, f"{where}.{name}", seen)
    elif not schema and where not in OPEN_ON_PURPOSE:
        found.append(where)  # no schema at all: anything goes
    return found


def test_no_json_answer_holds_a_free_form_object_at_any_depth(tmp_path):
    """Not only the top of each 2xx JSON answer: every field, item and union member says
    what it holds (a criterion's evidence, a document's validation summary, a load outcome),
    except the fields named in OPEN_ON_PURPOSE."""
    doc = _document(tmp_path)
    free = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, answer in op.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2") and schema is not None:
                    top = "NamedQueryAnswer" if path.startswith("/api/queries/") else ""
                    free += [f"{method.upper()} {path} {status}: {part}"
                             for part in _free_form_parts(doc, schema, top, set())]
    assert not free, f"free-form parts of JSON answers: {sorted(set(free))}"


def test_graph_store_writes_document_their_answer_as_a_model(tmp_path):
    """PUT and POST on /rdf-graphs answer 200/201 with the load outcome: a named model whose
    fields are the keys the answer has (source, graph, sha256, triples, status, what was
    stripped, warnings, default, report)."""
    doc = _document(tmp_path)
    keys = ["source", "graph", "sha256", "triples", "status", "personal_quads_stripped", "personal_data_stripped",
            "warnings", "dropped_keys", "edc_context", "default", "report"]
    for method in ("put", "post"):
        for status in ("200", "201"):
            schema = doc["paths"]["/rdf-graphs"][method]["responses"][status]["content"]["application/json"]["schema"]
            assert "$ref" in schema, f"{method} {status}: an inline schema, not a model"
            model = _resolve(doc, schema)
            assert list(model["properties"]) == keys, (method, status)
            assert set(model["required"]) == set(keys) - {"report"}, (method, status)
