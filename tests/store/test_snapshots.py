"""Views saved in the store's directory (``microhe.store.snapshots``): the state token changes
before every write, a saved view is read back only for the state it was built for, and a
damaged or planted file is ignored (rebuilt), never trusted."""

from __future__ import annotations

import json
import logging
import pickle
import subprocess
import sys
from array import array

import pytest

from microhe.recognition.search import FacetIndex, Record, SearchIndex, search, search_index
from microhe.store import snapshots
from microhe.store.base import StoreError
from microhe.store.embedded import Store

VIEW = "search-records"


def _file(path):
    return path / snapshots.VIEWS_DIR / f"{VIEW}.pickle"


def _titles(store) -> list[str]:
    return [r.label for r in search(store, limit=1000, facets=False).results]


def test_every_write_replaces_the_token_and_reads_do_not(store_dir):
    with Store(store_dir) as s:
        first = s.state
        assert first and len(first) == 32
        s.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert s.state == first
        s.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
        second = s.state
        s.write({"urn:h": []}, add=[])
        assert len({first, second, s.state}) == 3


def test_a_store_without_a_token_gets_one_when_opened_for_writing_only(tmp_path):
    path = tmp_path / "s"
    with Store(path):
        pass
    (path / snapshots.STATE_FILE).unlink()
    with Store(path, read_only=True) as ro:
        assert ro.state is None
        search_index(ro)  # builds, saves nothing without a token
    assert not _file(path).exists()
    with Store(path) as s:
        assert s.state is not None


def test_the_saved_view_is_read_back_by_the_next_store_object(store_dir):
    with Store(store_dir) as s:
        expected = _titles(s)
        state = s.state
    # plant a changed workload in the saved view: a new store object must answer from the file
    # (not a title: a hit's label is read from the store in the language asked for)
    with open(_file(store_dir), "rb") as f:
        header = f.readline()
        saved = pickle.load(f)
    doc = json.loads(header)
    assert {k: doc[k] for k in ("view", "state", "format")} == {"view": VIEW, "state": state, "format": snapshots.FORMAT}
    assert isinstance(doc["seq"], int) and doc["log"]  # the change-log point it describes (issue 24)
    saved.records[0].ects = 12345.5
    with open(_file(store_dir), "wb") as f:
        f.write(header)
        pickle.dump(saved, f)
    with Store(store_dir, read_only=True) as ro:
        assert 12345.5 in [r.ects for r in search(ro, limit=1000, facets=False).results]
        assert len(_titles(ro)) == len(expected)


def test_after_a_write_the_saved_view_is_not_used(store_dir):
    with Store(store_dir) as s:
        before = _titles(s)
        assert _file(store_dir).exists()
        s.update("""PREFIX elm: <http://data.europa.eu/snb/model/elm/> PREFIX dcterms: <http://purl.org/dc/terms/>
                    INSERT DATA { GRAPH <urn:new> { <urn:spec> a elm:Qualification ; dcterms:title "Zz new spec"@en } }""")
    with Store(store_dir, read_only=True) as ro:
        after = _titles(ro)
    assert "Zz new spec" in after and len(after) == len(before) + 1


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other-format", "code"])
def test_a_damaged_or_planted_file_is_ignored_and_replaced(store_dir, damage, tmp_path, caplog):
    with Store(store_dir) as s:
        expected = _titles(s)
        state = s.state
    file = _file(store_dir)
    header = json.dumps({"view": VIEW, "state": state, "format": snapshots.FORMAT}).encode() + b"\n"
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (subprocess.call, ([sys.executable, "-c", f"open({str(marker)!r}, 'w')"],))

    body = {
        "truncated": file.read_bytes()[: file.stat().st_size // 2],
        "garbage": header + b"\x80\x05not a pickle at all",
        "other-format": json.dumps({"view": VIEW, "state": state, "format": 0}).encode() + b"\n" + b"x",
        "code": header + pickle.dumps(Evil()),
    }[damage]
    file.write_bytes(body)
    caplog.set_level(logging.WARNING, logger="microhe.snapshots")
    with Store(store_dir, read_only=True) as ro:
        assert _titles(ro) == expected
    assert not marker.exists()
    if damage in ("garbage", "code", "truncated"):
        assert "ignoring the saved view" in caplog.text
    with Store(store_dir, read_only=True) as ro:  # the rebuilt view was saved over it
        assert _titles(ro) == expected
    saved_header = json.loads(file.read_bytes().split(b"\n", 1)[0])
    assert {k: saved_header[k] for k in ("view", "state", "format")} == json.loads(header)
    classes = (SearchIndex, Record, FacetIndex, array)
    assert snapshots.load(store_dir, VIEW, state, classes).records == search_index(Store(store_dir, read_only=True)).records  # noqa: E501 - data kept on one line


def test_a_state_file_that_cannot_be_written_stops_the_write(store_dir):
    with Store(store_dir) as s:
        before = len(s)
        token = store_dir / snapshots.STATE_FILE
        token.unlink()
        token.mkdir()  # a directory where the file should be: replacing it fails
        with pytest.raises(StoreError, match="state file"):
            s.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
        assert len(s) == before
        token.rmdir()


def test_the_store_opens_compacts_and_reopens_with_the_files_inside(store_dir):
    with Store(store_dir) as s:
        n = len(s)
        _titles(s)
        s.optimize()
    with Store(store_dir) as s:
        assert len(s) == n and s.state is not None
    assert _file(store_dir).exists()
