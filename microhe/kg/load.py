"""Validated, all-or-nothing loading of RDF files into named graphs, with provenance.

The pipeline for a batch of files: read and checksum each one, parse it into staging
(memory), refuse learner data, validate it against the chosen SHACL profiles together
with the bundled reference data (never the rest of the store), and only when every
file passed write all of them, and their provenance records, in one transaction.
Anything wrong raises :class:`LoadError` and the store is unchanged.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from . import bundled
from .derive import derive, derived_graph
from .namespaces import DCTERMS, MHE, META_GRAPH, PROV, RDF, XSD
from .parse import ParseError, parse
from .personal import find_personal_data, strip_personal_data
from .store import Store
from .terms import quads_to_graph
from .validate import DEFAULT_PROFILES, ValidationReport, validate

SHAPES_BASE = "https://w3id.org/microhe/shapes/"

_META = ox.NamedNode(META_GRAPH)
_TYPE = ox.NamedNode(RDF + "type")
_LOAD = ox.NamedNode(MHE + "Load")
_ACTIVITY = ox.NamedNode(PROV + "Activity")
_TARGET = ox.NamedNode(MHE + "targetGraph")
_SOURCE = ox.NamedNode(MHE + "sourceName")
_SHA = ox.NamedNode(MHE + "sha256")
_COUNT = ox.NamedNode(MHE + "tripleCount")
_PROFILE = ox.NamedNode(MHE + "validationProfile")
_ENDED = ox.NamedNode(PROV + "endedAtTime")
_AGENT = ox.NamedNode(PROV + "wasAssociatedWith")
_CONFORMS = ox.NamedNode(MHE + "conforms")
_TITLE = ox.NamedNode(DCTERMS + "title")


class LoadError(Exception):
    """A batch was refused; nothing was written. ``kind`` is one of ``usage``,
    ``parse``, ``personal``, ``invalid`` or ``conflict``."""

    def __init__(self, kind: str, message: str, *, source: str | None = None,
                 report: ValidationReport | None = None):
        super().__init__(message)
        self.kind = kind
        self.source = source
        self.report = report


@dataclass
class Source:
    """One input: a name (file name or upload name) and its bytes."""

    name: str
    data: bytes
    media_type: str | None = None

    @classmethod
    def from_path(cls, path: str | Path, max_bytes: int | None = None) -> "Source":
        p = Path(path)
        try:
            size = p.stat().st_size
            if max_bytes is not None and size > max_bytes:
                raise LoadError("usage", f"{p}: {size} bytes exceeds the limit of {max_bytes} bytes", source=str(p))
            return cls(str(p), p.read_bytes())
        except OSError as e:
            raise LoadError("usage", f"{p}: cannot read: {e.strerror or e}", source=str(p)) from e

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Outcome:
    """What happened to one source."""

    source: str
    graph: str
    sha256: str
    triples: int
    status: str  # "loaded" | "replaced" | "merged" | "unchanged"
    stripped: int = 0
    report: ValidationReport | None = None

    def to_json(self) -> dict:
        return {
            "source": self.source, "graph": self.graph, "sha256": self.sha256,
            "triples": self.triples, "status": self.status, "personal_quads_stripped": self.stripped,
            "warnings": len(self.report.warnings) if self.report else 0,
        }


@dataclass
class LoadRecord:
    graph: str
    source: str
    sha256: str
    triples: int
    profiles: list[str] = field(default_factory=list)
    time: str | None = None


def graph_for(name: str, base: str) -> str:
    """The default graph IRI of a file: ``<base>graph/<slug of the file name>``."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip("-") or "upload"
    return f"{base.rstrip('/')}/graph/{slug}"


