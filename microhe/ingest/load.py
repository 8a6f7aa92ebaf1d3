"""Validated, all-or-nothing loading of RDF files into named graphs, with provenance.

The pipeline for a batch of files: read and checksum each one, parse it into staging
(memory), refuse learner data, validate it against the chosen SHACL profiles together
with the bundled reference data (never the rest of the store), and only when every
file passed write all of them, and their provenance records, in one transaction.
Anything wrong raises :class:`LoadError` and the store is unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from microhe.errors import Hint
from microhe.ingest.derive import derive, derived_graph
from microhe.ingest.errors import (
    GraphConflict,
    GraphNotFound,
    LoadError,
    LoadParseError,
    LoadUsageError,
    NotConforming,
)
from microhe.ingest.lock import write_lock
from microhe.ingest.personal import PersonalData, find_personal_data
from microhe.ingest.progress import Meter, Silent
from microhe.ingest.provenance import load_records, provenance_quads, record_quads
from microhe.ingest.streamed import NotStreamed, Streamed, stage_streamed
from microhe.kg import bundled
from microhe.rdf.jsonld_keys import DroppedKey
from microhe.rdf.parse import ParseResult, read
from microhe.rdf.reading import ParseError
from microhe.settings import DEFAULT_BASE
from microhe.store import changes
from microhe.store.chunked import CHUNK, write_chunked
from microhe.store.embedded import Store
from microhe.validation import DEFAULT_PROFILES, ValidationReport, validate

log = logging.getLogger("microhe.load")


def serialised(kind: str):
    """Run ``fn(store, ...)`` holding the store's write lock (:mod:`microhe.ingest.lock`):
    its reads, validation and write are one sequence no other writer interleaves with. Its
    writes are of ``kind`` in the change log unless the caller named theirs
    (:func:`microhe.store.changes.operation`: a Graph Store PUT stays a ``put``)."""

    def wrap(fn):
        @functools.wraps(fn)
        def locked(store, *args, **kwargs):
            with write_lock(store), changes.operation(kind):
                return fn(store, *args, **kwargs)

        return locked

    return wrap


@dataclass
class Source:
    """One input: a name (file name or upload name) and its bytes."""

    name: str
    data: bytes
    media_type: str | None = None
    #: Extra (predicate IRI, object) pairs for the load record of this source: what an
    #: importer converted it from (format, source SHA-256, converter, seal status).
    record: tuple[tuple[str, ox.NamedNode | ox.Literal], ...] = ()
    #: A large file left on disk (``data`` is then empty): :func:`load` reads it in chunks
    #: when it can (:mod:`microhe.ingest.streamed`), else whole.
    path: Path | None = None
    _sha256: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_path(cls, path: str | Path, max_bytes: int | None = None, *,
                  on_disk_from: int | None = None) -> Source:
        """The file at ``path``; with ``on_disk_from``, a file of at least that many bytes
        is not read into memory (``path`` is set instead)."""
        p = Path(path)
        try:
            size = p.stat().st_size
            if on_disk_from is not None and size >= on_disk_from and p.is_file():
                with open(p, "rb"):  # readable now, as the bytes would have been
                    pass
                return cls(str(p), b"", path=p)  # not held in memory: no byte limit
            if max_bytes is not None and size > max_bytes:
                raise LoadUsageError(f"{p}: {size} bytes exceeds the limit of {max_bytes} bytes", source=str(p))
            return cls(str(p), p.read_bytes())
        except OSError as e:
            raise LoadUsageError(f"{p}: cannot read: {e.strerror or e}", source=str(p)) from e

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None and not self.data else len(self.data)

    def content(self) -> bytes:
        """The bytes (read from ``path`` when the source was left on disk)."""
        if self.path is not None and not self.data:
            try:
                return self.path.read_bytes()
            except OSError as e:
                raise LoadUsageError(f"{self.path}: cannot read: {e.strerror or e}", source=self.name) from e
        return self.data

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            if self.path is not None and not self.data:
                from microhe.rdf.stream import sha256_of

                self._sha256 = sha256_of(self.path)
            else:
                self._sha256 = hashlib.sha256(self.data).hexdigest()
        return self._sha256


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
    #: The learners stripped (with ``strip_personal``): node and why, never their values.
    personal: PersonalData | None = None

    @property
    def dropped(self) -> list[DroppedKey]:
        """The JSON-LD keys expansion dropped when the source was read (from the report)."""
        return self.report.dropped if self.report else []

    def to_json(self) -> dict:
        return {
            "source": self.source, "graph": self.graph, "sha256": self.sha256,
            "triples": self.triples, "status": self.status, "personal_quads_stripped": self.stripped,
            "personal_data_stripped": self.personal.to_json() if self.personal else [],
            "warnings": len(self.report.warnings) if self.report else 0,
            "dropped_keys": [d.to_json() for d in self.dropped],
            "edc_context": self.report.edc_version if self.report else None,
        }


def graph_for(name: str, base: str) -> str:
    """The default graph IRI of a file: ``<base>graph/<slug of the file name>``."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip("-") or "upload"
    return f"{base.rstrip('/')}/graph/{slug}"


