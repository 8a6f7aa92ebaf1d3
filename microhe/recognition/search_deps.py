"""What a search record depends on, so that a write reaches every record it changes (issue 24).

A record is read from its specification and from what the specification reaches: its
learning outcomes (their skills), its awarding body through the awarding opportunity or
through an award specified by it (the body's name; its country through location and
address), and the Council elements' paths (``microhe.validation.elements``: the level's
referencing to the EQF in the frameworks graph, accreditations, assessments ...). Each of
these is a path of steps from the specification. A change-log entry names the IRI subjects
whose triples a write added or removed (a blank node's changes are named by its IRI root:
``microhe.store.embedded``). A record can have changed only if

* its specification is one of them, or
* a prefix of one of its paths reaches one of them *now*: the first triple of the path a
  write added or removed has a subject on it (a forward step's start, an inverse step's
  end), and the part of the path before that triple is unchanged, so it is still there; or
* that first triple was a removed *inverse* step (``?ach elm:specifiedBy ?spec``): its
  subject is no longer reachable, so the view remembers, per specification, the nodes its
  inverse-ended prefixes reached (``SearchIndex.via``) and looks them up.

The skill hierarchy (``skos:broader``) is read whole: it is read again when a changed
subject has a broader concept now or was part of the hierarchy before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from microhe.validation.elements import specification_elements
from microhe.vocab import ELM

Step = tuple[str, bool]  # (predicate IRI, inverse)
Path = tuple[Step, ...]

_ROV = "http://www.w3.org/ns/regorg#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_BODY = (f"<{ELM}awardingBody>/<{ELM}location>/<{ELM}address>/<{ELM}countryCode>")
#: what the record itself reads beyond its specification's own triples (search.py's queries)
RECORD_PATHS = (
    f"<{ELM}learningOutcome>/<{ELM}relatedESCOSkill>",
    f"<{ELM}awardingOpportunity>/{_BODY}",
    f"^<{ELM}specifiedBy>/<{ELM}awardedBy>/{_BODY}",
)
BATCH = 400
_STEP = re.compile(r"(\^?)<([^<>\s]+)>")


def parse(path: str) -> list[Path]:
    """The alternatives of a SPARQL path made of IRIs, ``^``, ``/`` and a top-level ``|`` of
    parenthesised sequences (as ``elements`` writes them); ValueError for anything else."""
    out = []
    for alt in _top_level_alternatives(path):
        text = alt.strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        steps = [(m.group(2), bool(m.group(1))) for m in _STEP.finditer(text)]
        rebuilt = "/".join(("^" if inv else "") + f"<{p}>" for p, inv in steps)
        if not steps or rebuilt != text:
            raise ValueError(f"a dependency path that is not a sequence of IRIs: {path}")
        out.append(tuple(steps))
    return out


def _top_level_alternatives(path: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(path):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(path[start:i])
            start = i + 1
    parts.append(path[start:])
    return parts


@cache
def paths() -> tuple[Path, ...]:
    """Every dependency path from a specification (the record's and the elements')."""
    found: list[Path] = []
    for p in RECORD_PATHS:
        found += parse(p)
    inverse_spec = ((ELM + "specifiedBy", True),)
    for e in specification_elements():
        for p in e.specification:
            found += parse(p)
        for p in e.award:  # from an achievement specified by the specification
            found += [inverse_spec + alt for alt in parse(p)]
    return tuple(dict.fromkeys(found))


@cache
def watched_prefixes() -> tuple[Path, ...]:
    """The prefixes whose end is the subject of a path's next triple (a forward step
    follows) or of its last one (it ends in an inverse step): a change there reaches the
    specifications at their start."""
    out: dict[Path, None] = {}
    for p in paths():
        for i in range(1, len(p) + 1):
            if p[i - 1][1] or (i < len(p) and not p[i][1]):
                out[p[:i]] = None
    return tuple(out)


@cache
def inverse_prefixes() -> tuple[Path, ...]:
    """The watched prefixes that end in an inverse step (remembered per record: ``via``)."""
    return tuple(p for p in watched_prefixes() if p[-1][1])


def sparql(path: Path) -> str:
    return "/".join(("^" if inv else "") + f"<{p}>" for p, inv in path)


def values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in iris)} }}"


def batches(items: list[str], size: int = BATCH) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def reaching(store, subjects: set[str]) -> set[str]:
    """The nodes (specifications or not: the caller keeps the specifications) whose watched
    prefixes reach one of ``subjects`` now."""
    out: set[str] = set()
    listed = sorted(subjects)
    for prefix in watched_prefixes():
        # the path read backwards from the bound end: one lookup per subject, not a scan
        back = sparql(tuple((p, not inv) for p, inv in reversed(prefix)))
        for batch in batches(listed):
            q = f"SELECT DISTINCT ?spec WHERE {{ {values('x', batch)} ?x {back} ?spec FILTER(isIRI(?spec)) }}"
            out.update(r["spec"].value for r in store.query(q))
    return out


def via(store, specs: list[str] | None) -> dict[str, frozenset[str]]:
    """Per specification (of ``specs``, or every one), the IRI nodes its inverse-ended
    prefixes reach (only those that reach any)."""
    out: dict[str, set[str]] = {}
    for prefix in inverse_prefixes():
        for batch in ([None] if specs is None else batches(specs)):
            where = values("spec", batch) if batch is not None else ""
            q = f"SELECT DISTINCT ?spec ?x WHERE {{ {where} ?spec {sparql(prefix)} ?x FILTER(isIRI(?x)) }}"
            for r in store.query(q):
                out.setdefault(r["spec"].value, set()).add(r["x"].value)
    return {k: frozenset(v) for k, v in out.items()}


def in_hierarchy(store, subjects: set[str], concepts: frozenset[str]) -> bool:
    """Whether one of ``subjects`` was part of the skill hierarchy (``concepts``) or has a
    broader concept now."""
    if subjects & concepts:
        return True
    listed = sorted(subjects)
    for batch in batches(listed):
        if store.query(f"ASK {{ {values('c', batch)} ?c <{_SKOS}broader> ?b }}"):
            return True
    return False


__all__ = ["in_hierarchy", "inverse_prefixes", "parse", "paths", "reaching", "via", "watched_prefixes"]
