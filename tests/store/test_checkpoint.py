"""A bulk write killed half-way is rolled back exactly (``microhe.store.checkpoint``): the
process is really killed (SIGKILL, in a child), then the next open, `microhe
restore-checkpoint` or a read-only open is checked against a dump taken before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from microhe.store import checkpoint
from microhe.store.base import StoreError
from microhe.store.embedded import Store

GRAPH = "https://w3id.org/microhe/demo/graph/credentials"


def _dump(path) -> bytes:
    with Store(path, read_only=True) as ro:
        return ro.dump_bytes()


# The child replaces the graph with --bulk semantics and is killed by SIGKILL at a chosen
# step: after the old graph was dropped, or after part of the new one was bulk-written.
CHILD = textwrap.dedent("""
    import os, signal, sys
    import pyoxigraph as ox
    from microhe.store.embedded import Store
    path, graph, step = sys.argv[1], sys.argv[2], sys.argv[3]
    s = Store(path)
    real = s._db
    class KillAt:
        def __getattr__(self, name):
            return getattr(real, name)
        def update(self, *a, **k):
            real.update(*a, **k)
            if step == "after-drop":
                real.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        def bulk_extend(self, quads):
            quads = list(quads)
            real.bulk_extend(quads[: len(quads) // 2])
            real.flush()
            if step == "mid-bulk":
                os.kill(os.getpid(), signal.SIGKILL)
            real.bulk_extend(quads[len(quads) // 2:])
    s._db = KillAt()
    new = [ox.Quad(ox.NamedNode(f"urn:new:{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i))) for i in range(5000)]
    s.write({graph: new}, bulk=True)
    print("not killed")
""")


def _killed_replace(path, step: str) -> None:
    run = subprocess.run([sys.executable, "-c", CHILD, str(path), GRAPH, step], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == -signal.SIGKILL, (run.returncode, run.stdout, run.stderr)


@pytest.mark.parametrize("step", ["after-drop", "mid-bulk"])
def test_a_killed_bulk_replace_is_rolled_back_by_the_next_open(store_dir, step):
    before = _dump(store_dir)
    with Store(store_dir, read_only=True) as ro:
        size = ro.graph_size(GRAPH)
    _killed_replace(store_dir, step)
    with Store(store_dir) as s:
        assert (s.graph_size(GRAPH), s.dump_bytes() == before) == (size, True)
        assert s.rolled_back is not None and GRAPH in s.rolled_back.graphs
    assert not checkpoint.checkpoint_dir(store_dir).exists()
    assert not checkpoint.interrupted_dir(store_dir).exists()


def test_a_read_only_open_refuses_a_store_that_needs_a_roll_back(store_dir):
    _killed_replace(store_dir, "mid-bulk")
    with pytest.raises(StoreError, match="restore-checkpoint"):
        Store(store_dir, read_only=True)


def test_restore_checkpoint_command(store_dir):
    before = _dump(store_dir)
    _killed_replace(store_dir, "after-drop")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
    run = subprocess.run(["microhe", "restore-checkpoint", "--store", str(store_dir)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "rolled back" in run.stderr and GRAPH in run.stderr
    assert _dump(store_dir) == before
    again = subprocess.run(["microhe", "restore-checkpoint", "--store", str(store_dir)], capture_output=True,
                           text=True, env=env, timeout=120)
    assert again.returncode == 0 and "nothing to roll back" in again.stderr


def test_a_roll_back_interrupted_after_its_first_rename_is_finished(store_dir):
    before = _dump(store_dir)
    _killed_replace(store_dir, "mid-bulk")
    # the crash came between "store -> store.interrupted" and "checkpoint -> store"
    os.rename(store_dir, checkpoint.interrupted_dir(store_dir))
    with Store(store_dir) as s:
        assert s.rolled_back is not None
        assert s.dump_bytes() == before


def test_a_completed_bulk_replace_leaves_no_checkpoint(store_dir):
    import pyoxigraph as ox

    with Store(store_dir) as s:
        s.write({GRAPH: [ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"))]}, bulk=True)
        assert s.graph_size(GRAPH) == 1
    assert not checkpoint.checkpoint_dir(store_dir).exists()
    with Store(store_dir) as s:
        assert s.rolled_back is None and s.graph_size(GRAPH) == 1


def test_a_bulk_write_refuses_to_start_over_an_unresolved_checkpoint(store_dir):
    import pyoxigraph as ox

    with Store(store_dir) as s:
        checkpoint.checkpoint_dir(store_dir).mkdir()  # appeared after the open (another tool)
        (checkpoint.checkpoint_dir(store_dir) / checkpoint.MARKER).write_text("{}")
        before = s.dump_bytes()
        with pytest.raises(StoreError, match="nothing written"):
            s.write({GRAPH: [ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"))]}, bulk=True)
        assert s.dump_bytes() == before


# A child that opens the store and stops half-way through a bulk replace (its checkpoint
# taken, half of the new graph written) until the test writes a line to its stdin.
PAUSED = textwrap.dedent("""
    import sys
    import pyoxigraph as ox
    from microhe.store.embedded import Store
    path, graph = sys.argv[1], sys.argv[2]
    s = Store(path)
    real = s._db
    class PauseMidBulk:
        def __getattr__(self, name):
            return getattr(real, name)
        def bulk_extend(self, quads):
            quads = list(quads)
            real.bulk_extend(quads[: len(quads) // 2])
            print("paused", flush=True)
            sys.stdin.readline()
            real.bulk_extend(quads[len(quads) // 2:])
    s._db = PauseMidBulk()
    new = [ox.Quad(ox.NamedNode(f"urn:new:{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i))) for i in range(5000)]
    s.write({graph: new}, bulk=True)
    s.close()
    print("done", flush=True)
""")


def test_no_roll_back_under_a_bulk_write_still_running_in_another_process(store_dir):
    # a checkpoint beside the store is the running write's own while its process lives:
    # neither `restore-checkpoint` nor another writable open may roll it back under it
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROHE_")}
    writer = subprocess.Popen([sys.executable, "-c", PAUSED, str(store_dir), GRAPH], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert writer.stdout.readline().strip() == "paused", writer.stderr.read()
        assert checkpoint.checkpoint_dir(store_dir).exists()
        run = subprocess.run(["microhe", "restore-checkpoint", "--store", str(store_dir)], capture_output=True,
                             text=True, env=env, timeout=120)
        assert (run.returncode, "in use by another process" in run.stderr) == (2, True), run.stderr
        with pytest.raises(StoreError, match="in use by another process"):
            Store(store_dir)
        assert checkpoint.checkpoint_dir(store_dir).exists() and not checkpoint.interrupted_dir(store_dir).exists()
        out, err = writer.communicate("go\n", timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(10)
    assert (writer.returncode, out.strip()) == (0, "done"), err
    # the writer's graph is whole, and nothing is left to roll back
    assert not checkpoint.checkpoint_dir(store_dir).exists()
    with Store(store_dir) as s:
        assert s.rolled_back is None and s.graph_size(GRAPH) == 5000
