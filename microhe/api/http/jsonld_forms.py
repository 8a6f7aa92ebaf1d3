"""Which JSON-LD document form an RDF answer takes, from ``Accept`` (one place for the
linked-data, Graph Store, ontology and VoID routes).

``Accept: application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"`` (or
``#compacted``, ``#flattened``, ``#framed``; a space-separated list names several, the
first one microhe writes wins) selects the form; without a profile a graph is served
flattened and compacted, a resource framed (:mod:`microhe.rdf.jsonld_write`). Compaction is
PyLD's and costs time per triple (bench/RESULTS.md "JSON-LD compaction"): a graph of more
than ``Settings.jsonld_compact_cap`` triples is served flattened *without* compaction, and
says so in its ``Content-Type`` profile (``#flattened #expanded``) and in the header
``X-JSON-LD-Not-Compacted``. The ``Content-Type`` of every JSON-LD answer names the form
served (so each form has its own ``ETag``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from microhe.api.http.negotiation import JSON_LD, parse_accept
from microhe.rdf import jsonld_write as jw


@dataclass(frozen=True)
class JsonLdForm:
    """What a JSON-LD answer is to be: its form, where the context is served, the resource
    a framed answer puts first, and the compaction cap."""

    form: str
    context_url: str
    subject: str | None = None
    cap: int = 10_000


def requested_form(accept: str | None) -> str | None:
    """The form named by the ``profile`` of the most preferred ``application/ld+json`` range
    of ``accept`` that names one microhe writes, or None."""
    best: tuple[float, str] | None = None
    for r in parse_accept(accept):
        if f"{r.type}/{r.subtype}" != JSON_LD or r.q <= 0:
            continue
        for key, value in r.params:
            if key != "profile":
                continue
            known = [p for p in value.split() if p in jw.FORMS]
            if known and (best is None or r.q > best[0]):
                best = (r.q, known[0])
    return best[1] if best else None


def jsonld_form(request, base: str, *, subject: str | None = None, cap: int = 10_000) -> JsonLdForm:
    """The form of ``request``'s JSON-LD answer (framed by default where ``subject`` is
    given, else flattened; framed asked of a graph is served flattened)."""
    form = requested_form(request.headers.get("accept")) or (jw.FRAMED if subject else jw.FLATTENED)
    if form == jw.FRAMED and subject is None:
        form = jw.FLATTENED
    return JsonLdForm(form, base + jw.CONTEXT_PATH, subject, cap)


def jsonld_head(triples: int, spec: JsonLdForm) -> tuple[str, str, dict[str, str]]:
    """(the form written, Content-Type, extra headers) of the JSON-LD answer ``spec`` over
    ``triples`` triples: known from the count alone, before (and without) building the
    document, so HEAD and a 304 need not build it (:mod:`microhe.api.http.rdf_cache`)."""
    headers: dict[str, str] = {}
    form = spec.form
    if form != jw.EXPANDED and triples > spec.cap:
        headers["X-JSON-LD-Not-Compacted"] = (f"{triples} triples exceed the compaction cap of {spec.cap} "
                                              "(MICROHE_JSONLD_COMPACT_CAP): served flattened and expanded")
        written, profile = jw.EXPANDED, f"{jw.FLATTENED} {jw.EXPANDED}"
    elif form == jw.EXPANDED:
        written, profile = jw.EXPANDED, jw.EXPANDED
    elif form == jw.FRAMED and spec.subject is not None:
        written, profile = jw.FRAMED, jw.FRAMED
    else:
        # compacted and flattened are the same document here: every node object at the top
        # level, in @graph, compacted (microhe's expanded form is already flattened)
        written, profile = jw.COMPACTED, f"{jw.FLATTENED} {jw.COMPACTED}"
    return written, f'{JSON_LD}; profile="{profile}"', headers


def jsonld_body(quads: Iterable[ox.Quad | ox.Triple], spec: JsonLdForm) -> tuple[bytes, str, dict[str, str]]:
    """(body, Content-Type, extra headers) of the JSON-LD answer ``spec`` over ``quads``
    (graph names dropped: one graph)."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    written, ctype, headers = jsonld_head(len(triples), spec)
    document: object
    if written == jw.EXPANDED:
        document = jw.expanded(triples)
    elif written == jw.FRAMED and spec.subject is not None:  # (jsonld_head frames only a resource)
        document = jw.framed(triples, spec.subject, spec.context_url)
    else:
        document = jw.compacted(triples, spec.context_url)
    return jw.dumps(document), ctype, headers


__all__ = ["JsonLdForm", "requested_form", "jsonld_form", "jsonld_head", "jsonld_body"]
