"""RDF answers that are the same for every request of a store state (the ontology, the VoID
description): each representation's body built once per state, and HEAD and 304 answered
without building it.

Their JSON-LD is compacted by PyLD, 0.5-1 s per request under load; every GET, HEAD and
conditional GET paid it. Here a body is kept per store state (a view, ``per_store``: the
one cache of things derived from a store) under the state token
(:func:`microhe.api.http.semantics.store_version`, the seed of the ETag), the media type,
the JSON-LD form and the route's own key, the last :data:`KEEP` of them; a write makes a
new state, so the next request builds the new state's body. A
store without a state to name (remote, or in the middle of a write) gets no cache: its
bodies are built per request, as before.

Before a body is built, what the answer's headers will be is known from the quads alone
(their count decides the JSON-LD form, :func:`~microhe.api.http.jsonld_forms.jsonld_head`),
so:

* a conditional GET whose validators match is answered 304 without the body;
* HEAD is answered without it: with its ``Content-Length`` once the body is kept, without
  one before (RFC 9110 9.3.2 lets HEAD leave out what only generating the content tells).

Caching also makes repeated answers byte-identical under one ETag: the VoID description's
blank nodes were labelled afresh by every build.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from fastapi import Request, Response

from microhe.api.http.jsonld_forms import JsonLdForm, jsonld_head
from microhe.api.http.negotiation import JSON_LD, content_type
from microhe.api.http.rdf_responses import rdf_body, rdf_response
from microhe.api.http.semantics import store_version, validators_match
from microhe.store.views import per_store

#: Bodies kept per store state (its representations of the ontology and VoID: a few formats and forms).
KEEP = 32


@dataclass(frozen=True)
class _Body:
    body: bytes
    content_type: str
    headers: dict[str, str]


class _Kept:
    """The bodies of one store state, the last :data:`KEEP` used (a view: ``per_store``)."""

    def __init__(self) -> None:
        self.bodies: OrderedDict[tuple, _Body] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> _Body | None:
        with self.lock:
            found = self.bodies.get(key)
            if found is not None:
                self.bodies.move_to_end(key)
            return found

    def put(self, key: tuple, body: _Body) -> None:
        with self.lock:
            self.bodies[key] = body
            while len(self.bodies) > KEEP:
                self.bodies.popitem(last=False)


@per_store
def _kept(store: Any) -> _Kept:
    """Empty for each new state. (A reader may be handed the last state's while the new one is
    made: the state token in every key keeps it from answering with an old body.)"""
    return _Kept()


def rdf_answer(request: Request, store: Any, key: Hashable, quads: Callable[[], Sequence[ox.Quad]], mt: str, *,
               headers: dict[str, str], jsonld: JsonLdForm | None) -> Response:
    """The answer in ``mt`` over ``quads()`` (the content of ``key`` for the store's current
    state: the same for every request of that state), from the kept body when there is one."""
    head = request.method == "HEAD"
    version = store_version(store)
    if version is None:
        return rdf_response(quads(), mt, head=head, headers=headers, jsonld=jsonld)
    full_key = (version[0], mt, jsonld, key)
    kept = _kept(store).get(full_key)
    if kept is None:
        data = quads()
        if mt == JSON_LD and jsonld is not None:
            _, ctype, extra = jsonld_head(len(data), jsonld)
        else:
            ctype, extra = content_type(mt), {}
        shell = Response(media_type=ctype, headers={"Vary": "Accept", **headers, **extra})
        request_headers = {k.lower(): v for k, v in request.headers.items()}
        if head or validators_match(request.scope, request_headers, store, shell.headers):
            del shell.headers["content-length"]  # not known without the body (HEAD), none on a 304
            return shell
        body, ctype, extra = rdf_body(data, mt, jsonld)
        kept = _Body(body, ctype, extra)
        _kept(store).put(full_key, kept)
    all_headers = {"Vary": "Accept", **headers, **kept.headers}
    if head:
        return Response(media_type=kept.content_type, headers={**all_headers, "Content-Length": str(len(kept.body))})
    return Response(kept.body, media_type=kept.content_type, headers=all_headers)


__all__ = ["KEEP", "rdf_answer"]
