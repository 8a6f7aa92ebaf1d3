"""The change log (``microhe.store.changes``): every committed write through the store
leaves exactly one entry (sequence number, UTC time, kind, graphs, subjects added and
removed), a failed write none; the log pages, forgets by its retention, restarts (410 for
older points) when it no longer describes the store; and it survives kill -9 with the
properties its module states. Expected entries are worked out by hand from the writes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest

from microhe.store import changes
from microhe.store.changes import DEFAULT_GRAPH, Change, ChangesGone
from microhe.store.embedded import Store

N = ox.NamedNode
P = N("urn:p")
G1, G2 = "urn:g:1", "urn:g:2"


def q(s: str, o: str = "x", g: str | None = G1) -> ox.Quad:
    return ox.Quad(N(s), P, ox.Literal(o), N(g) if g else ox.DefaultGraph())


def entries(store, since: int = 0) -> list[Change]:
    got, _ = store.changes.changes_since(since)
    return got


def last(store) -> Change:
    return entries(store)[-1]


def test_a_new_store_has_an_empty_log_starting_at_zero():
    s = Store()
    assert (s.changes.seq, s.changes.floor, entries(s)) == (0, 0, [])


def test_a_write_of_a_new_graph_is_one_entry_with_its_graph_and_subjects():
    s = Store()
    s.write({G1: [q("urn:a"), q("urn:a", "y"), q("urn:b")]})
    (e,) = entries(s)
    assert (e.seq, e.kind, e.graphs, e.deleted, e.added, e.removed, e.recovered) == (
        1, "write", [G1], [], ["urn:a", "urn:b"], [], False)
    assert s.changes.seq == 1
    assert datetime.fromisoformat(e.time).tzinfo is not None


def test_a_replace_lists_the_old_subjects_as_removed_and_the_new_as_added():
    s = Store()
    s.write({G1: [q("urn:a"), q("urn:b")]})
    s.write({G1: [q("urn:b", "new"), q("urn:c")]})
    e = last(s)
    assert (e.seq, e.graphs, e.added, e.removed, e.deleted) == (2, [G1], ["urn:b", "urn:c"], ["urn:a", "urn:b"], [])


def test_a_drop_names_the_deleted_graph_and_its_subjects():
    s = Store()
    s.write({G1: [q("urn:a")], G2: [q("urn:z", g=G2)]})
    s.write(drop=[G1])
    e = last(s)
    assert (e.graphs, e.deleted, e.added, e.removed) == ([G1], [G1], [], ["urn:a"])


def test_single_quads_added_and_removed_name_their_graphs_and_the_default_graph():
    s = Store()
    s.write(add=[q("urn:a"), q("urn:d", g=None)])
    s.write(remove=[q("urn:a")], add=[q("urn:e", g=G2)])
    first, second = entries(s)
    assert (first.graphs, first.added) == (sorted([G1, DEFAULT_GRAPH]), ["urn:a", "urn:d"])
    assert (second.graphs, second.added, second.removed) == (sorted([G1, G2]), ["urn:e"], ["urn:a"])


def test_blank_node_subjects_are_not_listed_but_their_graph_is():
    s = Store()
    s.write({G1: [ox.Quad(ox.BlankNode("b1"), P, ox.Literal("x"), N(G1))]})
    e = last(s)
    assert (e.graphs, e.added) == ([G1], [])


def test_restore_update_clear_and_bulk_each_leave_their_kind():
    s = Store()
    s.restore([q("urn:a")])
    s.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <urn:u> <urn:p> 1 }} }}")
    s.write({G1: [q("urn:b")]}, bulk=True)
    s.clear()
    kinds = [(e.seq, e.kind) for e in entries(s)]
    assert kinds == [(1, "restore"), (2, "update"), (3, "write"), (4, "clear")]
    assert entries(s)[-1].graphs is None  # clear: any graph may have changed


def test_the_caller_names_the_kind_and_the_outer_caller_wins():
    s = Store()
    with changes.operation("put"):
        with changes.operation("load"):
            s.write({G1: [q("urn:a")]})
    with changes.operation("decision"):
        s.write(add=[q("urn:d")])
    assert [e.kind for e in entries(s)] == ["put", "decision"]


@pytest.mark.parametrize("bad", [
    lambda s: s.update("INSERT DATA { this is not sparql"),
    lambda s: s.update(f"DROP GRAPH <{G2}>"),  # not SILENT, and the graph does not exist
    lambda s: s.write({G1: [q("urn:b")]}, drop=["not an iri with spaces"]),
])
def test_a_failed_write_leaves_no_entry_and_the_sequence_unchanged(bad):
    s = Store()
    s.write({G1: [q("urn:a")]})
    with pytest.raises((SyntaxError, ValueError, RuntimeError, OSError)):  # what pyoxigraph raises for each
        bad(s)
    assert (s.changes.seq, [e.seq for e in entries(s)]) == (1, [1])
    s.write({G2: [q("urn:z", g=G2)]})
    got = [(e.seq, e.graphs) for e in entries(s)]
    assert [g for _, g in got] == [[G1], [G2]] and got[0][0] < got[1][0]  # a failed write may leave a gap


# -- /update: graphs from the request's text, subjects from a diff of those graphs ------------


def test_an_update_naming_its_graphs_lists_them_with_the_subjects_it_changed():
    s = Store()
    s.write({G1: [q("urn:a"), q("urn:b")]})
    s.update(f"""PREFIX p: <urn:>
        DELETE {{ GRAPH <{G1}> {{ ?s p:p "x" }} }} INSERT {{ GRAPH <{G2}> {{ ?s p:p "moved" }} }}
        WHERE {{ GRAPH <{G1}> {{ ?s p:p "x" FILTER(?s = <urn:a>) }} }}""")
    e = last(s)
    assert (e.kind, e.graphs, e.added, e.removed, e.deleted) == ("update", [G1, G2], ["urn:a"], ["urn:a"], [])


def test_an_update_that_drops_a_graph_says_it_is_deleted():
    s = Store()
    s.write({G1: [q("urn:a")], G2: [q("urn:z", g=G2)]})
    s.update(f"DROP GRAPH <{G1}>")
    e = last(s)
    assert (e.graphs, e.deleted, e.removed, e.added) == ([G1], [G1], ["urn:a"], [])


def test_an_update_on_the_default_graph_names_it():
    s = Store()
    s.update('INSERT DATA { <urn:d> <urn:p> "v" }')
    assert (last(s).graphs, last(s).added) == ([DEFAULT_GRAPH], ["urn:d"])


@pytest.mark.parametrize("text", [
    "DELETE WHERE { GRAPH ?g { <urn:a> ?p ?o } }",
    "CLEAR ALL",
    "DROP NAMED",
])
def test_an_update_whose_graphs_are_not_in_its_text_says_any_graph_may_have_changed(text):
    s = Store()
    s.write({G1: [q("urn:a")]})
    s.update(text)
    e = last(s)
    assert (e.graphs, e.added, e.removed) == (None, None, None)


# -- reading the log ----------------------------------------------------------------------


def test_changes_since_pages_oldest_first_and_returns_the_last_sequence():
    s = Store()
    for i in range(5):
        s.write(add=[q(f"urn:s{i}")])
    page, last_seq = s.changes.changes_since(1, limit=2)
    assert ([e.seq for e in page], last_seq) == ([2, 3], 5)
    page, _ = s.changes.changes_since(3, limit=10)
    assert [e.seq for e in page] == [4, 5]
    assert s.changes.changes_since(5) == ([], 5)


def test_a_point_in_time_is_the_last_change_before_it():
    s = Store()
    s.write(add=[q("urn:a")])
    first = last(s)
    s.write(add=[q("urn:b")])
    t = datetime.fromisoformat(last(s).time)
    assert s.changes.seq_at(t) == first.seq  # changes at or after t: the second one
    assert s.changes.seq_at(t + timedelta(days=1)) == 2
    assert s.changes.seq_at(datetime.fromisoformat(first.time) - timedelta(seconds=1)) == 0


def test_a_sequence_after_the_last_is_gone_not_an_empty_answer():
    s = Store()
    s.write(add=[q("urn:a")])
    with pytest.raises(ChangesGone, match="harvest the dump again"):
        s.changes.changes_since(2)


def test_retention_by_count_forgets_old_entries_and_older_points_are_gone():
    s = Store()
    s.changes.keep_entries = 3
    for i in range(6):
        s.write(add=[q(f"urn:s{i}")])
    s.changes.prune()
    assert [e.seq for e in s.changes.changes_since(3)[0]] == [4, 5, 6]
    assert s.changes.floor == 3
    with pytest.raises(ChangesGone, match="harvest the dump again"):
        s.changes.changes_since(2)


def test_retention_by_age_forgets_entries_older_than_the_limit():
    s = Store()
    s.write(add=[q("urn:a")])
    s.write(add=[q("urn:b")])
    s.changes.keep_days = 30
    s.changes.prune(now=datetime.now(UTC) + timedelta(days=31))
    assert (s.changes.floor, s.changes.seq, entries(s, 2)) == (2, 2, [])
    with pytest.raises(ChangesGone):
        s.changes.changes_since(0)


# -- on disk: reopening, a store that is not the one the log describes, kill -9 -----------------


def test_the_log_lives_beside_the_store_and_survives_reopening(tmp_path):
    path = tmp_path / "store"
    with Store(path) as s:
        s.write({G1: [q("urn:a")]})
    assert (tmp_path / "store.changes.sqlite").exists()
    with Store(path) as s:
        s.write({G2: [q("urn:b", g=G2)]})
        assert [(e.seq, e.graphs) for e in entries(s)] == [(1, [G1]), (2, [G2])]


def test_a_store_replaced_beside_its_old_log_restarts_the_log(tmp_path):
    import shutil

    path = tmp_path / "store"
    with Store(path) as s:
        s.write({G1: [q("urn:a")]})
        s.write({G2: [q("urn:b", g=G2)]})
    shutil.rmtree(path)
    with Store(path) as s:  # another store, same place: the old entries describe nothing here
        s.write({G1: [q("urn:c")]})
        assert s.changes.floor >= 2 and s.changes.seq > s.changes.floor
        with pytest.raises(ChangesGone):
            s.changes.changes_since(1)
        assert [e.graphs for e in entries(s, s.changes.floor)] == [[G1]]


def test_a_store_that_held_data_before_its_log_existed_starts_with_a_floor(demo_dir, tmp_path):
    import shutil

    path = tmp_path / "store"
    shutil.copytree(demo_dir, path)  # the store alone, without the log beside it
    with Store(path) as s:
        assert s.changes.floor == s.changes.seq >= 1
        with pytest.raises(ChangesGone):
            s.changes.changes_since(0)


CHILD = textwrap.dedent("""
    import os, signal, sys
    import pyoxigraph as ox
    from microhe.store.embedded import Store
    from microhe.store import checkpoint
    path, step = sys.argv[1], sys.argv[2]
    s = Store(path)
    real = s._db
    def die():
        real.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    class KillAt:
        def __getattr__(self, name):
            return getattr(real, name)
        def bulk_extend(self, quads):
            quads = list(quads)
            real.bulk_extend(quads[: len(quads) // 2])
            if step == "mid-bulk":
                die()
            real.bulk_extend(quads[len(quads) // 2:])
        def extend(self, quads):
            if step == "before-commit":
                die()
            real.extend(quads)
            if step == "after-commit":
                die()
    s._db = KillAt()
    if step == "after-bulk":
        finish = checkpoint.finish
        def finish_and_die(p):
            finish(p)
            die()
        checkpoint.finish = finish_and_die
    new = [ox.Quad(ox.NamedNode(f"urn:new:{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)),
                   ox.NamedNode("urn:g:new")) for i in range(2000)]
    if step in ("mid-bulk", "after-bulk"):
        s.write({"urn:g:new": new}, bulk=True)
    else:
        s.write({"urn:g:new": new})
    print("not killed")
""")


def _killed(path, step: str) -> None:
    run = subprocess.run([sys.executable, "-c", CHILD, str(path), step], capture_output=True, text=True, timeout=120,
                         env={**os.environ})
    assert run.returncode == -signal.SIGKILL, (run.returncode, run.stdout, run.stderr[-2000:])


def _seqs(path) -> tuple[list[int], bool]:
    with Store(path) as s:
        return [e.seq for e in entries(s, s.changes.floor)], s.has_graph("urn:g:new")


@pytest.mark.parametrize("step,entry,graph", [
    ("mid-bulk", False, False),      # rolled back by the next open: no write, no entry
    ("after-bulk", True, True),      # complete and flushed, killed before the entry was marked done
    ("after-commit", True, True),    # committed, killed before the entry was marked done
    ("before-commit", True, False),  # killed inside the write: the entry stays (possibly spurious)
])
def test_kill_minus_9_mid_write(tmp_path, step, entry, graph):
    path = tmp_path / "store"
    with Store(path) as s:
        s.write({G1: [q("urn:a")]})
        before = s.changes.seq
    _killed(path, step)
    seqs, has = _seqs(path)
    assert has is graph
    assert (len(seqs) == 2) is entry and seqs[0] == before
    if entry:
        with Store(path) as s:
            e = last(s)
            assert (e.graphs, e.recovered) == (["urn:g:new"], True)
            assert e.deleted == ([] if graph else ["urn:g:new"])
    with Store(path) as s:  # and the log goes on, monotonic
        s.write(add=[q("urn:later")])
        assert last(s).seq > max(seqs)


def test_restore_checkpoint_drops_the_entry_of_the_write_it_rolls_back(tmp_path):
    from microhe.store import checkpoint

    path = tmp_path / "store"
    with Store(path) as s:
        s.write({G1: [q("urn:a")]})
    _killed(path, "mid-bulk")
    assert checkpoint.roll_back_locked(path) is not None  # `microhe restore-checkpoint`, without opening the store
    seqs, has = _seqs(path)
    assert (len(seqs), has) == (1, False)


def test_a_torn_or_foreign_log_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "store"
    Store(path).close()
    (tmp_path / "store.changes.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"store.changes.sqlite{suffix}").unlink(missing_ok=True)
    with pytest.raises(Exception, match="store.changes.sqlite"):
        Store(path)


def test_the_log_file_is_sqlite_in_wal_mode(tmp_path):
    path = tmp_path / "store"
    with Store(path) as s:
        s.write({G1: [q("urn:a")]})
        with sqlite3.connect(tmp_path / "store.changes.sqlite") as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_update_too_long_to_read_says_any_graph_may_have_changed():
    from microhe.rdf.update_scope import MAX_CHARS

    s = Store()
    text = f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:a> <urn:p> \"{'x' * MAX_CHARS}\" }} }}"
    s.update(text)
    assert (last(s).graphs, last(s).added) == (None, None)


def test_writes_committed_out_of_number_order_are_neither_shown_early_nor_skipped():
    from microhe.store.changes import ChangeLog, Pending

    log = ChangeLog(None)
    a = log.begin(Pending("put", {G1}))
    b = log.begin(Pending("put", {G2}))
    log.commit(b, Pending("put", {G2}), lambda g: True)
    assert (log.seq, log.changes_since(0)) == (0, ([], 0))  # b waits behind the pending a
    t = datetime.now(UTC)
    log.commit(a, Pending("put", {G1}), lambda g: True)
    assert log.seq == b
    assert a in [e.seq for e in log.changes_since(log.seq_at(t))[0]]  # a was committed after t


def test_a_write_of_nothing_leaves_no_entry():
    s = Store()
    s.write()
    s.write(add=[])
    s.restore([])
    assert (s.changes.seq, entries(s)) == (0, [])


# -- the kinds the library's write paths give their entries --------------------------------


def test_load_drop_init_import_and_decision_name_their_kind(tmp_path):
    from pathlib import Path

    from microhe.importers.registry import import_document
    from microhe.importers.service import store_conversions
    from microhe.ingest.load import Source, drop, initialise, load
    from microhe.recognition.decisions import record_decision
    from tests.api.writes import VALID

    s = Store()
    initialise(s, demo=True)
    start = s.changes.seq
    [outcome] = load(s, [Source("spec.ttl", VALID.encode(), "text/turtle")], graph="urn:g:spec")
    drop(s, "urn:g:spec")
    ctdl = (Path(__file__).resolve().parents[1] / "interop" / "fixtures" / "ctdl-micro.json").read_bytes()
    store_conversions(s, [import_document("ctdl", ctdl, "micro.json")], profiles=("consistency",),
                      base="https://example.org/base/", agent="test")
    record_decision(s, credential="https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis",
                    institution="https://w3id.org/microhe/ref/org/vmu", purpose="credit-transfer", outcome="recognise",
                    decided_by="registrar", base="https://example.org/base/")
    got = entries(s, start)
    assert [e.kind for e in entries(s)][:start] == ["init"] * start
    assert [e.kind for e in got] == ["load", "drop", "import", "decision"]
    assert "urn:g:spec" in got[0].graphs and got[1].deleted == sorted({"urn:g:spec", "urn:g:spec#derived"})
    assert got[3].graphs == ["https://w3id.org/microhe/graph/decisions"]  # recognition.decisions.DECISIONS_GRAPH


@pytest.mark.parametrize("bulk", [False, True])
def test_a_chunked_write_is_one_entry_naming_its_graphs_and_a_failed_one_none(tmp_path, bulk):
    """Large loads go through store.chunked.write_chunked (issue 26), not Store.write: its
    entry is made inside the checkpoint's bracket like a bulk write's, names the graph and
    the records' graph, and leaves the subjects unknown (re-read the graphs)."""
    from microhe.store.base import StoreError
    from microhe.store.chunked import write_chunked

    s = Store(tmp_path / "s")
    try:
        before = s.changes.seq
        write_chunked(s, {G1: lambda: iter([[q("urn:a")], [q("urn:b")]])}, bulk=bulk, chunk=1,
                      add=lambda sizes: [q("urn:record", str(sizes[G1]), G2)])
        [entry] = entries(s, before)
        assert entry.graphs == sorted([G1, G2]) and entry.added is None and entry.removed is None
        assert not entry.recovered

        def broken():
            yield [q("urn:c")]
            raise ValueError("the parser stopped")

        seq = s.changes.seq
        with pytest.raises(StoreError):
            write_chunked(s, {"urn:g:3": broken}, bulk=bulk, chunk=1)
        assert s.changes.seq == seq and entries(s, seq) == []
    finally:
        s.close()
