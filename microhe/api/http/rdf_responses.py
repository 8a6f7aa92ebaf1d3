"""RDF answers of the linked-data, Graph Store and VoID routers: one serialisation
(prefixes pruned to the namespaces a document uses; JSON-LD as one graph in the form the
client asked for, :mod:`microhe.api.http.jsonld_forms`), one response shape (``Vary:
Accept``, ``HEAD`` with the body's length), one ``Link: rel="alternate"`` header and one
OpenAPI description of a negotiated RDF route.

It lives here, below the routers, so that no router imports another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from fastapi import Response

from microhe.api.errors import error_content
from microhe.api.http.jsonld_forms import JsonLdForm, jsonld_body
from microhe.api.http.negotiation import JSON_LD, content_type
from microhe.publish.names import PREFIXES
from microhe.rdf import formats


def serialize(quads: Iterable[ox.Quad], mt: str, *, prefixes: dict[str, str] | None = None) -> bytes:
    """Quads in the RDF format of media type ``mt``; triple formats get the union of
    the triples (graph names dropped, duplicates removed)."""
    fmt = formats.format_of(mt)
    if not isinstance(fmt, ox.RdfFormat):
        raise ValueError(f"{mt} is not an RDF media type")
    if fmt.supports_datasets:
        data: list = list(dict.fromkeys(quads))
    else:
        data = list(dict.fromkeys(q.triple for q in quads))
    used = None
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        used = _used_prefixes(data, PREFIXES if prefixes is None else prefixes)
    return formats.in_memory(ox.serialize(data, format=fmt, prefixes=used))


def _used_prefixes(data: list, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace occurs (keeps small documents small)."""
    seen: set[str] = set()
    for t in data:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                seen.add(term.value)
            elif isinstance(term, ox.Literal):
                seen.add(term.datatype.value)
    out = {}
    for p, ns in prefixes.items():
        locals_ = [v[len(ns):] for v in seen if v.startswith(ns)]
        # A prefix whose local names would need escapes (``demo:credential\/x``) is left out.
        if locals_ and all(_SIMPLE_LOCAL.match(local) for local in locals_):
            out[p] = ns
    return out


_SIMPLE_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$|^$")


def rdf_body(quads: Iterable[ox.Quad], mt: str, jsonld: JsonLdForm | None = None) -> tuple[bytes, str, dict[str, str]]:
    """(body, Content-Type, extra headers) of an RDF answer: JSON-LD by ``jsonld`` (one
    graph, compacted or framed with microhe's context; required for JSON-LD), the other
    formats by :func:`serialize`."""
    if mt == JSON_LD:
        if jsonld is None:
            raise ValueError("a JSON-LD answer needs its form (microhe.api.http.jsonld_forms.jsonld_form)")
        return jsonld_body(quads, jsonld)
    return serialize(quads, mt), content_type(mt), {}


def rdf_response(quads: Iterable[ox.Quad], mt: str, *, status_code: int = 200, head: bool = False,
                 headers: dict[str, str] | None = None, jsonld: JsonLdForm | None = None) -> Response:
    body, ctype, extra = rdf_body(quads, mt, jsonld)
    all_headers = {"Vary": "Accept", **(headers or {}), **extra}
    if head:
        all_headers["Content-Length"] = str(len(body))
        return Response(status_code=status_code, media_type=ctype, headers=all_headers)
    return Response(body, status_code=status_code, media_type=ctype, headers=all_headers)


def link_header(url: str, offered: Sequence[str]) -> str:
    """``Link`` header value: one ``rel="alternate"`` per representation, each at
    ``url?format=...`` so it can be fetched without negotiation."""
    sep = "&" if "?" in url else "?"
    return ", ".join(f'<{url}{sep}format={formats.short_name(mt)}>; rel="alternate"; type="{mt}"' for mt in offered)


def rdf_doc(offered: Sequence[str], *errors: int) -> dict:
    """The OpenAPI description of a route that answers ``offered`` representations: the
    ``?format=`` parameter, the 200 content types, and the JSON ``errors``."""
    def schema(mt: str) -> dict:
        return {"type": ["object", "array"]} if mt == JSON_LD else {"type": "string"}

    return {
        "parameters": [{"name": "format", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": [formats.short_name(mt) for mt in offered]},
                        "description": "The representation, overriding Accept"}],
        "responses": {"200": {"description": "The resource (by content negotiation or ?format=)",
                              "content": {mt: {"schema": schema(mt)} for mt in offered}},
                      **{str(code): error_content(code) for code in errors}},
    }


__all__ = ["serialize", "rdf_body", "rdf_response", "link_header", "rdf_doc"]
