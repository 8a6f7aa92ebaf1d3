"""Reading SPARQL text without evaluating it: the one tokenizer, and what is built on it.

* :func:`inspect`: the query form (or update keyword), the prologue (``BASE``, ``PREFIX``)
  and the dataset clauses (``FROM``/``FROM NAMED``) of a query, for content negotiation
  before evaluation and for giving a query its own dataset.
* :func:`query_form`: SELECT, CONSTRUCT, ASK or DESCRIBE, for a remote store that must
  pick the ``Accept`` of its request.
* :func:`bind_values`: parameters bound in a ``VALUES`` block injected into every group
  of the ``WHERE`` clause (the remote store; terms serialised by pyoxigraph).
* :func:`inline_iris`: IRI parameters written into the query's patterns (the embedded
  store; pyoxigraph's substitutions bind a variable only where it is projected, so a
  pattern inside a UNION branch or a path is evaluated for every node and then joined).
* :func:`with_dataset`: ``USING``/``USING NAMED`` added to an update (``/update``'s
  ``using-graph-uri`` parameters).

This is a lexical scan, not a parse: pyoxigraph (or the server) gives the verdict on the
syntax. It never decides whether a text may reach the network: :mod:`microhe.rdf.sparql_gate`
does, without tokenising (a tokenizer that disagrees with the server's parser once is
how ``SERVICE`` got through before).

The tokens follow the SPARQL 1.1 grammar for strings (STRING_LITERAL1/2 and the long
forms) and IRIs (IRIREF); an escape outside them (``\\'`` in a prefixed name) is code. A
quote or ``<`` that does not start a string or IRI is one character of code, so nothing
is skipped by mistake: the scan may see *more* code than the parser does, never less.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from microhe.errors import InputError
from microhe.rdf.iri import has_scheme, resolve

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<escape>\\.)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'
               |"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7-\uFFFF]+)
    | (?P<word>(?:[^\s{}()\[\]<>"',;\\\#^|*/=!&+?$]|\\.)+)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True)
class Token:
    kind: str  # ws | escape | comment | string | iri | var | word | punct
    text: str
    start: int
    end: int
    depth: int  # brace depth before the token


def tokens(text: str) -> Iterator[Token]:
    """Every token of ``text``, white space and comments included, with its brace depth."""
    depth = 0
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None, "the punct group matches any character"
        kind = m.lastgroup or "punct"
        tok = Token(kind, m.group(), m.start(), m.end(), depth)
        if kind == "punct":
            if tok.text == "{":
                depth += 1
            elif tok.text == "}":
                depth = max(0, depth - 1)
        yield tok
        pos = m.end()


def code(text: str) -> list[Token]:
    """The tokens that are code (no white space, no comments)."""
    return [t for t in tokens(text) if t.kind not in ("ws", "comment")]


# -- form, prologue, dataset -----------------------------------------------------------------


@dataclass
class QueryInfo:
    """What can be known of a query or update before running it."""

    form: str | None = None  # SELECT, CONSTRUCT, DESCRIBE, ASK, or None (unknown: let the parser say)
    update: str | None = None  # the update keyword when this is an update request
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    from_default: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    unresolved_from: bool = False

    @property
    def kind(self) -> str | None:
        """``results`` (SELECT/ASK), ``graph`` (CONSTRUCT/DESCRIBE) or None."""
        if self.form in ("SELECT", "ASK"):
            return "results"
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return "graph"
        return None

    @property
    def has_dataset(self) -> bool:
        """The query names its own dataset (FROM / FROM NAMED, read or not)."""
        return bool(self.from_default or self.from_named or self.unresolved_from)


def inspect(text: str, base_iri: str | None = None) -> QueryInfo:
    """The form, prologue and dataset clauses of a query or update text."""
    info = QueryInfo()
    toks = code(text)
    base = base_iri
    i, n = 0, len(toks)

    def iri_value(tok: Token) -> str | None:
        if tok.kind == "iri":
            v = tok.text[1:-1]
            return resolve(base, v) if base and not has_scheme(v) else v
        if tok.kind == "word" and ":" in tok.text:
            prefix, _, local = tok.text.partition(":")
            if prefix in info.prefixes:
                return info.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local.rstrip("."))
        return None

    while i < n:  # the prologue
        tok = toks[i]
        up = tok.text.upper()
        if tok.kind == "word" and up == "BASE" and i + 1 < n:
            b = iri_value(toks[i + 1])
            if b:
                base = b
                info.base = b
            i += 2
        elif tok.kind == "word" and up == "PREFIX" and i + 2 < n:
            pname = toks[i + 1].text
            ns = iri_value(toks[i + 2])
            if pname.endswith(":") and ns is not None:
                info.prefixes[pname[:-1]] = ns
            i += 3
        else:
            break
    if i < n and toks[i].kind == "word":
        up = toks[i].text.upper()
        if up in QUERY_FORMS:
            info.form = up
        elif up in UPDATE_WORDS:
            info.update = up
    if not info.form:
        return info
    for j in range(i, n):  # the dataset clauses
        if toks[j].kind != "word" or toks[j].text.upper() != "FROM":
            continue
        k = j + 1
        into = info.from_default
        if k < n and toks[k].kind == "word" and toks[k].text.upper() == "NAMED":
            into = info.from_named
            k += 1
        iri = iri_value(toks[k]) if k < n else None
        if iri is None:
            info.unresolved_from = True
        else:
            into.append(iri)
    return info


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE (the first form keyword outside comments,
    strings and IRIs); SELECT when none is found (the server will complain)."""
    for tok in code(text):
        if tok.kind == "word" and tok.text.upper() in QUERY_FORMS:
            return tok.text.upper()
    return "SELECT"


