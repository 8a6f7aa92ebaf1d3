"""SHACL validation of credential data against the microhe profiles.

A profile is one Turtle file in ``microhe/shapes/`` (profile name = file stem; see
``microhe/shapes/README.md``). A validation sees the input plus the bundled reference
data (frameworks and their EQF referencing, credit systems, vocabularies, institutions
from ``microhe/kg/reference/``) and nothing else, so the same file gives the same report
everywhere. pyshacl is the engine: no inference, SHACL-AF enabled (the profiles use
SPARQL targets), warnings and infos never make a report fail.

>>> from rdflib import Graph
>>> report = validate(Graph())
>>> report.conforms, report.results, report.profiles
(True, [], ('council-2022', 'consistency'))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pyshacl
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery

from microhe.ingest.bundled import reference_graphs
from microhe.validation.profiles import (
    DEFAULT_PROFILES,
    SHAPES_BASE,
    UnknownProfileError,
    available_profiles,
    shapes_dir,
)

__all__ = [
    "ValidationReport",
    "ValidationResult",
    "reference_graph",
    "validate",
    "validate_quads",
]


_SEVERITIES = ("Violation", "Warning", "Info")
_PREFIXES = {
    "sh": str(SH),
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
    _value_term: rdflib.term.Node | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {"focus_node": self.focus_node, "path": self.path, "message": self.message,
                "severity": self.severity, "shape": self.shape, "constraint": self.constraint,
                "value": self.value}


@dataclass
class ValidationReport:
    results: list[ValidationResult]
    profiles: tuple[str, ...]

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (warnings and infos never fail)."""
        return not self.violations

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def to_json(self) -> dict:
        return {
            "conforms": self.conforms,
            "profiles": list(self.profiles),
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [r.to_json() for r in self.results],
        }

    def to_text(self) -> str:
        head = (f"{'conforms' if self.conforms else 'does not conform'}: {len(self.violations)} violation(s), "
                f"{len(self.warnings)} warning(s) [profiles: {', '.join(self.profiles)}]")
        lines = [head]
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
        g = Graph()
        g.bind("sh", SH)
        for profile in self.profiles:
            g.bind(profile.replace("-", "_").replace(".", "_"), URIRef(f"{SHAPES_BASE}{profile}#"))
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        shapes = _all_shapes()
        for r in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, _node(r.focus_node)))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            g.add((node, SH.resultMessage, Literal(r.message)))
            g.add((node, SH.sourceShape, _node(r.shape)))
            g.add((node, SH.sourceConstraintComponent, URIRef(r.constraint)))
            if r.value is not None:
                g.add((node, SH.value, r._value_term if r._value_term is not None else _node(r.value)))
            if r.path is not None:
                path = _path_term(r, shapes, g)
                if path is not None:
                    g.add((node, SH.resultPath, path))
        return g.serialize(format="turtle")


# -- profiles and reference data ---------------------------------------------------------


def _resolve(profiles: str | Iterable[str]) -> tuple[str, ...]:
    names = (profiles,) if isinstance(profiles, str) else tuple(profiles)
    valid = set(available_profiles())
    out: list[str] = []
    for name in names:
        if name not in valid:
            raise UnknownProfileError(name)
        if name not in out:
            out.append(name)
    if not out:
        raise ValueError(f"no validation profile given; valid profiles: {', '.join(sorted(valid))}")
    return tuple(out)


