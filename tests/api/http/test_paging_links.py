"""``Link`` paging headers on ``/api/credentials`` (first/prev/next, other filters kept);
following ``next`` from the first page visits every match exactly once."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.settings import Settings


@pytest.fixture(scope="module")
def client(demo_store):
    with TestClient(create_app(Settings(store="/tmp/microhe-unused-store", warm_indexes=False), demo_store)) as c:
        yield c


def links(r) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', r.headers.get("link", ""))}


def test_the_links_of_a_middle_page(client):
    r = client.get("/api/credentials", params={"country": "GBR", "offset": 3, "limit": 3})
    assert r.status_code == 200 and r.json()["total"] == 11  # 11 GBR specifications (tests/behaviour facets)
    got = links(r)
    assert got["first"] == "/api/credentials?country=GBR&offset=0&limit=3"
    assert got["prev"] == "/api/credentials?country=GBR&offset=0&limit=3"
    assert got["next"] == "/api/credentials?country=GBR&offset=6&limit=3"


def test_following_next_visits_every_match_once(client):
    seen, url, pages = [], "/api/credentials?country=GBR&limit=4", 0
    while url:
        r = client.get(url)
        seen += [x["iri"] for x in r.json()["results"]]
        url = links(r).get("next")
        pages += 1
        assert pages < 10
    assert len(seen) == len(set(seen)) == 11 and pages == 3


def test_the_last_page_has_no_next_and_the_first_no_prev(client):
    first = links(client.get("/api/credentials", params={"country": "GBR", "limit": 20}))
    assert "next" not in first and "prev" not in first and "first" in first
