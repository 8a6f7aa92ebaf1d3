"""A SPARQL syntax error as one line a person can act on: line, column, what was expected.

pyoxigraph's parser (rust-peg) reports ``error at L:C: expected one of ...``, where the list
names keywords, quoted tokens and the grammar's character classes spelled out as Unicode
ranges over several lines (``['A' ..= 'Z' | 'a' ..= 'z' | '\\u{00C0}'..='\\u{00D6}' ...``).
A person at the query page needs the place and a short list: the ranges become "a letter",
"a digit" or "a name character", the any-character item (``[_]``) is dropped, a missing
``PREFIX`` is said as such with the prefix and the column where it is used, and the
message is one line.

The position is the parser's (the furthest point it reached, often the end of the query);
columns count characters from 1, as editors do. A message in any other shape is kept,
on one line.
"""

from __future__ import annotations

import re

_HEAD = re.compile(r"error at (\d+):(\d+): expected (one of )?(.*)", re.DOTALL)
#: How many expected items a message lists before "...".
MAX_ITEMS = 10


def syntax_message(error: SyntaxError | str, text: str) -> str:
    """The one-line message for the parser's ``error`` on the query ``text``."""
    raw = str(error)
    m = _HEAD.fullmatch(raw.strip())
    if m is None:
        return " ".join(raw.split())
    line, column = int(m.group(1)), int(m.group(2))
    items = _split(m.group(4)) if m.group(3) else [m.group(4).strip()]
    lines = text.splitlines() or [""]
    here = lines[line - 1] if 0 < line <= len(lines) else None

    if "Prefix not found" in items and here is not None:
        pname = _prefixed_name_before(here, column - 1)
        if pname is not None:
            start, prefix = pname
            return (f'line {line}, column {start + 1}: the prefix "{prefix}:" is not declared; '
                    f"add a PREFIX {prefix}: <...> line before the query")

    where = f"line {line}, column {column}"
    if here is not None:
        if line == len(lines) and column > len(here):
            where += ", at the end of the query"
        elif column <= len(here):
            token = here[column - 1:].split(None, 1)[0] if here[column - 1:].strip() else ""
            if token:
                where += f', at "{token[:24]}"'
    described = _describe(items)
    if not described:
        return f"{where}: the text is not valid SPARQL here"
    if len(described) == 1:
        return f"{where}: expected {described[0]}"
    return f"{where}: expected one of {', '.join(described)}"


def _split(listing: str) -> list[str]:
    """The items of rust-peg's comma-separated expected list (quoted tokens hold commas,
    character classes hold quoted characters)."""
    items, cur, i = [], [], 0
    depth, quote = 0, ""
    while i < len(listing):
        c = listing[i]
        if quote:
            cur.append(c)
            if c == "\\" and i + 1 < len(listing):
                cur.append(listing[i + 1])
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
            cur.append(c)
        elif c == "[":
            depth += 1
            cur.append(c)
        elif c == "]":
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    items.append("".join(cur).strip())
    return [i for i in items if i]


def _describe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        word = _word(item)
        if word and word not in out:
            out.append(word)
    if len(out) > MAX_ITEMS:
        out = [*out[:MAX_ITEMS], "..."]
    return out


def _word(item: str) -> str | None:
    """How one expected item reads in the message (None: not worth saying)."""
    if item == "[_]":
        return None  # "any character": the parser's end-of-input check
    if item == "IRI parsing failed":
        return "a valid IRI"
    if item == "Prefix not found":
        return "a declared prefix"
    if item.startswith("[") and item.endswith("]"):
        body = item[1:-1]
        single = re.fullmatch(r"'(\\?.)'", body.strip())
        if single:
            return '"' + single.group(1).replace("\\\\", "\\") + '"'
        if re.search(r"'A'\s*\.\.=\s*'Z'", body):
            return "a letter"
        if re.fullmatch(r"\s*'0'\s*\.\.=\s*'9'\s*", body):
            return "a digit"
        if re.search(r"'0'\s*\.\.=\s*'9'", body):
            return "a name character"
        return "a character"
    return " ".join(item.split())


def _prefixed_name_before(line: str, end: int) -> tuple[int, str] | None:
    """(start index, prefix) of the prefixed name ending at index ``end`` of ``line``."""
    end = min(end, len(line))
    start = end
    while start > 0 and not line[start - 1].isspace() and line[start - 1] not in "{}()[];,/|^!<>=":
        start -= 1
    name = line[start:end]
    prefix, colon, _ = name.partition(":")
    if not colon or prefix.startswith(("?", "$", '"', "'")):
        return None
    return start, prefix


__all__ = ["syntax_message"]