@lru_cache(maxsize=32)
def _shapes_graph(profiles: tuple[str, ...]) -> Graph:
    g = Graph()
    for name in profiles:
        g.parse(data=shapes_dir().joinpath(f"{name}.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


@cache
def _all_shapes() -> Graph:
    return _shapes_graph(tuple(available_profiles()))


@cache
def reference_graph() -> rdflib.Graph:
    """The bundled reference data validation sees (``microhe/kg/reference/*.ttl``), parsed
    once and cached. Treat it as read-only."""
    g = Graph()
    for bundled in reference_graphs():
        g.parse(data=bundled.data, format="turtle")
    return g


# -- validation --------------------------------------------------------------------------


def validate(data: rdflib.Graph, profiles: str | Iterable[str] = DEFAULT_PROFILES) -> ValidationReport:
    """Validate ``data``, with the reference graph mixed in, against ``profiles``.

    ``profiles`` is a name or names from available_profiles() (UnknownProfileError
    otherwise). A Dataset or ConjunctiveGraph is validated as the union of its graphs.
    Nothing is copied: pyshacl reads a read-only view over the input and the cached
    reference graph, so ``data`` is never modified."""
    chosen = _resolve(profiles)
    shapes = _shapes_graph(chosen)
    if isinstance(data, rdflib.Dataset):  # validate the union of its graphs
        graphs = [reference_graph(), *data.graphs()]
    elif isinstance(data, rdflib.ConjunctiveGraph):
        graphs = [reference_graph(), *data.contexts()]
    else:
        graphs = [reference_graph(), data]
    view = _ValidationView(graphs)
    _conforms, results_graph, _text = pyshacl.validate(
        view,
        shacl_graph=shapes,
        inference="none",
        advanced=True,  # SPARQL-based targets (SHACL-AF)
        inplace=True,  # never copy: the view is read-only and no shape infers triples
        allow_warnings=True,
        allow_infos=True,
        abort_on_first=False,
        meta_shacl=False,
    )
    # only the report's own results: nested sh:detail results explain a parent result
    results = [_result(results_graph, shapes, node)
               for report in results_graph.subjects(RDF.type, SH.ValidationReport)
               for node in results_graph.objects(report, SH.result)]
    results.sort(key=lambda r: (_SEVERITIES.index(r.severity) if r.severity in _SEVERITIES else 9,
                                r.focus_node, r.path or "", r.shape, r.constraint, r.value or ""))
    return ValidationReport(results=results, profiles=chosen)


def validate_quads(quads, profiles: str | Iterable[str] = DEFAULT_PROFILES, *,
                   engine: str = "auto") -> ValidationReport:
    """Validate pyoxigraph quads (the union of their triples) like ``validate``.

    ``engine``: ``"pyshacl"`` converts to rdflib and calls ``validate``; ``"compiled"``
    runs the SPARQL-compiled shapes of ``microhe.validation.compiled`` on a pyoxigraph staging
    store (reference + input) and raises ``fastvalidate.UnsupportedShape`` /
    ``NonCanonicalInput`` where it cannot give pyshacl's results; ``"auto"`` (default)
    uses the compiled path for every profile that compiles and pyshacl for the rest (and
    for everything when the input's literals cannot be staged faithfully). The results
    equal pyshacl's (tests/shapes/test_fastvalidate.py)."""
    from microhe.validation import compiled as fv
    from microhe.rdf.terms import quads_to_graph

    if engine not in ("auto", "compiled", "pyshacl"):
        raise ValueError(f"unknown validation engine {engine!r}; valid engines: auto, compiled, pyshacl")
    chosen = _resolve(profiles)
    quads = quads if isinstance(quads, list) else list(quads)
    if engine == "pyshacl":
        return validate(quads_to_graph(quads), chosen)
    compiled, fallback = [], []
    for name in chosen:
        try:
            compiled.append(fv.compile_shapes(name))
        except fv.UnsupportedShape:
            if engine == "compiled":
                raise
            fallback.append(name)
    results: list[ValidationResult] = []
    if compiled:
        try:
            store, changed = fv.staging_store(quads)
            # all profiles' checks in one run, so they share the worker threads
            results.extend(fv.run_compiled(store, changed, fv.CompiledProfile([ch for c in compiled for ch in c.checks])))
        except fv.NonCanonicalInput:
            if engine == "compiled":
                raise
            return validate(quads_to_graph(quads), chosen)
    if fallback:
        results.extend(validate(quads_to_graph(quads), tuple(fallback)).results)
    results.sort(key=_sort_key)
    return ValidationReport(results=results, profiles=chosen)


def _sort_key(r: ValidationResult):
    return (_SEVERITIES.index(r.severity) if r.severity in _SEVERITIES else 9,
            r.focus_node, r.path or "", r.shape, r.constraint, r.value or "")


class _ValidationView(ReadOnlyGraphAggregate):
    """The input and the reference graph as one read-only graph, without copying either.

    pyshacl re-parses a SPARQL constraint's text for every focus node (``$this`` is bound
    through initBindings, so the text is the same each time); parsing costs far more than
    evaluating, so parsed queries are cached by text."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=512)
def _prepared(text: str):
    return prepareQuery(text)


def _result(g: Graph, shapes: Graph, node) -> ValidationResult:
    value = g.value(node, SH.value)
    path = g.value(node, SH.resultPath)
    severity = g.value(node, SH.resultSeverity)
    shape = g.value(node, SH.sourceShape)
    if path is not None and not isinstance(path, URIRef):
        # a complex path: render it from the shapes graph, where its structure is complete
        declared = shapes.value(shape, SH.path) if shape is not None else None
        path_text = _render_path(shapes, declared) if declared is not None else _render_path(g, path)
    else:
        path_text = None if path is None else str(path)
    return ValidationResult(
        focus_node=_str(g.value(node, SH.focusNode)),
        path=path_text,
        message=_message(g, node),
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        shape=_str(shape),
        constraint=_str(g.value(node, SH.sourceConstraintComponent)),
        value=None if value is None else _str(value),
        _value_term=value,
    )


def _message(g: Graph, node) -> str:
    messages = list(g.objects(node, SH.resultMessage))
    if not messages:
        return ""
    for m in messages:
        if isinstance(m, Literal) and m.language in (None, "en"):
            return str(m)
    return str(messages[0])


def _str(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _node(text: str):
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


# -- property paths -------------------------------------------------------------------------


def _render_path(g: Graph, p) -> str:
    """A SHACL property path as SPARQL 1.1 property-path syntax."""
    if isinstance(p, URIRef):
        return f"<{p}>"
    if (p, RDF.first, None) in g:
        return "(" + "/".join(_render_path(g, x) for x in Collection(g, p)) + ")"
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = g.value(p, prop)
        if inner is not None:
            return fmt.format(_render_path(g, inner))
    alt = g.value(p, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(_render_path(g, x) for x in Collection(g, alt)) + ")"
    return f"_:{p}"


def _copy_path(src: Graph, p, dst: Graph):
    """Copy the RDF structure of a property path into ``dst``; returns the new head node."""
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


def _path_term(r: ValidationResult, shapes: Graph, dst: Graph):
    if not r.path.startswith(("(", "^", "<")):  # a plain property IRI
        return URIRef(r.path)
    for path in shapes.objects(URIRef(r.shape), SH.path):
        if (isinstance(path, URIRef) and f"<{path}>" == r.path) or _render_path(shapes, path) == r.path:
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
