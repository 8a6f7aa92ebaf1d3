"""The staging store a compiled validation runs on: the bundled reference graph plus the
input, in a fresh in-memory pyoxigraph store, with the map from the literals the store
canonicalises back to the input's lexical forms (NonCanonicalInput when two input
literals would become one stored term)."""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from microhe.rdf.terms import graph_to_quads
from microhe.validation.compiled.form import _DURATIONS, _XSD_STRING, NonCanonicalInput, lenient_duration
from microhe.validation.profiles import reference_graph


@cache
def _reference_quads() -> tuple:
    # from the rdflib reference graph, so its blank nodes carry the labels pyshacl reports
    return tuple(graph_to_quads(reference_graph()))


def _is_lexical(o) -> bool:
    return type(o) is ox.Literal and (o.language is not None or o.datatype.value != _XSD_STRING)


@cache
def _reference_literals() -> frozenset:
    return frozenset(q.object for q in _reference_quads() if _is_lexical(q.object))


def _canonical_map(literals) -> tuple[dict, dict]:
    """({stored literal: input literal} for the literals the store rewrites,
    {stored literal: {input literals}} for stored literals several input literals map to,
    e.g. "1"^^xsd:integer and "1"^^xsd:positiveInteger)."""
    lits = list(literals)
    return _classify(zip(lits, _stored_forms(lits), strict=False))


def _classify(pairs) -> tuple[dict, dict]:
    """Split (input literal, stored literal) pairs into the rewritten and the ambiguous ones."""
    seen: dict = {}
    changed: dict = {}
    ambiguous: dict = {}
    for orig, canon in pairs:
        if canon in seen and seen[canon] != orig:
            ambiguous.setdefault(canon, {seen[canon]}).add(orig)
        seen[canon] = orig
        if canon != orig:
            changed[canon] = orig
    for canon in ambiguous:
        changed.pop(canon, None)
    return changed, ambiguous


class _Ambiguous(dict):
    """The canonical->original map, refusing the stored literals that stand for several
    input literals (a result or a lexical test on one of them cannot be attributed)."""

    def __init__(self, changed, ambiguous):
        super().__init__(changed)
        self.ambiguous = ambiguous

    def get(self, key, default=None):
        if key in self.ambiguous:
            raise NonCanonicalInput(f"{key} stands for several input literals: {sorted(map(str, self.ambiguous[key]))}")
        return super().get(key, default)


@cache
def _reference_canonical() -> dict:
    """{reference literal: its stored form} (computed once)."""
    lits = list(_reference_literals())
    return dict(zip(lits, _stored_forms(lits), strict=False))


def _stored_forms(lits: list) -> list:
    """The form the store gives each literal of ``lits`` (same order)."""
    tmp = ox.Store()
    p = ox.NamedNode("urn:p")
    tmp.extend([ox.Quad(ox.BlankNode(f"l{i}"), p, lit) for i, lit in enumerate(lits)])
    out = [None] * len(lits)
    for q in tmp:
        out[int(q.subject.value[1:])] = q.object
    return out


def _canonical_map_with_reference(inputs) -> tuple[dict, dict]:
    """``_canonical_map(inputs | reference literals)``, the reference part cached."""
    ref = _reference_canonical()
    new = [lit for lit in inputs if lit not in ref]
    return _classify(list(ref.items()) + list(zip(new, _stored_forms(new), strict=False)))


def staging_store(quads) -> tuple[ox.Store, dict]:
    """A fresh in-memory store with the reference graph and the input (default graph, the
    union of the quads' triples), and the {canonical: original} literal map."""
    Lit = ox.Literal
    inputs = {o for o in (q.object for q in quads) if type(o) is Lit}
    inputs = {o for o in inputs if o.language is not None or o.datatype.value != _XSD_STRING}
    changed, ambiguous = _canonical_map_with_reference(inputs)
    if ambiguous:
        # two triples that differ only in such literals would be one stored triple
        to_canon = {o: c for c, origs in ambiguous.items() for o in origs}
        seen: dict[tuple, object] = {}
        for q in (*_reference_quads(), *quads):
            c = to_canon.get(q.object)
            if c is not None:
                k = (q.subject, q.predicate, c)
                if seen.setdefault(k, q.object) != q.object:
                    raise NonCanonicalInput(f"{seen[k]} and {q.object} of {q.subject} {q.predicate} "
                                            f"are one triple once stored")
        changed = _Ambiguous(changed, ambiguous)
    # durations rdflib reads but the store would keep ill-typed: stored in seconds
    fixes: dict[ox.Literal, ox.Literal] = {}
    for lit in inputs:
        if lit.datatype.value in _DURATIONS and lit.language is None:
            fixed_text = lenient_duration(lit.value)
            if fixed_text is not None:
                fixes[lit] = ox.Literal(fixed_text, datatype=lit.datatype)
    if fixes:
        canon, _amb = _canonical_map(fixes.values())
        for orig, fixed in fixes.items():
            stored = next((c for c, o in canon.items() if o == fixed), fixed)
            if stored in changed and changed[stored] != orig:
                raise NonCanonicalInput(f"{orig} and {changed[stored]} are one term once stored")
            changed[stored] = orig
    store = ox.Store()
    store.extend(_reference_quads())
    dg = ox.DefaultGraph()
    DG = ox.DefaultGraph
    if all(type(q.graph_name) is DG for q in quads) and not (fixes.keys() & _reference_literals()):
        # as given (building new Quad objects costs more than inserting them)
        store.extend(quads)
        if fixes:
            # the input's ill-typed durations, now as their fixed forms
            bad = [(q, fixed) for lit, fixed in fixes.items() for q in store.quads_for_pattern(None, None, lit, dg)]
            if bad:
                for q, _ in bad:
                    store.remove(q)
                store.extend([ox.Quad(q.subject, q.predicate, fixed, dg) for q, fixed in bad])
    else:
        store.extend([ox.Quad(q.subject, q.predicate, fixes.get(q.object, q.object), dg) for q in quads])
    return store, changed

