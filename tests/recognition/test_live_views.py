"""Issue 24: the search view follows the change log instead of being rebuilt after a write.

The oracle: after each kind of write (new graph, replace, drop, restore, decision,
``/update``, an institution's name and its address, a framework level's referencing, the
skill hierarchy) the view brought up to date incrementally equals the view built from
scratch on the same store (records, skill hierarchy, posting lists as sets of IRIs); and
it was brought up to date by following the log (``patched`` counts those steps), not by a
rebuild. On disk: a saved view catches up from its change-log point after writes made
while no view was open, and after a write killed with SIGKILL at each step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading

import pyoxigraph as ox
import pytest

from microhe.frameworks.credits import credit_systems
from microhe.frameworks.levels import framework_index
from microhe.ingest.load import Source, load
from microhe.recognition.decisions import record_decision
from microhe.recognition.pathways import part_of_edges
from microhe.recognition.search import FacetIndex, facet_index, search, search_index
from microhe.store import views
from microhe.store.embedded import Store
from microhe.store.views import save_all

from .conftest import DEMO, ORG, PREFIXES, SKILL, write_turtle

T = "https://example.org/test/"
ELM = "http://data.europa.eu/snb/model/elm/"
ROV = "http://www.w3.org/ns/regorg#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MHE = "https://w3id.org/microhe/ontology#"
INSTITUTIONS = "https://w3id.org/microhe/ref/graph/institutions"
FRAMEWORKS = "https://w3id.org/microhe/ref/graph/frameworks"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def _postings(fx: FacetIndex) -> dict:
    """Every posting list as the set of the IRIs it holds (positions differ between an
    index patched in place and one built at once; what they hold may not)."""
    out: dict = {"all": sorted(fx.iris(fx.all))}
    for name in ("eqf", "country", "modes", "fields", "bands"):
        out[name] = {k: sorted(fx.iris(bits)) for k, bits in getattr(fx, name).items() if fx.iris(bits)}
    for name in ("levels", "skills"):
        out[name] = {k: sorted(fx.recs[i].iri for i in v) for k, v in getattr(fx, name).items() if len(v)}
    out["ects"] = sorted((e, fx.recs[i].iri) for e, i in zip(fx.ects_values, fx.ects_positions, strict=True))
    return out


def same_as_scratch(store: Store) -> None:
    live = search_index(store)
    fresh = search_index.__wrapped__(store)
    assert [vars(r) for r in live.records] == [vars(r) for r in fresh.records]
    assert live.narrower == fresh.narrower
    assert live.via == fresh.via
    assert _postings(facet_index(store)) == _postings(FacetIndex(fresh))
    for q in ({}, {"eqf": 6}, {"eqf": 7}, {"text": "data"}, {"text": "zebra"}, {"ects_min": 5}):
        # the order of the results (the title order), whole and by pages, as a fresh index has it
        every = [r.iri for r in search(store, limit=1000, **q).results]
        assert every == [r.iri for r in fresh.records if r.iri in set(every)], q
        assert [r.iri for r in search(store, limit=3, offset=2, **q).results] == every[2:5], q
    for words in ("data", "zebra", "institute"):  # the text of the records, through the live index
        assert sorted(r.iri for r in search(store, text=words, limit=1000).results) == \
               sorted(r.iri for r in fresh.records if words in f"{r.title} {r.description} {r.issuer_name or ''}".casefold())


def followed(store: Store) -> int:
    return search_index(store).patched


NEW = f"""
t:zebra a elm:Qualification ; dcterms:title "Zebra data course"@en ; elm:EQFLevel eqf:6 ;
    elm:awardingOpportunity [ a elm:AwardingOpportunity ; elm:awardingBody <{ORG}strathlowe> ] ;
    elm:creditPoint [ a elm:CreditPoint ; elm:framework <http://data.europa.eu/snb/education-credit/6fcec5c5af> ;
                      elm:point "4" ] ;
    elm:learningOutcome t:zebra-lo .
