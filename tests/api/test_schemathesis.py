"""Property-based conformance of the whole HTTP API with its own OpenAPI document.

schemathesis generates requests from ``/openapi.json`` for every operation and checks
each answer: never a 5xx (every input error is a 4xx with a message), a status the
operation declares, a declared Content-Type, and a body matching the declared schema.
It runs in process (schemathesis's ASGI transport) over a throwaway in-memory store
initialised with the demo data, with a real write token in the Authorization header, so
the write operations (GSP PUT/POST/DELETE, /update, decisions) are exercised too.

Bounded for the default suite: at most 25 generated examples per operation (the fuzzing
phase only: the coverage phase's exhaustive cases would multiply that), derandomised
(a fixed seed: the same cases every run), no shrinking database on disk.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance
from schemathesis.config import SchemathesisConfig

from microhe.api import create_app
from microhe.auth.tokens import TokenFile
from microhe.settings import Settings
from tests.demo import demo_copy

BASE = "http://127.0.0.1:8000/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CONFIG = {
    "seed": 12,
    "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
    "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app over a fresh in-memory store with the demo data, and a write token."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    store = demo_copy()
    settings = Settings(store=tmp / "store", base=BASE, warm_indexes=False)
    token = TokenFile.beside(settings.store).add("schemathesis")
    yield create_app(settings, store), {"Authorization": f"Bearer {token}"}
    store.close()


@pytest.fixture(scope="module")
def api_schema(served):
    app, _ = served
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=SchemathesisConfig.from_dict(CONFIG))


@pytest.fixture(scope="module")
def auth(served) -> dict[str, str]:
    return served[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(max_examples=25, derandomize=True, deadline=None, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_every_operation_conforms_to_its_openapi_document(case, auth):
    case.call_and_validate(headers=auth, checks=CHECKS)
