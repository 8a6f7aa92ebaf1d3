"""The ``microhe`` command line: a thin click layer over ``microhe.kg``.

Exit codes: 0 success; 1 the data was refused (SHACL violations, learner data, a
conflict with what is stored); 2 the call was wrong or the input could not be read or
parsed. Machine-readable output goes to stdout alone; logs, progress and warnings go
to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click
import pyoxigraph as ox

from microhe.ingest.load import LoadError, Source, drop, graph_listing, initialise, load
from microhe.rdf.parse import ParseError, parse
from microhe.ingest.personal import STRIP_OPTION, find_personal_data
from microhe.queries.catalogue import QueryError, resolve
from microhe.settings import Settings, get_settings
from microhe.store import served
from microhe.store.embedded import Store, StoreError, StoreLockedError, open_configured
from microhe.validation import (
    DEFAULT_PROFILES,
    UnknownProfileError,
    ValidationReport,
    available_profiles,
    validate,
)

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    click.echo(message, err=True)


def _fail(message: str, code: int) -> None:
    _err(f"error: {message}")
    sys.exit(code)


store_option = click.option(
    "--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Store directory (default: $MICROHE_STORE, else microhe/store in the platform's data directory, "
         "e.g. ~/.local/share/microhe/store on Linux).",
)


def _settings(store_path: Path | None) -> Settings:
    return get_settings(store=store_path)


def open_store(store_path: Path | None, *, initialise_if_empty: bool = True, writes: bool = True,
               http: str | None = None) -> tuple[Store, Settings]:
    """Open the configured store; a new (empty) store gets the reference graphs.

    A store held by `microhe serve` is refused with what to do: stop the server, or use
    ``http`` (its HTTP route for what the command does). ``writes`` says whether the
    command writes (the read commands that can ask the server use :func:`open_for_reading`)."""
    settings = _settings(store_path)
    try:
        store = open_configured(settings)  # remote when MICROHE_SPARQL_ENDPOINT is set
    except StoreLockedError as e:
        _fail(_locked_message(settings, e, _server_of(settings), writes=writes, http=http), EXIT_USAGE)
    except StoreError as e:
        _fail(str(e), EXIT_USAGE)
    return _opened(store, settings, initialise_if_empty)


def open_for_reading(store_path: Path | None) -> tuple[Store | None, served.Client | None]:
    """The store, or, when `microhe serve` holds it (its RocksDB lock) and answers, a
    client of that server: ``(store, None)`` or ``(None, client)``. The read commands
    then call the server's route that runs the same library function, and print its
    answer with their own formatting, so the output is the same either way. A store
    locked by anything else (a `microhe load` under way, a server that does not answer)
    is refused as before."""
    settings = _settings(store_path)
    try:
        store = open_configured(settings)
    except StoreLockedError as e:
        address = _server_of(settings)
        if address is None:
            _fail(_locked_message(settings, e, None, writes=False, http=None), EXIT_USAGE)
        _err(f"note: the store is held by `microhe serve` (pid {address.pid}); asking it at {address.url}")
        return None, served.Client(address.url)
    except StoreError as e:
        _fail(str(e), EXIT_USAGE)
    return _opened(store, settings, True)[0], None


def _server_of(settings: Settings) -> served.Address | None:
    """The running server that holds the embedded store, if one answers."""
    return None if settings.sparql_endpoint else served.running(settings.store)


def _locked_message(settings: Settings, e: StoreError, address: served.Address | None, *, writes: bool,
                    http: str | None) -> str:
    """What to do about a store another process holds: the server's pid and address
    when it is `microhe serve`, and how to stop it or reach it instead."""
    if address is None:
        return f"{e}; if it is a server starting or stopping, try again in a moment"
    held = f"the store at {settings.store} is held by `microhe serve` (pid {address.pid}, {address.url})"
    stop = f"stop the server first (Ctrl-C where it runs, or `kill {address.pid}`), then run this command again"
    if not writes:
        return f"{held}, and this command cannot ask it: {stop}" + (f"; or use its route {http}" if http else "")
    msg = f"{held}, and this command writes to the store: {stop}"
    if http:
        msg += (f"; or write through the server's HTTP API with a write token (`microhe token add NAME` works "
                f"while it runs; send 'Authorization: Bearer <token>'): {http} on {address.url}")
    return msg


def _opened(store, settings: Settings, initialise_if_empty: bool) -> tuple[Store, Settings]:
    where = settings.sparql_endpoint or settings.store
    if getattr(store, "rolled_back", None) is not None:
        _err(f"warning: {store.rolled_back.describe()}; the store was rolled back to its state before it")
    # Close the store when the command ends, however it ends (exit codes included).
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    if initialise_if_empty and store.is_empty():
        _err(f"initialising a new store at {where} with the reference graphs")
        initialise(store)
    if isinstance(store, Store) and store.path is not None and not store.read_only:
        # this process holds the store's lock, so no server does: an address file is stale
        # (left by a server that was killed)
        served.remove(store.path)
    return store, settings


def _ask(server: served.Client, path: str, params=None):
    """The JSON answer of a server route; its refusal is this command's error (exit 2)."""
    try:
        return server.json(path, params)
    except served.ServerRefused as e:
        _fail(e.message, EXIT_USAGE)
    except served.ServerUnavailable as e:
        _fail(f"{e}; try again, or stop the server and run the command on the store", EXIT_USAGE)


