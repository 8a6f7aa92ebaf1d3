"""What JSON-LD expansion does to keys that the active context does not map: it drops them
(with their values) without a word, or, for a key ``prefix:name`` whose prefix no context
declares, turns it into the IRI ``<prefix:name>`` (scheme ``prefix``). The first is counted
and reported here; the second is refused (it is never what the author meant).

How dropped keys are found with pyoxigraph itself (so the answer is the processor's, not
a re-implementation of context processing): the document is parsed once with a *probe*
vocabulary appended to its top-level context, ``{"@vocab": "urn:microhe:dropped:<nonce>:"}``.
A key that no term, prefix or vocabulary maps then expands to ``<probe>key`` instead of
being dropped, and an undefined type term to ``<probe>Term``. When nothing in the output
carries the probe (the common case) the probe's output is exactly the document's, so one
parse suffices; otherwise the document is parsed again without the probe for its data.

A document whose top-level context sets ``@vocab`` maps every key (VC 2.0 does: to
``https://www.w3.org/ns/credentials/issuer-dependent#``); it is not probed. A nested
context that resets everything (``"@context": null``) hides its keys from the probe.
The JSON paths are found by walking the document for the keys the processor dropped; a
key name that one scoped context maps and another does not is reported wherever it occurs.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from microhe.rdf.reading import ParseError

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Schemes whose IRIs are written without ``//`` and are real (not an undeclared prefix).
OPAQUE_SCHEMES = frozenset({"urn", "did", "tag", "mailto", "data", "info", "uuid", "geo", "tel", "ni", "doi",
                            "isbn", "oid", "about"})


@dataclass(frozen=True)
class DroppedKey:
    """One key JSON-LD expansion dropped. ``path`` is a JSON path without the leading
    ``$`` (``credentialSubject.hasClaim[0].foo``); ``kind`` is ``key`` (the key and its
    value are lost) or ``type`` (a ``type`` value the context does not define: ``key`` is
    the term)."""

    path: str
    key: str
    kind: str = "key"

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "key": self.key, "kind": self.kind}

    def describe(self) -> str:
        if self.kind == "type":
            return f"{self.path}: type {self.key!r} is not defined by the @context (not read as a class)"
        return f"{self.path}: key {self.key!r} maps to no IRI under the @context (dropped with its value)"


def json_path(path: Iterable[Any]) -> str:
    """``a.b[0]["c:d"]``: a JSON path without the ``$``."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p):
            out += f".{p}" if out else p
        else:
            out += f"[{json.dumps(p, ensure_ascii=False)}]"
    return out or "$"


# --------------------------------------------------------------------------- the probe


def new_probe() -> str:
    return f"urn:microhe:dropped:{secrets.token_hex(6)}:"


def _sets_vocab(context: Any) -> bool:
    """Whether a (resolved) context value ends with a vocabulary mapping in force: the last
    ``@vocab`` it states, through nested arrays, is not null."""
    state = False
    for c in context if isinstance(context, list) else [context]:
        if isinstance(c, list):
            state = _sets_vocab(c) or state
        elif c is None:
            state = False  # a null context resets everything
        elif isinstance(c, dict) and "@vocab" in c:
            state = c["@vocab"] is not None
    return state


def probe_document(doc: Any, probe: str) -> Any | None:
    """``doc`` (already resolved: contexts inlined) with the probe vocabulary appended to
    its top-level context, or None when its top-level context sets ``@vocab`` itself."""
    vocab = {"@vocab": probe}
    if isinstance(doc, list):
        return {"@context": vocab, "@graph": doc}
    if not isinstance(doc, dict):
        return None
    if "@context" not in doc:
        return {"@context": vocab, **doc}
    context = doc["@context"]
    if _sets_vocab(context):
        return None
    items = context if isinstance(context, list) else [context]
    return {"@context": [*items, vocab], **{k: v for k, v in doc.items() if k != "@context"}}


def carries_probe(quads: list[ox.Quad], probe: str) -> bool:
    for q in quads:
        if q.predicate.value.startswith(probe):
            return True
        o = q.object
        if isinstance(o, ox.NamedNode) and o.value.startswith(probe):
            return True
        if isinstance(o, ox.Literal) and o.datatype.value.startswith(probe):
            return True
    return False


