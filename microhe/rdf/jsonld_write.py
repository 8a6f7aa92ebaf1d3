"""JSON-LD that a portal can use, written from RDF triples: one graph (never a named-graph
wrapper where one graph was asked for), in the four document forms of JSON-LD 1.1
(https://www.w3.org/TR/json-ld11/#iana-considerations, the ``profile`` parameter):

* ``expanded``: no context, one node object per subject (a flattened, expanded document:
  ``@type`` for ``rdf:type``, literals as value objects with their lexical form kept);
* ``flattened`` and ``compacted``: that document compacted with microhe's context
  (:data:`CONTEXT_FILE`, served at ``{base}context.jsonld``) in a top-level ``@graph``;
* ``framed``: one node object for the requested resource, first, with the blank nodes it
  reaches nested in it (a resource page).

Compaction and framing are PyLD's (the JSON-LD 1.1 reference algorithms in Python). PyLD
is given :func:`document_loader`, which serves only the bundled context documents (the
``contexts/`` table, and microhe's own context under the URLs the caller names) and
*raises* for anything else: nothing is ever fetched, whatever ``@context`` a document
names. Compaction costs time linear in the triples but with a large constant (pure Python:
bench/RESULTS.md "JSON-LD compaction"), so callers serve graphs above a cap as the
expanded flattened form, which is built here directly from the triples.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import pyoxigraph as ox

from microhe.errors import InputError
from microhe.rdf import formats
from microhe.rdf.jsonld import bundled_contexts, load_context_file

#: The JSON-LD document forms (the ``profile`` IRIs of ``application/ld+json``).
JSONLD_NS = "http://www.w3.org/ns/json-ld#"
EXPANDED, COMPACTED, FLATTENED, FRAMED = (JSONLD_NS + f for f in ("expanded", "compacted", "flattened", "framed"))
FORMS = (EXPANDED, COMPACTED, FLATTENED, FRAMED)
#: The bundled file of microhe's own context, and the fixed URL it is registered under.
CONTEXT_FILE = "microhe-context.jsonld"
CONTEXT_URL = "https://w3id.org/microhe/context.jsonld"
#: The path under a deployment's base where the context is served.
CONTEXT_PATH = "context.jsonld"

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class RemoteContextRefused(InputError, ValueError):
    """A JSON-LD document named a context that is not bundled: microhe fetches nothing."""


@cache
def context_document() -> dict[str, Any]:
    """microhe's context document (``{"@context": {...}}``), as bundled."""
    return load_context_file(CONTEXT_FILE)


def context_bytes() -> bytes:
    """The context document as served (the bundled file's bytes)."""
    from importlib import resources

    return resources.files("microhe.rdf").joinpath("contexts", CONTEXT_FILE).read_bytes()