def _profiles(values: tuple[str, ...]) -> tuple[str, ...]:
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
    if value is not None and not _is_iri(value):
        raise click.BadParameter(f"{value!r} is not an absolute IRI", ctx=ctx, param=param)
    return value


base_option = click.option(
    "--base", default=None, metavar="IRI", callback=_check_base,
    help="Base IRI that relative IRIs in the files resolve against (default: $MICROHE_BASE, else "
         "http://127.0.0.1:8000/); validate and load resolve them alike.",
)


def _base(base: str | None) -> str:
    """The base IRI of ``validate``/``load``: ``--base``, else the instance base (settings)."""
    return base or get_settings().base


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="microhe")
def main() -> None:
    """microhe: a knowledge graph and clearinghouse of European micro-credentials."""


# -- init ---------------------------------------------------------------------------


@main.command("init")
@store_option
@click.option("--demo", is_flag=True, help="Also add the demo credentials (labelled demo data).")
def init_cmd(store_path: Path | None, demo: bool) -> None:
    """Create the store (if needed) and bring the reference graphs up to date."""
    store, settings = open_store(store_path, initialise_if_empty=False)
    outcomes = initialise(store, demo=demo)
    for o in outcomes:
        _err(f"{o.status:9} {o.triples:7} triples  <{o.graph}>")
    _err(f"store ready at {settings.store}")


# -- validate -------------------------------------------------------------------------


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@profile_option
@base_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
def validate_cmd(files: tuple[Path, ...], profiles: tuple[str, ...], base: str | None, fmt: str) -> None:
    """Validate RDF files against SHACL profiles (with the bundled reference data).

    Relative IRIs resolve against --base as in `load`, so both see the same IRIs.
    Exit 0 when every file conforms (warnings allowed), 1 on violations, 2 when a file
    cannot be read or parsed."""
    chosen = _profiles(profiles)
    base_iri = _base(base)
    reports: list[tuple[str, ValidationReport]] = []
    for path in files:
        try:
            src = Source.from_path(path)
            quads = parse(src.data, name=src.name, base_iri=base_iri)
        except LoadError as e:
            _fail(str(e), EXIT_USAGE)
        except ParseError as e:
            _fail(str(e), EXIT_USAGE)
        if find_personal_data(quads):
            _err(f"note: {path} holds learner data; it is validated here but `load` refuses it "
                 f"without {STRIP_OPTION}")
        reports.append((str(path), validate(quads, profiles=chosen)))
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


# -- load -----------------------------------------------------------------------------


@main.command("load")
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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def load_cmd(store_path, files, graph, profiles, replace, strip, bulk, base, fmt) -> None:
    """Validate FILES and load each into its own named graph, all or nothing.

    Relative IRIs resolve against --base (default: the instance base), as in `validate`;
    a file's graph, unless --graph names it, is <base>graph/<file name>.

    Nothing is written unless every file conforms. With --bulk the validated files are
    written by pyoxigraph's bulk loader instead of one transaction (use it for initial
    loads of large files), and the store is compacted afterwards. Before the bulk write
    the store is checkpointed beside itself (hard links, `<store>.checkpoint`); if the
    write is interrupted (killed, power cut), the next command that opens the store rolls
    it back to that checkpoint exactly (or run `microhe restore-checkpoint`)."""
    chosen = _profiles(profiles)
    if graph is not None and not _is_iri(graph):
        raise click.BadParameter(f"{graph!r} is not an absolute IRI", param_hint="--graph")
    store, settings = open_store(store_path, http="PUT /rdf-graphs?graph=IRI (replace a graph) or POST "
                                 "/rdf-graphs?graph=IRI (merge into it), with the file as the body")
    try:
        sources = [Source.from_path(p, settings.max_body_bytes * 64) for p in files]
    except LoadError as e:
        _fail(str(e), EXIT_USAGE)
    started = time.monotonic()
    bar = _progress(sum(len(s.data) for s in sources))
    try:
        outcomes = load(store, sources, graph=graph, profiles=chosen, replace=replace,
                        strip_personal=strip, base=base or settings.base, agent="microhe-cli",
                        progress=bar.step, bulk=bulk)
    except LoadError as e:
        bar.close()
        if e.kind == "invalid":
            failures = getattr(e, "failures", [e])
            if fmt == "json":
                click.echo(json.dumps({"loaded": False, "reason": "invalid",
                                       "files": [{"source": f.source, **f.report.to_json()}
                                                 for f in failures if f.report is not None]}, indent=2))
            else:
                for f in failures:
                    click.echo(f"== {f.source}")
                    click.echo(f.report.to_text() if f.report is not None else str(f))
            _fail(f"nothing loaded: {e}", EXIT_REFUSED)
        code = EXIT_USAGE if e.kind in ("parse", "usage") else EXIT_REFUSED
        if fmt == "json":
            click.echo(json.dumps({"loaded": False, "reason": e.kind, "message": str(e)}, indent=2))
        _fail(f"nothing loaded: {e}", code)
    bar.close()
    if bulk:
        # the bulk writer leaves overlapping files: compact once (queries 1.5-3x faster after)
        click.echo("compacting the store after the bulk write ...", err=True)
        store.optimize()
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
        _err(f"{o.source}: {msg} -> <{o.graph}>")
    total = sum(o.triples for o in outcomes if o.status != "unchanged")
    if total:
        _err(f"{total} triples in {elapsed:.2f} s ({total / max(elapsed, 1e-9):,.0f} triples/s)")


