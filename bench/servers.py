"""Server processes the harness starts on 127.0.0.1 (never run by tests).

    python -m bench.servers microhe <store directory> <port>
    python -m bench.servers rdflib  <dump.nq> <port>

microhe serves the on-disk store the benchmark's validated load wrote (reference data +
synthetic data + derived values + load records); rdflib-endpoint an N-Quads dump of it.
Both serve SPARQL on ``/sparql`` with the union of all graphs as the default graph.
``oxigraph serve-read-only`` is started directly by the harness on a copy of the store.
"""

from __future__ import annotations

import sys


def microhe(store_dir: str, port: int) -> None:
    """The app ``microhe serve`` runs, on the store directory the benchmark's load wrote."""
    import uvicorn

    from microhe.api.app import create_app
    from microhe.recognition.warm import warm
    from microhe.settings import get_settings
    from microhe.store.embedded import Store

    store = Store(store_dir)
    settings = get_settings(store=store_dir)
    # the indexes `microhe serve` builds in the background at start-up, built before the
    # port opens: the harness measures a ready server, not one that is still building
    took = warm(store)
    print(f"indexes built: {took}", file=sys.stderr, flush=True)
    uvicorn.run(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")


def rdflib_endpoint(dump: str, port: int) -> None:
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    ds = rdflib.Dataset(default_union=True)
    ds.parse(dump, format="nquads")
    app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    kind, dump, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"microhe": microhe, "rdflib": rdflib_endpoint}[kind](dump, port)
