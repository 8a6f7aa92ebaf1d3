"""Linked data: instance IRIs under the base, the demo and reference IRIs and the ontology
dereference with content negotiation; the catch-all shadows no other route."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from microhe.kg import bundled
from microhe.vocab import DCTERMS, DEMO, ELM, MHE, OWL, RDF, RDFS, REF, SKOS

from ..writes import BASE, Writable, make_writable, parse_rdf

N = ox.NamedNode
L = ox.Literal
CRED = N(BASE + "credential/x")
REFERRER = N(BASE + "credential/bigger")
SPACED = N(BASE + "credential/a%20b")
INSTANCE_GRAPH = BASE + "graph/instances"
DEMO_SPEC = DEMO + "credential/dhbw-python-data-wrangling"
RQF = REF + "framework/RQF"


def instance_quads() -> list[ox.Quad]:
    g = N(INSTANCE_GRAPH)
    point = ox.BlankNode("cp1")
    return [
        ox.Quad(CRED, N(RDF + "type"), N(ELM + "Qualification"), g),
        ox.Quad(CRED, N(DCTERMS + "title"), L("Data analysis with Python", language="en"), g),
        ox.Quad(CRED, N(ELM + "EQFLevel"), N("http://data.europa.eu/snb/eqf/6"), g),
        ox.Quad(CRED, N(ELM + "creditPoint"), point, g),
        ox.Quad(point, N(RDF + "type"), N(ELM + "CreditPoint"), g),
        ox.Quad(point, N(ELM + "point"), L("5"), g),
        ox.Quad(CRED, N(ELM + "awardingOpportunity"), N(DEMO + "org/strathlowe"), g),
        ox.Quad(REFERRER, N(ELM + "hasPart"), CRED, g),
        ox.Quad(REFERRER, N(DCTERMS + "title"), L("A bigger credential", language="en"), g),
        ox.Quad(SPACED, N(DCTERMS + "title"), L("An IRI with a space escape"), g),
        ox.Quad(REFERRER, N(DCTERMS + "description"), L("<script>alert(1)</script>"), g),
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory, reference_quads) -> Writable:
    """Reference and ontology graphs, the bundled demo graphs and a few instance triples."""
    w = make_writable(tmp_path_factory.mktemp("ld"), reference_quads)
    w.store.restore(q for b in bundled.demo_graphs() for q in b.quads())
    w.store.restore(instance_quads())
    yield w
    w.client.__exit__(None, None, None)


def triples_about(quads, subject) -> set:
    return {(q.predicate, q.object) for q in quads if q.subject == subject}


NEGOTIATION = [
    # Accept, served media type
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("application/ld+json;q=0.5, text/turtle;q=0.9", "text/turtle"),
]


@pytest.mark.parametrize("accept, served", NEGOTIATION)
def test_instance_iris_under_the_base_dereference_by_negotiation(site, accept, served):
    r = site.client.get("/credential/x", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == served
    assert "Accept" in r.headers["vary"]
    if served == "text/html":
        return
    quads = parse_rdf(r.content, served)
    own = triples_about(quads, CRED)
    assert (N(DCTERMS + "title"), L("Data analysis with Python", language="en")) in own
    assert (N(RDF + "type"), N(ELM + "Qualification")) in own
    # the blank-node closure: the credit point's own triples come along
    [point] = [o for p, o in own if p == N(ELM + "creditPoint")]
    assert (N(ELM + "point"), L("5")) in triples_about(quads, point)
    # a concise description: nothing about other subjects
    assert {q.subject for q in quads} == {CRED, point}
    if served in ("application/n-quads", "application/trig"):
        assert {q.graph_name for q in quads} == {N(INSTANCE_GRAPH)}


def test_every_answer_lists_its_alternates_and_each_can_be_fetched(site):
    r = site.client.get("/credential/x", headers={"Accept": "text/turtle"})
    links = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', r.headers["link"])
    assert {t for _, t in links} >= {"text/turtle", "application/ld+json", "application/n-triples", "text/html"}
    for url, media_type in links:
        got = site.client.get(url)
        assert got.status_code == 200 and got.headers["content-type"].split(";")[0] == media_type


def test_html_page_shows_labels_types_properties_incoming_links_and_graphs(site):
    r = site.client.get("/credential/x", headers={"Accept": "text/html"})
    assert r.status_code == 200
    html = r.text
    assert "<h1>Data analysis with Python</h1>" in html
    # the type, linked to its description in this store (the lookup route: issue 16)
    assert f'href="/resource?{urlencode({"iri": ELM + "Qualification"})}"' in html
    assert "elm:creditPoint" in html and ">5<" in html  # the blank node's table
    assert 'href="/credential/bigger"' in html and "A bigger credential" in html  # incoming link, local
    assert 'href="/demo/org/strathlowe"' in html  # demo IRIs link to where they are served
    assert INSTANCE_GRAPH in html  # the graph it lives in


def test_percent_encoded_iris_are_matched_as_written(site):
    r = site.client.get("/credential/a%20b", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert {q.subject for q in parse_rdf(r.content, "application/n-triples")} == {SPACED}


def test_a_named_graph_iri_under_the_base_dereferences(site):
    r = site.client.get("/graph/instances", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "names a graph of 11 triples" in r.text and "/rdf-graphs?graph=" in r.text


def test_demo_iris_are_served_under_demo(site):
    r = site.client.get("/demo/credential/dhbw-python-data-wrangling", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    own = triples_about(parse_rdf(r.content, "text/turtle"), N(DEMO_SPEC))
    assert (N(DCTERMS + "title"), L("Data wrangling with Python", language="en")) in own


def test_reference_iris_are_served_under_ref(site):
    r = site.client.get("/ref/framework/RQF", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    own = triples_about(parse_rdf(r.content, "application/ld+json"), N(RQF))
    assert (N(RDF + "type"), N(MHE + "QualificationsFramework")) in own
    assert (N(SKOS + "notation"), L("RQF")) in own


@pytest.mark.parametrize("path", ["/credential/nothing-here", "/demo/credential/nothing-here",
                                  "/ref/framework/NOPE", "/ref/", "/nope/nope"])
def test_unknown_resources_are_404(site, path):
    assert site.client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
    assert site.client.get(path, headers={"Accept": "text/html"}).status_code == 404


def test_head_answers_without_a_body(site):
    r = site.client.head("/credential/x", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and not r.content and int(r.headers["content-length"]) > 0


def test_unacceptable_media_types_are_406(site):
    assert site.client.get("/credential/x", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("method, path, status, content_type", [
    ("GET", "/sparql?query=ASK%7B%7D", 200, "application/sparql-results+json"),
    ("GET", "/update", 405, None),
    ("GET", "/rdf-graphs", 400, None),
    ("GET", "/.well-known/void", 200, "text/turtle"),
    ("GET", "/openapi.json", 200, "application/json"),
    ("GET", "/docs", 200, "text/html"),
    ("GET", "/dump.nq", 200, "application/n-quads"),
])
def test_the_catch_all_shadows_no_other_route(site, method, path, status, content_type):
    r = site.client.request(method, path)
    assert r.status_code == status, r.text[:300]
    if content_type:
        assert r.headers["content-type"].startswith(content_type)


ONTOLOGY_NEGOTIATION = [
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/html", "text/html"),
    (None, "text/turtle"),
]


@pytest.mark.parametrize("accept, served", ONTOLOGY_NEGOTIATION)
def test_the_ontology_is_served_locally(site, accept, served):
    r = site.client.get("/ontology", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == served
    if served == "text/html":
        assert 'id="levelRank"' in r.text and "level rank" in r.text
        assert "The position of a level within its own framework" in r.text  # skos:definition
        return
    quads = parse_rdf(r.content, served)
    source = [q for b in bundled.ontology_graphs() if b.iri == bundled.ONTOLOGY for q in b.quads()]
    assert len({q.triple for q in quads}) == len({q.triple for q in source})
    onto = triples_about(quads, N("https://w3id.org/microhe/ontology"))
    assert (N(RDF + "type"), N(OWL + "Ontology")) in onto
    assert (N(RDFS + "label"), L("level rank", language="en")) in triples_about(quads, N(MHE + "levelRank"))


def test_html_escapes_literal_values(site):
    r = site.client.get("/credential/bigger", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