class _progress:
    """A tqdm bar on stderr that appears only when the work takes more than a moment."""

    def __init__(self, total_bytes: int):
        from tqdm import tqdm

        self._bar = tqdm(total=3, desc="load", unit="step", file=sys.stderr, delay=1.0, leave=False,
                         disable=None)
        self._size = total_bytes

    def step(self, stage: str, name: str) -> None:
        self._bar.set_description(f"{stage} {Path(name).name if ',' not in name else name}"[:60])
        self._bar.update(1 if self._bar.n < self._bar.total - 1 else 0)

    def close(self) -> None:
        self._bar.close()


def _is_iri(value: str) -> bool:
    from microhe.rdf.iri import is_absolute_iri

    return is_absolute_iri(value)


# -- query ----------------------------------------------------------------------------


@main.command("query")
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
    values = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{p!r}: expected NAME=VALUE", param_hint="--param")
        key = name.lstrip("?")
        if key in values:
            raise click.BadParameter(f"parameter {key!r} given twice", param_hint="--param")
        values[key] = value
    try:
        nq = resolve(query)
        bindings = nq.bindings(values)
    except QueryError as e:
        _fail(str(e), EXIT_USAGE)
    store, server = open_for_reading(store_path)
    if server is not None:
        _print_served_result(server, query, nq, values, bindings, fmt)
        return
    try:
        result = store.query(nq.text_for(bindings), substitutions=bindings)
    except SyntaxError as e:
        _fail(f"{nq.name}: SPARQL syntax error: {e}", EXIT_USAGE)
    except (OSError, RuntimeError, ValueError) as e:
        # pyoxigraph reports e.g. a parameter missing from the SELECT projection this way.
        _fail(f"{nq.name}: query failed: {e}", EXIT_USAGE)
    _print_result(result, fmt)


#: What the CLI asks the server for: lossless formats it parses back into pyoxigraph
#: results, so :func:`_print_result` formats them exactly as an in-process result.
_SERVED_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def _print_served_result(server: served.Client, query: str, nq, values: dict, bindings: dict, fmt: str) -> None:
    """Run the query on the server that holds the store: a named query by its route
    (``/api/queries/NAME``, which binds the parameters as the CLI does), a file by
    ``/sparql``. A result the server cut at its row cap is refused, never printed as if
    complete."""
    from urllib.parse import quote

    from microhe.queries.catalogue import catalogue

    try:
        if query in catalogue():
            headers, body = server.fetch(f"/api/queries/{quote(nq.name, safe='')}", values, accept=_SERVED_ACCEPT)
        else:
            if bindings:
                _fail(f"{nq.name}: the store is held by `microhe serve`, and a query file with parameters cannot be "
                      "sent to it (/sparql takes no parameters); stop the server, or put the values in the file",
                      EXIT_USAGE)
            headers, body = server.fetch("/sparql", method="POST", body=nq.text_for(bindings).encode("utf-8"),
                                         content_type="application/sparql-query", accept=_SERVED_ACCEPT)
    except served.ServerRefused as e:
        _fail(f"{nq.name}: {e.message}", EXIT_USAGE)
    except served.ServerUnavailable as e:
        _fail(f"{nq.name}: {e}; try again, or stop the server and run the query on the store", EXIT_USAGE)
    if headers.get("X-Result-Truncated") == "true":
        _fail(f"{nq.name}: the server cut the answer at its row cap of {headers.get('X-Row-Cap')} rows "
              "(MICROHE_ROW_CAP); nothing printed: page with LIMIT/OFFSET, or stop the server and run the query "
              "on the store", EXIT_USAGE)
    media_type = (headers.get("Content-Type") or "").split(";")[0].strip()
    if media_type == "application/n-triples":
        sys.stdout.buffer.write(ox.serialize(ox.parse(body, format=ox.RdfFormat.N_TRIPLES),
                                             format=ox.RdfFormat.N_TRIPLES))
        return
    if media_type != "application/sparql-results+json":
        _fail(f"{nq.name}: the server answered {media_type or 'no media type'}, not SPARQL results", EXIT_USAGE)
    _print_result(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), fmt)


