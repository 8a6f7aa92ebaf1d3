"""The steward's upload (``/upload``, ``/uploads``): validation reports grouped by record
and severity with what to add, a dry-run diff against what is loaded, loading through the
all-or-nothing load (signed in, CSRF, a staged copy re-validated), "my uploads" from the
provenance, withdraw after confirmation; hostile files get clear 4xx pages and nothing is
stored."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient

from microhe.api import create_app
from microhe.ingest.provenance import load_records
from tests.api.desk.conftest import BASE, hidden_fields, make_desk
from tests.api.writes import INVALID, LEARNER, VALID

GRAPH = BASE + "graph/spec.ttl"


def upload(client: TestClient, data: bytes | str, name: str = "spec.ttl", fmt: str = "auto", csrf: str | None = None):
    body = data.encode() if isinstance(data, str) else data
    form = {"format": fmt, **({"csrf": csrf} if csrf else {})}
    return client.post("/upload", data=form, files={"file": (name, body, "application/octet-stream")})


def load_form(page: str) -> dict[str, str]:
    fields = hidden_fields(page.split('action="/upload/load"', 1)[1].split("</form>", 1)[0])
    assert "staged" in fields and "csrf" in fields
    return fields


def test_the_upload_page_lists_the_formats(desk):
    r = desk.client.get("/upload")
    assert r.status_code == 200 and 'enctype="multipart/form-data"' in r.text
    values = set(re.findall(r'<option value="([^"]+)"', r.text))
    assert {"auto", "edc", "ob3", "ctdl", "csv", "turtle", "n-triples", "json-ld", "rdf-xml", "trig", "n-quads"} <= values


def test_anyone_can_validate_and_nothing_is_stored(desk):
    before = desk.store.dump_bytes()
    r = upload(desk.client, VALID)
    assert r.status_code == 200, r.text
    assert "conforms" in r.text and "new graph" in r.text.lower()
    assert 'action="/upload/load"' not in r.text and "/sign-in?next=" in r.text  # sign in to load
    assert desk.store.dump_bytes() == before


def test_an_invalid_credential_is_reported_by_record_with_what_to_add(desk):
    before = desk.store.dump_bytes()
    r = upload(desk.client, INVALID, "bad.ttl")
    assert r.status_code == 422
    section = r.text.split('id="report"', 1)[1]
    assert "https://example.org/test/bad" in section
    # the two missing Council elements, each with what to add (the shapes' messages)
    assert "M2 title: give the specification a dcterms:title." in section
    assert "M6 learning outcomes: add at least one elm:learningOutcome" in section
    # the property of each result in the prefixed names the messages use, the full IRI only on hover
    assert "<code title=\"http://purl.org/dc/terms/title\">dcterms:title</code>" in section
    assert ">http://purl.org/dc/terms/title<" not in section
    assert "Violation" in section
    assert 'action="/upload/load"' not in r.text
    assert desk.store.dump_bytes() == before


def test_learner_data_is_refused(signed_in):
    before = signed_in.store.dump_bytes()
    r = upload(signed_in.client, LEARNER, csrf=signed_in.csrf())
    assert r.status_code == 422 and "learner" in r.text.lower()
    assert 'action="/upload/load"' not in r.text and signed_in.store.dump_bytes() == before


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (100 * 1024 * 1024))
    return out.getvalue()


#: An external entity (XXE): refused by the parser, nothing read (tests/test_xml_entities.py).
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
<rdf:Description rdf:about="http://example.org/a"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>"""


@pytest.mark.parametrize(("data", "name", "fmt", "status", "says"), [
    (b"", "empty.ttl", "auto", 400, "empty"),
    (b"@prefix ex: <http://example.org/> .\nex:a ex:b .\n", "broken.ttl", "auto", 400, "broken.ttl:2:"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "picture.png", "auto", 400, "format"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "picture.ttl", "turtle", 400, "picture.ttl"),
    (_bomb(), "courses.xlsx", "auto", 400, "unpacks to more than"),
    (XXE, "xxe.rdf", "auto", 400, "not allowed"),
    (b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .", "x.nt", "auto", 422,
     "nothing was checked"),
    (b'{"@context": "https://evil.example/ctx", "@id": "x"}', "remote.jsonld", "json-ld", 400, "context"),
    (b"not,a,sheet\n1,2,3\n", "courses.csv", "auto", 422, "column"),
], ids=["empty", "broken-turtle", "png", "png-as-turtle", "xlsx-bomb", "xml-external-entity", "no-credential",
     "remote-context", "bad-sheet"])