def stage(source: Source, *, base_iri: str | None = None, strip_personal: bool = False,
          profiles: Sequence[str] = DEFAULT_PROFILES, contexts: Mapping[str, Any] | None = None,
          ) -> tuple[list[ox.Quad], int, ValidationReport]:
    """Parse, check for learner data and validate one source without touching any store.
    Returns the quads (graph names dropped; learner data stripped when asked), the number
    of personal quads stripped and the validation report. The document is validated as
    issued (an award's learner element M1 included) and only then stripped, so what is
    stored never holds personal data. Raises LoadParseError or PersonalDataRefused."""
    quads, found, report, _ = _stage_and_derive(None, source, None, base_iri=base_iri,
                                                strip_personal=strip_personal, profiles=profiles,
                                                contexts=contexts)
    return quads, len(found.quads), report


def _stage_and_derive(store: Store | None, source: Source, graph: str | None, *, base_iri: str | None,
                      strip_personal: bool, profiles: Sequence[str], contexts: Mapping[str, Any] | None = None,
                      generic: bool = False,
                      ) -> tuple[list[ox.Quad], PersonalData, ValidationReport, list[ox.Quad]]:
    """:func:`stage` plus (given a store and graph) the derived values of what would be
    stored, computed while the validation runs: the compiled checks are evaluated by
    pyoxigraph without the GIL, so derive's Python work overlaps them. (The derived
    values are thrown away when the input does not conform.) Returns the kept quads and
    what :func:`personal_gate` found (stripped)."""
    parsed = _read_source(source, base_iri, contexts)
    quads = parsed.quads
    found = PersonalData() if generic else personal_gate(quads, source.name, strip_personal)
    if store is None or graph is None:  # nothing to derive: no thread needed
        report = with_reading(validate(quads, profiles=tuple(profiles)), parsed)
        kept, _ = found.strip(quads)
        return kept, found, report, []
    with ThreadPoolExecutor(1) as pool:
        validating = pool.submit(validate, quads, profiles=tuple(profiles))
        kept, _ = found.strip(quads)
        derived = derive(store, kept, graph)
        report = with_reading(validating.result(), parsed)
    return kept, found, report, derived


def with_reading(report: ValidationReport, parsed: ParseResult) -> ValidationReport:
    """``report`` carrying what reading the input lost (dropped JSON-LD keys) and the EDC
    context version it was read with, so every answer that shows the report shows them."""
    report.dropped = list(parsed.dropped)
    report.edc_version = parsed.edc_version
    return report


def accepted(report: ValidationReport, generic: bool = False) -> bool:
    """Whether a write with ``report`` may be stored: it conforms, or (``generic``: a
    deployment that is a generic Graph Store, ``Settings.generic_graph_store``) it has no
    violation and only nothing was checked."""
    return report.conforms or (generic and report.nothing_checked and not report.violations)


def refusal(source: str, report: ValidationReport) -> NotConforming:
    """The NotConforming error of a source whose report does not conform."""
    return NotConforming(f"{source}: {report.summary()}", source=source, report=report)


def personal_gate(quads: Sequence[ox.Quad], source: str, strip: bool) -> PersonalData:
    """The learner-data gate of every write path (``load``, ``merge``, ``prepare``, and so
    the CLI and the Graph Store): refuse ``quads`` holding learner data
    (:func:`microhe.ingest.personal.find_personal_data`) with PersonalDataRefused, or with
    ``strip`` return what was found, for the caller to strip (after validating the
    document as issued) and report."""
    found = find_personal_data(quads)
    if found and not strip:
        raise found.refusal(source)
    return found


def _read_source(source: Source, base_iri: str | None, contexts: Mapping[str, Any] | None = None) -> ParseResult:
    try:
        parsed = read(source.content(), name=source.name, base_iri=base_iri, contexts=contexts,
                      format=None if source.media_type is None else _format_for(source))
    except ParseError as e:
        raise LoadParseError(str(e), source=source.name) from e
    if not parsed.quads:
        raise LoadParseError(f"{source.name}: no RDF triples in the input; nothing to load", source=source.name)
    return parsed


