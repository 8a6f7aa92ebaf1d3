"""The operator's context directory (microhe.rdf.context_dir): contexts without a clear
licence are not bundled; an operator lists them in DIR/index.json. Nothing is fetched;
hostile directories are refused with a message naming the entry."""

from __future__ import annotations

import json
import os
import socket

import pyoxigraph as ox
import pytest

from microhe.rdf.context_dir import INDEX, ContextDirError, open_context_dir
from microhe.rdf.parse import parse, read
from microhe.rdf.reading import Limits, ParseError

URL = "https://example.org/contexts/private-v1.jsonld"
CONTEXT = {"@context": {"@version": 1.1, "ex": "http://example.org/vocab#", "score": "ex:score",
                        "Badge": "ex:Badge"}}
DOC = {"@context": URL, "@id": "urn:b:1", "@type": "Badge", "score": "5"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def make_dir(tmp_path, files: dict[str, bytes | str], index) -> os.PathLike:
    d = tmp_path / "contexts"
    d.mkdir()
    for name, data in files.items():
        (d / name).write_bytes(data.encode() if isinstance(data, str) else data)
    (d / INDEX).write_text(index if isinstance(index, str) else json.dumps(index), encoding="utf-8")
    return d


def test_index_maps_a_url_to_a_file_and_parse_uses_it(tmp_path):
    d = make_dir(tmp_path, {"private.jsonld": json.dumps(CONTEXT)}, {"contexts": {URL: "private.jsonld"}})
    contexts = open_context_dir(d)
    assert list(contexts) == [URL]
    quads = parse(json.dumps(DOC).encode(), name="b.jsonld", contexts=contexts)
    assert ox.Quad(ox.NamedNode("urn:b:1"), ox.NamedNode("http://example.org/vocab#score"), ox.Literal("5")) in quads


def test_without_the_directory_the_url_is_refused_and_never_fetched():
    with pytest.raises(ParseError, match=r"<https://example.org/contexts/private-v1.jsonld>.*--context-dir"):
        parse(json.dumps(DOC).encode(), name="b.jsonld")


def test_no_directory_configured_is_none():
    assert open_context_dir(None) is None


@pytest.mark.parametrize("name", ["../outside.jsonld", "/etc/passwd", "sub/../../outside.jsonld", "", "."])
def test_an_index_entry_outside_the_folder_is_refused(tmp_path, name):
    (tmp_path / "outside.jsonld").write_text(json.dumps(CONTEXT))
    d = make_dir(tmp_path, {}, {"contexts": {URL: name}})
    with pytest.raises(ContextDirError) as info:
        open_context_dir(d)
    assert URL in str(info.value) and INDEX in str(info.value)


def test_a_symlink_leading_outside_the_folder_is_refused(tmp_path):
    (tmp_path / "outside.jsonld").write_text(json.dumps(CONTEXT))
    d = make_dir(tmp_path, {}, {"contexts": {URL: "link.jsonld"}})
    (d / "link.jsonld").symlink_to(tmp_path / "outside.jsonld")
    with pytest.raises(ContextDirError, match="outside"):
        open_context_dir(d)


@pytest.mark.parametrize("index, fragment", [
    ("{not json", "not JSON"),
    (json.dumps([URL]), "\"contexts\""),
    (json.dumps({"contexts": {URL: 5}}), "file name"),
    (json.dumps({"contexts": {"not a url": "a.jsonld"}}), "absolute"),
    (json.dumps({"contexts": {"https://www.w3.org/2018/credentials/v1": "a.jsonld"}}), "bundled"),
    (json.dumps({"contexts": {URL: "missing.jsonld"}}), "missing.jsonld"),
])
def test_a_bad_index_is_refused_with_what_to_fix(tmp_path, index, fragment):
    d = make_dir(tmp_path, {"a.jsonld": json.dumps(CONTEXT)}, index)
    with pytest.raises(ContextDirError) as info:
        open_context_dir(d)
    assert fragment in str(info.value)


def test_a_missing_directory_or_index_is_refused(tmp_path):
    with pytest.raises(ContextDirError, match="does not exist"):
        open_context_dir(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ContextDirError, match=INDEX):
        open_context_dir(tmp_path / "empty")


def test_a_context_file_that_is_not_json_is_a_parse_error_naming_it(tmp_path):
    d = make_dir(tmp_path, {"private.jsonld": "<html>not json</html>"}, {"contexts": {URL: "private.jsonld"}})
    with pytest.raises(ParseError) as info:
        parse(json.dumps(DOC).encode(), name="b.jsonld", contexts=open_context_dir(d))
    assert "private.jsonld" in str(info.value) and "not JSON" in str(info.value)


def test_a_context_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = json.dumps({"@context": {"ex": "http://example.org/", "pad": "x" * 5000}})
    d = make_dir(tmp_path, {"private.jsonld": big}, {"contexts": {URL: "private.jsonld"}})
    contexts = open_context_dir(d, limits=Limits(max_bytes=1000))
    with pytest.raises(ParseError, match="exceeds"):
        parse(json.dumps(DOC).encode(), name="b.jsonld", contexts=contexts)


def test_a_context_that_references_an_unknown_remote_context_is_refused(tmp_path):
    other = "https://example.org/contexts/not-here.jsonld"
    ctx = {"@context": [other, {"score": "http://example.org/vocab#score"}]}
    d = make_dir(tmp_path, {"private.jsonld": json.dumps(ctx)}, {"contexts": {URL: "private.jsonld"}})
    with pytest.raises(ParseError) as info:
        parse(json.dumps(DOC).encode(), name="b.jsonld", contexts=open_context_dir(d))
    assert f"<{other}>" in str(info.value) and "not bundled" in str(info.value)


def test_a_context_file_may_reference_a_bundled_context(tmp_path):
    ctx = {"@context": ["https://www.w3.org/ns/credentials/v2", {"score": "http://example.org/vocab#score"}]}
    d = make_dir(tmp_path, {"private.jsonld": json.dumps(ctx)}, {"contexts": {URL: "private.jsonld"}})
    result = read(json.dumps({**DOC, "@type": "VerifiableCredential"}).encode(), name="b.jsonld",
                  contexts=open_context_dir(d))
    assert any(q.predicate.value == "http://example.org/vocab#score" for q in result.quads)
