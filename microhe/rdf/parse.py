"""Turn bytes, text or files into RDF quads (pyoxigraph terms).

One entry point, :func:`parse`, used by the CLI (``validate``/``load``), the HTTP Graph
Store and the importers, so every RDF input in the project is read the same way:

* Formats: Turtle, N-Triples, N-Quads, TriG, RDF/XML and JSON-LD, told apart by
  :func:`detect_format` (media type first, then file extension). N3 is not accepted.
* JSON-LD never touches the network. Every ``@context`` reference (at any depth, in
  arrays, in scoped contexts, ``@import``) must be one of the context documents bundled
  in ``microhe/rdf/contexts/`` (see ``contexts.json`` and its README); it is replaced by
  the bundled document's ``@context`` value before pyoxigraph sees the document. Any
  other reference is refused with :class:`ParseError` naming the URL. pyoxigraph itself
  has no document loader, so it could not fetch one either.
* Every failure is a :class:`ParseError` (a ``ValueError``) carrying ``source``,
  ``line`` and ``column`` when they are known; ``str(e)`` reads
  ``"file.ttl:12:5: <message>"``. Missing or unreadable files raise ``OSError`` as usual.
* Empty input (zero bytes or only white space) gives zero quads, not an error.

Base IRI
    ``base_iri=None`` (the default) means *no* base: a relative IRI reference in the
    input is an error (pyoxigraph reports its position for Turtle, N-Triples, N-Quads and
    TriG; for JSON-LD, whose processor would silently drop such nodes, this module
    detects them and refuses the document). The loader passes the instance base.

Limits (:class:`Limits`)
    ``max_bytes`` caps the input size (files are checked with ``stat`` before reading),
    ``max_literal_bytes`` the UTF-8 size of any single literal (and JSON string),
    ``max_json_depth`` the nesting of JSON arrays/objects (checked on the raw bytes
    before ``json.loads``, so hostile nesting cannot exhaust the stack). RDF/XML that
    declares XML entities is first run through expat (which stops "billion laughs"
    amplification) and its expanded text is held to the same literal limit. External
    entities (``<!ENTITY x SYSTEM "file:///etc/passwd">``, ``PUBLIC``) and parameter
    entities are refused there with a message saying so; nothing they name is read.

JSON-LD specifics (bundled contexts, duplicate keys, wrappers, de-duplication) are in
:mod:`microhe.rdf.jsonld`; the RDF/XML entity checks in :mod:`microhe.rdf.rdfxml`; the
located error, the limits and how pyoxigraph reports positions in :mod:`microhe.rdf.reading`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from microhe.rdf import formats
from microhe.rdf.jsonld import JsonLdResult, parse_jsonld
from microhe.rdf.rdfxml import declares_entities, expat_check
from microhe.rdf.reading import (
    DEFAULT_LIMITS,
    Limits,
    ParseError,
    UnsupportedFormatError,
    _check_literals,
    _run,
)

__all__ = ["ParseResult", "detect_format", "parse", "read"]

#: What :func:`read` returns for every format (JSON-LD fills in what expansion dropped).
ParseResult = JsonLdResult


# --------------------------------------------------------------------------- formats

_JSONLD = ox.RdfFormat.JSON_LD
_XML = ox.RdfFormat.RDF_XML
_SUPPORTED_FORMATS = frozenset(ox.RdfFormat.from_media_type(mt) for mt in formats.RDF_MEDIA_TYPES) | {
    ox.RdfFormat.STREAMING_JSON_LD}
_SHOWN_MEDIA_TYPES = (formats.TURTLE, formats.N_TRIPLES, formats.N_QUADS, formats.TRIG, formats.RDF_XML,
                      "application/xml", "text/xml", formats.JSON_LD, formats.JSON)


def _supported() -> str:
    exts = ", ".join("." + e for e in formats.READ_EXTENSIONS)
    return f"supported: {exts} (media types {', '.join(_SHOWN_MEDIA_TYPES)})"


def detect_format(name: str | None = None, media_type: str | None = None) -> ox.RdfFormat:
    """The RDF format of an input, from its media type or else its file name
    (:func:`microhe.rdf.formats.rdf_format`, the one table).

    A known media type wins (parameters such as ``; charset=utf-8`` are ignored); a
    generic one (``application/octet-stream``, ``text/plain``) falls back to the name's
    extension. ``name`` may also be a format name (``turtle``, ``json-ld``) or a URL.
    Raises :class:`UnsupportedFormatError` listing the supported ones.
    """
    if media_type is not None:
        fmt = formats.rdf_format(media_type=media_type)
        if fmt is not None:
            return fmt
        if media_type.split(";", 1)[0].strip().lower() not in formats.GENERIC_MEDIA_TYPES:
            raise UnsupportedFormatError(f"unsupported media type {media_type!r}; {_supported()}", name)
    if name:
        fmt = formats.rdf_format(name=name)
        if fmt is not None:
            return fmt
        bare = re.split(r"[?#]", str(name), maxsplit=1)[0]
        ext = os.path.splitext(os.path.basename(bare))[1].lower()
        what = f"extension {ext!r}" if ext else "no file extension"
        sheet = "; a spreadsheet is imported with `microhe import csv FILE`" if ext in (".csv", ".xlsx", ".tsv") else ""
        raise UnsupportedFormatError(f"cannot tell the RDF format of {name!r} ({what}); {_supported()}{sheet}",
                                     str(name))
    raise UnsupportedFormatError(f"no file name or media type to tell the RDF format from; {_supported()}")


# --------------------------------------------------------------------------- entry point


def parse(
    data: bytes | bytearray | memoryview | str | os.PathLike[str],
    *,
    format: ox.RdfFormat | str | None = None,
    name: str | None = None,
    base_iri: str | None = None,
    rename_blank_nodes: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    contexts: Mapping[str, Any] | None = None,
) -> list[ox.Quad]:
    """The quads of :func:`read` (same arguments): for callers that need only the data."""
    return read(data, format=format, name=name, base_iri=base_iri, rename_blank_nodes=rename_blank_nodes,
                limits=limits, contexts=contexts).quads


def read(
    data: bytes | bytearray | memoryview | str | os.PathLike[str],
    *,
    format: ox.RdfFormat | str | None = None,
    name: str | None = None,
    base_iri: str | None = None,
    rename_blank_nodes: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    contexts: Mapping[str, Any] | None = None,
) -> ParseResult:
    """Parse ``data`` into quads (graph ``DefaultGraph`` for triple formats), with what
    reading lost: ``.quads``, ``.dropped`` (the JSON-LD keys expansion dropped, each
    a :class:`~microhe.rdf.jsonld_keys.DroppedKey` with its JSON path; empty for the other
    formats) and ``.edc_version`` (``"3.1"``/``"3.2"`` for JSON-LD using the EDC context).

    ``data`` is the document itself (``bytes``; ``str`` is document *text*, never a file
    name) or a path (``os.PathLike``, e.g. ``pathlib.Path``), which is streamed by
    pyoxigraph (JSON-LD files are read whole). ``format`` is a pyoxigraph format (or a
    name/extension/media type); without it the format is detected from ``name`` (which
    defaults to the path). ``name`` is also the source shown in errors.
    ``base_iri=None`` means relative IRIs are an error (see module docstring).
    ``rename_blank_nodes=False`` keeps blank-node labels as written (for restores).
    ``contexts`` adds or overrides JSON-LD contexts: URL -> context document (a JSON
    object with ``@context``), e.g. ``load_context_file("edc-ap-context-v3.2.jsonld")``, or
    an operator's context directory (:func:`microhe.rdf.context_dir.open_context_dir`).
    Giving the EDC URL here turns off the choice between its two versions.

    Raises :class:`ParseError` (:class:`UnsupportedFormatError` for formats), ``OSError``
    for unreadable files, ``TypeError`` for other kinds of ``data``.
    """
    path: str | None = None
    raw: bytes | None = None
    if isinstance(data, os.PathLike):
        path = os.fspath(data)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if name is None:
            name = path
    elif isinstance(data, str):
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ParseError(f"text contains an unpaired surrogate at index {e.start}", name) from None
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise TypeError(f"parse() takes bytes, str (document text) or a path, not {type(data).__name__}")
    source = name

    if format is None:
        fmt = detect_format(name=name)
    elif isinstance(format, str):
        fmt = detect_format(media_type=format) if "/" in format else detect_format(name=format)
    else:
        fmt = format
    if fmt not in _SUPPORTED_FORMATS:
        raise UnsupportedFormatError(f"unsupported RDF format {fmt.name}; {_supported()}", source)
    if fmt == ox.RdfFormat.STREAMING_JSON_LD:
        fmt = _JSONLD

    size = os.stat(path).st_size if path is not None else len(raw)  # type: ignore[arg-type]  # exactly one of raw and path is given: here path
    if size > limits.max_bytes:
        raise ParseError(f"input of {size} bytes exceeds the limit of {limits.max_bytes} bytes", source)
    if size == 0:
        return ParseResult([])

    if fmt == _JSONLD:
        if raw is None:
            with open(path, "rb") as f:  # type: ignore[arg-type]  # exactly one of raw and path is given: here path
                raw = f.read(limits.max_bytes + 1)
            if len(raw) > limits.max_bytes:
                raise ParseError(f"input exceeds the limit of {limits.max_bytes} bytes", source)
        return parse_jsonld(raw, source=source, base_iri=base_iri, rename_blank_nodes=rename_blank_nodes,
                             limits=limits, contexts=contexts or {})

    if fmt == _XML and declares_entities(raw, path):
        problem = expat_check(raw, path, limits, source)
        if problem is not None:
            raise problem

    kwargs = {"base_iri": base_iri, "rename_blank_nodes": rename_blank_nodes}
    if raw is not None:
        def make():
            return ox.parse(raw, fmt, **kwargs)
    else:
        def make():
            return ox.parse(format=fmt, path=path, **kwargs)
    try:
        quads = _run(make, source, base_iri)
    except ParseError as e:
        if fmt == _XML and e.line is None:  # RDF/XML errors carry no position: ask expat
            located = expat_check(raw, path, limits, source, for_error=True)
            if located is not None:
                e.relocate(located.line, located.column, f"{e.message} ({located.message})")
        raise
    if size > limits.max_literal_bytes:  # a smaller input cannot hold a larger literal
        _check_literals(quads, limits.max_literal_bytes, source)
    return ParseResult(quads)