def _triple_count(quads: Sequence[ox.Quad]) -> int:
    """The number of distinct triples of ``quads`` (hashing the quads themselves when they
    are all in the default graph: much cheaper than building a tuple per quad)."""
    default = ox.DefaultGraph
    if all(type(q.graph_name) is default for q in quads):
        return len(set(quads))
    return len({(q.subject, q.predicate, q.object) for q in quads})


def prepare(source: Source, *, base_iri: str | None = None, strip_personal: bool = False,
            contexts: Mapping[str, Any] | None = None) -> tuple[list[ox.Quad], int]:
    """Parse one source and refuse (or strip) learner data; no validation. Returns the
    quads and the number of personal quads stripped. Raises LoadParseError or PersonalDataRefused."""
    quads = _read_source(source, base_iri, contexts).quads
    return personal_gate(quads, source.name, strip_personal).strip(quads)


def _format_for(source: Source):
    from microhe.rdf.parse import detect_format

    return detect_format(name=source.name, media_type=source.media_type)


@serialised("load")
def load(
    store: Store,
    sources: Sequence[Source],
    *,
    graph: str | None = None,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    replace: bool = False,
    strip_personal: bool = False,
    base: str = DEFAULT_BASE,
    agent: str | None = None,
    progress: Callable[[str, str], None] | None = None,
    force: bool = False,
    bulk: bool = False,
    contexts: Mapping[str, Any] | None = None,
    generic: bool = False,
    meter: Meter | None = None,
    chunk: int = CHUNK,
) -> list[Outcome]:
    """Load ``sources`` into the store, each into its own named graph, all or nothing.

    ``graph`` names the target graph (only with a single source). A source whose graph
    already holds the same bytes (same SHA-256) is reported ``unchanged``; a graph that
    holds other data is refused unless ``replace``. ``force`` writes even when the record
    says the graph holds the same bytes (the graph may have been changed by other means,
    e.g. SPARQL Update; the Graph Store's PUT always replaces). ``bulk`` writes the
    validated graphs with the store's bulk writer (``Store.write(bulk=True)``: fast and
    memory-light for millions of triples, but not one transaction: an interrupted bulk
    write leaves a partial graph without a load record). ``contexts``: extra JSON-LD
    contexts (the operator's context directory). A source none of whose nodes the profiles
    target is refused like one with violations ("0 micro-credentials found: nothing was
    checked"). ``generic`` (a generic Graph Store deployment, ``Settings.generic_graph_store``;
    never the CLI): no learner-data gate, and data no profile targets is stored (violations
    are still refused). ``meter`` is told the phases and how far each got
    (:mod:`microhe.ingest.progress`).

    A source left on disk (``Source.path``, a large file) loaded into an embedded store on
    disk is read, validated and written in chunks of ``chunk`` quads, in bounded memory
    (:mod:`microhe.ingest.streamed`): same validation, same result; the write is then not
    one transaction but chunks under a checkpoint, rolled back exactly by the next open of
    the store if the process dies during it (``bulk`` chooses the bulk writer for the
    chunks). Raises :class:`LoadError`.
    """
    if not sources:
        raise LoadUsageError("no input files given")
    if graph is not None and len(sources) > 1:
        raise LoadUsageError("a target graph takes one input: give one file, or no target graph (each file then "
                             "gets its own)")
    note = progress or (lambda _stage, _name: None)
    meter = meter or Silent()
    records = load_records(store)
    streams: dict[str, Streamed] = {}

    targets: dict[str, Source] = {}
    for src in sources:
        g = graph or graph_for(src.name, base)
        if g in targets:
            raise LoadUsageError(f"{src.name} and {targets[g].name} would both load into <{g}>; "
                                 "rename one or load them separately", source=src.name)
        targets[g] = src

    staged: dict[str, tuple[Source, list[ox.Quad], PersonalData, ValidationReport, list[ox.Quad]]] = {}
    outcomes: list[Outcome] = []
    failures: list[LoadError] = []
    for g, src in targets.items():
        rec = records.get(g)
        if rec is not None and rec.sha256 == src.sha256 and not force:
            outcomes.append(Outcome(src.name, g, src.sha256, rec.triples, "unchanged"))
            continue
        if store.has_graph(g) and not replace:
            held = f"data loaded from {rec.source}" if rec else "data"
            raise GraphConflict(f"<{g}> already holds {held}", source=src.name,
                                hint=Hint("replace", "to swap its content"))
        note("parse+validate", src.name)
        if src.path is not None and not src.data and _on_disk(store):
            try:
                streamed = stage_streamed(src.path, src.name, media_type=src.media_type, base_iri=base,
                                          profiles=profiles, generic=generic, meter=meter, chunk=chunk)
            except NotStreamed as why:
                log.info("%s: read whole (%s)", src.name, why)
            else:
                if not accepted(streamed.report, generic):
                    failures.append(refusal(src.name, streamed.report))
                else:
                    streams[g] = streamed
                continue
        meter.phase("parse+validate", total=None)
        try:
            quads, found, report, derived = _stage_and_derive(store, src, g, base_iri=base,
                                                                 strip_personal=strip_personal, profiles=profiles,
                                                                 contexts=contexts, generic=generic)
        except LoadParseError:
            raise
        except LoadError as e:  # learner data: refused with the others, after every input is checked
            failures.append(e)
            continue
        if not accepted(report, generic):
            failures.append(refusal(src.name, report))
            continue
        staged[g] = (src, quads, found, report, derived)

    if failures:
        raise LoadError.together(failures)

    if streams:
        note("write", ", ".join(s.name for s in streams.values()))
        return outcomes + _write_streamed(store, targets, streams, staged, profiles, agent, bulk, meter)
    if not staged:
        return outcomes
    note("write", ", ".join(s[0].name for s in staged.values()))
    meter.phase("write", total=None)
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []
    graphs: dict[str, list[ox.Quad]] = {}
    for g, (src, quads, found, report, derived) in staged.items():
        triples = _triple_count(quads)
        graphs[g] = quads
        graphs[derived_graph(g)] = derived
        remove += record_quads(store, g)
        add += provenance_quads(g, Path(src.name).name, src.sha256, triples, profiles, agent,
                                quads=quads, derived=len(graphs[derived_graph(g)]), extra=src.record)
        status = "replaced" if store.has_graph(g) else "loaded"
        outcomes.append(Outcome(src.name, g, src.sha256, triples, status, len(found.quads), report, found or None))
    store.write(graphs, add=add, remove=remove, bulk=bulk)
    return outcomes


