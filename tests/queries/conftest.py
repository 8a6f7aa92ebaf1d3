"""Fixtures of the named-query tests (``test_queries.py``, ``test_paging.py``).

* ``demo_graph``: the demo data parsed with rdflib, independently of the store the
  queries run on: the expected answers are computed from it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

import microhe

KG = Path(microhe.__file__).parent / "kg"


@pytest.fixture(scope="session")
def demo_graph() -> rdflib.Graph:
    """Demo credentials + institutions (reference) + skills, parsed with rdflib."""
    g = rdflib.Graph()
    for path in (KG / "demo" / "credentials.ttl", KG / "reference" / "institutions.ttl", KG / "demo" / "skills.ttl"):
        g.parse(path, format="turtle")
    return g
