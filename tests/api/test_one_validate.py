"""One validation for every caller (issue 14): the same file gives the same report through
``microhe validate``, ``microhe load`` and the Graph Store's PUT and POST.

The file is chosen so that the two engines would differ if a caller used the other one:
the ECTS-hours message prints a decimal computed inside a SPARQL constraint ("90.0-132 h"
under pyshacl, "90-132 h" under the compiled engine). A report is compared as the
multiset of (focus node, path, message, severity, source shape), blank nodes named alike
(each parse labels them anew).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from microhe.cli import main

from .writes import make_writable

FILE = Path(__file__).parents[1] / "validation" / "fixtures" / "consistency" / "fail-ects-hours.ttl"
BASE = "http://127.0.0.1:8000/"


def _key(results: list[dict]) -> list[tuple]:
    def term(t):
        return "_:b" if t and t.startswith("_:") else t

    return sorted((term(r["focus_node"]), r["path"], r["message"], r["severity"], r["shape"]) for r in results)


def test_the_same_file_gives_the_same_report_everywhere(tmp_path, reference_quads):
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(FILE), "--format", "json", "--base", BASE],
                              catch_exceptions=False)
    assert validated.exit_code == 1, validated.output
    [cli_validate] = json.loads(validated.stdout)["files"]

    loaded = runner.invoke(main, ["load", str(FILE), "--store", str(tmp_path / "cli-store"), "--format", "json",
                                  "--base", BASE], catch_exceptions=False)
    assert loaded.exit_code == 1, loaded.output
    [cli_load] = json.loads(loaded.stdout)["files"]

    w = make_writable(tmp_path / "http", reference_quads)
    try:
        body = FILE.read_bytes()
        put = w.client.put("/rdf-graphs", params={"graph": "https://example.org/g"}, content=body,
                           headers={**w.auth, "Content-Type": "text/turtle"})
        post = w.client.post("/rdf-graphs", params={"graph": "https://example.org/g2"}, content=body,
                             headers={**w.auth, "Content-Type": "text/turtle"})
    finally:
        w.client.__exit__(None, None, None)
        w.store.close()
    assert put.status_code == 422 and post.status_code == 422, (put.text, post.text)

    expected = _key(cli_validate["results"])
    assert len(expected) > 3 and any("ECTS vs notional hours" in k[2] for k in expected)
    assert _key(cli_load["results"]) == expected
    assert _key(put.json()["report"]["results"]) == expected
    assert _key(post.json()["report"]["results"]) == expected


def test_validate_is_the_compiled_engine_where_it_is_proven():
    # the library entry point gives the compiled engine's report (no "90.0" from rdflib's
    # decimal arithmetic) and pyshacl's when asked for it
    import pyoxigraph as ox

    from microhe.validation import validate

    quads = list(ox.parse(path=str(FILE), format=ox.RdfFormat.TURTLE))
    auto = validate(quads)
    reference = validate(quads, engine="pyshacl")
    assert any("90-132 h" in r.message for r in auto.results)
    assert any("90.0-132 h" in r.message for r in reference.results)
    assert len(auto.results) == len(reference.results)