def _print_result(result, fmt: str) -> None:
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryBoolean):
        if fmt == "json":
            out.write(json.dumps({"head": {}, "boolean": bool(result)}).encode() + b"\n")
        else:
            click.echo("true" if result else "false")
        return
    if isinstance(result, ox.QueryTriples):
        fmt_rdf = ox.RdfFormat.N_TRIPLES
        out.write(result.serialize(format=fmt_rdf))
        return
    if fmt in ("csv", "tsv", "json"):
        rf = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
              "json": ox.QueryResultsFormat.JSON}[fmt]
        out.write(result.serialize(format=rf))
        if fmt == "json":
            out.write(b"\n")
        return
    variables = [v.value for v in result.variables]
    rows = [[_cell(sol[v]) for v in variables] for sol in result]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    click.echo("  ".join(v.ljust(w) for v, w in zip(variables, widths)))
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    _err(f"{len(rows)} row(s)")


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return term.value if isinstance(term, ox.NamedNode) else str(term)


@main.command("queries")
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


# -- graphs, drop, dump, restore -----------------------------------------------------


@main.command("graphs")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def graphs_cmd(store_path, fmt) -> None:
    """List the named graphs with their size and load record."""
    store, server = open_for_reading(store_path)
    rows = _ask(server, "/api/graphs") if server is not None else graph_listing(store)
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


@main.command("drop")
@store_option
@click.argument("graph")
def drop_cmd(store_path, graph) -> None:
    """Remove a named graph (and its load record)."""
    store, _ = open_store(store_path, http="DELETE /rdf-graphs?graph=IRI")
    try:
        n = drop(store, graph)
    except LoadError as e:
        _fail(str(e), EXIT_USAGE)
    _err(f"dropped <{graph}> ({n} triples)")


@main.command("dump")
@store_option
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def dump_cmd(store_path, file) -> None:
    """Write the whole store as sorted N-Quads to FILE (- for stdout)."""
    store, server = open_for_reading(store_path)
    lines = _served_dump(server) if server is not None else None

    def write(out) -> int:
        if lines is None:
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
            _fail(f"{file}: cannot write: {e.strerror or e}", EXIT_USAGE)
    _err(f"dumped {n} quads")


def _served_dump(server: served.Client) -> list[bytes]:
    """The server's dump (``/dump.nq``, streamed in store order) as sorted lines: the
    same bytes as :meth:`Store.dump` (lines sorted as UTF-8 bytes sort as code points)."""
    try:
        _, body = server.fetch("/dump.nq", accept="application/n-quads")
    except served.ServerRefused as e:
        _fail(f"the server refused the dump: {e.message}", EXIT_USAGE)
    except served.ServerUnavailable as e:
        _fail(f"{e}; nothing written; try again, or stop the server and run the command on the store", EXIT_USAGE)
    lines = body.splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        _fail("the server's dump ended in the middle of a line; nothing written", EXIT_USAGE)
    lines.sort()
    return lines


@main.command("restore")
@store_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Empty a non-empty store first.")
def restore_cmd(store_path, file, replace) -> None:
    """Restore a dump (N-Quads) into the store, keeping blank-node labels.

    Never initialises: a new store holds exactly the dump. A non-empty store is
    refused unless --replace."""
    try:
        quads = parse(file.read_bytes(), format=ox.RdfFormat.N_QUADS, name=str(file), rename_blank_nodes=False)
    except OSError as e:
        _fail(f"{file}: cannot read: {e.strerror or e}", EXIT_USAGE)
    except ParseError as e:
        _fail(str(e), EXIT_USAGE)
    store, settings = open_store(store_path, initialise_if_empty=False)
    if not store.is_empty():
        if not replace:
            _fail(f"the store at {settings.store} is not empty; use --replace to empty it first", EXIT_REFUSED)
        store.clear()
    store.restore(quads)
    _err(f"restored {len(quads)} quads into {settings.store}")


@main.command("restore-checkpoint")
@store_option
def restore_checkpoint_cmd(store_path) -> None:
    """Roll the store back to the checkpoint an interrupted `load --bulk` left beside it.

    Every bulk write on disk is bracketed by a checkpoint (hard links, `<store>.checkpoint`);
    any command that opens the store for writing rolls an interrupted one back by itself.
    This command does only that, and says whether there was anything to roll back."""
    from microhe.store import checkpoint

    settings = _settings(store_path)
    try:
        what = checkpoint.roll_back(Path(settings.store))
    except OSError as e:
        _fail(f"cannot roll back the store at {settings.store}: {e}", EXIT_USAGE)
    if what is None:
        _err(f"no interrupted bulk write at {settings.store}: nothing to roll back")
    else:
        _err(f"{what.describe()}; the store at {settings.store} was rolled back to its state before it")


