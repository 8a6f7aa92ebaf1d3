"""Response models of the HTTP-only answers: the probes and the named-query catalogue.

What a library function answers is described next to it (:mod:`microhe.recognition.models`,
:mod:`microhe.frameworks.models`); these are answers only the HTTP API gives. Fields are
in the order the JSON has them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    status: Literal["ok"] = Field(description="Always ok: the process answers")


class Ready(BaseModel):
    """200 when ready, 503 otherwise (same body)."""

    status: Literal["ready", "not ready"]
    store: str = Field(description="ok, or the error of the store's read")
    views_pending: list[str] = Field(description="Search views still being built for the current store state")


class QueryParameter(BaseModel):
    name: str
    type: str = Field(description="iri, string, langstring, integer, decimal, boolean, date...")
    required: bool
    default: str | None
    description: str


class NamedQueryEntry(BaseModel):
    """A named query of the catalogue, run at ``url``."""

    model_config = ConfigDict(populate_by_name=True)

    name: str
    summary: str
    description: str
    tags: list[str]
    query_class: str = Field(alias="class", description="lookup, listing, statistics... (the query's header)")
    url: str = Field(description="Path of GET /api/queries/{name}")
    parameters: list[QueryParameter]


__all__ = ["Health", "Ready", "QueryParameter", "NamedQueryEntry"]
