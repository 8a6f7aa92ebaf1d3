"""The data shipped with the package: reference graphs and the demo set.

The ontology files become the graphs of ``ontology_graphs()``. Each Turtle file in
``microhe/kg/reference/`` becomes the named graph
``https://w3id.org/microhe/ref/graph/<stem>``; each file in ``microhe/kg/demo/`` the graph
``https://w3id.org/microhe/demo/graph/<stem>``. Files are found with importlib.resources,
so the installed wheel and the checkout behave the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

from microhe.vocab import DEMO, REF_GRAPH

ONTOLOGY = "https://w3id.org/microhe/ontology"


@dataclass(frozen=True)
class BundledGraph:
    iri: str
    name: str  # package-relative file name, e.g. "reference/frameworks.ttl"
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def quads(self) -> list[ox.Quad]:
        graph = ox.NamedNode(self.iri)
        return [
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(self.data, ox.RdfFormat.TURTLE, without_named_graphs=True)
        ]


def _graphs(folder: str, graph_base: str, package: str = "microhe.kg") -> tuple[BundledGraph, ...]:
    root = resources.files(package).joinpath(folder)
    if not root.is_dir():
        return ()
    files = sorted((f for f in root.iterdir() if f.name.endswith(".ttl")), key=lambda f: f.name)
    return tuple(BundledGraph(graph_base + f.name[:-4], f"{folder}/{f.name}", f.read_bytes()) for f in files)


@cache
def reference_graphs() -> tuple[BundledGraph, ...]:
    """The reference graphs (frameworks, credit systems, vocabularies, institutions)."""
    return _graphs("reference", REF_GRAPH)


@cache
def ontology_graphs() -> tuple[BundledGraph, ...]:
    """The ontology (``https://w3id.org/microhe/ontology``) and its alignment files
    (``https://w3id.org/microhe/ontology/alignments/<stem>``), so that SPARQL users see
    the labels and definitions of the terms."""
    core = [g for g in _graphs("ontology", "", "microhe") if g.name == "ontology/core.ttl"]
    core = [BundledGraph(ONTOLOGY, g.name, g.data) for g in core]
    return tuple(core) + _graphs("ontology/alignments", ONTOLOGY + "/alignments/", "microhe")


@cache
def demo_graphs() -> tuple[BundledGraph, ...]:
    """The demo graphs (demo credentials, skills and institutions; labelled demo data)."""
    return _graphs("demo", DEMO + "graph/")
