"""What ``microhe import`` and ``POST /api/import/{format}`` do with a conversion: store it
through the validated, all-or-nothing :func:`microhe.ingest.load.load` (so an import is
idempotent like a load and ``microhe drop`` withdraws it), or show what storing it would
change (``--dry-run``). Neither caller holds logic of its own."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from microhe.importers.errors import ImportFailed
from microhe.importers.jsondoc import MAX_IMPORT_BYTES
from microhe.importers.result import Conversion
from microhe.ingest.load import Outcome, Source, graph_for, load
from microhe.ingest.provenance import load_records
from microhe.rdf import formats
from microhe.store import changes
from microhe.store.embedded import Store
from microhe.validation import DEFAULT_PROFILES

NTRIPLES = formats.N_TRIPLES


def read_file(path: str | Path) -> bytes:
    """A file's bytes, refused before reading when it is over the import limit."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFailed(f"{size} bytes exceeds the import limit of {MAX_IMPORT_BYTES} bytes (a credential "
                               "document is kilobytes; split the file)", str(p))
        return p.read_bytes()
    except OSError as e:
        raise ImportFailed(f"cannot read: {e.strerror or e}", str(p)) from None


def as_source(conv: Conversion) -> Source:
    """The converted triples as a load source: sorted N-Triples (same input, same bytes),
    named after the original file (so its graph is ``<base>graph/<file name>``), with the
    import's provenance for the load record."""
    return Source(conv.source, conv.ntriples(), NTRIPLES, record=tuple(conv.record()))


def store_conversions(store: Store, convs: Sequence[Conversion], *, graph: str | None = None,
                      profiles: Sequence[str] = DEFAULT_PROFILES, replace: bool = False, base: str,
                      agent: str, replace_own: bool = True) -> list[Outcome]:
    """Load the conversions, each into its own graph, validated, all or nothing. A
    spreadsheet (``replace_own_graph``) replaces the graph it was loaded into before: its
    IRIs are stable keys, so the file as it is now is the new state of its specifications
    (``replace_own=False``: only with ``replace``)."""
    replace = replace or (replace_own and own_graphs(store, convs, graph=graph, base=base))
    with changes.operation("import"):  # the change log's kind (microhe.store.changes)
        return load(store, [as_source(c) for c in convs], graph=graph, profiles=profiles, replace=replace,
                    base=base, agent=agent)


def own_graphs(store: Store, convs: Sequence[Conversion], *, graph: str | None, base: str) -> bool:
    """Every conversion may replace its target graph: each is a spreadsheet whose graph is
    new or was last loaded from a file of the same name."""
    if not convs or not all(c.replace_own_graph for c in convs):
        return False
    records = load_records(store)
    for c in convs:
        g = graph or graph_for(c.source, base)
        rec = records.get(g)
        if store.has_graph(g) and (rec is None or rec.source != Path(c.source).name):
            return False
    return True


def dry_run(store: Store, conv: Conversion, *, graph: str | None, base: str) -> dict[str, Any]:
    """What loading ``conv`` would change in its graph: triples added and removed (the
    conversion mints no blank nodes, so triples compare as they are)."""
    g = graph or graph_for(conv.source, base)
    new = _canonical(conv.quads)
    held = _canonical(store.quads(g)) if store.has_graph(g) else set()
    added, removed = sorted(new - held, key=str), sorted(held - new, key=str)
    record = load_records(store).get(g)
    if not held:
        status = "would load (new graph)"
    elif not added and not removed:
        status = "unchanged"
    else:
        status = "would replace (needs replace)"
    return {"source": conv.source, "graph": g, "status": status, "add": len(added), "remove": len(removed),
            "keep": len(new & held), "loaded_from": record.source if record else None,
            "added": [_nt(t) for t in added], "removed": [_nt(t) for t in removed]}


def _canonical(quads) -> set[tuple[Any, Any, Any]]:
    """Triples with their literals in one canonical form (a store may write the duration
    "P2DT12H" as "PT60H"): both sides pass through an in-memory pyoxigraph store."""
    mem = ox.Store()
    mem.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return {(q.subject, q.predicate, q.object) for q in mem.quads_for_pattern(None, None, None)}


def _nt(t: tuple[Any, Any, Any]) -> str:
    return f"{t[0]} {t[1]} {t[2]} ."


def serialise(conv: Conversion, media_type: str) -> bytes:
    """The converted triples in an RDF syntax (Turtle, JSON-LD, N-Triples, N-Quads)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(media_type)
    if fmt == ox.RdfFormat.N_TRIPLES:
        return conv.ntriples()
    prefixes = {"elm": "http://data.europa.eu/snb/model/elm/", "dcterms": "http://purl.org/dc/terms/",
                "rov": "http://www.w3.org/ns/regorg#", "skos": "http://www.w3.org/2004/02/skos/core#",
                "xsd": "http://www.w3.org/2001/XMLSchema#"}
    kwargs: dict[str, Any] = {"prefixes": prefixes} if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
    out = ox.serialize(conv.quads, format=fmt, **kwargs)
    return out if isinstance(out, bytes) else b""


__all__ = ["as_source", "dry_run", "read_file", "serialise", "store_conversions"]
