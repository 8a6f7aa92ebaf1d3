"""What an import gives back: the converted triples, the report, the provenance.

:class:`Conversion` is the same for every format. Its :meth:`facts` read the
specifications back from the converted triples along the data model's own paths
(``docs/data-model.md``), so the report, the table tests and a later ``microhe search``
all see the same thing: title (M2), issuer and country (M3/M4), outcomes (M6), ECTS,
other credits and hours (M7), EQF/NQF level (M8), assessment type (M9), mode (M10),
quality assurance (M11).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from microhe.rdf import nquads
from microhe.vocab import DCTERMS, ECTS, ELM, MHE, RDF, XSD

#: Bumped whenever a mapping rule changes: the load record keeps it, so a graph
#: converted by an older rule can be found and re-imported.
CONVERTER_VERSION = "1"

SPEC_TYPES = (ELM + "Qualification", ELM + "LearningAchievementSpecification")
ACTIVITY_SPEC = ELM + "LearningActivitySpecification"


@dataclass
class Note:
    """One line of the conversion report: ``kind`` is "converted" (with the ``rule``),
    "dropped" (left out on purpose: the learner, a proof) or "lost" (no place in the
    model), ``what`` the source field."""

    kind: str
    what: str
    rule: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "field": self.what, "rule": self.rule}

    def __str__(self) -> str:
        return f"{self.kind}: {self.what}" + (f" ({self.rule})" if self.rule else "")


@dataclass
class Conversion:
    """The result of one importer on one document."""

    format: str
    source: str
    sha256: str
    quads: list[ox.Quad]
    signature: str = "none"
    found: list[str] = field(default_factory=list)  # source classes of the records converted
    notes: list[Note] = field(default_factory=list)
    #: spreadsheets: the per-row report (row, id, IRI, what each column became)
    rows: list[dict[str, Any]] | None = None
    #: spreadsheets: (focus node, result path) -> {"row", "column", "where"}, to report a
    #: validation result against the row and column it comes from
    locator: Callable[[str, str | None], dict[str, Any]] | None = field(default=None, repr=False)
    #: a re-import of the same file replaces its graph without --replace (spreadsheets: the
    #: IRIs are stable keys, so the new file is the new state of those specifications)
    replace_own_graph: bool = False

    def note(self, kind: str, what: str, rule: str = "") -> None:
        n = Note(kind, what, rule)
        if all((x.kind, x.what, x.rule) != (n.kind, n.what, n.rule) for x in self.notes):
            self.notes.append(n)

    # -- serialisations
    def ntriples(self) -> bytes:
        """The converted triples as sorted N-Triples: the same input gives the same bytes."""
        lines = sorted({nquads.line(q, with_graph=False) for q in self.quads})
        return "".join(lines).encode("utf-8")

    @property
    def converted_sha256(self) -> str:
        return hashlib.sha256(self.ntriples()).hexdigest()

    def record(self) -> list[tuple[str, ox.NamedNode | ox.Literal]]:
        """(predicate, object) pairs the load record of the imported graph adds: what the
        graph was converted from, by what, and the seal status."""
        return [
            (MHE + "importFormat", ox.Literal(self.format)),
            (MHE + "sourceSha256", ox.Literal(self.sha256)),
            (MHE + "converterVersion", ox.Literal(f"microhe.importers.{self.format} {CONVERTER_VERSION}")),
            (MHE + "signatureStatus", ox.Literal(self.signature)),
        ]

    # -- what it holds
    def facts(self) -> list[dict[str, Any]]:
        return specification_facts(self.quads)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "sha256": self.sha256,
                "converter": f"microhe.importers.{self.format} {CONVERTER_VERSION}",
                "signature": self.signature, "found": self.found, "triples": len(self.quads),
                "specifications": self.facts(), "notes": [n.to_json() for n in self.notes],
                **({"rows": self.rows} if self.rows is not None else {})}

    def locate(self, results: list[Any]) -> list[dict[str, Any]]:
        """Validation results placed in the source: each with ``row``, ``column``, ``where``
        (spreadsheets), else with its focus node."""
        out = []
        for r in results:
            place = self.locator(r.focus_node, r.path) if self.locator else {"where": r.focus_node}
            out.append({**place, "severity": r.severity, "message": r.message, "value": r.value})
        return out


_FACTS = f"""
PREFIX elm: <{ELM}> PREFIX dcterms: <{DCTERMS}> PREFIX rov: <http://www.w3.org/ns/regorg#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _text(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(term)


def _rows(store: ox.Store, spec: ox.NamedNode, query: str) -> list[dict[str, str]]:
    result = store.query(_FACTS + query, substitutions={ox.Variable("s"): spec})
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: _text(row[n]) for n in names if row[n] is not None} for row in result]


def _values(store: ox.Store, spec: ox.NamedNode, path: str) -> list[str]:
    return sorted(r["v"] for r in _rows(store, spec, f"SELECT DISTINCT ?s ?v WHERE {{ ?s {path} ?v }}"))


def specification_facts(quads: list[ox.Quad]) -> list[dict[str, Any]]:
    """The facts of every specification (``elm:Qualification`` /
    ``elm:LearningAchievementSpecification``, else ``elm:LearningActivitySpecification``
    when the document holds only activities) in ``quads``, sorted by IRI."""
    store = ox.Store()
    store.extend(quads)
    typed = [(_text(q.subject), _text(q.object)) for q in quads if q.predicate.value == RDF + "type"]
    specs = sorted({s for s, t in typed if t in SPEC_TYPES}) or sorted({s for s, t in typed if t == ACTIVITY_SPEC})
    out = []
    for iri in specs:
        s = ox.NamedNode(iri)
        body = "elm:awardingOpportunity/elm:awardingBody"
        credits = _rows(store, s, "SELECT ?s ?f ?p WHERE { ?s elm:creditPoint ?c . ?c elm:framework ?f ; elm:point ?p }")
        out.append({
            "iri": iri,
            "types": _values(store, s, "a"),
            "title": _values(store, s, "dcterms:title"),
            "issuer": _values(store, s, f"{body}/rov:legalName"),
            "issuer_iri": _values(store, s, body),
            "country": [c.rsplit("/", 1)[-1] for c in
                        _values(store, s, f"{body}/elm:location/elm:address/elm:countryCode")],
            "eqf": [int(v.rsplit("/", 1)[-1]) for v in _values(store, s, "elm:EQFLevel")],
            "nqf": _values(store, s, "elm:NQFLevel"),
            "ects": sorted(r["p"] for r in credits if r["f"] == ECTS),
            "credits": sorted(f"{r['f']} {r['p']}" for r in credits),
            "hours": _values(store, s, "elm:volumeOfLearning"),
            "mode": _values(store, s, "elm:mode"),
            "assessment": _values(store, s, "elm:provenBy/dcterms:type"),
            "qa": _values(store, s, f"elm:accreditation|{body}/elm:accreditation"),
            "outcomes": _values(store, s, "elm:learningOutcome/dcterms:title"),
            "isced": _values(store, s, "elm:ISCEDFCode"),
            "part_of": _values(store, s, "elm:isPartOf"),
            "has_part": _values(store, s, "elm:hasPart"),
        })
    return out


XSD_DURATION = ox.NamedNode(XSD + "duration")

__all__ = ["CONVERTER_VERSION", "Conversion", "Note", "SPEC_TYPES", "specification_facts"]
