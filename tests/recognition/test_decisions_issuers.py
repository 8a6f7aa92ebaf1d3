"""``list_decisions`` names the awarding bodies of the decided credentials: one row per
(decision, awarding body), a credential with two bodies gives two rows, one with none a row
without an issuer, and the ``issuer`` filter keeps only the rows of that body. The bodies of
every decided credential are read in one query, however many credentials were decided on
(it was one query per credential: ~1 ms each).

The store is the demo copy plus two specifications written here: one awarded by two bodies
(two awarding opportunities), one stating no awarding opportunity at all."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from microhe.recognition.decisions import list_decisions, record_decision
from microhe.store.embedded import Store
from tests.demo import demo_copy

from .conftest import CANDIDATE, DEMO, NEAR_MISS, ORG, REF_ORG

BASE = "http://127.0.0.1:8000/"
ELM = "http://data.europa.eu/snb/model/elm/"
VMU = REF_ORG + "vmu"
STRATHLOWE, BALLYNORE = ORG + "strathlowe", ORG + "ballynore"
TWO_BODIES = DEMO + "test-two-awarding-bodies"
NO_BODY = DEMO + "test-no-awarding-body"
BODY_A, BODY_B = ORG + "test-body-a", ORG + "test-body-b"
TURTLE = f"""
@prefix elm: <{ELM}> . @prefix dcterms: <http://purl.org/dc/terms/> .
<{TWO_BODIES}> a elm:LearningAchievementSpecification ; dcterms:title "Two bodies"@en ;
    elm:awardingOpportunity [ a elm:AwardingOpportunity ; elm:awardingBody <{BODY_B}> ] ,
                            [ a elm:AwardingOpportunity ; elm:awardingBody <{BODY_A}> ] .
<{NO_BODY}> a elm:LearningAchievementSpecification ; dcterms:title "No body"@en .
"""


def _store(credentials: list[str]) -> Store:
    s = demo_copy()
    s.restore(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(DEMO + "test-graph"))
              for q in ox.parse(TURTLE, format=ox.RdfFormat.TURTLE))
    for cred in credentials:
        record_decision(s, credential=cred, institution=VMU, purpose="access", outcome="recognise",
                        decided_by="registrar", base=BASE)
    return s


@pytest.fixture(scope="module")
def store() -> Store:
    return _store([CANDIDATE, TWO_BODIES, NO_BODY, NEAR_MISS, TWO_BODIES])


def _rows(decisions) -> list[tuple[str, str | None]]:
    """(credential, issuer) of each row, sorted: decisions recorded in the same second come
    in the order of their (random) IRIs."""
    return sorted(((d.credential.iri, d.issuer.iri if d.issuer else None) for d in decisions),
                  key=lambda r: (r[0], r[1] or ""))


def test_one_row_per_awarding_body_and_one_without(store):
    listed = list_decisions(store)
    assert _rows(listed) == sorted([
        (CANDIDATE, STRATHLOWE), (TWO_BODIES, BODY_A), (TWO_BODIES, BODY_B), (NO_BODY, None),
        (NEAR_MISS, BALLYNORE), (TWO_BODIES, BODY_A), (TWO_BODIES, BODY_B)], key=lambda r: (r[0], r[1] or ""))
    # a decision's rows are adjacent, its bodies by IRI
    of: dict[str, list[str | None]] = {}
    for d in listed:
        assert of.get(d.iri) is None or list(of)[-1] == d.iri, "the rows of one decision are apart"
        of.setdefault(d.iri, []).append(d.issuer.iri if d.issuer else None)
    assert sorted(of.values(), key=str) == sorted([[STRATHLOWE], [BODY_A, BODY_B], [None], [BALLYNORE],
                                                   [BODY_A, BODY_B]], key=str)


def test_the_filters_keep_the_rows_they_name(store):
    assert _rows(list_decisions(store, issuer=BODY_B)) == [(TWO_BODIES, BODY_B)] * 2
    assert _rows(list_decisions(store, credential=NO_BODY)) == [(NO_BODY, None)]
    assert list_decisions(store, issuer=ORG + "nobody") == []
    assert _rows(list_decisions(store, credential=TWO_BODIES, issuer=BODY_A)) == [(TWO_BODIES, BODY_A)] * 2
    two = list_decisions(store, credential=TWO_BODIES)
    assert [d.issuer.label for d in two if d.issuer] == [None] * 4  # the test bodies have no label
    assert {d.credential.label for d in two} == {"Two bodies"}


def _queries(store: Store) -> int:
    """How many queries ``list_decisions`` sends to the (real) store."""
    real, count = store.query, [0]

    def counted(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    store.query = counted  # type: ignore[method-assign]
    try:
        list_decisions(store)
    finally:
        del store.query
    return count[0]


def test_the_awarding_bodies_are_read_in_one_query_for_all_credentials():
    few, many = _store([CANDIDATE]), _store([CANDIDATE, NEAR_MISS, TWO_BODIES, NO_BODY])
    assert _queries(many) == _queries(few)
