"""The language of the interface: English, German and French message catalogues, and
which one a request gets.

A catalogue (``messages/<lang>.json``) maps the English text of an interface string to
its translation; English is the key itself, so a string missing from a catalogue shows
in English rather than as a key (a test checks that every string the templates use is in
every catalogue). Placeholders are ``{name}``, filled after translation.

The language is chosen by ``?lang=`` (the switch on every page), then the ``lang``
cookie (set when ``?lang=`` was used, so the choice sticks), then ``Accept-Language``
(q-values honoured), then English. Data labels follow it where the data has the language
(:func:`label_langs`).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français"}
DEFAULT = "en"
COOKIE = "lang"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The messages of ``lang`` (English: empty, the keys are the English text)."""
    if lang == DEFAULT:
        return {}
    text = resources.files("microhe.api.pages").joinpath("messages", f"{lang}.json").read_text("utf-8")
    data = json.loads(text)
    return {k: v for k, v in data.items() if not k.startswith("_")}


def translator(lang: str):
    """``t(text, **values)``: ``text`` in ``lang``, placeholders filled."""
    messages = catalogue(lang)

    def t(text: str, **values) -> str:
        out = messages.get(text, text)
        return out.format(**values) if values else out

    return t


def _accept_language(header: str | None) -> str | None:
    best, best_q = None, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
        elif primary == "*" and q > best_q and best is None:
            best, best_q = DEFAULT, q
    return best


def choose(query_lang: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language: ``?lang=``, the cookie, ``Accept-Language``, English."""
    for v in (query_lang, cookie):
        if v and v.lower() in LANGUAGES:
            return v.lower()
    return _accept_language(accept_language) or DEFAULT


def label_langs(lang: str) -> tuple[str, ...]:
    """Language tags to try, in order, for a label from the data."""
    return tuple(dict.fromkeys((lang, "en", "")))


__all__ = ["LANGUAGES", "DEFAULT", "COOKIE", "catalogue", "translator", "choose", "label_langs"]
