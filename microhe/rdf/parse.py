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

JSON-LD specifics
    Duplicate keys in a JSON object are refused (JSON processors disagree on them).
    pyoxigraph emits a triple once per occurrence in the JSON tree; the result is
    de-duplicated (order kept) for JSON-LD only. A non-empty JSON document that yields
    no triple at all (an upload wrapper ``{"credential": ...}``, a JWS ``{payload,
    signatures}``, a document without ``@context``) is an error, with a hint. Keys that
    a context does not map are dropped by JSON-LD itself; that is not detected here.
    Literal lexical forms are kept as written, numbers included.

How pyoxigraph reports positions
    Its ``SyntaxError`` has ``lineno``/``offset`` (1-based line and column, in code
    points; ``end_lineno``/``end_offset`` for the end) and a message prefixed with
    ``"Parser error at line L column C: "`` (or ``"... between columns C and D: "``).
    Turtle, N-Triples, N-Quads, TriG and JSON *syntax* errors carry them; JSON-LD
    processing errors and RDF/XML errors do not. For RDF/XML the position of an XML
    well-formedness error is recovered with expat; for JSON syntax, UTF-8 and "unknown
    context" errors it comes from this module.
"""

from __future__ import annotations

import codecs
import copy
import json
import os
import re
import secrets
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate
from types import MappingProxyType
from typing import Any

import pyoxigraph as ox

from microhe.errors import InputError

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "Limits",
    "ParseError",
    "UnsupportedFormatError",
    "bundled_context",
    "bundled_contexts",
    "detect_format",
    "load_context_file",
    "parse",
]

MiB = 1024 * 1024


# --------------------------------------------------------------------------- errors


class ParseError(InputError, ValueError):
    """Input that cannot be turned into RDF.

    ``message`` is the bare reason; ``source`` the file name (or ``None``); ``line`` and
    ``column`` are 1-based (column in characters) when known. ``str(e)`` is
    ``"source:line:column: message"`` with the unknown parts left out.
    """

    def __init__(self, message: str, source: str | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.args = (message, source, line, column)  # keeps the error picklable
        self.source = source
        self.line = line
        self.column = column

    def relocate(self, line: int | None, column: int | None, message: str | None = None) -> None:
        """Set the position (and optionally the message) after the fact."""
        self.line, self.column = line, column
        if message is not None:
            self.message = message
        self.args = (self.message, self.source, self.line, self.column)

    def describe(self) -> str:
        where = [str(self.source) if self.source else ("<input>" if self.line else "")]
        if self.line:
            where.append(str(self.line))
            if self.column:
                where.append(str(self.column))
        prefix = ":".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class UnsupportedFormatError(ParseError):
    """The RDF format cannot be told from the name/media type, or is not supported."""


# --------------------------------------------------------------------------- formats

_TTL = ox.RdfFormat.TURTLE
_NT = ox.RdfFormat.N_TRIPLES
_NQ = ox.RdfFormat.N_QUADS
_TRIG = ox.RdfFormat.TRIG
_XML = ox.RdfFormat.RDF_XML
_JSONLD = ox.RdfFormat.JSON_LD

#: Name, file extension (with the dot) or media type -> pyoxigraph format.
FORMATS: Mapping[str, ox.RdfFormat] = MappingProxyType({
    # file extensions
    ".ttl": _TTL, ".nt": _NT, ".nq": _NQ, ".trig": _TRIG,
    ".rdf": _XML, ".owl": _XML, ".xml": _XML, ".jsonld": _JSONLD, ".json": _JSONLD,
    # media types
    "text/turtle": _TTL, "application/x-turtle": _TTL,
    "application/n-triples": _NT,
    "application/n-quads": _NQ, "text/x-nquads": _NQ,
    "application/trig": _TRIG, "application/x-trig": _TRIG,
    "application/rdf+xml": _XML, "application/xml": _XML, "text/xml": _XML,
    "application/ld+json": _JSONLD, "application/json": _JSONLD,
    # format names
    "turtle": _TTL, "n-triples": _NT, "ntriples": _NT, "n-quads": _NQ, "nquads": _NQ,
    "trig": _TRIG, "rdf-xml": _XML, "rdfxml": _XML, "json-ld": _JSONLD, "jsonld": _JSONLD,
})

_SUPPORTED_FORMATS = frozenset(FORMATS.values()) | {ox.RdfFormat.STREAMING_JSON_LD}
# Media types that say nothing about the content: fall back to the file name.
_GENERIC_MEDIA_TYPES = frozenset({"application/octet-stream", "text/plain", "*/*", ""})


def _supported() -> str:
    exts = ", ".join(k for k in FORMATS if k.startswith("."))
    types = ", ".join(k for k in FORMATS if "/" in k and not k.startswith(("application/x-", "text/x-")))
    return f"supported: {exts} (media types {types})"


def detect_format(name: str | None = None, media_type: str | None = None) -> ox.RdfFormat:
    """The RDF format of an input, from its media type or else its file name.

    A known media type wins (parameters such as ``; charset=utf-8`` are ignored); a
    generic one (``application/octet-stream``, ``text/plain``) falls back to the name's
    extension. ``name`` may also be a format name (``turtle``, ``json-ld``) or a URL.
    Raises :class:`UnsupportedFormatError` listing the supported ones.
    """
    if media_type is not None:
        mt = media_type.split(";", 1)[0].strip().lower()
        if mt in FORMATS and "/" in mt:
            return FORMATS[mt]
        if mt not in _GENERIC_MEDIA_TYPES:
            raise UnsupportedFormatError(f"unsupported media type {media_type!r}; {_supported()}", name)
    if name:
        bare = re.split(r"[?#]", str(name), maxsplit=1)[0]
        ext = os.path.splitext(os.path.basename(bare))[1].lower()
        if ext in FORMATS:
            return FORMATS[ext]
        for key in (str(name).lower(), "." + str(name).lower()):
            if key in FORMATS and "/" not in key:
                return FORMATS[key]
        what = f"extension {ext!r}" if ext else "no file extension"
        raise UnsupportedFormatError(f"cannot tell the RDF format of {name!r} ({what}); {_supported()}", str(name))
    raise UnsupportedFormatError(f"no file name or media type to tell the RDF format from; {_supported()}")


# --------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limits:
    """Resource limits for one parse (see the module docstring)."""

    max_bytes: int = 512 * MiB
    max_literal_bytes: int = 10 * MiB
    max_json_depth: int = 64


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------- contexts

_CONTEXT_DIR = "contexts"


def _context_dir():
    return resources.files("microhe.rdf").joinpath(_CONTEXT_DIR)


@cache
def _registry() -> tuple[dict[str, str], tuple[str, ...]]:
    """(URL or alias -> file name, canonical URLs) from contexts/contexts.json."""
    text = _context_dir().joinpath("contexts.json").read_text("utf-8")
    table: dict[str, str] = {}
    canonical: list[str] = []
    for entry in json.loads(text)["contexts"]:
        if not entry.get("url"):
            continue
        canonical.append(entry["url"])
        for url in [entry["url"], *entry.get("aliases", [])]:
            table[url] = entry["file"]
    return table, tuple(canonical)


def bundled_contexts() -> dict[str, str]:
    """Every context URL (aliases included) that resolves locally -> its bundled file name."""
    return dict(_registry()[0])


@cache
def _context_file_text(name: str) -> str:
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a bundled context file name: {name!r}")
    return _context_dir().joinpath(name).read_text("utf-8")


def load_context_file(name: str) -> dict[str, Any]:
    """A bundled context document by file name (a fresh copy), e.g. to pass
    ``contexts={EDC_URL: load_context_file("edc-ap-context-v3.2.jsonld")}`` to :func:`parse`."""
    return json.loads(_context_file_text(name))


def bundled_context(url: str) -> dict[str, Any]:
    """The bundled context document served at ``url`` (a fresh copy); KeyError if not bundled."""
    return load_context_file(_registry()[0][url])


def _context_value(document: Any, url: str) -> Any:
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ParseError(f"context document for <{url}> has no top-level @context")
    return document["@context"]


@cache
def _resolved_bundled(url: str) -> Any:
    """The bundled @context value for ``url`` with its own references resolved. Shared:
    never mutate the result (it is only inserted into documents and serialised)."""
    resolver = _Resolver(Limits(max_literal_bytes=2**62, max_json_depth=1000), {}, None, building=True)
    return resolver.context_for_url(url, "a bundled context")


# --------------------------------------------------------------------------- JSON-LD


class _Resolver:
    """Walks a parsed JSON-LD document: enforces the string-size limit and replaces every
    @context reference by a local context value."""

    def __init__(self, limits: Limits, extra: Mapping[str, Any], source: str | None,
                 *, building: bool = False) -> None:
        self.limits = limits
        self.extra = extra
        self.source = source
        self.building = building  # resolving the bundled contexts themselves
        self.changed = False
        self._stack: list[str] = []  # URLs being resolved (cycle guard)
        self._cache: dict[str, Any] = {}

    # -- contexts
    def context_for_url(self, url: str, where: str) -> Any:
        if url in self._cache:
            return self._cache[url]
        if url in self._stack:
            raise ParseError(f"JSON-LD context <{url}> refers to itself", self.source)
        table, canonical = _registry()
        if url in self.extra:
            value = copy.deepcopy(_context_value(self.extra[url], url))
        elif url in table:
            if not self.building:
                return _resolved_bundled(url)
            value = _context_value(json.loads(_context_file_text(table[url])), url)
        else:
            known = ", ".join([*canonical, *(u for u in self.extra if u not in table)])
            raise ParseError(
                f"remote JSON-LD context <{url}> (at {where}) is not bundled and is never fetched; "
                f"known: {known}", self.source)
        self._stack.append(url)
        try:
            value = self.context(value, [f"<{url}>"], 1)
        finally:
            self._stack.pop()
        self._cache[url] = value
        return value

    def context(self, value: Any, path: list[Any], depth: int) -> Any:
        """A local @context value for ``value`` (string, array, object or null)."""
        if isinstance(value, str):
            self.changed = True
            return self.context_for_url(value, _json_path(path))
        if isinstance(value, list):
            out = []
            for i, item in enumerate(value):
                path.append(i)
                out.append(self.context(item, path, depth + 1))
                path.pop()
            return out
        if isinstance(value, dict):
            if "@import" not in value:
                return self.walk(value, path, depth)
            imported = value["@import"]
            path.append("@import")
            where = _json_path(path)
            path.pop()
            if not isinstance(imported, str):
                raise ParseError(f"@import at {where} must be a string", self.source)
            target = self.context_for_url(imported, where)
            if not isinstance(target, dict) or "@import" in target:
                raise ParseError(f"@import of <{imported}> at {where} must name a single context object",
                                 self.source)
            local = self.walk({k: v for k, v in value.items() if k != "@import"}, path, depth)
            self.changed = True
            return {**target, **local}
        return value  # null, or something pyoxigraph will reject with its own message

    # -- documents
    def walk(self, node: Any, path: list[Any], depth: int) -> Any:
        if depth > self.limits.max_json_depth:
            raise ParseError(f"JSON nested deeper than {self.limits.max_json_depth} levels at {_json_path(path)}",
                             self.source)
        if isinstance(node, str):
            self._check_string(node, path)
        elif isinstance(node, dict):
            for key in list(node):
                self._check_string(key, path)
                path.append(key)
                if key == "@context":
                    node[key] = self.context(node[key], path, depth + 1)
                elif key == "@value":
                    self.walk_data(node[key], path, depth + 1)  # a JSON literal: data, not contexts
                else:
                    self.walk(node[key], path, depth + 1)
                path.pop()
        elif isinstance(node, list):
            for i, item in enumerate(node):
                path.append(i)
                self.walk(item, path, depth + 1)
                path.pop()
        return node

    def walk_data(self, node: Any, path: list[Any], depth: int) -> None:
        if isinstance(node, str):
            self._check_string(node, path)
        elif isinstance(node, dict):
            for key, value in node.items():
                self._check_string(key, path)
                self.walk_data(value, path, depth + 1)
        elif isinstance(node, list):
            for item in node:
                self.walk_data(item, path, depth + 1)

    def _check_string(self, s: str, path: list[Any]) -> None:
        limit = self.limits.max_literal_bytes
        if len(s) * 4 > limit:  # cheap test first: a code point is at most 4 bytes
            size = len(s.encode("utf-8", "surrogatepass"))
            if size > limit:
                raise ParseError(f"string of {size} bytes at {_json_path(path)} exceeds the literal limit "
                                 f"of {limit} bytes", self.source)


def _json_path(path: list[Any]) -> str:
    out = "$"
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and p.startswith("<"):
            out = p  # inside a named context document
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p):
            out += f".{p}"
        else:
            out += f"[{json.dumps(p)}]"
    return out


_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def _json_depth(raw: bytes) -> int:
    """Maximum bracket nesting of JSON text, computed at C speed without recursion."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(accumulate(array("b", brackets.translate(_BRACKET_STEPS))))


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _decode_utf8(raw: bytes, source: str | None) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        prefix = raw[: e.start]
        line = prefix.count(b"\n") + 1
        column = len(prefix[prefix.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise ParseError(f"invalid UTF-8 (byte 0x{raw[e.start]:02x}): {e.reason}", source, line, column) from None


class _Numbers:
    """Keeps JSON numbers exactly as written: json.loads turns them into unique marker
    strings, which are put back verbatim after json.dumps."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.raw: list[str] = []

    def marker(self, text: str) -> str:
        self.raw.append(text)
        return f"\x00{self.nonce}:{len(self.raw) - 1}"

    def parse_int(self, text: str) -> Any:
        return int(text) if len(text) < 100 and not text.startswith("-0") else self.marker(text)

    def restore(self, dumped: str) -> str:
        if not self.raw:
            return dumped
        pattern = re.compile(r'"\\u0000' + self.nonce + r':(\d+)"')
        return pattern.sub(lambda m: self.raw[int(m.group(1))], dumped)


def _no_duplicates(source: str | None):
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            dup = next(k for k, _ in pairs if k in seen or seen.add(k))
            raise ParseError(f"duplicate key {dup!r} in a JSON object", source)
        return obj
    return hook


def _wrapper_hint(doc: Any) -> str:
    top = doc if isinstance(doc, dict) else next((d for d in doc if isinstance(d, dict)), {})
    keys = [k for k in top if k != "@context"]
    shown = ", ".join(repr(k) for k in keys[:8]) + (", ..." if len(keys) > 8 else "")
    if {"payload", "signatures"} <= set(top):
        return ("it looks like a JWS JSON serialisation (a signed credential); parse the decoded "
                "'payload' instead")
    if "credential" in top and isinstance(top["credential"], dict) and "@context" not in top:
        return "it looks like an upload wrapper {\"credential\": ...}; parse the value of 'credential' instead"
    if "@context" not in top:
        return f"it has no @context, so none of its keys ({shown}) map to IRIs"
    return f"none of its keys ({shown}) map to IRIs under its @context"


def _contains_context(node: Any, depth: int = 0) -> bool:
    if depth > 8:
        return False
    if isinstance(node, dict):
        return "@context" in node or any(_contains_context(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return any(_contains_context(v, depth + 1) for v in node)
    return False


def _refuse_wrapped(doc: Any, source: str | None) -> None:
    """A JSON-LD document nested under a key that maps to nothing (no top-level @context):
    JSON-LD drops it (pyoxigraph 0.5 even reads part of it), so refuse with a hint."""
    for top in doc if isinstance(doc, list) else [doc]:
        if not isinstance(top, dict) or "@context" in top:
            continue
        for key, value in top.items():
            if key.startswith("@") or ":" in key or not _contains_context(value):
                continue
            hint = (f"if this is an upload wrapper {{\"{key}\": ...}}, parse the value of {key!r} instead"
                    if key == "credential" else f"parse the value of {key!r} instead")
            raise ParseError(f"no RDF mapping for top-level key {key!r} (the document has no top-level "
                             f"@context), so the JSON-LD document nested under it would be lost; {hint}",
                             source)


def _has_data(doc: Any) -> bool:
    if isinstance(doc, dict):
        return any(k != "@context" for k in doc)
    if isinstance(doc, list):
        return any(_has_data(d) if isinstance(d, (dict, list)) else True for d in doc)
    return False


_NO_BASE = "https://no-base.invalid/"


def _parse_jsonld(raw: bytes, *, source: str | None, base_iri: str | None, rename_blank_nodes: bool,
                  limits: Limits, contexts: Mapping[str, Any]) -> list[ox.Quad]:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw or raw.isspace():
        return []
    depth = _json_depth(raw)
    if depth > limits.max_json_depth:
        raise ParseError(f"JSON nested {depth} levels deep; the limit is {limits.max_json_depth}", source)
    text = _decode_utf8(raw, source)
    numbers = _Numbers()

    def reject_constant(name: str) -> Any:
        raise ParseError(f"{name} is not valid JSON", source)

    try:
        doc = json.loads(text, parse_float=numbers.marker, parse_int=numbers.parse_int,
                         parse_constant=reject_constant, object_pairs_hook=_no_duplicates(source))
    except json.JSONDecodeError as e:
        raise ParseError(f"invalid JSON: {e.msg}", source, e.lineno, e.colno) from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", source) from None
    if not isinstance(doc, (dict, list)):
        raise ParseError(f"a JSON-LD document is a JSON object or array, not {type(doc).__name__}", source)

    _refuse_wrapped(doc, source)
    resolver = _Resolver(limits, contexts, source)
    try:
        resolver.walk(doc, [], 1)
    except ParseError as e:
        _locate_url(e, text)
        raise
    if resolver.changed:
        dumped = numbers.restore(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
        positions_valid = False
    else:
        dumped = text
        positions_valid = True
    try:
        payload = dumped.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError("invalid Unicode in a JSON string (unpaired surrogate escape)", source) from None

    quads = _run(lambda: ox.parse(payload, _JSONLD, base_iri=base_iri or _NO_BASE,
                                  rename_blank_nodes=rename_blank_nodes),
                 source, base_iri, positions=positions_valid)
    quads = list(dict.fromkeys(quads))  # JSON-LD repeats a triple per occurrence in the tree
    if base_iri is None:
        _refuse_relative(quads, source)
    if not quads and _has_data(doc):
        raise ParseError(f"no RDF in document: {_wrapper_hint(doc)}", source)
    return quads


def _locate_url(error: ParseError, text: str) -> None:
    """Give an 'unknown context' error the position of the URL's first occurrence."""
    m = re.match(r"remote JSON-LD context <([^>]*)>", error.message)
    if m and error.line is None:
        index = text.find(json.dumps(m.group(1)))
        if index >= 0:
            error.relocate(*_line_col(text, index))


def _refuse_relative(quads: list[ox.Quad], source: str | None) -> None:
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name,
                     q.object.datatype if isinstance(q.object, ox.Literal) else None):
            if isinstance(term, ox.NamedNode) and term.value.startswith(_NO_BASE):
                ref = term.value[len(_NO_BASE):]
                raise ParseError(f"relative IRI reference {ref!r} but no base IRI was given (use absolute "
                                 "IRIs or @base, or give a base: `--base IRI` on the command line, base_iri= "
                                 "in Python)", source)


# --------------------------------------------------------------------------- RDF/XML


def _expat_check(raw: bytes | None, path: str | None, limits: Limits, source: str | None,
                 *, for_error: bool = False) -> ParseError | None:
    """Run expat over RDF/XML: returns a located ParseError for a well-formedness error or
    entity amplification (libexpat refuses "billion laughs"), or for expanded text larger
    than the literal limit; None when expat is happy."""
    import pyexpat

    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    run = [0, 0]  # bytes of the current text node, bytes of all text and attributes
    limit = limits.max_literal_bytes

    class _TooBig(Exception):
        pass

    class _Refused(Exception):
        pass

    def entity(name: str, is_parameter: int, _value, _base, system_id, public_id, _notation) -> None:
        # pyoxigraph refuses these too, but with a message about quotes that hides the reason
        if system_id is not None or public_id is not None:
            where = f'SYSTEM "{system_id}"' if public_id is None else f'PUBLIC "{public_id}" "{system_id}"'
            raise _Refused(f"external XML entities are not allowed (<!ENTITY {'% ' * bool(is_parameter)}{name} "
                           f"{where[:120]}>): microhe never reads a file or URL that a document names; "
                           "write the text into the document, or declare an internal entity "
                           '(<!ENTITY name "text">)')
        if is_parameter:
            raise _Refused(f"XML parameter entities are not allowed (<!ENTITY % {name} ...>); only internal "
                           'general entities are (<!ENTITY name "text">)')

    def add(data: str) -> None:
        n = len(data.encode("utf-8", "surrogatepass"))
        run[0] += n
        run[1] += n
        if run[0] > limit or run[1] > limits.max_bytes:
            raise _TooBig

    def start(_name: str, attrs: dict[str, str]) -> None:
        for v in attrs.values():
            run[0] = 0
            add(v)
        run[0] = 0

    def end(_name: str) -> None:
        run[0] = 0

    parser.CharacterDataHandler = add
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = entity
    try:
        if raw is not None:
            parser.Parse(raw, True)
        else:
            with open(path, "rb") as f:  # type: ignore[arg-type]
                parser.ParseFile(f)
    except pyexpat.ExpatError as e:
        what = "XML error" if for_error else "invalid XML"
        return ParseError(f"{what}: {pyexpat.ErrorString(e.code)}", source, e.lineno, e.offset + 1)
    except _Refused as e:
        return ParseError(str(e), source, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
    except _TooBig:
        return ParseError(f"XML text after entity expansion exceeds the limit of {limit} bytes per literal "
                          f"or {limits.max_bytes} bytes in all",
                          source, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
    return None


def _declares_entities(raw: bytes | None, path: str | None) -> bool:
    if raw is not None:
        return b"<!ENTITY" in raw
    tail = b""
    with open(path, "rb") as f:  # type: ignore[arg-type]
        while chunk := f.read(4 * MiB):
            if b"<!ENTITY" in tail + chunk:
                return True
            tail = chunk[-8:]
    return False


# --------------------------------------------------------------------------- running pyoxigraph

_POSITION_PREFIX = re.compile(r"^Parser error (?:at|from|between) (?:line|lines) [^:]*: ")


def _run(make, source: str | None, base_iri: str | None, *, positions: bool = True) -> list[ox.Quad]:
    try:
        return list(make())
    except SyntaxError as e:
        raw_msg = e.msg if isinstance(e.msg, str) else str(e)
        message = _POSITION_PREFIX.sub("", raw_msg)
        if base_iri is None and "No scheme found in an absolute IRI" in message:
            message += (" (a relative IRI and no base IRI to resolve it against: use absolute IRIs or @base, "
                        "or give a base: `--base IRI` on the command line, base_iri= in Python)")
        line = e.lineno if positions else None
        column = e.offset if positions else None
        raise ParseError(message, source, line, column) from None
    except MemoryError as e:
        if "buffer maximal size" not in str(e):
            raise
        # pyoxigraph's parsers hold one token (IRI, literal) in a buffer of at most 16 MiB
        raise ParseError(f"a single token (literal or IRI) is too large for the parser: {e}", source) from None
    except (UnicodeError, OverflowError) as e:
        raise ParseError(f"{type(e).__name__}: {e}", source) from None
    except ValueError as e:  # e.g. an invalid base IRI
        raise ParseError(str(e), source) from None


def _check_literals(quads: list[ox.Quad], limit: int, source: str | None) -> None:
    quarter = limit // 4
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal):
            value = o.value
            if len(value) > quarter:
                size = len(value.encode("utf-8", "surrogatepass"))
                if size > limit:
                    raise ParseError(f"literal of {size} bytes (subject {q.subject}, predicate {q.predicate}) "
                                     f"exceeds the limit of {limit} bytes", source)


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
    """Parse ``data`` into a list of quads (graph ``DefaultGraph`` for triple formats).

    ``data`` is the document itself (``bytes``; ``str`` is document *text*, never a file
    name) or a path (``os.PathLike``, e.g. ``pathlib.Path``), which is streamed by
    pyoxigraph (JSON-LD files are read whole). ``format`` is a pyoxigraph format (or a
    name/extension/media type); without it the format is detected from ``name`` (which
    defaults to the path). ``name`` is also the source shown in errors.
    ``base_iri=None`` means relative IRIs are an error (see module docstring).
    ``rename_blank_nodes=False`` keeps blank-node labels as written (for restores).
    ``contexts`` adds or overrides JSON-LD contexts: URL -> context document (a JSON
    object with ``@context``), e.g. ``load_context_file("edc-ap-context-v3.2.jsonld")``.

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

    size = os.stat(path).st_size if path is not None else len(raw)  # type: ignore[arg-type]
    if size > limits.max_bytes:
        raise ParseError(f"input of {size} bytes exceeds the limit of {limits.max_bytes} bytes", source)
    if size == 0:
        return []

    if fmt == _JSONLD:
        if raw is None:
            with open(path, "rb") as f:  # type: ignore[arg-type]
                raw = f.read(limits.max_bytes + 1)
            if len(raw) > limits.max_bytes:
                raise ParseError(f"input exceeds the limit of {limits.max_bytes} bytes", source)
        return _parse_jsonld(raw, source=source, base_iri=base_iri, rename_blank_nodes=rename_blank_nodes,
                             limits=limits, contexts=contexts or {})

    if fmt == _XML and _declares_entities(raw, path):
        problem = _expat_check(raw, path, limits, source)
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
            located = _expat_check(raw, path, limits, source, for_error=True)
            if located is not None:
                e.relocate(located.line, located.column, f"{e.message} ({located.message})")
        raise
    if size > limits.max_literal_bytes:  # a smaller input cannot hold a larger literal
        _check_literals(quads, limits.max_literal_bytes, source)
    return quads