t:zebra-lo a elm:LearningOutcome ; dcterms:title "lo"@en ; elm:relatedESCOSkill <{SKILL}python-data-wrangling> .
"""


NEW_FILE = PREFIXES + NEW
OUTCOME = "needs-information"


@pytest.fixture()
def live(scratch_store):
    search(scratch_store)  # the view exists: every write below is followed, not rebuilt
    facet_index(scratch_store)
    assert followed(scratch_store) == 0
    return scratch_store


def test_a_new_graph_a_replace_and_a_drop_are_followed(live):
    write_turtle(live, "zebra", NEW)
    assert search(live, text="zebra").total == 1
    same_as_scratch(live)
    write_turtle(live, "zebra", NEW.replace("Zebra data course", "Okapi data course").replace("eqf:6", "eqf:5"))
    assert search(live, text="zebra").total == 0 and search(live, text="okapi").results[0].eqf == [5]
    same_as_scratch(live)
    live.write(drop=[T + "graph/zebra", T + "graph/zebra#derived"])
    assert search(live, text="okapi").total == 0
    same_as_scratch(live)
    assert followed(live) == 3


def test_a_restore_and_a_load_are_followed(live, tmp_path):
    quads = list(ox.parse((b"@prefix elm: <http://data.europa.eu/snb/model/elm/> . @prefix dcterms: "
                           b"<http://purl.org/dc/terms/> . <urn:x:restored> a elm:Qualification ; "
                           b"dcterms:title \"Restored yak course\"@en ."), ox.RdfFormat.TURTLE))
    live.restore([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("urn:g:restored")) for q in quads])
    assert search(live, text="yak").total == 1
    same_as_scratch(live)
    path = tmp_path / "c.ttl"
    path.write_text(NEW_FILE, encoding="utf-8")
    [outcome] = load(live, [Source.from_path(path)], graph="urn:g:loaded", profiles=("consistency",))
    assert outcome.status == "loaded", outcome
    assert search(live, text="zebra").total == 1
    same_as_scratch(live)
    assert followed(live) == 2


def test_a_decision_is_followed(live):
    before = search_index(live)
    record_decision(live, credential=DEMO + "strathlowe-applied-data-analysis", institution=ORG + "strathlowe",
                    purpose="access", outcome=OUTCOME, decided_by="t", base="https://example.org/test")
    same_as_scratch(live)
    assert followed(live) == 1 and search_index(live).records == before.records


def test_an_update_of_a_title_is_followed(live):
    spec = DEMO + "strathlowe-applied-data-analysis"
    g = graph_of(live, spec)
    live.update(f"DELETE {{ GRAPH <{g}> {{ <{spec}> <http://purl.org/dc/terms/title> ?t }} }} "
                f"INSERT {{ GRAPH <{g}> {{ <{spec}> <http://purl.org/dc/terms/title> \"Gnuqa analysis\"@en }} }} "
                f"WHERE {{ GRAPH <{g}> {{ <{spec}> <http://purl.org/dc/terms/title> ?t }} }}")
    assert [r.iri for r in search(live, text="gnuqa").results] == [spec]
    same_as_scratch(live)
    assert followed(live) == 1


def graph_of(store: Store, iri: str, p: str = "http://purl.org/dc/terms/title") -> str:
    """The one graph that holds ``iri``'s ``p``."""
    [g] = {r["g"].value for r in store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{iri}> <{p}> ?o }} }}")}
    return g


