"""VoID and DCAT-AP at /.well-known/void, and the streamed dump at /dump.nq."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from microhe.store.embedded import Store
from microhe.vocab import DCAT, DCTERMS, RDF, VOID

from ..writes import BASE, PLAIN, make_writable, parse_rdf

N = ox.NamedNode
EX = "http://example.org/"
DATASET = N(BASE + ".well-known/void#dataset")
XSD_INTEGER = N("http://www.w3.org/2001/XMLSchema#integer")


def small_quads() -> list[ox.Quad]:
    """Hand-counted: 3 :Person (alice, bob, carol; bob typed in two graphs), 1 :Org;
    7 quads with rdf:type, 2 with :name; graph one holds 6 quads, graph two 3, the
    default graph 1."""
    g1, g2, t, name = N(EX + "one"), N(EX + "two"), N(RDF + "type"), N(EX + "name")
    person, org = N(EX + "Person"), N(EX + "Org")
    return [
        ox.Quad(N(EX + "alice"), t, person, g1),
        ox.Quad(N(EX + "bob"), t, person, g1),
        ox.Quad(N(EX + "acme"), t, org, g1),
        ox.Quad(N(EX + "alice"), name, ox.Literal("Alice"), g1),
        ox.Quad(N(EX + "bob"), name, ox.Literal("Bob"), g1),
        ox.Quad(N(EX + "alice"), N(EX + "worksFor"), N(EX + "acme"), g1),
        ox.Quad(N(EX + "bob"), t, person, g2),
        ox.Quad(N(EX + "carol"), t, person, g2),
        ox.Quad(N(EX + "carol"), t, N(EX + "Agent"), g2),
        ox.Quad(N(EX + "dave"), t, N(EX + "Agent"), ox.DefaultGraph()),
    ]


@pytest.fixture
def small(make_writable_env):
    w = make_writable_env(reference=False)
    w.store.restore(small_quads())
    return w


def void_of(w, accept: str = "text/turtle") -> list[ox.Quad]:
    r = w.client.get("/.well-known/void", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    return parse_rdf(r.content, r.headers["content-type"])


def value(quads, s, p):
    found = [q.object for q in quads if q.subject == s and q.predicate == N(p)]
    assert len(found) == 1, (s, p, found)
    return found[0]


def objects(quads, s, p) -> list:
    return [q.object for q in quads if q.subject == s and q.predicate == N(p)]


def test_void_triples_equals_the_store_size(make_writable_env):
    w = make_writable_env()  # reference and ontology graphs
    quads = void_of(w)
    assert value(quads, DATASET, VOID + "triples") == ox.Literal(str(len(w.store)), datatype=XSD_INTEGER)


def test_partitions_and_subsets_have_the_hand_counted_sizes(small):
    quads = void_of(small)
    assert int(value(quads, DATASET, VOID + "triples").value) == 10
    classes = {value(quads, p, VOID + "class"): int(value(quads, p, VOID + "entities").value)
               for p in objects(quads, DATASET, VOID + "classPartition")}
    assert classes == {N(EX + "Person"): 3, N(EX + "Org"): 1, N(EX + "Agent"): 2}
    props = {value(quads, p, VOID + "property"): int(value(quads, p, VOID + "triples").value)
             for p in objects(quads, DATASET, VOID + "propertyPartition")}
    assert props == {N(RDF + "type"): 7, N(EX + "name"): 2, N(EX + "worksFor"): 1}
    subsets = {}
    for sub in objects(quads, DATASET, VOID + "subset"):
        if objects(quads, sub, VOID + "uriSpace"):
            continue  # an IRI-space subset (tests/api/routes/test_void_portal.py): not counted
        names = objects(quads, sub, "http://www.w3.org/ns/sparql-service-description#name")
        subsets[names[0] if names else "default"] = int(value(quads, sub, VOID + "triples").value)
    assert subsets == {N(EX + "one"): 6, N(EX + "two"): 3, "default": 1}
    assert int(value(quads, DATASET, VOID + "distinctSubjects").value) == 5


def test_void_names_the_endpoint_the_dump_and_the_uri_space(small):
    quads = void_of(small)
    assert value(quads, DATASET, VOID + "sparqlEndpoint") == N(BASE + "sparql")
    assert value(quads, DATASET, VOID + "dataDump") == N(BASE + "dump.nq")
    # the instance base is one IRI space of several (issue 23): a subset's, not the dataset's
    assert objects(quads, DATASET, VOID + "uriSpace") == []
    instances = [sub for sub in objects(quads, DATASET, VOID + "subset")
                 if objects(quads, sub, VOID + "uriSpace") == [ox.Literal(BASE)]]
    assert len(instances) == 1


def test_dcat_ap_catalog_dataset_distribution_and_data_service(small):
    quads = void_of(small)
    typed = {}
    for q in quads:
        if q.predicate == N(RDF + "type"):
            typed.setdefault(q.object, set()).add(q.subject)
    [catalog] = typed[N(DCAT + "Catalog")]
    assert DATASET in typed[N(DCAT + "Dataset")]
    [distribution] = typed[N(DCAT + "Distribution")]
    [service] = typed[N(DCAT + "DataService")]
    assert objects(quads, catalog, DCAT + "dataset") == [DATASET]
    assert objects(quads, catalog, DCAT + "service") == [service]
    assert objects(quads, DATASET, DCAT + "distribution") == [distribution]
    assert value(quads, distribution, DCAT + "downloadURL") == N(BASE + "dump.nq")
    assert value(quads, service, DCAT + "endpointURL") == N(BASE + "sparql")
    assert value(quads, service, DCAT + "servesDataset") == DATASET
    for node in (catalog, DATASET):
        for p in ("title", "description", "publisher"):
            assert objects(quads, node, DCTERMS + p), (node, p)
    # no licence claimed for loaded data unless the operator states one (issue 23;
    # tests/api/routes/test_void_portal.py checks MICROHE_DATASET_LICENSE)
    for node in (catalog, DATASET, distribution, service):
        assert not objects(quads, node, DCTERMS + "license")


@pytest.mark.parametrize("accept", ["application/ld+json", "application/n-triples", "application/rdf+xml"])
def test_every_representation_says_the_same(small, accept):
    """The description has no blank nodes, so the triple sets compare directly."""
    assert {q.triple for q in void_of(small, accept)} == {q.triple for q in void_of(small)}


def test_counts_follow_writes(small):
    before = int(value(void_of(small), DATASET, VOID + "triples").value)
    r = small.client.post("/rdf-graphs", params={"graph": EX + "three", "profile": "consistency"}, content=PLAIN,
                          headers={**small.auth, "Content-Type": "text/turtle"})
    assert r.status_code == 201, r.text
    assert int(value(void_of(small), DATASET, VOID + "triples").value) == len(small.store) > before


def test_the_dump_streams_every_quad_and_round_trips(tmp_path, reference_quads):
    w = make_writable(tmp_path / "dump", reference_quads)
    try:
        with w.client.stream("GET", "/dump.nq") as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("application/n-quads")
            assert "content-length" not in r.headers  # streamed, not built first
            chunks = list(r.iter_raw())
        assert len(chunks) > 1
        data = b"".join(chunks)
        quads = list(ox.parse(data, ox.RdfFormat.N_QUADS, rename_blank_nodes=False))
        assert len(quads) == len(w.store)
        assert b"".join(sorted(data.splitlines(keepends=True))) == w.dump()
        restored = Store()
        restored.restore(quads)
        assert restored.dump_bytes() == w.dump()
    finally:
        w.client.__exit__(None, None, None)


def test_head_of_the_dump_sends_no_body(small):
    r = small.client.head("/dump.nq")
    assert r.status_code == 200 and not r.content
