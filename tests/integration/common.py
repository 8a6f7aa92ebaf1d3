"""Checks shared by the remote-store integration tests (Oxigraph server, Virtuoso)."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.frameworks.levels import translate
from microhe.ingest.load import LoadError, Source, load
from microhe.queries.catalogue import QueryError, catalogue
from microhe.recognition.search import search
from microhe.store.base import StoreError
from microhe.store.embedded import Store
from microhe.store.remote import RemoteStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

#: Parameter values for the named queries (demo data).
PARAMS = {
    "credential": "https://w3id.org/microhe/demo/credential/acb-web-development",
    "eqf": "6",
    "institution": "https://w3id.org/microhe/demo/org/qa-fra",
    "issuer": "https://w3id.org/microhe/demo/org/qa-fra",
    "framework": "EQF",
    "level": "6",
    "skill": "https://w3id.org/microhe/demo/skill/statistical-analysis",
    "from": "UK",
    "to": "ECTS",
}

EVIL = 'x" } > \n<http://evil/> ; DROP ALL # \\u0022 \'\'\' """'


def os_ports(n: int) -> list[int]:
    """``n`` distinct loopback ports the OS handed out (all bound at once, then released),
    for a server that cannot bind port 0 itself (Virtuoso); its caller retries on a clash."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_http(url: str, seconds: float, proc=None) -> None:
    """Wait (bounded) until ``url`` answers an HTTP request."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError as e:
            last = e
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s: {last}")


def _cell(t):
    """A comparable form of a result cell: blank nodes are anonymous and GROUP_CONCAT
    order is not defined, so a literal compares by its sorted words."""
    if t is None:
        return None
    if isinstance(t, ox.BlankNode):
        return "_:"
    if isinstance(t, ox.Literal):
        return (" ".join(sorted(t.value.replace(" | ", " ").split())), t.datatype.value, t.language)
    return str(t)


def rows(store, text: str, bindings=None) -> set[tuple]:
    return {tuple(_cell(v) for v in row) for row in store.query(text, substitutions=bindings or None)}


def check_named_queries(remote, embedded, unsupported: dict[str, str] | None = None,
                        differ: frozenset[str] = frozenset(), min_nonempty: int = 8) -> None:
    """Every named query gives the same rows on both stores; ``unsupported`` maps the
    queries the server cannot run to (part of) the error it gives, which is checked;
    the queries in ``differ`` run but their rows are known to differ (not compared)."""
    unsupported = unsupported or {}
    nonempty = 0
    for name, nq in catalogue().items():
        try:
            b = nq.bindings({p.name: PARAMS[p.name] for p in nq.params if p.name in PARAMS})
        except QueryError:  # a required parameter this test has no value for
            continue
        if name in unsupported:
            with pytest.raises((StoreError, SyntaxError), match=unsupported[name]):
                rows(remote, nq.text_for(b), b)
            continue
        got, want = rows(remote, nq.text_for(b), b), rows(embedded, nq.text_for(b), b)
        if name in differ:
            continue
        assert got == want, f"{name}: remote and embedded results differ"
        nonempty += bool(want)
    assert nonempty >= min_nonempty  # the comparison is not vacuous


def check_load_and_refusal(remote, tmp_path) -> None:
    before = remote.dump_bytes()
    bad = Source.from_path(FIXTURES / "spec-invalid.ttl")
    with pytest.raises(LoadError):
        load(remote, [bad])
    assert remote.dump_bytes() == before
    unparsable = Source.from_path(FIXTURES / "unparsable.ttl")
    with pytest.raises(LoadError):
        load(remote, [unparsable])
    assert remote.dump_bytes() == before
    good = Source.from_path(FIXTURES / "spec-valid.ttl")
    [outcome] = load(remote, [good])
    assert outcome.status == "loaded"
    assert remote.has_graph(outcome.graph)
    assert remote.graph_size(outcome.graph) == outcome.triples
    # the same load on an embedded store with the same data gives the same graph
    local = Store()
    local.restore(ox.parse(before, format=ox.RdfFormat.N_QUADS))
    [local_outcome] = load(local, [Source.from_path(FIXTURES / "spec-valid.ttl")])
    assert {str(q) for q in remote.quads(outcome.graph)} == {str(q) for q in local.quads(local_outcome.graph)} \
        or remote.graph_size(outcome.graph) == local.graph_size(local_outcome.graph)
    # loading it again is a no-op
    [again] = load(remote, [good])
    assert again.status == "unchanged"


def check_recognition(remote, embedded) -> None:
    assert translate(remote, "EQF", "6") == translate(embedded, "EQF", "6")
    got = search(remote, eqf=6, limit=50)
    want = search(embedded, eqf=6, limit=50)
    assert got == want
    assert got.total


def check_injection(remote) -> None:
    evil = ox.Literal(EVIL)
    got = list(remote.query("SELECT ?v ?n WHERE { BIND(STRLEN(?v) AS ?n) }", substitutions={"v": evil}))
    assert len(got) == 1
    assert got[0]["v"] == evil
    assert int(got[0]["n"].value) == len(EVIL)
    iri = ox.NamedNode("http://example.org/a?b=c#d")
    [row] = remote.query("SELECT ?v WHERE { }", substitutions={"v": iri})
    assert row["v"] == iri
    # and the store still holds its data (nothing was dropped)
    assert not remote.is_empty()


def check_connection_failure() -> None:
    # a port bound but not listening, held for the whole check: connections are refused
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{held.getsockname()[1]}/query"
        with pytest.raises(StoreError) as e:
            RemoteStore(url, timeout=2)
    assert url in str(e.value)
