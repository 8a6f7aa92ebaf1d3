"""The search query object: one description of the 13 filters of a search, used by the
library, the HTTP route and the CLI (instead of the same parameters copied in each)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.recognition.search import SearchError, search
from microhe.recognition.search_query import SearchQuery
from microhe.settings import get_settings


def test_a_query_object_finds_what_the_same_keywords_find(demo_store):
    q = SearchQuery(eqf=6, text="data", limit=5, offset=1)
    assert search(demo_store, q) == search(demo_store, eqf=6, text="data", limit=5, offset=1)
    assert search(demo_store, SearchQuery(facets=False)).total == search(demo_store, facets=False).total


@pytest.mark.parametrize(("kw", "message"), [
    ({"eqf": 9}, "eqf must be 1-8, not 9"),
    ({"framework": "SCQF"}, "a framework needs a level: give level (a label of the framework, e.g. 6)"),
    ({"mode": "hybrid"}, "mode must be one of online, presential, blended, not 'hybrid'"),
    ({"limit": 1001}, "limit must be 0-1000 and offset >= 0"),
    ({"ects_min": -1.0}, "ects_min must be a non-negative number"),
])
def test_a_query_object_is_refused_with_the_messages_of_the_keywords(demo_store, kw, message):
    with pytest.raises(SearchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        search(demo_store, SearchQuery.of(**kw))
    with pytest.raises(SearchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        search(demo_store, **kw)


def test_an_unknown_filter_is_a_type_error_naming_it(demo_store):
    with pytest.raises(TypeError, match="colour"):
        search(demo_store, colour="red")
    with pytest.raises(TypeError, match="not both"):
        search(demo_store, SearchQuery(eqf=6), eqf=7)


def test_params_are_the_filters_given_as_the_route_reads_them():
    assert SearchQuery.of(eqf=6, text="data", facets=False).params() == {
        "eqf": 6, "text": "data", "limit": 20, "offset": 0, "facets": False}


def test_the_route_takes_exactly_the_query_object_s_filters(tmp_path, demo_store):
    app = create_app(get_settings(store=tmp_path / "s"), demo_store)
    doc = TestClient(app).get("/openapi.json").json()
    names = [p["name"] for p in doc["paths"]["/api/credentials"]["get"]["parameters"]]
    # the filters, and the language of the labels (every recognition route takes it)
    assert [n for n in names if n != "lang"] == list(SearchQuery.model_fields) and "lang" in names