def load_records(store: Store) -> dict[str, LoadRecord]:
    """The provenance record of each loaded graph, by graph IRI."""
    rows = store.query(
        f"""PREFIX mhe: <{MHE}> PREFIX prov: <{PROV}>
        SELECT ?g ?src ?sha ?n ?t (GROUP_CONCAT(STR(?p); separator=" ") AS ?profiles)
        WHERE {{ GRAPH <{META_GRAPH}> {{
            ?l a mhe:Load ; mhe:targetGraph ?g ; mhe:sourceName ?src ; mhe:sha256 ?sha ; mhe:tripleCount ?n .
            OPTIONAL {{ ?l prov:endedAtTime ?t }} OPTIONAL {{ ?l mhe:validationProfile ?p }} }} }}
        GROUP BY ?g ?src ?sha ?n ?t""",
        default_graph=[META_GRAPH],
    )
    out = {}
    for r in rows:
        profiles = [p.rsplit("/", 1)[-1] for p in r["profiles"].value.split()] if r["profiles"] else []
        out[r["g"].value] = LoadRecord(
            r["g"].value, r["src"].value, r["sha"].value, int(r["n"].value), profiles,
            r["t"].value if r["t"] else None,
        )
    return out


def _record_quads(store: Store, graph: str) -> list[ox.Quad]:
    """The meta-graph quads describing the loads of ``graph``."""
    loads = [
        q.subject for q in store.raw.quads_for_pattern(None, _TARGET, ox.NamedNode(graph), _META)
    ]
    quads = []
    for node in loads:
        quads.extend(store.raw.quads_for_pattern(node, None, None, _META))
    return quads


def provenance_quads(graph: str, source: str, sha256: str, triples: int, profiles: Sequence[str],
                     agent: str | None = None) -> list[ox.Quad]:
    node = ox.NamedNode(f"urn:uuid:{uuid.uuid4()}")
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    quads = [
        ox.Quad(node, _TYPE, _LOAD, _META),
        ox.Quad(node, _TYPE, _ACTIVITY, _META),
        ox.Quad(node, _TARGET, ox.NamedNode(graph), _META),
        ox.Quad(node, _SOURCE, ox.Literal(source), _META),
        ox.Quad(node, _SHA, ox.Literal(sha256), _META),
        ox.Quad(node, _COUNT, ox.Literal(str(triples), datatype=ox.NamedNode(XSD + "integer")), _META),
        ox.Quad(node, _ENDED, ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), _META),
        ox.Quad(node, _CONFORMS, ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), _META),
    ]
    quads += [ox.Quad(node, _PROFILE, ox.NamedNode(SHAPES_BASE + p), _META) for p in profiles]
    if agent:
        quads.append(ox.Quad(node, _AGENT, ox.Literal(agent), _META))
    return quads


def stage(source: Source, *, base_iri: str | None = None, strip_personal: bool = False,
          profiles: Sequence[str] = DEFAULT_PROFILES) -> tuple[list[ox.Quad], int, ValidationReport]:
    """Parse, check for learner data and validate one source without touching any store.
    Returns the quads (graph names dropped), the number of personal quads stripped and
    the validation report. Raises LoadError(parse|personal)."""
    quads, stripped = prepare(source, base_iri=base_iri, strip_personal=strip_personal)
    report = validate(quads_to_graph(quads), profiles=tuple(profiles))
    return quads, stripped, report


def prepare(source: Source, *, base_iri: str | None = None,
            strip_personal: bool = False) -> tuple[list[ox.Quad], int]:
    """Parse one source and refuse (or strip) learner data; no validation. Returns the
    quads and the number of personal quads stripped. Raises LoadError(parse|personal)."""
    try:
        quads = parse(source.data, name=source.name, base_iri=base_iri,
                      format=None if source.media_type is None else _format_for(source))
    except ParseError as e:
        raise LoadError("parse", str(e), source=source.name) from e
    if not quads:
        raise LoadError("parse", f"{source.name}: no RDF triples in the input; nothing to load", source=source.name)
    stripped = 0
    found = find_personal_data(quads)
    if found:
        if not strip_personal:
            raise LoadError("personal", found.message(source.name), source=source.name)
        quads, stripped = strip_personal_data(quads)
    return quads, stripped


def _format_for(source: Source):
    from .parse import detect_format

    return detect_format(name=source.name, media_type=source.media_type)


