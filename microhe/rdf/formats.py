"""The one format table: media types, file extensions and format names -> pyoxigraph formats.

pyoxigraph knows the media types and extensions of every format it reads and writes
(``RdfFormat.from_media_type``/``from_extension``, ``QueryResultsFormat.from_media_type``),
synonyms included (``application/x-turtle``, ``text/x-nquads``, ``application/json``...),
so this module adds only what is microhe's own policy:

* which formats are read and served: Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD
  (N3 is refused: it is more than Turtle, and pyoxigraph's N3 is not RDF 1.1);
* ``text/plain`` says nothing when *reading* (the file name decides), but a client or
  server that asks for or sends it means N-Triples (its historic media type);
* a client asking for N3 (``text/n3``...) is *served* Turtle, which is valid N3;
* the short names given as ``format=`` (``ttl``, ``jsonld``, ``json``...), which differ for
  graphs (``json`` is JSON-LD) and SPARQL results (``json`` is SPARQL JSON).

Everything that turns a media type, file name or ``format=`` value into a format reads it
here: the parser (:mod:`microhe.rdf.parse`), content negotiation
(:mod:`microhe.api.http.negotiation`), the remote store reading a server's answers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

# -- canonical media types ---------------------------------------------------------------

TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
TRIG = "application/trig"
RDF_XML = "application/rdf+xml"
JSON_LD = "application/ld+json"
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
HTML = "text/html"
JSON = "application/json"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

#: The RDF formats microhe reads and writes (canonical media types).
RDF_MEDIA_TYPES = (TURTLE, N_TRIPLES, N_QUADS, TRIG, RDF_XML, JSON_LD)
#: The SPARQL results formats microhe writes.
RESULTS_MEDIA_TYPES = (SPARQL_JSON, SPARQL_XML, CSV, TSV)

_SUPPORTED = frozenset(ox.RdfFormat.from_media_type(mt) for mt in RDF_MEDIA_TYPES) | {ox.RdfFormat.STREAMING_JSON_LD}

#: File extensions read (without the dot); ``owl`` is RDF/XML by convention.
READ_EXTENSIONS = ("ttl", "nt", "nq", "trig", "rdf", "owl", "xml", "jsonld", "json")
_EXTRA_EXTENSIONS = {"owl": "rdf"}
#: Media types that say nothing about the content when reading: the file name decides.
GENERIC_MEDIA_TYPES = frozenset({"application/octet-stream", "text/plain", "*/*", ""})

#: Media types a client may ask for, served as another (the canonical one); pyoxigraph's
#: own synonyms come on top of these (see :func:`served_as`).
_SERVED_AS_EXTRA = {
    "text/n3": TURTLE, "text/rdf+n3": TURTLE, "application/n3": TURTLE,  # Turtle is N3
    "application/xhtml+xml": HTML,
}
_RDF_SYNONYMS = ("application/x-turtle", "application/turtle", "text/plain", "application/xml", "text/xml",
                 JSON, "application/x-trig", "text/x-nquads")
_RESULTS_SYNONYMS = (JSON, "application/xml", "text/xml")
_NOT_READ = frozenset({"n3", "text/n3"})  # names served as Turtle, never read as it

#: ``format=`` names of RDF formats (and of the HTML page).
RDF_NAMES = {
    "turtle": TURTLE, "ttl": TURTLE, "n3": TURTLE, "text/n3": TURTLE,
    "nt": N_TRIPLES, "ntriples": N_TRIPLES, "n-triples": N_TRIPLES,
    "json-ld": JSON_LD, "jsonld": JSON_LD, "json": JSON_LD,
    "rdf": RDF_XML, "xml": RDF_XML, "rdf+xml": RDF_XML, "rdfxml": RDF_XML, "rdf/xml": RDF_XML, "rdf-xml": RDF_XML,
    "trig": TRIG, "nq": N_QUADS, "nquads": N_QUADS, "n-quads": N_QUADS,
    "html": HTML,
}
#: ``format=`` names of SPARQL results formats.
RESULTS_NAMES = {
    "json": SPARQL_JSON, "srj": SPARQL_JSON, "sparql-results+json": SPARQL_JSON,
    "xml": SPARQL_XML, "srx": SPARQL_XML, "sparql-results+xml": SPARQL_XML,
    "csv": CSV, "tsv": TSV, "tab-separated-values": TSV,
}


def _bare(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def rdf_format(*, media_type: str | None = None, name: str | None = None) -> ox.RdfFormat | None:
    """The RDF format microhe *reads* for a media type (parameters ignored), else for a
    file name, URL, extension or format name; None when neither tells a supported one.
    A generic media type (``text/plain``, ``application/octet-stream``) tells nothing."""
    if media_type is not None:
        mt = _bare(media_type)
        if mt not in GENERIC_MEDIA_TYPES and "/" in mt:
            fmt = ox.RdfFormat.from_media_type(mt)
            return fmt if fmt in _SUPPORTED else None
    if name:
        bare = re.split(r"[?#]", str(name), maxsplit=1)[0]
        ext = os.path.splitext(os.path.basename(bare))[1].lower().lstrip(".")
        if not ext and str(name).lower() in RDF_NAMES:
            fmt = ox.RdfFormat.from_media_type(RDF_NAMES[str(name).lower()])
            return fmt if fmt in _SUPPORTED and str(name).lower() not in _NOT_READ else None
        ext = ext or str(name).lower().lstrip(".")
        if ext in READ_EXTENSIONS:
            return ox.RdfFormat.from_extension(_EXTRA_EXTENSIONS.get(ext, ext))
    return None


def served_as(media_type: str) -> str | None:
    """The canonical media type that answers a request for ``media_type`` (RDF formats
    and the HTML page), or None when microhe serves nothing for it."""
    mt = _bare(media_type)
    if mt in _SERVED_AS_EXTRA:
        return _SERVED_AS_EXTRA[mt]
    if mt == HTML:
        return HTML
    fmt = ox.RdfFormat.from_media_type(mt) if "/" in mt else None
    return fmt.media_type if fmt is not None and fmt in _SUPPORTED else None


def results_served_as(media_type: str) -> str | None:
    """The canonical SPARQL results media type that answers a request for ``media_type``."""
    mt = _bare(media_type)
    fmt = ox.QueryResultsFormat.from_media_type(mt) if "/" in mt else None
    return _bare(fmt.media_type) if fmt is not None and _bare(fmt.media_type) in RESULTS_MEDIA_TYPES else None


def format_of(media_type: str) -> ox.RdfFormat | ox.QueryResultsFormat | None:
    """The pyoxigraph format that writes a canonical media type (None for the HTML page)."""
    if media_type in RESULTS_MEDIA_TYPES:
        return ox.QueryResultsFormat.from_media_type(media_type)
    if media_type in RDF_MEDIA_TYPES:
        return ox.RdfFormat.from_media_type(media_type)
    return None


def synonyms_of(canonical: Sequence[str], *, results: bool = False) -> dict[str, str]:
    """Media type -> canonical media type, for the synonyms of ``canonical`` a client may send."""
    pairs: Iterable[tuple[str, str | None]]
    if results:
        pairs = ((s, results_served_as(s)) for s in _RESULTS_SYNONYMS)
    else:
        pairs = [*((s, served_as(s)) for s in _RDF_SYNONYMS), *_SERVED_AS_EXTRA.items()]
    return {s: target for s, target in pairs if target is not None and target in canonical and s not in canonical}


def names_of(canonical: Sequence[str], *, results: bool = False) -> dict[str, str]:
    """``format=`` name -> canonical media type, for the names of ``canonical``."""
    table = RESULTS_NAMES if results else RDF_NAMES
    return {name: mt for name, mt in table.items() if mt in canonical}


def short_name(media_type: str) -> str:
    """The ``format=`` value written in links for a canonical media type (its extension)."""
    if media_type == HTML:
        return "html"
    fmt = format_of(media_type)
    return fmt.file_extension if fmt is not None else media_type


__all__ = [
    "TURTLE", "N_TRIPLES", "N_QUADS", "TRIG", "RDF_XML", "JSON_LD", "SPARQL_JSON", "SPARQL_XML", "CSV", "TSV",
    "HTML", "JSON", "SPARQL_QUERY", "SPARQL_UPDATE", "RDF_MEDIA_TYPES", "RESULTS_MEDIA_TYPES", "READ_EXTENSIONS",
    "GENERIC_MEDIA_TYPES", "RDF_NAMES", "RESULTS_NAMES", "rdf_format", "served_as", "results_served_as",
    "format_of", "synonyms_of", "names_of", "short_name",
]


def in_memory(body: bytes | None) -> bytes:
    """The bytes of a pyoxigraph ``serialize()`` called without an output. Its stubs type
    every call ``bytes | None`` (None is for the calls that write to an output), so the
    in-memory calls pass through here to say which they are."""
    if body is None:
        raise TypeError("serialize() was given an output and returned None; call it without one for the bytes")
    return body