def test_hostile_uploads_get_clear_4xx_pages(desk, data, name, fmt, status, says):
    before = desk.store.dump_bytes()
    r = upload(desk.client, data, name, fmt)
    assert r.status_code == status, r.text[-2000:]
    assert r.headers["content-type"].startswith("text/html")
    main = r.text.split("<main", 1)[1]
    assert says.lower() in main.lower(), main[:3000]
    assert desk.store.dump_bytes() == before


def test_a_file_over_the_body_limit_is_refused_413(tmp_path, scratch_store):
    d = make_desk(tmp_path, scratch_store, max_body_bytes=10_000)
    try:
        r = upload(d.client, VALID + "#" * 20_000)
        assert r.status_code == 413
    finally:
        d.client.__exit__(None, None, None)


def test_no_file_or_an_unknown_format_is_400(desk):
    assert desk.client.post("/upload", data={"format": "auto"}).status_code == 400
    r = upload(desk.client, VALID, fmt="docx")
    assert r.status_code == 400 and "docx" in r.text


def test_load_my_uploads_and_withdraw(signed_in):
    d = signed_in
    r = upload(d.client, VALID, csrf=d.csrf())
    assert r.status_code == 200
    form = load_form(r.text)
    loaded = d.client.post("/upload/load", data=form, follow_redirects=False)
    assert loaded.status_code == 303 and loaded.headers["location"].startswith("/uploads")
    assert d.store.has_graph(GRAPH)
    assert load_records(d.store)[GRAPH].source == "spec.ttl"
    agents = {str(q.object.value) for q in d.store.quads_matching(None, None, None, None)
              if q.predicate.value.endswith("wasAssociatedWith")}
    assert "urn:microhe:agent:upload%3Atest" in agents  # provenance: which token loaded it
    mine = d.client.get("/uploads")
    assert mine.status_code == 200 and GRAPH in mine.text and "spec.ttl" in mine.text
    # the same staged upload cannot be loaded twice
    assert d.client.post("/upload/load", data=form, follow_redirects=False).status_code == 404
    # withdraw: a confirmation step, then the graph is dropped
    wform = hidden_fields(mine.text.split('action="/uploads/withdraw"', 1)[1].split("</form>", 1)[0])
    confirm = d.client.post("/uploads/withdraw", data=wform)
    assert confirm.status_code == 200 and d.store.has_graph(GRAPH)
    cform = hidden_fields(confirm.text.split('action="/uploads/withdraw"', 1)[1].split("</form>", 1)[0])
    assert cform.get("confirm") == "yes"
    gone = d.client.post("/uploads/withdraw", data=cform, follow_redirects=False)
    assert gone.status_code == 303 and not d.store.has_graph(GRAPH)
    assert GRAPH not in load_records(d.store)


def test_the_dry_run_diff_against_what_is_loaded(signed_in):
    d = signed_in
    d.client.post("/upload/load", data=load_form(upload(d.client, VALID, csrf=d.csrf()).text))
    assert d.store.has_graph(GRAPH)
    same = upload(d.client, VALID, csrf=d.csrf())
    assert re.search(r"0</strong> triples? added", same.text) and re.search(r"0</strong> triples? removed", same.text)
    changed = upload(d.client, VALID.replace("Data analysis with Python", "Data analysis in Python"), csrf=d.csrf())
    assert changed.status_code == 200
    # one title swapped: one triple added, one removed (worked by hand), the credential changed
    assert re.search(r"1</strong> triples? added", changed.text) and re.search(r"1</strong> triples? removed",
                                                                               changed.text)
    assert "https://example.org/test/spec" in changed.text.split('id="diff"', 1)[1]
    assert "changed" in changed.text.split('id="diff"', 1)[1]
    # loading it replaces the graph this token loaded
    r = d.client.post("/upload/load", data=load_form(changed.text), follow_redirects=False)
    assert r.status_code == 303
    assert any("in Python" in str(q.object) for q in d.store.quads(GRAPH))


