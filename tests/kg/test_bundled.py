"""The bundled data: every graph parses, the demo set conforms to the default profiles,
and a new store holds exactly the ontology and reference graphs."""

import pytest

from microhe.ingest.load import initialise
from microhe.ingest.provenance import load_records
from microhe.kg import bundled
from microhe.rdf.terms import quads_to_graph
from microhe.store.embedded import Store
from microhe.validation import DEFAULT_PROFILES, validate


@pytest.mark.parametrize("graph", bundled.demo_graphs(), ids=lambda g: g.name)
def test_demo_data_conforms_to_the_default_profiles(graph):
    report = validate(quads_to_graph(graph.quads()), profiles=DEFAULT_PROFILES)
    if graph.name == "demo/skills.ttl":
        # a SKOS skill scheme, no credential: no profile targets any of its nodes, so it is
        # "nothing checked" (bundled data is written by initialise, not SHACL-gated)
        assert report.nothing_checked and not report.violations, report.to_text()
        assert "skos:ConceptScheme" in report.to_text()
    else:
        assert report.conforms, report.to_text()


def test_initialise_writes_every_bundled_graph_once_with_a_load_record():
    store = Store()
    first = initialise(store, demo=True)
    assert {o.status for o in first} == {"loaded"}
    expected = {g.iri for g in (*bundled.ontology_graphs(), *bundled.reference_graphs(), *bundled.demo_graphs())}
    assert set(load_records(store)) == expected
    before = store.dump_bytes()
    again = initialise(store, demo=True)
    assert {o.status for o in again} == {"unchanged"}
    assert store.dump_bytes() == before


def test_demo_specifications_get_derived_eqf_levels_and_ects():
    store = Store()
    initialise(store, demo=True)
    missing = list(store.query(
        "PREFIX elm: <http://data.europa.eu/snb/model/elm/> PREFIX mhe: <https://w3id.org/microhe/ontology#> "
        "SELECT ?s WHERE { ?s a elm:Qualification FILTER NOT EXISTS { ?s mhe:derivedEQFLevel ?e } "
        "FILTER NOT EXISTS { ?s mhe:derivedECTS ?x } }"))
    assert missing == []
