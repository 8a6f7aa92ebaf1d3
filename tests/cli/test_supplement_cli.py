"""``microhe supplement`` (issue 19) on an on-disk demo store: a file of each format, the
PDF's text (every section heading, the title, the EQF level, ECTS), ``--verify`` accepting
the file it wrote and refusing one with a changed fact or after the graph changed, and
bad calls (no IRI, an unknown IRI, a file that is no supplement) exiting 2 with a message."""

from __future__ import annotations

import io
import json
import re
import subprocess

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from microhe.cli import main
from microhe.store.embedded import Store
from microhe.vocab import ELM

IRI = "https://w3id.org/microhe/demo/credential/dhbw-python-data-wrangling"
HEADINGS = ["1. Information identifying the holder", "2. Information identifying the credential",
            "3. Information on the level and duration", "4. Information on the contents and results gained",
            "5. Information on the function of the credential", "6. Additional information",
            "7. Certification of the supplement", "8. Information on the national qualifications system"]


def run(store_dir, *args):
    return CliRunner().invoke(main, ["supplement", "--store", str(store_dir), *map(str, args)], catch_exceptions=False)


def test_pdf_file_and_its_text(store_dir, tmp_path):
    out = tmp_path / "s.pdf"
    r = run(store_dir, IRI, "--format", "pdf", "--out", out)
    assert r.exit_code == 0, r.output
    from pypdf import PdfReader
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages))
    for fact in [*HEADINGS, "Data wrangling with Python", "EQF 6", "5 ECTS"]:
        assert fact in text, fact
    # the same text as pdftotext (poppler) reads it, where installed
    try:
        plain = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        return
    plain = re.sub(r"\s+", " ", plain)
    assert all(h in plain for h in HEADINGS)
    r = run(store_dir, "--verify", out)
    assert r.exit_code == 0 and r.stdout.startswith("ok:"), r.output


@pytest.mark.parametrize("fmt", ["jsonld", "html"])
def test_verify_accepts_its_own_file_and_refuses_a_changed_fact(store_dir, tmp_path, fmt):
    out = tmp_path / f"s.{fmt}"
    assert run(store_dir, IRI, "--format", fmt, "--out", out, "--lang", "de").exit_code == 0
    r = run(store_dir, "--verify", out)
    assert r.exit_code == 0, r.output
    changed = tmp_path / f"changed.{fmt}"
    text = out.read_text()
    old, new = ('"point": "5"', '"point": "6"') if fmt == "jsonld" else ("EQF 6", "EQF 7")
    if fmt == "jsonld":
        doc = json.loads(text)
        spec = next(n for n in doc["@graph"] if n.get("@id") == IRI)
        spec["elm:creditPoint"]["elm:point"] = "6"
        changed.write_text(json.dumps(doc))
    else:
        assert old in text
        changed.write_text(text.replace(old, new))
    r = run(store_dir, "--verify", changed)
    assert r.exit_code == 1 and "changed after it was made" in r.stderr, r.output


def test_verify_refuses_after_the_graph_changed(store_dir, tmp_path):
    out = tmp_path / "s.jsonld"
    assert run(store_dir, IRI, "--format", "jsonld", "--out", out).exit_code == 0
    s = Store(store_dir)
    try:
        s.update(f"INSERT DATA {{ GRAPH <https://w3id.org/microhe/demo/graph/credentials> {{ <{IRI}> <{ELM}mode> "
                 "<http://data.europa.eu/snb/learning-assessment/920fbb3cbe> } }")
    finally:
        s.close()
    r = run(store_dir, "--verify", out)
    assert r.exit_code == 1 and "the graph changed" in r.stderr, r.output


def test_stdout_and_bad_calls(store_dir, tmp_path):
    r = run(store_dir, IRI, "--format", "jsonld")
    assert r.exit_code == 0
    quads = list(ox.parse(r.stdout_bytes, ox.RdfFormat.JSON_LD))
    assert any(q.object == ox.NamedNode("http://data.europa.eu/snb/eqf/6") for q in quads)
    r = run(store_dir)
    assert r.exit_code == 2 and "IRI" in r.stderr
    r = run(store_dir, "https://w3id.org/microhe/demo/credential/none")
    assert r.exit_code == 2 and "not described" in r.stderr and r.stdout == ""
    r = run(store_dir, "https://w3id.org/microhe/ref/org/dhbw")
    assert r.exit_code == 2 and "not a micro-credential specification" in r.stderr
    junk = tmp_path / "junk.html"
    junk.write_text("<html><body>hello</body></html>")
    r = run(store_dir, "--verify", junk)
    assert r.exit_code == 2 and "not a microhe credit supplement" in r.stderr
    r = run(store_dir, IRI, "--verify", junk)
    assert r.exit_code == 2
