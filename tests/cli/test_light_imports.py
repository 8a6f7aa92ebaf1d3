"""`microhe --help` and a read command must not pay for the heavy libraries.

Each call runs in a fresh interpreter (the test process has long imported everything),
which prints the modules it loaded when the command has ended; none of the heavy
dependencies may be among them. They are imported by the commands that use them
(validate, load, serve, synth, reason, a remote store) and nowhere else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("rdflib", "pyshacl", "fastapi", "uvicorn", "owlready2", "httpx", "SPARQLWrapper")
ROOT = Path(__file__).parents[2]

PROBE = """
import json, sys
import microhe.cli as cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    sys.stdout.flush()
    print("\\n@@MODULES@@" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded_after(args: list[str], store: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MICROHE_STORE": str(store)}
    env.pop("MICROHE_SPARQL_ENDPOINT", None)
    r = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120)
    marker = r.stderr.rpartition("@@MODULES@@")[2]
    modules = json.loads(marker) if marker.strip().startswith("[") else []
    return r, modules


def heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("args", [["--help"], ["level", "SCQF", "11"]], ids=["help", "level"])
def test_light_commands_load_no_heavy_library(tmp_path, args):
    r, modules = loaded_after(args, tmp_path / "store")
    assert r.returncode == 0, r.stderr
    assert modules, r.stderr  # the probe printed what it loaded
    assert "microhe.cli" in modules
    assert heavy(modules) == [], heavy(modules)
    if args[0] == "level":
        assert "EQF" in r.stdout
