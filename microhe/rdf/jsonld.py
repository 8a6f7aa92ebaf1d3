"""JSON-LD without the network: the bundled ``@context`` documents and the checks a JSON-LD
document passes before pyoxigraph reads it.

Every ``@context`` reference (at any depth, in arrays, in scoped contexts, ``@import``)
must be one of the context documents bundled in ``microhe/rdf/contexts/`` (see
``contexts.json`` and its README); it is replaced by the bundled document's ``@context``
value before pyoxigraph sees the document. Any other reference is refused with
:class:`~microhe.rdf.reading.ParseError` naming the URL. pyoxigraph itself has no document
loader, so it could not fetch one either.

Duplicate keys in a JSON object are refused (JSON processors disagree on them).
pyoxigraph emits a triple once per occurrence in the JSON tree; the result is
de-duplicated (order kept). A non-empty JSON document that yields no triple at all (an
upload wrapper ``{"credential": ...}``, a JWS ``{payload, signatures}``, a document
without ``@context``) is an error, with a hint. Relative IRIs without a base, which the
processor would silently drop, are detected and refused. Literal lexical forms are kept
as written, numbers included.

:func:`parse_jsonld` returns a :class:`JsonLdResult`: the quads, the keys expansion dropped
(:mod:`microhe.rdf.jsonld_keys`: found with a probe vocabulary, each with its JSON path;
keys with an undeclared prefix are refused there) and which EDC context version was used
(v3.1, or v3.2 when that drops fewer keys; see contexts/README.md). Besides the bundled
contexts, the caller's ``contexts`` (e.g. the operator's context directory,
:mod:`microhe.rdf.context_dir`) resolve references; nothing is fetched.
"""

from __future__ import annotations

import codecs
import copy
import json
import re
import secrets
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Any

import pyoxigraph as ox

from microhe.rdf.jsonld_keys import (
    DroppedKey,
    carries_probe,
    dropped_keys,
    new_probe,
    probe_document,
    refuse_undeclared_prefixes,
)
from microhe.rdf.reading import Limits, ParseError, _decode_utf8, _line_col, _run

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
        self.used: set[str] = set()  # the context URLs the document refers to

    # -- contexts
    def context_for_url(self, url: str, where: str) -> Any:
        self.used.add(url)
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
                f"remote JSON-LD context <{url}> (at {where}) is not bundled and is never fetched; to use it, "
                f"save the context document in a context directory, list it in the directory's index.json "
                f"({{\"contexts\": {{\"{url}\": \"<file name>\"}}}}) and name the directory with "
                f"--context-dir DIR or the setting MICROHE_CONTEXT_DIR; known: {known}", self.source)
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
            for k, _ in pairs:
                if k in seen:
                    raise ParseError(f"duplicate key {k!r} in a JSON object", source)
                seen.add(k)
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


#: The URL both EDC context versions (ELM 3.1 and 3.2) are published at.
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
_EDC_FILES = {"3.1": "edc-ap-context-v3.1.jsonld", "3.2": "edc-ap-context-v3.2.jsonld"}


@dataclass
class JsonLdResult:
    """What reading one JSON-LD document gave: the quads, the keys expansion dropped (each
    with its JSON path), and, for a document using the EDC context, which version of it
    (``"3.1"`` or ``"3.2"``) was used."""

    quads: list[ox.Quad]
    dropped: list[DroppedKey] = field(default_factory=list)
    edc_version: str | None = None


def _edc_urls() -> list[str]:
    table = _registry()[0]
    return [u for u, f in table.items() if f == _EDC_FILES["3.1"]]


