"""Named queries over a store where the same descriptions sit in several graphs.

A national database loaded in batches repeats its institutions in every batch, and ELM
credentials repeat the EQF and NQF concepts they cite: the same triples then live in several
named graphs. The queries read the union default graph, which SPARQL defines as the RDF
merge (a set); pyoxigraph 0.5 matches such a triple once per graph instead (oxigraph issue
1919, fixed upstream after 0.5.13). Every named query must give the same rows either way,
and at the same cost order: the 1M-credential bench (10 batches) did not finish a page of
``credentials-by-eqf-level`` while the issuer's names and country were joined as a product.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from test_queries import EXAMPLES

from microhe.queries.catalogue import catalogue
from microhe.store.embedded import Store
from tests.demo import demo_copy

REF = "https://w3id.org/microhe/ref/graph/"
SKILLS = "https://w3id.org/microhe/demo/graph/skills"  # a skill hierarchy, as each batch of the bench repeats it
COPIES = 2  # two more copies: three graphs hold each reference triple


def _concatenated(text: str) -> dict[str, str]:
    """The GROUP_CONCAT columns of a query and their separators (SPARQL leaves the order of
    the concatenated values open, so they are compared as sorted lists)."""
    found = re.findall(r'GROUP_CONCAT\(.*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)\)', text, flags=re.S)
    return {column: sep for sep, column in found}


def _rows(demo_store: Store, name: str) -> list[dict]:
    nq = catalogue()[name]
    values = nq.bindings(EXAMPLES.get(name, {}))
    result = demo_store.query(nq.text_for(values), substitutions=values)
    if not isinstance(result, ox.QuerySolutions):
        return sorted(str(t) for t in result)  # CONSTRUCT: compared as sets of triples
    concat = _concatenated(nq.text)
    names = [v.value for v in result.variables]

    def cell(n: str, term) -> object:
        if term is None:
            return None
        return sorted(term.value.split(concat[n])) if n in concat else str(term)

    return [{n: cell(n, r[n]) for n in names} for r in result]


@pytest.fixture(scope="module")
def shared() -> Store:
    """The demo store plus COPIES more copies of every reference graph (frameworks,
    vocabularies, credit systems, institutions) and of the demo skill hierarchy, each in a
    graph of its own."""
    s = demo_copy()
    ref = sorted({q.graph_name.value for q in s.quads() if isinstance(q.graph_name, ox.NamedNode)
                  and q.graph_name.value.startswith(REF)})
    assert REF + "institutions" in ref and REF + "frameworks" in ref
    for g in ref + [SKILLS]:
        quads = list(s.quads(g))
        assert quads, g
        for n in range(COPIES):
            copy = ox.NamedNode(f"https://example.org/test/copy-{n}/{g.rsplit('/', 1)[1]}")
            s.write({copy.value: [ox.Quad(q.subject, q.predicate, q.object, copy) for q in quads]})
    return s


def test_the_copies_are_matched_once_per_graph_by_the_store(shared):
    """The premise: the store's union default graph is a multiset (if this fails, pyoxigraph
    merges graphs as a set now, and the README's note on /sparql can go)."""
    q = ("SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/microhe/ref/org/dhbw> "
         "<http://www.w3.org/ns/regorg#legalName> ?name }")
    n = int(next(iter(shared.query(q)))["n"].value)
    assert n % (COPIES + 1) == 0 and n >= COPIES + 1


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_gives_the_same_rows_when_descriptions_are_repeated(demo_store, shared, name):
    a, b = _rows(demo_store, name), _rows(shared, name)
    assert a == b, f"{name}: {len(a)} rows on one copy, {len(b)} with {COPIES} more copies"