def _on_disk(store) -> bool:
    """Whether ``store`` can take a chunked write (an embedded store on disk, writable)."""
    return isinstance(store, Store) and store.path is not None and not store.read_only


def _write_streamed(store: Store, targets: dict[str, Source], streams: dict[str, Streamed], staged: dict,
                    profiles: Sequence[str], agent: str | None, bulk: bool, meter: Meter) -> list[Outcome]:
    """Write the streamed files (and the others of the same load, ``staged``) in chunks,
    under one checkpoint (:func:`microhe.store.chunked.write_chunked`), the load records
    last; the outcomes in the order of ``targets``."""
    def listed(quads: list[ox.Quad]):
        return lambda: [quads[i:i + CHUNK] for i in range(0, len(quads), CHUNK)]

    total = sum(s.quads for s in streams.values()) + sum(len(v[1]) for v in staged.values())
    written = [0]  # the streamed files' triples written so far (the write phase resumes there)

    def derived_after_write(s: Streamed, g: str):
        def chunks():
            # derived from the file's graph once it is written (its write comes first), in chunks
            yield from s.derived_chunks(store, g, meter)
            written[0] += s.quads
            if written[0] < total:  # more to write: back to the write phase, where it was
                meter.phase("write", total=total)
                meter.advance(written[0])
        return chunks

    graphs: dict = {}
    status: dict[str, str] = {}
    remove: list[ox.Quad] = []
    for g, s in streams.items():
        graphs[g] = functools.partial(s.chunks, meter)
        graphs[derived_graph(g)] = derived_after_write(s, g)
    for g, (_src, quads, _found, _report, derived) in staged.items():
        graphs[g] = listed(quads)
        graphs[derived_graph(g)] = listed(derived)
    for g in [*streams, *staged]:
        status[g] = "replaced" if store.has_graph(g) else "loaded"
        remove += record_quads(store, g)

    def records(sizes: dict[str, int]) -> list[ox.Quad]:
        add: list[ox.Quad] = []
        for g, s in streams.items():
            src = targets[g]
            add += provenance_quads(g, Path(src.name).name, src.sha256, sizes[g], profiles, agent, counts=s.counts,
                                    derived=sizes[derived_graph(g)], extra=src.record)
        for g, (src, quads, _found, _report, derived) in staged.items():
            add += provenance_quads(g, Path(src.name).name, src.sha256, sizes[g], profiles, agent, quads=quads,
                                    derived=len(derived), extra=src.record)
        return add

    meter.phase("write", total=total)
    sizes = write_chunked(store, graphs, add=records, remove=remove, bulk=bulk)
    out: list[Outcome] = []
    for g in targets:
        if g in streams:
            s = streams[g]
            out.append(Outcome(s.name, g, targets[g].sha256, sizes[g], status[g], 0, s.report, None))
        elif g in staged:
            src, _quads, found, report, _derived = staged[g]
            out.append(Outcome(src.name, g, src.sha256, sizes[g], status[g], len(found.quads), report,
                               found or None))
    return out


