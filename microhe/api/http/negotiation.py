"""HTTP content negotiation, shared by every router that answers in more than one format.

One place for: parsing ``Accept`` (q-values, wildcards, specificity), choosing among the
media types a route can serve (:func:`negotiate`), the media types of SPARQL results and
RDF graphs with their pyoxigraph formats, and the ``format=``/``output=`` aliases that
SPARQL clients send instead of (or as well as) ``Accept``: SPARQLWrapper repeats its
format in ``format``, ``output`` and ``results`` (``json``, ``xml``, ``csv``, ``tsv``,
``turtle``, ``n3``, ``rdf``, ``rdf+xml``, ``json-ld``, sometimes followed by the full
media type or an empty value), Virtuoso and Fuseki clients use short names or full media
types. An explicit format wins over ``Accept``.

Typical use in a route::

    media_type = choose(request, RESULTS)      # None -> answer 406 (see not_acceptable)
    fmt = RESULTS.format(media_type)            # pyoxigraph QueryResultsFormat
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from microhe.rdf import formats
from microhe.rdf.formats import (
    CSV,
    HTML,
    JSON,
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    SPARQL_JSON,
    SPARQL_XML,
    TRIG,
    TSV,
    TURTLE,
)


@dataclass(frozen=True)
class Offer:
    """What one kind of response (SPARQL results, an RDF graph, a dataset) can be served as.

    ``media_types`` are the canonical types in order of preference (the first is the
    default); ``synonyms`` are further types a client may ask for, each served as
    the given canonical format (with the requested type as Content-Type);
    ``aliases`` are the short names accepted in ``format=``/``output=``.
    """

    name: str
    formats: dict  # canonical media type -> pyoxigraph format
    synonyms: dict = field(default_factory=dict)  # media type -> canonical media type
    aliases: dict = field(default_factory=dict)  # lower-case short name -> canonical media type

    @property
    def media_types(self) -> list[str]:
        return list(self.formats)

    @property
    def offered(self) -> list[str]:
        """Canonical types first (in preference order), then synonyms."""
        return [*self.formats, *self.synonyms]

    def canonical(self, media_type: str) -> str:
        return self.synonyms.get(media_type, media_type)

    def format(self, media_type: str):
        """The pyoxigraph format serving ``media_type`` (canonical or synonym)."""
        return self.formats[self.canonical(media_type)]

    def from_alias(self, value: str) -> str | None:
        """The media type a ``format=`` value names for this kind of response, if any."""
        v = value.strip().lower()
        if not v:
            return None
        if v in self.aliases:
            return self.aliases[v]
        base = v.split(";", 1)[0].strip()
        if base in self.formats or base in self.synonyms:
            return base
        return None


def offer(name: str, media_types: Sequence[str], *, results: bool = False) -> Offer:
    """The offer of ``media_types`` (canonical, in preference order), with their formats,
    synonyms and ``format=`` names from :mod:`microhe.rdf.formats`."""
    return Offer(name, {mt: formats.format_of(mt) for mt in media_types},
                 synonyms=formats.synonyms_of(media_types, results=results),
                 aliases=formats.names_of(media_types, results=results))


#: SELECT and ASK results.
RESULTS = offer("SPARQL results", formats.RESULTS_MEDIA_TYPES, results=True)
#: CONSTRUCT and DESCRIBE results, and any other single RDF graph.
GRAPH = offer("RDF graph", (TURTLE, N_TRIPLES, JSON_LD, RDF_XML))
#: Whole datasets (several graphs).
DATASET = offer("RDF dataset", (TRIG, N_QUADS))

#: Request parameters whose value names a response format, as sent by common clients.
FORMAT_PARAMS = ("format", "output", "results")


# -- Accept ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return (self.type in ("*", t)) and (self.subtype in ("*", s))


_TOKEN_PARAM = re.compile(r'\s*;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)')


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are skipped."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for element in _split_elements(header):
        head, _, rest = element.partition(";")
        head = head.strip().lower()
        if head == "*":  # seen in the wild for */*
            head = "*/*"
        t, sep, s = head.partition("/")
        if not sep or not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        ok = True
        for m in _TOKEN_PARAM.finditer(";" + rest):
            k, v = m.group(1).lower(), m.group(2).strip('"')
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    ok = False
                    break
                if not 0.0 <= q <= 1.0:
                    ok = False
                    break
                break  # parameters after q are accept-extensions
            if k != "charset":
                params.append((k, v))
        if ok:
            ranges.append(MediaRange(t, s, tuple(params), q))
    return ranges


def _split_elements(header: str) -> Iterable[str]:
    """Split on commas outside quoted strings."""
    buf: list[str] = []
    quoted = escaped = False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            yield "".join(buf)
            buf = []
            continue
        buf.append(ch)
    yield "".join(buf)


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value ``ranges`` give ``media_type`` (the most specific matching range decides)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The best of ``offered`` for an ``Accept`` header, or None when none is acceptable.

    A missing or empty header accepts anything (the first offered type). Among equal
    q-values the order of ``offered`` (the server's preference) decides.
    """
    if not offered:
        return None
    ranges = parse_accept(accept)
    if not ranges:
        return None if accept and accept.strip() else offered[0]
    best, best_q = None, 0.0
    for mt in offered:
        q = quality(ranges, mt)
        if q > best_q:
            best, best_q = mt, q
    return best


