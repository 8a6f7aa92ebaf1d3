"""A linked-data portal harvests a live ``microhe serve`` (loopback, port 0) the way the
issue describes: VoID -> the dump -> the resource pages of the dump's subjects under the
served IRI spaces (every demo credential, and a capped number of other resources), a second
pass with conditional requests (304), then a write (Graph Store PUT with a token, and an
``/update`` that edits a demo credential), ``/api/changes`` from the point the dump named,
and re-fetching only what the feed lists: the harvested dataset then equals a fresh dump.

Only the standard library speaks HTTP here (what any harvester has); pyoxigraph reads the
VoID."""

from __future__ import annotations

import http.client
import json
import re
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

from microhe.vocab import DEMO, DEMO_GRAPH, ELM, RDF, VOID
from tests.api.writes import ORG, PREFIXES, spec
from tests.w3c.server import Served

PUBLIC = "https://microhe.example/"  # the deployment's public address (its base)
OTHERS_CAP = 40  # resources other than the demo credentials fetched per pass (demo size: keep the test fast)
DEFAULT_GRAPH = "urn:x-arq:DefaultGraph"
CHANGES_REL = "https://w3id.org/microhe/ontology#changes"
NEW_GRAPH = DEMO + "graph/harvest-test"
EDITED = DEMO + "credential/acb-web-development"
NEW_SPEC = DEMO + "harvest/spec"
# the writes' valid specification (every Council 2022 element) under the demo base, so its
# pages are served here
TURTLE = PREFIXES.replace("<https://example.org/test/>", f"<{DEMO}harvest/>") + spec("spec", "Harvested after a write") + ORG


class Portal:
    """A harvester's view of one server: plain HTTP/1.1 on one connection."""

    def __init__(self, served: Served):
        self.served = served
        self.conn = http.client.HTTPConnection(served.host, served.port, timeout=60)

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET", body: bytes | None = None):
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()

    def local(self, url: str) -> str:
        """A URL the server published (absolute, under its public base: the deployment's
        address, here behind no proxy, so the harvester sends it to the loopback port), or
        relative, as a request path."""
        if url.startswith("/"):
            return url
        assert url.startswith(PUBLIC), url
        return "/" + url[len(PUBLIC):]


def links(headers: dict[str, str]) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', headers.get("link", ""))}


def quads_of(body: bytes) -> set[ox.Quad]:
    """The quads of an N-Quads body (blank-node labels kept: the server writes the store's own)."""
    return set(ox.parse(body, format=ox.RdfFormat.N_QUADS))


def graph_node(iri: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if iri == DEFAULT_GRAPH else ox.NamedNode(iri)


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_dir):
    import shutil

    root = tmp_path_factory.mktemp("harvest")
    shutil.copytree(demo_dir, root / "store")
    s = Served(root / "store", root / "serve.log", "--base", PUBLIC,
               warm_indexes="false", query_workers="2")
    try:
        yield s
    finally:
        s.stop()


