"""The named query search-credentials gives the same credentials as the library search."""

import pytest

from microhe.queries.catalogue import catalogue
from microhe.recognition.search import MODES, search

COUNTRY = "http://publications.europa.eu/resource/authority/country/"


CASES = [
    ({}, {}),
    ({"eqf": "6"}, {"eqf": 6}),
    ({"ectsMin": "7", "ectsMax": "8"}, {"ects_min": 7, "ects_max": 8}),
    ({"country": COUNTRY + "GBR"}, {"country": "GBR"}),
    ({"mode": MODES["online"], "eqf": "7"}, {"mode": "online", "eqf": 7}),
    ({"country": COUNTRY + "DEU", "ectsMax": "5"}, {"country": "DEU", "ects_max": 5}),
]


@pytest.mark.parametrize("params,kwargs", CASES, ids=[str(c[0]) for c in CASES])
def test_search_query_matches_the_library_search(demo_store, params, kwargs):
    nq = catalogue()["search-credentials"]
    got = {r["credential"].value for r in demo_store.query(nq.text_for(nq.bindings(params)), substitutions=nq.bindings(params))}
    expected = {r.iri for r in search(demo_store, limit=1000, **kwargs).results}
    assert got == expected and (got or params)