def test_an_institution_edit_reaches_its_credentials(live):
    """The issuer's name and country live in the institutions graph: a credential's record
    changes though nothing of its own graph did (the country through a blank address)."""
    org = next(r.issuer for r in search_index(live).records if r.issuer and r.country)
    specs = {r.iri for r in search_index(live).records if r.issuer == org}
    g = graph_of(live, org, ELM + "location")
    live.update(f"PREFIX rov: <{ROV}> PREFIX skos: <{SKOS}> DELETE {{ GRAPH <{g}> {{ <{org}> ?p ?n }} }} "
                f"INSERT {{ GRAPH <{g}> {{ <{org}> rov:legalName \"Quagga University\"@en }} }} "
                f"WHERE {{ GRAPH <{g}> {{ <{org}> ?p ?n FILTER(?p IN (rov:legalName, skos:prefLabel)) }} }}")
    assert {r.iri for r in search(live, text="quagga", limit=1000).results} == specs
    same_as_scratch(live)
    live.update(f"PREFIX elm: <{ELM}> DELETE {{ GRAPH <{g}> {{ ?a elm:countryCode ?c }} }} "
                f"INSERT {{ GRAPH <{g}> {{ ?a elm:countryCode <{COUNTRY}ISL> }} }} "
                f"WHERE {{ GRAPH <{g}> {{ <{org}> elm:location ?l . ?l elm:address ?a . ?a elm:countryCode ?c }} }}")
    assert {r.iri for r in search(live, country="ISL", limit=1000).results} >= specs
    same_as_scratch(live)
    assert followed(live) == 2


def test_a_framework_edit_reaches_the_credentials_at_its_levels(live):
    """A credential at a national level is complete (M8) through the level's referencing to
    the EQF in the frameworks graph: withdrawing it makes the record incomplete."""
    rows = list(live.query(f"SELECT DISTINCT ?spec ?lvl WHERE {{ ?spec <{ELM}NQFLevel> ?lvl }}"))
    assert rows, "the demo should have a credential at a national level"
    live.update(f"PREFIX mhe: <{MHE}> DELETE {{ GRAPH <{FRAMEWORKS}> {{ ?l mhe:referencedToEQF ?e }} }} "
                f"WHERE {{ GRAPH <{FRAMEWORKS}> {{ ?l mhe:referencedToEQF ?e }} }}")
    assert any(r.incomplete for r in search_index(live).records if r.iri in {x["spec"].value for x in rows})
    same_as_scratch(live)
    live.update(f"PREFIX skos: <{SKOS}> DELETE {{ GRAPH <{FRAMEWORKS}> {{ ?a skos:exactMatch ?b }} }} "
                f"WHERE {{ GRAPH <{FRAMEWORKS}> {{ ?a skos:exactMatch ?b }} }}")
    same_as_scratch(live)
    assert followed(live) == 2


def test_a_skill_hierarchy_edit_is_followed(live):
    live.update(f"PREFIX skos: <{SKOS}> INSERT DATA {{ GRAPH <urn:g:skills> {{ "
                f"<{SKILL}python-data-wrangling> skos:broader <urn:x:wrangling> }} }}")
    assert search(live, skill="urn:x:wrangling").total >= 1
    same_as_scratch(live)
    assert followed(live) == 1


def test_a_change_of_unknown_scope_rebuilds(live):
    live.update("INSERT { GRAPH ?g { <urn:x:s> <urn:x:p> 1 } } WHERE { GRAPH ?g { ?s ?p ?o } }")
    same_as_scratch(live)
    assert followed(live) == 0  # built again: the change named no graph


def test_readers_answer_from_the_last_view_while_it_is_brought_up_to_date(live):
    """A reader that finds the view behind while another thread holds its lock answers from
    the last view at once (it never waits for the catch-up)."""
    before = search_index(live)
    write_turtle(live, "zebra", NEW)
    assert search_index.cached(live)  # the writer brought it up to date before returning
    last = search_index(live)
    assert last is not before and search(live, text="zebra").total == 1
    hooks, live.on_written = live.on_written, []  # as if the writer had not caught up yet
    try:
        write_turtle(live, "okapi", NEW.replace("t:zebra", "t:okapi").replace("Zebra", "Okapi"))
        assert not search_index.cached(live)
        with views_lock(search_index, live):  # as if another thread were catching up
            assert search_index(live) is last  # the last view answers at once
            assert search(live, text="okapi").total == 0
        assert search(live, text="okapi").total == 1  # the next reader brings it up to date
        assert search_index.cached(live) and search_index(live).patched == last.patched + 1
    finally:
        live.on_written = hooks


