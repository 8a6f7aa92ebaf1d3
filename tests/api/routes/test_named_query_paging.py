"""Named queries that page (keyset, ``after``) send ``Link: rel="next"`` (the request with
``after`` = the page's last ?credential) while a page is full, and ``rel="first"``; the rows
of every page stay those of the published ``.rq`` evaluated by pyoxigraph with the same
``after``. The demo data has fewer than 50 specifications per level, so the paging is also
run with the page size cut to 3 (the query text with ``LIMIT 3``), which makes several pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.api.routes.named_queries import build_router
from microhe.queries.catalogue import catalogue, parse_query_file
from microhe.settings import Settings

PAGED = ["credentials-by-eqf-level", "search-credentials"]
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


def links(r) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', r.headers.get("link", ""))}


def small_pages(name: str, size: int = 3):
    nq = catalogue()[name]
    assert "LIMIT 50" in nq.text
    return parse_query_file(name, nq.text.replace("LIMIT 50", f"LIMIT {size}"))


def published_rows(store, nq, params: dict) -> list[dict]:
    """The rows of the ``.rq`` evaluated by pyoxigraph itself, with the same bindings."""
    bindings = nq.bindings(params)
    result = store.query(nq.text_for(bindings), substitutions=bindings)
    names = [v.value for v in result.variables]
    return [{n: str(sol[n]) for n in names if sol[n] is not None} for sol in result]


def served_rows(body: bytes) -> list[dict]:
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    names = [v.value for v in result.variables]
    return [{n: str(sol[n]) for n in names if sol[n] is not None} for sol in result]


@pytest.fixture(scope="module")
def small_client(demo_store, tmp_path_factory):
    """The paged queries with pages of 3, served by the real router over the demo store."""
    app = FastAPI()
    app.state.store = demo_store
    app.state.settings = Settings(store=tmp_path_factory.mktemp("paging") / "unused", base="http://example.org/base/")
    app.include_router(build_router({n: small_pages(n) for n in PAGED}))
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("name,params", [
    ("credentials-by-eqf-level", {"eqf": "6"}),
    ("search-credentials", {}),
    ("search-credentials", {"country": "http://publications.europa.eu/resource/authority/country/GBR"}),
])
def test_following_next_links_gives_every_page_of_the_published_query(small_client, demo_store, name, params):
    nq = small_pages(name)
    url = f"/api/queries/{name}"
    r = small_client.get(url, params=params, headers=SPARQL_JSON)
    pages, after = [], None
    while True:
        assert r.status_code == 200, r.text
        got = served_rows(r.content)
        expected = published_rows(demo_store, nq, {**params, **({"after": after} if after else {})})
        assert got == expected
        pages.append(got)
        nxt = links(r).get("next")
        assert parse_qs(urlsplit(links(r)["first"]).query) == {k: [v] for k, v in params.items()}
        distinct = list(dict.fromkeys(row["credential"] for row in got))
        if len(distinct) < 3:
            assert nxt is None
            break
        assert nxt is not None
        query = parse_qs(urlsplit(nxt).query)
        after = distinct[-1].strip("<>")
        assert query["after"] == [after] and all(query[k] == [v] for k, v in params.items())
        r = small_client.get(nxt, headers=SPARQL_JSON)
        assert len(pages) < 50
    assert len(pages) >= 2
    every = [row["credential"] for page in pages for row in page]
    assert len(set(every)) == len(list(dict.fromkeys(every)))  # no specification on two pages


def test_the_simple_json_rows_carry_the_same_links(small_client):
    r = small_client.get("/api/queries/search-credentials")
    assert r.status_code == 200 and "next" in links(r) and "first" in links(r)
    last = r.json()["rows"][-1]["credential"]
    assert parse_qs(urlsplit(links(r)["next"]).query)["after"] == [last]


def test_real_pages_of_50_send_first_and_no_next_when_the_page_is_not_full(demo_store, tmp_path):
    settings = Settings(store=tmp_path / "unused-store", base="http://example.org/base/")
    with TestClient(create_app(settings, store=demo_store)) as client:
        r = client.get("/api/queries/credentials-by-eqf-level", params={"eqf": "6"},
                       headers={"Origin": "https://portal.example"})
        assert r.status_code == 200 and r.json()["rows"]
        assert "next" not in links(r)
        assert parse_qs(urlsplit(links(r)["first"]).query) == {"eqf": ["6"]}
        assert "Link" in r.headers["access-control-expose-headers"]
        # a query that does not page has no paging links
        assert "link" not in client.get("/api/queries/store-statistics").headers


@pytest.mark.parametrize("header,message", [
    ("#+ page: credential\n", "needs an optional 'after' iri parameter"),
    ("#+ page: nothing\n#+ param: after iri optional paging\n", "names no selected variable"),
    ("#+ page: credential\n#+ param: after iri required paging\n", "needs an optional 'after' iri parameter"),
])
def test_a_malformed_page_header_is_refused_with_what_to_fix(header, message):
    from microhe.queries.catalogue import QueryError

    text = "#+ summary: s\n" + header + "SELECT ?credential ?after WHERE { ?credential ?p ?o } LIMIT 5\n"
    with pytest.raises(QueryError, match=message):
        parse_query_file("broken", text)


def test_a_query_that_pages_has_exactly_one_limit():
    from microhe.queries.catalogue import QueryError

    text = ("#+ summary: s\n#+ page: credential\n#+ param: after iri optional paging\n"
            "SELECT ?credential ?after WHERE { { SELECT ?credential WHERE { ?credential ?p ?o } LIMIT 5 } } LIMIT 9\n")
    with pytest.raises(QueryError, match="one LIMIT"):
        parse_query_file("broken", text)
    assert {n: (q.page_by, q.page_size) for n, q in catalogue().items() if q.page_by} == {
        "credentials-by-eqf-level": ("credential", 50), "search-credentials": ("credential", 50)}
