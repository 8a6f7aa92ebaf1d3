"""Writes microhe/rdf/contexts/microhe-context.jsonld: the JSON-LD context microhe compacts its
own answers with (served at ``{base}context.jsonld``), AUTHORED here once from three sources:

1. the ELM 3 terms of the bundled EDC application-profile context
   (``edc-ap-context-v3.1.jsonld``, European Learning Model 3.1, EUPL-1.2 / CC BY 4.0): the
   names, IRIs, ``@type`` coercions and language maps Europass data already uses, so an ELM
   specification reads the same in microhe's JSON-LD as in a Europass credential
   (keyword aliases such as ``id``/``type`` are left out: microhe writes ``@id``/``@type``);
2. the ``mhe:`` terms of the core ontology (``microhe/ontology/core.ttl``): every class, and
   every property, an object property coerced to ``@id``, a datatype property to its
   ``rdfs:range`` datatype;
3. the other properties and classes the bundled reference and demo data use (SKOS, Dublin
   Core, PROV, W3C org, RDFS/OWL...), each coerced by the values it has there: always a
   node -> ``@id``; always language-tagged -> a language map; always one datatype (not
   ``xsd:string``) -> that datatype; mixed -> no coercion.

A term name is the IRI's local name; a name taken by an earlier source (ELM first, then
``mhe:``, then the rest) is not defined again, so that value compacts to a compact IRI
(``dcterms:type``), which reads the same. Values a term's coercion does not fit (a plain
title where the term is a language map) compact to the compact IRI too: nothing is lost.
The prefixes are the vocabularies' (``microhe.publish.names.PREFIXES`` without the
instance-data ones), so a full IRI stays a full IRI in ``@id``.

Regenerate: ``python scripts/author_microhe_context.py`` (tests/rdf/test_jsonld_write.py
checks the committed file is this script's output, and its SHA-256 in contexts.json).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from microhe.kg import bundled
from microhe.publish.names import PREFIXES
from microhe.rdf.jsonld import load_context_file
from microhe.vocab import MHE, OWL, RDF, RDFS, XSD

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "microhe" / "rdf" / "contexts" / "microhe-context.jsonld"
REGISTRY = ROOT / "microhe" / "rdf" / "contexts" / "contexts.json"
URL = "https://w3id.org/microhe/context.jsonld"

#: Prefixes of instance data, not of vocabularies: left out so ``@id`` values stay full IRIs.
INSTANCE_PREFIXES = {"ref", "demo", "eqf", "isced-f", "country"}
#: Names never defined as terms (they would read as keywords to a person).
RESERVED = {"id", "type", "graph", "context", "value", "language", "list", "set"}
_LANG = RDF + "langString"


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _edc_terms(prefixes: dict[str, str]) -> dict[str, dict | str]:
    """The ELM 3 terms of the EDC context, with IRIs expanded to full ones."""
    edc = load_context_file("edc-ap-context-v3.1.jsonld")["@context"]
    edc_prefixes = {k: v for k, v in edc.items() if isinstance(v, str) and v.endswith(("/", "#"))}

    def full(value: str) -> str:
        if value.startswith("@"):
            return value
        p, sep, rest = value.partition(":")
        return edc_prefixes[p] + rest if sep and p in edc_prefixes else value

    out: dict[str, dict | str] = {}
    for name, definition in edc.items():
        if name.startswith("@") or name in RESERVED or name in edc_prefixes or name in prefixes:
            continue
        if isinstance(definition, str):
            if definition.startswith("@"):
                continue  # a keyword alias (id, type)
            out[name] = full(definition)
        elif isinstance(definition, dict) and "@id" in definition and "@context" not in definition:
            d = {k: full(v) if k in ("@id", "@type") and isinstance(v, str) else v for k, v in definition.items()
                 if k in ("@id", "@type", "@container")}
            if d.get("@type") == XSD + "string":  # plain literals are xsd:string: no coercion needed
                d.pop("@type")
            out[name] = d
    return out


def _kinds(quads) -> dict[str, set[str]]:
    """Property IRI -> the kinds of values it has ("@id", "@language", or a datatype)."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        o = q.object
        if isinstance(o, ox.NamedNode | ox.BlankNode):
            kinds[q.predicate.value].add("@id")
        elif o.language:
            kinds[q.predicate.value].add("@language")
        else:
            kinds[q.predicate.value].add(o.datatype.value)
    return kinds