# -- format= / output= ----------------------------------------------------------------

class FormatError(ValueError):
    """An explicit ``format=`` value this response cannot be served in."""


def explicit_format(values: Iterable[str], offer: Offer, *, others: Sequence[Offer] = ()) -> str | None:
    """The media type named by ``format=``/``output=`` values for ``offer``, or None when
    no (non-empty) value was given. Values naming no format at all, or only formats of
    ``others`` (e.g. ``format=csv`` for a CONSTRUCT), raise :class:`FormatError`."""
    given = [v for v in values if v and v.strip()]
    if not given:
        return None
    for v in given:
        mt = offer.from_alias(v)
        if mt is not None:
            return mt
    names = ", ".join(sorted({*offer.aliases, *offer.media_types}))
    shown = ", ".join(repr(v) for v in given)
    if any(o.from_alias(v) for o in others for v in given):
        raise FormatError(f"format {shown} cannot serve {offer.name}; use one of: {names}")
    raise FormatError(f"unknown format {shown} for {offer.name}; use one of: {names}")


def format_values(params) -> list[str]:
    """Every ``format``/``output``/``results`` value of a multi-dict of parameters."""
    out: list[str] = []
    for name in FORMAT_PARAMS:
        if hasattr(params, "getlist"):
            out.extend(params.getlist(name))
        elif name in params:
            v = params[name]
            out.extend(v if isinstance(v, list) else [v])
    return out


def choose(accept: str | None, params, offer: Offer, *, others: Sequence[Offer] = ()) -> str | None:
    """The media type to answer with: an explicit ``format=`` value, else ``Accept``.
    None means 406; an unusable explicit format raises :class:`FormatError`."""
    explicit = explicit_format(format_values(params), offer, others=others)
    if explicit is not None:
        return explicit
    return negotiate(accept, offer.offered)


@cache
def _representations(offered: tuple[str, ...]) -> Offer:
    return offer("this resource", offered)


def representation(request, offered: Sequence[str]) -> str:
    """The canonical media type to answer a resource request with (linked data, the
    Graph Store, VoID): ``?format=`` (a short name or a media type) wins, else ``Accept``;
    an HTTP 406 when ``format=`` names nothing offered or ``Accept`` accepts nothing
    offered, the same status ``/sparql`` answers."""
    from fastapi import HTTPException

    chosen = _representations(tuple(offered))
    try:
        explicit = explicit_format(request.query_params.getlist("format"), chosen, others=[RESULTS, GRAPH, DATASET])
    except FormatError as e:
        raise HTTPException(406, detail=str(e)) from None
    mt = explicit or negotiate(request.headers.get("accept"), chosen.offered)
    if mt is None:
        raise HTTPException(406, detail=not_acceptable_message(request.headers.get("accept"), chosen))
    return chosen.canonical(mt)


def content_type(media_type: str) -> str:
    """The Content-Type header value for a media type (UTF-8 made explicit for text)."""
    if media_type.startswith("text/") and "charset" not in media_type:
        return media_type + "; charset=utf-8"
    return media_type


def not_acceptable_message(accept: str | None, offer: Offer) -> str:
    return (f"none of the accepted media types ({accept or 'none'}) can serve {offer.name}; "
            f"available: {', '.join(offer.media_types)} (or format= one of {', '.join(sorted(offer.aliases))})")


__all__ = [
    "Offer", "RESULTS", "GRAPH", "DATASET", "FORMAT_PARAMS", "MediaRange", "FormatError",
    "parse_accept", "quality", "negotiate", "explicit_format", "format_values", "choose", "offer", "representation",
    "content_type", "not_acceptable_message",
    "SPARQL_JSON", "SPARQL_XML", "CSV", "TSV", "TURTLE", "N_TRIPLES", "JSON_LD", "RDF_XML",
    "N_QUADS", "TRIG", "HTML", "JSON",
]
