"""What a validation checked: the focus nodes each profile's targets select *in the input*
(the reference data mixed in for the checks is never counted), and, when that is none at
all, the classes the input does hold and the import that handles them.

A file none of whose nodes any selected profile targets (an Open Badge, a CTDL record, a
lone triple) has no violation only because no shape looked at it; it is reported as
"0 micro-credentials found: nothing was checked", never as conforming."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ELM = "http://data.europa.eu/snb/model/elm/"
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
    "skos": "http://www.w3.org/2004/02/skos/core#",
}

NOTHING_CHECKED = "0 micro-credentials found: nothing was checked"


def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def focus_counts(store: ox.Store, quads: Sequence[ox.Quad], profiles: Sequence[str],
                 changed: dict | None = None) -> dict[str, int | None]:
    """Per profile, the number of distinct focus nodes of its targets that occur in
    ``quads`` (``store`` holds them with the reference data; ``changed`` maps the store's
    canonical literals back to the input's). None when a target cannot be compiled."""
    from microhe.validation.compiled import UnsupportedShape, compile_targets

    nodes: set = set()
    for q in quads:
        nodes.add(q.subject)
        nodes.add(q.object)
    back = changed or {}
    out: dict[str, int | None] = {}
    for profile in profiles:
        try:
            targets = compile_targets(profile)
        except UnsupportedShape:
            out[profile] = None
            continue
        focus: set = set()
        for query, prefixes in targets:
            solutions = store.query(query, prefixes=prefixes)
            assert isinstance(solutions, ox.QuerySolutions)
            for row in solutions:
                t = row["this"]
                t = back.get(t, t) if type(t) is ox.Literal else t
                if t in nodes:
                    focus.add(t)
        out[profile] = len(focus)
    return out


def target_store(quads: Sequence[ox.Quad]) -> ox.Store:
    """The reference data and the input in one in-memory store (for the engines that do
    not build the compiled engine's staging store)."""
    from microhe.validation.compiled.staging import _reference_quads

    store = ox.Store()
    store.extend(_reference_quads())
    dg = ox.DefaultGraph()
    store.extend([q if type(q.graph_name) is ox.DefaultGraph else ox.Quad(q.subject, q.predicate, q.object, dg)
                  for q in quads])
    return store


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
    else:
        how = ("none of them is a micro-credential specification (elm:Qualification, "
               "elm:LearningAchievementSpecification) or award (elm:EuropeanDigitalCredential)")
    return f"found {names}: {how}"


__all__ = ["NOTHING_CHECKED", "PREFIXES", "classes_of", "compact", "focus_counts", "import_hint", "target_store"]
