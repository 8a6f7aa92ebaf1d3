"""What a faceted search asks for: one object for the thirteen filters of
:func:`microhe.recognition.search.search`, shared by the library, the HTTP route
(``GET /api/credentials`` reads its query parameters into it) and ``microhe search``
(which sends it to a serving server as those parameters).

The field constraints (``ge``/``le``, the modes) are what the HTTP route checks and
documents (422 with the field's name); :meth:`SearchQuery.check` is what the library
checks, with its own messages, for a query built without validation
(:meth:`SearchQuery.of`, the keywords of ``search(store, eqf=..., ...)``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from microhe.errors import InvalidValue

MODES = {
    "online": "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
    "presential": "http://data.europa.eu/snb/learning-assessment/9191af2ed9",
    "blended": "http://data.europa.eu/snb/learning-assessment/e92d221e4d",
}


class SearchError(InvalidValue):
    """A search filter that cannot be used (the message says which and why)."""


class SearchQuery(BaseModel):
    """The filters of a search (every one optional; all given must hold), a page and
    whether to count facets. Immutable, so that it can key a cache."""

    model_config = ConfigDict(frozen=True)

    eqf: int | None = Field(None, ge=1, le=8, description="EQF level (NQF levels through referencing)")
    framework: str | None = Field(None, description="Framework code or short form (with level)")
    level: str | None = Field(None, description="A level as `microhe level` reads it: a label of framework (6, "
                                                "Level 6, Entry 3, 4+) or, alone, framework and level ('SCQF 10', "
                                                "'FQF Level 6') or a level IRI (microhe, EQF, EU QDR)")
    ects_min: float | None = Field(None, ge=0)
    ects_max: float | None = Field(None, ge=0)
    field: str | None = Field(None, description="ISCED-F code; narrower fields included")
    skill: str | None = Field(None, description="Skill IRI; narrower skills included")
    country: str | None = Field(None, description="Issuer country, ISO 3166-1 alpha-3")
    mode: Literal["online", "presential", "blended"] | None = None
    text: str | None = Field(None, max_length=500, description="Words in title/description/issuer")
    limit: int = Field(20, ge=0, le=1000)
    offset: int = Field(0, ge=0)
    facets: bool = True

    @classmethod
    def of(cls, **filters: Any) -> SearchQuery:
        """A query from keywords, unchecked (:meth:`check` says what is wrong, as the
        library always has); an unknown keyword is a TypeError naming it."""
        unknown = sorted(set(filters) - set(cls.model_fields))
        if unknown:
            raise TypeError(f"unknown search filter(s) {', '.join(unknown)}; known: {', '.join(cls.model_fields)}")
        return cls.model_construct(**filters)

    def check(self) -> None:
        """SearchError when a filter cannot be used (the library's own messages)."""
        if self.eqf is not None and not 1 <= int(self.eqf) <= 8:
            raise SearchError(f"eqf must be 1-8, not {self.eqf}")
        if self.framework is not None and self.level is None:
            raise SearchError("a framework needs a level: give level (a label of the framework, e.g. 6)")
        if self.mode is not None and self.mode.lower() not in MODES:
            raise SearchError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.limit < 0 or self.offset < 0 or self.limit > 1000:
            raise SearchError("limit must be 0-1000 and offset >= 0")
        for name, v in (("ects_min", self.ects_min), ("ects_max", self.ects_max)):
            if v is not None and (v != v or v < 0):
                raise SearchError(f"{name} must be a non-negative number")

    def params(self) -> dict[str, Any]:
        """The query as the query parameters of ``GET /api/credentials`` (None left out)."""
        return {name: getattr(self, name) for name in type(self).model_fields if getattr(self, name) is not None}


__all__ = ["SearchQuery", "SearchError", "MODES"]