def views_lock(view, store):
    """The lock of ``view`` for ``store`` (from the closure: tests only)."""
    cells = {name: cell.cell_contents for name, cell in zip(view.__code__.co_freevars, view.__closure__ or (),
                                                              strict=True)}
    return cells["lock_of"](store)


# -- on disk: catching up on start, and after kill -9 --------------------------------------------

CHILD = textwrap.dedent("""
    import os, signal, sys
    import pyoxigraph as ox
    from microhe.store.embedded import Store
    path, step, kind, spec, g = sys.argv[1:6]
    s = Store(path)
    real = s._db
    class KillAt:
        def __getattr__(self, name):
            return getattr(real, name)
        def update(self, *a, **k):
            if step == "before-commit":
                os.kill(os.getpid(), signal.SIGKILL)
            real.update(*a, **k)
            real.flush()
            if step == "after-commit":
                os.kill(os.getpid(), signal.SIGKILL)
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    if kind == "put":  # a Graph Store PUT: the graph replaced
        quads = [q for q in s.quads(g) if not (q.subject == ox.NamedNode(spec) and q.predicate == title)]
        quads.append(ox.Quad(ox.NamedNode(spec), title, ox.Literal("Gnuqa analysis", language="en"), ox.NamedNode(g)))
        s._db = KillAt()
        s.write({g: quads})
    else:
        s._db = KillAt()
        s.update(f"DELETE {{ GRAPH <{g}> {{ <{spec}> <{title.value}> ?t }} }} "
                 f"INSERT {{ GRAPH <{g}> {{ <{spec}> <{title.value}> \\"Gnuqa analysis\\"@en }} }} "
                 f"WHERE {{ GRAPH <{g}> {{ <{spec}> <{title.value}> ?t }} }}")
    print("not killed")
""")


def test_a_saved_view_catches_up_from_the_log_on_the_next_open(store_dir):
    with Store(store_dir) as s:
        search_index(s)  # built and saved at this point of the log
    with Store(store_dir) as s:
        write_turtle(s, "zebra", NEW)  # no view in this process: nothing brought up to date
    with Store(store_dir) as s:
        assert search(s, text="zebra").total == 1
        assert search_index(s).patched == 1  # read back and caught up, not built
        same_as_scratch(s)


@pytest.mark.parametrize("kind", ["put", "update"])
@pytest.mark.parametrize("step", ["before-commit", "after-commit"])
def test_after_kill_minus_9_mid_write_the_view_catches_up_to_what_the_store_holds(store_dir, step, kind):
    """The entry of a write killed mid-way is kept (``recovered``): a replaced graph's entry
    names its subjects, so the saved view follows it; an update's subjects are read after
    its write, so its recovered entry names none and the view is built again."""
    spec = DEMO + "strathlowe-applied-data-analysis"
    with Store(store_dir) as s:
        title = {r.iri: r.title for r in search_index(s).records}[spec]
        g = graph_of(s, spec)
    assert title != "Gnuqa analysis"
    run = subprocess.run([sys.executable, "-c", CHILD, str(store_dir), step, kind, spec, g], capture_output=True, text=True,
                         timeout=120, env={**os.environ})
    assert run.returncode == -signal.SIGKILL, (run.returncode, run.stdout, run.stderr[-2000:])
    with Store(store_dir) as s:
        titles = {r.iri: r.title for r in search_index(s).records}
        assert titles[spec] == ("Gnuqa analysis" if step == "after-commit" else title)
        assert search_index(s).patched == (1 if kind == "put" else 0)
        same_as_scratch(s)


