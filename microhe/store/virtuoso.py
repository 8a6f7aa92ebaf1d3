"""OpenLink Virtuoso behind :class:`~microhe.store.remote.RemoteStore`: what differs, and
the repairs made to its answers so callers see what Oxigraph would return.

Virtuoso (recognised by its ``Server`` header; ``writes="graph-store"``/``"update"``
forces a mode) is written through its SPARQL 1.1 Graph Store endpoint instead
(``/sparql-graph-crud``, ``/sparql-graph-crud-auth`` with credentials, or
``graph_store_endpoint``): one Update request with the drops and ``DELETE DATA``, then one
``PUT`` per replaced graph and one ``POST`` per graph with added quads, N-Triples bodies
read by Virtuoso's native parser (the demo and reference data take about 2 s, where
``INSERT`` took minutes, refused blank nodes in ``INSERT DATA`` and mis-read
``xsd:duration`` literals in templates: "SQ200: No column PT150HD"). Each request is
atomic (a refused ``PUT`` leaves its graph unchanged) but **a write is not atomic across
graphs**: a failure part way leaves the earlier requests applied. microhe validates
everything *before* it sends anything. Other Virtuoso differences, repaired on reading
where possible: blank nodes come back as ``nodeID://b123`` (read as ``_:b123``; a blank
node shared by two graphs of one write becomes two); ``xsd:duration`` values are stored as
numbers (seconds or months) and turned back into canonical durations (``P6DT6H``; above
about 11 days through a 6-digit double, exact for whole hours); computed ``xsd:boolean``
values come back as ``0``/``1`` (read as ``false``/``true``); system graphs named after
the server (``http://host:port/DAV/``) are hidden; there is no separate default graph
(operations on it raise :class:`StoreError`). Virtuoso 7.2's SPARQL compiler refuses some
valid queries (non-grouped variables beside aggregates, ``HAVING`` without ``GROUP BY``,
``xsd:dayTimeDuration`` casts); its cost estimator must be off
(``MaxQueryCostEstimationTime = 0``). See ``tests/integration/test_remote_contract.py``.
"""

from __future__ import annotations

import re

#: Graph IRI prefixes a Virtuoso server holds for itself (system graphs), hidden by
#: ``named_graphs``/``dump``/``is_empty`` when ``hide_graphs`` is left at its default.
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localhost:8890/",
    "http://www.w3.org/2002/07/owl#",
)

def fix_json(body: bytes) -> bytes:
    """Virtuoso still writes the SPARQL 1.0 ``typed-literal`` type; pyoxigraph reads 1.1."""
    return body.replace(b'"type": "typed-literal"', b'"type": "literal"').replace(
        b'"type":"typed-literal"', b'"type":"literal"')


_XSD_DURATION = "http://www.w3.org/2001/XMLSchema#duration"
_VIRTUOSO_JSON_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_VIRTUOSO_JSON_DURATION = re.compile(
    rb'("datatype"\s*:\s*"' + re.escape(_XSD_DURATION.encode()) + rb'"\s*,\s*"value"\s*:\s*")([^"]*)(")')
_VIRTUOSO_NT_DURATION = re.compile(rb'(")([^"\\]*)("\^\^<' + re.escape(_XSD_DURATION.encode()) + rb'>)')
_VIRTUOSO_NT_BNODE = re.compile(rb'<nodeID://([A-Za-z0-9_]+)>|_:nodeID://([A-Za-z0-9_]+)')


_VIRTUOSO_XML_BNODE = re.compile(rb"<bnode>nodeID://")
_VIRTUOSO_XML_DURATION = re.compile(
    rb'(<literal\s+datatype="' + re.escape(_XSD_DURATION.encode()) + rb'"\s*>)([^<]*)(</literal>)')


_VIRTUOSO_BOOLEAN = re.compile(  # Virtuoso writes computed xsd:boolean values as 0 and 1
    rb'((?:"datatype"\s*:\s*"|<literal\s+datatype=")http://www\.w3\.org/2001/XMLSchema#boolean"'
    rb'(?:\s*,\s*"value"\s*:\s*"|\s*>))([01])(["<])')


def fix_results(body: bytes) -> bytes:
    """Virtuoso's JSON or XML results, as pyoxigraph reads them: blank nodes
    ``nodeID://b123`` become ``b123``; durations, which Virtuoso stores as a number
    (seconds, or months), get their ``xsd:duration`` lexical form back
    (:func:`duration_lexical`)."""
    fix = lambda m: m[1] + duration_lexical(m[2]) + m[3]  # noqa: E731
    body = _VIRTUOSO_XML_BNODE.sub(b"<bnode>", _VIRTUOSO_JSON_BNODE.sub(rb"\1", body))
    body = _VIRTUOSO_BOOLEAN.sub(lambda m: m[1] + (b"false" if m[2] == b"0" else b"true") + m[3], body)
    return _VIRTUOSO_XML_DURATION.sub(fix, _VIRTUOSO_JSON_DURATION.sub(fix, body))


def fix_rdf(body: bytes) -> bytes:
    """The same repairs for N-Triples/Turtle from Virtuoso (CONSTRUCT, Graph Store GET)."""
    body = _VIRTUOSO_NT_BNODE.sub(lambda m: b"_:" + (m[1] or m[2]), body)
    return _VIRTUOSO_NT_DURATION.sub(lambda m: m[1] + duration_lexical(m[2]) + m[3], body)


def duration_lexical(value: bytes) -> bytes:
    """The canonical ``xsd:duration`` form (as Oxigraph writes it) of a duration Virtuoso
    returns as a number: a decimal (``540000.0``) is seconds (day-time durations), an
    integer (``14``) months (year-month durations). Anything else is left as it is."""
    text = value.decode("ascii", "replace")
    if not re.fullmatch(r"-?\d+(\.\d*)?([eE][+-]?\d+)?", text):
        return value
    from decimal import Decimal

    neg, number = text.startswith("-"), Decimal(text.lstrip("-"))
    if "e" in text.lower():  # Virtuoso prints large ones as doubles, 6 significant digits
        number = number.quantize(Decimal("0.001")).normalize()
    sign = "-" if neg and number else ""
    if "." not in text and "e" not in text.lower():  # months
        years, months = divmod(int(number), 12)
        out = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
        return f"{sign}P{out}".encode()
    days, rest = divmod(number, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    date = f"{int(days)}D" if days else ""
    secs = format(seconds.normalize(), "f") if seconds else ""
    time_ = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "") + (f"{secs}S" if secs else "")
    if not date and not time_:
        return f"{sign}PT0S".encode()
    return f"{sign}P{date}{'T' + time_ if time_ else ''}".encode()


__all__ = ["SYSTEM_GRAPHS", "fix_json", "fix_results", "fix_rdf", "duration_lexical"]
