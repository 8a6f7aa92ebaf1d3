"""The steward's upload (``/upload``): one file in any supported format, validated (never
stored), compared with what is loaded, and, on request, loaded through the same
all-or-nothing :func:`microhe.ingest.load.load` as ``microhe load`` and the Graph Store
(learner-data gate, SHACL gate, provenance naming the token as ``upload:<name>``).

A format is an importer of the registry (``edc``, ``ob3``, ``ctdl``, ``csv``: converted to
the ELM model first), an RDF syntax (:data:`RDF_SYNTAXES`), or ``auto``: an ``.xlsx`` or
``.csv`` file is a spreadsheet, a Turtle/N-Triples/N-Quads/TriG/RDF-XML file is read by its
extension, and a JSON document is what the importers recognise (EDC, Open Badge, CTDL),
else JSON-LD. The file lands in the graph ``<base>graph/<file name>``, as with the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from microhe.errors import InputError
from microhe.importers.errors import ImportFailed
from microhe.importers.registry import AUTO, IMPORTERS, import_document, sniff
from microhe.importers.result import Conversion
from microhe.importers.service import as_source
from microhe.ingest.load import Outcome, Source, graph_for, load, stage
from microhe.ingest.preview import Diff, diff, specifications
from microhe.ingest.provenance import load_agents
from microhe.rdf import formats
from microhe.store.embedded import Store
from microhe.validation import DEFAULT_PROFILES, ValidationReport
from microhe.validation.report import ValidationResult

#: The RDF syntaxes an upload may be read as (name -> media type).
RDF_SYNTAXES = {"turtle": formats.TURTLE, "n-triples": formats.N_TRIPLES, "n-quads": formats.N_QUADS,
                "trig": formats.TRIG, "rdf-xml": formats.RDF_XML, "json-ld": formats.JSON_LD}
#: Every format the upload form offers.
UPLOAD_FORMATS = (AUTO, *IMPORTERS, *RDF_SYNTAXES)
_BY_EXTENSION = {"ttl": "turtle", "nt": "n-triples", "nq": "n-quads", "trig": "trig", "rdf": "rdf-xml",
                 "owl": "rdf-xml", "xml": "rdf-xml", "xlsx": "csv", "csv": "csv"}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: How a load record names the agent of an upload by the token ``name``.
AGENT = "upload:{name}"
#: The agents under which a token's writes are recorded (upload, Graph Store, import).
AGENTS = ("upload:{name}", "graph-store:{name}", "import:{name}")


class UploadRefused(InputError):
    """An upload that cannot be read as asked (no file, empty, an unknown format...)."""


@dataclass
class Finding:
    """One validation result, where it is (a spreadsheet's row and column) when known."""

    result: ValidationResult
    where: str | None = None


@dataclass
class Record:
    """The results about one record: a credential (and the nodes it holds), or a node no
    credential holds; by severity."""

    iri: str
    is_credential: bool
    by_severity: dict[str, list[Finding]] = field(default_factory=dict)


@dataclass
class Checked:
    name: str
    format: str  # the format used (``auto`` resolved)
    graph: str
    report: ValidationReport
    records: list[Record]
    diff: Diff
    #: Token names whose writes the graph holds (empty: a new graph)
    loaded_by: set[str]
    conversion: Conversion | None = None

    @property
    def conforms(self) -> bool:
        return self.report.conforms


def resolve_format(name: str, data: bytes, fmt: str) -> str:
    """The format of an upload: ``fmt``, or for ``auto`` what the name and content say."""
    if fmt not in UPLOAD_FORMATS:
        raise UploadRefused(f"unknown format {fmt!r}; choose one of {', '.join(UPLOAD_FORMATS)}")
    if fmt != AUTO:
        return fmt
    ext = Path(name).suffix.lower().lstrip(".")
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    try:
        return sniff(data, name)
    except ImportFailed:
        if ext in ("json", "jsonld"):
            return "json-ld"
        raise UploadRefused(f"{name}: cannot tell the file's format from its name or content; choose the format "
                            f"(RDF: {', '.join(RDF_SYNTAXES)}; documents: {', '.join(IMPORTERS)})") from None


def _source(name: str, data: bytes, fmt: str, base: str) -> tuple[Source, Conversion | None]:
    if not data:
        raise UploadRefused(f"{name}: the file is empty; choose the file again")
    if fmt in IMPORTERS:
        conv = import_document(fmt, data, name, base=base)
        return as_source(conv), conv
    return Source(name, data, RDF_SYNTAXES[fmt]), None


def _records(quads: Sequence[ox.Quad], report: ValidationReport, conv: Conversion | None) -> list[Record]:
    """The report's results grouped by the credential that holds their focus node (found
    by walking up the upload's triples), else by the focus node itself."""
    specs = set(specifications(quads))
    parent: dict[str, str] = {}
    for q in quads:
        if isinstance(q.object, (ox.NamedNode, ox.BlankNode)) and q.predicate.value != _RDF_TYPE:
            key = _key(q.object)
            if key not in specs:
                parent.setdefault(key, _key(q.subject))
    located = conv.locate(report.results) if conv is not None and conv.locator is not None else None
    records: dict[str, Record] = {}
    for i, r in enumerate(report.results):
        node, seen = r.focus_node, set[str]()
        while node not in specs and node in parent and node not in seen and len(seen) < 8:
            seen.add(node)
            node = parent[node]
        owner = node if node in specs else r.focus_node
        rec = records.setdefault(owner, Record(owner, owner in specs))
        where = located[i].get("where") if located else None
        rec.by_severity.setdefault(r.severity, []).append(Finding(r, where if where != r.focus_node else None))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    for rec in records.values():
        rec.by_severity = dict(sorted(rec.by_severity.items(), key=lambda kv: order.get(kv[0], 3)))
    return sorted(records.values(), key=lambda rec: (not rec.is_credential, rec.iri))


def _key(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def check(store: Store, name: str, data: bytes, fmt: str = AUTO, *, base: str,
          profiles: Sequence[str] = DEFAULT_PROFILES) -> Checked:
    """Validate an upload (never stored) and compare it with what its graph holds. Raises
    UploadRefused, ImportFailed, SheetRejected, LoadParseError or PersonalDataRefused."""
    name = Path(name or "upload").name or "upload"
    used = resolve_format(name, data, fmt)
    source, conv = _source(name, data, used, base)
    quads, _, report = stage(source, base_iri=base, profiles=profiles)
    graph = graph_for(name, base)
    writers = load_agents(store).get(graph, set()) if store.has_graph(graph) else set()
    return Checked(name, used, graph, report, _records(quads, report, conv), diff(store, quads, graph),
                   {w.split(":", 1)[1] if ":" in w else w for w in writers}, conv)


def only_by(store: Store, graph: str, name: str) -> bool:
    """Whether every load record of ``graph`` is a write of the token ``name`` (so that it
    may replace or withdraw it from the pages)."""
    mine = {a.format(name=name) for a in AGENTS}
    agents = load_agents(store).get(graph) or set()
    return bool(agents) and agents <= mine


def loaded_by(store: Store, name: str) -> list[str]:
    """The graphs the store holds that only the token ``name`` wrote."""
    mine = {a.format(name=name) for a in AGENTS}
    return sorted(g for g, agents in load_agents(store).items() if agents <= mine and store.has_graph(g))


def load_upload(store: Store, name: str, data: bytes, fmt: str, *, base: str, writer: str,
                profiles: Sequence[str] = DEFAULT_PROFILES) -> Outcome:
    """Load an upload (validated again, all or nothing) as the token ``writer``. A graph
    that only this token wrote is replaced; one that another writer wrote is refused
    (GraphConflict)."""
    name = Path(name or "upload").name or "upload"
    used = resolve_format(name, data, fmt)
    source, _ = _source(name, data, used, base)
    graph = graph_for(name, base)
    replace = store.has_graph(graph) and only_by(store, graph, writer)
    [outcome] = load(store, [source], profiles=profiles, replace=replace, base=base,
                     agent=AGENT.format(name=writer))
    return outcome


__all__ = ["AGENT", "AGENTS", "Checked", "Finding", "Record", "RDF_SYNTAXES", "UPLOAD_FORMATS", "UploadRefused",
           "check", "load_upload", "loaded_by", "only_by", "resolve_format"]
