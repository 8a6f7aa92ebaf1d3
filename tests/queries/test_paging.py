"""Keyset paging of credentials-by-eqf-level and search-credentials: a page is the rows of the
next 50 specifications in page-key order (the first 15 hex digits of the SHA-256 of the IRI,
computed here with hashlib, not read from the store); `after` (the last ?credential of a page)
gives the next one.

Expectations come from the demo Turtle parsed with rdflib and the referencing CSV
(``expected_by_eqf`` in test_queries.py), never from the query's own output. The demo data
has fewer than 50 specifications per level, so the paging logic is also run with the page
size cut to 3 (the query text with ``LIMIT 3``), which makes several pages.
"""

from __future__ import annotations

import hashlib
import itertools

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from test_queries import expected_by_eqf, val  # helpers of the named-query tests

from microhe.cli import main
from microhe.queries.catalogue import QueryError, catalogue, parse_query_file

NAME = "credentials-by-eqf-level"
PAGE = 50


def key(iri: str) -> str:
    return hashlib.sha256(iri.encode()).hexdigest()[:15]


def iri_with_key(prefix: str) -> str:
    """An IRI whose page key starts with ``prefix`` (found by trying), to page from either end."""
    return next(i for i in (f"urn:x:{n}" for n in itertools.count()) if key(i).startswith(prefix))


def query(page: int | None = None, name: str = NAME):
    nq = catalogue()[name]
    if page is None:
        return nq
    assert f"LIMIT {PAGE}" in nq.text
    return parse_query_file(name, nq.text.replace(f"LIMIT {PAGE}", f"LIMIT {page}"))


def rows(demo_store, nq, **params) -> list[dict]:
    result = demo_store.query(nq.text_for(nq.bindings(params)), substitutions=nq.bindings(params))
    names = [v.value for v in result.variables]
    return [{n: sol[n] for n in names} for sol in result]


def all_pages(demo_store, nq, eqf: str | None = None, **params) -> list[list[dict]]:
    pages, after = [], None
    if eqf is not None:
        params["eqf"] = eqf
    while True:
        page = rows(demo_store, nq, **params, **({"after": after} if after else {}))
        if not page:
            return pages
        pages.append(page)
        after = val(page[-1]["credential"])
        assert len(pages) < 100, "paging does not end"


def test_the_query_declares_an_optional_after_iri_and_a_fixed_page():
    nq = catalogue()[NAME]
    after = {p.name: p for p in nq.params}["after"]
    assert after.type == "iri" and not after.required
    assert f"LIMIT {PAGE}" in nq.text and "after" in nq.summary


@pytest.mark.parametrize("eqf", ["5", "6", "7"])
def test_pages_continue_without_overlap_or_gap_and_together_are_the_whole_level(demo_store, demo_graph, eqf):
    expected = expected_by_eqf(demo_graph)[int(eqf)]
    assert len({c for c, _ in expected}) > 3, "the demo level should need several pages of 3"
    pages = all_pages(demo_store, query(3), eqf)
    assert len(pages) > 1
    seen: list[str] = []
    for page in pages:
        creds = [val(r["credential"]) for r in page]
        assert creds == sorted(creds, key=key), "rows are ordered by the page key"
        assert len(set(creds)) <= 3
        assert not set(creds) & set(seen), "a credential on two pages"
        seen += creds
    got = {(val(r["credential"]), val(r["declaredLevel"])) for page in pages for r in page}
    assert got == expected
    # the pages together are the full page-size-50 answer (demo levels fit in one page)
    one = rows(demo_store, query(), eqf=eqf)
    def cells(r):  # every column but the echoed parameter
        return tuple(val(v) for k, v in r.items() if k != "after")
    assert [cells(r) for r in one] == [cells(r) for p in pages for r in p]


def test_the_first_page_holds_at_most_50_specifications(demo_store):
    for eqf in ("5", "6", "7"):
        assert len({val(r["credential"]) for r in rows(demo_store, query(), eqf=eqf)}) <= PAGE


def test_after_the_last_credential_or_past_the_end_there_are_no_rows(demo_store, demo_graph):
    last = max((c for c, _ in expected_by_eqf(demo_graph)[6]), key=key)
    assert rows(demo_store, query(), eqf="6", after=last) == []
    assert rows(demo_store, query(), eqf="6", after=iri_with_key("fff")) == []
    # an `after` whose key is before every key is the first page
    first = [val(r["credential"]) for r in rows(demo_store, query(), eqf="6")]
    assert first and [val(r["credential"]) for r in rows(demo_store, query(), eqf="6", after=iri_with_key("000"))] == first


def test_a_malformed_after_is_a_query_error_in_the_library_cli_and_api(demo_store, tmp_path):
    with pytest.raises(QueryError, match="not an absolute IRI"):
        catalogue()[NAME].bindings({"eqf": "6", "after": "not an iri"})
    r = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "store"), NAME, "--param", "eqf=6",
                                  "--param", "after=not an iri"])
    assert r.exit_code == 2 and "not an absolute IRI" in r.output


def test_the_http_endpoint_pages_and_rejects_a_malformed_after(demo_store, tmp_path):
    from microhe.api import create_app
    from microhe.settings import Settings

    settings = Settings(store=tmp_path / "unused-store", base="http://example.org/base/")
    with TestClient(create_app(settings, store=demo_store)) as client:
        first = client.get(f"/api/queries/{NAME}", params={"eqf": "6"})
        assert first.status_code == 200, first.text
        body = first.json()
        creds = [r["credential"]["value"] if isinstance(r["credential"], dict) else r["credential"] for r in body["rows"]]
        assert creds and creds == sorted(creds, key=key)
        nxt = client.get(f"/api/queries/{NAME}", params={"eqf": "6", "after": creds[-1]})
        assert nxt.status_code == 200 and nxt.json()["rows"] == []
        bad = client.get(f"/api/queries/{NAME}", params={"eqf": "6", "after": "not an iri"})
        assert bad.status_code == 422 and "not an absolute IRI" in bad.json()["detail"]


SEARCH_CASES = [{}, {"eqf": "6"}, {"country": "http://publications.europa.eu/resource/authority/country/GBR"},
                {"eqf": "7", "mode": "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"},
                {"ectsMin": "3", "ectsMax": "10"}]


@pytest.mark.parametrize("params", SEARCH_CASES, ids=[str(p) for p in SEARCH_CASES])
def test_search_pages_of_3_are_the_one_page_answer_in_key_order(demo_store, params):
    whole = rows(demo_store, query(name="search-credentials"), **params)
    pages = all_pages(demo_store, query(3, "search-credentials"), **params)
    creds = [val(r["credential"]) for p in pages for r in p]
    assert creds == sorted(creds, key=key)
    assert all(len({val(r["credential"]) for r in p}) <= 3 for p in pages)
    assert [val(r["credential"]) for r in whole] == creds
    assert len(set(creds)) < PAGE, "the demo answer should fit one page of 50"
