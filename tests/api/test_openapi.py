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
