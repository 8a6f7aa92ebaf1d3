"""The synthetic data generator (``microhe synth``): deterministic, in the model, and its
violations sidecar is exactly what validation reports."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from microhe.cli import main
from microhe.devtools.synth import VIOLATION_KINDS, generate, shard_paths, violations_path
from microhe.ingest.load import Source, initialise, load
from microhe.store.embedded import Store
from microhe.validation import validate
from microhe.vocab import ELM, RDF, SKOS

RDF_TYPE = RDF + "type"


@pytest.fixture(scope="module")
def invalid_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "s200.nt"
    stats = generate(out, credentials=200, seed=7, invalid_rate=0.1)
    return out, stats


def test_same_seed_same_bytes(tmp_path):
    a, b, c = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    generate(a, credentials=60, seed=3, invalid_rate=0.1)
    generate(b, credentials=60, seed=3, invalid_rate=0.1)
    generate(c, credentials=60, seed=4, invalid_rate=0.1)
    assert a.read_bytes() == b.read_bytes()
    assert violations_path(a).read_text().replace("a.nt", "") == violations_path(b).read_text().replace("b.nt", "")
    assert a.read_bytes() != c.read_bytes()


def test_turtle_by_extension(tmp_path):
    out = tmp_path / "x.ttl"
    stats = generate(out, credentials=20, seed=1)
    g = rdflib.Graph().parse(out, format="turtle")
    assert len(g) == stats.triples
    assert not violations_path(out).exists()


def test_counts(invalid_file):
    out, stats = invalid_file
    g = rdflib.Graph().parse(out, format="nt")
    assert len(g) == stats.triples
    specs = set(g.subjects(rdflib.RDF.type, rdflib.URIRef(ELM + "Qualification")))
    assert len(specs) == stats.credentials == 200
    assert all(str(s).startswith("https://w3id.org/microhe/synth/") for s in specs)
    assert not any(isinstance(t, rdflib.BNode) for triple in g for t in triple)
    assert len(set(g.subjects(rdflib.RDF.type, rdflib.URIRef(ELM + "Organisation")))) >= stats.institutions
    assert len(set(g.subjects(rdflib.RDF.type, rdflib.URIRef(SKOS + "Concept")))) == stats.skills
    assert any(g.triples((None, rdflib.URIRef(SKOS + "broader"), None)))
    assert stats.stacks > 0 and any(g.triples((None, rdflib.URIRef(ELM + "hasPart"), None)))
    side = json.loads(violations_path(out).read_text())
    assert side["invalid"] == stats.invalid == 20 == len(side["violations"])
    assert {v["kind"] for v in side["violations"]} == set(VIOLATION_KINDS)


def test_sidecar_is_exactly_what_validation_reports(invalid_file):
    """Valid records conform (no other violation) and every listed one is reported."""
    out, _ = invalid_file
    report = validate(rdflib.Graph().parse(out, format="nt"))
    got = sorted((r.focus_node, r.path, r.constraint) for r in report.violations)
    side = json.loads(violations_path(out).read_text())
    expected = sorted((v["focus_node"], v["path"], v["constraint"]) for v in side["violations"])
    assert got == expected
    profiles = {r.focus_node: r.shape.split("#")[0].rsplit("/", 1)[-1] for r in report.violations}
    assert all(profiles[v["focus_node"]] == v["profile"] for v in side["violations"])


def test_valid_file_loads(tmp_path):
    out = tmp_path / "ok.nt"
    stats = generate(out, credentials=120, seed=11)
    store = Store()
    initialise(store)
    [outcome] = load(store, [Source.from_path(out)])
    assert outcome.status == "loaded" and outcome.triples == stats.triples
    n = store.query("PREFIX elm: <http://data.europa.eu/snb/model/elm/> "
                    "SELECT (COUNT(*) AS ?n) WHERE { ?s a elm:Qualification }")
    assert int(next(iter(n))["n"].value) == 120
    assert store.has_graph(outcome.graph)
    assert isinstance(next(iter(store.quads(outcome.graph))), ox.Quad)


def test_shards_split_the_same_dataset_into_files_valid_on_their_own(tmp_path):
    whole = tmp_path / "whole.nt"
    generate(whole, credentials=200, seed=5)
    stats = generate(tmp_path / "part.nt", credentials=200, seed=5, shards=3)
    paths = shard_paths(tmp_path / "part.nt", 3)
    assert [p.name for p in paths] == ["part-1.nt", "part-2.nt", "part-3.nt"]
    lines = [set(p.read_text().splitlines()) for p in paths]
    # together exactly the unsharded dataset; the common part (skills, institutions) in each
    assert set().union(*lines) == set(whole.read_text().splitlines())
    assert stats.triples == sum(len(p.read_text().splitlines()) for p in paths)
    store = Store()
    initialise(store)
    counts = []
    for path in paths:
        [outcome] = load(store, [Source.from_path(path)])  # each conforms on its own
        counts.append(len({q.subject for q in store.quads_matching(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(ELM + "Qualification"), ox.NamedNode(outcome.graph))}))
    # cut at multiples of 40 (stacks stay whole): shards start at 0, 40 (66 down) and 120 (133 down)
    assert counts == [40, 80, 80]


@pytest.mark.parametrize("args", [
    ["--credentials", "0"], ["--credentials", "40", "--shards", "2"], ["--credentials", "80", "--shards", "0"], ["--credentials", "-3"], ["--credentials", "x"],  # noqa: E501 - data kept on one line
    ["--credentials", "5", "--invalid-rate", "1.5"], ["--credentials", "5", "--invalid-rate", "-0.1"],
])
def test_cli_bad_arguments_exit_2(tmp_path, args):
    result = CliRunner().invoke(main, ["synth", *args, "--out", str(tmp_path / "x.nt")])
    assert result.exit_code == 2, result.output


def test_cli_writes_file_and_sidecar(tmp_path):
    out = tmp_path / "x.nt"
    result = CliRunner().invoke(main, ["synth", "--credentials", "30", "--seed", "2", "--invalid-rate", "0.2",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and len(json.loads(violations_path(out).read_text())["violations"]) == 6
    other = tmp_path / "y.nt"
    generate(other, credentials=30, seed=2, invalid_rate=0.2)
    assert out.read_bytes() == other.read_bytes()


@pytest.mark.parametrize("kwargs, message", [
    ({"credentials": 0}, "credentials must be at least 1"),
    ({"credentials": 5, "invalid_rate": 1.5}, "invalid rate must be between 0 and 1"),
    ({"credentials": 79, "shards": 2}, "shards must be between 1 and 1 \\(40 specifications per shard\\)"),
    ({"credentials": 5, "name": "x.json"}, "x.json: the output file must end in .nt"),
])
def test_generate_refuses_bad_arguments_before_writing_anything(tmp_path, kwargs, message):
    out = tmp_path / kwargs.pop("name", "x.nt")
    with pytest.raises(ValueError, match=message):
        generate(out, seed=1, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_an_unknown_suffix_and_an_unwritable_place_writing_nothing(tmp_path):
    result = CliRunner().invoke(main, ["synth", "--credentials", "5", "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "use a .nt or .ttl file name" in result.output
    missing = tmp_path / "no-such-dir" / "x.nt"
    result = CliRunner().invoke(main, ["synth", "--credentials", "5", "--out", str(missing)])
    assert result.exit_code == 2 and f"{missing}: cannot write" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_valid_dataset_written_over_an_invalid_one_drops_its_stale_sidecar(tmp_path):
    out = tmp_path / "x.nt"
    generate(out, credentials=20, seed=1, invalid_rate=0.5)
    assert violations_path(out).exists()
    generate(out, credentials=20, seed=1)
    assert not violations_path(out).exists()  # it would list violations the file no longer has
