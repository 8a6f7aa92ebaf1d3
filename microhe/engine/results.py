"""Evaluating a query and turning its result into bytes: the one implementation that both
query engines run (the thread engine in the server process, the worker processes of
:mod:`microhe.engine.pool`), so their answers are byte-identical by construction.

Everything here is plain data in, plain data out (:class:`Job` -> :class:`Answer` or
:class:`QueryFailure`), and imports nothing but pyoxigraph (and the SPARQL tokenizer): a worker process imports this
module and :mod:`microhe.engine.worker` only, so it starts in a fraction of a second.

What the endpoint decides before evaluation (content negotiation, which only depends on
the kind of result) travels in the job as a :class:`Rendering`: per result kind, the
media type and the format to write, or the refusal (406) to answer.
"""

from __future__ import annotations

import json
import math
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from microhe.rdf import sparql_text
from microhe.rdf.formats import in_memory
from microhe.rdf.sparql_errors import syntax_message

#: ``Rendering.format`` value of the simple JSON row shape of the named-query routes
ROWS = "rows"


class QueryFailure(Exception):
    """The query could not be answered: HTTP ``status`` (400 syntax, 406, 500) and message."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Rendering:
    """How to write a result, decided before evaluation. ``results`` (SELECT/ASK) and
    ``graph`` (CONSTRUCT/DESCRIBE) are each ``(media type, format token)`` or a
    :class:`QueryFailure`-like ``(status, message, headers)`` refusal; a format token is
    :data:`ROWS` or ``results:<media type>`` / ``graph:<media type>`` of a pyoxigraph format."""

    results: tuple
    graph: tuple
    prefixes: dict[str, str] = field(default_factory=dict)
    name: str = ""  # the named query (for the ROWS shape)

    def choice(self, kind: str) -> tuple[str, str]:
        entry = self.graph if kind == "graph" else self.results
        if isinstance(entry[0], int):
            raise QueryFailure(*entry)
        return entry


def format_token(fmt) -> str:
    """The picklable name of a pyoxigraph format (or :data:`ROWS`)."""
    if fmt == ROWS:
        return ROWS
    return ("graph:" if isinstance(fmt, ox.RdfFormat) else "results:") + fmt.media_type


def format_of(token: str):
    kind, _, media_type = token.partition(":")
    if kind == "graph":
        return ox.RdfFormat.from_media_type(media_type)
    return ox.QueryResultsFormat.from_media_type(media_type)


@dataclass
class Job:
    """A query to evaluate, as plain data (sent to worker processes as it is).
    ``substitutions`` map variable names to terms in N-Triples syntax."""

    text: str
    rendering: Rendering
    row_cap: int
    substitutions: dict[str, str] = field(default_factory=dict)
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    base_iri: str | None = None
    #: the keyset variable of a query that pages (``#+ page:``), whose distinct values the
    #: answer counts (:attr:`Answer.page`)
    page_by: str | None = None


@dataclass
class Answer:
    body: bytes
    media_type: str
    kind: str  # "select", "ask" or "graph"
    truncated: bool
    size: int
    seconds: float
    #: for a job with ``page_by``: (distinct values of that variable, the last one in
    #: N-Triples syntax or "" when unbound), what the named-query routes build ``Link`` from
    page: tuple[int, str] | None = None


# == evaluation =========================================================================

def query(db: ox.Store, sparql: str, *, substitutions: Mapping[str, Any] | None = None,
          default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
          base_iri: str | None = None):
    """Run a SPARQL query on a pyoxigraph store: the default graph is the union of all
    graphs unless ``default_graph`` or the query's own ``FROM``/``FROM NAMED`` names it;
    ``substitutions`` bind variables (by name, without ``?``) to terms, so values never
    enter the query text."""
    kwargs: dict = {}
    if default_graph is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
    elif not sparql_text.inspect(sparql).has_dataset:
        # pyoxigraph's union flag overrides the query's own FROM / FROM NAMED: set it
        # only for a query that names no dataset of its own
        kwargs["use_default_graph_as_union"] = True
    if named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    if substitutions:
        # the IRIs written into the patterns (same rows; see sparql_text.inline_iris); a
        # variable left nowhere in the text (an ASK, an unprojected one) needs no substitution
        # and pyoxigraph refuses one for a variable the query does not hold
        sparql, left = sparql_text.inlined(sparql, substitutions)
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items() if k in left}
    return db.query(sparql, base_iri=base_iri, **kwargs)


def term_text(term) -> str:
    """A term in N-Triples syntax (how substitutions travel to a worker)."""
    return str(term)


def parse_term(text: str):
    """The term written by :func:`term_text`."""
    quad = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    return quad.object


def _never() -> None:
    """The check of a job with no deadline to watch (a worker process is killed instead)."""


def evaluate(source, job: Job, check: Callable[[], None] = _never) -> Answer:
    """Evaluate ``job`` on ``source`` (a store: ``source.query(text, substitutions=...,
    default_graph=..., named_graphs=..., base_iri=...)`` as :func:`query`) and write its
    result; ``check()`` is called between rows and raises to stop (the thread engine's
    deadline). Raises :class:`QueryFailure` for a query that cannot be answered (status
    as the endpoint answers it)."""
    t0 = time.monotonic()
    subs = {k: parse_term(v) for k, v in job.substitutions.items()}
    try:
        # no local holds the result iterator: pyoxigraph's must be dropped on this thread,
        # and an exception's traceback keeps the locals of every frame it passes
        result = materialise(source.query(job.text, substitutions=subs, default_graph=job.default_graph,
                                          named_graphs=job.named_graphs, base_iri=job.base_iri), check, job.row_cap)
    except SyntaxError as e:
        # one line with line and column, not the grammar dump (microhe.rdf.sparql_errors)
        raise QueryFailure(400, f"SPARQL syntax error: {syntax_message(e, job.text)}") from None
    except ValueError as e:  # bad IRI in a dataset, bad substitution
        raise QueryFailure(400, str(e)) from None
    except RuntimeError as e:  # e.g. a substituted variable missing from the projection
        raise QueryFailure(500, f"the query could not be evaluated: {e}") from None
    except OSError as e:  # the store could not be read (or a remote SERVICE failed, where allowed)
        raise QueryFailure(500, f"the query failed while reading data: {e}") from None
    media_type, token = job.rendering.choice(result.kind)
    body = render(result, token, job.rendering, check)
    check()
    page = result.keyset(job.page_by) if job.page_by and result.kind == "select" else None
    return Answer(body, media_type, result.kind, result.truncated, result.size, time.monotonic() - t0, page)


def render(result: Materialised, token: str, rendering: Rendering, check: Callable[[], None] = _never) -> bytes:
    if token == ROWS:
        return rows_json(rendering.name, result, check)
    return serialise(result, format_of(token), check=check, prefixes=rendering.prefixes)


# == results held in memory =============================================================

@dataclass
class Materialised:
    """A query result held in memory, cut at the row cap (``truncated`` says so).

    SELECT rows are kept as lines of SPARQL TSV (terms in N-Triples syntax, one line per
    row): made with one ``str()`` per term while iterating, and turned into JSON, XML or
    CSV by pyoxigraph's own parsers and writers, which are lossless for TSV, fast, and
    release the GIL (building Python dicts and ``json.dumps`` held it for seconds on
    100k rows). CONSTRUCT/DESCRIBE keep pyoxigraph triples."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False

    @property
    def size(self) -> int:
        return len(self.triples) if self.kind == "graph" else len(self.lines) if self.kind == "select" else 1

    def keyset(self, variable: str) -> tuple[int, str]:
        """(how many distinct values ``variable`` takes, the last one as its TSV cell) of a
        SELECT result: a page of a keyset-paged query is full when the first is the page
        size, and the second is the next page's ``after``."""
        if variable not in self.variables:
            return 0, ""
        i = self.variables.index(variable)
        seen: dict[str, None] = {}
        for line in self.lines:
            seen[line.split("\t")[i]] = None
        return len(seen), next(reversed(seen), "")

    def tsv(self) -> bytes:
        """The result as ``text/tab-separated-values`` (SPARQL 1.1 TSV)."""
        if self.kind == "ask":
            return b"true" if self.boolean else b"false"
        head = "\t".join("?" + v for v in self.variables)
        return "\n".join([head, *self.lines, ""]).encode("utf-8")

    def solutions(self) -> ox.QuerySolutions | ox.QueryBoolean:
        """The result as pyoxigraph query results (parsed back from TSV). Like every
        pyoxigraph result iterator it must be dropped on the thread that made it."""
        return ox.parse_query_results(self.tsv(), format=ox.QueryResultsFormat.TSV)

    def rows(self) -> list[tuple]:
        """SELECT rows as tuples of pyoxigraph terms (None when unbound)."""
        solutions = self.solutions()
        if not isinstance(solutions, ox.QuerySolutions):
            raise TypeError(f"rows() of an {self.kind} result: only SELECT results have rows")
        return [tuple(solution) for solution in solutions]


