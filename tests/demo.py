"""The demo store's quads, built once per process: ``initialise(store, demo=True)`` takes
about 0.2 s and was repeated in many fixtures; restoring the built quads into a fresh
in-memory store takes a fifth of that and gives the same store (same quads, blank-node
labels kept). The fixtures over it are in tests/conftest.py."""

from __future__ import annotations

import functools

import pyoxigraph as ox

from microhe.ingest.load import initialise
from microhe.store.embedded import Store


@functools.cache
def demo_quads() -> tuple[ox.Quad, ...]:
    """Every quad of a store initialised with the reference and demo graphs."""
    store = Store()
    initialise(store, demo=True)
    return tuple(store.quads())


def demo_copy() -> Store:
    """A fresh in-memory store holding the demo quads: the caller's own, free to write."""
    store = Store()
    store.restore(demo_quads())
    return store
