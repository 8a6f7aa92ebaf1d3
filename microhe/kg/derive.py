"""Values derived once at load time, so that search and recognition need no per-query
reasoning: each specification's EQF level(s) (from ``elm:EQFLevel`` or through the
referencing of its ``elm:NQFLevel``) and its workload in ECTS (value, min, max: from its
credit points in any system, else from ``elm:volumeOfLearning``).

Derived triples of a graph ``<g>`` live in the graph ``<g>#derived`` and are written,
replaced and dropped together with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from .namespaces import ELM, MHE, XSD
from .recognition.credits import CreditError, convert
from .recognition.levels import framework_index
from .store import Store

DERIVED_SUFFIX = "#derived"

_EQF_P = ox.NamedNode(MHE + "derivedEQFLevel")
_ECTS_P = ox.NamedNode(MHE + "derivedECTS")
_MIN_P = ox.NamedNode(MHE + "derivedECTSMin")
_MAX_P = ox.NamedNode(MHE + "derivedECTSMax")
_DEC = ox.NamedNode(XSD + "decimal")

_QUERY = f"""
PREFIX elm: <{ELM}>
SELECT ?spec ?level ?fw ?point ?vol WHERE {{
  {{ ?spec a elm:Qualification }} UNION {{ ?spec a elm:LearningAchievementSpecification }}
  OPTIONAL {{ ?spec elm:EQFLevel|elm:NQFLevel ?level }}
  OPTIONAL {{ ?spec elm:creditPoint ?cp . ?cp elm:framework ?fw ; elm:point ?point }}
  OPTIONAL {{ ?spec elm:volumeOfLearning ?vol }}
}}"""

#: every predicate _QUERY matches
_QUERY_PREDICATES = frozenset(ox.NamedNode(p) for p in (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ELM + "EQFLevel", ELM + "NQFLevel", ELM + "creditPoint",
    ELM + "framework", ELM + "point", ELM + "volumeOfLearning"))

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def derived_graph(graph: str) -> str:
    return graph + DERIVED_SUFFIX


def duration_hours(text: str) -> float | None:
    """Hours of an xsd:duration such as ``PT60H`` or ``P2DT4H`` (days as 24 h); None if
    it has years/months (not convertible) or is malformed."""
    m = _DURATION.match(text.strip())
    if not m or text.strip() in ("P", "PT"):
        return None
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return d * 24 + h + mi / 60 + s / 3600


def _dec(x: float) -> ox.Literal:
    return ox.Literal(f"{round(x, 4):.4f}".rstrip("0").rstrip(".") if x % 1 else f"{int(x)}.0", datatype=_DEC)


def derive(reference: Store, quads: Iterable[ox.Quad], graph: str) -> list[ox.Quad]:
    """Derived quads (in ``<graph>#derived``) for the specifications among ``quads``;
    ``reference`` provides the frameworks and credit systems."""
    staging = ox.Store()
    # only the triples _QUERY reads (inserting everything cost more than the rest of derive)
    wanted = _QUERY_PREDICATES
    default = ox.DefaultGraph()
    staging.extend([q if q.graph_name == default else ox.Quad(q.subject, q.predicate, q.object)
                    for q in quads if q.predicate in wanted])
    idx = framework_index(reference)
    target = ox.NamedNode(derived_graph(graph))
    specs: dict = {}
    for r in staging.query(_QUERY):
        info = specs.setdefault(r["spec"], {"eqf": set(), "credits": [], "hours": None})
        if r["level"] is not None and isinstance(r["level"], ox.NamedNode):
            info["eqf"].update(idx.eqf_of(r["level"].value))
        if r["fw"] is not None and r["point"] is not None:
            info["credits"].append((r["fw"].value, r["point"].value))
        if r["vol"] is not None:
            info["hours"] = duration_hours(r["vol"].value)
    out: list[ox.Quad] = []
    for spec, info in specs.items():
        for e in sorted(info["eqf"]):
            out.append(ox.Quad(spec, _EQF_P, ox.NamedNode(f"http://data.europa.eu/snb/eqf/{e}"), target))
        ects = None
        for system, point in sorted(info["credits"], key=lambda c: (not c[0].endswith("6fcec5c5af"), c)):
            try:
                ects = convert(reference, point, system)["ects"]
                break
            except CreditError:
                continue
        if ects is None and info["hours"]:
            ects = convert(reference, info["hours"], "HOURS")["ects"]
        if ects is not None:
            out += [ox.Quad(spec, _ECTS_P, _dec(ects["value"]), target),
                    ox.Quad(spec, _MIN_P, _dec(ects["min"]), target),
                    ox.Quad(spec, _MAX_P, _dec(ects["max"]), target)]
    return out
