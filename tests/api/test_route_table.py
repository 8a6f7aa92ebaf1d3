"""Instance IRIs are minted only under paths no page or API route claims: a minted IRI under
the deployment's base must dereference (the base catch-all of linked data), never land on
the home page, the search, the ladder or the static files. The minted IRIs come from the
functions that mint them (a loaded file's graph and its derived graph, a recognition
decision and its agent), the routes from the app's own route table."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.routing import Match

from microhe.api import create_app
from microhe.api.routes.linked_data import FallbackRoute
from microhe.ingest.derive import derived_graph
from microhe.ingest.load import graph_for
from microhe.recognition.decisions import record_decision
from microhe.settings import Settings
from tests.demo import demo_copy

BASE = "http://testserver/"
UI_PATHS = ["/", "/search", "/search.csv", "/frameworks", "/frameworks/SCQF", "/sitemap.xml", "/static/microhe.css",
            "/sparql", "/docs", "/ontology", "/level", "/compare", "/pathways"]


def minted_iris() -> list[str]:
    store = demo_copy()
    graph = graph_for("my credentials.ttl", BASE)
    done = record_decision(store, credential="https://w3id.org/microhe/demo/credential/strathlowe-applied-data-analysis",
                           institution="https://w3id.org/microhe/demo/org/dhbw", purpose="access", outcome="recognise",
                           decided_by="registrar one", base=BASE)
    agents = sorted({q.object.value for q in store.quads() if isinstance(q.object, ox.NamedNode)
                     and q.object.value.startswith(BASE + "agent/")})
    return [graph, derived_graph(graph), done.iri, *agents]


def _leaves(routes):
    """The app's routes, included routers opened (no prefixes are used in this app)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from _leaves(inner.routes)
        else:
            yield r


def _matching(app, path: str) -> list:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "app": app, "headers": [],
             "query_string": b""}
    return [r for r in _leaves(app.router.routes) if r.matches(dict(scope))[0] == Match.FULL]


def test_minted_iris_dereference_through_the_base_catch_all_only(tmp_path):
    app = create_app(Settings(store=tmp_path / "unused", base=BASE, warm_indexes=False), demo_copy())
    iris = minted_iris()
    assert len(iris) == 4 and all(i.startswith(BASE) for i in iris)
    for iri in iris:
        path = "/" + iri[len(BASE):]
        routes = _matching(app, path)
        assert len(routes) == 1 and isinstance(routes[0], FallbackRoute), (path, routes)


def test_ui_routes_never_share_a_first_segment_with_minted_iris(tmp_path):
    app = create_app(Settings(store=tmp_path / "unused", base=BASE, warm_indexes=False), demo_copy())
    minted = {i[len(BASE):].split("/", 1)[0] for i in minted_iris()}
    assert minted == {"graph", "decision", "agent"}
    claimed = set()
    for r in _leaves(app.router.routes):
        path = getattr(r, "path", "")
        if isinstance(r, FallbackRoute) or not path:
            continue
        claimed.add(path.lstrip("/").split("/", 1)[0].split("{", 1)[0])
    assert {"", "search", "search.csv", "frameworks", "static", "sitemap.xml"} <= claimed
    assert not (minted & claimed), minted & claimed
    for path in UI_PATHS:  # and every page is its own route's, never the catch-all's
        routes = _matching(app, path)
        assert routes and not any(isinstance(r, FallbackRoute) for r in routes), path
