"""Reading the JSON a platform publishes, strictly and within limits, and its JSON-LD.

A credential document is kilobytes (an EDC with its embedded seal and images is about
0.3 MB), so an import is refused above :data:`MAX_IMPORT_BYTES` before anything is
parsed. A UTF-8 byte-order mark is dropped (Windows tools write one); other encodings,
duplicate keys, ``NaN``/``Infinity`` and truncated text are refused with the line and
column. JSON-LD goes through :func:`microhe.rdf.parse.parse`, so only bundled contexts
resolve and nothing is fetched.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from microhe.importers.errors import ImportFailed
from microhe.rdf.parse import parse
from microhe.rdf.reading import ParseError

#: The largest document an importer reads (bytes).
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def check_size(data: bytes, source: str | None) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed(f"{len(data)} bytes exceeds the import limit of {MAX_IMPORT_BYTES} bytes "
                           "(a credential document is kilobytes; split the file)", source)


def strip_bom(data: bytes) -> bytes:
    return data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data


def decode_text(data: bytes, source: str | None) -> str:
    try:
        return strip_bom(data).decode("utf-8")
    except UnicodeDecodeError as e:
        raise ImportFailed(f"not UTF-8 text (byte {e.start}); JSON must be UTF-8", source) from None


def _pairs(source: str | None):
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for k, v in pairs:
            if k in obj:
                raise ImportFailed(f"duplicate key {k!r} in a JSON object", source)
            obj[k] = v
        return obj
    return hook


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_json(text: str | bytes, source: str | None, what: str = "JSON") -> Any:
    """Parse JSON text strictly (see module docstring); errors say where."""
    if isinstance(text, bytes):
        check_size(text, source)
        text = decode_text(text, source)
    if not text.strip():
        raise ImportFailed(f"empty input: no {what}", source)
    try:
        return json.loads(text, object_pairs_hook=_pairs(source), parse_constant=_constant)
    except json.JSONDecodeError as e:
        ends_early = e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated")
        truncated = " (the text ends early: truncated?)" if ends_early else ""
        raise ImportFailed(f"invalid {what}: {e.msg} (line {e.lineno} column {e.colno}){truncated}",
                           source) from None
    except ValueError as e:
        raise ImportFailed(f"invalid {what}: {e}", source) from None
    except RecursionError:
        raise ImportFailed(f"invalid {what}: nested too deeply", source) from None


def jsonld_quads(doc: Any, source: str | None, *, contexts: Mapping[str, Any] | None = None) -> list[ox.Quad]:
    """The RDF of a JSON-LD document, given parsed (``dict``/``list``) or as its text
    (``str``/``bytes``, numbers then kept as written). Bundled contexts only, no base: a
    relative IRI is an error; a context that is not bundled is refused naming its URL."""
    if isinstance(doc, str):
        raw = doc.encode("utf-8")
    elif isinstance(doc, bytes):
        raw = doc
    else:
        raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    try:
        return parse(raw, format=ox.RdfFormat.JSON_LD, name=source, rename_blank_nodes=False,
                     contexts=dict(contexts or {}))
    except ParseError as e:
        raise ImportFailed(e.message, source) from None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


__all__ = ["MAX_IMPORT_BYTES", "as_list", "check_size", "decode_text", "jsonld_quads", "load_json", "strip_bom"]
