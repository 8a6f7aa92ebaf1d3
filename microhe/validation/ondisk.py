"""Validation of an input too large to hold in memory: the compiled engine's staging store
on disk, filled chunk by chunk, then the same checks as :func:`microhe.validation.validate`.

Whole-file validation needs every triple of the input in one store with the reference
data (a shape may look at any node: an issuer described at the end of the file, the
parts of a stack, an NQF level declared inline). Holding that store in memory costs
about as much as the quads themselves (3.2 M triples: 1.5 GB each). So the staging store
is a temporary RocksDB directory: the input goes in as it is parsed (``add``, bounded
chunks, pyoxigraph's bulk writer), and :meth:`DiskStaging.report` runs the compiled
checks on it. The checks are the same SPARQL queries on the same content as
``validate`` runs in memory, so the report is the same: validating in chunks needs no
special handling of any shape, because the chunks only fill the store, and every check
runs once, on all of it (about 2.5x slower than in memory; 20k credentials: 9 s).

What ``staging_store`` does on the whole input is done incrementally here: the map from
the literals the store canonicalises back to the input's lexical forms, the repair of
ill-typed durations, and the refusal (:class:`NonCanonicalInput`) of two input literals
that would become one stored term, across chunks too (a hash of each stored form, the
input literal's hash). The focus-node counts of the report count only input nodes.

Not handled here (the caller falls back to the whole-file path): profiles the compiler
does not cover (pyshacl), and NonCanonicalInput.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from microhe.validation.compiled import CompiledProfile, NonCanonicalInput, compile_shapes, compile_targets, run_compiled
from microhe.validation.compiled.form import _DURATIONS, _XSD_STRING, lenient_duration
from microhe.validation.compiled.staging import _reference_canonical, _reference_quads, _stored_forms
from microhe.validation.found import RDF_TYPE, SPECIFICATION_CLASSES, compact
from microhe.validation.profiles import resolve
from microhe.validation.report import ValidationReport, sort_key


def _reference_nodes() -> frozenset:
    nodes = set()
    for q in _reference_quads():
        nodes.add(q.subject)
        nodes.add(q.object)
    return frozenset(nodes)


class DiskStaging:
    """A staging store in a temporary directory (under ``dir``), filled by :meth:`add`;
    :meth:`report` validates what it holds; :meth:`close` deletes it. Raises
    UnsupportedShape (a profile the compiler does not cover) at creation and
    NonCanonicalInput from :meth:`add`."""

    def __init__(self, profiles: str | Sequence[str], *, dir: str | Path | None = None):
        self.profiles = resolve(profiles)
        checks = []
        for name in self.profiles:
            checks.extend(compile_shapes(name).checks)  # UnsupportedShape: not for this path
        self._compiled = CompiledProfile(checks)
        self._dir = Path(tempfile.mkdtemp(prefix="microhe-staging-", dir=dir))
        self.store = ox.Store(str(self._dir / "store"))
        self.store.bulk_extend(_reference_quads())
        self.changed: dict = {}  # stored literal -> input literal (those the store rewrites)
        self._seen: dict[int, int] = {}  # hash of a stored literal -> hash of the input literal it stands for
        for orig, canon in _reference_canonical().items():  # (the reference data has no collision)
            self._seen[hash(canon)] = hash(orig)
            if canon != orig:
                self.changed[canon] = orig
        self._ref_nodes = _reference_nodes()
        self._ref_nodes_in_input: set = set()  # reference nodes the input mentions too
        self.classes: set[str] = set()
        self.holds_specification = False
        self.quads = 0

    def add(self, quads: list[ox.Quad]) -> None:
        """Stage one chunk of the input (any graph names: the union of the triples counts)."""
        Lit, DG = ox.Literal, ox.DefaultGraph
        self.quads += len(quads)
        lexical = set()
        ref_nodes, in_input = self._ref_nodes, self._ref_nodes_in_input
        for q in quads:
            o = q.object
            if type(o) is Lit:
                if o.language is not None or o.datatype.value != _XSD_STRING:
                    lexical.add(o)
            elif q.predicate == RDF_TYPE:
                if type(o) is ox.NamedNode:
                    self.classes.add(o.value)
                if o in SPECIFICATION_CLASSES:
                    self.holds_specification = True
            if o in ref_nodes:
                in_input.add(o)
            if q.subject in ref_nodes:
                in_input.add(q.subject)
        fixes = self._canonical(lexical)
        dg = ox.DefaultGraph()
        if fixes or not all(type(q.graph_name) is DG for q in quads):
            quads = [ox.Quad(q.subject, q.predicate, fixes.get(q.object, q.object), dg) for q in quads]
        self.store.bulk_extend(quads)

    def _canonical(self, lexical: set) -> dict:
        """Record the stored forms of ``lexical`` (refusing collisions, also with earlier
        chunks and the reference data); the duration repairs of this chunk."""
        lits = list(lexical)
        seen, changed = self._seen, self.changed
        for orig, canon in zip(lits, _stored_forms(lits), strict=True):
            if seen.setdefault(hash(canon), hash(orig)) != hash(orig):
                raise NonCanonicalInput(f"{orig} and another literal of the input are one term once stored ({canon})")
            if canon != orig:
                changed[canon] = orig
        fixes: dict = {}
        for lit in lits:
            if lit.language is None and lit.datatype.value in _DURATIONS:
                text = lenient_duration(lit.value)
                if text is not None:
                    fixes[lit] = ox.Literal(text, datatype=lit.datatype)
        if fixes:
            originals = list(fixes)
            for orig, stored in zip(originals, _stored_forms([fixes[o] for o in originals]), strict=True):
                if changed.get(stored, orig) != orig or seen.setdefault(hash(stored), hash(orig)) != hash(orig):
                    raise NonCanonicalInput(f"{orig} and another literal are one term once stored")
                changed[stored] = orig
        return fixes

    def report(self) -> ValidationReport:
        """The validation report of everything added (as ``validate`` gives it)."""
        self.store.flush()
        if not self.quads:
            return ValidationReport([], self.profiles, {p: 0 for p in self.profiles})
        results = run_compiled(self.store, self.changed, self._compiled)
        results.sort(key=sort_key)
        checked = self._focus_counts()
        nothing = all(n == 0 for n in checked.values()) and not self.holds_specification
        classes = sorted(self.classes, key=compact) if nothing else []
        return ValidationReport(results, self.profiles, checked, nothing, classes)

    def _focus_counts(self) -> dict[str, int | None]:
        """As ``validation.checked.focus_counts``: per profile, the distinct focus nodes
        that occur in the input. A node not in the reference data comes from the input; a
        reference node counts when the input mentions it too."""
        back = self.changed
        out: dict[str, int | None] = {}
        for profile in self.profiles:
            focus: set = set()
            for query, prefixes in compile_targets(profile):
                solutions = self.store.query(query, prefixes=prefixes)
                assert isinstance(solutions, ox.QuerySolutions)
                for row in solutions:
                    t = row["this"]
                    t = back.get(t, t) if type(t) is ox.Literal else t
                    if t not in self._ref_nodes or t in self._ref_nodes_in_input:
                        focus.add(t)
            out[profile] = len(focus)
        return out

    def close(self) -> None:
        store = self.__dict__.pop("store", None)
        del store
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> DiskStaging:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["DiskStaging"]
