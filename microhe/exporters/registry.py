"""Format name -> exporter, and :func:`export`: the one entry point ``microhe export`` and
``GET /api/export/{format}`` call.

It refuses, before writing anything: an unknown format (the known ones named), more than
:data:`MAX_IRIS` IRIs, a value that is not an absolute IRI (spaces, angle brackets, quotes,
control characters: what could break out of a SPARQL or N-Triples term is never read),
an IRI the graph does not hold (404), one that is not a specification (422, with what it is).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from microhe.errors import InvalidValue, NotFound
from microhe.exporters import ctdl, elm, ob3, schemaorg
from microhe.exporters.model import QuadSource, is_known, is_specification, read
from microhe.exporters.result import Export
from microhe.rdf.iri import iri_problem

EXPORTERS: dict[str, ModuleType] = {m.NAME: m for m in (elm, ob3, ctdl, schemaorg)}
FORMATS = tuple(EXPORTERS)
#: Specifications per export: enough for a programme's modules, small enough to answer quickly.
MAX_IRIS = 50


class UnknownExportFormat(InvalidValue):
    """A format name the registry does not know (exit 2, HTTP 404 on the route)."""


class NotASpecification(InvalidValue):
    """The IRI names something in the graph that is not a specification (HTTP 422)."""


def exporter(name: str) -> ModuleType:
    if name not in EXPORTERS:
        raise UnknownExportFormat(f"unknown export format {name!r}; known: {', '.join(FORMATS)}")
    return EXPORTERS[name]


def check_iris(iris: Sequence[str]) -> list[str]:
    if not iris:
        raise InvalidValue("give at least one specification IRI")
    if len(iris) > MAX_IRIS:
        raise InvalidValue(f"{len(iris)} IRIs exceed the limit of {MAX_IRIS} per export; split the request")
    out = []
    for iri in iris:
        problem = iri_problem(iri)
        if problem is not None:
            raise InvalidValue(f"{iri[:200]!r} is not an absolute IRI ({problem})")
        if iri not in out:
            out.append(iri)
    return out


def export(source: QuadSource, fmt: str, iris: Sequence[str]) -> Export:
    """The specifications ``iris`` of ``source`` (the store) in the format ``fmt``, with
    the loss report."""
    mod = exporter(fmt)
    wanted = check_iris(iris)
    for iri in wanted:
        if not is_specification(source, iri):
            if not is_known(source, iri):
                raise NotFound(f"<{iri}> is not in the graph")
            raise NotASpecification(f"<{iri}> is not a specification (elm:Qualification or "
                                    "elm:LearningAchievementSpecification); export takes the IRI of a credential's "
                                    "specification, as its page /resource?iri=... shows")
    result = Export(fmt, mod.MEDIA_TYPE, [])
    for iri in wanted:
        doc, lost = mod.export(read(source, iri))
        result.documents.append(doc)
        result.lost += lost.items
    return result


__all__ = ["EXPORTERS", "FORMATS", "MAX_IRIS", "NotASpecification", "UnknownExportFormat", "check_iris", "export",
           "exporter"]
