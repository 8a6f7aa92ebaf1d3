"""Fixtures shared by the tests of the on-disk store (snapshots, checkpoints, views)."""

from __future__ import annotations

import shutil

import pytest

from microhe.ingest.load import initialise
from microhe.store import snapshots
from microhe.store.embedded import Store


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """An on-disk store with the reference and demo graphs, built once (never written)."""
    path = tmp_path_factory.mktemp("demo-store") / "store"
    with Store(path) as s:
        initialise(s, demo=True)
    return path


@pytest.fixture
def store_dir(demo_dir, tmp_path):
    """A private copy of the demo store, without saved views (tests write to it)."""
    path = tmp_path / "store"
    shutil.copytree(demo_dir, path)
    shutil.rmtree(path / snapshots.VIEWS_DIR, ignore_errors=True)
    return path
