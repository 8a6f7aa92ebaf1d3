"""VoID for portals (issue 23): one ``void:subset`` per IRI space served, each with its
``void:uriSpace``; licence and publisher only from the settings (the bundled reference data
states its own licence, with its source); named-graph subsets counted once per store
state; an HTML view for browsers; links from the home page and the service description,
which also states that the default graph is the union of the named graphs."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from microhe.api import create_app
from microhe.api.http.csp import POLICY
from microhe.publish.dataset import statistics
from microhe.vocab import DCTERMS, DEMO, REF, VOID

from ..writes import BASE, PLAIN, parse_rdf

N = ox.NamedNode
EX = "http://example.org/"
DOC = BASE + ".well-known/void"
DATASET = N(DOC + "#dataset")
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
EUPL = N("http://publications.europa.eu/resource/authority/licence/EUPL_1_2")
CC0 = "http://publications.europa.eu/resource/authority/licence/CC0"


def void_of(w) -> list[ox.Quad]:
    r = w.client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    return parse_rdf(r.content, r.headers["content-type"])


def objects(quads, s, p):
    return [q.object for q in quads if q.subject == s and q.predicate == N(p)]


def subset_by_space(quads) -> dict[str, ox.NamedNode]:
    out = {}
    for sub in objects(quads, DATASET, VOID + "subset"):
        for space in objects(quads, sub, VOID + "uriSpace"):
            out[space.value] = sub
    return out


def test_one_subset_per_iri_space_served(make_writable_env):
    w = make_writable_env()
    quads = void_of(w)
    spaces = subset_by_space(quads)
    assert set(spaces) == {BASE, DEMO, REF, "https://w3id.org/microhe/ontology"}
    # where each space is served here (a portal follows these)
    assert objects(quads, spaces[DEMO], VOID + "exampleResource") or objects(quads, spaces[DEMO], DCTERMS + "title")
    assert N(BASE + "demo/") in objects(quads, spaces[DEMO], "http://www.w3.org/2000/01/rdf-schema#seeAlso")
    assert N(BASE + "ref/") in objects(quads, spaces[REF], "http://www.w3.org/2000/01/rdf-schema#seeAlso")
    # the lookup endpoint of any IRI stays on the dataset
    assert objects(quads, DATASET, VOID + "uriLookupEndpoint") == [N(BASE + "resource?iri=")]


def test_no_licence_is_claimed_for_loaded_data_by_default(make_writable_env):
    w = make_writable_env()
    quads = void_of(w)
    licensed = {q.subject for q in quads if q.predicate == N(DCTERMS + "license")}
    ref = subset_by_space(quads)[REF]
    assert licensed == {ref}, licensed
    # the reference data's own licence, with where it is stated
    assert objects(quads, ref, DCTERMS + "license") == [EUPL]
    assert objects(quads, ref, DCTERMS + "source")


def test_licence_and_publisher_from_the_settings(make_writable_env):
    w = make_writable_env(dataset_license=CC0, dataset_publisher="https://uni.example/",
                          dataset_publisher_name="Example University")
    quads = void_of(w)
    catalog, dump, service = (N(DOC + f"#{x}") for x in ("catalog", "dump", "sparql"))
    for node in (DATASET, catalog, dump, service):
        assert objects(quads, node, DCTERMS + "license") == [N(CC0)], node
    for node in (DATASET, catalog, service):
        assert objects(quads, node, DCTERMS + "publisher") == [N("https://uni.example/")], node
    assert objects(quads, N("https://uni.example/"), FOAF_NAME) == [ox.Literal("Example University")]


@pytest.mark.parametrize("bad", ["not an IRI", "http://x/ y", "<http://x/>", "relative/path"])
def test_a_malformed_licence_setting_stops_the_app(tmp_path, bad):
    from microhe.settings import Settings
    from microhe.store.embedded import Store

    with pytest.raises(Exception, match="MICROHE_DATASET_LICENSE"):
        create_app(Settings(store=tmp_path / "s", base=BASE, dataset_license=bad), Store())


def test_graph_subsets_are_counted_once_per_store_state(make_writable_env):
    w = make_writable_env(reference=False)
    w.store.restore([ox.Quad(N(EX + "a"), N(EX + "p"), ox.Literal(str(i)), N(EX + "g1")) for i in range(3)]
                    + [ox.Quad(N(EX + "b"), N(EX + "p"), ox.Literal("x"), N(EX + "g2"))])
    quads = void_of(w)
    counts = {}
    for sub in objects(quads, DATASET, VOID + "subset"):
        names = objects(quads, sub, "http://www.w3.org/ns/sparql-service-description#name")
        if names:
            counts[names[0].value] = int(objects(quads, sub, VOID + "triples")[0].value)
    assert counts == {EX + "g1": 3, EX + "g2": 1}
    assert statistics.cached(w.store)
    r = w.client.post("/rdf-graphs", params={"graph": EX + "g3", "profile": "consistency"}, content=PLAIN,
                      headers={**w.auth, "Content-Type": "text/turtle"})
    assert r.status_code == 201, r.text
    assert not statistics.cached(w.store)  # a write makes a new state: counted again when asked
    void_of(w)
    assert statistics.cached(w.store)


def test_browsers_get_an_html_view(make_writable_env):
    w = make_writable_env()
    r = w.client.get("/.well-known/void", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == POLICY
    assert "Accept" in r.headers["vary"]
    for text in (DEMO, REF, "/sparql", "/dump.nq", "format=ttl", "frameworks"):
        assert text in r.text, text
    # the named graphs with their sizes
    assert str(w.store.graph_size(REF + "graph/frameworks")) in r.text
    # still 406 for what is not offered
    assert w.client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
    # HEAD: the same headers, no body
    h = w.client.head("/.well-known/void", headers={"Accept": "text/html"})
    assert h.status_code == 200 and h.content == b"" and h.headers["content-type"].startswith("text/html")


def test_the_html_view_escapes_what_the_store_holds(make_writable_env):
    w = make_writable_env(reference=False)
    hostile = EX + "g'onmouseover='alert(1)'&x=1"
    w.store.restore([ox.Quad(N(EX + "a"), N(EX + "p"), ox.Literal("x"), N(hostile))])
    r = w.client.get("/.well-known/void", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "onmouseover='alert" not in r.text and "g&#39;onmouseover=&#39;alert(1)&#39;&amp;x=1" in r.text


def test_the_home_page_and_the_service_description_link_to_void(make_writable_env):
    w = make_writable_env()  # no demo data: the home page's charts are empty (they said "none" in a macro
    home = w.client.get("/", headers={"Accept": "text/html"})  # that had no translator: a 500 before)
    assert home.status_code == 200 and "/.well-known/void" in home.text
    r = w.client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    [svc] = list(g.subjects(rdflib.RDF.type, SD.Service))
    assert (svc, rdflib.RDFS.seeAlso, rdflib.URIRef(DOC)) in g
    assert (svc, SD.feature, SD.UnionDefaultGraph) in g
    comments = " ".join(str(o) for o in g.objects(None, rdflib.RDFS.comment))
    assert "DISTINCT" in comments and "GRAPH" in comments
