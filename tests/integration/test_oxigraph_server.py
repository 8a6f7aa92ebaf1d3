"""What only an Oxigraph server shows of the remote store (the contract both servers keep is
in test_remote_contract.py): Graph Store writes on a server that is not Virtuoso (the
standard ``?graph=`` / ``?default`` parameters), and the answer `oxigraph serve --timeout-s`
gives to a query it cancelled."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from microhe.store.base import StoreError
from microhe.store.remote import RemoteStore

from . import servers

pytestmark = pytest.mark.integration

EX = "http://example.org/"
G, H = EX + "g", EX + "h"


def quad(o: str, graph: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal(o), graph)


@pytest.fixture
def graph_store(tmp_path) -> Iterator[RemoteStore]:
    """An empty Oxigraph server written through its Graph Store endpoint (``writes="graph-store"``)."""
    proc, base = servers.start_oxigraph(tmp_path, "--union-default-graph")
    try:
        yield RemoteStore(f"{base}/query", f"{base}/update", graph_store_endpoint=f"{base}/store",
                          writes="graph-store")
    finally:
        servers.stop(proc)


def test_graph_store_writes_go_to_the_graphs_they_name(graph_store):
    s = graph_store
    s.write({G: [quad("in g", ox.DefaultGraph())]})
    s.write(add=[quad("in h", ox.NamedNode(H))])
    assert s.named_graphs() == [G, H]
    assert [q.object.value for q in s.quads(G)] == ["in g"]
    assert [q.object.value for q in s.quads(H)] == ["in h"]
    assert list(s.quads(None)) == []  # nothing landed in the default graph
    s.write({G: [quad("again", ox.NamedNode(G))]})  # a PUT replaces the graph
    assert [q.object.value for q in s.quads(G)] == ["again"]


def test_graph_store_writes_reach_the_default_graph(graph_store):
    s = graph_store
    s.write(add=[quad("default", ox.DefaultGraph()), quad("named", ox.NamedNode(G))])
    assert list(s.quads(None)) == [quad("default", ox.DefaultGraph())]
    assert s.named_graphs() == [G] and s.graph_size(G) == 1
    s.write(drop=[None])
    assert s.graph_size(None) == 0 and s.graph_size(G) == 1


def test_a_query_the_server_cancelled_is_reported_as_its_time_limit(tmp_path):
    # `oxigraph serve --timeout-s 1` answers 200, starts the results, then writes its
    # cancellation message where the rest should be
    proc, base = servers.start_oxigraph(tmp_path, "--union-default-graph", "--timeout-s", "1")
    try:
        s = RemoteStore(f"{base}/query", f"{base}/update", timeout=60)
        s.write({G: [quad(str(i), ox.NamedNode(G)) for i in range(200)]})
        # 200^4 rows to count: far beyond one second
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }"
        with pytest.raises(StoreError, match=r"cancelled the query.*time limit") as e:
            list(s.query(slow))
        assert f"{base}/query" in str(e.value) and "unreadable" not in str(e.value)
        assert s.graph_size(G) == 200  # and the server still answers
    finally:
        servers.stop(proc)
