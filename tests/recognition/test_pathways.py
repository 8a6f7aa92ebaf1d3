"""Stackability pathways (microhe.recognition.pathways): a solution for the showcase
target, no-solution cases, declared stacks with a cycle, ranking (fewest excess credits,
then fewest credentials) and a performance smoke test over ~2000 generated candidates."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from microhe.ingest.derive import derive, derived_graph
from microhe.ingest.load import initialise
from microhe.recognition.compare import target_from_requirements
from microhe.recognition.facts import NotFoundError, read_facts
from microhe.recognition.pathways import pathways
from microhe.store.embedded import Store
from microhe.vocab import DCTERMS, ELM, RDF
from tests.demo import demo_copy

from .conftest import DEMO, ECTS_IRI, SKILL, TARGET, write_turtle

T = "https://example.org/test/"
S1, S2, S3, S4, ORPHAN = (T + "skill/" + s for s in ("s1", "s2", "s3", "s4", "orphan"))


def _spec(slug: str, eqf: int | None, ects: str | None, skills: list[str], extra: str = "") -> str:
    lines = [f't:{slug} a elm:Qualification ; dcterms:title "{slug}"@en']
    if eqf:
        lines.append(f"elm:EQFLevel eqf:{eqf}")
    if ects:
        lines.append(f'elm:creditPoint [ a elm:CreditPoint ; elm:framework <{ECTS_IRI}> ; elm:point "{ects}" ]')
    if skills:
        lines.append("elm:learningOutcome " + ", ".join(f"t:{slug}-lo{i}" for i in range(len(skills))))
    if extra:
        lines.append(extra)
    out = " ;\n    ".join(lines) + " .\n"
    for i, s in enumerate(skills):
        out += f't:{slug}-lo{i} a elm:LearningOutcome ; dcterms:title "lo"@en ; elm:relatedESCOSkill <{s}> .\n'
    return out


RANKING = "".join([
    _spec("rank-s", 6, "6", [S1, S2, S3]),    # excess 0, one credential
    _spec("rank-q", 6, "3", [S1]),            # q + r: excess 0, two credentials
    _spec("rank-r", 6, "3", [S2, S3]),
    _spec("rank-u", 6, "7", [S1, S2, S3]),    # excess 1, one credential
    _spec("rank-p", 6, "10", [S1, S2, S3]),   # excess 4, one credential
    _spec("rank-low", 5, "6", [S1, S2, S3]),  # below the target's level: never a candidate
    _spec("rank-nocredits", 6, None, [S1, S2, S3]),
    # Same covered set, different workloads: the three cheapest cannot reach 6 ECTS.
    _spec("work-1a", 6, "1", [S4]),
    _spec("work-1b", 6, "1", [S4]),
    _spec("work-1c", 6, "1", [S4]),
    _spec("work-6", 6, "6", [S4]),
])

CYCLE = "".join([
    _spec("cycle-a", 6, "5", [SKILL + "carbon-accounting"], "elm:hasPart t:cycle-b"),
    _spec("cycle-b", 6, "5", [SKILL + "carbon-accounting"], "elm:hasPart t:cycle-a"),
    _spec("cycle-self", 6, "5", [], "elm:hasPart t:cycle-self"),
    _spec("cycle-c", 6, "2", [], "elm:isPartOf t:cycle-a"),  # declared only on the part
])


@pytest.fixture(scope="module")
def store():
    s = demo_copy()
    write_turtle(s, "ranking", RANKING)
    write_turtle(s, "cycle", CYCLE)
    return s


def iris(pathway: dict) -> list[str]:
    return sorted(c.iri for c in pathway.credentials)


def test_showcase_target_has_a_pathway(store):
    doc = pathways(store, TARGET)
    target = read_facts(store, TARGET)
    assert doc.no_solution is None
    assert [r.iri for r in doc.target.required_outcomes] == sorted(target.skills)
    assert doc.pathways, doc
    best = doc.pathways[0]
    # The candidate itself lacks "model evaluation"; the JSI course at EQF 7 brings it.
    assert iris(best) == [DEMO + "jsi-machine-learning-research-data", DEMO + "strathlowe-applied-data-analysis"]
    assert (best.total_ects, best.excess_ects) == (13.5, 6.0)
    for p in doc.pathways:
        assert p.missing == [] and p.covered == doc.target.required_outcomes
        assert p.total_ects >= 7.5
        assert all(max(c.eqf) >= 7 for c in p.credentials)
        assert TARGET not in iris(p)
    excess = [p.excess_ects for p in doc.pathways]
    assert excess == sorted(excess)


def test_ranking_fewest_excess_credits_then_fewest_credentials(store):
    target = target_from_requirements({"eqf": 6, "ects": 6, "outcomes": [S1, S2, S3]})
    doc = pathways(store, target)
    assert [iris(p) for p in doc.pathways] == [
        [T + "rank-s"], [T + "rank-q", T + "rank-r"], [T + "rank-u"], [T + "rank-p"]]
    assert [(p.total_ects, p.excess_ects) for p in doc.pathways] == [(6, 0), (6, 0), (7, 1), (10, 4)]
    assert doc.no_solution is None


def test_a_candidate_with_more_workload_is_not_pruned_away(store):
    """Regression: pruning kept only the three cheapest per covered set, so a target of
    6 ECTS saw three 1-ECTS courses and no pathway, although a 6-ECTS one covers it."""
    target = target_from_requirements({"eqf": 6, "ects": 6, "outcomes": [S4]})
    doc = pathways(store, target)
    assert [iris(p) for p in doc.pathways] == [[T + "work-6"]]
    assert doc.no_solution is None


def test_max_size_bounds_the_pathways(store):
    target = target_from_requirements({"eqf": 6, "ects": 6, "outcomes": [S1, S2, S3]})
    doc = pathways(store, target, max_size=1)
    assert [iris(p) for p in doc.pathways] == [[T + "rank-s"], [T + "rank-u"], [T + "rank-p"]]


@pytest.mark.parametrize("bad", [0, 7, -1])
def test_max_size_out_of_range_is_refused(store, bad):
    with pytest.raises(ValueError):
        pathways(store, TARGET, max_size=bad)


def test_unknown_target_is_not_found(store):
    with pytest.raises(NotFoundError):
        pathways(store, DEMO + "no-such-credential")


def test_no_solution_when_an_outcome_is_covered_by_nothing(store):
    target = target_from_requirements({"eqf": 6, "ects": 6, "outcomes": [S1, ORPHAN]})
    doc = pathways(store, target)
    assert doc.pathways == []
    assert [r.iri for r in doc.no_solution.covered] == [S1]
    assert [r.iri for r in doc.no_solution.missing] == [ORPHAN]
    assert doc.no_solution.reason


def test_no_solution_when_no_candidate_covers_anything(store):
    target = target_from_requirements({"eqf": 8, "ects": 5, "outcomes": [ORPHAN]})
    doc = pathways(store, target)
    assert doc.pathways == [] and doc.candidates_considered == 0
    assert doc.no_solution is not None
    assert doc.no_solution.model_dump() == {"covered": [], "missing": [{"iri": ORPHAN, "label": None, "lang": None}],
                                            "reason": doc.no_solution.reason}


def test_no_solution_when_the_workload_cannot_be_reached(store):
    target = target_from_requirements({"eqf": 6, "ects": 100, "outcomes": [S1, S2, S3]})
    doc = pathways(store, target, max_size=2)
    assert doc.pathways == []
    assert doc.no_solution.missing == [] and [r.iri for r in doc.no_solution.covered] == [S1, S2, S3]


def test_a_declared_stack_is_reported(store):
    doc = pathways(store, DEMO + "dhbw-applied-data-science-certificate")
    assert sorted(r.iri for r in doc.declared_stack.parts) == sorted(
        DEMO + s for s in ("dhbw-python-data-wrangling", "dhbw-statistics-for-data-science",
                           "dhbw-machine-learning-foundations"))
    assert doc.declared_stack.cycles == []


def test_a_cyclic_declared_stack_is_reported_without_looping(store):
    doc = pathways(store, T + "cycle-a")
    cycles = [[r.iri for r in c] for c in doc.declared_stack.cycles]
    assert [T + "cycle-a", T + "cycle-b", T + "cycle-a"] in cycles
    assert {r.iri for r in doc.declared_stack.parts} == {T + "cycle-b", T + "cycle-c"}
    from_b = [[r.iri for r in c] for c in pathways(store, T + "cycle-b").declared_stack.cycles]
    assert [T + "cycle-b", T + "cycle-a", T + "cycle-b"] in from_b


def test_a_self_part_is_a_cycle(store):
    cycles = pathways(store, T + "cycle-self").declared_stack.cycles
    assert [[r.iri for r in c] for c in cycles] == [[T + "cycle-self", T + "cycle-self"]]


def test_performance_smoke_with_2000_generated_candidates():
    """~2000 specifications over a pool of 12 skills: pruning keeps the search bounded.
    Only that it returns is asserted (no timing)."""
    rng = random.Random(20240601)
    s = Store()
    initialise(s)
    pool = [T + f"perf-skill/{i}" for i in range(12)]
    g = ox.NamedNode(T + "graph/perf")
    quads = []

    def add(sub, pred, obj):
        quads.append(ox.Quad(sub, ox.NamedNode(pred), obj, g))

    for i in range(2000):
        spec = ox.NamedNode(T + f"perf/{i}")
        add(spec, RDF + "type", ox.NamedNode(ELM + "Qualification"))
        add(spec, DCTERMS + "title", ox.Literal(f"perf {i}", language="en"))
        add(spec, ELM + "EQFLevel", ox.NamedNode(f"http://data.europa.eu/snb/eqf/{rng.choice([5, 6, 7])}"))
        cp = ox.BlankNode()
        add(spec, ELM + "creditPoint", cp)
        add(cp, ELM + "framework", ox.NamedNode(ECTS_IRI))
        add(cp, ELM + "point", ox.Literal(str(rng.choice([1, 2, 3, 4, 5, 6]))))
        for j, skill in enumerate(rng.sample(pool, rng.choice([1, 2, 3]))):
            lo = ox.NamedNode(T + f"perf/{i}/lo/{j}")
            add(spec, ELM + "learningOutcome", lo)
            add(lo, ELM + "relatedESCOSkill", ox.NamedNode(skill))
    s.write({g.value: quads, derived_graph(g.value): derive(s, quads, g.value)})
    target = target_from_requirements({"eqf": 6, "ects": 15, "outcomes": pool[:7]})
    doc = pathways(s, target, max_size=3)
    assert doc.pathways, "such a pool has combinations of three covering seven skills and 15 ECTS"
    assert doc.candidates_considered > 1000
    assert doc.candidates_combined < doc.candidates_considered
    for p in doc.pathways:
        assert p.total_ects >= 15
    assert doc.pathways or doc.no_solution
