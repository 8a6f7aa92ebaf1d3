"""How query results are printed: the same for an in-process result and a server's."""

from __future__ import annotations

import json
import sys

import click
import pyoxigraph as ox

from microhe.cli.common import err
from microhe.rdf import formats


def print_result(result, fmt: str) -> None:
    """A pyoxigraph query result on stdout: a table (row count on stderr), CSV, TSV or
    SPARQL JSON; a boolean as true/false; triples as N-Triples."""
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryBoolean):
        if fmt == "json":
            out.write(json.dumps({"head": {}, "boolean": bool(result)}).encode() + b"\n")
        else:
            click.echo("true" if result else "false")
        return
    if isinstance(result, ox.QueryTriples):
        out.write(formats.in_memory(result.serialize(format=ox.RdfFormat.N_TRIPLES)))
        return
    if fmt in ("csv", "tsv", "json"):
        rf = formats.format_of(formats.RESULTS_NAMES[fmt])
        out.write(formats.in_memory(result.serialize(format=rf)))
        if fmt == "json":
            out.write(b"\n")
        return
    variables = [v.value for v in result.variables]
    rows = [[cell(sol[v]) for v in variables] for sol in result]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    click.echo("  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=False)))
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)))
    err(f"{len(rows)} row(s)")


def cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return term.value if isinstance(term, ox.NamedNode) else str(term)


__all__ = ["print_result", "cell"]
