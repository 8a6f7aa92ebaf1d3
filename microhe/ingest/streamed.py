"""Loading a large file in bounded memory: read it in chunks, validate it on disk, write it
in chunks.

The whole-file path (:func:`microhe.ingest.load._stage_and_derive`, then one
``Store.write``) holds the file's bytes, every parsed quad, an in-memory staging store for
the validation and the write transaction at once: 7 GB and more for 3.2 M triples. For a
file on disk in a line- or statement-based format (N-Triples, N-Quads, Turtle, TriG) and
an embedded store on disk, :func:`stage_streamed` instead

1. parses the file in chunks (:func:`microhe.rdf.stream.read_chunks`), checking each chunk
   for learner-data candidates and adding it to a staging store on disk
   (:class:`microhe.validation.ondisk.DiskStaging`);
2. validates the staged file as a whole (the same checks on the same content as
   ``validate``: every chunk sees the shared context because the checks run once, after
   the last chunk);

and, when every file conformed, the loader parses each file again (same blank-node
labels: :func:`microhe.rdf.stream.read_chunks`) and writes it in chunks
(:func:`microhe.store.chunked.write_chunked`, under a checkpoint: all or nothing after a
crash), then derives its values from what the store now holds
(:meth:`Streamed.derived_chunks`, :func:`microhe.ingest.derive.derive_stream`) and writes
them in chunks too, under the same checkpoint. So nothing that grows with the file is held
in memory between the two reads. Nothing is written unless every file conforms, as before.

Where this does not apply the caller uses the whole-file path (:class:`NotStreamed`):
JSON-LD and RDF/XML, a store in memory or remote, profiles the compiled engine does not
cover, literals that collide once stored (NonCanonicalInput), and a file holding a
learner-data candidate (the learner detector needs the whole graph; such files are
refused or stripped exactly as before, in memory).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from microhe.ingest.derive import derive_stream
from microhe.ingest.errors import LoadParseError
from microhe.ingest.personal import may_hold_learners
from microhe.ingest.progress import Meter
from microhe.ingest.provenance import type_counter
from microhe.rdf.reading import Limits, ParseError
from microhe.rdf.stream import STREAMABLE, read_chunks
from microhe.store.chunked import CHUNK
from microhe.validation import ValidationReport

#: A streamed file is not held in memory, so the whole-file size limit does not apply.
_NO_SIZE_LIMIT = Limits(max_bytes=1 << 62)


class NotStreamed(Exception):
    """This input needs the whole-file path (the reason is the message)."""


@dataclass
class Streamed:
    """A file read and validated, waiting to be written (:meth:`chunks`) and derived
    (:meth:`derived_chunks`)."""

    path: Path
    name: str
    fmt: ox.RdfFormat
    base_iri: str | None
    salt: str
    chunk: int
    report: ValidationReport
    #: the subjects per type the load record counts (provenance_quads(counts=...))
    counts: dict[str, int] = field(default_factory=dict)
    quads: int = 0

    def chunks(self, meter: Meter | None = None) -> Iterator[list[ox.Quad]]:
        """The file's quads again, chunk by chunk, with the blank-node labels of the first read."""
        for part in read_chunks(self.path, self.fmt, name=self.name, base_iri=self.base_iri, salt=self.salt,
                                chunk=self.chunk, limits=_NO_SIZE_LIMIT):
            yield part
            if meter is not None:
                meter.advance(len(part))

    def derived_chunks(self, store, graph: str, meter: Meter | None = None) -> Iterator[list[ox.Quad]]:
        """The derived values of ``graph`` (:func:`microhe.ingest.derive.derive_stream`), in
        chunks of ``chunk`` quads, read from ``store`` once the file is written into it (the
        store is also the reference data); ``meter`` is told the ``derive`` phase."""
        if meter is not None:
            meter.phase("derive", total=self.counts.get("specification"), unit="specifications")
        part: list[ox.Quad] = []
        for q in derive_stream(store, store.raw, ox.NamedNode(graph), graph,
                               done=meter.advance if meter is not None else None):
            part.append(q)
            if len(part) >= self.chunk:
                yield part
                part = []
        if part:
            yield part


def streamable_format(name: str, media_type: str | None) -> ox.RdfFormat:
    """The file's format when it can be streamed; NotStreamed otherwise."""
    from microhe.rdf.parse import detect_format
    from microhe.rdf.reading import UnsupportedFormatError

    try:
        fmt = detect_format(name=name, media_type=media_type)
    except UnsupportedFormatError as e:
        raise NotStreamed(str(e)) from None
    if fmt not in STREAMABLE:
        raise NotStreamed(f"{fmt.name} is read whole")
    return fmt


def stage_streamed(path: Path, name: str, *, media_type: str | None = None, base_iri: str | None,
                   profiles: Sequence[str], generic: bool = False, meter: Meter, chunk: int = CHUNK) -> Streamed:
    """Read, check and validate the file at ``path`` (shown as ``name``) in chunks. Raises
    LoadParseError, or NotStreamed before anything is decided."""
    # the compiled engine imports rdflib: only for a load (microhe level etc. stay light)
    from microhe.validation.compiled import NonCanonicalInput, UnsupportedShape
    from microhe.validation.ondisk import DiskStaging

    fmt = streamable_format(name, media_type)
    try:
        staging = DiskStaging(profiles)
    except UnsupportedShape as e:
        raise NotStreamed(f"a profile needs pyshacl: {e}") from None
    salt = uuid.uuid4().hex
    count, counts = type_counter()
    size = path.stat().st_size
    meter.phase("parse", total=size, unit="bytes")
    done = [0]

    def at(position: int) -> None:
        meter.advance(position - done[0])
        done[0] = position

    with staging:
        try:
            for part in read_chunks(path, fmt, name=name, base_iri=base_iri, salt=salt, chunk=chunk,
                                    limits=_NO_SIZE_LIMIT, at=at):
                if not generic and may_hold_learners(part):
                    raise NotStreamed("the file may hold learner data: checked whole")
                staging.add(part)
                count(part)
        except ParseError as e:
            raise LoadParseError(str(e), source=name) from e
        except NonCanonicalInput as e:
            raise NotStreamed(f"literals collide once stored: {e}") from None
        if not staging.quads:
            raise LoadParseError(f"{name}: no RDF triples in the input; nothing to load", source=name)
        meter.phase("validate", total=None)
        report = staging.report()
    return Streamed(path, name, fmt, base_iri, salt, chunk, report, counts(), staging.quads)


__all__ = ["NotStreamed", "Streamed", "stage_streamed", "streamable_format"]
