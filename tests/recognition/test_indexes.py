"""The per-store indexes behind pathways and faceted search (posting lists, part-of
edges, memoised skill expansions): results equal to the uncached computation of
``_uncached`` (the scan-based functions as they were) on the demo data and on synthetic
data, and a write after a first call is seen by the next one (cache keyed on the store
state)."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from microhe.devtools.synth import generate
from microhe.ingest.load import Source, initialise, load
from microhe.recognition.compare import target_from_requirements
from microhe.recognition.pathways import pathways
from microhe.recognition.search import _positions, facet_index, search, search_index
from microhe.store.embedded import Store
from tests.demo import demo_copy

from ._uncached import old_search_index, pathways_uncached, search_uncached
from .conftest import DEMO, SKILL, write_turtle

T = "https://example.org/test/"
ELM = "http://data.europa.eu/snb/model/elm/"


def _bare(x):
    """An answer without its labels (the uncached functions predate them): a labelled thing
    ``{iri, label, lang}`` becomes its IRI; titles, labels and the labelled levels of a
    search's ``level`` are left out. The labels are tested in test_labels."""
    if isinstance(x, dict):
        if set(x) == {"iri", "label", "lang"}:
            return x["iri"]
        return {k: _bare(v) for k, v in x.items() if k not in ("label", "lang", "title", "issuer_name", "levels")}
    if isinstance(x, list):
        return [_bare(v) for v in x]
    return x


def _specs(store: Store) -> list[str]:
    return sorted(r["s"].value for r in store.query(
        f"SELECT DISTINCT ?s WHERE {{ {{ ?s a <{ELM}Qualification> }} UNION "
        f"{{ ?s a <{ELM}LearningAchievementSpecification> }} }}"))


def _wholes(store: Store) -> list[str]:
    return sorted({r["w"].value for r in store.query(
        f"SELECT ?w WHERE {{ {{ ?w <{ELM}hasPart> ?p }} UNION {{ ?p <{ELM}isPartOf> ?w }} }}")})


def _search_calls(store: Store, rng: random.Random, n: int) -> list[dict]:
    idx = search_index(store)
    skills = sorted({s for r in idx.records for s in r.skills} | set(idx.narrower))
    fields = sorted({f.rsplit("/", 1)[-1] for r in idx.records for f in r.fields})
    words = sorted({w for r in idx.records for w in r.title.split()[:3]}) or ["data"]
    calls: list[dict] = [{}, {"limit": 0}, {"limit": 1000}, {"text": "data analysis"}, {"text": "DATA"},
                         {"framework": "SCQF", "level": "11"}, {"framework": "DQR", "level": "6"},
                         {"ects_min": 5}, {"ects_max": 6}, {"ects_min": 3, "ects_max": 10}, {"ects_min": 7, "ects_max": 2},
                         {"country": "ZZZ"}, {"field": "99"}, {"skill": T + "no-such-skill"}, {"text": "zzqqxx"},
                         {"facets": False, "eqf": 6}]
    for _ in range(n):
        kw: dict = {}
        for key, make in (("eqf", lambda: rng.randint(1, 8)), ("country", lambda: rng.choice(["DEU", "GBR", "FRA", "IRL", "LTU"])),  # noqa: E501 - data kept on one line
                          ("mode", lambda: rng.choice(["online", "presential", "blended", "Online"])),
                          ("field", lambda: rng.choice(fields[:1] + [f[:2] for f in fields] + fields)),
                          ("skill", lambda: rng.choice(skills)), ("text", lambda: " ".join(rng.sample(words, rng.choice([1, 1, 2])))),  # noqa: E501 - data kept on one line
                          ("ects_min", lambda: rng.choice([0, 1, 2.5, 5, 6])), ("ects_max", lambda: rng.choice([3, 6, 10, 30]))):
            if rng.random() < 0.3:
                kw[key] = make()
        kw["limit"] = rng.choice([0, 1, 5, 20])
        kw["offset"] = rng.choice([0, 0, 1, 3, 7, 50])
        calls.append(kw)
    return calls


def _assert_same(store: Store, seed: int, n_search: int) -> None:
    rng = random.Random(seed)
    specs, wholes = _specs(store), _wholes(store)
    for iri in rng.sample(specs, min(len(specs), 40)) + wholes[:6]:
        assert _bare(pathways(store, iri).to_json()) == _bare(pathways_uncached(store, iri)), iri
    for iri in wholes[:3]:
        for size in (1, 2):
            got = pathways(store, iri, max_size=size).to_json()
            assert _bare(got) == _bare(pathways_uncached(store, iri, max_size=size)), iri
    for kw in _search_calls(store, random.Random(seed), n_search):
        assert _bare(search(store, **kw).to_json()) == _bare(search_uncached(store, **kw)), kw


def _assert_same_records(store: Store) -> None:
    new, old = search_index.__wrapped__(store), old_search_index(store)
    assert new.records == old.records
    assert new.narrower == old.narrower


