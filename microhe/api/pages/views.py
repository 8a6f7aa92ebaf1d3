"""The HTML of a dereferenced resource: a credential page for a specification, an
institution page for an organisation, else the resource in RDF terms. Each is a function
of what :mod:`microhe.publish.resource` (and :mod:`microhe.publish.credential`) return for
the node's description, so any route that has a description (a served IRI, or
``/resource?iri=``) renders the same page."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from fastapi import Request

from microhe.api.pages import i18n, render
from microhe.publish.resource import resource_page
from microhe.store.embedded import Store


def resource_html(request: Request, store: Store, base: str, node: ox.NamedNode, quads: list[ox.Quad], *,
                  alternates: Sequence[tuple[str, str, str]], graph_store: str) -> tuple[str, dict[str, str]]:
    """The page of ``node`` (``quads``: its description) and its headers."""
    lang = render.language(request)
    root = render.root_of(request)
    raw = resource_page(store, base, node, quads, root=root, graph_store=graph_store)
    return render.render(request, "resource.html", lang=lang, **raw, alternates=list(alternates),
                         label_langs=i18n.label_langs(lang))


__all__ = ["resource_html"]
