"""The credit supplement (issue 19) as a library: the Diploma Supplement's numbering 1-8,
the Council Recommendation's elements (M1 and M5 "not applicable", a mandatory element the
data lacks shown as missing), bilingual output, the JSON-LD's facts, the PDF's text, the
canonical digest of the data (RDFC-1.0 + SHA-256) and ``verify``.

Golden values come from the demo Turtle (``microhe/kg/demo/credentials.ttl``: the DHBW
data-wrangling credential is "Data wrangling with Python"/"Datenaufbereitung mit Python",
EQF 6, DQR level 6, 5 ECTS, PT150H, awarded by DHBW in Germany) and from hand computation
(the digest of a one-triple graph)."""

from __future__ import annotations

import hashlib
import json
import re

import pyoxigraph as ox
import pytest

from microhe.errors import InvalidValue, NotFound
from microhe.vocab import DCTERMS, ELM, RDF
from tests.demo import demo_copy

DEMO = "https://w3id.org/microhe/demo/"
WRANGLING = DEMO + "credential/dhbw-python-data-wrangling"
HEADINGS = ["1. Information identifying the holder", "2. Information identifying the credential",
            "3. Information on the level and duration", "4. Information on the contents and results gained",
            "5. Information on the function of the credential", "6. Additional information",
            "7. Certification of the supplement", "8. Information on the national qualifications system"]
GENERATED = "2025-01-02T03:04:05Z"
N = ox.NamedNode


@pytest.fixture(scope="module")
def store():
    return demo_copy()


def _build(store, iri=WRANGLING, **kw):
    from microhe.publish.supplement import build_supplement
    return build_supplement(store, iri, generated=GENERATED, **kw)


