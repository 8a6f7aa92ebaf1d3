"""microhe.rdf.parse: formats, bundled JSON-LD contexts, limits and located errors."""

from __future__ import annotations

import hashlib
import json
import pickle
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest

from microhe.rdf import formats
from microhe.rdf.jsonld import bundled_context, bundled_contexts, load_context_file
from microhe.rdf.parse import detect_format, parse
from microhe.rdf.reading import DEFAULT_LIMITS, Limits, ParseError, UnsupportedFormatError

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
CONTEXTS = Path(__file__).parents[2] / "microhe" / "rdf" / "contexts"

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CRED = "https://www.w3.org/2018/credentials#"
ELM = "http://data.europa.eu/snb/model/elm/"
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
EDC = "http://data.europa.eu/snb/model/context/edc-ap"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EX = "http://example.org/"
MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any Python-level attempt to open a connection or resolve a name fails the test.
    (pyoxigraph is Rust code and has no document loader at all; this guards the Python side.)"""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def triples(quads) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in quads}


def jsonld(doc) -> bytes:
    return json.dumps(doc).encode()


# --------------------------------------------------------------------------- formats

SMALL = ["small.ttl", "small.nt", "small.nq", "small.trig", "small.rdf", "small.jsonld"]


@pytest.mark.parametrize("name", SMALL)
def test_every_format_gives_the_same_triples(name):
    expected = triples(parse(FIXTURES / "small.nt"))
    assert len(expected) == 7
    from_path = parse(FIXTURES / name)
    from_bytes = parse((FIXTURES / name).read_bytes(), name=name)
    from_text = parse((FIXTURES / name).read_text("utf-8"), name=name)
    assert triples(from_path) == expected
    assert triples(from_bytes) == expected
    assert triples(from_text) == expected
    graphs = {q.graph_name for q in from_path}
    if name.endswith((".nq", ".trig")):
        assert graphs == {ox.NamedNode(EX + "graph/g1")}
    else:
        assert graphs == {ox.DefaultGraph()}


@pytest.mark.parametrize("name", ["small.ttl", "small.rdf", "small.jsonld"])
def test_literals_survive_unchanged(name):
    by_predicate = {q.predicate.value: [] for q in parse(FIXTURES / name)}
    for q in parse(FIXTURES / name):
        by_predicate[q.predicate.value].append(q.object)
    point, = by_predicate[ELM + "point"]
    assert point == ox.Literal("5")  # plain literal: xsd:string, no language
    assert point.datatype == ox.NamedNode(XSD + "string") and point.language is None
    titles = {(t.value, t.language) for t in by_predicate["http://purl.org/dc/terms/title"]}
    assert titles == {("Data literacy", "en"), ("Datenkompetenz", "de-at")}  # tags are case-normalised
    for t in by_predicate["http://purl.org/dc/terms/title"]:
        assert t.datatype == ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
    duration, = by_predicate[ELM + "volumeOfLearning"]
    assert duration == ox.Literal("PT125H", datatype=ox.NamedNode(XSD + "duration"))
    count, = by_predicate[EX + "count"]
    assert count == ox.Literal("05", datatype=ox.NamedNode(XSD + "integer"))  # lexical form kept
    note, = by_predicate[EX + "note"]
    assert note.value == 'line 1\nline 2 "quoted" ünïcödé ✓'


def test_rename_blank_nodes_false_keeps_labels():
    data = b"_:keep <http://example.org/p> _:also ."
    kept = parse(data, name="x.nt", rename_blank_nodes=False)
    assert kept[0].subject == ox.BlankNode("keep") and kept[0].object == ox.BlankNode("also")
    renamed = parse(data, name="x.nt")
    assert renamed[0].subject != ox.BlankNode("keep")


@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_empty_input_gives_zero_quads(name, data, tmp_path):
    assert parse(data, name=name) == []
    path = tmp_path / name
    path.write_bytes(data)
    assert parse(path) == []


def test_empty_json_documents_give_zero_quads():
    assert parse(b"{}", name="x.jsonld") == []
    assert parse(b"[]", name="x.jsonld") == []
    assert parse(jsonld({"@context": [VC2, OB303]}), name="x.jsonld") == []


# --------------------------------------------------------------------------- detect_format


@pytest.mark.parametrize("name, fmt", [
    ("a.ttl", ox.RdfFormat.TURTLE), ("A.TTL", ox.RdfFormat.TURTLE), ("a.nt", ox.RdfFormat.N_TRIPLES),
    ("a.nq", ox.RdfFormat.N_QUADS), ("a.trig", ox.RdfFormat.TRIG), ("a.rdf", ox.RdfFormat.RDF_XML),
    ("a.owl", ox.RdfFormat.RDF_XML), ("a.xml", ox.RdfFormat.RDF_XML), ("a.jsonld", ox.RdfFormat.JSON_LD),
    ("dir.v2/a.json", ox.RdfFormat.JSON_LD), ("https://example.org/x.ttl?version=2#top", ox.RdfFormat.TURTLE),
    ("turtle", ox.RdfFormat.TURTLE), ("json-ld", ox.RdfFormat.JSON_LD), ("nt", ox.RdfFormat.N_TRIPLES),
])
def test_detect_format_by_name(name, fmt):
    assert detect_format(name=name) == fmt


@pytest.mark.parametrize("media_type, fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES), ("application/n-quads", ox.RdfFormat.N_QUADS),
    ("application/trig", ox.RdfFormat.TRIG), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("Application/LD+JSON", ox.RdfFormat.JSON_LD),
])
def test_detect_format_by_media_type(media_type, fmt):
    assert detect_format(media_type=media_type) == fmt
    assert detect_format(name="misleading.nt", media_type=media_type) == fmt  # the media type wins


def test_generic_media_type_falls_back_to_the_name():
    assert detect_format(name="x.trig", media_type="application/octet-stream") == ox.RdfFormat.TRIG
    with pytest.raises(UnsupportedFormatError):
        detect_format(media_type="application/octet-stream")


def test_formats_table_covers_the_documented_keys():
    for key in [".ttl", ".nt", ".nq", ".trig", ".rdf", ".owl", ".xml", ".jsonld", ".json", "text/turtle",
                "application/n-triples", "application/n-quads", "application/trig", "application/rdf+xml",
                "application/ld+json"]:
        assert isinstance(formats.rdf_format(**({"media_type": key} if "/" in key else {"name": key})),
                          ox.RdfFormat)


@pytest.mark.parametrize("kwargs", [{"name": "data.csv"}, {"name": "data.n3"}, {"name": "README"},
                                    {"media_type": "text/html"}, {}])
def test_unsupported_format_lists_the_supported_ones(kwargs):
    with pytest.raises(UnsupportedFormatError) as info:
        detect_format(**kwargs)
    message = str(info.value)
    for ext in (".ttl", ".nt", ".nq", ".trig", ".rdf", ".jsonld", "text/turtle", "application/ld+json"):
        assert ext in message
    assert isinstance(info.value, ParseError) and isinstance(info.value, ValueError)


def test_parse_refuses_an_unsupported_extension():
    with pytest.raises(UnsupportedFormatError, match=r"\.csv.*supported: \.ttl"):
        parse(b"a,b\n", name="table.csv")
    with pytest.raises(UnsupportedFormatError, match="no file name or media type"):
        parse(b"<http://a> <http://b> <http://c> .")
    with pytest.raises(UnsupportedFormatError):
        parse(b"{}", format=ox.RdfFormat.N3)


def test_format_argument_wins_over_name():
    quads = parse((FIXTURES / "small.nt").read_bytes(), name="upload.bin", format=ox.RdfFormat.N_TRIPLES)
    assert len(quads) == 7
    assert len(parse((FIXTURES / "small.ttl").read_bytes(), format="text/turtle")) == 7


# --------------------------------------------------------------------------- bundled contexts


def test_bundled_context_files_match_the_registry():
    registry = json.loads((CONTEXTS / "contexts.json").read_text("utf-8"))
    files = {p.name for p in CONTEXTS.iterdir() if p.suffix in (".json", ".jsonld")} - {"contexts.json"}
    assert {e["file"] for e in registry["contexts"]} == files
    readme = (CONTEXTS / "README.md").read_text("utf-8")
    for entry in registry["contexts"]:
        data = (CONTEXTS / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert entry["source"] and entry["commit"] and entry["licence"]
        assert entry["file"] in readme
        if entry["url"]:
            assert entry["url"] in readme
        document = json.loads(data)
        # Inlining is only equivalent to loading remotely if the context has no @base
        # (ignored in remote contexts) and refers to no further context.
        text = data.decode("utf-8")
        assert '"@base"' not in text and '"@import"' not in text
        assert isinstance(document["@context"], dict)


def test_registry_has_the_required_urls_and_only_real_aliases():
    urls = bundled_contexts()
    for url in [VC1, VC2, EDC, OB303, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
                "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]:
        assert url in urls
    assert urls[EDC] == "edc-ap-context-v3.1.jsonld"
    assert not any(u.endswith("/") for u in urls)
    assert bundled_context(VC1)["@context"]["VerifiableCredential"]["@id"] == CRED + "VerifiableCredential"
    with pytest.raises(KeyError):
        bundled_context("https://example.org/ctx")


# --------------------------------------------------------------------------- EDC and OB samples


def test_official_unsigned_edc_sample_gives_all_its_triples():
    quads = parse(FIXTURES / "edc-mc-annex1-unsigned.jsonld")
    assert len(quads) >= 250  # 292 distinct triples; a missing VC v1 context gives 33
    assert len(set(quads)) == len(quads)  # de-duplicated
    credential = ox.NamedNode("urn:credential:3ef0ac26-9a1f-41c6-871b-2b82e670907b")
    subject, = [q.object for q in quads
                if q.subject == credential and q.predicate.value == CRED + "credentialSubject"]
    about_subject = {(q.predicate.value, q.object) for q in quads if q.subject == subject}
    assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(ELM + "Person")) in about_subject
    assert ("http://xmlns.com/foaf/0.1/fullName", ox.Literal("Ana Andromeda", language="en")) in about_subject
    assert ox.Quad(credential, RDF_TYPE, ox.NamedNode(ELM + "EuropeanDigitalCredential")) in quads
    # Annex I: the qualification with EQF level and ECTS credits
    qualification = ox.NamedNode("urn:epass:qualification:1")
    eqf6 = ox.NamedNode("http://data.europa.eu/snb/eqf/6")
    assert ox.Quad(qualification, ox.NamedNode(ELM + "EQFLevel"), eqf6) in quads
    assert ox.Quad(ox.NamedNode("urn:epass:creditPoint:1"), ox.NamedNode(ELM + "point"), ox.Literal("2")) in quads
    assert ox.Quad(qualification, ox.NamedNode(ELM + "volumeOfLearning"),
                   ox.Literal("PT60H", datatype=ox.NamedNode(XSD + "duration"))) in quads


def test_without_the_vc_v1_context_the_sample_silently_shrinks():
    """The failure mode the bundling exists for: same document, EDC context only."""
    doc = json.loads((FIXTURES / "edc-mc-annex1-unsigned.jsonld").read_bytes())
    assert doc["@context"] == [VC1, EDC]
    full = parse(FIXTURES / "edc-mc-annex1-unsigned.jsonld")
    doc["@context"] = [EDC]
    partial = parse(jsonld(doc), name="x.jsonld")
    assert len(partial) < 50 < 250 <= len(full)


def test_signed_edc_payload_matches_an_independent_conversion():
    quads = parse(FIXTURES / "edc-mc-annex1-signed-payload.jsonld")
    assert len(quads) >= 250
    credential = ox.NamedNode("urn:credential:1018d05f-21d5-4555-b7f0-8fabfd22ca75")
    assert any(q.subject == credential and q.predicate.value == CRED + "credentialSubject" for q in quads)
    assert any(q.subject == credential and q.predicate.value == CRED + "issued" for q in quads)
    # rdflib's conversion (same contexts) has the same triples; it only rewrote the lexical
    # forms of some dateTime/duration literals ("Z" -> "+00:00", "PT60H" -> "P2DT12H").
    reference = triples(parse(FIXTURES / "edc-mc-annex1-signed-payload.rdflib.ttl"))
    ours = triples(quads)
    assert len(ours) == len(reference) == len(quads)
    changed = {XSD + "dateTime", XSD + "duration"}
    for s, p, o in ours ^ reference:
        assert isinstance(o, ox.Literal) and o.datatype.value in changed, (s, p, o)
    assert {(s, p) for s, p, _ in ours} == {(s, p) for s, p, _ in reference}


@pytest.mark.parametrize("name, at_least", [("ob3-basic.json", 15), ("ob3-complete.json", 300)])
def test_open_badges_examples_parse_with_bundled_contexts(name, at_least):
    doc = json.loads((FIXTURES / name).read_bytes())
    assert doc["@context"][:2] == [VC2, OB303]
    quads = parse(FIXTURES / name)
    assert len(quads) >= at_least
    assert any(q.predicate == RDF_TYPE and q.object == ox.NamedNode(OB + "OpenBadgeCredential") for q in quads)
    assert any(q.predicate.value == OB + "achievement" for q in quads)


@pytest.mark.parametrize("vc, ob", [
    (VC2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"),
    (VC1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"),
    (VC1, "https://purl.imsglobal.org/spec/ob/v3p0/context.json"),
])
def test_older_ob_contexts_work_too(vc, ob):
    doc = json.loads((FIXTURES / "ob3-basic.json").read_bytes())
    doc["@context"] = [vc, ob]
    quads = parse(jsonld(doc), name="x.jsonld")
    assert len(quads) == len(parse(FIXTURES / "ob3-basic.json")) == 15
    assert any(q.predicate == RDF_TYPE and q.object == ox.NamedNode(OB + "OpenBadgeCredential") for q in quads)
    # (3.0.1 and 3.0.2 map "achievement" to ob:achievement-0, an upstream slip fixed in 3.0.3)


def test_json_ld_processing_errors_become_parse_errors():
    doc = json.loads((FIXTURES / "ob3-basic.json").read_bytes())
    doc["@context"] = [VC2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"]  # made for VC 1.1
    with pytest.raises(ParseError, match="protected term") as info:
        parse(jsonld(doc), name="x.jsonld")
    assert info.value.line is None  # JSON-LD processing errors carry no position


def test_context_aliases_resolve_to_the_same_document():
    doc = json.loads((FIXTURES / "edc-mc-annex1-unsigned.jsonld").read_bytes())
    expected = len(parse(jsonld(doc), name="x.jsonld"))
    doc["@context"] = ["http://www.w3.org/2018/credentials/v1", "https://data.europa.eu/snb/model/context/edc-ap"]
    assert len(parse(jsonld(doc), name="x.jsonld")) == expected


def test_context_override_for_elm_32():
    """Both ELM branches publish the EDC context at one URL; v3.1 (the default) maps the
    term nationalID to elm:nationalID, v3.2 to elm:nationalId (the ontology's IRI)."""
    doc = {"@context": [VC1, EDC], "id": "urn:p:1", "type": "Person", "nationalID": {"id": "urn:id:1"}}
    default = parse(jsonld(doc), name="x.jsonld")
    assert ox.Quad(ox.NamedNode("urn:p:1"), ox.NamedNode(ELM + "nationalID"), ox.NamedNode("urn:id:1")) in default
    v32 = parse(jsonld(doc), name="x.jsonld", contexts={EDC: load_context_file("edc-ap-context-v3.2.jsonld")})
    assert ox.Quad(ox.NamedNode("urn:p:1"), ox.NamedNode(ELM + "nationalId"), ox.NamedNode("urn:id:1")) in v32


# --------------------------------------------------------------------------- remote contexts refused

UNKNOWN = "https://example.org/contexts/unknown.jsonld"


@pytest.mark.parametrize("context, where", [
    (UNKNOWN, "$[\"@context\"]"),
    ([VC2, OB303, UNKNOWN], "$[\"@context\"][2]"),
    ([VC2, [OB303, UNKNOWN]], "$[\"@context\"][1][1]"),
    ([VC2, {"ex": {"@id": "http://example.org/ex", "@context": UNKNOWN}}], "$[\"@context\"][1].ex[\"@context\"]"),
    ([VC2, {"@version": 1.1, "@import": UNKNOWN}], "@import"),
    ("ctx.jsonld", "$[\"@context\"]"),  # relative reference: would be fetched from the base
])
def test_unknown_context_is_refused_naming_the_url(context, where):
    doc = {"@context": context, "id": "http://example.org/c1", "type": "VerifiableCredential"}
    with pytest.raises(ParseError) as info:
        parse(jsonld(doc), name="doc.jsonld", base_iri="http://example.org/")
    message = str(info.value)
    url = context if isinstance(context, str) else UNKNOWN
    assert f"<{url}>" in message and "not bundled" in message and where in message
    assert VC1 in message and EDC in message  # lists the known ones
    assert message.startswith("doc.jsonld:1:")  # located at the URL's first occurrence


def test_unknown_context_nested_in_a_node_is_refused():
    doc = {"@context": [VC2, OB303], "id": "http://example.org/c1", "type": ["VerifiableCredential"],
           "credentialSubject": {"@context": ["https://dc.imsglobal.org/draft/clr/v2p0/context"],
                                 "id": "did:example:1"}}
    with pytest.raises(ParseError, match=r"clr/v2p0/context> \(at \$\.credentialSubject"):
        parse(jsonld(doc), name="x.jsonld")


def test_trailing_slash_is_not_an_alias():
    doc = {"@context": [VC1 + "/", EDC], "id": "urn:x"}
    with pytest.raises(ParseError, match="not bundled"):
        parse(jsonld(doc), name="x.jsonld")


def test_data_that_merely_looks_like_a_context_is_not_resolved():
    """A JSON literal (@type @json) holding '@context' is data, not a context reference."""
    doc = {"@context": {"p": {"@id": "http://example.org/p", "@type": "@json"}}, "@id": "http://example.org/s",
           "p": {"@context": UNKNOWN, "k": 1}}
    doc_value = {"@id": "http://example.org/s",
                 "http://example.org/p": {"@value": {"@context": UNKNOWN}, "@type": "@json"}}
    assert len(parse(jsonld(doc_value), name="x.jsonld")) == 1
    with pytest.raises(ParseError):  # a term typed @json cannot be told apart before expansion
        parse(jsonld(doc), name="x.jsonld")


# --------------------------------------------------------------------------- documents that yield no RDF


def test_upload_wrapper_is_refused_with_a_hint():
    credential = json.loads((FIXTURES / "edc-mc-annex1-unsigned.jsonld").read_bytes())
    with pytest.raises(ParseError, match="'credential'.*parse the value of 'credential'"):
        parse(jsonld({"credential": credential}), name="Sample-MC-Annex1-unsigned-uploadable.json")


def test_jws_serialisation_is_refused_with_a_hint():
    payload = (FIXTURES / "edc-mc-annex1-signed-payload.jsonld").read_text("utf-8")
    jws = {"payload": payload, "signatures": [{"protected": "eyJhbGciOiJFUzI1NiJ9", "signature": "abc"}]}
    with pytest.raises(ParseError, match="no RDF in document.*JWS"):
        parse(jsonld(jws), name="signed.jsonld")


def test_plain_json_without_context_is_refused():
    with pytest.raises(ParseError, match="no RDF in document.*no @context"):
        parse(b'{"name": "Data literacy", "credits": 5}', name="x.json")


def test_top_level_scalar_is_refused():
    with pytest.raises(ParseError, match="JSON object or array"):
        parse(b'"just a string"', name="x.jsonld")


# --------------------------------------------------------------------------- limits


@pytest.mark.timeout(60)  # a hang guard with large slack, not a timing (timings: bench/)
@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_deeply_nested_json_is_refused(opening):
    data = opening * 100_000
    with pytest.raises(ParseError, match="nested"):
        parse(data, name="deep.jsonld")


def test_json_depth_limit_is_configurable():
    doc = {"@id": "http://example.org/s", "http://example.org/p": [[[["x"]]]]}
    with pytest.raises(ParseError, match="limit is 3"):
        parse(jsonld(doc), name="x.jsonld", limits=Limits(max_json_depth=3))
    brackets_in_strings = {"@id": "http://example.org/s", "http://example.org/p": "[[[[[[[[{{{{{{{{"}
    assert len(parse(jsonld(brackets_in_strings), name="x.jsonld", limits=Limits(max_json_depth=3))) == 1


def big_literal_document(name: str, size: int) -> bytes:
    text = b"x" * size
    if name.endswith(".ttl"):
        return b'<http://example.org/s> <http://example.org/p> "' + text + b'" .\n'
    if name.endswith(".rdf"):
        return (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
                b'rdf:about="http://example.org/s"><rdf:value>' + text + b"</rdf:value></rdf:Description></rdf:RDF>")
    return b'{"@id": "http://example.org/s", "http://example.org/p": "' + text + b'"}'


@pytest.mark.parametrize("name", ["big.ttl", "big.rdf", "big.jsonld"])
def test_twenty_mib_literal_is_refused(name):
    assert DEFAULT_LIMITS.max_literal_bytes < 20 * MiB
    with pytest.raises(ParseError) as info:
        parse(big_literal_document(name, 20 * MiB), name=name)
    assert info.value.source == name
    assert "limit" in info.value.message or "too large" in info.value.message


def test_literal_limit_is_applied_by_this_module():
    data = b'<http://example.org/s> <http://example.org/p> """' + "é".encode() * MiB + b'""" .\n'
    with pytest.raises(ParseError, match=r"literal of 2097152 bytes .* exceeds the limit of 1048576 bytes"):
        parse(data, name="x.ttl", limits=Limits(max_literal_bytes=MiB))
    assert len(parse(data, name="x.ttl", limits=Limits(max_literal_bytes=3 * MiB))) == 1


def test_input_size_limit(tmp_path):
    data = (FIXTURES / "small.nt").read_bytes()
    with pytest.raises(ParseError, match="exceeds the limit of 100 bytes"):
        parse(data, name="x.nt", limits=Limits(max_bytes=100))
    path = tmp_path / "x.nt"
    path.write_bytes(data)
    with pytest.raises(ParseError, match="exceeds the limit of 100 bytes"):
        parse(path, limits=Limits(max_bytes=100))


@pytest.mark.timeout(60)  # a hang guard with large slack, not a timing (timings: bench/)
def test_xml_entity_amplification_is_refused():
    entities = "\n".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 9))
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY e0 "{"a" * 80}">\n{entities}\n]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            'rdf:about="http://example.org/s"><rdf:value>&e8;</rdf:value></rdf:Description></rdf:RDF>').encode()
    with pytest.raises(ParseError) as info:
        parse(data, name="lol.rdf")
    assert info.value.line is not None
    harmless = (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>\n'
                b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                b'<rdf:Description rdf:about="&ex;s"><rdf:value>&ex;</rdf:value></rdf:Description></rdf:RDF>')
    assert parse(harmless, name="ok.rdf")[0].subject == ox.NamedNode("http://example.org/s")


