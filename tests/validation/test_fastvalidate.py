"""The compiled validation engine (microhe.validation.compiled, validate(engine="compiled")) gives exactly
pyshacl's results: on every fixture under every profile, on the demo data, on the official
sample and on a mutated corpus with deliberate violations. Issue 5 (validated load speed).

Equality is of the multiset of (focus node, path, constraint component, severity, source
shape, value, message). Messages are compared after one normalisation: trailing zeros of
decimals are dropped, because a decimal computed inside a SPARQL constraint prints as
"90.0" in rdflib and "90" in oxigraph (the ECTS-hours message).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from microhe.kg.bundled import demo_graphs
from microhe.validation import available_profiles, validate
from microhe.validation import compiled as fv

from .expectations import FIXTURES, SAMPLE_TTL

ALL = tuple(available_profiles())
ELM = "http://data.europa.eu/snb/model/elm/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"


def _norm(message: str) -> str:
    return re.sub(r"\b(\d+)\.(\d*?)0+\b", lambda m: m[1] + ("." + m[2] if m[2] else ""), message)


def _keys(report):
    return sorted((r.focus_node, r.path or "", r.constraint, r.severity, r.shape, r.value or "", _norm(r.message))
                  for r in report.results)


def _assert_same(quads, profiles):
    expected = _keys(validate(quads, profiles, engine="pyshacl"))
    got = _keys(validate(quads, profiles, engine="compiled"))
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    assert got == expected, f"only pyshacl: {missing}\nonly compiled: {extra}"
    return expected


def _parse(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def test_every_profile_compiles():
    for name in ALL:
        assert fv.compile_shapes(name).checks


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.ttl")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_same_results_as_pyshacl_under_every_profile(path: Path):
    quads = _parse(path)
    for profile in ALL:
        _assert_same(quads, (profile,))


def test_fixture_corpus_is_not_trivial():
    # the corpus exercises the compiled checks: many results, many components
    seen = set()
    for path in FIXTURES.rglob("fail-*.ttl"):
        for r in validate(_parse(path), (path.parent.name,), engine="compiled").results:
            seen.add(r.constraint.rsplit("#", 1)[-1])
    assert {"MinCountConstraintComponent", "SPARQLConstraintComponent", "PatternConstraintComponent",
            "InConstraintComponent", "NodeConstraintComponent", "OrConstraintComponent",
            "QualifiedMinCountConstraintComponent"} <= seen


def _demo_quads() -> list[ox.Quad]:
    return [q for b in demo_graphs() for q in b.quads()]


def test_demo_data_same_results():
    _assert_same(_demo_quads(), ALL)


@pytest.mark.skipif(not SAMPLE_TTL.exists(), reason="official sample not available")
def test_official_sample_same_results():
    quads = _parse(SAMPLE_TTL)
    results = _assert_same(quads, ALL)
    council = validate(quads, ("council-2022",), engine="compiled").results
    assert [r.shape.rsplit("#", 1)[-1] for r in council] == ["AwardedAchievement-M11_Shape"]
    assert results


# -- a mutated corpus ------------------------------------------------------------------------


def _copy(quads, n: int):
    """The records again under new IRIs (demo IRIs and blank nodes get a suffix)."""
    def ren(t):
        if type(t) is ox.NamedNode and t.value.startswith("https://w3id.org/microhe/demo/"):
            return ox.NamedNode(f"{t.value}-c{n}")
        if type(t) is ox.BlankNode:
            return ox.BlankNode(f"{t.value}c{n}")
        return t
    return [ox.Quad(ren(q.subject), q.predicate, ren(q.object), ox.DefaultGraph()) for q in quads]


def _mutate(quads, rnd: random.Random):
    out = []
    for q in quads:
        p = q.predicate.value
        r = rnd.random()
        if p == DCT + "title" and r < 0.15:
            continue  # drop a title
        if p == ELM + "point" and r < 0.2:
            q = ox.Quad(q.subject, q.predicate, ox.Literal(rnd.choice(["7", "0", "12"])))
        elif p == ELM + "point" and r < 0.3:
            q = ox.Quad(q.subject, q.predicate, ox.Literal("2.50", datatype=ox.NamedNode(XSD + "decimal")))
        elif p == ELM + "EQFLevel" and r < 0.25:
            q = ox.Quad(q.subject, q.predicate, ox.NamedNode(f"http://data.europa.eu/snb/eqf/{rnd.choice([1, 2, 9])}"))
        elif p == ELM + "volumeOfLearning" and r < 0.3:
            q = ox.Quad(q.subject, q.predicate, ox.Literal(rnd.choice(["PT3H", "PT62.5H", "P40D", "PT7200M", "P1Y"]),
                                                             datatype=ox.NamedNode(XSD + "duration")))
        elif p == ELM + "ISCEDFCode" and r < 0.25:
            q = ox.Quad(q.subject, q.predicate, rnd.choice([ox.NamedNode("http://data.europa.eu/snb/isced-f/9999"),
                                                            ox.Literal("0613")]))
        elif p == ELM + "accreditation" and r < 0.1:
            continue
        elif p == ELM + "countryCode" and r < 0.1:
            q = ox.Quad(q.subject, q.predicate, ox.Literal("DE"))
        elif p == ELM + "NQFLevel" and r < 0.1:
            q = ox.Quad(q.subject, q.predicate, ox.NamedNode("https://example.org/unknown-level"))
        out.append(q)
    return out


def _mutated_corpus(copies=4, seed=5):
    rnd = random.Random(seed)
    base = _demo_quads()
    corpus = []
    for n in range(copies):
        corpus += _mutate(_copy(base, n), rnd)
    return corpus


def test_mutated_corpus_same_results():
    corpus = _mutated_corpus()
    results = _assert_same(corpus, ALL)
    kinds = {(r[2].rsplit("#", 1)[-1], r[3]) for r in results}
    assert len(results) > 50 and len(kinds) >= 6, kinds


# -- fallbacks ---------------------------------------------------------------------------------


def test_unsupported_shape_is_refused_not_skipped():
    g = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .""", format="turtle")
    with pytest.raises(fv.UnsupportedShape):
        fv.compile_graph(g)
    g2 = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:datatype <http://www.w3.org/2001/XMLSchema#integer> ] .""",
        format="turtle")
    with pytest.raises(fv.UnsupportedShape):
        fv.compile_graph(g2)


