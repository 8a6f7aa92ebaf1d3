"""The validator material of each target, as the tests run it (never at run time).

* ELM: the official ``EDC-generic-no-cv`` and ``EDC-generic-full`` shapes with the ELM
  controlled vocabularies (``derived/elm-cv-from-xsd.skos.ttl``) in the data graph, and the
  LOQ constraints through a copy whose Java-only regular expressions are rewritten
  (:data:`LOQ_REWRITES`). Each run also returns the focus nodes pyshacl's own target
  resolution gives for the specification classes, so a test can assert that the
  specification was checked (an empty data graph conforms to everything).
* OB 3.0: the 1EdTech validator's draft-4 JSON schema of an AchievementCredential, stale
  (VC 1.1: it requires ``issuanceDate``, which VC 2.0 replaced by ``validFrom``), with the
  patches of :data:`OB3_PATCHES`.
* CTDL: the Credential Registry's JSON schemas (``credential.json``, ``organization.json``,
  ``learning_opportunity_profile.json``), stale, with the patches of :data:`CTDL_PATCHES`;
  and the dated CTDL term list (``ctdl-terms.txt``, see ``make_ctdl_terms.py``).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pyshacl
import rdflib
from pyshacl.shapes_graph import ShapesGraph

from microhe.importers.jsondoc import jsonld_quads
from microhe.rdf import nquads
from tests.importers.conftest import anchor

HERE = Path(__file__).parent
ELM = "http://data.europa.eu/snb/model/elm/"
SPEC_CLASSES = (rdflib.URIRef(ELM + "Qualification"), rdflib.URIRef(ELM + "LearningAchievementSpecification"))

#: The Java-only syntax of LOQ-constraints.ttl that Python's ``re`` (pyshacl) rejects or
#: reads otherwise, and what the test-side copy says instead. (from, to, why)
LOQ_REWRITES = [
    ("^(?i)(http|https):", "^(http|https):",
     "Java's inline (?i) after ^ is a global flag in mid-pattern, an error in Python 3.11+: removed, and "
     "sh:flags \"i\" added to the same constraint (case-insensitive over the whole pattern, as in Java)"),
    ("\\[[[A-Fa-f0-9]\\:\\.]*", "\\[[A-Fa-f0-9:.]*",
     "Java's class union [[A-Fa-f0-9]\\:\\.] (hex digits, ':' and '.') written as one Python class"),
    ("[%[\\p{L}\\p{Nl}\\p{Nd}]]*", "(?:%|[^\\W_])*",
     "Java's \\p{L}\\p{Nl}\\p{Nd} (letters, letter numbers, decimal digits) plus '%': Python's Unicode "
     "\\w without '_' (letters and all numeric characters: wider by the No category, e.g. '²')"),
]


@cache
def _graph(rel: str) -> rdflib.Graph:
    return rdflib.Graph().parse(anchor(rel), format="turtle")


@cache
def vocabularies() -> rdflib.Graph:
    return _graph("elm/derived/elm-cv-from-xsd.skos.ttl")


@cache
def loq_patched() -> rdflib.Graph:
    text = anchor("elm/v3.1-master/shacl/loq/LOQ-constraints.ttl").read_text(encoding="utf-8")
    for old, new, _ in LOQ_REWRITES:
        turtle_old, turtle_new = old.replace("\\", "\\\\"), new.replace("\\", "\\\\")
        assert turtle_old in text, f"the LOQ file no longer has {old!r}: review the rewrites"
        text = text.replace(turtle_old, turtle_new)
    flagged = 'sh:pattern "^(http|https):'
    assert text.count(flagged) == 1
    text = text.replace(flagged, 'sh:flags "i" ; ' + flagged)
    return rdflib.Graph().parse(data=text, format="turtle")


SHAPES = {"EDC-generic-no-cv": lambda: _graph("elm/v3.1-master/shacl/edc/EDC-generic-no-cv.ttl"),
          "EDC-generic-full": lambda: _graph("elm/v3.1-master/shacl/edc/EDC-generic-full.ttl"),
          "LOQ-constraints (patched copy)": loq_patched}


@dataclass
class ShaclResult:
    shapes: str
    conforms: bool
    text: str
    focus: set[str]  # specifications among the focus nodes of the shapes


def data_graph(doc: Any) -> rdflib.Graph:
    """The triples of a JSON-LD document (bundled contexts only), in rdflib."""
    quads = jsonld_quads(doc, "export")
    g = rdflib.Graph()
    g.parse(data="".join(nquads.line(q, with_graph=False) for q in quads), format="nt")
    return g


def spec_focus(shapes: rdflib.Graph, data: rdflib.Graph) -> set[str]:
    """The specifications (elm:Qualification / elm:LearningAchievementSpecification instances)
    that some shape of ``shapes`` targets in ``data``, by pyshacl's own target resolution."""
    out: set[str] = set()
    for shape in ShapesGraph(shapes).shapes:
        for node in shape.focus_nodes(data):
            if any((node, rdflib.RDF.type, c) in data for c in SPEC_CLASSES):
                out.add(str(node))
    return out


def vocabulary_for(data: rdflib.Graph) -> rdflib.Graph:
    """The part of the controlled vocabularies the data references: the description of
    every concept it names and of their schemes (the shapes follow nothing else; the
    whole file, 37k triples, only makes each run ten times slower)."""
    cv = vocabularies()
    named = {o for o in data.objects() if isinstance(o, rdflib.URIRef)} | set(data.subjects())
    out = rdflib.Graph()
    for node in named:
        for p, o in cv.predicate_objects(node):
            out.add((node, p, o))
            if p == rdflib.SKOS.inScheme:
                for p2, o2 in cv.predicate_objects(o):
                    out.add((o, p2, o2))
    return out


