"""The SSRF gate: caller-supplied SPARQL may not contain the words SERVICE or LOAD.

``SERVICE`` (federated query) and ``LOAD`` (update) make the SPARQL engine open an HTTP
connection to an IRI the caller chose: from the server's network position, to loopback
ports or internal hosts, and whether the connection fails is itself an answer (a port
scan). Scanners that try to find the keyword by tokenising SPARQL were bypassed again and
again, because they did not read the text exactly as the engine does (``SERVICE:x``,
``1SERVICE``, ``FILTER(?a<2)SERVICE#>``, an escape in an IRI before a ``#``...).

So this gate does not tokenise. After decoding the ``\\u``/``\\U`` codepoint escapes of
the whole text (SPARQL 1.1 section 19.2: they are decoded before parsing), it refuses
the text if the word ``service`` or ``load``, in any case, appears **anywhere**: inside
strings, IRIs and comments too, and glued to a previous word (``falseSERVICE``,
``download``). The only exception is the word directly after ``?``, ``$`` or ``:``,
which no SPARQL parser reads as a keyword: variables and local names such as ``?load``,
``$service``, ``mhe:Load``. What it may refuse wrongly (a string that says
"self-service", ``?workload``) the caller can rewrite; what it lets through cannot be a
SERVICE or LOAD operation.

To be safe against any reading of the escapes, every stage is checked: the text as
given, and again after each round of decoding until nothing changes (an escaped
backslash followed by ``u0053`` is decoded twice by some parsers). Letters are compared
after Unicode case folding and compatibility normalisation (``ſ``, the long s, upper-
cases to ``S`` in Java's case-insensitive matching; fullwidth ``Ｓ`` normalises to ``S``).

Used by ``/sparql`` (GET and POST), ``/update`` and :class:`~microhe.store.remote.RemoteStore`
(before any text is sent to a remote server, which runs SERVICE and LOAD itself). An
operator setting switches it off: ``MICROHE_ALLOW_SERVICE`` for queries,
``MICROHE_ALLOW_REMOTE_UPDATE`` for updates. The project's own named queries are trusted
text (tests/rdf/test_sparql_gate.py checks that they pass it anyway).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: The words refused, lower case.
WORDS = ("service", "load")
#: A word directly after one of these is a variable or a local name, never a keyword.
EXEMPT_AFTER = "?$:"
#: The settings (environment variables) that switch the gate off.
QUERY_SETTING = "MICROHE_ALLOW_SERVICE"
UPDATE_SETTING = "MICROHE_ALLOW_REMOTE_UPDATE"

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WORD = re.compile("|".join(WORDS))
_LETTERS = frozenset("".join(WORDS))


@dataclass(frozen=True)
class Finding:
    """One occurrence of a refused word."""

    word: str  # SERVICE or LOAD
    line: int  # 1-based, in the text as checked
    column: int  # 1-based
    excerpt: str  # the text around it
    decoded: bool  # found only after decoding codepoint escapes


class RemoteAccessRefused(ValueError):
    """Caller-supplied SPARQL that contains SERVICE or LOAD, refused before it runs."""

    def __init__(self, finding: Finding, what: str, setting: str):
        self.finding = finding
        where = f"line {finding.line}, column {finding.column}"
        if finding.decoded:
            where += ", after decoding \\u escapes"
        super().__init__(
            f"{finding.word} refused: the {what} contains {finding.word.lower()!r} ({where}: "
            f"{finding.excerpt!r}). This server does not connect anywhere on a caller's behalf, so it "
            f"refuses any {what} whose text contains the word SERVICE or LOAD, in any case and anywhere: "
            f"also in a string, an IRI or a comment, or inside a longer word (\"download\", ?workload). "
            f"Only variables and local names that start with it (?load, $service, mhe:Load) are allowed. "
            f"Rewrite the text (another variable name; CONCAT(\"lo\", \"ad\") in a string), or ask the "
            f"operator to set {setting}=true, which lets this server fetch the IRIs a request names.")


def decode_escapes(text: str) -> str:
    """One round of SPARQL codepoint-escape decoding (``\\u0053``, ``\\U00000053``);
    an escape that names no character is left as written."""

    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group()

    return _ESCAPE.sub(char, text)


def _stages(text: str):
    """The text as given, then after each round of escape decoding, until it no longer
    changes (each round shortens it, so this ends)."""
    yield text
    while True:
        decoded = decode_escapes(text)
        if decoded == text:
            return
        text = decoded
        yield text


def _fold_table(text: str) -> dict[int, str]:
    """A str.translate table mapping every character of ``text`` that reads as one of
    the refused words' letters (any case, case-folded or compatibility-normalised) to
    that ASCII letter; one character to one character, so offsets are kept."""
    table: dict[int, str] = {}
    for ch in set(text):
        if ch.isascii():
            if ch.isupper():
                table[ord(ch)] = ch.lower()
            continue
        # the first character of each form: Java maps U+0130 (I with a dot) to "i" alone
        for form in (ch.lower(), ch.upper(), ch.casefold(), unicodedata.normalize("NFKC", ch)):
            first = form[:1].lower() if form[:1].isascii() else ""
            if first in _LETTERS:
                table[ord(ch)] = first
                break
    return table


def find(text: str) -> Finding | None:
    """The first refused word in ``text`` (see the module docstring), or None."""
    for stage, checked in enumerate(_stages(text)):
        folded = checked.translate(_fold_table(checked))
        for m in _WORD.finditer(folded):
            start = m.start()
            if start and checked[start - 1] in EXEMPT_AFTER:
                continue
            line = checked.count("\n", 0, start) + 1
            line_start, line_end = checked.rfind("\n", 0, start) + 1, checked.find("\n", m.end())
            line_end = len(checked) if line_end < 0 else line_end
            excerpt = checked[max(line_start, start - 20):min(line_end, m.end() + 20)]
            return Finding(m.group().upper(), line, start - line_start + 1, excerpt, stage > 0)
    return None


def check(text: str, *, what: str, setting: str) -> None:
    """Raise :class:`RemoteAccessRefused` when ``text`` contains SERVICE or LOAD."""
    finding = find(text)
    if finding is not None:
        raise RemoteAccessRefused(finding, what, setting)


def check_query(text: str) -> None:
    """The gate for a caller's query (switched off by ``MICROHE_ALLOW_SERVICE``)."""
    check(text, what="query", setting=QUERY_SETTING)


def check_update(text: str) -> None:
    """The gate for a caller's update (switched off by ``MICROHE_ALLOW_REMOTE_UPDATE``)."""
    check(text, what="update", setting=UPDATE_SETTING)


__all__ = ["Finding", "RemoteAccessRefused", "check", "check_query", "check_update", "decode_escapes", "find",
           "QUERY_SETTING", "UPDATE_SETTING"]
