"""The HTML of a dereferenced resource: a credential page for a specification, an
institution page for an organisation, else the resource in RDF terms. Each is a function
of the node's description (:func:`microhe.publish.resource.describe`) through
:mod:`microhe.publish.resource` and :mod:`microhe.publish.credential`, with the
recognition decisions and an institution's offer from :mod:`microhe.recognition`; so any
route that has a description (a served IRI, or ``/resource?iri=``) renders the same page.
The statements in RDF terms stay one click away (a ``<details>``, open with ``?view=rdf``).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request

from microhe.api.pages import i18n, render
from microhe.api.pages.search import incomplete
from microhe.publish.credential import credential_view, institution_view, is_institution, is_specification
from microhe.publish.resource import resource_page
from microhe.recognition.decisions import decision_id, list_decisions
from microhe.recognition.overview import offer_of
from microhe.store.embedded import Store


def resource_html(request: Request, store: Store, base: str, node: ox.NamedNode, quads: list[ox.Quad], *,
                  alternates: Sequence[tuple[str, str, str]], graph_store: str,
                  resource: str = "/resource") -> tuple[str, dict[str, str]]:
    """The page of ``node`` (``quads``: its description) and its headers."""
    lang = render.language(request)
    langs = i18n.label_langs(lang)
    root = render.root_of(request)
    raw = resource_page(store, base, node, quads, root=root, graph_store=graph_store, resource=resource)
    common = {"lang": lang, **raw, "alternates": list(alternates), "show_rdf": request.query_params.get("view") == "rdf"}
    if is_specification(store, node, quads):
        view = credential_view(store, base, node, quads, root=root, langs=langs)
        decisions = _decisions(store, base, root, (lang,), credential=node.value)
        return render.render(request, "credential.html", **common, c=view, decisions=decisions,
                             supplement=supplement_href(request, node.value, root + resource))
    if is_institution(store, node, quads):
        inst = institution_view(store, base, node, quads, root=root, langs=langs)
        offer = [{"hit": h, "href": render.href(h.iri, base, root), "incomplete": incomplete(h)}
                 for h in offer_of(store, node.value, (lang,))]
        decisions = _decisions(store, base, root, (lang,), issuer=node.value)
        return render.render(request, "institution.html", **common, inst=inst, offer=offer, decisions=decisions)
    return render.render(request, "resource.html", **common)


def supplement_href(request: Request, iri: str, lookup: str) -> str:
    """Where the credential page's supplement is: ``<page>/supplement``, or for a page at
    the lookup route ``/resource/supplement?iri=...`` (routes/supplement.py)."""
    if request.url.path == lookup:
        return f"{lookup}/supplement?{urlencode({'iri': iri})}"
    return request.url.path.rstrip("/") + "/supplement"


def _decisions(store: Store, base: str, root: str, langs: tuple[str, ...], *, credential: str | None = None,
               issuer: str | None = None) -> list[dict]:
    out = []
    for d in list_decisions(store, credential=credential, issuer=issuer, langs=langs):
        out.append({"d": d, "href": f"{root}/decisions/{decision_id(d.iri)}",  # its page (routes/decisions.py)
                    "credential_href": render.href(d.credential.iri, base, root),
                    "institution_href": render.href(d.institution.iri, base, root)})
    return out


__all__ = ["resource_html"]
