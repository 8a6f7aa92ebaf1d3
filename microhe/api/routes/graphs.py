"""``GET /api/graphs``: the named graphs with their size and load record, the same list
``microhe graphs`` prints (both call :func:`microhe.ingest.provenance.graph_listing`), so that the
command can ask a running server for it. Read-only; the load records it shows are in the
metadata graph, which ``/sparql`` reads anyway."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from microhe.api.deps import StoreDep
from microhe.ingest.provenance import graph_listing

router = APIRouter(tags=["graphs"])


class GraphInfo(BaseModel):
    graph: str = Field(description="The graph's IRI")
    triples: int = Field(description="Triples in the graph")
    source: str | None = Field(None, description="Name of the file last loaded into it (None: not loaded by microhe)")
    sha256: str | None = Field(None, description="SHA-256 of that file")
    loaded: str | None = Field(None, description="When it was loaded (xsd:dateTime)")
    profiles: list[str] = Field(default_factory=list, description="SHACL profiles it was validated against")


@router.get("/api/graphs", summary="The named graphs with their size and load record", response_model=list[GraphInfo])
def graphs(store: StoreDep) -> list[dict]:
    """Every named graph with its triple count and, when microhe loaded it, the file, its SHA-256,
    the load time and the SHACL profiles it was validated against (as `microhe graphs` prints)."""
    return graph_listing(store)
