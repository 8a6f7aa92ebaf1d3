"""The two sides of a comparison, from what a caller has: one rule for CLI and API.

A side is a specification in the store (its IRI), a document (an ELM/RDF file or
upload: parsed, stripped of learner data, validated, never stored) or, for a target,
a set of requirements (EQF level, ECTS, outcomes...). ``microhe compare``/``stack``
and ``POST /api/recognition/compare`` both call :func:`resolve_side`; the CLI's
argument (a path or an IRI) goes through :func:`side_of_argument` first; both compare
the two sides with :func:`compare_sides`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from microhe.errors import InvalidValue
from microhe.ingest.load import Source, stage
from microhe.rdf.iri import InvalidIRI, is_absolute_iri
from microhe.recognition.compare import Rules, compare, target_from_requirements
from microhe.recognition.facts import Facts, facts_from_document, read_facts
from microhe.recognition.models import Comparison, ValidationSummary
from microhe.store.embedded import Store

if TYPE_CHECKING:
    from microhe.validation import ValidationReport

#: What each role may be given besides an IRI (as the API's request fields name them).
_ALTERNATIVE = {"credential": "document", "target": "requirements"}


@dataclass
class Side:
    """One side of a comparison: its facts and, for a document, its validation report."""

    facts: Facts
    report: ValidationReport | None = None

    def validation(self) -> ValidationSummary | None:
        """The summary a comparison carries of a document side's validation."""
        if self.report is None:
            return None
        return ValidationSummary(conforms=self.report.conforms, violations=len(self.report.violations),
                                 warnings=len(self.report.warnings))


def compare_sides(store: Store, credential: Side, target: Side, rules: Rules | None = None,
                  langs: tuple[str, ...] = ()) -> Comparison:
    """:func:`~microhe.recognition.compare.compare` of two sides, with the validation
    summary of each side that is a document (``credential_validation``, ``target_validation``):
    the comparison ``microhe compare`` prints and ``POST /api/recognition/compare`` sends
    (default rules without ``rules``; labels in ``langs``)."""
    comparison = compare(store, credential.facts, target.facts, rules or Rules(), langs)
    comparison.credential_validation = credential.validation()
    comparison.target_validation = target.validation()
    return comparison


def resolve_side(store: Store, role: str, *, iri: str | None = None, document: Source | None = None,
                 requirements: dict[str, Any] | None = None, base_iri: str | None = None,
                 document_name: str | None = None, contexts: Mapping[str, Any] | None = None) -> Side:
    """The ``role`` side ("credential" or "target") from exactly one of an ``iri`` in the
    store, a ``document`` (validated against the default profiles, learner data
    stripped, not stored; relative IRIs against ``base_iri``; JSON-LD contexts bundled or
    from ``contexts``, the operator's context directory; the facts name it
    ``document_name``, default its file name) or, for a target, ``requirements``. Raises
    InvalidValue (none or several given, a bad IRI or requirement), NotFoundError (no such
    specification), LoadError (an unreadable document)."""
    given = [x for x in (iri, document, requirements) if x is not None]
    if len(given) != 1:
        raise InvalidValue(f"give exactly one of {role} (an IRI) or {_ALTERNATIVE.get(role, 'document')}")
    if requirements is not None:
        if role != "target":
            raise InvalidValue(f"requirements describe a target, not a {role}")
        return Side(target_from_requirements(requirements))
    if document is not None:
        quads, _, report = stage(document, strip_personal=True, base_iri=base_iri, contexts=contexts)
        name = document_name or Path(document.name).name
        return Side(facts_from_document(store, quads, name), report)
    assert iri is not None  # the one given
    try:
        return Side(read_facts(store, iri))
    except InvalidIRI as e:
        raise InvalidIRI(f"{role}: {e}") from None


def side_of_argument(store: Store, value: str, role: str, *, base_iri: str | None = None,
                     contexts: Mapping[str, Any] | None = None) -> Side:
    """The side a command-line argument names: a file (an RDF document or, for a target,
    a ``.json`` file of requirements) when one exists at that path, else an IRI."""
    path = Path(value)
    if path.is_file():
        if role == "target" and path.suffix == ".json":
            try:
                requirements = json.loads(path.read_text(encoding="utf-8"))
                return resolve_side(store, role, requirements=requirements)
            except (ValueError, UnicodeDecodeError, OSError) as e:  # a RequirementsError is a ValueError
                raise InvalidValue(f"{path}: {e}") from None
        return resolve_side(store, role, document=Source.from_path(path), base_iri=base_iri, contexts=contexts)
    if not is_absolute_iri(value):
        raise InvalidValue(f"{value!r} is neither a file nor an absolute IRI")
    return resolve_side(store, role, iri=value)


__all__ = ["Side", "resolve_side", "side_of_argument", "compare_sides"]
