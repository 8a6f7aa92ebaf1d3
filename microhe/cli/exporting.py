"""``microhe export``: specifications of the graph in the format another platform reads
(Europass ELM, Open Badges 3.0, CTDL, schema.org), with what the format cannot hold.

The document goes to stdout (or ``--out FILE``); the loss report, one ``lost:`` line per
field left behind, to stderr (``--report json``: the document(s) and the report as one JSON
object on stdout instead). Exit codes as everywhere: 0 done, 2 a wrong call (unknown
format, a value that is not an IRI, too many IRIs, an IRI the graph does not hold or that
is not a specification).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from microhe.cli.common import err, open_store, store_option

#: The registry's formats (microhe.exporters.registry.FORMATS; a test keeps them equal),
#: spelt here so that `microhe --help` does not import the exporters.
FORMAT_CHOICES = ("elm", "ob3", "ctdl", "schemaorg")


@click.command("export")
@store_option
@click.argument("target", metavar="FORMAT", type=click.Choice(FORMAT_CHOICES))
@click.argument("iris", metavar="IRI...", nargs=-1, required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the document here instead of stdout.")
@click.option("--report", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the loss report on stderr; json: documents and loss report as one JSON object.")
def export_cmd(store_path, target, iris, out, report) -> None:
    """Write the specifications IRI... as FORMAT: elm (Europass ELM v3 JSON-LD), ob3 (an
    unsigned Open Badges 3.0 AchievementCredential), ctdl (CTDL JSON-LD for the Credential
    Registry) or schemaorg (EducationalOccupationalCredential JSON-LD). Several IRIs give a
    JSON array of documents. Every field the format cannot hold is reported as lost."""
    from microhe.exporters.registry import check_iris, export

    check_iris(list(iris))  # before the store is opened: a wrong call costs nothing
    store, _ = open_store(store_path, writes=False, initialise_if_empty=False,
                          http="GET /api/export/{format}?iri=IRI")
    try:
        result = export(store, target, list(iris))
    finally:
        close = getattr(store, "close", None)
        if close:
            close()
    body = (json.dumps(result.report(), indent=2, ensure_ascii=False) + "\n").encode("utf-8") \
        if report == "json" else result.body()
    if out is not None:
        out.write_bytes(body)
        err(f"wrote {len(result.documents)} {target} document(s) to {out}")
    else:
        sys.stdout.buffer.write(body)
    if report == "text":
        for lost in result.lost:
            err(f"<{lost.iri}> {lost}")
        if not result.lost:
            err(f"nothing lost: {target} holds every field of the specification(s)")


COMMANDS = [export_cmd]
