"""Shared fixtures for the HTTP API tests.

* ``store`` / ``client``: one in-memory store with a few test quads in named graphs (and
  the store's own default graph), and a TestClient over the app, built once per session
  (read-only tests share them; never write through ``client``).
* ``make_client``: a fresh app over a fresh store with settings overrides, for tests
  that need isolation (tiny row cap, tiny timeout, body cap, their own data).
* ``live_server``: the app served by uvicorn on a free loopback port in a background
  thread, for real HTTP clients (SPARQLWrapper, rdflib's SPARQLStore).
* ``writable`` / ``writable_on_disk`` / ``make_writable_env``: a fresh app over a fresh
  store with the reference graphs and a write token, for the write endpoints, linked data
  and VoID (:mod:`tests.api.writes` holds what they send and ``make_writable``).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.settings import Settings
from microhe.store.embedded import Store
from tests.api.writes import Writable, make_writable

EX = "http://example.org/"
G1 = EX + "graph/one"
G2 = EX + "graph/two"
BASE = "http://example.org/base/"

_N = ox.NamedNode
_L = ox.Literal
_XSD = "http://www.w3.org/2001/XMLSchema#"


def fixture_quads() -> list[ox.Quad]:
    """The fixture data: two named graphs and one triple in the store's default graph.
    Literals cover plain, language-tagged and typed ones and CSV/TSV-hostile text."""
    label = _N(EX + "label")
    return [
        ox.Quad(_N(EX + "alice"), label, _L("Alice"), _N(G1)),
        ox.Quad(_N(EX + "alice"), _N(EX + "age"), _L("42", datatype=_N(_XSD + "integer")), _N(G1)),
        ox.Quad(_N(EX + "bob"), label, _L("Bob", language="en"), _N(G1)),
        ox.Quad(_N(EX + "carol"), label, _L('Carol, "the" tab\there\nnewline'), _N(G2)),
        ox.Quad(_N(EX + "carol"), _N(EX + "knows"), _N(EX + "alice"), _N(G2)),
        ox.Quad(_N(EX + "dave"), label, _L("Dave"), ox.DefaultGraph()),
    ]


def make_store(quads: list[ox.Quad] | None = None) -> Store:
    store = Store()
    store.restore(fixture_quads() if quads is None else quads)
    return store


def make_settings(tmp_path, **overrides) -> Settings:
    values = {"store": tmp_path / "unused-store", "base": BASE}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def store() -> Store:
    return make_store()


@pytest.fixture(scope="session")
def app(store, tmp_path_factory):
    return create_app(make_settings(tmp_path_factory.mktemp("api")), store)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_client(tmp_path):
    """``make_client(store=None, **settings)`` -> a TestClient over a fresh app."""
    clients: list[TestClient] = []

    def factory(store: Store | None = None, **overrides) -> TestClient:
        app = create_app(make_settings(tmp_path, **overrides), store if store is not None else make_store())
        c = TestClient(app)
        clients.append(c)
        return c

    yield factory
    for c in clients:
        c.close()


@contextlib.contextmanager
def serve(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` with uvicorn in a background thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """Base URL of the app (over the fixture data) served on a loopback port."""
    app = create_app(make_settings(tmp_path_factory.mktemp("live")), make_store())
    with serve(app) as url:
        yield url


@pytest.fixture
def writable(tmp_path, reference_quads) -> Iterator[Writable]:
    w = make_writable(tmp_path, reference_quads)
    yield w
    w.client.__exit__(None, None, None)
    w.store.close()


@pytest.fixture
def writable_on_disk(tmp_path, reference_quads) -> Iterator[Writable]:
    w = make_writable(tmp_path, reference_quads, on_disk=True)
    yield w
    w.client.__exit__(None, None, None)
    w.store.close()


@pytest.fixture
def make_writable_env(tmp_path, reference_quads):
    """``make_writable_env(on_disk=False, reference=True, **settings)``: for tests that need
    other settings, or a store without the reference graphs (small, fast dumps)."""
    made: list[Writable] = []

    def factory(on_disk: bool = False, reference: bool = True, **overrides) -> Writable:
        w = make_writable(tmp_path / f"env{len(made)}", reference_quads, on_disk=on_disk, reference=reference,
                          **overrides)
        made.append(w)
        return w

    yield factory
    for w in made:
        w.client.__exit__(None, None, None)
        w.store.close()
