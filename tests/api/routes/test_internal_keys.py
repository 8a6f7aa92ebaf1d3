"""Internal keys (``mhe:pageKey``, which drives keyset paging) are not published on
resource pages nor in their RDF, in any representation; SPARQL still reads them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.settings import Settings

CREDENTIAL = "https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis"


@pytest.fixture(scope="module")
def client(demo_store):
    app = create_app(Settings(store="/tmp/microhe-unused-store", warm_indexes=False), demo_store)
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "nt", "rdf", "nq", "trig", "html"])
def test_page_key_is_not_on_the_resource_page(client, fmt):
    for path, params in (("/demo/credential/strathlowe-applied-data-analysis", {}), ("/resource", {"iri": CREDENTIAL})):
        r = client.get(path, params={**params, "format": fmt})
        assert r.status_code == 200 and "pageKey" not in r.text, (path, fmt)


def test_sparql_still_reads_the_page_key(client):
    q = f"ASK {{ <{CREDENTIAL}> <https://w3id.org/microhe/ontology#pageKey> ?k }}"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is True