# -- VALUES injection ------------------------------------------------------------------------


def _group_starts(text: str) -> list[int]:
    """Offsets just after the ``{`` of every group graph pattern of the query's WHERE
    clause (the outermost group and every group nested in it, sub-select bodies
    included), skipping CONSTRUCT templates, ``VALUES`` data blocks and the ``{`` that
    wraps a sub-select (nothing may precede its SELECT)."""
    toks = code(text)
    form = None
    depth = parens = 0
    seen_where = False
    in_where_from = None  # depth at which the WHERE clause's group opened
    values_block = None  # depth at which a VALUES data block opened
    pending_values = False
    out: list[int] = []
    for i, tok in enumerate(toks):
        if tok.kind == "word":
            up = tok.text.upper()
            if form is None and up in QUERY_FORMS:
                form = up
            elif up == "WHERE" and depth == 0 and parens == 0:
                seen_where = True
            elif up == "VALUES":
                pending_values = True
        elif tok.kind != "punct":
            continue
        elif tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
        elif tok.text == "{":
            if pending_values and values_block is None:
                values_block = depth
                pending_values = False
            elif values_block is None:
                if in_where_from is None:
                    if depth == 0 and parens == 0 and form is not None and (form != "CONSTRUCT" or seen_where):
                        in_where_from = depth
                        out.append(tok.end)
                else:
                    nxt = toks[i + 1] if i + 1 < len(toks) else None
                    if not (nxt and nxt.kind == "word" and nxt.text.upper() == "SELECT"):
                        out.append(tok.end)
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if values_block is not None and depth == values_block:
                values_block = None
    if not out:
        raise ValueError("cannot find the query's WHERE clause to bind parameters in")
    return out


