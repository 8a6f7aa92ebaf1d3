"""Where the app serves what other routers point at.

The VoID description names the SPARQL endpoint, the dump and the Graph Store; a
resource's HTML page links each of its graphs to its Graph Store download. The routers
that serve these paths and the ones that point at them read them here, so no router
imports another and a path moves in one place.
"""

from __future__ import annotations

from microhe.publish.dataset import Places

SPARQL = "/sparql"
GRAPH_STORE = "/rdf-graphs"
VOID = "/.well-known/void"
DUMP = "/dump.nq"
#: The change feed (``GET /api/changes?since=``), linked from the dump
CHANGES = "/api/changes"
#: The one route for IRIs outside the served bases (``/resource?iri=...``)
RESOURCE = "/resource"

#: Where the dataset description (microhe.publish.dataset) points: this app's routes.
PLACES = Places(document=VOID, sparql=SPARQL, dump=DUMP, graph_store=GRAPH_STORE, resource=RESOURCE)

__all__ = ["SPARQL", "GRAPH_STORE", "VOID", "DUMP", "CHANGES", "RESOURCE", "PLACES"]