def materialise(res, check: Callable[[], None], row_cap: int) -> Materialised:
    """Hold at most ``row_cap`` rows/triples of a pyoxigraph query result, calling
    ``check()`` before every row.

    pyoxigraph's result iterators may only be dropped on the thread that made them, so
    the iterator is released here whatever happens (an exception's traceback would
    otherwise carry it to the thread that awaits the job)."""
    try:
        check()
        return _collect(res, check, row_cap)
    except BaseException as e:
        traceback.clear_frames(e.__traceback__)
        raise
    finally:
        del res


def _collect(res, check: Callable[[], None], row_cap: int) -> Materialised:
    if isinstance(res, ox.QueryBoolean):
        return Materialised("ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        out = Materialised("select", variables=[v.value for v in res.variables])
        lines = out.lines
        for solution in res:
            check()
            if len(lines) >= row_cap:
                out.truncated = True
                break
            lines.append("\t".join([_tsv_term(t) for t in solution]))
        return out
    out = Materialised("graph")
    triples = out.triples
    for triple in res:
        check()
        if len(triples) >= row_cap:
            out.truncated = True
            break
        triples.append(triple)
    return out


def _tsv_term(term) -> str:
    """A term as a SPARQL TSV cell: N-Triples syntax (pyoxigraph's ``str``, which escapes
    tabs and newlines), triple terms as ``<<( s p o )>>``, unbound as nothing."""
    if term is None:
        return ""
    if type(term) is ox.Triple:
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)


