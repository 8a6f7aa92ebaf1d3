"""The framework ladder's model: every qualifications framework side by side on the EQF
axis, from :func:`microhe.frameworks.levels.framework_index` (the reference data's
referencing, with its confidence and sources).

What a recogniser must see is kept visible: several levels of one framework at one EQF
level (many-to-one), a level referenced to two EQF levels (one-to-many, by qualification
type), a referencing that is not "stated" (inferred, uncertain, disputed), and a level
with no EQF level (below EQF 1) or no EU QDR concept found.
"""

from __future__ import annotations

from urllib.parse import urlencode

from microhe.frameworks.levels import Level, framework_index
from microhe.publish.names import local_href, safe_href
from microhe.store.embedded import Store

QDR = "http://data.europa.eu/snb/qdr/"


def framework_codes(store: Store) -> list[str]:
    return framework_index(store).codes()


def framework_choices(store: Store) -> list[tuple[str, str]]:
    """(code, name) of every framework, for the search form."""
    idx = framework_index(store)
    return [(c, idx.names.get(c, c)) for c in idx.codes()]


def _flags(lv: Level, eqf: int | None) -> list[str]:
    out = []
    for r in lv.referencings:
        if (eqf is None or r.eqf == eqf) and r.confidence != "stated":
            out.append(r.confidence)
    return sorted(set(out))


def _entry(lv: Level, eqf: int | None, root: str, many: bool) -> dict:
    others = [e for e in lv.eqf if e != eqf]
    return {"label": lv.label, "name": lv.pref_label, "href": local_href(lv.iri, None, root),
            "flags": _flags(lv, eqf), "many": many, "also": others,
            "qdr": any(m.startswith(QDR) for m in lv.matches) or lv.framework == "EQF"}


def ladder(store: Store, root: str, eqf_counts: dict[str, int]) -> dict:
    idx = framework_index(store)
    codes = idx.codes()
    columns = [{"code": c, "name": idx.names.get(c, c), "href": f"{root}/frameworks/{c}"} for c in codes]
    rows = []
    for n in range(8, 0, -1):
        cells = []
        for c in codes:
            here = [lv for lv in idx.levels_of(c) if n in lv.eqf]
            cells.append([_entry(lv, n, root, len(here) > 1) for lv in here])
        rows.append({"eqf": n, "search": f"{root}/search?eqf={n}", "count": eqf_counts.get(str(n), 0),
                     "href": local_href(f"http://data.europa.eu/snb/eqf/{n}", None, root), "cells": cells})
    below = [[_entry(lv, None, root, False) for lv in idx.levels_of(c) if not lv.eqf] for c in codes]
    return {"columns": columns, "rows": rows, "below": below}


def framework(store: Store, code: str, root: str) -> dict:
    """One framework's levels, highest first, with their referencing and evidence
    (UnknownFrameworkError, a NotFound, for an unknown code)."""
    idx = framework_index(store)
    code = idx.framework_code(code)
    levels = []
    for lv in reversed(idx.levels_of(code)):
        refs = [{"eqf": r.eqf, "confidence": r.confidence, "types": r.qualification_types, "note": r.note,
                 "sources": [(s, safe_href(s)) for s in r.sources],
                 "search": f"{root}/search?eqf={r.eqf}" if r.eqf else None}
                for r in sorted(lv.referencings + lv.below, key=lambda r: r.eqf or 0)]
        siblings = {e: [o.label for o in idx.levels_of(code) if o.iri != lv.iri and e in o.eqf] for e in lv.eqf}
        levels.append({"label": lv.label, "name": lv.pref_label, "href": local_href(lv.iri, None, root),
                       "iri": lv.iri, "eqf": lv.eqf, "referencings": refs, "notes": lv.notes,
                       "siblings": {e: s for e, s in siblings.items() if s and code != "EQF"},
                       "qdr": [(m, safe_href(m)) for m in lv.matches if m.startswith(QDR)],
                       "search": f"{root}/search?{urlencode({'framework': code, 'level': lv.label})}"})
    return {"code": code, "name": idx.names.get(code, code), "iri": idx.frameworks[code],
            "href": local_href(idx.frameworks[code], None, root), "levels": levels}


__all__ = ["ladder", "framework", "framework_codes", "framework_choices"]
