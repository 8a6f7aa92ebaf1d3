"""Running a compiled profile on a staging store: the checks on worker threads, each row
turned into the ValidationResult pyshacl would report (messages included)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
from rdflib import Literal

from microhe.rdf.terms import to_rdflib
from microhe.validation.compiled.form import (
    _DURATIONS,
    _LEX_FN,
    _STRDT_FN,
    CompiledProfile,
    _Check,
    _str,
    lenient_duration,
)
from microhe.validation.report import ValidationResult


def run_compiled(store: ox.Store, changed: dict, compiled: CompiledProfile, *, workers: int | None = None):
    """The ValidationResults of ``compiled`` on ``store`` (in check order, unsorted).

    The checks run on ``workers`` threads (default: one per core, at most 4): pyoxigraph
    evaluates a query without holding the GIL, so the checks of a large input share the
    cores; results are assembled in check order, whatever finished first."""
    def original(t):
        return changed.get(t, t) if type(t) is ox.Literal else t

    def lexical(t):
        if type(t) is ox.Literal:
            return ox.Literal(changed.get(t, t).value)
        if type(t) is ox.NamedNode:
            return ox.Literal(t.value)
        return None

    def strdt(lex, dt):
        if type(lex) is not ox.Literal or type(dt) is not ox.NamedNode:
            return None
        if dt.value in _DURATIONS:
            fixed = lenient_duration(lex.value)
            if fixed is not None:
                return ox.Literal(fixed, datatype=dt)
        return ox.Literal(lex.value, datatype=dt)

    Function = Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]
    functions: dict[ox.NamedNode, Function] = {_LEX_FN: lexical, _STRDT_FN: strdt}

    def rows(check: _Check) -> list:
        solutions = store.query(check.query, prefixes=check.prefixes, custom_functions=functions)
        assert isinstance(solutions, ox.QuerySolutions), "every compiled check is a SELECT"
        return list(solutions)

    checks = compiled.checks
    workers = workers or min(4, os.cpu_count() or 1)
    if workers > 1 and len(checks) > 1:
        with ThreadPoolExecutor(workers) as pool:
            answered = list(pool.map(rows, checks))
    else:
        answered = [rows(c) for c in checks]
    results = []
    for check, check_rows in zip(checks, answered, strict=False):
        for row in check_rows:
            focus = to_rdflib(original(row["this"]))
            value = None
            if check.has_value:
                v = row["value"]
                value = None if v is None else to_rdflib(original(v))
            elif check.sparql and check.path is None:
                value = focus  # SHACL 5.3.2: no ?value on a node shape -> the value is the focus node
            message = _message(check, row, focus, value, original)
            results.append(ValidationResult(
                focus_node=_str(focus), path=check.path, message=message, severity=check.severity,
                shape=check.shape, constraint=check.component, value=None if value is None else _str(value),
                _value_term=value))
    return results


def _message(check: _Check, row, focus, value, original) -> str:
    msgs = check.messages
    if not msgs:
        return f"{check.component.rsplit('#', 1)[-1]} violated by {_str(focus)}" + (
            f" (value {_str(value)})" if value is not None else "")
    chosen = next((m for m in msgs if isinstance(m, Literal) and m.language in (None, "en")), msgs[0])
    text = str(chosen)
    if check.sparql:
        # pyshacl's order: the row's other variables, then this and value
        fdict = {}
        for name in check.row_vars:
            if name in ("this", "value"):
                continue
            t = row[name]
            if t is not None:
                fdict[name] = to_rdflib(t)  # computed values: the store's canonical form
        if check.this_projected:
            fdict["this"] = focus
        if value is not None:
            fdict["value"] = value
        for var, val in fdict.items():
            text = re.sub(f"{{[?$]{var}}}", str(val), text)
    return text
