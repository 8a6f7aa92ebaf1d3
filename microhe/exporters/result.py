"""What an export gives back: the document(s) and the loss report.

``lost`` is the part of the specification the target cannot hold, field by field, with
the value left behind and why; the CLI prints it, the HTTP answer carries it
(``?report=true``, or a summary header), so nothing is dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Lost:
    """One field of a specification with no place in the target: ``field`` (the name the
    field x format matrix uses), the ``value`` left behind, ``reason``."""

    iri: str
    field: str
    value: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"specification": self.iri, "field": self.field, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        return f"lost: {self.field} {self.value!r} ({self.reason})"


class Losses:
    """Collects :class:`Lost` lines for one specification."""

    def __init__(self, iri: str):
        self.iri = iri
        self.items: list[Lost] = []

    def add(self, name: str, values: Any, reason: str) -> None:
        for v in values if isinstance(values, (list, tuple)) else [values]:
            if v not in (None, "", []):
                text = v[0] if isinstance(v, tuple) else str(v)
                lost = Lost(self.iri, name, text, reason)
                if lost not in self.items:
                    self.items.append(lost)


@dataclass
class Export:
    format: str
    media_type: str
    documents: list[dict[str, Any]]
    lost: list[Lost] = field(default_factory=list)

    def body(self) -> bytes:
        """One document as itself, several as a JSON array of documents."""
        doc: Any = self.documents[0] if len(self.documents) == 1 else self.documents
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def report(self) -> dict[str, Any]:
        return {"format": self.format, "media_type": self.media_type, "documents": self.documents,
                "lost": [x.to_json() for x in self.lost]}


__all__ = ["Export", "Lost", "Losses"]