@pytest.mark.parametrize("csrf", [None, "", "forged-0123456789", "other-session"])
def test_load_without_the_right_csrf_token_is_refused(signed_in, csrf):
    d = signed_in
    form = load_form(upload(d.client, VALID, csrf=d.csrf()).text)
    if csrf == "other-session":  # a valid token, of another session (another browser of the same token)
        c = d.new_client()
        d.sign_in(client=c)
        form["csrf"] = d.csrf(client=c)
    elif csrf is None:
        del form["csrf"]
    else:
        form["csrf"] = csrf
    r = d.client.post("/upload/load", data=form, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert not d.store.has_graph(GRAPH)


def test_load_needs_a_session(desk):
    r = desk.client.post("/upload/load", data={"staged": "abc", "csrf": "x"}, follow_redirects=False)
    assert r.status_code in (303, 401, 403) and not desk.store.has_graph(GRAPH)
    r = desk.client.get("/uploads", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=%2Fuploads"


def test_a_staged_upload_of_another_token_cannot_be_loaded(signed_in):
    d = signed_in
    form = load_form(upload(d.client, VALID, csrf=d.csrf()).text)
    c = d.new_client()
    d.sign_in(token=d.other_token, client=c)
    form["csrf"] = d.csrf(client=c)
    r = c.post("/upload/load", data=form, follow_redirects=False)
    assert r.status_code == 404 and not d.store.has_graph(GRAPH)


def test_withdraw_of_a_graph_loaded_by_another_token_is_refused(signed_in):
    d = signed_in
    put = d.client.put(f"/rdf-graphs?graph={GRAPH}", content=VALID.encode(),
                       headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {d.other_token}"})
    assert put.status_code == 201
    assert GRAPH not in d.client.get("/uploads").text  # not mine
    csrf = d.csrf()
    for confirm in ({}, {"confirm": "yes"}):
        r = d.client.post("/uploads/withdraw", data={"graph": GRAPH, "csrf": csrf, **confirm}, follow_redirects=False)
        assert r.status_code == 403 and d.store.has_graph(GRAPH)
    # ... and the reference graphs, the metadata graph, unknown graphs
    for g in ("https://w3id.org/microhe/graph/meta", "https://example.org/none"):
        r = d.client.post("/uploads/withdraw", data={"graph": g, "csrf": csrf, "confirm": "yes"})
        assert r.status_code in (403, 404)


def test_an_upload_that_replaces_a_graph_of_another_token_offers_no_load(signed_in):
    d = signed_in
    d.client.put(f"/rdf-graphs?graph={GRAPH}", content=VALID.encode(),
                 headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {d.other_token}"})
    r = upload(d.client, VALID.replace("with Python", "in R"), csrf=d.csrf())
    assert r.status_code == 200 and 'action="/upload/load"' not in r.text
    assert "another token" in r.text


def test_a_spreadsheet_is_validated_with_its_rows(desk):
    from tests.importers.test_csv import ROW, sheet

    r = upload(desk.client, sheet(ROW), "courses.csv", "csv")
    assert r.status_code in (200, 422), r.text[-3000:]
    assert 'id="report"' in r.text


def test_the_upload_form_when_signed_in_carries_the_csrf_token(signed_in):
    r = signed_in.client.get("/upload")
    assert "csrf" in hidden_fields(r.text) and "Signed in as" in r.text


def test_an_upload_post_with_a_session_and_a_wrong_csrf_token_is_refused(signed_in):
    r = upload(signed_in.client, VALID, csrf="forged-0123456789")
    assert r.status_code == 403


def test_the_app_without_a_token_file_still_serves_the_pages(tmp_path, scratch_store):
    from tests.api.desk.conftest import Settings

    app = create_app(Settings(store=tmp_path / "s", base=BASE, warm_indexes=False), scratch_store)
    with TestClient(app) as c:
        assert c.get("/upload").status_code == 200
        assert c.get("/decisions").status_code == 200