def _text(html: str) -> str:
    """The text a reader sees (the body, tags removed, whitespace collapsed)."""
    body = html.split("<body>", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# -- the canonical digest ------------------------------------------------------------------


def test_the_digest_is_sha256_over_rdfc10_canonical_ntriples():
    from microhe.publish.certify import canonical_ntriples, digest
    q = [ox.Quad(ox.BlankNode("whatever"), N("http://example.com/p"), ox.Literal("a"), N("http://example.com/g"))]
    # RDFC-1.0 names the only blank node _:c14n0; the graph name is not part of the facts
    expected_doc = '_:c14n0 <http://example.com/p> "a" .\n'
    assert canonical_ntriples(q) == expected_doc
    assert digest(q) == hashlib.sha256(expected_doc.encode("utf-8")).hexdigest()


def test_the_digest_ignores_blank_node_labels_and_order_but_not_a_fact():
    from microhe.publish.certify import digest
    p, s = N("http://example.com/p"), N("http://example.com/s")

    def graph(b1, b2, value):
        return [ox.Quad(s, p, b1), ox.Quad(b1, p, ox.Literal(value)), ox.Quad(s, p, b2), ox.Quad(b2, p, ox.Literal("y"))]

    one = graph(ox.BlankNode("a"), ox.BlankNode("b"), "x")
    two = list(reversed(graph(ox.BlankNode("q"), ox.BlankNode("r"), "x")))
    assert digest(one) == digest(two)
    assert digest(one) != digest(graph(ox.BlankNode("a"), ox.BlankNode("b"), "z"))


# -- the model: sections and Council elements -------------------------------------------------


def test_the_supplement_of_a_demo_credential(store):
    s = _build(store)
    assert s.credential.title == "Data wrangling with Python"
    assert ("de", "Datenaufbereitung mit Python") in s.titles
    assert s.credential.eqf == [6]
    assert s.elements["M1"] == "not applicable" and s.elements["M5"] == "not applicable"
    assert all(s.elements[m] == "present" for m in ("M2", "M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"))
    assert s.certification.generated == GENERATED
    assert re.fullmatch(r"[0-9a-f]{64}", s.certification.digest)
    assert DEMO + "graph/credentials" in s.certification.graphs
    ladder = [lad for lad in s.ladders if lad.code == "DQR"]
    assert ladder and [r.label for r in ladder[0].rows if r.here] == ["6"]


def test_unknown_and_non_specification_iris_are_refused(store):
    with pytest.raises(NotFound, match="not described"):
        _build(store, DEMO + "credential/no-such-thing")
    with pytest.raises(InvalidValue, match="not a micro-credential specification"):
        _build(store, "https://w3id.org/microhe/ref/org/dhbw")
    with pytest.raises(InvalidValue, match="not an absolute IRI|IRI"):
        _build(store, "../../etc/passwd")


def test_html_has_every_section_in_order_and_the_facts(store):
    from microhe.publish.supplement_render import render_html
    html = render_html(_build(store))
    text = _text(html)
    positions = [text.find(h) for h in HEADINGS]
    assert -1 not in positions and positions == sorted(positions), positions
    for fact in ("Data wrangling with Python", "Datenaufbereitung mit Python", "EQF 6", "5 ECTS", "150 h",
                 "Germany", "not applicable: this supplement describes the specification"):
        assert fact in text, fact
    assert "missing" not in text


def test_bilingual_german_supplement(store):
    from microhe.publish.supplement_render import render_html
    html = render_html(_build(store, lang="de"))
    text = _text(html)
    assert '<html lang="de"' in html
    assert "Angaben zur Person des Inhabers" in text and "Information identifying the holder" in text
    assert text.find("Datenaufbereitung mit Python") < text.find("Data wrangling with Python")


def test_missing_mandatory_elements_are_shown_as_missing():
    from microhe.publish.supplement import build_supplement
    from microhe.publish.supplement_render import render_html
    store = demo_copy()
    spec, g = N(DEMO + "credential/bare"), N(DEMO + "graph/bare")
    store.restore([ox.Quad(spec, N(RDF + "type"), N(ELM + "Qualification"), g),
                  ox.Quad(spec, N(DCTERMS + "title"), ox.Literal("A bare specification", language="en"), g)])
    s = build_supplement(store, spec.value, generated=GENERATED)
    assert {m for m, v in s.elements.items() if v == "missing"} == {"M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"}
    text = _text(render_html(s))
    for m in ("M3", "M4", "M6", "M7", "M8", "M9", "M10", "M11"):
        assert re.search(rf"missing \(Council Recommendation 2022, {m}\)", text), m
    assert all(h in text for h in HEADINGS)


def test_a_hostile_title_is_escaped():
    from microhe.publish.supplement import build_supplement
    from microhe.publish.supplement_render import render_html
    store = demo_copy()
    spec, g = N(DEMO + "credential/evil"), N(DEMO + "graph/evil")
    store.restore([ox.Quad(spec, N(RDF + "type"), N(ELM + "Qualification"), g),
                  ox.Quad(spec, N(DCTERMS + "title"), ox.Literal("<script>alert(1)</script>", language="en"), g)])
    html = render_html(build_supplement(store, spec.value, generated=GENERATED))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- JSON-LD --------------------------------------------------------------------------------


def test_jsonld_parses_and_carries_the_same_facts(store):
    from microhe.publish.supplement import supplement_jsonld
    s = _build(store)
    doc = json.dumps(supplement_jsonld(s))
    quads = list(ox.parse(doc.encode(), ox.RdfFormat.JSON_LD))
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    spec = N(WRANGLING)
    assert (spec, N(DCTERMS + "title"), ox.Literal("Data wrangling with Python", language="en")) in triples
    assert (spec, N(DCTERMS + "title"), ox.Literal("Datenaufbereitung mit Python", language="de")) in triples
    assert (spec, N(ELM + "EQFLevel"), N("http://data.europa.eu/snb/eqf/6")) in triples
    assert (spec, N("https://w3id.org/microhe/ontology#derivedECTS"),
            ox.Literal("5", datatype=N("http://www.w3.org/2001/XMLSchema#decimal"))) in triples
    assert any(p == N(ELM + "awardingBody") and o == N("https://w3id.org/microhe/ref/org/dhbw") for _, p, o in triples)
    sup = [t for t in triples if t[1] == N(RDF + "type") and t[2] == N("https://w3id.org/microhe/ontology#CreditSupplement")]
    assert len(sup) == 1
    assert (sup[0][0], N("http://xmlns.com/foaf/0.1/primaryTopic"), spec) in triples
    values = {o.value for s_, p, o in triples if p == N("http://spdx.org/rdf/terms#checksumValue")}
    assert values == {s.certification.digest}


# -- PDF ------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_pdf_is_pdfa_with_embedded_fonts_and_the_facts(store):
    from microhe.publish.supplement_render import render_pdf
    pdf = render_pdf(_build(store))
    assert pdf.startswith(b"%PDF-")
    import io

    from pypdf import PdfReader
    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp  # the PDF/A-2b identification
    text = _pdf_text(pdf)
    for fact in [*HEADINGS, "Data wrangling with Python", "EQF 6", "5 ECTS"]:
        assert fact in text, fact
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for f in page["/Resources"]["/Font"].values():
            d = f.get_object()["/FontDescriptor"] if "/FontDescriptor" in f.get_object() else \
                f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts.append(any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert fonts and all(fonts)


def test_the_pdf_fetcher_refuses_the_network_and_files_outside_the_package(tmp_path):
    import socket

    from microhe.publish.supplement_pdf import PackageFetcher
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    fetcher = PackageFetcher()
    secret = tmp_path / "secret.css"
    secret.write_text("body{}")
    for url in (f"http://127.0.0.1:{port}/x.css", secret.as_uri(), "file:///etc/passwd", "data:text/css,body{}"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    with pytest.raises(TimeoutError):
        listener.accept()  # nobody connected
    listener.close()
    css = fetcher.fetch(fetcher.url_of("supplement.css"))
    assert b"@page" in css.read()


# -- verify ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonld", "html", "pdf"])
def test_verify_accepts_its_own_output(store, fmt):
    from microhe.publish.supplement_verify import render, verify
    data = render(_build(store), fmt)
    result = verify(store, data)
    assert result.ok, result.problems
    assert result.iri == WRANGLING and result.format == fmt


@pytest.mark.parametrize("fmt,old,new", [("jsonld", '"5"', '"10"'), ("html", "150 h", "15 h")])
def test_verify_rejects_a_changed_fact_in_the_file(store, fmt, old, new):
    from microhe.publish.supplement_verify import render, verify
    text = render(_build(store), fmt).decode()
    assert old in text
    result = verify(store, text.replace(old, new, 1).encode())
    assert not result.ok
    assert any("differs" in p for p in result.problems), result.problems


def test_verify_rejects_a_pdf_edited_after_it_was_made(store):
    """A PDF edited with a PDF tool (here: a page of another supplement appended by pypdf,
    the certification in the metadata kept) is refused: its text is not what the graph gives."""
    import io

    from pypdf import PdfReader, PdfWriter

    from microhe.publish.supplement_verify import render, verify
    original = render(_build(store), "pdf")
    other = PdfReader(io.BytesIO(render(_build(store, DEMO + "credential/dhbw-statistics-for-data-science"), "pdf")))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    writer.add_page(other.pages[0])
    out = io.BytesIO()
    writer.write(out)
    assert verify(store, original).ok
    result = verify(store, out.getvalue())
    assert not result.ok
    assert any("differs" in p for p in result.problems), result.problems


@pytest.mark.parametrize("fmt", ["jsonld", "pdf"])
def test_verify_rejects_when_the_graph_changed(fmt):
    from microhe.publish.supplement_verify import render, verify
    store = demo_copy()
    data = render(_build(store), fmt)
    g = N(DEMO + "graph/credentials")
    store.write(remove=[ox.Quad(N(WRANGLING), N(DCTERMS + "title"), ox.Literal("Data wrangling with Python", language="en"), g)],
                add=[ox.Quad(N(WRANGLING), N(DCTERMS + "title"), ox.Literal("Data wrangling with R", language="en"), g)])
    result = verify(store, data)
    assert not result.ok
    assert any("SHA-256" in p for p in result.problems), result.problems


def test_verify_refuses_what_is_no_supplement(store):
    from microhe.publish.supplement_verify import verify
    for junk in (b"", b"hello", b"%PDF-1.7\n garbage", b"{\"a\": 1}", b"<html><body>x</body></html>"):
        with pytest.raises(InvalidValue, match="supplement"):
            verify(store, junk)
