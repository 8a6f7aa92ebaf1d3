"""The skill hierarchy a person picks required outcomes from (the compare and pathways
pages): the skill concepts the store's credentials teach (``elm:relatedESCOSkill`` of
their learning outcomes), with every broader concept above them, as a tree.

Only concepts some credential reaches are offered: a requirement naming a skill nobody
teaches can be written as an IRI, but a list of all of ESCO (some 14 000 skills) is no
form. The tree is built once per store state (``per_store``); labels are looked up per
language when asked (:func:`skill_tree`). At most :data:`MAX_CONCEPTS` concepts are
offered; ``truncated`` says when there were more.
"""

from __future__ import annotations

from dataclasses import dataclass

from microhe.recognition.search import search_index
from microhe.store.embedded import Store
from microhe.store.labels import Labels
from microhe.store.views import per_store
from microhe.vocab import SKOS

#: The most concepts a form lists (the rest are left out, and ``truncated`` says so).
MAX_CONCEPTS = 600
_BROADER = (f"PREFIX skos: <{SKOS}> SELECT DISTINCT ?c ?b WHERE "
            "{ { ?c skos:broader ?b } UNION { ?b skos:narrower ?c } FILTER(isIRI(?c) && isIRI(?b)) }")


@dataclass(frozen=True)
class Hierarchy:
    """Concepts taught (with their broader ones) as roots and children, IRIs only."""

    roots: tuple[str, ...]
    children: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class SkillChoice:
    """One concept of the tree, in depth-first order, with its depth (0 for a root)."""

    iri: str
    label: str | None
    lang: str | None
    depth: int


@per_store
def hierarchy(store: Store) -> Hierarchy:
    """The concepts the credentials teach and every broader one, as a forest."""
    taught = {s for r in search_index(store).records for s in r.skills}
    broader: dict[str, set[str]] = {}
    for r in store.query(_BROADER):
        broader.setdefault(r["c"].value, set()).add(r["b"].value)
    keep: set[str] = set()
    todo = list(taught)
    while todo:
        c = todo.pop()
        if c in keep:
            continue
        keep.add(c)
        todo.extend(broader.get(c, ()))
    children: dict[str, set[str]] = {}
    roots = []
    for c in keep:
        ups = broader.get(c, set()) & keep
        for b in ups:
            children.setdefault(b, set()).add(c)
        if not ups:
            roots.append(c)
    return Hierarchy(tuple(sorted(roots)), {b: tuple(sorted(cs)) for b, cs in children.items()})


def skill_tree(store: Store, langs: tuple[str, ...] = ()) -> tuple[list[SkillChoice], bool]:
    """The concepts to pick from, depth first (siblings by label), labelled in ``langs``, and
    whether the list was cut at :data:`MAX_CONCEPTS`. A concept reachable on two paths
    (two broader concepts) is listed under the first only; a cycle is cut."""
    h = hierarchy(store)
    labels = Labels(store, langs).fetch([*h.roots, *(c for cs in h.children.values() for c in cs)])

    def order(iris) -> list[str]:
        return sorted(iris, key=lambda i: ((labels.ref(i).label or i).casefold(), i))

    out: list[SkillChoice] = []
    seen: set[str] = set()
    stack = [(c, 0) for c in reversed(order(h.roots))]
    while stack:
        iri, depth = stack.pop()
        if iri in seen:
            continue
        if len(out) >= MAX_CONCEPTS:
            return out, True
        seen.add(iri)
        ref = labels.ref(iri)
        out.append(SkillChoice(iri, ref.label, ref.lang, depth))
        stack.extend((c, depth + 1) for c in reversed(order(h.children.get(iri, ()))))
    return out, False


__all__ = ["MAX_CONCEPTS", "Hierarchy", "SkillChoice", "hierarchy", "skill_tree"]
