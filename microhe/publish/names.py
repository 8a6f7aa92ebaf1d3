"""Names for people: the prefixes of the published vocabularies, compact ``prefix:local``
names, and where an IRI is served (a local path on this server, the IRI itself when a
browser may follow it, or nothing: shown as text)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from microhe.kg import bundled
from microhe.vocab import (
    CRED,
    DCAT,
    DCTERMS,
    DEMO,
    ELM,
    FOAF,
    MHE,
    OWL,
    PROV,
    RDF,
    RDFS,
    REF,
    SKOS,
    VOID,
    XSD,
)

PREFIXES = {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV,
    "foaf": FOAF, "elm": ELM, "cred": CRED, "mhe": MHE, "void": VOID, "dcat": DCAT,
    "rov": "http://www.w3.org/ns/regorg#", "sd": "http://www.w3.org/ns/sparql-service-description#",
    "schema": "https://schema.org/", "org": "http://www.w3.org/ns/org#",
    "eqf": "http://data.europa.eu/snb/eqf/", "isced-f": "http://data.europa.eu/snb/isced-f/",
    "country": "http://publications.europa.eu/resource/authority/country/",
    "ref": REF, "demo": DEMO,
}


ONTOLOGY = bundled.ONTOLOGY


def local_href(iri: str, base: str | None, root_path: str = "") -> str | None:
    """Where this server serves ``iri`` (a path), or None for IRIs served elsewhere."""
    if iri.startswith(DEMO):
        return f"{root_path}/demo/{iri[len(DEMO):]}"
    if iri.startswith(REF):
        return f"{root_path}/ref/{iri[len(REF):]}"
    if iri == ONTOLOGY or iri.startswith(MHE):
        return f"{root_path}/ontology" + (iri[len(ONTOLOGY):] if iri.startswith(ONTOLOGY + "#") else "")
    if base and iri.startswith(base):
        return f"{root_path}/{iri[len(base):]}"
    return None


#: URI schemes that may become a link on an HTML page. Anything else from the data
#: (``javascript:``, ``data:``, ``vbscript:``, ``file:``, URNs ...) is shown as text only:
#: a clickable ``javascript:`` IRI would run script in this origin.
LINK_SCHEMES = ("http", "https", "mailto")


def safe_href(iri: str) -> str | None:
    """``iri`` when a browser may follow it as a link (an http, https or mailto IRI), else None."""
    scheme, colon, _ = iri.partition(":")
    return iri if colon and scheme.lower() in LINK_SCHEMES else None


#: Schemes never linked, not even to this server's description of the IRI: the page of such
#: an IRI is reached by typing it, never by a click that shows the scheme as a link.
_NO_LINK_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob", "filesystem", "about"})


def lookup_href(iri: str, root_path: str = "", resource: str = "/resource") -> str | None:
    """This server's page of ``iri`` at the URI lookup route (``/resource?iri=...``), for an
    IRI outside the served bases; None for schemes that are never links (javascript:, data: ...)."""
    scheme, colon, _ = iri.partition(":")
    if not colon or scheme.lower() in _NO_LINK_SCHEMES:
        return None
    return f"{root_path}{resource}?{urlencode({'iri': iri})}"


def compact_path(path: str) -> str:
    """A SHACL result path as people read it: every ``<iri>`` in a SPARQL property path
    written ``prefix:local`` where a known prefix fits (``(elm:mode|(elm:provenBy/elm:mode))``),
    a bare IRI likewise; anything else as it was."""
    if "<" not in path:
        return compact(path)
    return re.sub(r"<([^<>\s]+)>", lambda m: (lambda c: c if c != m.group(1) else m.group(0))(compact(m.group(1))),
                  path)


def compact(iri: str) -> str:
    """``prefix:local`` when a known prefix fits, else ``<iri>``."""
    best = ""
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "_-." for c in local):
                best, name = ns, f"{p}:{local}"
    return name if best else iri
