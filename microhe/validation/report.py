"""A validation report: what every engine returns and every caller shows (CLI text and
JSON, HTTP JSON and Turtle), so the same input gives the same report everywhere.

Results are sorted (severity, focus node, path, shape, constraint, value) whatever the
engine, so two reports of the same input compare equal as lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from microhe.rdf.jsonld_keys import DroppedKey
from microhe.validation.found import NOTHING_CHECKED, compact, import_hint
from microhe.validation.profiles import SHAPES_BASE, all_shapes

SEVERITIES = ("Violation", "Warning", "Info")
_SH = "http://www.w3.org/ns/shacl#"
_PREFIXES = {
    "sh": _SH,
    "elm": "http://data.europa.eu/snb/model/elm/",
    "cred": "https://www.w3.org/2018/credentials#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "adms": "http://www.w3.org/ns/adms#",
    "mhe": "https://w3id.org/microhe/ontology#",
    "eqf": "http://data.europa.eu/snb/eqf/",
    "qdr": "http://data.europa.eu/snb/qdr/",
    "isced-f": "http://data.europa.eu/snb/isced-f/",
}


@dataclass(frozen=True)
class ValidationResult:
    """One sh:ValidationResult. IRIs are plain strings, blank nodes ``_:label``; ``path``
    is the property IRI, or a SPARQL 1.1 property path (IRIs in ``<>``) when complex;
    ``value`` is an IRI, ``_:label`` or a literal's lexical form."""

    focus_node: str
    path: str | None
    message: str
    severity: str  # "Violation" | "Warning" | "Info"
    shape: str
    constraint: str  # the constraint component IRI, e.g. sh:MinCountConstraintComponent
    value: str | None
    # internal: the value as an rdflib term, so that to_turtle() keeps a literal a literal
    _value_term: Any = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {"focus_node": self.focus_node, "path": self.path, "message": self.message,
                "severity": self.severity, "shape": self.shape, "constraint": self.constraint,
                "value": self.value}


@dataclass
class ValidationReport:
    """What one validation found. ``checked``: per profile, the focus nodes of the input its
    targets selected (None: not countable). ``nothing_checked``: the input has triples but
    no profile targets any of its nodes (``found_classes`` then lists its classes).
    ``dropped``/``edc_version``: what reading the input lost (JSON-LD keys expansion
    dropped) and which EDC context version it was read with, set by the caller that parsed
    it (:mod:`microhe.ingest`, ``microhe validate``)."""

    results: list[ValidationResult]
    profiles: tuple[str, ...]
    checked: dict[str, int | None] = field(default_factory=dict)
    nothing_checked: bool = False
    found_classes: list[str] = field(default_factory=list)
    dropped: list[DroppedKey] = field(default_factory=list)
    edc_version: str | None = None

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (warnings and infos never fail) and something
        was checked."""
        return not self.violations and not self.nothing_checked

    def found_classes_compact(self) -> list[str]:
        return [compact(c) for c in self.found_classes]

    def nothing_checked_message(self) -> str:
        """"0 micro-credentials found: nothing was checked; found ...: import it with ..."."""
        return f"{NOTHING_CHECKED}; {import_hint(self.found_classes)}"

    def summary(self) -> str:
        """Why it does not conform, in one line (or that it does)."""
        if self.nothing_checked:
            return self.nothing_checked_message()
        if self.violations:
            return f"{len(self.violations)} violation(s)"
        return "conforms"

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def to_json(self) -> dict:
        """The report as JSON (the shape of :class:`microhe.validation.models.ValidationReportModel`)."""
        return {
            "conforms": self.conforms,
            "profiles": list(self.profiles),
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "checked": dict(self.checked),
            "nothing_checked": self.nothing_checked,
            "message": self.nothing_checked_message() if self.nothing_checked else None,
            "found_classes": list(self.found_classes),
            "dropped": len(self.dropped),
            "dropped_keys": [d.to_json() for d in self.dropped],
            "edc_context": self.edc_version,
            "results": [r.to_json() for r in self.results],
        }

    def to_text(self) -> str:
        if self.nothing_checked:
            head = f"does not conform: {self.nothing_checked_message()} [profiles: {', '.join(self.profiles)}]"
        else:
            head = (f"{'conforms' if self.conforms else 'does not conform'}: {len(self.violations)} violation(s), "
                    f"{len(self.warnings)} warning(s) [profiles: {', '.join(self.profiles)}]")
        lines = [head]
        if self.checked and not self.nothing_checked:
            lines.append("checked: " + ", ".join(f"{p} {'?' if n is None else n} node(s)"
                                                 for p, n in self.checked.items()))
        if self.edc_version is not None:
            lines.append(f"read with the EDC context v{self.edc_version}")
        if self.dropped:
            n = len(self.dropped)
            lines.append(f"{n} key{'s' if n > 1 else ''} dropped by JSON-LD expansion (not in the data):")
            lines.extend(f"  {d.describe()}" for d in self.dropped)
        for r in self.results:
            lines.append(f"{r.severity}: {_compact(r.focus_node)}")
            if r.path is not None:
                lines.append(f"  path:  {_compact_path(r.path)}")
            if r.value is not None:
                lines.append(f"  value: {_compact(r.value)}")
            lines.append(f"  {r.message}")
            lines.append(f"  ({_compact(r.constraint)}, shape {_compact(r.shape)})")
        return "\n".join(lines)

    def to_turtle(self) -> str:
        """The report as a standard sh:ValidationReport in Turtle."""
        from rdflib import BNode, Graph, Literal, URIRef
        from rdflib.namespace import RDF, SH

        g = Graph()
        g.bind("sh", SH)
        for profile in self.profiles:
            g.bind(profile.replace("-", "_").replace(".", "_"), URIRef(f"{SHAPES_BASE}{profile}#"))
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        shapes = all_shapes()
        for r in self.results:
            result = BNode()
            g.add((report, SH.result, result))
            g.add((result, RDF.type, SH.ValidationResult))
            g.add((result, SH.focusNode, term_of(r.focus_node)))
            g.add((result, SH.resultSeverity, SH[r.severity]))
            g.add((result, SH.resultMessage, Literal(r.message)))
            g.add((result, SH.sourceShape, term_of(r.shape)))
            g.add((result, SH.sourceConstraintComponent, URIRef(r.constraint)))
            if r.value is not None:
                g.add((result, SH.value, r._value_term if r._value_term is not None else term_of(r.value)))
            if r.path is not None:
                path = _path_term(r, shapes, g)
                if path is not None:
                    g.add((result, SH.resultPath, path))
        return g.serialize(format="turtle")


def sort_key(r: ValidationResult):
    """The order of a report's results."""
    return (SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9,
            r.focus_node, r.path or "", r.shape, r.constraint, r.value or "")


