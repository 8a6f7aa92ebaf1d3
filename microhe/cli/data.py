"""Data commands: init, validate, load, graphs, drop, dump, restore, restore-checkpoint.

Validation (rdflib, pyshacl) is imported by the commands that validate, when they run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
import pyoxigraph as ox

from microhe.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    context_dir_option,
    contexts_for,
    err,
    fail,
    is_iri,
    locked_message,
    open_store,
    server_of,
    settings_for,
    spell_option,
    store_option,
)
from microhe.cli.progress import ProgressLine
from microhe.cli.remote import ask, open_for_reading, served_dump
from microhe.errors import Conflict, Hint, InputError
from microhe.settings import get_settings


def _profiles(values: tuple[str, ...]) -> tuple[str, ...]:
    from microhe.settings import DEFAULT_PROFILES
    from microhe.validation.profiles import available_profiles

    profiles = tuple(values) or DEFAULT_PROFILES
    known = available_profiles()
    bad = [p for p in profiles if p not in known]
    if bad:
        raise click.BadParameter(f"unknown profile(s) {', '.join(bad)}; available: {', '.join(known)}",
                                 param_hint="--profile")
    return profiles


profile_option = click.option(
    "--profile", "profiles", multiple=True, metavar="NAME",
    help="SHACL profile (repeatable; default: council-2022 and consistency).",
)


def _check_base(ctx, param, value: str | None) -> str | None:
    if value is not None and not is_iri(value):
        raise click.BadParameter(f"{value!r} is not an absolute IRI", ctx=ctx, param=param)
    return value


base_option = click.option(
    "--base", default=None, metavar="IRI", callback=_check_base,
    help="Base IRI that relative IRIs in the files resolve against (default: $MICROHE_BASE, else "
         "http://127.0.0.1:8000/); validate and load resolve them alike.",
)


@click.command("init")
@store_option
@click.option("--demo", is_flag=True, help="Also add the demo credentials (labelled demo data).")
def init_cmd(store_path: Path | None, demo: bool) -> None:
    """Create the store (if needed) and bring the reference graphs up to date."""
    from microhe.ingest.load import initialise

    store, settings = open_store(store_path, initialise_if_empty=False)
    outcomes = initialise(store, demo=demo)
    for o in outcomes:
        err(f"{o.status:9} {o.triples:7} triples  <{o.graph}>")
    err(f"store ready at {settings.store}")


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@profile_option
@base_option
@context_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
def validate_cmd(files: tuple[Path, ...], profiles: tuple[str, ...], base: str | None, context_dir: Path | None,
                 fmt: str) -> None:
    """Validate RDF files against SHACL profiles (with the bundled reference data).

    Relative IRIs resolve against --base as in `load`, so both see the same IRIs.
    The report says how many nodes each profile checked, and which JSON-LD keys the
    file's @context does not map (dropped: not in the data).
    Exit 0 when every file conforms (warnings allowed), 1 on violations or when no
    profile targets any node of a file ("0 micro-credentials found: nothing was
    checked"), 2 when a file cannot be read or parsed."""
    from microhe.ingest.load import Source, with_reading
    from microhe.ingest.personal import STRIP_PERSONAL, find_personal_data
    from microhe.rdf.parse import read
    from microhe.validation import validate

    chosen = _profiles(profiles)
    base_iri = base or get_settings().base
    contexts = contexts_for(context_dir)
    reports = []
    for path in files:
        src = Source.from_path(path)
        parsed = read(src.data, name=src.name, base_iri=base_iri, contexts=contexts)
        quads = parsed.quads
        if find_personal_data(quads):
            err(f"note: {path} holds learner data; it is validated here but `load` refuses it "
                f"without --{STRIP_PERSONAL}")
        reports.append((str(path), with_reading(validate(quads, profiles=chosen), parsed)))
    conforms = all(r.conforms for _, r in reports)
    if fmt == "json":
        doc = {"conforms": conforms, "profiles": list(chosen),
               "files": [{"source": s, **r.to_json()} for s, r in reports]}
        click.echo(json.dumps(doc, indent=2))
    elif fmt == "turtle":
        for _, r in reports:
            click.echo(r.to_turtle())
    else:
        for s, r in reports:
            click.echo(f"== {s}")
            click.echo(r.to_text())
    sys.exit(EXIT_OK if conforms else EXIT_REFUSED)


@click.command("load")
@store_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--graph", default=None, metavar="IRI", help="Target graph IRI (one file only).")
@profile_option
@click.option("--replace", is_flag=True, help="Swap the content of graphs that already hold data.")
@click.option("--strip-personal-data", "strip", is_flag=True,
              help="Remove learner data (the learner of an award, any person record; see README) "
                   "and load the rest; the learners removed are reported.")
@click.option("--bulk", is_flag=True,
              help="After validation, write with the bulk loader: much faster for millions of triples, "
                   "but not one transaction: a checkpoint is taken first and an interrupted write is "
                   "rolled back to it when the store is next opened (or by `microhe restore-checkpoint`).")
@base_option
@context_dir_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress line on stderr (phase, triples/s, time left).")
def load_cmd(store_path, files, graph, profiles, replace, strip, bulk, base, context_dir, fmt, quiet) -> None:
    """Validate FILES and load each into its own named graph, all or nothing.

    Relative IRIs resolve against --base (default: the instance base), as in `validate`;
    a file's graph, unless --graph names it, is <base>graph/<file name>.

    Nothing is written unless every file conforms. With --bulk the validated files are
    written by pyoxigraph's bulk loader instead of one transaction (use it for initial
    loads of large files), and the store is compacted afterwards. Before the bulk write
    the store is checkpointed beside itself (hard links, `<store>.checkpoint`); if the
    write is interrupted (killed, power cut), the next command that opens the store rolls
    it back to that checkpoint exactly (or run `microhe restore-checkpoint`).

    Files of MICROHE_STREAM_BYTES or more (default 32 MiB; N-Triples, N-Quads, Turtle,
    TriG) are read, validated and written in chunks, in bounded memory: the same
    validation, and the write, then not one transaction, is checkpointed the same way
    (all or nothing after a crash). A long load shows its phase (parse, validate, write,
    index), its rate and the time left on stderr; --quiet silences that."""
    from microhe.ingest.errors import LoadError, NotConforming
    from microhe.ingest.load import Source, load

    chosen = _profiles(profiles)
    if graph is not None and not is_iri(graph):
        raise click.BadParameter(f"{graph!r} is not an absolute IRI", param_hint="--graph")
    contexts = contexts_for(context_dir)
    store, settings = open_store(store_path, http="PUT /rdf-graphs?graph=IRI (replace a graph) or POST "
                                 "/rdf-graphs?graph=IRI (merge into it), with the file as the body")
    sources = [Source.from_path(p, settings.max_body_bytes * 64, on_disk_from=settings.stream_bytes)
               for p in files]
    started = time.monotonic()
    bar = ProgressLine(quiet=quiet, interval=settings.progress_interval)
    try:
        try:
            outcomes = load(store, sources, graph=graph, profiles=chosen, replace=replace,
                            strip_personal=strip, base=base or settings.base, agent="microhe-cli",
                            meter=bar, bulk=bulk, contexts=contexts, chunk=settings.load_chunk)
        except BaseException:
            bar.close()  # (its heartbeat thread) before any message
            raise
    except LoadError as e:
        bar.close()
        if isinstance(e, NotConforming):
            if fmt == "json":
                click.echo(json.dumps({"loaded": False, "reason": e.reason,
                                       "files": [{"source": f.source, **f.report.to_json()}
                                                 for f in e.failures if f.report is not None]}, indent=2))
            else:
                for f in e.failures:
                    click.echo(f"== {f.source}")
                    click.echo(f.report.to_text() if f.report is not None else f.render(spell_option))
        elif fmt == "json":
            click.echo(json.dumps({"loaded": False, "reason": e.reason, "message": e.render(spell_option)},
                                  indent=2))
        fail(e, prefix="nothing loaded: ")
    try:
        if bulk:
            # the bulk writer leaves overlapping files: compact once (queries 1.5-3x faster after)
            bar.phase("index")
            store.optimize()
    finally:
        bar.close()
    elapsed = time.monotonic() - started
    if fmt == "json":
        click.echo(json.dumps({"loaded": True, "seconds": round(elapsed, 3),
                               "files": [o.to_json() for o in outcomes]}, indent=2))
    for o in outcomes:
        extra = f", {o.stripped} personal quads stripped" if o.stripped else ""
        if o.personal:
            extra += f" (learners: {o.personal.summary()})"
        warn = f", {len(o.report.warnings)} warning(s)" if o.report and o.report.warnings else ""
        msg = ("already loaded (same SHA-256), nothing changed" if o.status == "unchanged"
               else f"{o.status} {o.triples} triples{extra}{warn}")
        err(f"{o.source}: {msg} -> <{o.graph}>")
        if o.dropped:
            err(f"  {len(o.dropped)} JSON-LD key(s) dropped (not in the data; the @context does not map them):")
            for d in o.dropped:
                err(f"    {d.describe()}")
    total = sum(o.triples for o in outcomes if o.status != "unchanged")
    if total:
        err(f"{total} triples in {elapsed:.2f} s ({total / max(elapsed, 1e-9):,.0f} triples/s)")


@click.command("graphs")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def graphs_cmd(store_path, fmt) -> None:
    """List the named graphs with their size and load record."""
    from microhe.ingest.provenance import graph_listing

    store, server = open_for_reading(store_path)
    if server is not None:
        rows = ask(server, "/api/graphs")
    else:
        assert store is not None  # open_for_reading: a store, or else a server
        rows = graph_listing(store)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(["graph", "triples", "source", "sha256", "loaded", "profiles"])
        for r in rows:
            w.writerow([r["graph"], r["triples"], r["source"] or "", r["sha256"] or "", r["loaded"] or "",
                        " ".join(r["profiles"])])
    else:
        for r in rows:
            click.echo(f"{r['triples']:>9}  {r['graph']}  {r['source'] or ''}  {r['loaded'] or ''}")


@click.command("drop")
@store_option
@click.argument("graph")
def drop_cmd(store_path, graph) -> None:
    """Remove a named graph (and its load record)."""
    from microhe.ingest.errors import GraphNotFound
    from microhe.ingest.load import drop

    store, _ = open_store(store_path, http="DELETE /rdf-graphs?graph=IRI")
    try:
        n = drop(store, graph)
    except GraphNotFound as e:
        raise GraphNotFound(f"{e} (see `microhe graphs`)") from None
    err(f"dropped <{graph}> ({n} triples)")


@click.command("dump")
@store_option
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def dump_cmd(store_path, file) -> None:
    """Write the whole store as sorted N-Quads to FILE (- for stdout)."""
    store, server = open_for_reading(store_path)
    lines = served_dump(server) if server is not None else None

    def write(out) -> int:
        if lines is None:
            assert store is not None  # open_for_reading: a store, or else a server
            return store.dump(out)
        out.writelines(lines)
        return len(lines)

    if file == "-":
        n = write(sys.stdout.buffer)
    else:
        try:
            with open(file, "wb") as out:
                n = write(out)
        except OSError as e:
            raise InputError(f"{file}: cannot write: {e.strerror or e}") from None
    err(f"dumped {n} quads")


@click.command("restore")
@store_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Empty a non-empty store first.")
def restore_cmd(store_path, file, replace) -> None:
    """Restore a dump (N-Quads) into the store, keeping blank-node labels.

    Never initialises: a new store holds exactly the dump. A non-empty store is
    refused unless --replace."""
    from microhe.rdf.parse import parse

    try:
        data = file.read_bytes()
    except OSError as e:
        raise InputError(f"{file}: cannot read: {e.strerror or e}") from None
    quads = parse(data, format=ox.RdfFormat.N_QUADS, name=str(file), rename_blank_nodes=False)
    store, settings = open_store(store_path, initialise_if_empty=False)
    if not store.is_empty():
        if not replace:
            raise Conflict(f"the store at {settings.store} is not empty", hint=Hint("replace", "to empty it first"))
        store.clear()
    store.restore(quads)
    err(f"restored {len(quads)} quads into {settings.store}")


@click.command("restore-checkpoint")
@store_option
def restore_checkpoint_cmd(store_path) -> None:
    """Roll the store back to the checkpoint an interrupted `load --bulk` left beside it.

    Every bulk write on disk is bracketed by a checkpoint (hard links, `<store>.checkpoint`);
    any command that opens the store for writing rolls an interrupted one back by itself.
    This command does only that, and says whether there was anything to roll back."""
    from microhe.errors import Unavailable
    from microhe.store import checkpoint
    from microhe.store.base import StoreLockedError

    settings = settings_for(store_path)
    try:
        what = checkpoint.roll_back_locked(Path(settings.store))
    except StoreLockedError as e:  # its checkpoint is a running bulk write's, not an interrupted one
        raise StoreLockedError(locked_message(settings, e, server_of(settings), writes=True, http=None)) from None
    except OSError as e:
        raise Unavailable(f"cannot roll back the store at {settings.store}: {e}") from None
    if what is None:
        err(f"no interrupted bulk write at {settings.store}: nothing to roll back")
    else:
        err(f"{what.describe()}; the store at {settings.store} was rolled back to its state before it")


COMMANDS = [init_cmd, validate_cmd, load_cmd, graphs_cmd, drop_cmd, dump_cmd, restore_cmd, restore_checkpoint_cmd]
