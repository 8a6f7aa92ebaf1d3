"""What a long load tells about its progress: the phase it is in and how far it got.

The loader (:func:`microhe.ingest.load.load`) calls a :class:`Meter`: ``phase(name,
total, unit)`` when a phase starts (``parse``, ``validate``, ``write``, ``index``; the
total in ``unit`` when it is known, e.g. the bytes of the file while parsing or the
triples to write), then ``advance(n)`` as work is done. How that is shown (one updating
line on a terminal, a line every few seconds in a log) is the caller's business
(:mod:`microhe.cli.progress`); the library only reports.
"""

from __future__ import annotations

from typing import Protocol


class Meter(Protocol):
    def phase(self, name: str, total: int | None = None, unit: str = "triples") -> None:
        """A new phase starts (the previous one ended)."""

    def advance(self, n: int) -> None:
        """``n`` more units of the current phase are done."""


class Silent:
    """The meter of a caller that does not want to know."""

    def phase(self, name: str, total: int | None = None, unit: str = "triples") -> None:
        pass

    def advance(self, n: int) -> None:
        pass


__all__ = ["Meter", "Silent"]