# --------------------------------------------------------------------------- errors and positions


def test_invalid_turtle_has_line_and_column(tmp_path):
    data = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \n  ex:f ex:g .\n"
    with pytest.raises(ParseError) as info:
        parse(data, name="bad.ttl")
    error = info.value
    assert (error.source, error.line, error.column) == ("bad.ttl", 4, 8)
    assert str(error) == f"bad.ttl:4:8: {error.message}"
    assert "Parser error" not in error.message and error.message
    path = tmp_path / "bad.ttl"
    path.write_bytes(data)
    with pytest.raises(ParseError) as info:
        parse(path)
    assert str(info.value).startswith(f"{path}:4:8: ")


@pytest.mark.parametrize("name, data, line, column", [
    ("bad.nt", b'<http://a> <http://b> "ok" .\n<http://a> <http://b> .\n', 2, 23),
    ("bad.nq", b'<http://a> <http://b> <http://c> <http://g> <http://h> .\n', 1, None),
    ("bad.trig", b"<http://g> {\n <http://a> <http://b> <http://c> .\n", 3, None),
    ("bad.jsonld", b'{"@id": "http://a",\n "http://b": [1,\n }', 3, 2),
    ("bad.rdf", b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                b'<rdf:Description rdf:about="http://a">\n<oops\n</rdf:RDF>\n', 5, 1),
])
def test_syntax_errors_are_located(name, data, line, column):
    with pytest.raises(ParseError) as info:
        parse(data, name=name)
    assert info.value.line == line
    if column is not None:
        assert info.value.column == column
    assert str(info.value).startswith(f"{name}:{line}:")


