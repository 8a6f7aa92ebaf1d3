"""microhe's JSON-LD writer: the document loader never touches the network, the expanded
form keeps every literal as written, and the bundled context is the generator's output."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.rdf import jsonld_write as jw

N, L, B = ox.NamedNode, ox.Literal, ox.BlankNode
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def listener():
    """A loopback socket that would see any fetch of a context from it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.setblocking(False)
    yield s
    s.close()


def _no_connection(s: socket.socket) -> bool:
    try:
        conn, _ = s.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


def test_a_remote_context_in_the_data_is_never_fetched(listener):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/context.jsonld"
    doc = {"@context": url, "@id": "http://example.org/a", "name": "A"}
    with pytest.raises(jw.RemoteContextRefused, match="never fetched") as caught:
        jw.to_rdf(doc)
    assert url in str(caught.value)
    # nested and scoped references too
    nested = {"@context": {"knows": {"@id": "http://example.org/knows", "@context": url}},
              "@id": "http://example.org/a", "knows": {"@id": "http://example.org/b"}}
    with pytest.raises(jw.RemoteContextRefused, match="never fetched"):
        jw.to_rdf(nested)
    assert _no_connection(listener)


def test_the_loader_serves_only_bundled_contexts(listener):
    load = jw.document_loader(["http://deploy.example/context.jsonld"])
    for url in (jw.CONTEXT_URL, "http://deploy.example/context.jsonld", "https://www.w3.org/2018/credentials/v1"):
        assert "@context" in load(url, {})["document"]
    for url in (f"http://127.0.0.1:{listener.getsockname()[1]}/x", "https://example.org/context.jsonld",
                "file:///etc/passwd", "http://deploy.example/other.jsonld"):
        with pytest.raises(jw.RemoteContextRefused, match="never fetched"):
            load(url, {})
    assert _no_connection(listener)


def test_expanded_is_one_node_per_subject_with_literals_as_written():
    g = N("http://example.org/g")
    a, bn = N("http://example.org/a"), B("x")
    quads = [
        ox.Quad(a, N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), N("http://example.org/C"), g),
        ox.Quad(a, N("http://example.org/p"), L("007", datatype=N("http://www.w3.org/2001/XMLSchema#integer")), g),
        ox.Quad(a, N("http://example.org/p"), L("007", datatype=N("http://www.w3.org/2001/XMLSchema#integer")),
                ox.DefaultGraph()),  # the same triple in another graph: once
        ox.Quad(a, N("http://example.org/q"), L("x", language="en"), g),
        ox.Quad(a, N("http://example.org/r"), bn, g),
        ox.Quad(bn, N("http://example.org/s"), L("true", datatype=N("http://www.w3.org/2001/XMLSchema#boolean")), g),
    ]
    doc = jw.expanded(quads)
    assert doc == [
        {"@id": "http://example.org/a", "@type": ["http://example.org/C"],
         "http://example.org/p": [{"@value": "007", "@type": "http://www.w3.org/2001/XMLSchema#integer"}],
         "http://example.org/q": [{"@value": "x", "@language": "en"}],
         "http://example.org/r": [{"@id": "_:x"}]},
        {"@id": "_:x", "http://example.org/s": [{"@value": "true", "@type": "http://www.w3.org/2001/XMLSchema#boolean"}]},
    ]
    back = {(t.subject if isinstance(t.subject, ox.NamedNode) else None, t.predicate, t.object
             if not isinstance(t.object, ox.BlankNode) else None) for t in jw.to_rdf(doc)}
    assert (a, N("http://example.org/p"), L("007", datatype=N("http://www.w3.org/2001/XMLSchema#integer"))) in back
    assert len(jw.to_rdf(doc)) == 5


def test_the_bundled_context_is_the_generators_output():
    spec = importlib.util.spec_from_file_location("author_microhe_context", ROOT / "scripts" / "author_microhe_context.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert jw.context_bytes().decode("utf-8") == module.text(), "regenerate: python scripts/author_microhe_context.py"