def test_auto_falls_back_to_pyshacl_for_a_profile_that_does_not_compile(monkeypatch):
    quads = _parse(FIXTURES / "council-2022" / "fail-specification-bad-values.ttl")
    real = fv.compile_shapes

    def fake(name):
        if name == "consistency":
            raise fv.UnsupportedShape("pretend")
        return real(name)

    monkeypatch.setattr(fv, "compile_shapes", fake)
    with pytest.raises(fv.UnsupportedShape):
        validate(quads, ("council-2022", "consistency"), engine="compiled")
    auto = validate(quads, ("council-2022", "consistency"))
    assert _keys(auto) == _keys(validate(quads, ("council-2022", "consistency"), engine="pyshacl"))


def test_literals_merged_by_the_store_fall_back():
    data = """@prefix elm: <http://data.europa.eu/snb/model/elm/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/cp> elm:point "05"^^xsd:integer , "5"^^xsd:integer ; elm:framework <https://example.org/f> .
        <https://example.org/s> elm:creditPoint <https://example.org/cp> ."""
    quads = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    with pytest.raises(fv.NonCanonicalInput):
        validate(quads, ("consistency",), engine="compiled")
    auto = validate(quads, ("consistency",))
    assert _keys(auto) == _keys(validate(quads, ("consistency",), engine="pyshacl"))
    assert any(r.constraint == str(SH.MaxCountConstraintComponent) for r in auto.results)


def test_non_canonical_literals_keep_their_lexical_form():
    data = """@prefix elm: <http://data.europa.eu/snb/model/elm/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/s> elm:volumeOfLearning "PT62.5H"^^xsd:duration ; elm:creditPoint [
            elm:point "+5"^^xsd:decimal ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ] ."""
    quads = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    results = _assert_same(quads, ALL)
    assert any(r[5] == "+5" for r in results) and any(r[5] == "PT62.5H" for r in results)


def test_engine_names():
    with pytest.raises(ValueError):
        validate([], engine="fast")
    assert validate([], engine="pyshacl").conforms and validate([]).conforms