#: How provenance records name the store's own default graph (the name Apache Jena uses
#: How provenance records name the store's own default graph (the name Apache Jena uses
#: for it); it only appears as the mhe:targetGraph of Graph Store writes to ``?default``.
DEFAULT_GRAPH = "urn:x-arq:DefaultGraph"


@serialised("load")
def merge(
    store: Store,
    source: Source,
    *,
    graph: str | None,
    replace: bool = False,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    strip_personal: bool = False,
    base: str = DEFAULT_BASE,
    agent: str | None = None,
    contexts: Mapping[str, Any] | None = None,
    generic: bool = False,
) -> Outcome:
    """Add the triples of one source to ``graph`` (``None``: the store's own default
    graph; created when missing), or with ``replace`` swap the default graph's content,
    all or nothing. What is validated is the graph's content *after* the write (what it
    holds plus the source, or the source alone with ``replace``), with the bundled
    reference data; then the new triples and a provenance record are written in one
    transaction, with a named graph's derived values (``<g>#derived``, recomputed over
    the merged content; the default graph gets none). As in :func:`stage`, the source is
    validated as issued and only then stripped of learner data (``strip_personal``).
    Earlier records of the graph are kept (its content came from them too), except with
    ``replace``. ``generic``: as for :func:`load`. Raises :class:`LoadError` (LoadParseError,
    PersonalDataRefused, NotConforming)."""
    if replace and graph is not None:
        raise LoadUsageError("to replace a named graph use load(..., replace=True)")
    target = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    record_graph = graph if graph is not None else DEFAULT_GRAPH
    parsed = _read_source(source, base, contexts)
    quads = parsed.quads
    found = PersonalData() if generic else personal_gate(quads, source.name, strip_personal)
    existed = store.has_graph(graph) if graph is not None else not replace and store.graph_size(None) > 0
    existing = [] if replace else list(store.quads(graph))
    report = with_reading(validate(existing + quads, profiles=tuple(profiles)), parsed)
    if not accepted(report, generic):
        raise refusal(source.name, report)
    quads, _ = found.strip(quads)
    stripped = len(found.quads)
    new = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
    triples = len({(q.subject, q.predicate, q.object) for q in quads})
    derived = derive(store, existing + quads, graph) if graph is not None and not replace else None
    add = new + provenance_quads(record_graph, Path(source.name).name, source.sha256, triples, profiles, agent,
                                 quads=quads, derived=None if derived is None else len(derived))
    if replace:
        store.write(drop=[None], add=add, remove=record_quads(store, record_graph))
    elif derived is not None and graph is not None:  # the derived values are recomputed over the merged content
        store.write({derived_graph(graph): derived}, add=add)
    else:
        store.write(add=add)
    status = "replaced" if replace else ("merged" if existed else "loaded")
    return Outcome(source.name, record_graph, source.sha256, triples, status, stripped, report, found or None)


@serialised("drop")
def drop(store: Store, graph: str | None) -> int:
    """Remove a named graph (``None``: empty the store's own default graph) and its
    provenance records; returns the triples removed."""
    if graph is None:
        n = store.graph_size(None)
        store.write(drop=[None], remove=record_quads(store, DEFAULT_GRAPH))
        return n
    if not store.has_graph(graph):
        raise GraphNotFound(f"no graph <{graph}> in the store")
    n = store.graph_size(graph)
    extra = [derived_graph(graph)] if store.has_graph(derived_graph(graph)) else []
    store.write(drop=[graph, *extra], remove=record_quads(store, graph))
    return n


@serialised("init")
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
        remove += record_quads(store, b.iri)
        add += provenance_quads(b.iri, "microhe:" + b.name, b.sha256, len(quads), [], "microhe init",
                                quads=quads, derived=len(graphs[derived_graph(b.iri)]) if derived else None)
        outcomes.append(Outcome(b.name, b.iri, b.sha256, len(quads), "replaced" if rec else "loaded"))
    if graphs:
        store.write(graphs, add=add, remove=remove)


def ensure_initialised(store: Store) -> bool:
    """Initialise an empty store with the reference graphs; True when it did."""
    if store.is_empty():
        initialise(store)
        return True
    return False
