"""Small helpers the exporters share: language maps, country codes, durations, mode words."""

from __future__ import annotations

from typing import Any

from microhe.exporters.model import Text
from microhe.ingest.derive import duration_hours
from microhe.vocab import COUNTRY

MODE = "http://data.europa.eu/snb/learning-assessment/"
MODE_WORDS = {MODE + "920fbb3cbe": "online", MODE + "9191af2ed9": "presential", MODE + "e92d221e4d": "blended"}
EQF_SCHEME_NAME = "European Qualifications Framework"


def language_map(texts: list[Text]) -> dict[str, Any]:
    """``{"en": "...", "@none": "..."}``: JSON-LD's language map (``@none``: no language)."""
    out: dict[str, Any] = {}
    for text, lang in texts:
        key = lang or "@none"
        if key in out:
            out[key] = [*(out[key] if isinstance(out[key], list) else [out[key]]), text]
        else:
            out[key] = text
    return out


def alpha2(country: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code of an EU country-authority IRI (``.../country/DEU`` -> ``DE``)."""
    from microhe.importers.vocabulary import ALPHA2  # the one table of codes

    if not country or not country.startswith(COUNTRY):
        return None
    a3 = country[len(COUNTRY):]
    for a2, three in ALPHA2.items():
        if three == a3 and a2 not in ("UK", "EL"):
            return a2
    return None


def number(value: str) -> int | float | None:
    try:
        f = float(value)
    except ValueError:
        return None
    if f != f or f < 0:
        return None
    return int(f) if f.is_integer() else f


__all__ = ["EQF_SCHEME_NAME", "MODE", "MODE_WORDS", "alpha2", "duration_hours", "language_map", "number"]
