"""JSON-LD a portal can use (issue 23): every resource page type and every graph route
answers ONE graph (no named-graph wrapper), compacted with the context the deployment
serves at ``{base}context.jsonld``: graphs flattened, resource pages framed (the resource
first, its blank nodes nested); ``Accept: application/ld+json;profile=...`` selects the form.

The round trip is checked as a portal would do it, with two independent JSON-LD readers:
rdflib and PyLD (``toRDF``), each given the context as fetched from the app itself (never
from the network); both must give a graph isomorphic to the Turtle answer (read by rdflib).
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from microhe.api import create_app
from microhe.ingest.load import initialise
from microhe.settings import Settings
from microhe.store.embedded import Store
from microhe.vocab import DCTERMS, DEMO, ELM, RDF, REF, SKOS

N, L = ox.NamedNode, ox.Literal
BASE = "http://portal.test/"
CONTEXT = BASE + "context.jsonld"
JSONLD = "http://www.w3.org/ns/json-ld#"
INSTANCE = BASE + "credential/portal"
URN = "urn:epass:learningOpportunity:portal-1"
DIRECT_GRAPH = BASE + "rdf-graphs/portal/one"
DEMO_CRED = DEMO + "credential/strathlowe-applied-data-analysis"


def instance_quads() -> list[ox.Quad]:
    g = N(DIRECT_GRAPH)
    cp, note = ox.BlankNode("cp"), ox.BlankNode("note")
    return [
        ox.Quad(N(INSTANCE), N(RDF + "type"), N(ELM + "Qualification"), g),
        ox.Quad(N(INSTANCE), N(DCTERMS + "title"), L("Portal course", language="en"), g),
        ox.Quad(N(INSTANCE), N(DCTERMS + "title"), L("Portalkurs", language="de"), g),
        ox.Quad(N(INSTANCE), N(DCTERMS + "title"), L("a plain title"), g),  # not for a language map
        ox.Quad(N(INSTANCE), N(ELM + "creditPoint"), cp, g),
        ox.Quad(cp, N(RDF + "type"), N(ELM + "CreditPoint"), g),
        ox.Quad(cp, N(ELM + "point"), L("007"), g),  # a lexical form a number would lose
        ox.Quad(cp, N(ELM + "framework"), N("http://data.europa.eu/snb/education-credit/6fcec5c5af"), g),
        ox.Quad(N(INSTANCE), N(ELM + "entryRequirement"), note, g),
        ox.Quad(note, N(ELM + "noteLiteral"), L("Bring a laptop", language="en"), g),
        ox.Quad(N(INSTANCE), N(ELM + "EQFLevel"), N("http://data.europa.eu/snb/eqf/6"), g),
        ox.Quad(N(INSTANCE), N("http://example.org/unknown#count"), L("12", datatype=N(
            "http://www.w3.org/2001/XMLSchema#integer")), g),
        ox.Quad(N(URN), N(DCTERMS + "title"), L("A Europass opportunity", language="en"), g),
        ox.Quad(N(URN), N(ELM + "learningAchievementSpecification"), N(INSTANCE), g),
        # the same triple in the default graph too: one graph answered, so once
        ox.Quad(N(INSTANCE), N(DCTERMS + "title"), L("Portal course", language="en"), ox.DefaultGraph()),
    ]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    store = Store()
    initialise(store, demo=True)
    store.restore(list(store.quads()) + instance_quads())
    settings = Settings(store=tmp_path_factory.mktemp("portal") / "store", base=BASE, warm_indexes=False)
    with TestClient(create_app(settings, store)) as client:
        yield client


# -- how a portal reads the answers ---------------------------------------------------------


def _context(client) -> dict:
    r = client.get("/context.jsonld")
    assert r.status_code == 200, r.text
    return r.json()


def with_fetched_context(doc, client):
    """The document with its ``@context`` URL replaced by the context fetched from the app
    (what rdflib would fetch; the test must not touch the network)."""
    assert isinstance(doc, dict) and doc["@context"] == CONTEXT, doc.get("@context") if isinstance(doc, dict) else doc
    return {**doc, "@context": _context(client)["@context"]}


def by_rdflib(doc, client) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=json.dumps(with_fetched_context(doc, client) if isinstance(doc, dict) else doc), format="json-ld")
    return g


def by_pyld(doc, client) -> rdflib.Graph:
    from pyld import jsonld

    served = _context(client)

    def loader(url, options=None):
        if url != CONTEXT:
            raise AssertionError(f"PyLD asked for {url}")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": served}

    nq = jsonld.to_rdf(doc, {"documentLoader": loader, "format": "application/n-quads"})
    g = rdflib.Graph()
    g.parse(data=nq, format="nt")
    return g


def turtle_of(client, path, params) -> rdflib.Graph:
    r = client.get(path, params=params, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    g = rdflib.Graph()
    g.parse(data=r.text, format="turtle", publicID=BASE)
    assert len(g) > 0
    return g


# every resource page type and every graph route
RESOURCES = [
    ("/demo/credential/strathlowe-applied-data-analysis", {}, DEMO_CRED),
    ("/demo/org/strathlowe", {}, DEMO + "org/strathlowe"),
    ("/ref/framework/RQF", {}, REF + "framework/RQF"),
    ("/credential/portal", {}, INSTANCE),
    ("/resource", {"iri": URN}, URN),
    ("/resource", {"iri": DEMO_CRED}, DEMO_CRED),
]
GRAPHS = [
    ("/rdf-graphs", {"graph": DEMO + "graph/credentials"}),
    ("/rdf-graphs", {"graph": REF + "graph/frameworks"}),
    ("/rdf-graphs/portal/one", {}),
    ("/ontology", {}),
    ("/.well-known/void", {}),
]


@pytest.mark.parametrize(("path", "params", "iri"), RESOURCES, ids=[p + urlencode(q) for p, q, _ in RESOURCES])
def test_a_resource_page_is_framed_with_the_resource_first(portal, path, params, iri):
    r = portal.get(path, params=params, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f'application/ld+json; profile="{JSONLD}framed"'
    doc = r.json()
    assert doc["@context"] == CONTEXT
    first = doc["@graph"][0]
    assert first["@id"] == iri
    # one node object per named subject, no top-level blank node, no graph wrapper
    assert all(not n["@id"].startswith("_:") and "@graph" not in n for n in doc["@graph"])
    turtle = turtle_of(portal, path, params)
    assert isomorphic(by_rdflib(doc, portal), turtle)
    assert isomorphic(by_pyld(doc, portal), turtle)


@pytest.mark.parametrize(("path", "params"), GRAPHS, ids=[p + urlencode(q) for p, q in GRAPHS])
def test_a_graph_is_one_graph_flattened_and_compacted(portal, path, params):
    r = portal.get(path, params=params, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f'application/ld+json; profile="{JSONLD}flattened {JSONLD}compacted"'
    doc = r.json()
    assert doc["@context"] == CONTEXT and isinstance(doc["@graph"], list)
    ids = [n["@id"] for n in doc["@graph"]]
    assert len(ids) == len(set(ids)), "flattened: one node object per subject"
    assert not any("@graph" in n for n in doc["@graph"]), "no named-graph wrapper"
    turtle = turtle_of(portal, path, params)
    assert isomorphic(by_rdflib(doc, portal), turtle)
    assert isomorphic(by_pyld(doc, portal), turtle)


def test_terms_of_the_context_are_used(portal):
    """Compacted with the context: @type for rdf:type, ELM and SKOS terms, language maps,
    IRI coercion; a property the context does not know stays a full IRI (nothing lost)."""
    doc = portal.get("/credential/portal", headers={"Accept": "application/ld+json"}).json()
    node = doc["@graph"][0]
    assert node["@type"] == "Qualification"
    assert node["EQFLevel"] == "http://data.europa.eu/snb/eqf/6"
    # dcterms:title has @en, @de and a plain value: the language map takes the tagged ones
    titles = node["title"]
    assert titles["en"] == "Portal course" and titles["de"] == "Portalkurs"
    assert "a plain title" in json.dumps(node)
    assert node["creditPoint"]["point"] == "007" and node["creditPoint"]["@type"] == "CreditPoint"
    assert node["entryRequirement"]["noteLiteral"] == {"en": "Bring a laptop"}
    assert node["http://example.org/unknown#count"] == {"@value": "12", "@type": "xsd:integer"}
    # the reference data's prefLabels are language maps
    framework = portal.get("/ref/framework/RQF", headers={"Accept": "application/ld+json"}).json()["@graph"][0]
    assert isinstance(framework["prefLabel"], dict) and framework["prefLabel"]["en"]


def test_every_predicate_of_the_bundled_data_compacts(portal):
    """The context covers what microhe publishes: in the demo and reference graphs every
    property compacts to a term or a compact IRI, never a full IRI."""
    for graph in (DEMO + "graph/credentials", DEMO + "graph/skills", REF + "graph/frameworks",
                  REF + "graph/credit-systems", REF + "graph/vocabularies", REF + "graph/institutions"):
        doc = portal.get("/rdf-graphs", params={"graph": graph}, headers={"Accept": "application/ld+json"}).json()
        full = {k for n in doc["@graph"] for k in n if k.startswith(("http:", "https:"))}
        assert not full, (graph, full)


@pytest.mark.parametrize("form", ["expanded", "compacted", "flattened", "framed"])
def test_the_profile_selects_the_form(portal, form):
    for path, params, iri in (("/credential/portal", {}, INSTANCE), ("/rdf-graphs/portal/one", {}, None)):
        r = portal.get(path, params=params, headers={"Accept": f'application/ld+json;profile="{JSONLD}{form}"'})
        assert r.status_code == 200, r.text
        doc = r.json()
        served = r.headers["content-type"]
        if form == "expanded":
            assert served == f'application/ld+json; profile="{JSONLD}expanded"'
            assert isinstance(doc, list) and all("@id" in n for n in doc)
            assert all(not k.startswith("@") or k in ("@id", "@type") for n in doc for k in n)
        elif form == "framed" and iri is not None:
            assert served.endswith(f'{JSONLD}framed"') and doc["@graph"][0]["@id"] == iri
        else:  # compacted/flattened; framed asked of a graph: flattened
            assert JSONLD + "flattened" in served and doc["@context"] == CONTEXT
        assert isomorphic(by_pyld(doc, portal), turtle_of(portal, path, params))


def test_profile_lists_and_preferences(portal):
    """A space-separated profile list (the first form microhe writes wins) and q-values."""
    accept = (f'application/ld+json;profile="http://example.org/other {JSONLD}expanded";q=0.9, '
              f'application/ld+json;profile="{JSONLD}flattened";q=0.5')
    r = portal.get("/credential/portal", headers={"Accept": accept})
    assert r.headers["content-type"] == f'application/ld+json; profile="{JSONLD}expanded"'
    # an unknown profile only: the default form
    r = portal.get("/credential/portal", headers={"Accept": 'application/ld+json;profile="http://example.org/x"'})
    assert r.status_code == 200 and r.headers["content-type"].endswith(f'{JSONLD}framed"')
    # each form its own ETag
    etags = {portal.get("/credential/portal", headers={"Accept": f'application/ld+json;profile="{JSONLD}{f}"'}
                        ).headers["etag"] for f in ("expanded", "framed")}
    assert len(etags) == 2


def test_above_the_cap_a_graph_is_served_flattened_without_compaction(tmp_path):
    store = Store()
    store.restore(instance_quads())
    settings = Settings(store=tmp_path / "s", base=BASE, jsonld_compact_cap=5, warm_indexes=False)
    with TestClient(create_app(settings, store)) as client:
        r = client.get("/rdf-graphs/portal/one", headers={"Accept": "application/ld+json"})
        assert r.status_code == 200
        assert r.headers["content-type"] == f'application/ld+json; profile="{JSONLD}flattened {JSONLD}expanded"'
        assert "compaction cap of 5" in r.headers["x-json-ld-not-compacted"]
        doc = r.json()
        assert isinstance(doc, list) and len({n["@id"] for n in doc}) == len(doc)
        assert isomorphic(by_pyld(doc, client), turtle_of(client, "/rdf-graphs/portal/one", {}))
        # within the cap (the URN's description: 2 triples), framed and compacted
        r = client.get("/resource", params={"iri": URN}, headers={"Accept": "application/ld+json"})
        assert "x-json-ld-not-compacted" not in r.headers and r.json()["@graph"][0]["@id"] == URN


# -- the context route ---------------------------------------------------------------------


def test_the_context_is_served_with_cors_and_an_etag(portal):
    r = portal.get("/context.jsonld", headers={"Origin": "https://portal.example"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.headers["access-control-allow-origin"] == "*"
    ctx = r.json()["@context"]
    assert ctx["elm"] == ELM and ctx["skos"] == SKOS and ctx["schema"] == "https://schema.org/"
    assert ctx["mhe"] == "https://w3id.org/microhe/ontology#"
    assert ctx["prefLabel"] == {"@id": SKOS + "prefLabel", "@container": "@language"}
    assert ctx["volumeOfLearning"]["@type"] == "http://www.w3.org/2001/XMLSchema#duration"
    assert ctx["QualificationsFramework"] == "https://w3id.org/microhe/ontology#QualificationsFramework"
    etag = r.headers["etag"]
    again = portal.get("/context.jsonld", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    head = portal.head("/context.jsonld")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
    assert portal.post("/context.jsonld").status_code == 405


def test_hostile_accept_profiles_are_harmless(portal):
    for accept in ('application/ld+json;profile="', "application/ld+json;profile=" + "x" * 5000,
                   'application/ld+json;profile="' + quote("\x00\n") + '"', "application/ld+json;;;profile==",
                   'application/ld+json;profile="http://www.w3.org/ns/json-ld#framed";q=2'):
        r = portal.get("/credential/portal", headers={"Accept": accept})
        assert r.status_code in (200, 406), (accept, r.status_code)
        if r.status_code == 200:
            assert r.headers["content-type"].startswith("application/ld+json") or accept.endswith("q=2")


def test_microhe_reads_back_its_own_json_ld(make_writable_env):
    """A portal that GETs a graph's JSON-LD and PUTs it to another graph: microhe's own
    parser resolves ``{base}context.jsonld`` to the bundled context (nothing fetched)."""
    from microhe.kg import bundled

    w = make_writable_env()
    [demo] = [g for g in bundled.demo_graphs() if g.iri.endswith("/credentials")]
    w.store.restore(list(w.store.quads()) + demo.quads())
    got = w.client.get("/rdf-graphs", params={"graph": demo.iri}, headers={"Accept": "application/ld+json"})
    assert got.status_code == 200 and got.json()["@context"] == w.settings.base + "context.jsonld"
    copy = "http://example.org/copy"
    r = w.client.put("/rdf-graphs", params={"graph": copy}, content=got.content,
                     headers={**w.auth, "Content-Type": "application/ld+json"})
    assert r.status_code == 201, r.text
    a = rdflib.Graph().parse(data=w.client.get("/rdf-graphs", params={"graph": demo.iri}).text, format="turtle")
    b = rdflib.Graph().parse(data=w.client.get("/rdf-graphs", params={"graph": copy}).text, format="turtle")
    assert isomorphic(a, b)
    # another deployment's context URL is still refused, and names itself
    foreign = json.dumps({**got.json(), "@context": "http://elsewhere.example/context.jsonld"})
    r = w.client.put("/rdf-graphs", params={"graph": copy + "2"}, content=foreign,
                     headers={**w.auth, "Content-Type": "application/ld+json"})
    assert r.status_code == 400 and "elsewhere.example" in r.text
    assert not w.store.has_graph(copy + "2")
