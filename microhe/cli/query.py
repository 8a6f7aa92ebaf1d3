"""Query commands: ``queries`` (the named queries) and ``query`` (run one, or a .rq file)."""

from __future__ import annotations

import json

import click

from microhe.cli.common import store_option
from microhe.cli.output import print_result
from microhe.cli.remote import open_for_reading, print_served_result
from microhe.errors import InputError


@click.command("query")
@store_option
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
def query_cmd(store_path, query, params, fmt) -> None:
    """Run a named query (see `microhe queries`) or a .rq file against the store.

    A .rq file is your own text and runs as written on the embedded store (SERVICE and LOAD
    connect from your machine, as your user). A remote store would run them itself, from
    the server, so there a file containing SERVICE or LOAD is refused unless
    MICROHE_ALLOW_SERVICE=true (see README, "No outbound requests")."""
    from microhe.queries.catalogue import resolve

    values = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{p!r}: expected NAME=VALUE", param_hint="--param")
        key = name.lstrip("?")
        if key in values:
            raise click.BadParameter(f"parameter {key!r} given twice", param_hint="--param")
        values[key] = value
    nq = resolve(query)  # QueryError: exit 2
    bindings = nq.bindings(values)
    store, server = open_for_reading(store_path)
    if server is not None:
        print_served_result(server, query, nq, values, bindings, fmt)
        return
    assert store is not None  # open_for_reading: a store, or else a server
    text = nq.text_for(bindings)
    try:
        result = store.query(text, substitutions=bindings)
    except SyntaxError as e:  # one line with line and column, as the server says it
        from microhe.rdf.sparql_errors import syntax_message

        raise InputError(f"{nq.name}: SPARQL syntax error: {syntax_message(e, text)}") from None
    except (OSError, RuntimeError, ValueError) as e:
        # pyoxigraph reports e.g. a parameter missing from the SELECT projection this way.
        raise InputError(f"{nq.name}: query failed: {e}") from None
    print_result(result, fmt)


@click.command("queries")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries_cmd(fmt: str) -> None:
    """List the named queries and their parameters."""
    from microhe.queries.catalogue import catalogue

    cat = catalogue()
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "summary": q.summary, "description": q.description,
                                "class": q.query_class,
                                "params": [{"name": p.name, "type": p.type, "required": p.required,
                                            "default": p.default, "description": p.description}
                                           for p in q.params]} for q in cat.values()], indent=2))
        return
    for q in cat.values():
        click.echo(f"{q.name}: {q.summary}")
        for p in q.params:
            req = "required" if p.required else f"optional{', default ' + p.default if p.default else ''}"
            click.echo(f"    --param {p.name}=<{p.type}>  ({req}) {p.description}")


COMMANDS = [query_cmd, queries_cmd]