def load(
    store: Store,
    sources: Sequence[Source],
    *,
    graph: str | None = None,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    replace: bool = False,
    strip_personal: bool = False,
    base: str = "http://127.0.0.1:8000/",
    agent: str | None = None,
    progress: Callable[[str, str], None] | None = None,
    force: bool = False,
) -> list[Outcome]:
    """Load ``sources`` into the store, each into its own named graph, all or nothing.

    ``graph`` names the target graph (only with a single source). A source whose graph
    already holds the same bytes (same SHA-256) is reported ``unchanged``; a graph that
    holds other data is refused unless ``replace``. ``force`` writes even when the record
    says the graph holds the same bytes (the graph may have been changed by other means,
    e.g. SPARQL Update; the Graph Store's PUT always replaces). Raises :class:`LoadError`.
    """
    if not sources:
        raise LoadError("usage", "no input files given")
    if graph is not None and len(sources) > 1:
        raise LoadError("usage", "--graph names one graph: give one file, or omit --graph")
    note = progress or (lambda _stage, _name: None)
    records = load_records(store)

    targets: dict[str, Source] = {}
    for src in sources:
        g = graph or graph_for(src.name, base)
        if g in targets:
            raise LoadError("usage", f"{src.name} and {targets[g].name} would both load into <{g}>; "
                            "rename one or load them separately", source=src.name)
        targets[g] = src

    staged: dict[str, tuple[Source, list[ox.Quad], int, ValidationReport]] = {}
    outcomes: list[Outcome] = []
    failures: list[LoadError] = []
    for g, src in targets.items():
        rec = records.get(g)
        if rec is not None and rec.sha256 == src.sha256 and not force:
            outcomes.append(Outcome(src.name, g, src.sha256, rec.triples, "unchanged"))
            continue
        if store.has_graph(g) and not replace:
            held = f"data loaded from {rec.source}" if rec else "data"
            raise LoadError("conflict", f"<{g}> already holds {held}; use --replace to swap its content",
                            source=src.name)
        note("parse+validate", src.name)
        try:
            quads, stripped, report = stage(src, base_iri=base, strip_personal=strip_personal, profiles=profiles)
        except LoadError as e:
            if e.kind == "parse":
                raise
            failures.append(e)
            continue
        if not report.conforms:
            failures.append(LoadError("invalid", f"{src.name}: {len(report.violations)} violation(s)",
                                      source=src.name, report=report))
            continue
        staged[g] = (src, quads, stripped, report)

    if failures:
        first = failures[0]
        if len(failures) > 1:
            first.args = ("; ".join(str(f) for f in failures),)
            first.failures = failures  # type: ignore[attr-defined]
        raise first

    if not staged:
        return outcomes
    note("write", ", ".join(s[0].name for s in staged.values()))
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []
    graphs: dict[str, list[ox.Quad]] = {}
    for g, (src, quads, stripped, report) in staged.items():
        triples = len({(q.subject, q.predicate, q.object) for q in quads})
        graphs[g] = quads
        graphs[derived_graph(g)] = derive(store, quads, g)
        remove += _record_quads(store, g)
        add += provenance_quads(g, Path(src.name).name, src.sha256, triples, profiles, agent)
        status = "replaced" if store.has_graph(g) else "loaded"
        outcomes.append(Outcome(src.name, g, src.sha256, triples, status, stripped, report))
    store.write(graphs, add=add, remove=remove)
    return outcomes


#: How provenance records name the store's own default graph (the name Apache Jena uses
#: for it); it only appears as the mhe:targetGraph of Graph Store writes to ``?default``.
DEFAULT_GRAPH = "urn:x-arq:DefaultGraph"


