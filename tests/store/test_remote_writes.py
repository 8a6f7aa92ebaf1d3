"""What a write to a remote store sends, read without a server (microhe.store.remote_writes);
tests/integration sends it to real Oxigraph and Virtuoso servers."""

from __future__ import annotations

import pyoxigraph as ox

from microhe.store.remote_writes import graph_store_requests, touches_default_graph, update_request
from microhe.store.update import chunks

G, H = "https://example.org/g", "https://example.org/h"
EX = "https://example.org/"


def quad(s, p: str, o, g: str = G) -> ox.Quad:
    return ox.Quad(s, ox.NamedNode(EX + p), o, ox.NamedNode(g))


def test_one_update_drops_then_deletes_then_inserts():
    a, b = ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b")
    text = update_request({G: [quad(a, "p", b, "urn:ignored")]}, [None, H], [quad(b, "q", a, H)],
                          [quad(a, "r", b, H)], chunk_size=1000)
    ops = text.split(" ;\n")
    assert ops[:3] == ["DROP SILENT DEFAULT", f"DROP SILENT GRAPH <{H}>", f"DROP SILENT GRAPH <{G}>"]
    assert ops[3].startswith("DELETE DATA { ") and ops[4].startswith("INSERT DATA { ") and len(ops) == 5
    assert f"GRAPH <{G}>" in ops[4] and "urn:ignored" not in ops[4]  # a set graph's quads go into it
    assert update_request({}, [], [], [], chunk_size=10) is None


def test_quads_sharing_a_blank_node_stay_in_one_operation():
    x, y = ox.BlankNode("x"), ox.BlankNode("y")
    n = ox.NamedNode(EX + "n")
    quads = [quad(n, "p", n), quad(x, "p", y), quad(n, "p", n, H), quad(y, "p", n), quad(n, "q", n)]
    parts = chunks(quads, 2)
    assert all(parts) and sorted(map(str, (q for p in parts for q in p))) == sorted(map(str, quads)) and len(parts) > 1
    [with_x] = [p for p in parts if quads[1] in p]
    assert quads[3] in with_x  # _:x _:y and _:y share a blank node: one operation
    text = update_request({}, [], quads, [], chunk_size=2)
    assert "INSERT { " in text and "} WHERE {}" in text  # blank nodes: a template, not INSERT DATA


def test_a_graph_store_write_is_drops_then_one_put_or_post_per_graph():
    a = ox.NamedNode(EX + "a")
    text, requests = graph_store_requests({G: [quad(a, "p", a)], "urn:empty": []}, [H], [quad(a, "q", a, H)],
                                          [], chunk_size=10)
    assert text == f"DROP SILENT GRAPH <{H}> ;\nDROP SILENT GRAPH <urn:empty>"
    assert [(m, iri) for m, iri, _ in requests] == [("PUT", G), ("POST", H)]
    assert touches_default_graph([None], [], []) and not touches_default_graph([H], [quad(a, "p", a)], [])


def test_a_graph_store_write_names_the_default_graph_by_none():
    a = ox.NamedNode(EX + "a")
    default = ox.Quad(a, ox.NamedNode(EX + "p"), a, ox.DefaultGraph())
    text, requests = graph_store_requests({}, [None], [default, quad(a, "q", a)], [], chunk_size=10)
    assert text == "DROP SILENT DEFAULT"
    assert [(m, iri, qs) for m, iri, qs in requests] == [("POST", None, [default]), ("POST", G, [quad(a, "q", a)])]
    assert touches_default_graph([], [default], [])
