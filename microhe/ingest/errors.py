"""Why a batch was refused (nothing was written), one class per reason.

Each is a :class:`LoadError` (callers that refuse or report any failed load catch that)
and one category of :mod:`microhe.errors`, which decides the exit code and HTTP status.
``reason`` is the label machine-readable output gives it (``microhe load --format json``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from microhe.errors import Conflict, Hint, InputError, MicroheError, NotFound, ValidationFailed, neutral

if TYPE_CHECKING:
    from microhe.validation import ValidationReport


class LoadError(MicroheError):
    """A batch was refused; nothing was written. ``source`` names the input at fault,
    ``report`` the validation report (when one was made), ``failures`` every refused
    input of the batch (this one alone, unless several were refused together)."""

    reason = "refused"

    def __init__(self, message: str, *, source: str | None = None, report: ValidationReport | None = None,
                 hint: Hint | None = None, failures: Sequence[LoadError] | None = None):
        super().__init__(message, hint=hint)
        self.source = source
        self.report = report
        self.failures: list[LoadError] = list(failures) if failures else [self]

    def render(self, spell: Callable[[str], str] = neutral) -> str:
        if len(self.failures) > 1:
            return "; ".join(f.render(spell) for f in self.failures)
        return super().render(spell)

    @staticmethod
    def together(failures: Sequence[LoadError]) -> LoadError:
        """One error for several refused inputs: the first one's class, every message."""
        if len(failures) == 1:
            return failures[0]
        first = failures[0]
        return type(first)(first.message, source=first.source, report=first.report, hint=first.hint,
                           failures=failures)


class LoadUsageError(LoadError, InputError):
    """The call was wrong (no input, an unreadable file, two inputs for one graph)."""

    reason = "usage"


class LoadParseError(LoadError, InputError):
    """An input is not RDF (or holds none)."""

    reason = "parse"


class PersonalDataRefused(LoadError, ValidationFailed):
    """An input holds learner data, which microhe never stores."""

    reason = "personal"


class NotConforming(LoadError, ValidationFailed):
    """An input violates the SHACL profiles (``report`` says where)."""

    reason = "invalid"
    report: ValidationReport  # always given: the report is the refusal


class GraphConflict(LoadError, Conflict):
    """The target graph already holds other data."""

    reason = "conflict"


class GraphNotFound(LoadError, NotFound):
    """The graph named is not in the store."""

    reason = "not-found"


__all__ = ["LoadError", "LoadUsageError", "LoadParseError", "PersonalDataRefused", "NotConforming",
           "GraphConflict", "GraphNotFound"]