def merge(
    store: Store,
    source: Source,
    *,
    graph: str | None,
    replace: bool = False,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    strip_personal: bool = False,
    base: str = "http://127.0.0.1:8000/",
    agent: str | None = None,
) -> Outcome:
    """Add the triples of one source to ``graph`` (``None``: the store's own default
    graph; created when missing), or with ``replace`` swap the default graph's content,
    all or nothing. What is validated is the graph's content *after* the write (what it
    holds plus the source, or the source alone with ``replace``), with the bundled
    reference data; then the new triples and a provenance record are written in one
    transaction, with a named graph's derived values (``<g>#derived``, recomputed over
    the merged content; the default graph gets none). Earlier records of the graph are
    kept (its content came from them too), except with ``replace``. Raises :class:`LoadError` (parse, personal, invalid)."""
    if replace and graph is not None:
        raise LoadError("usage", "to replace a named graph use load(..., replace=True)")
    target = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    record_graph = graph if graph is not None else DEFAULT_GRAPH
    quads, stripped = prepare(source, base_iri=base, strip_personal=strip_personal)
    existed = store.has_graph(graph) if graph is not None else not replace and store.graph_size(None) > 0
    existing = [] if replace else list(store.quads(graph))
    report = validate(quads_to_graph(existing + quads), profiles=tuple(profiles))
    if not report.conforms:
        raise LoadError("invalid", f"{source.name}: {len(report.violations)} violation(s)",
                        source=source.name, report=report)
    new = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
    triples = len({(q.subject, q.predicate, q.object) for q in quads})
    add = new + provenance_quads(record_graph, Path(source.name).name, source.sha256, triples, profiles, agent)
    if replace:
        store.write(drop=[None], add=add, remove=_record_quads(store, record_graph))
    elif graph is not None:  # the derived values are recomputed over the merged content
        store.write({derived_graph(graph): derive(store, existing + quads, graph)}, add=add)
    else:
        store.write(add=add)
    status = "replaced" if replace else ("merged" if existed else "loaded")
    return Outcome(source.name, record_graph, source.sha256, triples, status, stripped, report)


def drop(store: Store, graph: str | None) -> int:
    """Remove a named graph (``None``: empty the store's own default graph) and its
    provenance records; returns the triples removed."""
    if graph is None:
        n = store.graph_size(None)
        store.write(drop=[None], remove=_record_quads(store, DEFAULT_GRAPH))
        return n
    if not store.has_graph(graph):
        raise LoadError("usage", f"no graph <{graph}> in the store (see `microhe graphs`)")
    n = store.graph_size(graph)
    extra = [derived_graph(graph)] if store.has_graph(derived_graph(graph)) else []
    store.write(drop=[graph, *extra], remove=_record_quads(store, graph))
    return n


def initialise(store: Store, *, demo: bool = False) -> list[Outcome]:
    """Write the bundled reference graphs (and, with ``demo``, the demo graphs) that are
    missing or outdated, with provenance. Bundled data is not SHACL-gated here: its
    conformance is a test of the package."""
    outcomes: list[Outcome] = []
    # Reference data first: deriving the demo's EQF levels and ECTS needs it in the store.
    _write_bundles(store, [*bundled.ontology_graphs(), *bundled.reference_graphs()], outcomes, derived=False)
    if demo:
        _write_bundles(store, list(bundled.demo_graphs()), outcomes, derived=True)
    return outcomes


def _write_bundles(store: Store, bundles: list, outcomes: list[Outcome], *, derived: bool) -> None:
    records = load_records(store)
    graphs: dict[str, list[ox.Quad]] = {}
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []
    for b in bundles:
        rec = records.get(b.iri)
        if rec is not None and rec.sha256 == b.sha256:
            outcomes.append(Outcome(b.name, b.iri, b.sha256, rec.triples, "unchanged"))
            continue
        quads = b.quads()
        graphs[b.iri] = quads
        if derived:
            graphs[derived_graph(b.iri)] = derive(store, quads, b.iri)
        remove += _record_quads(store, b.iri)
        add += provenance_quads(b.iri, "microhe:" + b.name, b.sha256, len(quads), [], "microhe init")
        outcomes.append(Outcome(b.name, b.iri, b.sha256, len(quads), "replaced" if rec else "loaded"))
    if graphs:
        store.write(graphs, add=add, remove=remove)


def ensure_initialised(store: Store) -> bool:
    """Initialise an empty store with the reference graphs; True when it did."""
    if store.is_empty():
        initialise(store)
        return True
    return False
