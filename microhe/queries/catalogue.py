"""The named-query catalogue: one ``.rq`` file per query in ``microhe/queries/``.

Header grammar (grlc style, lines at the top of the file)::

    #+ summary: one line
    #+ description: free text (may repeat; lines are joined)
    #+ tags: comma, separated
    #+ param: name type [required|optional] [default=VALUE] description words
    #+ class: lookup|recognition|facets|statistics
    #+ page: VAR                 (keyset paging: see below)

``type`` is one of ``iri``, ``string``, ``integer``, ``decimal``, ``boolean``,
``langstring`` (a string with ``@lang``). Each parameter is a SPARQL variable ``?name``
that the query uses; values are bound as RDF terms with pyoxigraph's ``substitutions``
and never pasted into the query text. An optional parameter that is not given stays
unbound. pyoxigraph (RDF-dev SEP-0007) requires every substituted variable of a SELECT
query to be in its projection: list parameters among the selected variables (and in
GROUP BY when aggregating).

Optional blocks: a query line ending in ``#+ if NAME [NAME...]`` is kept only when at least
one of the named parameters is given, one ending in ``#+ unless NAME [NAME...]`` only when
none of them is (:meth:`NamedQuery.text_for`), so a filter on an
optional parameter can be a plain, anchoring triple pattern instead of a
``COALESCE(..., true)`` filter that the store can only apply after reading everything. The
file as written (every line kept) is the query with all those parameters given (the
``unless`` lines are then redundant, as they must be written).

Paging (``#+ page: credential``): the query answers one page, the rows of the next N values
of ``?VAR`` in a stable order (N: the one ``LIMIT`` of its text), after the value given as
its optional ``after`` IRI parameter. The API sends ``Link: rel="next"`` (``after`` = the
page's last ``?VAR``) while a page is full, and ``rel="first"``; the rows stay the query's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from microhe.errors import InvalidValue
from microhe.rdf.iri import iri_problem
from microhe.vocab import XSD

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "langstring")
_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*)$")
_IF = re.compile(r"#\+\s*(if|unless)\s+(\w+(?:\s+\w+)*)\s*$")


class QueryError(InvalidValue):
    """A named query or its parameters were wrong (message says what and how to fix)."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str
    default: str | None = None

    def to_term(self, value: str):
        """The RDF term for a user-given string value, or QueryError."""
        v = value.strip() if self.type != "string" and self.type != "langstring" else value
        if self.type == "iri":
            problem = iri_problem(v)
            if problem is not None:
                raise QueryError(f"parameter {self.name}: {value!r} is not an absolute IRI ({problem})")
            return ox.NamedNode(v)
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", v):
                raise QueryError(f"parameter {self.name}: {value!r} is not an integer")
            return ox.Literal(str(int(v)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "decimal":
            try:
                d = Decimal(v)
            except InvalidOperation:
                raise QueryError(f"parameter {self.name}: {value!r} is not a decimal number") from None
            if not d.is_finite():
                raise QueryError(f"parameter {self.name}: {value!r} is not a finite number")
            return ox.Literal(format(d, "f"), datatype=ox.NamedNode(XSD + "decimal"))
        if self.type == "boolean":
            if v.lower() not in ("true", "false", "1", "0"):
                raise QueryError(f"parameter {self.name}: {value!r} is not true/false")
            return ox.Literal("true" if v.lower() in ("true", "1") else "false",
                              datatype=ox.NamedNode(XSD + "boolean"))
        if self.type == "langstring":
            text, sep, lang = value.rpartition("@")
            if not sep or not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", lang):
                raise QueryError(f"parameter {self.name}: {value!r} is not text@lang")
            return ox.Literal(text, language=lang)
        return ox.Literal(value)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    query_class: str = "lookup"
    extra: dict = field(default_factory=dict, compare=False)
    #: keyset paging (``#+ page: VAR``): the variable whose last value is the next page's
    #: ``after``, and the page size (the text's one ``LIMIT``)
    page_by: str | None = None
    page_size: int | None = None

    def text_for(self, given) -> str:
        """The query text for the given parameter names: each ``#+ if`` line is kept only
        when one of its parameters is among ``given``, each ``#+ unless`` line only when
        none is."""
        given = set(given)
        out = []
        for line in self.text.splitlines(keepends=True):
            m = _IF.search(line)
            if m is None or bool(given.intersection(m.group(2).split())) == (m.group(1) == "if"):
                out.append(line)
        return "".join(out)

    def bindings(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed RDF terms for user values; unknown or missing required ones -> QueryError."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(
                f"query {self.name}: unknown parameter(s) {', '.join(unknown)}; "
                f"it takes: {', '.join(known) or 'none'}"
            )
        out = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None or raw == "":
                if p.required:
                    raise QueryError(f"query {self.name}: parameter {p.name} ({p.type}) is required: {p.description}")
                continue
            out[p.name] = p.to_term(raw)
        return out


def parse_query_file(name: str, text: str) -> NamedQuery:
    """A NamedQuery from a file's text (header comments + SPARQL)."""
    summary, description, params, qclass = "", [], [], "lookup"
    tags: tuple[str, ...] = ()
    page_by: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "summary":
            summary = value
        elif key == "description":
            description.append(value)
        elif key == "tags":
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
        elif key == "class":
            qclass = value
        elif key == "page":
            page_by = value.lstrip("?")
        elif key == "param":
            words = value.split()
            if len(words) < 2 or words[1] not in PARAM_TYPES:
                raise QueryError(f"{name}: bad '#+ param:' line {line!r}; expected "
                                 f"'name type [required|optional] [default=V] description' with type in {PARAM_TYPES}")
            pname, ptype, rest = words[0].lstrip("?"), words[1], words[2:]
            required = True
            default = None
            while rest and (rest[0] in ("required", "optional") or rest[0].startswith("default=")):
                w = rest.pop(0)
                if w == "optional":
                    required = False
                elif w.startswith("default="):
                    default, required = w[len("default="):], False
            params.append(Param(pname, ptype, required, " ".join(rest), default))
    if not summary:
        raise QueryError(f"{name}: missing '#+ summary:' header")
    declared = {p.name for p in params}
    for line in text.splitlines():
        m = _IF.search(line)
        if m and not set(m.group(2).split()) <= declared:
            raise QueryError(f"{name}: '#+ {m.group(1)}' names {', '.join(sorted(set(m.group(2).split()) - declared))}, "
                             f"which is not a declared parameter (line {line.strip()!r})")
    page_size = _page_size(name, text, page_by, params) if page_by else None
    return NamedQuery(name, text, summary, " ".join(description), tags, tuple(params), qclass,
                      page_by=page_by, page_size=page_size)


def _page_size(name: str, text: str, page_by: str, params: list[Param]) -> int:
    """The page size of a query that pages: its one ``LIMIT``; it must take ``after`` (an
    optional IRI) and select ``?page_by``."""
    after = next((p for p in params if p.name == "after"), None)
    if after is None or after.type != "iri" or after.required:
        raise QueryError(f"{name}: '#+ page: {page_by}' needs an optional 'after' iri parameter")
    if not re.fullmatch(r"\w+", page_by) or not re.search(rf"SELECT[^{{]*\?{page_by}\b", text, re.IGNORECASE):
        raise QueryError(f"{name}: '#+ page: {page_by}' names no selected variable")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    limits = re.findall(r"\bLIMIT\s+(\d+)", code, re.IGNORECASE)
    if len(limits) != 1:
        raise QueryError(f"{name}: a query that pages has one LIMIT (its page size); found {len(limits)}")
    return int(limits[0])


@cache
def catalogue() -> dict[str, NamedQuery]:
    """Every named query shipped in ``microhe/queries/``, by name (file stem)."""
    root = resources.files("microhe").joinpath("queries")
    out = {}
    for f in sorted(root.iterdir(), key=lambda f: f.name):
        if f.name.endswith(".rq"):
            name = f.name[:-3]
            out[name] = parse_query_file(name, f.read_text(encoding="utf-8"))
    return out


def resolve(name_or_path: str) -> NamedQuery:
    """A catalogue query by name, or a query file (``.rq``) by path."""
    cat = catalogue()
    if name_or_path in cat:
        return cat[name_or_path]
    p = Path(name_or_path)
    if p.suffix == ".rq" or p.exists():
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as e:
            raise QueryError(f"{p}: cannot read: {e.strerror or e}") from e
        except UnicodeDecodeError:
            raise QueryError(f"{p}: not UTF-8 text") from None
        try:
            return parse_query_file(p.stem, text)
        except QueryError as e:
            if "missing '#+ summary:'" not in str(e):
                raise  # a malformed header is reported, not silently ignored
            return NamedQuery(p.stem, text, summary=f"query file {p.name}")
    raise QueryError(f"no named query {name_or_path!r}; known: {', '.join(cat) or 'none'} (or give a .rq file)")
