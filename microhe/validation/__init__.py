"""SHACL validation: one entry point, :func:`validate`, for every caller (``microhe
validate``, ``microhe load``, the Graph Store, SPARQL Update, notebooks), so the same
input gives the same report everywhere.

A validation sees the input plus the bundled reference data (frameworks and their EQF
referencing, credit systems, vocabularies, institutions: ``microhe/kg/reference/``) and
nothing else. Warnings and infos never make a report fail.

Two engines give the same results: the compiled engine (``validation.compiled``: the
profiles' shapes as SPARQL on a pyoxigraph staging store, 10x faster) wherever it is
proven equal to pyshacl (tests/validation/test_fastvalidate.py: every profile, the fixtures,
the demo data, the official sample, a mutated corpus), and pyshacl
(``validation.reference``) as the fallback: for a profile the compiler does not cover
(UnsupportedShape) and for input whose literals the store would merge (NonCanonicalInput).

Every report says how many nodes of the input each profile checked (``report.checked``);
input with triples of which no profile targets any node does not conform
(``report.nothing_checked``: "0 micro-credentials found: nothing was checked"). Empty
input conforms vacuously.

>>> report = validate([])
>>> report.conforms, report.results, report.profiles
(True, [], ('council-2022', 'consistency'))
"""

from __future__ import annotations

from collections.abc import Iterable

from microhe.settings import DEFAULT_PROFILES
from microhe.validation.profiles import SHAPES_BASE, UnknownProfileError, available_profiles, reference_graph
from microhe.validation.report import ValidationReport, ValidationResult, sort_key

__all__ = [
    "DEFAULT_PROFILES",
    "ENGINES",
    "SHAPES_BASE",
    "UnknownProfileError",
    "ValidationReport",
    "ValidationResult",
    "available_profiles",
    "reference_graph",
    "validate",
]

#: ``auto``: compiled where it compiles, pyshacl for the rest; ``compiled``: refuse
#: (UnsupportedShape, NonCanonicalInput) rather than fall back; ``pyshacl``: the reference.
ENGINES = ("auto", "compiled", "pyshacl")


def validate(data, profiles: str | Iterable[str] = DEFAULT_PROFILES, *, engine: str = "auto") -> ValidationReport:
    """Validate ``data`` against ``profiles`` (a name or names from available_profiles();
    UnknownProfileError otherwise), with the reference data mixed in.

    ``data``: pyoxigraph quads or triples (the union of their triples is validated; graph
    names do not matter), or an rdflib Graph (a Dataset or ConjunctiveGraph: the union of
    its graphs). Nothing is modified."""
    from microhe.validation.profiles import resolve

    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    chosen = resolve(profiles)
    rdflib_input = _is_rdflib(data)
    if not rdflib_input:
        data = data if isinstance(data, list) else list(data)
    quads = _quads(data) if rdflib_input else data
    if engine == "pyshacl":
        return _report(_pyshacl(data, chosen, rdflib_input), chosen, quads)

    from microhe.validation import compiled as fv

    checks, fallback = [], []
    for name in chosen:
        try:
            checks.extend(fv.compile_shapes(name).checks)
        except fv.UnsupportedShape:
            if engine == "compiled":
                raise
            fallback.append(name)
    results: list[ValidationResult] = []
    staged = None
    if checks:
        try:
            store, changed = fv.staging_store(quads)
            staged = (store, changed)
            # all profiles' checks in one run, so they share the worker threads
            results.extend(fv.run_compiled(store, changed, fv.CompiledProfile(checks)))
        except fv.NonCanonicalInput:
            if engine == "compiled":
                raise
            return _report(_pyshacl(data, chosen, rdflib_input), chosen, quads)
    if fallback:
        results.extend(_pyshacl(data, tuple(fallback), rdflib_input))
    results.sort(key=sort_key)
    return _report(results, chosen, quads, staged)


def _report(results: list[ValidationResult], chosen: tuple[str, ...], quads, staged=None) -> ValidationReport:
    """The report, with the focus nodes each profile checked (on the compiled engine's
    staging store when there is one) and, when none at all, the classes found."""
    from microhe.validation.checked import focus_counts, target_store
    from microhe.validation.found import classes_of, holds_specification

    if not quads:  # empty input: nothing to check, vacuously conforming
        return ValidationReport(results, chosen, {p: 0 for p in chosen})
    store, changed = staged if staged is not None else (target_store(quads), None)
    checked = focus_counts(store, quads, chosen, changed)
    # nothing was checked and nothing a profile could have checked is there: not "conforms".
    # A specification the chosen profiles do not target was found all the same (the steward
    # chose those profiles; search and pages flag the Council elements it lacks).
    nothing = all(n == 0 for n in checked.values()) and not holds_specification(quads)
    return ValidationReport(results, chosen, checked, nothing, classes_of(quads) if nothing else [])


def _is_rdflib(data) -> bool:
    module = type(data).__module__
    return module.startswith("rdflib.")


def _quads(graph) -> list:
    """The triples of an rdflib graph (of every graph of a Dataset) as pyoxigraph quads."""
    import rdflib

    from microhe.rdf.terms import graph_to_quads

    if isinstance(graph, rdflib.Dataset):
        return [q for g in graph.graphs() for q in graph_to_quads(g)]
    if isinstance(graph, rdflib.ConjunctiveGraph):
        return [q for g in graph.contexts() for q in graph_to_quads(g)]
    return graph_to_quads(graph)


def _pyshacl(data, profiles: tuple[str, ...], rdflib_input: bool) -> list[ValidationResult]:
    from microhe.validation.reference import validate_graph

    if not rdflib_input:
        from microhe.rdf.terms import quads_to_graph

        data = quads_to_graph(data)
    return validate_graph(data, profiles)
