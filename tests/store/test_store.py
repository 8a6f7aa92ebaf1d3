"""The store interface: union default graph, atomic writes, sorted dumps."""

import pyoxigraph as ox
import pytest

from microhe.store.base import StoreError, StoreLockedError
from microhe.store.embedded import Store

EX = "http://example.org/"


def q(s, p, o, g):
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + p), o, ox.NamedNode(EX + g))


@pytest.fixture
def store():
    s = Store()
    s.write({EX + "g1": [q("a", "p", ox.Literal("1"), "g1")], EX + "g2": [q("b", "p", ox.Literal("2"), "g2")]})
    return s


def test_queries_see_the_union_of_all_graphs_by_default(store):
    rows = list(store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"))
    assert [r["s"].value for r in rows] == [EX + "a", EX + "b"]


def test_a_named_default_graph_restricts_the_dataset(store):
    rows = list(store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[EX + "g2"]))
    assert [r["s"].value for r in rows] == [EX + "b"]


def test_substitutions_bind_values_without_touching_the_query_text(store):
    # pyoxigraph (SEP-0007) requires a substituted variable to be in the SELECT projection.
    rows = list(store.query("SELECT ?s ?v WHERE { ?s ?p ?v }", substitutions={"v": ox.Literal("2")}))
    assert [r["s"].value for r in rows] == [EX + "b"]


def test_write_replaces_a_graph_and_drops_others_in_one_step(store):
    store.write({EX + "g1": [q("c", "p", ox.Literal("3"), "g1")]}, drop=[EX + "g2"])
    assert store.named_graphs() == [EX + "g1"]
    assert [x.subject.value for x in store.quads(EX + "g1")] == [EX + "c"]


def test_a_failing_write_changes_nothing(store):
    before = store.dump_bytes()
    # A blank node is not allowed in DELETE DATA: the update fails as a whole.
    bad = ox.Quad(ox.BlankNode("x"), ox.NamedNode(EX + "p"), ox.Literal("1"), ox.NamedNode(EX + "g1"))
    with pytest.raises(SyntaxError):
        store.write({EX + "g1": [q("z", "p", ox.Literal("9"), "g1")]}, remove=[bad])
    assert store.dump_bytes() == before


def test_dump_is_sorted_n_quads_and_restore_keeps_blank_node_labels(tmp_path):
    s = Store()
    s.restore([ox.Quad(ox.BlankNode("keep1"), ox.NamedNode(EX + "p"), ox.BlankNode("keep2"), ox.NamedNode(EX + "g"))])
    dump = s.dump_bytes()
    assert b"_:keep1" in dump and b"_:keep2" in dump
    copy = Store(tmp_path / "copy")
    copy.restore(ox.parse(dump, ox.RdfFormat.N_QUADS))
    assert copy.dump_bytes() == dump
    lines = dump.decode().splitlines()
    assert lines == sorted(lines)


def test_a_second_writer_on_the_same_directory_gets_a_clear_error(tmp_path):
    first = Store(tmp_path / "db")
    with pytest.raises(StoreLockedError, match="in use by another process"):
        Store(tmp_path / "db")
    del first


def test_a_bulk_write_gives_the_same_graphs_and_writes_the_records_last(store):
    record = ox.Quad(ox.NamedNode(EX + "load"), ox.NamedNode(EX + "of"), ox.NamedNode(EX + "g1"),
                     ox.NamedNode(EX + "meta"))
    plain = Store()
    plain.write({EX + "g1": [q("c", "p", ox.Literal("3"), "g1")]}, drop=[EX + "g2"], add=[record])
    store.write({EX + "g1": [q("c", "p", ox.Literal("3"), "g1")]}, drop=[EX + "g2"], add=[record], bulk=True)
    assert store.dump_bytes() == plain.dump_bytes()
    assert store.named_graphs() == [EX + "g1", EX + "meta"]


def test_optimize_compacts_a_disk_store_without_changing_it(tmp_path):
    s = Store(tmp_path / "db")
    s.write({EX + "g1": [q("c", "p", ox.Literal(str(i)), "g1") for i in range(200)]}, bulk=True)
    before = s.dump_bytes()
    s.optimize()
    assert s.dump_bytes() == before
    Store().optimize()  # in memory: nothing to do
    s.close()
    ro = Store(tmp_path / "db", read_only=True)
    ro.optimize()  # read-only: nothing to do, no error
    assert ro.dump_bytes() == before


def test_the_process_lock_is_held_while_open_and_released_by_close(tmp_path):
    path = tmp_path / "db"
    first = Store(path)
    with pytest.raises(StoreLockedError, match=r"in use by another process.*db\.lock is locked"):
        Store(path)  # refused by the lock beside the store, before any roll-back could run
    with Store(path, read_only=True) as reader:  # a reader takes no lock
        assert reader.is_empty()
    first.close()
    with Store(path) as again:
        assert again.is_empty()


def test_a_path_that_is_not_a_store_directory_is_refused_with_its_name(tmp_path):
    path = tmp_path / "file"
    path.write_text("not a store")
    with pytest.raises(StoreError, match=f"cannot open the store at {path}"):
        Store(path)
    assert path.read_text() == "not a store"
    with pytest.raises(StoreError, match="cannot open the store") as again:  # not "in use": the failed
        Store(path)                                                          # open released its lock
    assert not isinstance(again.value, StoreLockedError)