def test_a_portal_harvests_then_follows_the_change_feed(served):
    portal = Portal(served)

    # 1. VoID: where the dump is, which IRI spaces are served, how to look a resource up
    status, _, body = portal.get("/.well-known/void", {"Accept": "application/n-triples"})
    assert status == 200
    void = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    objects = {p: [t.object for t in void if t.predicate == ox.NamedNode(VOID + p)]
               for p in ("dataDump", "uriSpace", "uriLookupEndpoint")}
    # the dataset's own dump: that of the dataset with the SPARQL endpoint (subsets have theirs too)
    dataset = {t.subject for t in void if t.predicate == ox.NamedNode(VOID + "sparqlEndpoint")}
    (dump_url,) = {t.object.value for t in void if t.predicate == ox.NamedNode(VOID + "dataDump")
                   and t.subject in dataset}
    spaces = sorted({o.value for o in objects["uriSpace"]} | {DEMO})  # the demo space: what this deployment serves
    lookup = objects["uriLookupEndpoint"][0].value

    # 2. the dump, and the point of the change log it describes
    status, headers, dump = portal.get(portal.local(dump_url))
    assert status == 200
    harvested = quads_of(dump)
    since = [url for rel, url in links(headers).items() if rel == CHANGES_REL]
    assert len(since) == 1, headers.get("link")
    changes_url = portal.local(since[0])

    # 3. every resource page of the dump's subjects under the served spaces (all credentials)
    served_subjects = {q.subject.value for q in harvested if isinstance(q.subject, ox.NamedNode)
                       and q.subject.value.startswith(tuple(spaces))}
    credentials = {q.subject.value for q in harvested
                   if q.predicate == ox.NamedNode(RDF + "type") and q.object == ox.NamedNode(ELM + "Qualification")}
    credentials &= served_subjects
    assert len(credentials) >= 10
    chosen = sorted(credentials) + sorted(served_subjects - credentials)[:OTHERS_CAP]

    def page(iri: str, etag: str | None = None):
        headers = {"Accept": "text/turtle", **({"If-None-Match": etag} if etag else {})}
        return portal.get(portal.local(lookup + quote(iri, safe="")), headers)

    etags = {}
    for iri in chosen:
        status, headers, _ = page(iri)
        assert status == 200 and headers.get("etag"), (iri, status)
        etags[iri] = headers["etag"]
    # 4. the second pass is conditional: nothing changed, nothing is sent again
    for iri in chosen:
        status, _, body = page(iri, etags[iri])
        assert (status, body) == (304, b""), iri

    # 5. writes: a Graph Store PUT of a new specification, an /update editing a demo credential
    auth = {"Authorization": f"Bearer {served.token}"}
    status, _, body = portal.get("/rdf-graphs?" + urlencode({"graph": NEW_GRAPH}),
                                 {**auth, "Content-Type": "text/turtle"}, "PUT", TURTLE.encode())
    assert status == 201, body
    edit = (f'DELETE {{ GRAPH <{DEMO_GRAPH}> {{ <{EDITED}> <http://purl.org/dc/terms/title> ?t }} }} '
            f'INSERT {{ GRAPH <{DEMO_GRAPH}> {{ <{EDITED}> <http://purl.org/dc/terms/title> "Web development, edited"@en }} }} '
            f'WHERE {{ GRAPH <{DEMO_GRAPH}> {{ <{EDITED}> <http://purl.org/dc/terms/title> ?t }} }}')
    status, _, body = portal.get("/update", {**auth, "Content-Type": "application/sparql-update"}, "POST",
                                 edit.encode())
    assert status == 204, body

    # 6. the change feed since the dump, page by page
    graphs: set[str] = set()
    deleted: set[str] = set()
    subjects: set[str] = set()
    url: str | None = changes_url
    kinds = []
    while url:
        status, headers, body = portal.get(url, {"Accept": "application/json"})
        assert status == 200, body
        for e in json.loads(body)["changes"]:
            assert e["graphs"] is not None, e  # else: harvest the dump again
            kinds.append(e["kind"])
            graphs |= set(e["graphs"])
            deleted |= set(e["deleted"])
            subjects |= set(e["added"] or []) | set(e["removed"] or [])
        nxt = links(headers).get("next")
        url = portal.local(nxt) if nxt else None
    assert kinds == ["put", "update"]
    assert {NEW_GRAPH, DEMO_GRAPH} <= graphs and {NEW_SPEC, EDITED} <= subjects

    # 7. re-fetch only what the feed lists: its graphs (N-Quads), its resources' pages
    for g in graphs:
        harvested = {q for q in harvested if q.graph_name != graph_node(g)}
        if g in deleted:
            continue
        query = "default" if g == DEFAULT_GRAPH else urlencode({"graph": g})
        status, _, body = portal.get(f"/rdf-graphs?{query}", {"Accept": "application/n-quads"})
        assert status == 200, (g, status)
        harvested |= {ox.Quad(q.subject, q.predicate, q.object, graph_node(g)) for q in quads_of(body)}
    refetched = {iri for iri in subjects if iri.startswith(tuple(spaces))}
    for iri in refetched:
        status, headers, _ = page(iri, etags.get(iri))
        assert status == 200, iri  # changed since the first pass: sent again
    assert EDITED in refetched and NEW_SPEC in refetched
    assert len(refetched) < len(chosen)  # the point of the feed: far fewer requests than a second harvest

    # 8. the same graph as a fresh dump
    status, _, fresh = portal.get(portal.local(dump_url))
    assert status == 200
    assert harvested == quads_of(fresh)
