"""The SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)
of the ``/sparql`` endpoint: what it supports, its limits (from the settings) and the
named graphs of its default dataset."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from microhe.settings import Settings
from microhe.vocab import RDF, RDFS

SD = "http://www.w3.org/ns/sparql-service-description#"
ENTAILMENT = "http://www.w3.org/ns/entailment/"
#: Unique URIs for file formats (https://www.w3.org/ns/formats/).
FORMATS = "http://www.w3.org/ns/formats/"


#: What the description says of the default graph: the union of the named graphs, counted
#: as pyoxigraph evaluates it, i.e. a triple held by two graphs matches twice (a bag), as
#: measured in tests/publish/test_union_default_graph.py; why /sparql does not rewrite
#: queries to set semantics: bench/RESULTS.md "Union default graph".
UNION_ADVICE = (
    "The default graph is the union of all named graphs (sd:UnionDefaultGraph). This engine (pyoxigraph 0.5; "
    "Oxigraph issue 1919, fixed upstream after 0.5.13) evaluates it as a bag: a "
    "triple that two graphs hold matches twice, so a pattern over the default graph can repeat a solution and "
    "COUNT(*) counts it per graph. Use SELECT DISTINCT (or COUNT(DISTINCT ...)) for set semantics, or "
    "GRAPH ?g { ... } to see which graph holds what. CONSTRUCT answers are sets already.")


def service_description(endpoint: str, store, settings: Settings, result_formats: Iterable[str],
                        void: str | None = None) -> list[ox.Triple]:
    """The description of the endpoint at ``endpoint`` over ``store``, as triples.
    ``result_formats``: the IRIs (under :data:`FORMATS`) of the formats it answers in;
    ``void``: the VoID description of the dataset (linked with ``rdfs:seeAlso``)."""
    N, L = ox.NamedNode, ox.Literal
    sd = lambda local: N(SD + local)  # noqa: E731
    a = N(RDF + "type")
    svc, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    t = [
        ox.Triple(svc, a, sd("Service")),
        ox.Triple(svc, sd("endpoint"), N(endpoint)),
        ox.Triple(svc, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(svc, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(svc, sd("defaultEntailmentRegime"), N(ENTAILMENT + "Simple")),
        ox.Triple(svc, sd("defaultDataset"), dataset),
        ox.Triple(svc, N(RDFS + "label"), L("microhe SPARQL endpoint", language="en")),
        ox.Triple(svc, N(RDFS + "comment"), L(
            f"SPARQL 1.1 Query over the microhe knowledge graph of micro-credentials. The default graph is the "
            f"union of all named graphs unless default-graph-uri/named-graph-uri or FROM/FROM NAMED name the "
            f"dataset. Queries time out after {settings.query_timeout:g} s (HTTP 503); results are capped at "
            f"{settings.row_cap} rows or triples (headers X-Result-Truncated, X-Row-Cap). "
            f"{'SERVICE is enabled. ' if settings.allow_service else 'SERVICE is disabled (no outbound requests). '}"
            f"Updates go to /update. {UNION_ADVICE}", language="en")),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
        ox.Triple(default, N(RDFS + "comment"), L("the union of all named graphs: " + UNION_ADVICE, language="en")),
    ]
    if void is not None:
        t += [ox.Triple(svc, N(RDFS + "seeAlso"), N(void)), ox.Triple(dataset, N(RDFS + "seeAlso"), N(void))]
    for iri in result_formats:
        t.append(ox.Triple(svc, sd("resultFormat"), N(iri)))
    for i, g in enumerate(store.named_graphs()):
        node = ox.BlankNode(f"g{i}")
        t += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(node, a, sd("NamedGraph")),
              ox.Triple(node, sd("name"), N(g))]
    return t


__all__ = ["service_description", "UNION_ADVICE", "SD", "ENTAILMENT", "FORMATS"]
