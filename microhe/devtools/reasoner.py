"""OWL 2 DL consistency checks with HermiT, and the bundled ontology as an rdflib graph.

This is the only module that imports owlready2 (the ``reasoner`` extra). It takes and
returns rdflib graphs; owlready2 state never leaks out of a call.

>>> result = check_consistency(ontology_graph())      # doctest: +SKIP
>>> result.consistent, result.unsatisfiable
(True, [])

Nothing is fetched: ``owl:imports`` triples are removed before owlready2 sees the data (it
would otherwise download every imported ontology), and HermiT gets a local N-Triples file.
"""

from __future__ import annotations

import importlib.resources
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from microhe.errors import Unavailable

__all__ = [
    "ONTOLOGY_FILES",
    "ALIGNMENT_FILES",
    "ReasonerError",
    "ReasonerResult",
    "check_consistency",
    "ontology_graph",
]

# Package-relative paths (under microhe/ontology/) of the core ontology and the local
# declarations of the external terms it uses. Together they are the reasoner's input.
ONTOLOGY_FILES: tuple[str, ...] = ("core.ttl", "imports/elm-terms.ttl", "imports/w3c-terms.ttl")
ALIGNMENT_FILES: tuple[str, ...] = (
    "alignments/schemaorg.ttl",
    "alignments/ctdl.ttl",
    "alignments/openbadges3.ttl",
    "alignments/microhe-2018.ttl",
)

_OWL_NOTHING = str(OWL.Nothing)
# owlready2 keeps some module-level state (current namespaces, the default world); one check
# at a time keeps calls from different threads apart.
_LOCK = threading.Lock()


class ReasonerError(Unavailable, RuntimeError):
    """The reasoner could not run (owlready2 or Java missing, HermiT crashed)."""


@dataclass(frozen=True)
class ReasonerResult:
    """What HermiT said about a graph.

    ``consistent`` is False when the graph has no model at all; ``unsatisfiable`` lists the
    IRIs of named classes that can have no instance (only computed for a consistent graph).
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        """Consistent and without unsatisfiable classes."""
        return self.consistent and not self.unsatisfiable


def _ontology_dir():
    return importlib.resources.files("microhe") / "ontology"


def ontology_graph(*, alignments: bool = False) -> Graph:
    """The core ontology plus the local ELM/W3C term declarations, read from the package.

    With ``alignments=True`` the alignment files (schema.org, CTDL, Open Badges 3.0,
    MicroHE 2018) are added as well.
    """
    root = _ontology_dir()
    graph = Graph()
    names = ONTOLOGY_FILES + (ALIGNMENT_FILES if alignments else ())
    for name in names:
        resource = root.joinpath(*name.split("/"))
        graph.parse(data=resource.read_text(encoding="utf-8"), format="turtle")
    return graph


def _without_imports(graph: Graph) -> Graph:
    """A copy of ``graph`` with every owl:imports triple removed (nothing is ever fetched)."""
    copy = Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    return copy


def _import_owlready2():
    try:
        import owlready2
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ReasonerError(
            "owlready2 is not installed; install the reasoner extra: pip install 'microhe[reasoner]'"
        ) from exc
    return owlready2


def check_consistency(graph: Graph, *, ignore_unsupported_datatypes: bool = True) -> ReasonerResult:
    """Run HermiT on ``graph`` and report consistency and unsatisfiable classes.

    The graph is copied without ``owl:imports``, written as N-Triples to a temporary
    directory and loaded into a fresh owlready2 ``World`` that is closed afterwards.
    ``ignore_unsupported_datatypes`` lets HermiT accept literals of datatypes outside the
    OWL 2 datatype map (``xsd:duration``, ``xsd:date`` ...), which ELM data uses; their values
    are then not checked. Calls are serialised (one HermiT run at a time); HermiT has no
    time limit here, so do not feed it untrusted, unbounded input on a request path.
    Raises :class:`ReasonerError` when the reasoner cannot run.
    """
    owlready2 = _import_owlready2()
    data = _without_imports(graph)
    ontologies = sorted(str(s) for s in data.subjects(RDF.type, OWL.Ontology))
    with _LOCK, tempfile.TemporaryDirectory(prefix="microhe-reasoner-") as tmp:
        path = Path(tmp) / "input.nt"
        data.serialize(destination=str(path), format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            onto = world.get_ontology("urn:microhe:reasoner-input#")
            with path.open("rb") as fileobj:
                onto.load(only_local=True, fileobj=fileobj, reload=True)
            try:
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=0,
                    ignore_unsupported_datatypes=ignore_unsupported_datatypes,
                )
            except owlready2.OwlReadyInconsistentOntologyError:
                return ReasonerResult(
                    consistent=False,
                    unsatisfiable=[],
                    message=f"HermiT: inconsistent ontology ({len(data)} triples, "
                    f"ontologies: {', '.join(ontologies) or 'none declared'}); "
                    "it has no model, so classes were not classified.",
                )
            except owlready2.OwlReadyJavaError as exc:
                raise ReasonerError(f"HermiT failed: {exc}") from exc
            except FileNotFoundError as exc:
                raise ReasonerError(f"Java runtime not found ({owlready2.JAVA_EXE!r}): {exc}") from exc
            unsatisfiable = sorted(
                {cls.iri for cls in world.inconsistent_classes() if cls.iri != _OWL_NOTHING}
            )
        finally:
            world.close()
    if unsatisfiable:
        message = f"HermiT: consistent, but {len(unsatisfiable)} unsatisfiable class(es): " + ", ".join(
            unsatisfiable
        )
    else:
        message = f"HermiT: consistent, no unsatisfiable classes ({len(data)} triples)."
    return ReasonerResult(consistent=True, unsatisfiable=unsatisfiable, message=message)
