"""The remote store against Oxigraph server (``oxigraph serve``, from the ``oxigraph``
pip package), started on loopback with ``--union-default-graph``."""

from __future__ import annotations

import shutil
import subprocess

import pyoxigraph as ox
import pytest

from microhe.ingest.load import initialise
from microhe.rdf.sparql_text import bind_values
from microhe.settings import Settings
from microhe.store import open_configured
from microhe.store.base import StoreError
from microhe.store.embedded import Store
from microhe.store.remote import RemoteStore

from .common import (
    EVIL,
    check_connection_failure,
    check_injection,
    check_load_and_refusal,
    check_named_queries,
    check_recognition,
    embedded_demo,
    free_port,
    wait_http,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("oxigraph") is None,
                       reason="the `oxigraph` CLI is not installed (pip install 'oxigraph>=0.5.13,<0.6')"),
]


def _serve(tmp_path, *extra):
    port = free_port()
    proc = subprocess.Popen(
        ["oxigraph", "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", 15, proc)
    except BaseException:
        proc.kill()
        proc.wait(5)
        raise
    return proc, f"http://127.0.0.1:{port}"


def _stop(proc):
    proc.kill()
    proc.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, base = _serve(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph")
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def remote(server):
    store = RemoteStore(f"{server}/query", f"{server}/update", graph_store_endpoint=f"{server}/store",
                        timeout=30)
    assert store.is_empty()
    initialise(store, demo=True)
    return store


@pytest.fixture(scope="module")
def embedded():
    return embedded_demo()


def test_initialise_writes_reference_and_demo_graphs(remote, embedded):
    assert remote.named_graphs() == embedded.named_graphs()
    assert len(remote) == len(embedded)
    for g in embedded.named_graphs():
        assert remote.graph_size(g) == embedded.graph_size(g), g
    # a second initialise finds everything current and writes nothing
    before = remote.dump_bytes()
    assert {o.status for o in initialise(remote, demo=True)} == {"unchanged"}
    assert remote.dump_bytes() == before


def test_named_queries_match_the_embedded_store(remote, embedded):
    check_named_queries(remote, embedded)


def test_query_result_types(remote):
    assert isinstance(remote.query("ASK { ?s ?p ?o }"), ox.QueryBoolean)
    sols = remote.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2")
    assert isinstance(sols, ox.QuerySolutions) and [v.value for v in sols.variables] == ["s"]
    triples = remote.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5")
    assert isinstance(triples, ox.QueryTriples) and len(list(triples)) == 5


def test_recognition_on_remote(remote, embedded):
    check_recognition(remote, embedded)


def test_injection_attempt_is_bound_as_one_literal(remote):
    check_injection(remote)
    # the query text carries the value only as an escaped N-Triples literal
    text = bind_values("SELECT ?v WHERE { }", {"v": ox.Literal(EVIL)})
    assert "\n<http://evil/>" not in text and str(ox.Literal(EVIL)) in text


def test_load_and_refusal_leave_store_unchanged(remote, tmp_path):
    check_load_and_refusal(remote, tmp_path)


def test_default_graph_through_graph_store(remote):
    q = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                ox.Literal("o"), ox.DefaultGraph())
    remote.write(add=[q])
    assert remote.graph_size(None) == 1
    assert list(remote.quads(None)) == [q]
    remote.write(drop=[None])
    assert remote.graph_size(None) == 0


def test_open_configured_chooses_by_settings(server, tmp_path):
    s = Settings(sparql_endpoint=f"{server}/query", update_endpoint=f"{server}/update")
    assert isinstance(open_configured(s), RemoteStore)
    assert isinstance(open_configured(Settings(store=tmp_path / "store")), Store)


def test_refuses_a_server_without_union_default_graph(tmp_path):
    proc, base = _serve(tmp_path)
    try:
        with pytest.raises(StoreError, match="union"):
            RemoteStore(f"{base}/query", f"{base}/update")
    finally:
        _stop(proc)


def test_connection_failure_names_the_endpoint():
    check_connection_failure()


def test_create_app_serves_the_configured_remote_store(remote, server, tmp_path):
    # `uvicorn --factory microhe.api:create_app` with MICROHE_SPARQL_ENDPOINT set must serve
    # the remote store, not silently open (and initialise) an embedded one at settings.store
    from fastapi.testclient import TestClient

    from microhe.api import create_app

    settings = Settings(store=tmp_path / "store", sparql_endpoint=f"{server}/query",
                        update_endpoint=f"{server}/update", graph_store_endpoint=f"{server}/store")
    ask = "ASK { <https://w3id.org/microhe/demo/credential/acb-web-development> ?p ?o }"
    with TestClient(create_app(settings)) as client:
        r = client.get("/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is True  # the demo data is on the server only
    assert not (tmp_path / "store").exists()
