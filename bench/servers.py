"""Server processes the harness starts on 127.0.0.1 (never run by tests).

    python -m bench.servers microhe <dump.nq> <port>
    python -m bench.servers rdflib  <dump.nq> <port>

Both load the same N-Quads dump (the benchmark store: reference data + synthetic data +
derived values + load records) and serve SPARQL on ``/sparql`` with the union of all
graphs as the default graph. ``oxigraph serve`` is started directly by the harness.
"""

from __future__ import annotations

import sys
import tempfile


def microhe(dump: str, port: int) -> None:
    import pyoxigraph as ox
    import uvicorn

    from microhe.api.app import create_app
    from microhe.kg.settings import get_settings
    from microhe.kg.store import Store

    store = Store()
    store.raw.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    settings = get_settings(store=tempfile.mkdtemp(prefix="microhe-bench-"))
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
