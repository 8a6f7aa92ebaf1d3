"""What only an Oxigraph server shows of the remote store (the contract both servers keep is
in test_remote_contract.py): Graph Store writes on a server that is not Virtuoso (the
standard ``?graph=`` / ``?default`` parameters), and the answer `oxigraph serve --timeout-s`
gives to a query it cancelled."""

from __future__ import annotations

import socket
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


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Iterator[str]:
    """One Oxigraph server for the checks below, each on graphs of its own."""
    proc, url = servers.start_oxigraph(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph")
    try:
        yield url
    finally:
        servers.stop(proc)


def test_an_unknown_authentication_or_write_mode_is_refused_before_any_request():
    # port 9 (discard) is never asked: the arguments are refused first
    with pytest.raises(StoreError, match="unknown HTTP authentication 'ntlm' \\(basic or digest\\)"):
        RemoteStore("http://127.0.0.1:9/query", auth="ntlm")
    with pytest.raises(StoreError, match="unknown write mode 'both' \\(auto, update or graph-store\\)"):
        RemoteStore("http://127.0.0.1:9/query", writes="both")


def test_graph_store_writes_without_an_endpoint_are_refused_before_anything_is_sent(base):
    s = RemoteStore(f"{base}/query", f"{base}/update", writes="graph-store")
    kept = EX + "kept"
    RemoteStore(f"{base}/query", f"{base}/update").write({kept: [quad("x", ox.NamedNode(kept))]})
    with pytest.raises(StoreError, match="MICROHE_GRAPH_STORE_ENDPOINT"):
        s.write(drop=[kept], add=[quad("new", ox.NamedNode(EX + "refused"))])
    assert s.graph_size(kept) == 1 and not s.has_graph(EX + "refused")  # the drop was not sent either


def test_the_default_graph_needs_a_graph_store_endpoint_to_be_read(base):
    s = RemoteStore(f"{base}/query", f"{base}/update")
    for read in (lambda: s.graph_size(None), lambda: list(s.quads(None))):
        with pytest.raises(StoreError, match="Graph Store Protocol on a remote store: set MICROHE_GRAPH_STORE_ENDPOINT"):
            read()


def test_the_default_graph_through_the_graph_store_endpoint(base):
    s = RemoteStore(f"{base}/query", f"{base}/update", graph_store_endpoint=f"{base}/store")
    s.clear()
    other = quad("other", ox.DefaultGraph())
    other = ox.Quad(ox.NamedNode(EX + "t"), other.predicate, other.object, other.graph_name)
    s.write(add=[quad("default", ox.DefaultGraph()), other, quad("named", ox.NamedNode(G))])
    assert len(s) == 3 and not s.is_empty()
    assert list(s.quads_matching(subject=ox.NamedNode(EX + "t"), graph=ox.DefaultGraph())) == [other]
    assert sorted(q.object.value for q in s.quads()) == ["default", "named", "other"]
    s.clear()  # the named graphs and the default graph, in one request
    assert s.is_empty() and s.graph_size(None) == 0 and len(s) == 0


def test_a_relative_iri_in_a_query_resolves_against_the_base_iri(base):
    s = RemoteStore(f"{base}/query", f"{base}/update")
    [row] = s.query("SELECT ?x WHERE { BIND(<credential/1> AS ?x) }", base_iri="https://example.org/base/")
    assert row["x"] == ox.NamedNode("https://example.org/base/credential/1")


def test_an_endpoint_the_server_does_not_have_is_named_in_the_error(base):
    with pytest.raises(StoreError, match=f"SPARQL server at {base}/nope failed: EndPointNotFound"):
        RemoteStore(f"{base}/nope")
    s = RemoteStore(f"{base}/query", f"{base}/update", graph_store_endpoint=f"{base}/nope", writes="graph-store")
    with pytest.raises(StoreError, match=f"graph store at {base}/nope answered HTTP 404"):
        s.write(add=[quad("x", ox.NamedNode(EX + "never"))])
    assert not s.has_graph(EX + "never")


def test_a_server_that_never_answers_is_a_timeout_naming_the_setting(base):
    # a socket that listens and never accepts: the connection is made, no answer comes
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        with pytest.raises(StoreError, match=r"did not answer within 1 s \(MICROHE_QUERY_TIMEOUT\)"):
            RemoteStore(url, timeout=1)
        s = RemoteStore(f"{base}/query", f"{base}/update", graph_store_endpoint=url, writes="graph-store", timeout=1)
        with pytest.raises(StoreError, match=f"the graph store at {url} did not answer within 1 s"):
            s.write(add=[quad("x", ox.NamedNode(EX + "silent"))])
    assert not s.has_graph(EX + "silent")


def test_an_unreachable_graph_store_is_named(base):
    with socket.socket() as held:  # bound, not listening: connections are refused
        held.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{held.getsockname()[1]}/store"
        s = RemoteStore(f"{base}/query", f"{base}/update", graph_store_endpoint=url, writes="graph-store")
        with pytest.raises(StoreError, match=f"cannot reach the graph store at {url}"):
            s.write(add=[quad("x", ox.NamedNode(EX + "unreached"))])
        with pytest.raises(StoreError, match=f"cannot reach the graph store at {url}"):
            s.graph_size(None)