@pytest.mark.parametrize("name, data, line", [
    ("bad.ttl", b'<http://a> <http://b> "ok" .\n<http://a> <http://b> "caf\xe9" .\n', 2),
    ("bad.nt", b'<http://a> <http://b> "\xff" .\n', 1),
    ("bad.jsonld", b'{"@id": "http://a",\n "http://b": "caf\xe9"}', 2),
    ("bad.rdf", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
                b'rdf:about="http://a"><rdf:value>caf\xe9</rdf:value></rdf:Description></rdf:RDF>', None),
])
def test_invalid_utf8_is_a_parse_error(name, data, line):
    with pytest.raises(ParseError) as info:
        parse(data, name=name)
    assert "UTF-8" in str(info.value) or "utf-8" in str(info.value).lower() or "encoding" in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_json_errors():
    with pytest.raises(ParseError, match="duplicate key 'http://b'"):
        parse(b'{"@id": "http://a", "http://b": 1, "http://b": 2}', name="x.jsonld")
    with pytest.raises(ParseError, match="NaN is not valid JSON"):
        parse(b'{"@id": "http://a", "http://b": NaN}', name="x.jsonld")


def test_relative_iris_need_a_base():
    with pytest.raises(ParseError, match="no base IRI") as info:
        parse(b"<rel> <http://example.org/p> <http://example.org/o> .", name="x.ttl")
    assert (info.value.line, info.value.column) == (1, 1)
    with pytest.raises(ParseError, match="relative IRI reference 'mc/1'.*no base IRI"):
        parse(b'{"@id": "mc/1", "http://example.org/p": "v"}', name="x.jsonld")
    base = "http://instance.example/data/"
    assert parse(b"<rel> <http://example.org/p> <o> .", name="x.ttl", base_iri=base)[0].subject == \
        ox.NamedNode(base + "rel")
    assert parse(b'{"@id": "mc/1", "http://example.org/p": "v"}', name="x.jsonld", base_iri=base)[0].subject == \
        ox.NamedNode(base + "mc/1")