def test_reference_views_are_kept_across_writes_that_do_not_touch_them(live):
    """The frameworks, credit systems and part-of edges are read by every derivation and
    compare: a credential's write keeps them (the same objects), a write of what they read
    builds them again, equal to a build from scratch."""
    fi, credits, edges = framework_index(live), credit_systems(live), part_of_edges(live)
    write_turtle(live, "zebra", NEW)
    assert framework_index(live) is fi and credit_systems(live) is credits and part_of_edges(live) is edges
    assert framework_index.cached(live)
    level = next(iter(fi.levels))
    live.update(f"PREFIX skos: <{SKOS}> INSERT DATA {{ GRAPH <{FRAMEWORKS}> {{ <{level}> skos:note \"edited\" }} }}")
    assert framework_index(live) is not fi and "edited" in framework_index(live).levels[level].notes
    assert framework_index(live) == framework_index.__wrapped__(live)
    assert credit_systems(live) is credits
    write_turtle(live, "part", NEW.replace("t:zebra a", f"t:zebra <{ELM}isPartOf> <{DEMO}strathlowe-applied-data-analysis> ; a"))
    assert part_of_edges(live) is not edges and part_of_edges(live) == part_of_edges.__wrapped__(live)
    assert T + "zebra" in part_of_edges(live)[DEMO + "strathlowe-applied-data-analysis"]


def test_a_large_view_is_built_again_on_a_thread_of_its_own(live, monkeypatch):
    """A change of unknown scope builds the view again; from ``BACKGROUND_MIN`` records
    (here every view) on its own thread, the reader answering from the last view at once."""
    monkeypatch.setattr(views, "BACKGROUND_MIN", 0)
    before = search_index(live)
    hooks, live.on_written = live.on_written, []  # the reader, not the writer, meets the change
    try:
        live.update(f"PREFIX elm: <{ELM}> PREFIX dcterms: <http://purl.org/dc/terms/> "
                    f"INSERT {{ GRAPH ?g {{ <urn:x:wombat> a elm:Qualification ; dcterms:title \"Wombat\"@en }} }} "
                    f"WHERE {{ GRAPH ?g {{ <{DEMO}strathlowe-applied-data-analysis> a elm:Qualification }} }}")
        assert search_index(live) is before  # the rebuild started elsewhere; this answer did not wait
        rebuilds = [t for t in threading.enumerate() if t.name == "microhe-rebuild-search_index"]
        assert len(rebuilds) == 1
        rebuilds[0].join(120)
        assert search(live, text="wombat").total == 1 and search_index(live).patched == 0
        same_as_scratch(live)
    finally:
        live.on_written = hooks


def _header(store_dir) -> tuple[dict, bytes]:
    raw = (store_dir / "microhe-views" / "search-records.pickle").read_bytes()
    head, body = raw.split(b"\n", 1)
    return json.loads(head), body


def test_a_followed_view_is_saved_with_its_point_and_read_back_as_it_is(store_dir):
    with Store(store_dir) as s:
        search_index(s)
        write_turtle(s, "zebra", NEW)
        assert search_index(s).patched == 1
        assert save_all(s) == ["search_index"]
        seq = s.changes.seq
    assert _header(store_dir)[0]["seq"] == seq
    with Store(store_dir) as s:  # the same state: read back, nothing to follow
        assert search_index(s).patched == 1 and search(s, text="zebra").total == 1


def test_a_saved_view_of_another_log_is_built_again_never_followed(store_dir):
    with Store(store_dir) as s:
        search_index(s)
    with Store(store_dir) as s:
        write_turtle(s, "zebra", NEW)
    header, body = _header(store_dir)
    header["log"] = "0" * 32  # as if saved beside another log (one deleted and begun again)
    (store_dir / "microhe-views" / "search-records.pickle").write_bytes(json.dumps(header).encode() + b"\n" + body)
    with Store(store_dir) as s:
        assert search_index(s).patched == 0  # built, not caught up from a point of another log
        assert search(s, text="zebra").total == 1
        same_as_scratch(s)
