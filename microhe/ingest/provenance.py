"""Provenance: the load records kept in the metadata graph (source, checksum, time,
agent, profiles, entity counts) and reading them back (``microhe graphs``,
``GET /api/graphs``, the store statistics)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote

import pyoxigraph as ox

from microhe.store.embedded import Store
from microhe.validation import SHAPES_BASE
from microhe.vocab import DCTERMS, META_GRAPH, MHE, PROV, RDF, XSD

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


@dataclass
class LoadRecord:
    graph: str
    source: str
    sha256: str
    triples: int
    profiles: list[str] = field(default_factory=list)
    time: str | None = None


def load_records(store: Store) -> dict[str, LoadRecord]:
    """The latest provenance record of each loaded graph, by graph IRI (a graph merged
    into by Graph Store POSTs has several; the newest describes its current state)."""
    rows = store.query(
        f"""PREFIX mhe: <{MHE}> PREFIX prov: <{PROV}>
        SELECT ?g ?src ?sha ?n ?t (GROUP_CONCAT(STR(?p); separator=" ") AS ?profiles)
        WHERE {{ GRAPH <{META_GRAPH}> {{
            ?l a mhe:Load ; mhe:targetGraph ?g ; mhe:sourceName ?src ; mhe:sha256 ?sha ; mhe:tripleCount ?n .
            OPTIONAL {{ ?l prov:endedAtTime ?t }} OPTIONAL {{ ?l mhe:validationProfile ?p }} }} }}
        GROUP BY ?g ?src ?sha ?n ?t ORDER BY ?t""",
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


def agent_iri(agent: str) -> str:
    """The IRI a load record names its agent by (``graph-store:NAME``, ``upload:NAME``, ...)."""
    return f"urn:microhe:agent:{quote(agent, safe='')}"


def load_agents(store: Store) -> dict[str, set[str]]:
    """The agents (as in :func:`agent_iri`, decoded) of every load record, by graph IRI: who
    wrote each graph (a graph merged into by several writers has several)."""
    rows = store.query(
        f"""PREFIX mhe: <{MHE}> PREFIX prov: <{PROV}>
        SELECT ?g ?a WHERE {{ GRAPH <{META_GRAPH}> {{ ?l a mhe:Load ; mhe:targetGraph ?g .
            OPTIONAL {{ ?l prov:wasAssociatedWith ?a }} }} }}""",
        default_graph=[META_GRAPH],
    )
    out: dict[str, set[str]] = {}
    prefix = "urn:microhe:agent:"
    for r in rows:
        a = r["a"].value if r["a"] is not None else ""
        out.setdefault(r["g"].value, set()).add(unquote(a[len(prefix):]) if a.startswith(prefix) else a)
    return out


def graph_listing(store: Store) -> list[dict]:
    """Every named graph with its size and latest load record (``microhe graphs`` and
    ``GET /api/graphs``: one function, so both say the same), sorted by IRI."""
    records = load_records(store)
    rows = []
    for g in store.named_graphs():
        rec = records.get(g)
        rows.append({"graph": g, "triples": store.graph_size(g), "source": rec.source if rec else None,
                     "sha256": rec.sha256 if rec else None, "loaded": rec.time if rec else None,
                     "profiles": rec.profiles if rec else []})
    return rows


def record_quads(store: Store, graph: str) -> list[ox.Quad]:
    """The meta-graph quads describing the loads of ``graph``."""
    loads = [
        q.subject for q in store.quads_matching(None, _TARGET, ox.NamedNode(graph), _META)
    ]
    quads: list[ox.Quad] = []
    for node in loads:
        quads.extend(store.quads_matching(node, None, None, _META))
    return quads


#: The entity counts a load record keeps (mhe:<statistic>Count, computed from the loaded
#: quads while loading), read back by microhe/queries/store-statistics.rq: statistic ->
#: the rdf:type IRIs whose distinct subjects it counts.
COUNTED_TYPES = {
    "specification": ("http://data.europa.eu/snb/model/elm/Qualification",
                      "http://data.europa.eu/snb/model/elm/LearningAchievementSpecification"),
    "organisation": ("http://data.europa.eu/snb/model/elm/Organisation",),
    "learningOutcome": ("http://data.europa.eu/snb/model/elm/LearningOutcome",),
    "accreditation": ("http://data.europa.eu/snb/model/elm/Accreditation",),
    "framework": (MHE + "QualificationsFramework",),
    "level": (MHE + "FrameworkLevel",),
    "levelReferencing": (MHE + "LevelReferencing",),
    "creditSystem": (MHE + "CreditSystem",),
    "creditConversionRule": (MHE + "CreditConversionRule",),
    "concept": ("http://www.w3.org/2004/02/skos/core#Concept",),
}


def type_counter() -> tuple[Callable[[Iterable[ox.Quad]], None], Callable[[], dict[str, int]]]:
    """``(count, counts)``: feed ``count`` the quads of a file chunk by chunk; ``counts()``
    is then what ``provenance_quads(quads=...)`` would count (distinct subjects per
    :data:`COUNTED_TYPES` entry), kept as hashes of the subjects, not the terms."""
    by_type: dict[object, str] = {ox.NamedNode(t): stat for stat, types in COUNTED_TYPES.items() for t in types}
    subjects: dict[str, set[int]] = {stat: set() for stat in COUNTED_TYPES}

    def count(quads: Iterable[ox.Quad]) -> None:
        for q in quads:
            if q.predicate == _TYPE:
                stat = by_type.get(q.object)
                if stat is not None:
                    subjects[stat].add(hash(q.subject))

    return count, lambda: {stat: len(subs) for stat, subs in subjects.items()}


def provenance_quads(graph: str, source: str, sha256: str, triples: int, profiles: Sequence[str],
                     agent: str | None = None, *, quads: Sequence[ox.Quad] | None = None,
                     derived: int | None = None,
                     extra: Sequence[tuple[str, ox.NamedNode | ox.Literal]] = (),
                     counts: Mapping[str, int] | None = None) -> list[ox.Quad]:
    """The meta-graph quads of one load record. With ``quads`` (what the load writes into
    ``graph``), the record also keeps the number of distinct subjects of each type in
    :data:`COUNTED_TYPES` (``mhe:specificationCount`` ...); ``derived`` is the number of
    triples written into ``<graph>#derived`` (``mhe:derivedTripleCount``). Statistics are
    then read from the meta graph alone. ``extra``: more (predicate, object) pairs of the
    record (an import's format, source SHA-256, converter version, seal status).
    ``counts`` gives those numbers instead of ``quads`` (a file read in chunks: :func:`type_counter`)."""
    node = ox.NamedNode(f"urn:uuid:{uuid.uuid4()}")
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    integer = ox.NamedNode(XSD + "integer")
    out = [
        ox.Quad(node, _TYPE, _LOAD, _META),
        ox.Quad(node, _TYPE, _ACTIVITY, _META),
        ox.Quad(node, _TARGET, ox.NamedNode(graph), _META),
        ox.Quad(node, _SOURCE, ox.Literal(source), _META),
        ox.Quad(node, _SHA, ox.Literal(sha256), _META),
        ox.Quad(node, _COUNT, ox.Literal(str(triples), datatype=integer), _META),
        ox.Quad(node, _ENDED, ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), _META),
        ox.Quad(node, _CONFORMS, ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), _META),
    ]
    out += [ox.Quad(node, _PROFILE, ox.NamedNode(SHAPES_BASE + p), _META) for p in profiles]
    if agent:
        out.append(ox.Quad(node, _AGENT, ox.NamedNode(agent_iri(agent)), _META))
    if counts is not None:
        out += [ox.Quad(node, ox.NamedNode(f"{MHE}{stat}Count"), ox.Literal(str(counts.get(stat, 0)), datatype=integer),
                        _META) for stat in COUNTED_TYPES]
    elif quads is not None:
        by_type: dict[object, str] = {ox.NamedNode(t): stat for stat, types in COUNTED_TYPES.items() for t in types}
        subjects: dict[str, set] = {stat: set() for stat in COUNTED_TYPES}
        for q in quads:
            if q.predicate == _TYPE:
                stat = by_type.get(q.object)
                if stat is not None:
                    subjects[stat].add(q.subject)
        out += [ox.Quad(node, ox.NamedNode(f"{MHE}{stat}Count"), ox.Literal(str(len(subs)), datatype=integer), _META)
                for stat, subs in subjects.items()]
    out += [ox.Quad(node, ox.NamedNode(p), o, _META) for p, o in extra]
    if derived is not None:
        out.append(ox.Quad(node, ox.NamedNode(MHE + "derivedTripleCount"),
                           ox.Literal(str(derived), datatype=integer), _META))
    return out
