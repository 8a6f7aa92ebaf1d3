"""What a file holds when no profile checked anything in it: its classes, named with the
prefixes users know, and the import that handles them ("0 micro-credentials found: nothing
was checked; found obv3:OpenBadgeCredential: import it with `microhe import ob3`")."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ELM = "http://data.europa.eu/snb/model/elm/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
CTDL = ("https://purl.org/ctdl/terms/", "https://purl.org/ctdlasn/terms/", "http://purl.org/ASN/schema/core/")

#: Prefixes the messages use for the classes found.
PREFIXES = {
    "obv3": OB,
    "cred": "https://www.w3.org/2018/credentials#",
    "vc2": "https://www.w3.org/ns/credentials/issuer-dependent#",
    "ceterms": CTDL[0],
    "ceasn": CTDL[1],
    "asn": CTDL[2],
    "elm": ELM,
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": SKOS,
}

NOTHING_CHECKED = "0 micro-credentials found: nothing was checked"

#: The classes of a micro-credential specification: a file holding one is never "nothing
#: found", even when the profiles chosen (e.g. consistency alone) target none of its nodes.
SPECIFICATION_CLASSES = frozenset({ox.NamedNode(ELM + "Qualification"),
                                   ox.NamedNode(ELM + "LearningAchievementSpecification")})


#: What the ``vocabulary`` profile checks: the files loaded beside the specifications.
VOCABULARY_CLASSES = frozenset({SKOS + "Concept", SKOS + "ConceptScheme", ELM + "Organisation"})


def holds_specification(quads: Sequence[ox.Quad]) -> bool:
    return any(q.predicate == RDF_TYPE and q.object in SPECIFICATION_CLASSES for q in quads)


def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def classes_of(quads: Sequence[ox.Quad]) -> list[str]:
    """The classes (rdf:type IRIs) of the input, ordered by their compact names."""
    found = {q.object.value for q in quads if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)}
    return sorted(found, key=compact)


def import_hint(classes: Sequence[str]) -> str:
    """Which import handles what was found (the text after "found ...")."""
    if not classes:
        return "found no typed node (no rdf:type at all)"
    names = ", ".join(compact(c) for c in classes[:12]) + (", ..." if len(classes) > 12 else "")
    if any(c.startswith(OB) for c in classes):
        how = "an Open Badges 3.0 credential: import it with `microhe import ob3`"
    elif any(c.startswith(CTDL) for c in classes):
        how = "a CTDL (Credential Engine) record: import it with `microhe import ctdl`"
    elif ELM + "EuropeanDigitalCredential" in classes:
        how = "a Europass credential the selected profiles do not target: import it with `microhe import edc`"
    elif any(c in VOCABULARY_CLASSES for c in classes):
        how = ("a skill hierarchy or institutions, no micro-credential: check and load it with the vocabulary "
               "profile (`--profile vocabulary`, HTTP `?profile=vocabulary`)")
    else:
        how = ("none of them is a micro-credential specification (elm:Qualification, "
               "elm:LearningAchievementSpecification) or award (elm:EuropeanDigitalCredential)")
    return f"found {names}: {how}"


__all__ = ["NOTHING_CHECKED", "SPECIFICATION_CLASSES", "holds_specification", "PREFIXES", "classes_of", "compact", "import_hint"]