# -- recognition -----------------------------------------------------------------------


def _emit(doc: dict, fmt: str, text_lines) -> None:
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for line in text_lines(doc):
            click.echo(line)


@main.command("level")
@store_option
@click.argument("framework")
@click.argument("level")
@click.option("--to", "to", default=None, metavar="FRAMEWORK", help="Only equivalents in this framework.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def level_cmd(store_path, framework, level, to, fmt) -> None:
    """Translate LEVEL of FRAMEWORK (a code such as SCQF, or a level IRI) into EQF terms and
    the equivalent levels of other frameworks, with the referencing evidence."""
    from microhe.frameworks.levels import UnknownFrameworkError, UnknownLevelError, translate

    store, server = open_for_reading(store_path)
    fw = None if framework == "-" else framework
    if server is not None:
        doc = _ask(server, "/api/recognition/level", {"framework": fw, "level": level, "to": to})
    else:
        try:
            doc = translate(store, fw, level, to)
        except (UnknownFrameworkError, UnknownLevelError) as e:
            _fail(str(e), EXIT_USAGE)

    def lines(d):
        yield f"{d['label']} ({d['framework']} {d['level']}) -> EQF {', '.join(map(str, d['eqf'])) or 'none (below EQF 1)'}"
        for r in d["referencing"]:
            types = f" for {r['qualification_types']}" if r["qualification_types"] else ""
            yield f"  referencing: EQF {r['eqf']}{types} [{r['confidence']}]"
        for n in d["notes"]:
            yield f"  note: {n}"
        if d["equivalents"]:
            yield "  equivalents:"
            for e in d["equivalents"]:
                yield f"    {e['framework']} {e['level']} (EQF {', '.join(map(str, e['eqf']))})"
        for src in d["sources"]:
            yield f"  source: {src}"

    _emit(doc, fmt, lines)


@main.command("credits")
@store_option
@click.argument("amount")
@click.argument("system")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def credits_cmd(store_path, amount, system, fmt) -> None:
    """Convert AMOUNT credits of SYSTEM (ECTS, UK, SCQF, US-SCH, HOURS) to ECTS, with the
    notional-hours range, the basis and the sources."""
    from microhe.frameworks.credits import CreditError, convert

    store, server = open_for_reading(store_path)
    if server is not None:
        doc = _ask(server, "/api/recognition/credits", {"amount": amount, "system": system})
    else:
        try:
            doc = convert(store, amount, system)
        except CreditError as e:
            _fail(str(e), EXIT_USAGE)

    def lines(d):
        e = d["ects"]
        flag = " (disputed)" if d["disputed"] else ""
        yield f"{d['amount']} {d['system']} = {e['value']} ECTS by {d['basis']}{flag}; {e['min']}-{e['max']} ECTS by notional hours"
        for n in d["notes"]:
            yield f"  note: {n}"
        for src in d["sources"]:
            yield f"  source: {src}"

    _emit(doc, fmt, lines)


@main.command("search")
@store_option
@click.option("--eqf", type=click.IntRange(1, 8), default=None, help="EQF level (NQF levels count through their referencing).")
@click.option("--framework", default=None, help="Framework code, with --level.")
@click.option("--level", default=None, help="Level label of --framework.")
@click.option("--ects-min", type=click.FloatRange(min=0), default=None)
@click.option("--ects-max", type=click.FloatRange(min=0), default=None)
@click.option("--field", default=None, metavar="ISCED", help="ISCED-F code (narrower fields included).")
@click.option("--skill", default=None, metavar="IRI", help="Skill concept (narrower skills included).")
@click.option("--country", default=None, metavar="ISO3", help="Issuer country (ISO 3166-1 alpha-3).")
@click.option("--mode", type=click.Choice(["online", "presential", "blended"]), default=None)
@click.option("--text", default=None, metavar="WORDS", help="Words in title, description or issuer name.")
@click.option("--limit", type=click.IntRange(0, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def search_cmd(store_path, eqf, framework, level, ects_min, ects_max, field, skill, country, mode, text,
               limit, offset, fmt) -> None:
    """Find micro-credential specifications, with facet counts."""
    from microhe.frameworks.levels import UnknownFrameworkError, UnknownLevelError
    from microhe.recognition.search import SearchError, search

    filters = dict(eqf=eqf, framework=framework, level=level, ects_min=ects_min, ects_max=ects_max, field=field,
                   skill=skill, country=country, mode=mode, text=text, limit=limit, offset=offset)
    store, server = open_for_reading(store_path)
    if server is not None:
        doc = _ask(server, "/api/credentials", filters)
    else:
        try:
            doc = search(store, **filters)
        except (SearchError, UnknownFrameworkError, UnknownLevelError) as e:
            _fail(str(e), EXIT_USAGE)

    def lines(d):
        yield f"{d['total']} match(es); showing {len(d['results'])} from {d['offset']}"
        for r in d["results"]:
            eqf_s = ",".join(map(str, r["eqf"])) or "?"
            yield f"  EQF {eqf_s:5} {str(r['ects'] or '?'):>5} ECTS  {r['country'] or '---'}  {r['title']}  <{r['iri']}>"
        for facet, counts in d.get("facets", {}).items():
            yield f"  {facet}: " + ", ".join(f"{k} ({v})" for k, v in counts.items())

    _emit(doc, fmt, lines)


def _side(store: Store, value: str, *, target: bool):
    """Facts of a comparison side: an IRI in the store, an RDF file (validated, not
    stored) or, for a target, a JSON file of requirements."""
    from microhe.recognition.compare import target_from_requirements
    from microhe.recognition.facts import NotFoundError, facts_from_document, read_facts

    path = Path(value)
    try:
        if path.is_file():
            if target and path.suffix == ".json":
                try:
                    return target_from_requirements(json.loads(path.read_text(encoding="utf-8"))), None
                except (ValueError, UnicodeDecodeError) as e:
                    _fail(f"{path}: {e}", EXIT_USAGE)
            from microhe.ingest.load import stage

            try:
                quads, _, report = stage(Source.from_path(path), strip_personal=True)
            except LoadError as e:
                _fail(str(e), EXIT_USAGE)
            return facts_from_document(store, quads, path.name), report
        if not _is_iri(value):
            _fail(f"{value!r} is neither a file nor an absolute IRI", EXIT_USAGE)
        return read_facts(store, value), None
    except NotFoundError as e:
        _fail(str(e), EXIT_USAGE)


@main.command("compare")
@store_option
@click.argument("credential")
@click.option("--target", required=True, help="Target: an IRI in the store, an RDF file, or a JSON file of requirements.")
@click.option("--workload-ratio", type=click.FloatRange(0, 10), default=0.8, show_default=True)
@click.option("--outcome-coverage", type=click.FloatRange(0, 1), default=0.75, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def compare_cmd(store_path, credential, target, workload_ratio, outcome_coverage, fmt) -> None:
    """Compare CREDENTIAL (an IRI in the store or an RDF file) with a target, criterion
    by criterion (Lisbon Recognition Convention), with a recommendation."""
    from microhe.recognition.compare import Rules, compare

    store, _ = open_store(store_path, writes=False, http="POST /api/recognition/compare")
    cred, report = _side(store, credential, target=False)
    tgt, treport = _side(store, target, target=True)
    doc = compare(store, cred, tgt, Rules(workload_ratio, outcome_coverage))
    for key, rep in (("credential_validation", report), ("target_validation", treport)):
        if rep is not None:
            doc[key] = {"conforms": rep.conforms, "violations": len(rep.violations), "warnings": len(rep.warnings)}

    def lines(d):
        yield f"{d['credential']['title'] or d['credential']['iri']}  vs  {d['target']['title'] or d['target']['iri']}"
        for c in d["criteria"]:
            flag = {True: "SUBSTANTIAL", False: "ok", None: "UNKNOWN"}[c["substantial"]]
            yield f"  {c['name']:18} {flag:12} {c['detail']}"
        r = d["recommendation"]
        credited = f" ({r['credited_ects']:g} ECTS)" if r["credited_ects"] is not None else ""
        yield f"  recommendation: {r['outcome']}{credited}"
        for reason in r["reasons"]:
            yield f"    - {reason}"

    _emit(doc, fmt, lines)


@main.command("stack")
@store_option
@click.option("--target", required=True, help="Target: an IRI in the store, an RDF file, or a JSON file of requirements.")
@click.option("--max", "max_size", type=click.IntRange(1, 6), default=3, show_default=True,
              help="Most credentials in one pathway.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stack_cmd(store_path, target, max_size, fmt) -> None:
    """Find combinations of micro-credentials that together cover a target's outcomes
    and workload at a compatible level (fewest excess credits first)."""
    from microhe.recognition.pathways import pathways

    store, _ = open_store(store_path, writes=False, http="GET /api/recognition/pathways")
    tgt, _ = _side(store, target, target=True)
    doc = pathways(store, tgt, max_size=max_size)

    def lines(d):
        t = d["target"]
        yield f"target: {t['title'] or t['iri']} (EQF {t['eqf'] or '?'}, {t['ects']} ECTS, {len(t['required_outcomes'])} outcomes)"
        for i, p in enumerate(d["pathways"], 1):
            yield f"  {i}. {p['total_ects']:g} ECTS (+{p['excess_ects']:g}): " + " + ".join(c["title"] for c in p["credentials"])
        if d["no_solution"]:
            yield f"  no pathway: {d['no_solution']['reason']}; missing: {', '.join(d['no_solution']['missing'])}"
        if d["declared_stack"]["parts"]:
            yield f"  declared parts: {', '.join(d['declared_stack']['parts'])}"
        for c in d["declared_stack"]["cycles"]:
            yield f"  CYCLE in declared stack: {' -> '.join(c)}"

    _emit(doc, fmt, lines)


# -- serve and tokens -----------------------------------------------------------------


def _log_to_stderr() -> None:
    """The server's own log lines (``microhe.*``: one per refused or failed request, view
    builds) on stderr at INFO; uvicorn's access log stays off (it would log query strings)."""
    import logging

    log = logging.getLogger("microhe")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


@main.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--base", default=None, metavar="IRI", help="Base IRI of instance data (default: this server's address).")
@click.option("--demo", is_flag=True, help="Add the demo credentials to the store first.")
def serve_cmd(store_path, host, port, base, demo) -> None:
    """Serve the SPARQL endpoint, graph store, linked data and API over the store."""
    import uvicorn

    from microhe.api import create_app

    settings = get_settings(store=store_path, base=base or f"http://{host}:{port}/")
    try:
        store = open_configured(settings)  # remote when MICROHE_SPARQL_ENDPOINT is set
        if store.is_empty() or demo:
            initialise(store, demo=demo)
    except StoreError as e:
        _fail(str(e), EXIT_USAGE)
    app = create_app(settings, store)
    _log_to_stderr()
    embedded = None if settings.sparql_endpoint else Path(settings.store)

    def listening(bound_host: str, bound_port: int) -> None:
        _err(f"microhe listening on http://{host}:{bound_port}/ (SPARQL endpoint http://{host}:{bound_port}/sparql, "
             f"store {settings.sparql_endpoint or settings.store})")
        if embedded is not None:  # the read commands ask this server while it holds the store
            try:
                served.write(embedded, served.loopback_url(bound_host, bound_port))
            except OSError as e:
                _err(f"warning: cannot write {served.address_file(embedded)}: {e}; read commands on this "
                     "store will refuse while the server runs")

    def stopping() -> None:  # also after a failed start; only this process's own file
        if embedded is not None:
            served.remove(embedded, pid=os.getpid())

    server = _announced_server(uvicorn, uvicorn.Config(app, host=host, port=port, log_level="warning"),
                               listening, stopping)
    try:
        server.run()
    finally:
        stopping()


def _announced_server(uvicorn, config, on_listening, on_shutdown):
    """A uvicorn server that calls ``on_listening(host, port)`` with the address its socket
    is bound to once it accepts connections (the real port when --port 0), and
    ``on_shutdown()`` as soon as it starts shutting down (before open requests end, so no
    new command is sent to a server on its way out)."""

    class Announced(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit and getattr(self, "servers", None):
                names = [sock.getsockname() for srv in self.servers for sock in (srv.sockets or ())]
                ipv4 = [n for n in names if len(n) == 2]
                if names:
                    host, port = (ipv4 or names)[0][:2]
                    on_listening(host, port)

        async def shutdown(self, sockets=None):
            on_shutdown()
            await super().shutdown(sockets=sockets)

    return Announced(config)


@main.group("token")
def token_group() -> None:
    """Manage write tokens (kept hashed in a file beside the store)."""


@token_group.command("add")
@store_option
@click.argument("name")
def token_add(store_path, name) -> None:
    """Create a token; it is printed once, alone on stdout."""
    from microhe.auth.tokens import TokenError, TokenFile

    settings = _settings(store_path)
    try:
        token = TokenFile.beside(settings.store).add(name)
    except TokenError as e:
        _fail(str(e), EXIT_USAGE)
    click.echo(token)
    _err(f"token {name!r} created; store it now, it cannot be shown again. "
         "Send it as 'Authorization: Bearer <token>' on write requests.")


@token_group.command("list")
@store_option
def token_list(store_path) -> None:
    """List token names and creation times (never the tokens)."""
    from microhe.auth.tokens import TokenError, TokenFile

    try:
        for t in TokenFile.beside(_settings(store_path).store).list():
            click.echo(f"{t.name}\t{t.created}")
    except TokenError as e:
        _fail(str(e), EXIT_USAGE)


@token_group.command("revoke")
@store_option
@click.argument("name")
def token_revoke(store_path, name) -> None:
    """Revoke a token by name."""
    from microhe.auth.tokens import TokenError, TokenFile

    try:
        TokenFile.beside(_settings(store_path).store).revoke(name)
    except TokenError as e:
        _fail(str(e), EXIT_USAGE)
    _err(f"token {name!r} revoked")


@main.command("synth")
@click.option("--credentials", "n", type=int, required=True, help="Number of specifications to generate (>= 1).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same bytes.")
@click.option("--invalid-rate", "rate", type=float, default=0.0, show_default=True,
              help="Fraction (0-1) of specifications made to violate one shape each (listed in <out>.violations.json).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .nt (N-Triples) or .ttl (Turtle).")
@click.option("--shards", type=int, default=1, show_default=True,
              help="Split the dataset into this many files <stem>-<k><suffix>, each valid on its own "
                   "(skills and institutions repeated in each).")
def synth_cmd(n, seed, rate, out, shards) -> None:
    """Write a deterministic synthetic dataset of N micro-credential specifications."""
    from microhe.devtools.synth import generate, shard_paths, violations_path

    if n < 1:
        raise click.BadParameter(f"{n} is not a positive number of credentials", param_hint="--credentials")
    if not 0.0 <= rate <= 1.0:
        raise click.BadParameter(f"{rate} is not between 0 and 1", param_hint="--invalid-rate")
    if out.suffix not in (".nt", ".ttl"):
        raise click.BadParameter(f"{out}: use a .nt or .ttl file name", param_hint="--out")
    if not 1 <= shards <= max(1, n // 40):
        raise click.BadParameter(f"{shards} shards for {n} credentials: use 1 to {max(1, n // 40)} "
                                 "(at least 40 specifications per shard)", param_hint="--shards")
    try:
        stats = generate(out, credentials=n, seed=seed, invalid_rate=rate, shards=shards)
    except OSError as e:
        _fail(f"{out}: cannot write: {e.strerror or e}", EXIT_USAGE)
    if shards > 1:
        _err(f"{shards} files: {', '.join(str(p) for p in shard_paths(out, shards))}")
    extra = f", {stats.invalid} invalid (listed in {violations_path(out)})" if rate > 0 else ""
    _err(f"{out}: {stats.credentials} specifications, {stats.institutions} institutions, {stats.skills} skills, "
         f"{stats.triples} triples{extra}")


# -- recognition decisions ------------------------------------------------------------


@main.group("decision")
def decision_group() -> None:
    """Record and list recognition decisions (graph https://w3id.org/microhe/graph/decisions)."""


@decision_group.command("record")
@store_option
@click.option("--credential", required=True, metavar="IRI", help="The recognised specification (in the store).")
@click.option("--institution", required=True, metavar="IRI", help="The recognising institution.")
@click.option("--purpose", required=True, type=click.Choice(["access", "credit-transfer", "full-recognition"]))
@click.option("--outcome", required=True,
              type=click.Choice(["recognise", "recognise-partially", "substantial-differences", "needs-information"]))
@click.option("--credited-ects", type=click.FloatRange(min=0), default=None)
@click.option("--comparison", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The comparison it rests on: a JSON file from `microhe compare --format json`.")
@click.option("--decided-by", default=None, help="Who decided (default: $USER).")
@click.option("--note", default=None)
def decision_record(store_path, credential, institution, purpose, outcome, credited_ects, comparison, decided_by,
                    note) -> None:
    """Record a decision; prints its IRI alone on stdout."""
    import os

    from microhe.recognition.decisions import DecisionError, record_decision

    comp = None
    if comparison is not None:
        try:
            comp = json.loads(comparison.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            _fail(f"{comparison}: not a readable JSON comparison: {e}", EXIT_USAGE)
        if not isinstance(comp, dict):
            _fail(f"{comparison}: a comparison is a JSON object", EXIT_USAGE)
    store, settings = open_store(store_path, http="POST /api/recognition/decisions")
    try:
        iri = record_decision(store, credential=credential, institution=institution, purpose=purpose,
                              outcome=outcome, credited_ects=credited_ects, comparison=comp, note=note,
                              decided_by=decided_by or os.environ.get("USER") or "microhe-cli", base=settings.base)
    except DecisionError as e:
        _fail(str(e), EXIT_USAGE)
    click.echo(iri)


@decision_group.command("list")
@store_option
@click.option("--credential", default=None, metavar="IRI")
@click.option("--issuer", default=None, metavar="IRI", help="Decisions about credentials of this issuer.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def decision_list(store_path, credential, issuer, fmt) -> None:
    """List recorded decisions (oldest first)."""
    from microhe.recognition.decisions import DecisionError, list_decisions

    store, _ = open_store(store_path, writes=False, http="GET /api/recognition/decisions")
    try:
        rows = list_decisions(store, credential=credential, issuer=issuer)
    except DecisionError as e:
        _fail(str(e), EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for d in rows:
        ects = f" {d['credited_ects']:g} ECTS" if d["credited_ects"] is not None else ""
        click.echo(f"{d['time']}  {d['outcome']}{ects} ({d['purpose']})  {d['credential']}  by {d['institution']}")


def run() -> None:  # pragma: no cover - console entry alias
    main()


if __name__ == "__main__":  # pragma: no cover
    main()
