"""Level translation: a level of one qualifications framework in EQF terms and in every
other framework, with the referencing evidence (sources, confidence, notes).

Input is read by :func:`microhe.frameworks.parse.parse_level` (codes, short forms, QDR
labels and IRIs, "Level 6", "Entry 3", "4+"; ambiguity answered with the candidates). The
answer lists the levels of other frameworks at the same EQF level as ``same_eqf_level``
with the caveat "broadly comparable level, not equivalence", and the documented pairings as
``closest``. The index itself is :mod:`microhe.frameworks.index` (its names are re-exported
here for earlier importers).
"""

from __future__ import annotations

from microhe.frameworks.index import (  # re-exported: the index's names were defined here before
    FrameworkIndex,
    Level,
    Pairing,
    Referencing,
    UnknownFrameworkError,
    UnknownLevelError,
    framework_index,
)
from microhe.frameworks.models import SAME_EQF_CAVEAT, LevelBrief, LevelTranslation
from microhe.frameworks.models import Pairing as PairingModel
from microhe.frameworks.models import Referencing as ReferencingModel
from microhe.frameworks.parse import parse_level, resolve_framework
from microhe.store.embedded import Store
from microhe.store.labels import Labels


def translate(store: Store, framework: str | None, level: str, to: str | None = None,
              country: str | None = None, langs: tuple[str, ...] = ()) -> LevelTranslation:
    """Translate a level: its EQF level(s), the levels of other frameworks at the same EQF
    level (broadly comparable, not equivalent), and the pairings a referencing documents.

    ``level`` is read by :func:`microhe.frameworks.parse.parse_level` (any form it accepts;
    ``framework`` may be None when the text names it). Raises UnknownFrameworkError /
    UnknownLevelError with the valid values, AmbiguousLevelError with the candidates. Levels
    and QDR concepts are labelled in ``langs`` (else English, else any)."""
    idx = framework_index(store)
    parsed = parse_level(store, level, framework, country)
    target = _target(store, to, idx)
    levels = list(parsed.levels)
    lv = levels[0]
    refs = [r for x in levels for r in x.referencings if not parsed.concept or not parsed.eqf or r.eqf in parsed.eqf]
    below = [r for x in levels for r in x.below]
    eqf = sorted({r.eqf for r in refs if r.eqf is not None})
    notes: list[str] = list(parsed.notes)
    name = parsed.concept_label if len(levels) > 1 else lv.pref_label
    found = bool(eqf or below)
    if not eqf and below:
        notes.append(f"{name} is below EQF level 1: it is referenced to no EQF level.")
    elif not found:
        notes.append(f"{name}: referencing not found. No source stating its EQF level was found; none is guessed.")
    if len(eqf) > 1 and len(levels) == 1:
        detail = "; ".join(
            f"EQF {r.eqf}" + (f" for {r.qualification_types}" if r.qualification_types else "")
            for r in sorted(refs, key=lambda r: r.eqf or 0))
        notes.append(f"{lv.pref_label} is referenced to several EQF levels, by qualification type: {detail}.")
    if len(levels) == 1:
        for e in eqf:
            siblings = [o.label for o in idx.levels_of(lv.framework) if o.iri != lv.iri and e in o.eqf]
            if siblings and lv.framework != "EQF":
                notes.append(f"Many-to-one: {lv.framework} level(s) {', '.join(siblings)} are also referenced to EQF {e}.")
    for r in refs:
        if r.confidence != "stated":
            notes.append(f"The referencing to EQF {r.eqf} is {r.confidence}: {r.note or 'see sources'}")
    for r in below:
        if r.confidence != "stated":
            notes.append(f"The statement that it is below EQF 1 is {r.confidence}: {r.note or 'see sources'}")
    for x in levels:
        notes.extend(n for n in x.notes if n not in notes and not eqf)
    own = {x.iri for x in levels}
    paired = {p.other: p for x in levels for p in idx.pairings.get(x.iri, [])}
    same = []
    for other in idx.levels.values():
        if other.framework == lv.framework or (target and other.framework != target):
            continue
        if not set(other.eqf) & set(eqf):
            continue
        # QF-EHEA cycles only where a self-certification or referencing names the cycle
        pair = {other.framework, lv.framework}
        if "QF-EHEA" in pair and "EQF" not in pair and other.iri not in paired:
            continue
        same.append(other)
    order = {c: i for i, c in enumerate(idx.codes())}
    same.sort(key=lambda o: (order.get(o.framework, 99), o.rank))
    closest = [idx.levels[iri] for iri in paired if iri not in own and (not target or idx.levels[iri].framework == target)]
    closest.sort(key=lambda o: (order.get(o.framework, 99), o.rank))
    cycles = [o for o in idx.levels.values() if o.framework == "QF-EHEA" and set(o.eqf) & set(eqf)]
    if cycles and lv.framework not in ("EQF", "QF-EHEA") and not any(o.framework == "QF-EHEA" for o in closest):
        notes.append(f"No QF-EHEA cycle is listed: no self-certification or referencing in the reference data "
                     f"names a cycle for {name}.")
    sources = sorted({s for r in refs + below for s in r.sources})
    qdr = sorted({m for x in levels for m in x.matches if m.startswith("http://data.europa.eu/snb/qdr/")}
                 | ({parsed.concept} if parsed.concept else set()))
    iri = lv.iri if len(levels) == 1 else (parsed.concept or lv.iri)
    labels = Labels(store, langs).fetch([iri, *qdr, *(o.iri for o in levels + same + closest)])
    top = labels.ref(iri, fallback=name or lv.pref_label)

    def brief(o: Level) -> LevelBrief:
        ref = labels.ref(o.iri, fallback=o.pref_label)
        return LevelBrief(framework=o.framework, level=o.label, eqf=o.eqf, iri=o.iri, label=ref.label, lang=ref.lang)

    return LevelTranslation(
        framework=lv.framework,
        level=", ".join(x.label for x in levels),
        iri=iri,
        label=top.label or name or lv.pref_label,
        lang=top.lang,
        eqf=eqf,
        referencing=[ReferencingModel(eqf=r.eqf, confidence=r.confidence, qualification_types=r.qualification_types,
                                      note=r.note, sources=r.sources) for r in sorted(refs, key=lambda r: r.eqf or 0)],
        levels=[brief(x) for x in levels],
        same_eqf_level=[brief(o) for o in same],
        caveat=SAME_EQF_CAVEAT,
        closest=[PairingModel(**brief(o).model_dump(), confidence=paired[o.iri].confidence,
                              note=paired[o.iri].note, sources=paired[o.iri].sources) for o in closest],
        qdr=labels.refs(qdr),
        sources=sources,
        notes=notes,
        found=found,
    )


def _target(store: Store, to: str | None, idx: FrameworkIndex) -> str | None:
    if not to:
        return None
    return resolve_framework(store, to)


def eqf_levels_of(store: Store, level_iri: str) -> list[int]:
    """EQF level numbers of a declared level IRI (EQF, project or QDR IRI); [] if unknown."""
    return framework_index(store).eqf_of(level_iri)


__all__ = ["FrameworkIndex", "Level", "Pairing", "Referencing", "UnknownFrameworkError", "UnknownLevelError",
           "framework_index", "translate", "eqf_levels_of"]
