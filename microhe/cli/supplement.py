"""``microhe supplement``: the credit supplement of a specification as a file, and the
verification of one.

* ``microhe supplement IRI --format html|pdf|jsonld --out FILE [--lang en|de|fr]``: the
  same supplement as ``GET <credential page>/supplement`` (:mod:`microhe.publish.supplement`);
  the HTML file carries its stylesheet, so it prints the same anywhere;
* ``microhe supplement --verify FILE``: recompute the SHA-256 of the data from the store
  and compare the file with the supplement the graph gives now
  (:mod:`microhe.publish.supplement_verify`); exit 0 when it holds, 1 when it does not
  (the graph changed, or the file was edited), 2 when FILE is no supplement.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from microhe.cli.common import EXIT_REFUSED, err, open_store, store_option


@click.command("supplement")
@store_option
@click.argument("iri", required=False)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "jsonld"]), default="html", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the supplement here (default: stdout; a PDF needs --out or a redirected stdout).")
@click.option("--lang", type=click.Choice(["en", "de", "fr"]), default="en", show_default=True,
              help="Language of the supplement (English beside it when another).")
@click.option("--verify", "verify_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check a supplement file against the store instead of writing one.")
def supplement_cmd(store_path, iri, fmt, out, lang, verify_file) -> None:
    """The MicroHE credit supplement of the specification IRI (Diploma Supplement
    numbering 1-8), or with --verify FILE whether a supplement still matches the graph."""
    from microhe.publish.supplement import build_supplement
    from microhe.publish.supplement_verify import render, verify
    from microhe.recognition.decisions import list_decisions

    if verify_file is not None:
        if iri:
            raise click.UsageError("give either IRI (to write a supplement) or --verify FILE, not both")
        store, settings = open_store(store_path, writes=False)
        result = verify(store, verify_file.read_bytes(), decisions_of=lambda i: list_decisions(store, credential=i),
                        base=settings.base)
        for note in result.notes:
            err(f"note: {note}")
        if result.ok:
            click.echo(f"ok: {verify_file} ({result.format}) matches the graph: <{result.iri}>, generated "
                       f"{result.generated}, SHA-256 {result.digest}")
            return
        for problem in result.problems:
            err(f"refused: {problem}")
        sys.exit(EXIT_REFUSED)
    if not iri:
        raise click.UsageError("give the IRI of a specification (or --verify FILE)")
    if fmt == "pdf" and out is None and sys.stdout.isatty():
        raise click.UsageError("a PDF is not written to a terminal: give --out FILE or redirect stdout")
    store, settings = open_store(store_path, writes=False, http="GET <credential page>/supplement")
    s = build_supplement(store, iri, lang=lang, base=settings.base, decisions=list_decisions(store, credential=iri))
    data = render(s, fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(data)
        err(f"wrote {out} ({fmt}, {len(data)} bytes): SHA-256 of the data {s.certification.digest}")


COMMANDS = [supplement_cmd]

__all__ = ["COMMANDS", "supplement_cmd"]
