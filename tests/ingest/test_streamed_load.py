"""Large files loaded in chunks (issue 26): validated on a disk staging store with the
same results as whole-file validation, written in chunks with the same content, and all
or nothing after a kill -9. Chunks are made tiny here (a few quads) so that every
dependency between nodes crosses a chunk boundary."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.devtools.synth import generate, violations_path
from microhe.ingest.errors import LoadParseError, NotConforming, PersonalDataRefused
from microhe.ingest.load import Source, load
from microhe.ingest.provenance import load_records
from microhe.rdf.parse import read
from microhe.store.embedded import Store
from microhe.validation import validate
from microhe.validation.compiled import NonCanonicalInput
from microhe.validation.ondisk import DiskStaging

ELM = "http://data.europa.eu/snb/model/elm/"
XSD = "http://www.w3.org/2001/XMLSchema#"
BASE = "http://127.0.0.1:8000/"


def _key(r) -> tuple:
    return (r.focus_node, r.path, r.constraint, r.severity, r.shape, r.value, r.message)


def _whole(path: Path):
    return validate(read(path, base_iri=BASE).quads)


def _chunked(path: Path, chunk: int):
    quads = read(path, base_iri=BASE).quads
    with DiskStaging(("council-2022", "consistency")) as staging:
        for i in range(0, len(quads), chunk):
            staging.add(quads[i:i + chunk])
        return staging.report()


def _same(a, b) -> None:
    assert [_key(r) for r in a.results] == [_key(r) for r in b.results]
    assert (a.conforms, a.checked, a.nothing_checked, a.found_classes) == \
           (b.conforms, b.checked, b.nothing_checked, b.found_classes)


@pytest.fixture(scope="module")
def invalid_corpus(tmp_path_factory) -> Path:
    """The invalid-rate corpus: 30 specifications, seed 1, 6 of them violating one shape each."""
    path = tmp_path_factory.mktemp("corpus") / "synth-30-s1-invalid.nt"
    generate(path, credentials=30, seed=1, invalid_rate=0.2)
    return path


def _permuted(src: Path, out: Path, how: str) -> Path:
    lines = src.read_text("utf-8").splitlines(keepends=True)
    if how == "reversed":  # the institutions and skills (the shared context) come last
        lines.reverse()
    elif how == "shuffled":
        random.Random(7).shuffle(lines)
    out.write_text("".join(lines), "utf-8")
    return out


@pytest.mark.parametrize("how", ["as-generated", "reversed", "shuffled"])
@pytest.mark.parametrize("chunk", [5, 97])
def test_chunked_validation_equals_whole_file_validation_on_the_invalid_corpus(invalid_corpus, tmp_path, how,
                                                                                 chunk):
    path = _permuted(invalid_corpus, tmp_path / f"{how}.nt", how)
    whole, chunked = _whole(path), _chunked(path, chunk)
    _same(chunked, whole)
    # and the violations the generator planted are the ones found
    planted = {(v["focus_node"], v["path"], v["constraint"]) for v in json.loads(violations_path(invalid_corpus)
                                                                                  .read_text())["violations"]}
    found = {(r.focus_node, r.path, r.constraint) for r in chunked.violations}
    assert planted == found and len(planted) == 6


# Violations and conformance that depend on nodes described in other chunks: a credit point
# whose second elm:point comes at the end (maxCount 1), an NQF level whose EQF referencing
# is declared inline far from the specification that uses it, an issuer described in the
# last chunk, a duplicate triple in two chunks, and a stack whose parts come after the whole.
CROSSING = f"""
<https://ex.org/spec/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ELM}Qualification> .
<https://ex.org/spec/1> <http://purl.org/dc/terms/title> "Applied data analysis"@en .
<https://ex.org/spec/1> <{ELM}creditPoint> <https://ex.org/spec/1/cp> .
<https://ex.org/spec/1/cp> <{ELM}point> "5" .
<https://ex.org/spec/1> <{ELM}NQFLevel> <https://ex.org/nqf/level-6> .
<https://ex.org/spec/1> <{ELM}EQFLevel> <http://data.europa.eu/snb/eqf/4> .
<https://ex.org/spec/1> <{ELM}awardingOpportunity> <https://ex.org/spec/1/ao> .
<https://ex.org/spec/1/ao> <{ELM}awardingBody> <https://ex.org/org/1> .
<https://ex.org/spec/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ELM}Qualification> .
<https://ex.org/spec/2> <{ELM}hasPart> <https://ex.org/spec/3> .
<https://ex.org/spec/1> <http://purl.org/dc/terms/title> "Applied data analysis"@en .
<https://ex.org/spec/3> <{ELM}isPartOf> <https://ex.org/spec/2> .
<https://ex.org/spec/3> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ELM}Qualification> .
<https://ex.org/spec/3> <http://purl.org/dc/terms/title> "Part"@en .
<https://ex.org/spec/3> <{ELM}volumeOfLearning> "PT400H"^^<{XSD}duration> .
<https://ex.org/spec/3> <{ELM}creditPoint> <https://ex.org/spec/3/cp> .
<https://ex.org/spec/3/cp> <{ELM}framework> <http://data.europa.eu/snb/education-credit/6fcec5c5af> .
<https://ex.org/spec/3/cp> <{ELM}point> "2" .
<https://ex.org/nqf/level-6> <https://w3id.org/microhe/ontology#referencedToEQF> <http://data.europa.eu/snb/eqf/6> .
<https://ex.org/org/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ELM}Organisation> .
<https://ex.org/org/1> <http://www.w3.org/2004/02/skos/core#prefLabel> "Example University"@en .
<https://ex.org/spec/1/cp> <{ELM}point> "6" .
"""


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_violations_that_cross_chunk_boundaries_are_found_as_in_the_whole_file(tmp_path, chunk):
    path = tmp_path / "crossing.nt"
    path.write_text(CROSSING, "utf-8")
    whole = _whole(path)
    found = {(r.focus_node, r.path.rsplit("/", 1)[-1] if r.path else None, r.constraint.rsplit("#", 1)[-1])
             for r in whole.violations}
    # the whole file's report itself has the cross-node violations (else this proves nothing)
    assert ("https://ex.org/spec/1/cp", "point", "MaxCountConstraintComponent") in found
    assert ("https://ex.org/spec/1", "EQFLevel", "SPARQLConstraintComponent") in found  # NQF 6 -> EQF 6, not 4
    assert ("https://ex.org/spec/3", "volumeOfLearning", "SPARQLConstraintComponent") in found  # 400 h for 2 ECTS
    _same(_chunked(path, chunk), whole)


def test_literals_that_collide_across_chunks_are_refused_by_the_disk_staging(tmp_path):
    lines = [f'<https://ex.org/a> <https://ex.org/p> "05"^^<{XSD}integer> .',
             '<https://ex.org/a> <https://ex.org/q> "x" .',
             f'<https://ex.org/b> <https://ex.org/p> "5"^^<{XSD}integer> .']
    path = tmp_path / "collide.nt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(NonCanonicalInput):
        _chunked(path, 1)


def _load_both(tmp_path, path: Path, demo_dir, chunk: int = 50, **kw):
    """The same file loaded whole and in chunks into two copies of the demo store."""
    import shutil

    stores = []
    for mode in ("whole", "chunked"):
        d = tmp_path / mode
        shutil.copytree(demo_dir, d)
        s = Store(d)
        src = Source(path.name, path.read_bytes()) if mode == "whole" else Source(path.name, b"", path=path)
        try:
            outcome = load(s, [src], chunk=chunk, **kw)
        except Exception as e:  # noqa: BLE001 - compared below
            outcome = e
        stores.append((s, outcome))
    return stores


@pytest.mark.parametrize("bulk", [False, True])
def test_a_file_loaded_in_chunks_is_stored_as_the_whole_file_is(tmp_path, demo_dir, invalid_corpus, bulk):
    # the chunked path derives from the graph it has just written (by transactions, or by the bulk writer)
    path = tmp_path / "valid.nt"
    generate(path, credentials=45, seed=3)
    (whole, [w]), (chunked, [c]) = _load_both(tmp_path, path, demo_dir, bulk=bulk)
    g = w.graph
    for graph in (g, g + "#derived"):
        assert sorted(map(str, whole.quads(graph))) == sorted(map(str, chunked.quads(graph)))
    rw, rc = load_records(whole)[g], load_records(chunked)[g]
    assert (rc.triples, rc.sha256) == (rw.triples, rw.sha256) == (w.triples, w.sha256)
    assert (c.triples, c.status, c.report.conforms) == (w.triples, w.status, True)


def test_blank_nodes_keep_their_links_when_read_twice(tmp_path, demo_dir):
    ttl = tmp_path / "blank.ttl"
    specs = "\n".join(f"""<https://ex.org/s/{i}> a elm:Qualification ; dcterms:title "Course {i}"@en ;
  elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ;
                    elm:point "{i % 5 + 1}" ] ;
  elm:volumeOfLearning "PT{(i % 5 + 1) * 27}H"^^xsd:duration .""" for i in range(20))
    ttl.write_text(f"@prefix elm: <{ELM}> . @prefix dcterms: <http://purl.org/dc/terms/> . "
                   f"@prefix xsd: <{XSD}> .\n{specs}\n", "utf-8")
    (whole, [w]), (chunked, _) = _load_both(tmp_path, ttl, demo_dir, chunk=3, profiles=("consistency",))
    q = (f"SELECT (COUNT(*) AS ?n) (SUM(?e) AS ?ects) WHERE {{ GRAPH <{w.graph}> {{ ?s <{ELM}creditPoint> ?cp . "
         f"?cp <{ELM}point> ?p }} GRAPH <{w.graph}#derived> {{ ?s <https://w3id.org/microhe/ontology#derivedECTS> ?e }} }}")
    answer = [tuple(r) for r in chunked.query(q)]
    assert answer == [tuple(r) for r in whole.query(q)]
    assert answer[0][0] == ox.Literal("20", datatype=ox.NamedNode(XSD + "integer"))


def test_a_non_conforming_file_is_refused_with_the_whole_file_report_and_nothing_written(
        tmp_path, demo_dir, invalid_corpus):
    (whole, ew), (chunked, ec) = _load_both(tmp_path, invalid_corpus, demo_dir, chunk=5)
    assert isinstance(ew, NotConforming) and isinstance(ec, NotConforming)
    _same(ec.failures[0].report, ew.failures[0].report)
    with Store(demo_dir, read_only=True) as before:
        assert chunked.dump_bytes() == before.dump_bytes()


def test_collisions_and_learner_data_fall_back_to_the_whole_file_path(tmp_path, demo_dir):
    path = tmp_path / "collide.nt"
    path.write_text(f'<https://ex.org/a> <https://ex.org/p> "05"^^<{XSD}integer> .\n'
                    f'<https://ex.org/b> <https://ex.org/p> "5"^^<{XSD}integer> .\n', "utf-8")
    (_, ew), (_, ec) = _load_both(tmp_path / "1", path, demo_dir, chunk=1)
    assert type(ec) is type(ew) is NotConforming
    _same(ec.failures[0].report, ew.failures[0].report)
    learner = tmp_path / "learner.nt"
    learner.write_text('<https://ex.org/award> <https://www.w3.org/2018/credentials#credentialSubject> '
                       '<https://ex.org/alice> .\n<https://ex.org/alice> <http://xmlns.com/foaf/0.1/name> "A" .\n')
    (_, ew), (_, ec) = _load_both(tmp_path / "2", learner, demo_dir, chunk=1)
    assert type(ec) is type(ew) is PersonalDataRefused
    assert str(ec) == str(ew) and "learner" in str(ec)


@pytest.mark.parametrize("text, where", [
    ("<https://ex.org/a> <https://ex.org/p> \"x\" .\n" * 40 + "<https://ex.org/a> <https://ex.org/p> oops .\n",
     "bad.nt:41:39: "),
    ("", "no RDF triples"),
    ("<https://ex.org/a> <https://ex.org/p> \"x\" .\n" * 3 + "<a b c> .\n", "bad.nt:4:1: "),
])
def test_malformed_large_files_are_refused_with_the_line_and_nothing_is_written(tmp_path, demo_dir, text, where):
    path = tmp_path / "bad.nt"
    path.write_bytes(text.encode())
    import shutil

    shutil.copytree(demo_dir, tmp_path / "s")
    with Store(tmp_path / "s") as s:
        before = s.dump_bytes()
        with pytest.raises(LoadParseError) as e:
            load(s, [Source(path.name, b"", path=path)], chunk=10)
        assert s.dump_bytes() == before
    assert where in str(e.value)


# The child loads FILE in chunks into STORE and kills itself (SIGKILL) inside the write,
# after the first chunk was written, as a power cut would.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from microhe.ingest.load import Source, load
    from microhe.store.embedded import Store
    store, path, mode, graph, kill_in = sys.argv[1:6]
    class KillInWrite:
        phase_name = None
        def phase(self, name, total=None, unit="triples"):
            self.phase_name = name
        def advance(self, n):
            if self.phase_name == kill_in:
                os.kill(os.getpid(), signal.SIGKILL)
    s = Store(store)
    p = Path(path)
    load(s, [Source(p.name, b"", path=p)], graph=graph, replace=True, bulk=mode == "bulk", meter=KillInWrite(),
         chunk=200)
    print("not killed")
""")


@pytest.mark.parametrize("mode", ["default", "bulk"])
@pytest.mark.parametrize("target", ["new", "replace"])
# "derive": the file's graph is written and part of its derived values too (chunks of 200)
@pytest.mark.parametrize("kill_in", ["write", "derive"])
def test_a_load_killed_mid_write_leaves_the_old_state_exactly(store_dir, tmp_path, mode, target, kill_in):
    path = tmp_path / "big.nt"
    generate(path, credentials=40, seed=5)
    graph = ("https://w3id.org/microhe/demo/graph/credentials" if target == "replace"
             else "https://ex.org/graph/new")
    with Store(store_dir, read_only=True) as ro:
        before = ro.dump_bytes()
        assert ro.has_graph(graph) == (target == "replace")
    run = subprocess.run([sys.executable, "-c", CHILD, str(store_dir), str(path), mode, graph, kill_in],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == -signal.SIGKILL, (run.returncode, run.stdout, run.stderr[-2000:])
    with Store(store_dir) as s:
        assert s.rolled_back is not None and graph in s.rolled_back.graphs
        assert s.dump_bytes() == before
