"""The fixtures every test directory shares: one meaning, one fixture.

* ``demo_store``: the in-memory demo store (reference and demo graphs), restored once per
  session from quads built once (:mod:`tests.demo`). Shared: read it, never write it.
* ``scratch_store``: a private in-memory copy of the demo store per test, free to write.
* ``demo_dir``: an on-disk demo store, built once per session (never written).
* ``store_dir``: a private copy of ``demo_dir`` per test, without saved views (tests write
  to it).
* ``reference_quads``: the quads of the bundled ontology and reference graphs (no demo),
  made once per session, for the writable apps of ``tests.api.writes.make_writable``.

Directory conftests add what only their directory means (the API's small fixture store,
the recognition fixtures' extra graphs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.ingest.load import initialise
from microhe.store import snapshots
from microhe.store.embedded import Store
from tests.demo import demo_copy


@pytest.fixture(scope="session")
def demo_store() -> Store:
    """The demo store, shared by the whole session: tests only read it."""
    return demo_copy()


@pytest.fixture
def scratch_store() -> Store:
    """A fresh copy of the demo store for one test, which may write to it."""
    return demo_copy()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """An on-disk store with the reference and demo graphs, built once (never written)."""
    path = tmp_path_factory.mktemp("demo-store") / "store"
    with Store(path) as s:
        initialise(s, demo=True)  # as the CLI does: whatever an on-disk store keeps besides quads
    return path


@pytest.fixture
def store_dir(demo_dir, tmp_path) -> Path:
    """A private copy of the on-disk demo store, without saved views (tests write to it)."""
    path = tmp_path / "store"
    shutil.copytree(demo_dir, path)
    shutil.rmtree(path / snapshots.VIEWS_DIR, ignore_errors=True)
    return path


@pytest.fixture(scope="session")
def reference_quads() -> list[ox.Quad]:
    """The reference graphs as an initialised store holds them, made once (never written)."""
    store = Store()
    initialise(store)
    return list(store.quads())
