"""The ``vocabulary`` profile: skill hierarchies (SKOS) and institutions loaded beside the
specifications. Each rule on a hand-written case, both engines alike; the bundled reference
data conforms; a file of such nodes checked with the default profiles says which profile
checks it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.validation import validate
from microhe.validation.found import NOTHING_CHECKED

HEAD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix rov: <http://www.w3.org/ns/regorg#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <https://example.org/> .
"""
GOOD = HEAD + """
ex:skills a skos:ConceptScheme ; skos:prefLabel "Example skills"@en .
ex:data a skos:Concept ; skos:prefLabel "Data"@en, "Daten"@de ; skos:inScheme ex:skills .
ex:gis a skos:Concept ; skos:prefLabel "GIS"@en ; skos:inScheme ex:skills ; skos:broader ex:data .
ex:top a skos:Concept ; skos:prefLabel "Top"@en ; skos:topConceptOf ex:skills .
ex:zed a elm:Organisation ; rov:legalName "University of Zed"@en ; foaf:homepage <https://zed.example.org/> ;
  elm:location [ elm:address [ elm:countryCode <http://publications.europa.eu/resource/authority/country/IRL> ] ] .
"""
ENGINES = ["compiled", "pyshacl"]


def _check(ttl: str, engine: str):
    return validate(list(ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)), ["vocabulary"], engine=engine)


def _components(report) -> set[tuple[str, str]]:
    return {(r.focus_node, r.constraint.rsplit("#", 1)[-1].removeprefix("sh:")) for r in report.results}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_good_hierarchy_and_institution_conform_and_the_reference_data_with_them(engine):
    report = _check(GOOD, engine)
    assert report.conforms and not report.results, report.to_text()
    assert report.checked["vocabulary"] >= 5  # 3 concepts, the scheme, the organisation (and the country concept)


CASES = [
    ("no label", 'ex:x a skos:Concept ; skos:inScheme ex:skills .', ("x", "MinCountConstraintComponent")),
    ("untagged label", 'ex:x a skos:Concept ; skos:prefLabel "X" ; skos:inScheme ex:skills .',
     ("x", "DatatypeConstraintComponent")),
    ("two English labels", 'ex:x a skos:Concept ; skos:prefLabel "X"@en, "Y"@en ; skos:inScheme ex:skills .',
     ("x", "UniqueLangConstraintComponent")),
    ("no scheme", 'ex:x a skos:Concept ; skos:prefLabel "X"@en .', ("x", "MinCountConstraintComponent")),
    ("blank broader", 'ex:x a skos:Concept ; skos:prefLabel "X"@en ; skos:inScheme ex:skills ; skos:broader [] .',
     ("x", "NodeKindConstraintComponent")),
    ("cycle", 'ex:x a skos:Concept ; skos:prefLabel "X"@en ; skos:inScheme ex:skills ; skos:broader ex:y .\n'
              'ex:y a skos:Concept ; skos:prefLabel "Y"@en ; skos:inScheme ex:skills ; skos:broader ex:x .',
     ("x", "SPARQLConstraintComponent")),
    ("nameless scheme", 'ex:x a skos:ConceptScheme .', ("x", "MinCountConstraintComponent")),
    ("nameless organisation", 'ex:x a elm:Organisation .', ("x", "MinCountConstraintComponent")),
    ("two English legal names", 'ex:x a elm:Organisation ; rov:legalName "X"@en, "Y"@en .',
     ("x", "UniqueLangConstraintComponent")),
    ("country as text", 'ex:x a elm:Organisation ; rov:legalName "X"@en ; '
                        'elm:location [ elm:address [ elm:countryCode "Ireland" ] ] .',
     ("x", "PatternConstraintComponent")),
    ("homepage as text", 'ex:x a elm:Organisation ; rov:legalName "X"@en ; foaf:homepage "zed.example.org" .',
     ("x", "NodeKindConstraintComponent")),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name,ttl,expected", CASES, ids=[c[0] for c in CASES])
def test_each_rule(engine, name, ttl, expected):
    report = _check(GOOD + ttl, engine)
    assert not report.conforms
    node, component = expected
    assert ("https://example.org/" + node, component) in _components(report), report.to_text()
    assert all(r.focus_node.startswith("https://example.org/") for r in report.results), report.to_text()


def test_the_default_profiles_name_the_vocabulary_profile(tmp_path):
    f = tmp_path / "skills.ttl"
    f.write_text(GOOD)
    r = CliRunner().invoke(main, ["validate", str(f)])
    assert r.exit_code == 1
    assert NOTHING_CHECKED in r.output and "--profile vocabulary" in r.output


def test_load_with_the_vocabulary_profile_stores_a_good_file_and_refuses_a_bad_one(tmp_path):
    good, bad = tmp_path / "skills.ttl", tmp_path / "bad.ttl"
    good.write_text(GOOD)
    bad.write_text(GOOD + CASES[5][1])
    store = tmp_path / "store"
    runner = CliRunner()
    refused = runner.invoke(main, ["load", "--store", str(store), "--profile", "vocabulary", str(bad)])
    assert refused.exit_code == 1 and "cycle of skos:broader" in refused.output
    ok = runner.invoke(main, ["load", "--store", str(store), "--profile", "vocabulary", str(good)])
    assert ok.exit_code == 0, ok.output
    from microhe.store.embedded import Store
    s = Store(store, read_only=True)
    try:
        dump = s.dump_bytes().decode()
    finally:
        s.close()
    assert "<https://example.org/gis> <http://www.w3.org/2004/02/skos/core#broader> <https://example.org/data>" in dump
    assert "<https://example.org/x>" not in dump
