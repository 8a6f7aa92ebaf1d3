"""Helpers for the SHACL profile tests: fixture discovery and expectation parsing.

A fixture is a small Turtle file in ``fixtures/<profile>/``. ``pass-*.ttl`` must give no
result at all under its profile; ``fail-*.ttl`` lists every result it must give in its
comment header, one per line::

    # expect: <severity> | <focus node> | <path> | <constraint component> [ | <value>]

(fields separated by " | ", a bar with a space on each side; a bar inside a path has none)

Terms are written with the prefixes of ``PREFIXES``; a complex path in SPARQL 1.1
property-path syntax as ``ValidationResult.path`` gives it (sequences and alternatives
in parentheses); ``_:`` as focus node or value matches any blank node. The set of results must
equal the expectations exactly: nothing missing, nothing extra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).parents[2] / ".." / "shared"
SAMPLE_TTL = SHARED / "anchors" / "elm" / "derived" / "Sample-MC-Annex1-signed-payload.ttl"

PREFIXES = {
    "ex": "https://example.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "elm": "http://data.europa.eu/snb/model/elm/",
    "cred": "https://www.w3.org/2018/credentials#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rov": "http://www.w3.org/ns/regorg#",
    "adms": "http://www.w3.org/ns/adms#",
    "mhe": "https://w3id.org/microhe/ontology#",
    "ref": "https://w3id.org/microhe/ref/",
    "eqf": "http://data.europa.eu/snb/eqf/",
    "qdr": "http://data.europa.eu/snb/qdr/",
    "isced": "http://data.europa.eu/snb/isced-f/",
    "assessment": "http://data.europa.eu/snb/assessment/",
    "urn": "urn:",
}

_CURIE = re.compile(r"(?<![\w<])([a-z][a-z0-9]*):([A-Za-z0-9_][\w.\-]*)")


def expand(text: str, *, in_path: bool = False) -> str:
    """``elm:point`` -> the full IRI; inside a complex path -> ``<full IRI>``."""

    def one(m: re.Match) -> str:
        ns = PREFIXES.get(m[1])
        if ns is None:
            return m[0]
        return f"<{ns}{m[2]}>" if in_path else f"{ns}{m[2]}"

    return _CURIE.sub(one, text)


@dataclass(frozen=True)
class Expected:
    severity: str
    focus: str
    path: str | None
    constraint: str
    value: str | None = None

    @classmethod
    def parse(cls, line: str) -> Expected:
        parts = [p.strip() for p in f" {line.strip()} ".split(" | ")]
        if len(parts) not in (4, 5):
            raise ValueError(f"bad expectation line: {line!r}")
        severity, focus, path, constraint = parts[:4]
        complex_path = path.startswith(("(", "^"))
        return cls(
            severity=severity,
            focus=focus if focus.startswith("_:") else expand(focus),
            path=None if path in ("", "-") else expand(path, in_path=complex_path),
            constraint=expand(constraint),
            value=(expand(parts[4]) if ":" in parts[4] and " " not in parts[4] and parts[4] != "_:" else parts[4])
            if len(parts) == 5 else None,
        )

    def matches(self, r) -> bool:
        return (_same(self.focus, r.focus_node) and r.severity == self.severity and r.path == self.path
                and r.constraint == self.constraint and (self.value is None or _same(self.value, r.value)))


def _same(expected: str, actual: str | None) -> bool:
    if expected == "_:":
        return actual is not None and actual.startswith("_:")
    return actual == expected


def expectations(path: Path) -> list[Expected]:
    return [Expected.parse(line.split("expect:", 1)[1])
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#") and "expect:" in line]


def fixture_files(prefix: str) -> list:
    files = sorted(FIXTURES.glob(f"*/{prefix}-*.ttl"))
    return [pytest.param(f, id=f"{f.parent.name}/{f.name}") for f in files]