def load_json(raw: bytes, source: str | None, limits: Limits, numbers: _Numbers | None = None) -> Any:
    """Strict JSON (duplicate keys, NaN and over-deep nesting refused, BOM skipped), as
    every JSON-LD input and context file is read. ``numbers`` keeps number lexical forms."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    depth = _json_depth(raw)
    if depth > limits.max_json_depth:
        raise ParseError(f"JSON nested {depth} levels deep; the limit is {limits.max_json_depth}", source)
    return _loads(_decode_utf8(raw, source), source, numbers)


def _loads(text: str, source: str | None, numbers: _Numbers | None) -> Any:
    def reject_constant(name: str) -> Any:
        raise ParseError(f"{name} is not valid JSON", source)

    kwargs: dict[str, Any] = {}
    if numbers is not None:
        kwargs = {"parse_float": numbers.marker, "parse_int": numbers.parse_int}
    try:
        return json.loads(text, parse_constant=reject_constant, object_pairs_hook=_no_duplicates(source), **kwargs)
    except json.JSONDecodeError as e:
        raise ParseError(f"invalid JSON: {e.msg}", source, e.lineno, e.colno) from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", source) from None


def parse_jsonld(raw: bytes, *, source: str | None, base_iri: str | None, rename_blank_nodes: bool,
                 limits: Limits, contexts: Mapping[str, Any]) -> JsonLdResult:
    """Read a JSON-LD document (see the module docstring): its quads, the keys expansion
    dropped, and the EDC context version used.

    The EDC context: both ELM versions publish it at one URL. Unless ``contexts`` names it,
    the document is read with v3.1; when that drops keys or fails, it is read again with
    v3.2, and the version that drops fewer keys (v3.1 on a tie, the one that succeeds if
    only one does) is used. Keys that would become IRIs with an undeclared prefix as their
    scheme (``<ceterms:name>``) are a ParseError."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw or raw.isspace():
        return JsonLdResult([])
    depth = _json_depth(raw)
    if depth > limits.max_json_depth:
        raise ParseError(f"JSON nested {depth} levels deep; the limit is {limits.max_json_depth}", source)
    text = _decode_utf8(raw, source)
    numbers = _Numbers()
    doc = _loads(text, source, numbers)
    if not isinstance(doc, (dict, list)):
        raise ParseError(f"a JSON-LD document is a JSON object or array, not {type(doc).__name__}", source)
    _refuse_wrapped(doc, source)

    edc = _edc_urls()
    may_choose = b"/snb/model/context/edc-ap" in raw and not any(u in contexts for u in edc)

    def attempt(ctx: Mapping[str, Any], document: Any) -> tuple[JsonLdResult | None, ParseError | None, bool]:
        resolver = _Resolver(limits, ctx, source)
        try:
            result = _expand(document, text, numbers, resolver, source=source, base_iri=base_iri,
                             rename_blank_nodes=rename_blank_nodes)
        except ParseError as e:
            return None, e, any(u in resolver.used for u in edc)
        return result, None, any(u in resolver.used for u in edc)

    first, error, used_edc = attempt(contexts, copy.deepcopy(doc) if may_choose else doc)
    if may_choose and used_edc and (error is not None or (first is not None and first.dropped)):
        v32 = load_context_file(_EDC_FILES["3.2"])
        second, _, _ = attempt({**contexts, **{u: v32 for u in edc}}, doc)
        if second is not None and (first is None or len(second.dropped) < len(first.dropped)):
            second.edc_version = "3.2"
            return second
    if error is not None:
        raise error
    assert first is not None
    if used_edc and may_choose:
        first.edc_version = "3.1"
    return first


def _expand(doc: Any, text: str, numbers: _Numbers, resolver: _Resolver, *, source: str | None,
            base_iri: str | None, rename_blank_nodes: bool) -> JsonLdResult:
    """One reading of ``doc`` (mutated: its contexts are inlined) with ``resolver``'s contexts."""
    try:
        resolver.walk(doc, [], 1)
    except ParseError as e:
        _locate_url(e, text)
        raise

    def run(document: Any, *, as_written: bool) -> list[ox.Quad]:
        if as_written:
            payload_text = text
        else:
            payload_text = numbers.restore(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        try:
            payload = payload_text.encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("invalid Unicode in a JSON string (unpaired surrogate escape)", source) from None
        quads = _run(lambda: ox.parse(payload, ox.RdfFormat.JSON_LD, base_iri=base_iri or _NO_BASE,
                                      rename_blank_nodes=rename_blank_nodes),
                     source, base_iri, positions=as_written)
        return list(dict.fromkeys(quads))  # JSON-LD repeats a triple per occurrence in the tree

    probe = new_probe()
    probed = probe_document(doc, probe)
    dropped: list[DroppedKey] = []
    quads: list[ox.Quad] | None = None
    if probed is not None:
        try:
            with_probe = run(probed, as_written=False)
        except ParseError:
            with_probe = None  # the plain reading below reports the error (with its position)
        if with_probe is not None and not carries_probe(with_probe, probe):
            quads = with_probe  # nothing reached the probe: the same quads as the plain reading
        elif with_probe is not None:
            dropped = dropped_keys(doc, with_probe, probe)
    if quads is None:
        quads = run(doc, as_written=not resolver.changed)
    if base_iri is None:
        _refuse_relative(quads, source)
    refuse_undeclared_prefixes(doc, quads, source)
    if not quads and _has_data(doc):
        raise ParseError(f"no RDF in document: {_wrapper_hint(doc)}", source)
    return JsonLdResult(quads, dropped)


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



__all__ = ["EDC_CONTEXT", "DroppedKey", "JsonLdResult", "bundled_context", "bundled_contexts", "load_context_file",
           "load_json", "parse_jsonld"]
