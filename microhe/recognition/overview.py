"""What the graph holds, in numbers a person reads first (the home page): specifications,
the institutions that award them, their countries, the qualifications frameworks, the
recognition decisions; and the offer of one institution.

Read from the search index and the framework index (built once per store state), so the
home page and an institution's page cost no query of their own; the decisions are read by
:func:`~microhe.recognition.decisions.list_decisions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from microhe.frameworks.levels import framework_index
from microhe.recognition.decisions import list_decisions
from microhe.recognition.models import SearchHit
from microhe.recognition.search import search_index
from microhe.store.embedded import Store
from microhe.store.labels import Labels
from microhe.store.views import per_store


@dataclass(frozen=True)
class Overview:
    specifications: int
    institutions: int  # awarding bodies of at least one specification
    countries: int     # their countries
    frameworks: int
    decisions: int


@per_store
def _by_issuer(store: Store) -> dict[str, list[int]]:
    """Positions of each awarding body's specifications in the search index (title order)."""
    out: dict[str, list[int]] = {}
    for i, r in enumerate(search_index(store).records):
        if r.issuer:
            out.setdefault(r.issuer, []).append(i)
    return out


@per_store
def _country_count(store: Store) -> int:
    """How many countries the awarding bodies are in (a pass over every record: 20 ms at
    100k credentials, so once per store state, not per home page)."""
    return len({r.country for r in search_index(store).records if r.country})


def overview(store: Store) -> Overview:
    idx = search_index(store)
    issuers = _by_issuer(store)
    return Overview(specifications=len(idx.records), institutions=len(issuers), countries=_country_count(store),
                    frameworks=len(framework_index(store).frameworks), decisions=len(list_decisions(store)))


def offer_of(store: Store, issuer: str, langs: tuple[str, ...] = ()) -> list[SearchHit]:
    """The specifications ``issuer`` awards, in title order (as search results, labelled in
    ``langs``, else English)."""
    recs = search_index(store).records
    offer = [recs[i] for i in _by_issuer(store).get(issuer, ())]
    labels = Labels(store, langs).fetch([x for r in offer for x in (r.iri, r.issuer)])
    return [r.hit(labels) for r in offer]


__all__ = ["Overview", "overview", "offer_of"]
