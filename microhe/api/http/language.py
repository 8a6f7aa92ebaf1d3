"""The language of the labels in a recognition answer: ``?lang=`` (one tag or several, comma
separated), else ``Accept-Language`` (q-values honoured, ``*`` and ``q=0`` ignored), then
English, then any (:mod:`microhe.store.labels`). The answer says which languages its labels
are in with ``Content-Language`` (the preferred first) and ``Vary: Accept-Language``.

A ``lang`` that is not a language tag is 422; an ``Accept-Language`` that cannot be read is
ignored, as HTTP lets a server do.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel

from microhe.store.labels import language_tags, languages_used

_MAX_TAGS = 10


def accept_language(header: str | None) -> tuple[str, ...]:
    """The language tags of an ``Accept-Language`` header, best first (ties keep their order)."""
    found: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")[:50]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        tag = tag.strip()
        if not tag or tag == "*" or not q > 0:
            continue
        try:
            tags = language_tags(tag)
        except ValueError:
            continue
        found += [(-q, i, t) for t in tags]
    return tuple(dict.fromkeys(t for _, _, t in sorted(found)))[:_MAX_TAGS]


def answer_languages(request: Request, lang: Annotated[str | None, Query(
        max_length=200, description="Language(s) of the labels, e.g. fr or fr,de (else Accept-Language; then "
                                    "English, then any)")] = None) -> tuple[str, ...]:
    """The languages asked for: ``?lang=``, else ``Accept-Language``."""
    if lang is not None and lang.strip():
        return language_tags(lang)[:_MAX_TAGS]  # InvalidValue (422) names a bad tag
    return accept_language(request.headers.get("accept-language"))


#: The languages asked for, as a route parameter.
LangDep = Annotated[tuple[str, ...], Depends(answer_languages)]


def say_language(response: Response, answer: BaseModel | list[Any], langs: tuple[str, ...]) -> None:
    """Set ``Content-Language`` to the languages of the answer's labels (none: no header)."""
    doc = [a.model_dump(mode="json") for a in answer] if isinstance(answer, list) else answer.model_dump(mode="json")
    used = languages_used(doc, langs)
    if used:
        response.headers["Content-Language"] = ", ".join(used)
    response.headers["Vary"] = "Accept-Language"


__all__ = ["accept_language", "answer_languages", "LangDep", "say_language"]