def validate_elm(doc: Any) -> list[ShaclResult]:
    data = data_graph(doc)
    full = data + vocabulary_for(data)
    out = []
    for name, shapes in SHAPES.items():
        sg = shapes()
        conforms, _, text = pyshacl.validate(full, shacl_graph=sg, allow_warnings=True)
        out.append(ShaclResult(name, bool(conforms), str(text), spec_focus(sg, data)))
    return out


# -- Open Badges 3.0

OB3_SCHEMA = "openbadges3-clr2/jsonschema-draft4/ob_v3p0_achievementcredential_schema_draft4.json"
#: (where, change, why)
OB3_PATCHES = [
    ("required", "'issuanceDate' -> 'validFrom'",
     "the draft-4 port follows VC 1.1; OB 3.0 is a VC 2.0 credential, where validFrom replaces issuanceDate "
     "(the official OB 3.0 examples beside the schema fail it for this alone)"),
    ("properties", "validFrom and validUntil added as strings",
     "the VC 2.0 date properties, next to the VC 1.1 ones the port lists"),
]


@cache
def ob3_schema() -> dict[str, Any]:
    schema = json.loads(anchor(OB3_SCHEMA).read_text(encoding="utf-8"))
    patched = copy.deepcopy(schema)
    assert "issuanceDate" in patched["required"] and "validFrom" not in patched["required"]
    patched["required"] = ["validFrom" if r == "issuanceDate" else r for r in patched["required"]]
    patched["properties"]["validFrom"] = {"type": "string"}
    patched["properties"]["validUntil"] = {"type": "string"}
    return patched


def ob3_errors(doc: Any, schema: dict[str, Any] | None = None) -> list[str]:
    v = jsonschema.Draft4Validator(schema or ob3_schema())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc))


# -- CTDL

CTDL_SCHEMAS = {"credential": "ctdl/registry-jsonschema/credential.json",
                "organization": "ctdl/registry-jsonschema/organization.json",
                "learning_opportunity": "ctdl/registry-jsonschema/learning_opportunity_profile.json"}
#: (where, change, why)
CTDL_PATCHES = [
    ("definitions/@context", "enum adds 'https://credreg.net/ctdl/schema/context/json'",
     "the schemas pin the http:// context URL; the registry now publishes the https:// one"),
    ("definitions/meta:langstring", "a language map (object of strings) is accepted next to a string",
     "current CTDL writes name/description as language maps ({\"en\": ...}); the schemas predate them"),
    ("required of every class", "'ceterms:credentialStatusType', 'ceterms:subjectWebpage' and "
     "'ceterms:agentType', 'ceterms:agentSectorType' no longer required",
     "not held by the graph (status, a web page the source may not give, organisation typing); "
     "the export does not invent them"),
    ("required of ceterms:CredentialOrganization", "'ceterms:description' no longer required",
     "the graph holds no description of an awarding body (ELM, Open Badges and the EDC sample give none)"),
    ("@id of a record", "not checked as a registry resource IRI",
     "an export keeps the specification's own IRI; the CTID is minted from it"),
]
_DROPPED = {"ceterms:credentialStatusType", "ceterms:subjectWebpage", "ceterms:agentType",
            "ceterms:agentSectorType"}


def _patch_ctdl(schema: dict[str, Any]) -> dict[str, Any]:
    s = copy.deepcopy(schema)
    d = s["definitions"]
    d["@context"]["enum"] = [*d["@context"]["enum"], "https://credreg.net/ctdl/schema/context/json"]
    d["meta:langstring"] = {"anyOf": [{"type": "string"},
                                      {"type": "object", "additionalProperties": {
                                          "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}]}
    for name, body in d.items():
        if isinstance(body, dict) and isinstance(body.get("required"), list):
            dropped = _DROPPED | ({"ceterms:description"} if name == "ceterms:CredentialOrganization" else set())
            body["required"] = [r for r in body["required"] if r not in dropped]
    return s


@cache
def ctdl_schema(kind: str) -> dict[str, Any]:
    return _patch_ctdl(json.loads(anchor(CTDL_SCHEMAS[kind]).read_text(encoding="utf-8")))


def ctdl_errors(node: dict[str, Any], kind: str, *, patched: bool = True) -> list[str]:
    """The errors of one record against the schema of its own class (``definitions/<@type>``
    of the file ``kind``), patched or as published."""
    base = ctdl_schema(kind) if patched else json.loads(anchor(CTDL_SCHEMAS[kind]).read_text(encoding="utf-8"))
    cls = node.get("@type")
    if f"{cls}" not in base["definitions"]:
        return [f"no definition of {cls} in {CTDL_SCHEMAS[kind]}"]
    schema = {k: v for k, v in base.items() if k != "anyOf"} | {"$ref": f"#/definitions/{cls}"}
    v = jsonschema.Draft4Validator(schema)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in v.iter_errors(node))


@cache
def ctdl_terms() -> frozenset[str]:
    lines = (HERE / "ctdl-terms.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


__all__ = ["CTDL_PATCHES", "LOQ_REWRITES", "OB3_PATCHES", "ctdl_errors", "ctdl_terms", "ob3_errors",
           "validate_elm"]