def dropped_keys(doc: Any, quads: list[ox.Quad], probe: str) -> list[DroppedKey]:
    """The keys (and undefined type terms) of ``doc`` that the probe caught, with paths."""
    keys = {q.predicate.value[len(probe):] for q in quads if q.predicate.value.startswith(probe)}
    types = {q.object.value[len(probe):] for q in quads
             if q.predicate.value == _RDF_TYPE and isinstance(q.object, ox.NamedNode)
             and q.object.value.startswith(probe)}
    found: list[DroppedKey] = []
    seen: set[tuple[str, str]] = set()

    def visit(node: Any, path: list[Any], inside_dropped: bool) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                visit(item, [*path, i], inside_dropped)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in ("@context", "@value"):
                continue
            if key in keys:
                seen.add(("key", key))
                if not inside_dropped:
                    found.append(DroppedKey(json_path([*path, key]), key, "key"))
                visit(value, [*path, key], True)
                continue
            if key in ("@type", "type") and types:
                values = value if isinstance(value, list) else [value]
                for i, t in enumerate(values):
                    if isinstance(t, str) and t in types:
                        seen.add(("type", t))
                        if not inside_dropped:
                            where = [*path, key, i] if isinstance(value, list) else [*path, key]
                            found.append(DroppedKey(json_path(where), t, "type"))
            visit(value, [*path, key], inside_dropped)

    visit(doc, [], False)
    for key in sorted(keys):
        if ("key", key) not in seen:
            found.append(DroppedKey(f"..{key}", key, "key"))
    for t in sorted(types):
        if ("type", t) not in seen:
            found.append(DroppedKey("..type", t, "type"))
    return found


# --------------------------------------------------------------------------- undeclared prefixes


def _undeclared_prefix(iri: str) -> str | None:
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", iri, re.S)
    if m is None or m.group(2).startswith("//") or m.group(1).lower() in OPAQUE_SCHEMES:
        return None
    return m.group(1)


def refuse_undeclared_prefixes(doc: Any, quads: list[ox.Quad], source: str | None) -> None:
    """A predicate or class IRI such as ``<ceterms:name>``: the key (or type) was written
    with a prefix the document's contexts do not declare. Refused, naming the key."""
    for q in quads:
        iri = q.predicate.value
        o = q.object
        is_type = iri == _RDF_TYPE and isinstance(o, ox.NamedNode)
        candidate = o.value if isinstance(o, ox.NamedNode) and is_type else iri
        prefix = _undeclared_prefix(candidate)
        if prefix is None:
            continue
        where = _first_path(doc, candidate, is_type)
        what = f"type {candidate!r}" if is_type else f"key {candidate!r}"
        has_context = isinstance(doc, dict) and "@context" in doc
        advice = ("the document has no @context: add the @context that declares it (for CTDL records the "
                  "CTDL context, for Open Badges the VC and OB contexts)" if not has_context
                  else "none of the document's contexts declares it: add the @context that does, or write the "
                  "full IRI")
        raise ParseError(f"{what}{f' at {where}' if where else ''} would become the IRI <{candidate}>, whose "
                         f"scheme is the undeclared prefix {prefix!r}; {advice}", source)


def _first_path(doc: Any, text: str, as_type: bool) -> str | None:
    stack: list[tuple[Any, list[Any]]] = [(doc, [])]
    while stack:
        node, path = stack.pop(0)
        if isinstance(node, list):
            stack.extend((item, [*path, i]) for i, item in enumerate(node))
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    continue
                if not as_type and key == text:
                    return json_path([*path, key])
                if as_type and key in ("@type", "type") and (value == text or
                                                             (isinstance(value, list) and text in value)):
                    return json_path([*path, key])
                stack.append((value, [*path, key]))
    return None


__all__ = ["DroppedKey", "OPAQUE_SCHEMES", "carries_probe", "dropped_keys", "json_path", "new_probe",
           "probe_document", "refuse_undeclared_prefixes"]
