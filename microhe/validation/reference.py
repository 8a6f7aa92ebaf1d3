"""pyshacl, the reference engine: every profile, any input, and the oracle the compiled
engine is proven equal to (tests/validation/test_fastvalidate.py). Callers use
:func:`microhe.validation.validate`, which picks the engine; this module is the fallback
it uses (and ``engine="pyshacl"``).

pyshacl runs with no inference, SHACL-AF enabled (the profiles use SPARQL targets),
warnings and infos never failing a report, over a read-only view of the input and the
cached reference graph (nothing is copied)."""

from __future__ import annotations

from functools import lru_cache

import pyshacl
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery

from microhe.validation.profiles import reference_graph, shapes_graph
from microhe.validation.report import ValidationResult, render_path, sort_key


def validate_graph(data: rdflib.Graph, profiles: tuple[str, ...]) -> list[ValidationResult]:
    """pyshacl's results for ``data`` (a Dataset or ConjunctiveGraph: the union of its
    graphs) with the reference graph mixed in, against the resolved ``profiles``, sorted."""
    shapes = shapes_graph(profiles)
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
    results.sort(key=sort_key)
    return results


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
    path_text: str | None
    if path is not None and not isinstance(path, URIRef):
        # a complex path: render it from the shapes graph, where its structure is complete
        declared = shapes.value(shape, SH.path) if shape is not None else None
        path_text = render_path(shapes, declared) if declared is not None else render_path(g, path)
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
