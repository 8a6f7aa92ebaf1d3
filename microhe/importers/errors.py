"""The refusals of the importers (categories of :mod:`microhe.errors`)."""

from __future__ import annotations

from microhe.errors import InputError, InvalidValue


class ImportFailed(InputError):
    """The input cannot be read as the format named: not JSON, truncated, a malformed
    JWT, an unknown context, too large (exit 2, HTTP 400)."""

    def __init__(self, message: str, source: str | None = None):
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source


class NothingToImport(InvalidValue):
    """The document was read but holds no credential or learning opportunity the format
    maps (a competency framework, a qualifications framework, a transfer-value profile):
    exit 2, HTTP 422. The message names the classes found."""

    def __init__(self, message: str, source: str | None = None, found: list[str] | None = None):
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source
        self.found = list(found or [])


class UnknownImportFormat(InvalidValue):
    """A format name the registry does not know (exit 2, HTTP 422... or 404 on the route)."""


__all__ = ["ImportFailed", "NothingToImport", "UnknownImportFormat"]