def bind_values(text: str, substitutions: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """The query with a one-row ``VALUES`` block binding ``substitutions`` injected at the
    start of every group of its WHERE clause (so, as with SEP-0007 substitutions, the
    values are seen inside sub-selects, UNION branches and MINUS too). Terms are
    serialised by pyoxigraph (N-Triples syntax), so no value can end the literal or IRI
    it is written in; the user's text never becomes query syntax."""
    names, terms = [], []
    for name, term in substitutions.items():
        var = ox.Variable(name)  # validates the name
        if isinstance(term, ox.BlankNode) or not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise ValueError(f"?{name}: only IRIs and literals can be bound on a remote store, not {term!r}")
        names.append(str(var))
        terms.append(str(term))
    toks = code(text)
    # the short form is the keyword WHERE right after CONSTRUCT (any token between, as the
    # template's "{", makes it the long form, whatever words the template holds)
    if query_form(text) == "CONSTRUCT" and any(
            a.kind == b.kind == "word" and a.text.upper() == "CONSTRUCT" and b.text.upper() == "WHERE"
            for a, b in zip(toks, toks[1:], strict=False)):
        raise ValueError("parameters cannot be bound in the short CONSTRUCT WHERE form")
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    out, last = [], 0
    for at in _group_starts(text):
        out += [text[last:at], block]
        last = at
    out.append(text[last:])
    return "".join(out)


#: After these words a variable must stay a variable (``BIND(... AS ?x)``, ``BOUND(?x)``).
_KEEP_NEXT = ("AS", "BOUND")
#: Clauses whose variables must stay variables (a bare IRI is no GroupCondition/OrderCondition).
_CLAUSE_ENDS = ("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP")


def inline_iris(text: str, iris: Mapping[str, ox.NamedNode]) -> str:
    """The query with the variables of ``iris`` (names without ``?``) replaced by their
    IRIs: :func:`inlined`'s text."""
    return inlined(text, iris)[0]


def inlined(text: str, terms: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> tuple[str, frozenset[str]]:
    """The query with the variables bound to IRIs in ``terms`` (names without ``?``)
    replaced by those IRIs (``<...>``, serialised by pyoxigraph: no value can end the IRI it
    is written in) wherever a term may stand: triple patterns, paths, expressions, sub-select
    bodies; and the names of the variables the text still holds (a substitution for any
    other is not needed, and pyoxigraph refuses one for a variable the query lacks).

    Kept as variables, and so left to the caller's substitutions: projections (a parameter
    stays in the answer's columns), ``AS ?x``, ``BOUND(?x)``, ``VALUES`` variable lists and
    ``GROUP BY``/``ORDER BY`` clauses; literals and blank nodes. A query with ``SELECT *``
    is returned unchanged (its columns are the variables in scope). The result gives the
    rows of the text with the substitutions (pyoxigraph binds a substituted variable like a
    one-row VALUES joined at the end, so a UNION branch or an alternative path using it is
    evaluated for every node before the join: 300 ms where the inlined IRI takes 3 ms at
    10^4 credentials). Where to write them is worked out once per text and set of names
    (tokenising a named query takes ~2 ms; the same texts come back with other values)."""
    iris = {n: str(ox.NamedNode(t.value)) for n, t in terms.items() if isinstance(t, ox.NamedNode)}
    spots, left = _inline_plan(text, frozenset(iris))
    if not spots:
        return text, left
    out, last = [], 0
    for start, end, name in spots:
        out += [text[last:start], iris[name]]
        last = end
    out.append(text[last:])
    return "".join(out), left


@lru_cache(maxsize=256)
def _inline_plan(text: str, names: frozenset[str]) -> tuple[tuple[tuple[int, int, str], ...], frozenset[str]]:
    """Where ``text`` may take a term for one of the variables ``names`` ((start, end,
    name) of each variable token, in order; see :func:`inlined` for where not), and the
    variables it holds once those are replaced."""
    toks = code(text)
    variables = frozenset(t.text[1:] for t in toks if t.kind == "var")
    if not names or any(a.kind == "word" and a.text.upper() == "SELECT" and b.text == "*"
                        for a, b in zip(toks, toks[1:], strict=False)):
        return (), variables
    spots: list[tuple[int, int, str]] = []
    in_projection = in_clause = in_values = keep_next = False
    for i, tok in enumerate(toks):
        up = tok.text.upper() if tok.kind == "word" else ""
        if up == "SELECT":
            in_projection, in_clause = True, False
            continue
        if in_projection and (up == "WHERE" or tok.text == "{"):
            in_projection = False
        if up in ("GROUP", "ORDER") and i + 1 < len(toks) and toks[i + 1].text.upper() == "BY":
            in_clause = True
            continue
        if in_clause and (tok.text == "}" or (up in _CLAUSE_ENDS and up not in ("GROUP", "ORDER"))):
            in_clause = False
        if up == "VALUES":
            in_values = True
            continue
        if in_values:  # the variable list, up to the data block's "{"
            in_values = tok.text != "{"
            continue
        if up in _KEEP_NEXT:
            keep_next = True
            continue
        if tok.kind == "var":
            if keep_next or in_projection or in_clause:
                keep_next = False
            elif tok.text[1:] in names:
                spots.append((tok.start, tok.end, tok.text[1:]))
        elif tok.kind != "punct" or tok.text != "(":
            keep_next = False
    starts = {start for start, _, _ in spots}
    left = frozenset(t.text[1:] for t in toks if t.kind == "var" and t.start not in starts)
    return tuple(spots), left


# -- USING injection -------------------------------------------------------------------------


class DatasetClauseConflict(InputError, ValueError):
    """An update with its own USING or WITH was given a dataset by parameters as well."""


def with_dataset(text: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """``text`` with ``USING <g>``/``USING NAMED <g>`` added before the ``WHERE`` of every
    DELETE/INSERT operation (``DELETE WHERE {P}`` becomes ``DELETE {P} USING .. WHERE {P}``).
    :class:`DatasetClauseConflict` when the update has its own USING or WITH."""
    toks = code(text)
    own = sorted({t.text.upper() for t in toks if t.kind == "word" and t.depth == 0
                  and t.text.lower() in ("using", "with")})
    if own:
        raise DatasetClauseConflict(f"the update has its own {' and '.join(own)} clause: the using-graph-uri / "
                                    "using-named-graph-uri parameters may not be given with it")
    clause = " ".join([f"USING <{g}>" for g in default_graphs] + [f"USING NAMED <{g}>" for g in named_graphs])
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for i, t in enumerate(toks):
        if not (t.kind == "word" and t.depth == 0 and t.text.lower() == "where"):
            continue
        previous = toks[i - 1] if i else None
        if previous is not None and previous.kind == "word" and previous.text.lower() == "delete":
            # DELETE WHERE { P }: find P's closing brace.
            j = i + 1
            if j >= len(toks) or toks[j].text != "{":
                continue  # a syntax error; the parser reports it
            k = j + 1
            while k < len(toks) and not (toks[k].text == "}" and toks[k].depth == 1):
                k += 1
            if k >= len(toks):
                continue
            pattern = text[toks[j].start:toks[k].end]
            edits.append((t.start, toks[k].end, f"{pattern} {clause} WHERE {pattern}"))
        else:
            edits.append((t.start, t.start, f"{clause} "))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


__all__ = ["Token", "tokens", "code", "QueryInfo", "inspect", "query_form", "bind_values", "with_dataset",
           "DatasetClauseConflict", "QUERY_FORMS", "UPDATE_WORDS"]
