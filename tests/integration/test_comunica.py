"""Comunica (``comunica-sparql`` from npm, the JavaScript SPARQL client portals use) against a
live ``microhe serve`` on loopback: SELECT, CONSTRUCT and ASK give what the store answers.

``.ci/run`` installs Comunica (pinned in ``.ci/comunica/package-lock.json``) into a cache
dir, ``$MICROHE_COMUNICA_DIR`` (default ``~/.cache/microhe-ci/comunica``). Without it the
tests are skipped with the command that installs it, except in CI (``CI=true``), where a
missing Comunica is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import rdflib

from microhe.vocab import DCTERMS, DEMO, ELM
from tests.w3c.server import Served

pytestmark = pytest.mark.integration

DIR = Path(os.environ.get("MICROHE_COMUNICA_DIR") or Path.home() / ".cache" / "microhe-ci" / "comunica")
BINARY = DIR / "node_modules" / ".bin" / "comunica-sparql"
INSTALL = (f"mkdir -p {DIR} && cp .ci/comunica/package*.json {DIR}/ && (cd {DIR} && npm ci --no-audit --no-fund)")
CREDENTIAL = DEMO + "credential/strathlowe-applied-data-analysis"
PREFIXES = f"PREFIX elm: <{ELM}> PREFIX dcterms: <{DCTERMS}> "


def _require_comunica() -> Path:
    if BINARY.exists():
        return BINARY
    message = f"comunica-sparql is not installed at {BINARY}; install it with: {INSTALL}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (.ci/run does this; in CI a missing client is a failure)")
    pytest.skip("SKIPPED LOUDLY: " + message)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _require_comunica()
    root = tmp_path_factory.mktemp("comunica")
    served = Served(root / "store", root / "serve.log", "--demo", warm_indexes="false", query_workers="2")
    try:
        yield served
    finally:
        served.stop()


def comunica(server: Served, query: str, media_type: str) -> str:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    done = subprocess.run([str(BINARY), f"sparql@{server.url}/sparql", query, "-t", media_type],
                          capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _rows(doc: list | dict) -> set[tuple]:
    """SPARQL JSON bindings (Comunica prints an array of bindings objects for
    ``application/sparql-results+json``... or the standard document)."""
    bindings = doc["results"]["bindings"] if isinstance(doc, dict) else doc
    return {tuple(sorted((k, v["value"]) for k, v in b.items())) for b in bindings}


def test_select_gives_the_stores_rows(server, demo_store):
    query = PREFIXES + "SELECT ?c ?t WHERE { ?c a elm:Qualification ; dcterms:title ?t }"
    got = _rows(json.loads(comunica(server, query, "application/sparql-results+json")))
    expected = {tuple(sorted((k, s[k].value) for k in ("c", "t"))) for s in demo_store.query(query)}
    assert got == expected and len(expected) > 10


def test_construct_gives_the_stores_graph(server, demo_store):
    query = PREFIXES + f"CONSTRUCT {{ <{CREDENTIAL}> ?p ?o }} WHERE {{ <{CREDENTIAL}> ?p ?o FILTER(!isBlank(?o)) }}"
    got = rdflib.Graph().parse(data=comunica(server, query, "application/n-triples"), format="nt")
    expected = {(str(t.subject.value), str(t.predicate.value), str(t.object.value)) for t in demo_store.query(query)}
    assert {(str(s), str(p), str(o)) for s, p, o in got} == expected and len(expected) > 5


@pytest.mark.parametrize(("pattern", "answer"), [(f"<{CREDENTIAL}> a elm:Qualification", True),
                                                  (f"<{CREDENTIAL}> a elm:Organisation", False)])
def test_ask_gives_the_stores_answer(server, demo_store, pattern, answer):
    query = PREFIXES + f"ASK {{ {pattern} }}"
    assert bool(demo_store.query(query)) is answer
    got = json.loads(comunica(server, query, "application/sparql-results+json"))
    assert got["boolean"] is answer
