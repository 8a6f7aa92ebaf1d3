"""The FastAPI application: a thin assembly of routers over one store.

Every capability lives in a router module (``microhe.api.<name>``) so another app can
mount the same routes; handlers call library functions in ``microhe.kg``.
"""

from __future__ import annotations

import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from microhe import __version__
from microhe.api.deps import start_query_engine
from microhe.api.errors import invalid_request, microhe_error
from microhe.api.http.cors import Cors
from microhe.api.http.csp import ContentSecurityPolicy
from microhe.api.http.limits import BodyLimit
from microhe.api.http.requestlog import RequestLog
from microhe.api.http.semantics import HttpSemantics
from microhe.api.http.urlguard import URLGuard, document_refusals
from microhe.api.pages.render import static_directory
from microhe.api.routes import (
    changes,
    decisions,
    desk,
    docs,
    exporting,
    graph_store,
    graphs,
    health,
    importing,
    linked_data,
    named_queries,
    pages,
    recognition,
    signin,
    sparql,
    supplement,
    update,
    upload,
    void,
)
from microhe.engine.pool import QueryPool
from microhe.errors import MicroheError
from microhe.ingest.load import initialise
from microhe.publish.dataset import check_settings
from microhe.publish.supplement_render import preload_pdf
from microhe.recognition.warm import Warmer
from microhe.settings import Settings, get_settings
from microhe.store import open_configured, retain
from microhe.store.embedded import Store
from microhe.store.views import save_all

#: The pages' static files: scripts, styles, vendored widgets (vendor/README.md).

#: The tag of each router, in the order Swagger lists them, with what a reader finds there.
TAGS = [
    {"name": "recognition", "description": "Cross-framework recognition: level translation, credit conversion, "
     "comparison with a target, stacking pathways, faceted search and recognition decisions."},
    {"name": "named queries", "description": "The catalogue of named SPARQL queries, each a GET with typed parameters "
     "(JSON, CSV or TSV results)."},
    {"name": "SPARQL", "description": "The SPARQL 1.1 Protocol: query (public) and update (write token)."},
    {"name": "graph store", "description": "The SPARQL 1.1 Graph Store Protocol: read a graph, or replace, merge and "
     "delete one (write token; SHACL-validated, with provenance)."},
    {"name": "graphs", "description": "The named graphs with their size and load record."},
    {"name": "import", "description": "What platforms publish (Europass EDC, Open Badges 3.0, CTDL) converted to the ELM "
     "model; stored through the validated load with a write token."},
    {"name": "export", "description": "A specification as Europass ELM, Open Badges 3.0, CTDL or schema.org JSON-LD, "
     "with what the format cannot hold."},
    {"name": "dataset", "description": "What is published about the dataset: VoID and DCAT-AP, the N-Quads dump."},
    {"name": "linked data", "description": "Dereferenceable IRIs of the demo and reference data and of the ontology "
     "(HTML or RDF by content negotiation)."},
    {"name": "operations", "description": "Probes for operators and orchestrators: liveness and readiness."},
]


def create_app(settings: Settings | None = None, store: Store | None = None, *, demo: bool = False) -> FastAPI:
    """The microhe HTTP API over ``store`` (default: the store the settings name, as for
    every command: the remote SPARQL store when ``settings.sparql_endpoint`` is set, else
    the embedded store at ``settings.store``; initialised with the reference graphs when
    empty), so ``uvicorn --factory microhe.api:create_app`` honours every setting."""
    settings = settings or get_settings()
    check_settings(settings)  # what the dataset description states (licence, publisher) is well-formed
    if store is None:
        store = open_configured(settings)
        if store.is_empty() or demo:
            initialise(store, demo=demo)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # the recognition indexes are built in the background from start-up (see warm.py)
        warmer = Warmer(store).start() if settings.warm_indexes else None
        app.state.warmer = warmer
        if settings.warm_indexes:
            preload_pdf()  # WeasyPrint's import and fonts, before the first supplement PDF (issue 19)
        # the query engine starts with the app (worker processes warm before the first query)
        engine = start_query_engine(settings, store)
        if isinstance(engine, QueryPool):
            app.state.query_pool = engine
        else:
            app.state.query_executor = engine
        try:
            yield
        finally:
            if warmer is not None:
                warmer.stop()
                with contextlib.suppress(Exception):  # the next start catches up from an older point
                    save_all(store)  # the views as they followed the writes, for the next start
            if isinstance(engine, QueryPool):
                app.state.query_pool = None
                engine.close()

    app = FastAPI(
        lifespan=lifespan,
        title="microhe",
        version=__version__,
        description="A linked-data knowledge graph and clearinghouse of European micro-credentials: "
        "SPARQL 1.1 Protocol, Update and Graph Store endpoints, linked-data publishing, named queries "
        "and cross-framework recognition.",
        openapi_tags=TAGS,
        # FastAPI's own /docs and /redoc load a CDN and an inline script: routes/docs.py serves both
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    retain(store, settings)  # the change log's retention (also for a store the caller opened)
    generate = app.openapi

    def openapi() -> dict:
        # the URL rules answer 400 on every route, before routing: the document says so on each
        if app.openapi_schema is None:
            app.openapi_schema = document_refusals(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the generated schema
    # every library refusal gets its status from its category, here and nowhere else
    app.add_exception_handler(MicroheError, microhe_error)  # type: ignore[arg-type]  # Starlette types every handler for Exception; this one gets MicroheError only
    # a refused body echoed safely (FastAPI's own handler fails on NaN and Infinity)
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]  # as above: gets RequestValidationError only
    # Middleware, innermost first: the URL rules of every route, the body limit (held while
    # bodies are read, on every route, JSON ones included), then the request log (outermost,
    # so that it also sees the refusals of the middleware inside it).
    # HEAD, Allow, Vary on 406, validators and 304s for every route (innermost: it reads the
    # route the router chose)
    app.add_middleware(HttpSemantics)
    app.add_middleware(URLGuard)
    app.add_middleware(ContentSecurityPolicy)  # on every HTML answer, error pages included
    # CORS on every route, reads open by default, writes only for configured origins
    app.add_middleware(Cors, read_origins=settings.cors_origins, write_origins=settings.cors_write_origins)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestLog)
    # Routers (each module owns its routes; keep this list the only wiring).
    app.include_router(health.router)
    app.include_router(pages.router)
    app.include_router(signin.router)
    app.include_router(upload.router)
    app.include_router(decisions.router)
    app.include_router(desk.router)
    app.mount("/static", StaticFiles(directory=static_directory()), name="static")
    app.include_router(sparql.router)
    app.include_router(named_queries.build_router())
    app.include_router(recognition.router)
    app.include_router(update.router)
    app.include_router(graph_store.router)
    app.include_router(importing.router)
    app.include_router(exporting.router)
    app.include_router(graphs.router)
    app.include_router(void.router)
    app.include_router(changes.router)
    app.include_router(docs.router)
    app.include_router(supplement.router)  # before linked data: /demo/{rest}/supplement is a supplement
    # the pages' scripts, styles and vendored widgets (microhe/api/static, package data)
    app.include_router(linked_data.router)  # its base catch-all steps aside for every other route
    return app
