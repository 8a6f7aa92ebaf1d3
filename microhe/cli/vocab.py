"""``microhe vocab [NAME]``: the controlled vocabularies a spreadsheet cell may name.

Without NAME, one line per vocabulary (name, size, scheme IRI, the columns that use it);
with NAME, its values: English label, IRI, notation and the aliases (with their language)
that the spreadsheet importer accepts (:mod:`microhe.importers.sheet.controlled`). Framework
levels are not listed here: ``microhe level`` reads them.
"""

from __future__ import annotations

import json

import click

from microhe.cli.common import err


@click.command("vocab")
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def vocab_cmd(name, fmt) -> None:
    """List the bundled controlled vocabularies, or the values of vocabulary NAME (label,
    IRI, aliases in English, German, French, Italian, Dutch and Spanish)."""
    from microhe.importers.sheet.columns import COLUMNS
    from microhe.importers.sheet.controlled import vocabularies

    vocabs = vocabularies()
    used = {v: [c.name for c in COLUMNS if c.vocabulary == v] for v in vocabs}
    if name is None:
        if fmt == "json":
            click.echo(json.dumps([{"name": v.name, "title": v.title, "scheme": v.scheme, "values": len(v.entries),
                                    "columns": used[v.name]} for v in vocabs.values()], indent=2))
            return
        for v in vocabs.values():
            click.echo(f"{v.name:<22} {len(v.entries):>4} values  {v.title} <{v.scheme}>  (column "
                       f"{', '.join(used[v.name]) or '-'})")
        err("microhe vocab NAME lists the values of one; framework levels: microhe level")
        return
    if name not in vocabs:
        from difflib import get_close_matches

        near = get_close_matches(name, list(vocabs), n=3)
        raise click.BadParameter(f"no vocabulary {name!r}" + (f"; closest: {', '.join(near)}" if near else "")
                                 + f"; known: {', '.join(vocabs)}", param_hint="NAME")
    v = vocabs[name]
    if fmt == "json":
        click.echo(json.dumps({"name": v.name, "title": v.title, "scheme": v.scheme, "values": [
            {"label": e.label, "iri": e.iri, "notation": e.notation, "aliases": e.aliases} for e in v.entries]},
            indent=2, ensure_ascii=False))
        return
    click.echo(f"# {v.title} <{v.scheme}>: label | IRI | notation | aliases")
    for e in v.entries:
        click.echo(f"{e.label} | {e.iri} | {e.notation or ''} | {', '.join(e.aliases)}")


COMMANDS = [vocab_cmd]
