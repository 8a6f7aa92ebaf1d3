"""Uploads staged for their "Load" (microhe.ingest.staging: owner, expiry by an injected
clock, ids that are not ids) and the dry-run diff (microhe.ingest.preview: blank nodes
compared by canonical form, a changed title counted by hand)."""

from __future__ import annotations

import os
import stat

import pyoxigraph as ox

from microhe.ingest.load import Source, load
from microhe.ingest.preview import diff
from microhe.ingest.staging import EXPIRES, Staging, staging_dir
from microhe.rdf import formats
from microhe.rdf.parse import parse
from tests.api.writes import VALID


class Clock:
    def __init__(self):
        self.now = 5_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_staged_upload_is_its_owners_and_expires(tmp_path):
    clock = Clock()
    st = Staging(tmp_path / "store", clock=clock)
    sid = st.put("ann", "a.ttl", "turtle", b"data")
    assert stat.S_IMODE(os.stat(staging_dir(tmp_path / "store")).st_mode) == 0o700
    assert st.get(sid, "bob") is None
    got = st.get(sid, "ann")
    assert got is not None and got.data == b"data" and got.name == "a.ttl"
    clock.now += EXPIRES + 1
    assert st.get(sid, "ann") is None
    for bad in ("../../etc/passwd", "", "x" * 500, "a/b"):
        assert st.get(bad, "ann") is None


def test_discarded_uploads_are_gone(tmp_path):
    st = Staging(tmp_path / "store")
    sid = st.put("ann", "a.ttl", "turtle", b"data")
    st.discard(sid)
    assert st.get(sid, "ann") is None


def _quads(text: str) -> list[ox.Quad]:
    return parse(text.encode(), format=ox.RdfFormat.from_media_type(formats.TURTLE))


def test_the_same_file_with_other_blank_node_labels_changes_nothing(reference_quads):
    from microhe.store.embedded import Store

    store = Store()
    store.restore(reference_quads)
    g = "https://example.org/graph/spec"
    load(store, [Source("spec.ttl", VALID.encode(), formats.TURTLE)], graph=g)
    again = diff(store, _quads(VALID), g)
    held = store.graph_size(g)
    assert (again.exists, again.added, again.removed, again.unchanged) == (True, 0, 0, held)
    assert again.credentials == [("https://example.org/test/spec", "unchanged")]
    # one title literal swapped: one triple out, one in (by hand)
    changed = diff(store, _quads(VALID.replace("Data analysis with Python", "Data analysis in Python")), g)
    assert (changed.added, changed.removed, changed.unchanged) == (1, 1, held - 1)
    assert changed.credentials == [("https://example.org/test/spec", "changed")]
    new = diff(store, _quads(VALID.replace("ex:spec", "ex:other")), "https://example.org/graph/other")
    assert not new.exists and new.removed == 0 and ("https://example.org/test/other", "new") in new.credentials