# == writing ============================================================================

def serialise(result: Materialised, fmt, *, check: Callable[[], None] = _never,
              prefixes: Mapping[str, str] | None = None) -> bytes:
    """A materialised result in a pyoxigraph format (QueryResultsFormat or RdfFormat)."""
    check()
    if result.kind == "graph":
        turtle_prefixes = dict(prefixes) if prefixes and fmt == ox.RdfFormat.TURTLE else None
        return in_memory(ox.serialize(result.triples, format=fmt, prefixes=turtle_prefixes))
    if fmt == ox.QueryResultsFormat.TSV and result.kind == "select":
        return result.tsv()
    return in_memory(result.solutions().serialize(format=fmt))


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
}


def json_value(term):
    """A term as a plain JSON value (for the simple row shape)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if not term.language else ""
        if dt.startswith(_XSD):
            local = dt[len(_XSD):]
            try:
                if local in _INTEGER_TYPES:
                    return int(term.value)
                if local in ("decimal", "double", "float"):
                    f = float(term.value)
                    return f if math.isfinite(f) else term.value
                if local == "boolean":
                    return term.value.strip() in ("true", "1")
            except ValueError:
                return term.value
        return term.value
    return str(term)


def rows_json(name: str, result: Materialised, check: Callable[[], None] = _never) -> bytes:
    """The simple JSON shape of a SELECT (or ASK) result of a named query. Rows are
    encoded one by one, so the GIL is never held for a whole large result."""
    if result.kind == "ask":
        return json.dumps({"query": name, "boolean": result.boolean}).encode()
    names = result.variables
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts = []
    for i, solution in enumerate(result.rows()):
        if i % 256 == 0:
            check()
        parts.append(encode({v: json_value(t) for v, t in zip(names, solution, strict=False)}))
    head = encode({"query": name, "variables": names})[:-1]
    doc = f'{head},"rows":[{",".join(parts)}],"truncated":{"true" if result.truncated else "false"}}}'
    return doc.encode("utf-8")


__all__ = ["Job", "Answer", "Rendering", "QueryFailure", "Materialised", "ROWS", "evaluate", "query", "materialise",
           "serialise", "rows_json", "json_value", "format_token", "format_of", "term_text", "parse_term"]