def test_demo_data_same_as_uncached():
    store = demo_copy()
    _assert_same_records(store)
    _assert_same(store, 1, 400)
    targets = [{"eqf": 6, "ects": 6, "outcomes": [SKILL + "data-analysis"]},
               {"eqf": 5, "ects": 0, "outcomes": []}, {"outcomes": [SKILL + "carbon-accounting", SKILL + "python-data-wrangling"]}]  # noqa: E501 - data kept on one line
    for req in targets:
        t = target_from_requirements(req)
        assert _bare(pathways(store, t).to_json()) == _bare(pathways_uncached(store, t)), req


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory) -> Store:
    path = tmp_path_factory.mktemp("synth") / "synth.nt"
    generate(path, credentials=300, seed=3)
    store = Store()
    initialise(store)
    [outcome] = load(store, [Source.from_path(path)])
    assert outcome.status == "loaded"
    return store


def test_synthetic_data_same_as_uncached(synth_store):
    assert _wholes(synth_store), "the synthetic data declares stacks"
    _assert_same_records(synth_store)
    _assert_same(synth_store, 2, 400)


def test_positions_are_the_ranked_set_bits():
    rng = random.Random(5)
    for _ in range(200):
        bits = [i for i in range(rng.randint(0, 300)) if rng.random() < rng.choice([0.02, 0.3, 0.9])]
        x = sum(1 << i for i in bits)
        start, count = rng.randint(0, len(bits) + 2), rng.randint(0, 12)
        assert _positions(x, start, count) == bits[start:start + count]


def test_a_write_after_a_first_call_is_seen():
    store = demo_copy()
    whole = DEMO + "dhbw-applied-data-science-certificate"
    before = pathways(store, whole)
    fx = facet_index(store)
    assert search(store, text="zebracourse").total == 0
    write_turtle(store, "late", f"""
t:late-part a elm:Qualification ; dcterms:title "Zebracourse in data wrangling"@en ;
    elm:EQFLevel eqf:7 ; elm:isPartOf <{whole}> ;
    elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ;
                      elm:point "5" ] ;
    elm:learningOutcome t:late-part-lo0 .
t:late-part-lo0 a elm:LearningOutcome ; dcterms:title "lo"@en ;
    elm:relatedESCOSkill <{SKILL}python-data-wrangling> .
""")
    assert facet_index(store) is not fx  # rebuilt for the new store state
    after = pathways(store, whole)
    assert T + "late-part" in [r.iri for r in after.declared_stack.parts]
    assert T + "late-part" not in [r.iri for r in before.declared_stack.parts]
    assert _bare(after.to_json()) == _bare(pathways_uncached(store, whole))
    hit = search(store, text="zebracourse")
    assert hit.total == 1 and hit.results[0].iri == T + "late-part"
    assert hit.facets is not None and hit.facets.eqf == {"7": 1}
    assert _bare(search(store, eqf=7, facets=True).to_json()) == _bare(search_uncached(store, eqf=7, facets=True))


def test_a_load_after_a_first_call_is_seen(tmp_path):
    store = Store()
    initialise(store)
    assert search(store).total == 0
    facets = search(store, text="a").facets
    assert facets is not None and facets.eqf == {}
    path = tmp_path / "s.nt"
    generate(path, credentials=40, seed=9)
    [outcome] = load(store, [Source.from_path(path)])
    assert outcome.status == "loaded"
    doc = search(store, limit=0)
    assert _bare(doc.total == 40 and doc.to_json()) == _bare(search_uncached(store, limit=0))
    for whole in _wholes(store):
        assert _bare(pathways(store, whole).to_json()) == _bare(pathways_uncached(store, whole))


def test_institutions_described_in_several_graphs_give_the_same_records():
    """The same institutions (names, locations, addresses) copied into three more graphs, as
    sharded loads or two publishers give: the union default graph then matches each triple
    once per graph, and the index must neither change nor multiply its reads."""
    single = demo_copy()
    copied = demo_copy()
    inst = "https://w3id.org/microhe/ref/graph/institutions"
    quads = list(copied.quads(inst))
    assert quads, "the reference institutions graph should not be empty"
    for n in range(3):
        g = ox.NamedNode(f"https://example.org/test/graph/institutions-copy-{n}")
        copied.write({g.value: [ox.Quad(q.subject, q.predicate, q.object, g) for q in quads]})
    read = {}
    for name, store in (("single", single), ("copied", copied)):
        query, read[name] = store.query, [0]

        def counting(*args, _query=query, _n=read[name], **kwargs):
            rows = list(_query(*args, **kwargs))
            _n[0] += len(rows)
            return iter(rows)

        store.query = counting
    a, b = search_index(single), search_index(copied)
    assert [vars(r) for r in a.records] == [vars(r) for r in b.records]
    assert any(r.country and r.issuer_name for r in a.records)
    # the copies add at most their own triples to what is read (one query joining names,
    # locations, addresses and countries read their product: 6,378 rows instead of 1,080)
    assert 0 < read["single"][0] <= read["copied"][0] <= read["single"][0] + 3 * len(quads)
