"""RDF/XML that declares an external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``) or
a parameter entity is refused with a message that says so, in the parser, through the CLI
(``validate`` and ``load``) and through a Graph Store PUT; nothing is read and nothing is
written. Internal general entities (``<!ENTITY ex "http://example.org/">``) still work."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.rdf.parse import parse
from microhe.rdf.reading import ParseError
from microhe.store.embedded import Store
from tests.api.writes import make_writable

RDF_XML = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {decl} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcterms="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://example.org/test/thing"><dcterms:description>{use}</dcterms:description>
  </rdf:Description>
</rdf:RDF>
"""

EXTERNAL = {
    "system": ('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;"),
    "public": ('<!ENTITY x PUBLIC "-//microhe//test//EN" "http://127.0.0.1:9/x.dtd">', "&x;"),
    "unused": ('<!ENTITY x SYSTEM "file:///etc/passwd">', "no reference to it"),
    "parameter": ('<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;', "x"),
    "internal parameter": ('<!ENTITY % p "&#60;!ENTITY y \'z\'>"> %p;', "&y;"),
}


def doc(case: str) -> bytes:
    decl, use = EXTERNAL[case]
    return RDF_XML.format(decl=decl, use=use).encode()


def assert_clear(message: str) -> None:
    assert "entit" in message.lower() and "not allowed" in message
    assert "enclosed in double quotes" not in message  # pyoxigraph's misleading message


@pytest.mark.parametrize("case", EXTERNAL)
def test_parse_refuses_external_and_parameter_entities_clearly(case):
    with pytest.raises(ParseError) as e:
        parse(doc(case), format="application/rdf+xml", name="hostile.rdf")
    assert_clear(str(e.value))
    assert e.value.line == 2  # where the declaration is


def test_internal_entities_still_parse():
    data = RDF_XML.format(decl='<!ENTITY d "a description">', use="&d;").encode()
    (q,) = parse(data, format="application/rdf+xml")
    assert q.object.value == "a description"


@pytest.mark.parametrize("command", ["validate", "load"])
def test_cli_refuses_an_external_entity_with_exit_2(tmp_path, command):
    path = tmp_path / "hostile.rdf"
    path.write_bytes(doc("system"))
    store_dir = tmp_path / "store"
    args = [command, str(path)] + (["--store", str(store_dir)] if command == "load" else [])
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    assert r.exit_code == 2, r.output
    assert_clear(r.stderr)
    assert "root:" not in r.output  # /etc/passwd was not read into anything
    if command == "load":
        with Store(store_dir) as s:
            assert "hostile" not in s.dump_bytes().decode()


def test_graph_store_put_refuses_an_external_entity(tmp_path, reference_quads):
    w = make_writable(tmp_path, reference_quads, warm_indexes=False)
    try:
        before = w.dump()
        r = w.client.put("/rdf-graphs?graph=https://example.org/test/g", content=doc("system"),
                         headers={**w.auth, "Content-Type": "application/rdf+xml"})
        assert r.status_code == 400, r.text
        assert_clear(r.text)
        assert w.dump() == before
    finally:
        w.client.__exit__(None, None, None)
