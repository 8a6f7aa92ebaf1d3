"""``multipart/form-data`` bodies of Graph Store POSTs (SPARQL 1.1 Graph Store Protocol
section 5.5: "the RDF content of each part MUST be merged into the graph").

Each part is an RDF document with its own ``Content-Type``; they are parsed one by one
(blank nodes of different parts stay different, as in an RDF merge) and handed on as one
N-Triples document, so the merge is one validated write like any other POST.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pyoxigraph as ox
from fastapi import HTTPException

from microhe.rdf.parse import detect_format, read
from microhe.rdf.reading import ParseError, UnsupportedFormatError

MULTIPART = "multipart/form-data"


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == MULTIPART


def merged_parts(content_type: str, data: bytes, *, base_iri: str | None,
                 contexts: Mapping[str, Any] | None) -> tuple[bytes, list[str]]:
    """The triples of every part as one N-Triples document, and the parts' names.
    400 for a body that is not multipart, has no part or a part that does not parse; 415
    for a part whose media type is not an RDF format microhe reads."""
    if "boundary=" not in content_type.lower():
        raise HTTPException(400, detail="multipart/form-data without a boundary parameter; send "
                            "'Content-Type: multipart/form-data; boundary=...'")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
                                                  + data)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if not parts:
        raise HTTPException(400, detail="the multipart/form-data body has no part: give one RDF document per part")
    triples: list[ox.Triple] = []
    names: list[str] = []
    for i, part in enumerate(parts, 1):
        name = part.get_filename() or part.get_param("name", header="content-disposition") or f"part {i}"
        names.append(str(name))
        ct = part.get("content-type")
        if not ct:
            raise HTTPException(415, detail=f"multipart part {name!r} has no Content-Type: give each part its "
                                "RDF media type (text/turtle, application/n-triples, application/ld+json, ...)")
        try:
            fmt = detect_format(media_type=str(ct))
        except UnsupportedFormatError as e:
            raise HTTPException(415, detail=f"multipart part {name!r}: {e}") from None
        payload = part.get_payload(decode=True)
        try:
            parsed = read(payload if isinstance(payload, bytes) else b"", format=fmt, name=str(name),
                          base_iri=base_iri, contexts=contexts)
        except ParseError as e:
            raise HTTPException(400, detail=f"multipart part {name!r}: {e}") from None
        triples += [q.triple for q in parsed.quads]  # graph names dropped: the parts merge into one graph
    if not triples:
        raise HTTPException(400, detail="no RDF triples in any multipart part; nothing to merge")
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", names


__all__ = ["MULTIPART", "is_multipart", "merged_parts"]
