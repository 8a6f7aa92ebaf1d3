"""``microhe import``: what real platforms publish (Europass EDC, Open Badges 3.0, CTDL) and
the steward's spreadsheet (``csv``: CSV or XLSX), converted to the project's ELM model,
shown, stored or compared with what is stored; ``microhe import csv --template FILE``
writes the spreadsheet template.

The conversion is :mod:`microhe.importers`; storing is the validated, all-or-nothing
``load`` (:mod:`microhe.importers.service`). Exit codes as everywhere: 0 done, 1 refused
(violations: nothing stored), 2 unreadable input, a format that does not fit, nothing to
import.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from microhe.cli.common import context_dir_option, contexts_for, err, fail, is_iri, open_store, spell_option, store_option
from microhe.cli.data import _profiles as chosen_profiles
from microhe.cli.data import base_option, profile_option
from microhe.rdf import formats

FORMAT_CHOICES = ("edc", "ob3", "ctdl", "csv", "auto")
RDF_SUFFIXES = {".ttl": formats.TURTLE, ".nt": formats.N_TRIPLES, ".nq": formats.N_QUADS,
                ".jsonld": formats.JSON_LD, ".json": formats.JSON_LD}


@click.command("import")
@store_option
@click.argument("source_format", metavar="FORMAT", type=click.Choice(FORMAT_CHOICES))
@click.argument("files", nargs=-1, required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--load", "do_load", is_flag=True, help="Store the converted specifications (validated, all or nothing).")
@click.option("--dry-run", is_flag=True, help="Show what --load would change in the graph of each file; store nothing.")
@click.option("--graph", default=None, metavar="IRI", help="Target graph IRI (one file only).")
@click.option("--replace", is_flag=True, help="With --load: swap the content of a graph that holds other data.")
@profile_option
@base_option
@context_dir_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the converted RDF here (.ttl, .nt, .nq, .jsonld); default: Turtle on stdout "
                   "in text mode without --load/--dry-run.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--sheet", default=None, metavar="NAME", help="csv, XLSX: the sheet to read (default: the first visible one).")
@click.option("--encoding", default=None, metavar="ENC", help="csv, CSV: the text encoding (default UTF-8; a BOM is "
              "tolerated), e.g. cp1252.")
@click.option("--template", "template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE.xlsx|FILE.csv", help="csv: write the blank spreadsheet template (the documented columns, "
              "one example row; XLSX: drop-downs and a sheet of allowed values) and exit.")
def import_cmd(store_path, source_format, files, do_load, dry_run, graph, replace, profiles, base, context_dir, output,
               fmt, sheet, encoding, template) -> None:
    """Convert FILES published as FORMAT (edc, ob3, ctdl, or auto: told from the content)
    into the ELM model: the specification(s) each holds, never the learner.

    Without --load the converted RDF and a report (what was converted by which rule, what
    was dropped or lost, the seal status) are shown. With --load each file goes into its own
    graph (<base>graph/<file name>, or --graph) through the validated, all-or-nothing load,
    with provenance (source SHA-256, format, converter version, seal status); importing the
    same file again changes nothing, and `microhe drop GRAPH` withdraws it. --dry-run shows
    what --load would add and remove in the graph already loaded from that file.

    csv: one row per specification (columns: `microhe import csv --template FILE.xlsx`;
    controlled values: `microhe vocab`). Any rejected cell refuses the file with its row and
    column; a re-import of the same file replaces its graph."""
    from microhe.importers.registry import import_document
    from microhe.importers.service import dry_run as compare
    from microhe.importers.service import read_file, serialise, store_conversions
    from microhe.ingest.errors import LoadError, NotConforming
    from microhe.settings import get_settings

    if template is not None:
        _write_template(source_format, template, files)
        return
    if not files:
        raise click.UsageError("give the FILES to import (or, with csv, --template FILE)")
    if (sheet is not None or encoding is not None) and source_format not in ("csv", "auto"):
        raise click.UsageError("--sheet and --encoding are options of the csv format")
    if do_load and dry_run:
        raise click.UsageError("give --load or --dry-run, not both")
    if graph is not None and not is_iri(graph):
        raise click.BadParameter(f"{graph!r} is not an absolute IRI", param_hint="--graph")
    if graph is not None and len(files) > 1:
        raise click.UsageError("--graph takes one file")
    chosen = chosen_profiles(profiles)
    settings = get_settings()
    base_iri = base or settings.base
    contexts = contexts_for(context_dir)
    convs = [import_document(source_format, read_file(p), str(p), base=base_iri, sheet=sheet, encoding=encoding,
                             contexts=contexts) for p in files]
    report = {"files": [c.to_json() for c in convs]}

    if output is not None:
        media = RDF_SUFFIXES.get(output.suffix.lower())
        if media is None:
            raise click.BadParameter(f"{output.suffix or 'no suffix'}: give .ttl, .nt, .nq or .jsonld",
                                     param_hint="--output")
        output.write_bytes(b"".join(serialise(c, media) for c in convs) if media != formats.TURTLE or len(convs) == 1
                           else serialise(_merged(convs), media))

    if dry_run or do_load:
        store, settings = open_store(store_path, http="POST /api/import/{format}?load=true with the file as the body")
        if dry_run:
            report["dry_run"] = [compare(store, c, graph=graph, base=base_iri) for c in convs]
        else:
            try:
                outcomes = store_conversions(store, convs, graph=graph, profiles=chosen, replace=replace,
                                             base=base_iri, agent="microhe-cli import")
            except LoadError as e:
                if isinstance(e, NotConforming):
                    by_source = {c.source: c for c in convs}
                    sources = {f.source: by_source.get(f.source or "") for f in e.failures}
                    if fmt == "json":
                        click.echo(json.dumps({**report, "loaded": False, "reason": e.reason, "failures": [
                            {"source": f.source, **f.report.to_json(),
                             **_located(sources[f.source], f.report)}
                            for f in e.failures if f.report is not None]}, indent=2))
                    else:
                        for f in e.failures:
                            click.echo(f"== {f.source}")
                            conv = sources[f.source]
                            if conv is not None and conv.locator is not None and f.report is not None:
                                for v in conv.locate(f.report.results):
                                    click.echo(f"{v['where']}: {v['severity']}: {v['message']}")
                            else:
                                click.echo(f.report.to_text() if f.report is not None else f.render(spell_option))
                fail(e, prefix="nothing imported: ")
            report["loaded"] = [o.to_json() for o in outcomes]
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        _text(convs, report)
        if not (dry_run or do_load) and output is None:
            sys.stdout.buffer.write(serialise(_merged(convs), formats.TURTLE))


def _write_template(source_format: str, path: Path, files) -> None:
    from microhe.importers.sheet.template import template

    if source_format != "csv":
        raise click.UsageError("--template belongs to the csv format: microhe import csv --template FILE.xlsx")
    if files:
        raise click.UsageError("--template writes a file; give no FILES with it")
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter(f"{path.suffix or 'no suffix'}: the template is FILE.xlsx or FILE.csv",
                                 param_hint="--template")
    try:
        path.write_bytes(template(path.suffix))
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror or e}") from None
    err(f"wrote {path}: fill one row per specification (the example row imports as it is), then "
        f"microhe import csv {path.name} --load")


def _located(conv, report) -> dict:
    """Spreadsheets: the violations placed at their row and column."""
    if conv is None or conv.locator is None:
        return {}
    return {"located": conv.locate(report.results)}


def _merged(convs):
    from microhe.importers.result import Conversion

    if len(convs) == 1:
        return convs[0]
    return Conversion("mixed", "", "", sorted({q for c in convs for q in c.quads}, key=str))


def _text(convs, report) -> None:
    for c in convs:
        err(f"== {c.source}: {c.format}, {len(c.quads)} triples" + (f", {len(c.rows)} row(s)" if c.rows is not None
                                                                     else f", seal: {c.signature}"))
        for f in c.facts():
            title = (f["title"] or ["(no title)"])[0]
            err(f"  specification <{f['iri']}> {title!r}")
            err(f"    issuer {', '.join(f['issuer']) or '-'}; country {', '.join(f['country']) or '-'}; "
                f"EQF {', '.join(map(str, f['eqf'])) or '-'}; ECTS {', '.join(f['ects']) or '-'}; "
                f"hours {', '.join(f['hours']) or '-'}; outcomes {len(f['outcomes'])}")
        for n in c.notes:
            err(f"  {n}")
        for r in c.rows or []:
            changed = [f for f in r["fields"] if f["kind"] != "mapped"]
            err(f"  row {r['row']} ({r['id']}): {r['status']}" + (":" if changed else ""))
            for f in changed:
                err(f"    {f['column']}: {f['kind']} {f['value']!r}" + (f" ({f['rule']})" if f["rule"] else ""))
    for d in report.get("dry_run", []):
        err(f"{d['source']}: {d['status']} <{d['graph']}>: +{d['add']} -{d['remove']} ={d['keep']} triples")
        for line in d["added"][:20]:
            err(f"  + {line}")
        for line in d["removed"][:20]:
            err(f"  - {line}")
    for o in report.get("loaded", []):
        msg = ("already imported (same content), nothing changed" if o["status"] == "unchanged"
               else f"{o['status']} {o['triples']} triples")
        err(f"{o['source']}: {msg} -> <{o['graph']}>")


COMMANDS = [import_cmd]