def document_loader(own: Iterable[str] = ()):
    """A PyLD document loader that serves the bundled contexts (their URLs and aliases) and
    microhe's context under ``CONTEXT_URL`` and every URL in ``own`` (a deployment's
    ``{base}context.jsonld``), and raises :class:`RemoteContextRefused` for any other URL."""
    table = bundled_contexts()
    mine = {CONTEXT_URL, *own}

    def load(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if url in mine:
            document: Any = context_document()
        elif url in table:
            document = load_context_file(table[url])
        else:
            raise RemoteContextRefused(
                f"the JSON-LD context <{url}> is not bundled with microhe and is never fetched; "
                "use one of the bundled contexts or put the context inline")
        return {"contentType": formats.JSON_LD, "contextUrl": None, "documentUrl": url,
                "document": copy.deepcopy(document)}

    return load


def _value(term: ox.Literal) -> dict[str, str]:
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def _id(term: ox.NamedNode | ox.BlankNode) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def expanded(triples: Iterable[ox.Triple | ox.Quad]) -> list[dict[str, Any]]:
    """The triples as a flattened, expanded JSON-LD document: one node object per subject
    (graph names dropped, duplicates removed), ``@type`` for ``rdf:type``, literals with
    their lexical form (no native numbers or booleans), in the order subjects first occur."""
    nodes: dict[str, dict[str, Any]] = {}
    seen: set = set()
    for t in triples:
        key = (t.subject, t.predicate, t.object)
        if key in seen:
            continue
        seen.add(key)
        node = nodes.setdefault(_id(t.subject), {"@id": _id(t.subject)})  # type: ignore[arg-type]
        o = t.object
        if t.predicate.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
            node.setdefault("@type", []).append(o.value)
        elif isinstance(o, ox.Literal):
            node.setdefault(t.predicate.value, []).append(_value(o))
        else:
            node.setdefault(t.predicate.value, []).append({"@id": _id(o)})  # type: ignore[arg-type]
    return list(nodes.values())


def _options(own: Iterable[str]) -> dict[str, Any]:
    return {"documentLoader": document_loader(own), "processingMode": "json-ld-1.1"}


def compacted(triples: Iterable[ox.Triple | ox.Quad], context_url: str) -> dict[str, Any]:
    """The triples flattened and compacted with microhe's context, every node object in a
    top-level ``@graph``; the document's ``@context`` is ``context_url`` (where the
    deployment serves the context)."""
    from pyld import jsonld

    out = jsonld.compact(expanded(triples), context_document(), {**_options([context_url]), "graph": True})
    out["@context"] = context_url
    return out


def framed(triples: Iterable[ox.Triple | ox.Quad], subject: str, context_url: str) -> dict[str, Any]:
    """The description of ``subject`` framed: one node object per named subject, ``subject``
    first, each with the blank nodes it reaches nested in it (blank node labels dropped
    where nothing else refers to them). Compacted with microhe's context, ``@context``
    ``context_url``."""
    from pyld import jsonld

    flat = expanded(triples)
    named = [n["@id"] for n in flat if not n["@id"].startswith("_:")]
    order = [subject, *(i for i in named if i != subject)] if subject in named else named
    if not order:  # nothing but blank nodes (no description of a named node): the flattened form
        return compacted([], context_url) if not flat else _compact_flat(flat, context_url)
    frame = {"@context": context_document()["@context"], "@id": order}
    out = jsonld.frame(flat, frame, {**_options([context_url]), "embed": "@once", "omitGraph": False,
                                     "pruneBlankNodeIdentifiers": True})
    graph = out.get("@graph", [])
    rank = {iri: i for i, iri in enumerate(order)}
    graph.sort(key=lambda n: rank.get(n.get("@id", ""), len(rank)))
    out["@context"] = context_url
    return out


def _compact_flat(flat: list[dict[str, Any]], context_url: str) -> dict[str, Any]:
    from pyld import jsonld

    out = jsonld.compact(flat, context_document(), {**_options([context_url]), "graph": True})
    out["@context"] = context_url
    return out


def to_rdf(document: Any, *, own: Iterable[str] = ()) -> list[ox.Triple]:
    """A JSON-LD document's triples by PyLD (the reference algorithms), with the loader that
    fetches nothing: what a JSON-LD client reads from microhe's answers. Named graphs, if
    any, are dropped (their triples kept)."""
    from pyld import jsonld

    try:
        dataset = jsonld.to_rdf(document, {**_options(own), "format": formats.N_QUADS})
    except jsonld.JsonLdError as e:
        refused = _refusal_in(e)
        if refused is not None:
            raise refused from e
        raise
    return list(dict.fromkeys(q.triple for q in ox.parse(dataset.encode("utf-8"), ox.RdfFormat.N_QUADS)))


def _refusal_in(error: BaseException) -> RemoteContextRefused | None:
    """The loader's refusal inside PyLD's wrapped errors (``cause`` chains), if any."""
    seen: list[BaseException] = []
    current: Any = error
    while isinstance(current, BaseException) and current not in seen:
        if isinstance(current, RemoteContextRefused):
            return current
        seen.append(current)
        current = getattr(current, "cause", None) or current.__cause__ or current.__context__
    return None


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


__all__ = ["EXPANDED", "COMPACTED", "FLATTENED", "FRAMED", "FORMS", "CONTEXT_FILE", "CONTEXT_URL", "CONTEXT_PATH",
           "RemoteContextRefused", "context_document", "context_bytes", "document_loader", "expanded", "compacted",
           "framed", "to_rdf", "dumps"]
