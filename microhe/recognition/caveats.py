"""The ambiguities a comparison rests on, as caveats a recogniser reads beside the verdict:
a level referenced to several EQF levels (SQF 9: EQF 7 or 8 by qualification type), a
referencing that is not stated (inferred, uncertain, disputed), a QDR concept that stands
for several levels or for one EQF candidate of a level, a target whose level is its
programme's, a disputed or missing credit rule (US credits, ECVET) and a conventional ECTS
value outside the range notional hours give (UK and SCQF: 20 h per ECTS by convention).

Nothing here changes a verdict: :mod:`microhe.recognition.compare` decides, this module
says what the decision could not settle.
"""

from __future__ import annotations

from microhe.errors import MicroheError
from microhe.frameworks.index import Level
from microhe.frameworks.models import CreditConversion
from microhe.frameworks.parse import parse_level
from microhe.recognition.models import Caveat
from microhe.store.embedded import Store


def _levels(store: Store, stated: set[str]) -> list[tuple[str, list[Level], tuple[int, ...], tuple[str, ...]]]:
    """(stated IRI, the framework levels it names, its EQF levels, the parser's notes) per
    stated level IRI the reference data knows."""
    out = []
    for iri in sorted(stated):
        try:
            p = parse_level(store, iri)
        except (MicroheError, ValueError):
            continue  # a level the reference data does not hold: the level criterion says so
        out.append((iri, list(p.levels), p.eqf, p.notes))
    return out


def level_caveats(store: Store, role: str, eqf: set[int], stated: set[str], used: str) -> list[Caveat]:
    """Caveats of one side's level: ``role`` is "credential" or "target", ``used`` how the
    comparison reads several candidates ("the highest", "the lowest")."""
    out: list[Caveat] = []
    for iri, levels, level_eqf, notes in _levels(store, stated):
        for n in notes:
            out.append(Caveat(kind="level-concept", criterion="level", text=f"The {role}'s level: {n}"))
        refs = [r for lv in levels for r in lv.referencings if r.eqf in level_eqf]
        name = levels[0].pref_label if len(levels) == 1 else iri
        if len(levels) == 1 and levels[0].framework == "EQF":
            continue
        if len(set(level_eqf)) > 1:
            detail = "; ".join(f"EQF {r.eqf}" + (f" for {r.qualification_types}" if r.qualification_types else "")
                               for r in sorted(refs, key=lambda r: r.eqf or 0))
            out.append(Caveat(kind="eqf-candidates", criterion="level",
                              text=f"The {role}'s level {name} is referenced to several EQF levels ({detail}); "
                                   f"the comparison used {used}. The qualification type decides which applies."))
        for r in sorted(refs, key=lambda r: r.eqf or 0):
            if r.confidence != "stated":
                out.append(Caveat(kind="referencing", criterion="level",
                                  text=f"The referencing of {name} to EQF {r.eqf} is {r.confidence}: "
                                       f"{r.note or 'see the sources of the level translation'}"))
    if len(eqf) > 1 and not any(c.kind == "eqf-candidates" for c in out):
        out.append(Caveat(kind="eqf-candidates", criterion="level",
                          text=f"The {role} states levels at EQF {', '.join(map(str, sorted(eqf)))}; "
                               f"the comparison used {used}."))
    return out


def programme_caveat(programme_eqf: set[int], strict: bool) -> Caveat:
    levels = ", ".join(map(str, sorted(programme_eqf)))
    if strict:
        text = (f"The target states no level of its own; under the strict rule its programme's level (EQF {levels}) "
                "was used as the module's.")
    else:
        text = (f"The target states no level of its own, only its programme's (EQF {levels}). Modules inside a "
                f"degree often sit lower than the degree: the module's own level decides; ask the institution "
                "for it (or compare with the strict rule, which takes the programme's level).")
    return Caveat(kind="programme-level", criterion="level", text=text)


def credit_caveats(conv: CreditConversion | None, target_ects: float | None, ratio_threshold: float) -> list[Caveat]:
    """Caveats of the credential's credits: a disputed or missing rule, and a conventional
    value outside the hours-based range (with what the hours would mean for the verdict)."""
    if conv is None or conv.system in ("ECTS", "HOURS"):
        return []
    out: list[Caveat] = []
    value, h = conv.ects.value, conv.by_hours
    if h is None:
        analogy = f"; the {conv.system} analogy would give {value:g} ECTS" if value is not None else ""
        out.append(Caveat(kind="credit-rule", criterion="workload",
                          text=f"{conv.amount:g} {conv.system}: no official conversion to ECTS and no notional hours "
                               f"per credit{analogy}, which is not used. State the workload in ECTS or hours."))
        return out
    if conv.ects.disputed:
        out.append(Caveat(kind="credit-rule", criterion="workload",
                          text=f"The {conv.system} to ECTS rule is disputed (not official): {conv.amount:g} "
                               f"{conv.system} = {value:g} ECTS by it."))
    if value is not None and not (h.min - 1e-9 <= value <= h.max + 1e-9):
        span = f"{h.min:g}" if h.min == h.max else f"{h.min:g}-{h.max:g}"
        text = (f"{conv.amount:g} {conv.system} = {value:g} ECTS by the {conv.ects.basis} used; notional hours give "
                f"{span} ECTS")
        if target_ects:
            lo, hi = h.min / target_ects, h.max / target_ects
            verdict = ("short" if hi < ratio_threshold else "short at the low end" if lo < ratio_threshold
                       else "enough")
            text += f" (ratio {lo:.2f}-{hi:.2f} against the target: {verdict} by hours)"
        out.append(Caveat(kind="credit-convention", criterion="workload", text=text + "."))
    return out


__all__ = ["level_caveats", "programme_caveat", "credit_caveats"]