def test_invalid_base_iri_is_a_parse_error():
    with pytest.raises(ParseError, match="base IRI"):
        parse(b"<a> <b> <c> .", name="x.ttl", base_iri="not an iri")


def test_json_numbers_keep_their_lexical_form_when_contexts_are_inlined():
    doc = (b'{"@context": [' + json.dumps(VC2).encode() + b', {"n": "http://example.org/n"}], '
           b'"id": "http://example.org/s", "n": [0.1000000000000000055511151231257827, 1e400, 7, 2.5]}')
    values = {q.object.value for q in parse(doc, name="x.jsonld")}
    assert values == {"1.000000000000000055511151231257827E-1", "1.0E400", "7", "2.5E0"}


def test_parse_error_is_picklable_and_readable():
    error = ParseError("boom", "f.ttl", 3, 9)
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.message, clone.source, clone.line, clone.column) == ("boom", "f.ttl", 3, 9)
    assert str(clone) == "f.ttl:3:9: boom"
    assert str(ParseError("boom")) == "boom"
    assert str(ParseError("boom", "f.ttl")) == "f.ttl: boom"
    assert str(ParseError("boom", None, 2, 1)) == "<input>:2:1: boom"
    unsupported = pickle.loads(pickle.dumps(UnsupportedFormatError("nope", "x.csv")))
    assert isinstance(unsupported, UnsupportedFormatError) and str(unsupported) == "x.csv: nope"


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        parse(tmp_path / "missing.ttl")


def test_wrong_input_type():
    with pytest.raises(TypeError):
        parse(123, name="x.ttl")  # type: ignore[arg-type]