def _definition(iri: str, kinds: set[str], declared: str | None = None) -> dict | str:
    kind = next(iter(kinds)) if len(kinds) == 1 else declared
    if kind == "@id":
        return {"@id": iri, "@type": "@id"}
    if kind in ("@language", _LANG):
        return {"@id": iri, "@container": "@language"}
    if kind and kind != XSD + "string":
        return {"@id": iri, "@type": kind}
    return iri


def build() -> dict:
    prefixes = {p: ns for p, ns in PREFIXES.items() if p not in INSTANCE_PREFIXES}
    terms: dict[str, dict | str] = dict(_edc_terms(prefixes))

    def add(name: str, definition: dict | str) -> None:
        if name and name not in terms and name not in RESERVED and name not in prefixes and name[0].isalpha():
            terms[name] = definition

    ontology = [q for g in bundled.ontology_graphs() if g.iri == bundled.ONTOLOGY for q in g.quads()]
    data = [q for g in (*bundled.reference_graphs(), *bundled.demo_graphs()) for q in g.quads()]
    kinds = _kinds(data)
    a = ox.NamedNode(RDF + "type")
    declared: dict[str, str] = {}
    mhe_classes: list[str] = []
    for q in ontology:
        s = q.subject
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(MHE):
            continue
        if q.predicate == a and q.object.value == OWL + "ObjectProperty":
            declared[s.value] = "@id"
        elif q.predicate == a and q.object.value in (OWL + "DatatypeProperty", OWL + "AnnotationProperty"):
            declared.setdefault(s.value, "")
        elif q.predicate.value == RDFS + "range" and isinstance(q.object, ox.NamedNode) and declared.get(s.value) != "@id":
            if q.object.value.startswith(XSD) or q.object.value == _LANG:
                declared[s.value] = q.object.value
        elif q.predicate == a and q.object.value == OWL + "Class":
            mhe_classes.append(s.value)
    for iri in sorted(mhe_classes):
        add(_local(iri), iri)
    for iri in sorted(declared):
        add(_local(iri), _definition(iri, kinds.get(iri, set()), declared[iri] or None))
    # the rest of what the bundled data uses, most used vocabularies' terms first
    order = ["http://data.europa.eu/snb/model/elm/", MHE, "http://purl.org/dc/terms/",
             "http://www.w3.org/2004/02/skos/core#"]

    def rank(iri: str) -> tuple[int, str]:
        return next((i for i, ns in enumerate(order) if iri.startswith(ns)), len(order)), iri

    for iri in sorted(kinds, key=rank):
        if iri == RDF + "type" or iri.startswith(RDF):
            continue
        add(_local(iri), _definition(iri, kinds[iri], declared.get(iri) or None))
    for iri in sorted({q.object.value for q in data if q.predicate == a and isinstance(q.object, ox.NamedNode)},
                      key=rank):
        add(_local(iri), iri)
    context: dict = {"@version": 1.1, **dict(sorted(prefixes.items())), **dict(sorted(terms.items()))}
    return {"@context": context}


def text() -> str:
    return json.dumps(build(), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> None:
    body = text()
    OUT.write_text(body, encoding="utf-8")
    registry = json.loads(REGISTRY.read_text("utf-8"))
    entry = {
        "url": URL, "aliases": [], "file": OUT.name,
        "title": "microhe: the context of microhe's own JSON-LD (ELM 3, mhe:, Dublin Core, SKOS, schema.org...)",
        "source": "authored by scripts/author_microhe_context.py from the EDC context (ELM 3.1), the core "
                  "ontology and the bundled reference data; served by every deployment at {base}context.jsonld",
        "commit": "authored", "licence": "EUPL-1.2",
        "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
    }
    registry["contexts"] = [c for c in registry["contexts"] if c.get("file") != OUT.name] + [entry]
    REGISTRY.write_text(json.dumps(registry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(build()['@context'])} entries)")


if __name__ == "__main__":
    main()
