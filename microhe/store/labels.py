"""Labels of the things an answer names, in the language asked for: every recognition answer
(comparison, pathways, search, decisions, level translation, credit conversion) names a
skill, institution, level or credit system as ``{iri, label, lang}`` rather than a bare IRI.

A label is the node's ``skos:prefLabel``, ``dcterms:title``, ``rov:legalName``,
``rdfs:label`` or ``foaf:name``. Among them the language asked for wins (a tag or its primary
subtag: ``fr`` takes ``fr-BE``), then English, then an untagged literal, then any; among
literals of one language the predicate order above decides, then the text (so an answer is
stable). ``lang`` is the chosen literal's tag (None when untagged, or when nothing is
labelled: then ``label`` is None too).

One query per answer (``VALUES`` over the IRIs it names), never one per IRI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
from pydantic import BaseModel

from microhe.errors import InvalidValue
from microhe.vocab import DCTERMS, SKOS

_PREDICATES = (SKOS + "prefLabel", DCTERMS + "title", "http://www.w3.org/ns/regorg#legalName",
               "http://www.w3.org/2000/01/rdf-schema#label", "http://xmlns.com/foaf/0.1/name")
_RANK = {p: i for i, p in enumerate(_PREDICATES)}
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
#: the most IRIs one query names (an answer names fewer; a longer list is asked in parts)
_CHUNK = 2000
DEFAULT = "en"


class Ref(BaseModel):
    """A thing named by its IRI, with its label in the language asked for (else English,
    else any; ``lang`` None: the label has no language tag, or none was found)."""

    iri: str
    label: str | None
    lang: str | None


def language_tags(text: str | None) -> tuple[str, ...]:
    """The language tags of ``--lang`` / ``?lang=`` (``fr`` or ``fr,de``), lowercased, checked;
    () for none. InvalidValue names a tag that is not a BCP 47 language tag."""
    if text is None or not text.strip():
        return ()
    tags = []
    for part in text.split(","):
        tag = part.strip()
        if not _TAG.match(tag) or len(tag) > 35:
            raise InvalidValue(f"lang {part.strip()[:40]!r} is not a language tag such as en, fr or de-AT")
        tags.append(tag.lower())
    return tuple(dict.fromkeys(tags))


def preference(langs: Iterable[str]) -> tuple[str, ...]:
    """The order labels are chosen in: the languages asked for, then English, then untagged."""
    return tuple(dict.fromkeys([*(t.lower() for t in langs), DEFAULT, ""]))


def _score(tag: str, prefs: tuple[str, ...]) -> int:
    tag = tag.lower()
    for i, p in enumerate(prefs):
        if tag == p or (p and tag.split("-")[0] == p.split("-")[0]):
            return i
    return len(prefs)


def choose(literals: Iterable[tuple[str, str | None]], langs: Iterable[str] = ()) -> tuple[str | None, str | None]:
    """The best of ``(text, tag)`` labels already read, by the same preference as :class:`Labels`."""
    prefs = preference(langs)
    best = min(literals, key=lambda t: (_score(t[1] or "", prefs), t[0]), default=None)
    return (None, None) if best is None else (best[0], best[1] or None)


class Labels:
    """Labels of IRIs in one store, for one language preference (:func:`preference`)."""

    def __init__(self, store, langs: Iterable[str] = ()):
        self.store = store
        self.prefs = preference(langs)
        self._found: dict[str, tuple[str, str | None] | None] = {}

    def fetch(self, iris: Iterable[str | None]) -> Labels:
        """Look up the labels of ``iris`` not looked up yet (one query per 2000)."""
        todo = sorted({i for i in iris if i and i not in self._found})
        for start in range(0, len(todo), _CHUNK):
            part = todo[start:start + _CHUNK]
            values = []
            for iri in part:
                self._found[iri] = None
                try:
                    values.append(str(ox.NamedNode(iri)))
                except ValueError:
                    continue  # not an IRI the store could hold: no label
            if not values:
                continue
            best: dict[str, tuple[tuple, str, str | None]] = {}
            # the predicates as a FILTER, not a second VALUES: with two VALUES pyoxigraph joins
            # them after reading every label of the store (6 s at 10^5 credentials, 1 ms so)
            preds = ", ".join(f"<{p}>" for p in _PREDICATES)
            query = (f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {' '.join(values)} }} "
                     f"?s ?p ?l FILTER(isLiteral(?l) && ?p IN ({preds})) }}")
            for r in self.store.query(query):
                lit = r["l"]
                tag = getattr(lit, "language", None) or ""
                key = (_score(tag, self.prefs), _RANK.get(r["p"].value, 99), lit.value)
                s = r["s"].value
                if s not in best or key < best[s][0]:
                    best[s] = (key, lit.value, tag or None)
            for s, (_, label, tag) in best.items():
                self._found[s] = (label, tag)
        return self

    def ref(self, iri: str, fallback: str | None = None) -> Ref:
        """``iri`` with its label (``fallback``, untagged, when the store has none)."""
        if iri not in self._found:
            self.fetch([iri])
        found = self._found.get(iri)
        if found is None:
            return Ref(iri=iri, label=fallback, lang=None)
        return Ref(iri=iri, label=found[0], lang=found[1])

    def refs(self, iris: Iterable[str]) -> list[Ref]:
        iris = list(iris)
        self.fetch(iris)
        return [self.ref(i) for i in iris]


def languages_used(doc, prefs: tuple[str, ...] = ()) -> list[str]:
    """The language tags of the labels in an answer's JSON, the preferred first (for
    ``Content-Language``)."""
    found: list[str] = []

    def walk(x) -> None:
        if isinstance(x, dict):
            tag = x.get("lang")
            if "iri" in x and "label" in x and isinstance(tag, str) and tag not in found:
                found.append(tag)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
    order = preference(prefs)
    return sorted(found, key=lambda t: (_score(t, order), t))


__all__ = ["Ref", "Labels", "choose", "language_tags", "preference", "languages_used", "DEFAULT"]
