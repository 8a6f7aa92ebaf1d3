"""What every RDF reader here shares: the located :class:`ParseError`, the resource
:class:`Limits`, and running pyoxigraph so its errors carry line and column.

How pyoxigraph reports positions
    Its ``SyntaxError`` has ``lineno``/``offset`` (1-based line and column, in code
    points; ``end_lineno``/``end_offset`` for the end) and a message prefixed with
    ``"Parser error at line L column C: "`` (or ``"... between columns C and D: "``).
    Turtle, N-Triples, N-Quads, TriG and JSON *syntax* errors carry them; JSON-LD
    processing errors and RDF/XML errors do not (:mod:`microhe.rdf.jsonld` and
    :mod:`microhe.rdf.rdfxml` recover what they can).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from microhe.errors import InputError

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


# --------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limits:
    """Resource limits for one parse (see the module docstring)."""

    max_bytes: int = 512 * MiB
    max_literal_bytes: int = 10 * MiB
    max_json_depth: int = 64


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------- positions


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



__all__ = ["MiB", "ParseError", "UnsupportedFormatError", "Limits", "DEFAULT_LIMITS"]