def term_of(text: str):
    """The rdflib term of a result's IRI or ``_:label`` text."""
    from rdflib import BNode, URIRef

    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


# -- property paths -------------------------------------------------------------------------


def render_path(g, p) -> str:
    """A SHACL property path as SPARQL 1.1 property-path syntax."""
    from rdflib import URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF, SH

    if isinstance(p, URIRef):
        return f"<{p}>"
    if (p, RDF.first, None) in g:
        return "(" + "/".join(render_path(g, x) for x in Collection(g, p)) + ")"
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = g.value(p, prop)
        if inner is not None:
            return fmt.format(render_path(g, inner))
    alt = g.value(p, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(render_path(g, x) for x in Collection(g, alt)) + ")"
    return f"_:{p}"


def _copy_path(src, p, dst):
    """Copy the RDF structure of a property path into ``dst``; returns the new head node."""
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF, SH

    if isinstance(p, URIRef):
        return p
    if (p, RDF.first, None) in src:
        head = BNode()
        Collection(dst, head, [_copy_path(src, x, dst) for x in Collection(src, p)])
        return head
    new = BNode()
    for prop in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath):
        inner = src.value(p, prop)
        if inner is not None:
            dst.add((new, prop, _copy_path(src, inner, dst)))
    return new


def _path_term(r: ValidationResult, shapes, dst):
    from rdflib import URIRef
    from rdflib.namespace import SH

    text = r.path
    if text is None:
        return None
    if not text.startswith(("(", "^", "<")):  # a plain property IRI
        return URIRef(text)
    for path in shapes.objects(URIRef(r.shape), SH.path):
        if (isinstance(path, URIRef) and f"<{path}>" == text) or render_path(shapes, path) == text:
            return _copy_path(shapes, path, dst)
    return None


# -- compact display ------------------------------------------------------------------------


def _compact(text: str) -> str:
    for prefix, ns in _PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    if text.startswith(SHAPES_BASE):
        return text[len(SHAPES_BASE):]
    return text


def _compact_path(path: str) -> str:
    if not path.startswith(("(", "^", "<")):
        return _compact(path)

    def one(m: re.Match) -> str:
        short = _compact(m[1])
        return m[0] if short == m[1] else short

    return re.sub(r"<([^<>]*)>", one, path)
