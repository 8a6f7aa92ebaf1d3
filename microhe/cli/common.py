"""What every command shares: exit codes, messages on stderr, options, opening the store.

Exit codes: 0 success; 1 the data was refused (SHACL violations, learner data, a
conflict with what is stored); 2 the call was wrong, the input could not be read or
parsed, or something needed is unavailable. The code of a refusal is chosen in one
place, :data:`EXIT_CODES`, from the category of the library error
(:mod:`microhe.errors`); :class:`Group` applies it to any error a command lets through.

Only light modules are imported here (click, pyoxigraph, settings, the store): the heavy
ones (rdflib, pyshacl, fastapi, uvicorn, owlready2, httpx) are imported inside the
commands that use them, so ``microhe --help`` and the read commands start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from microhe.errors import (
    Conflict,
    InputError,
    MicroheError,
    NotFound,
    Unavailable,
    ValidationFailed,
    category,
)
from microhe.settings import Settings, get_settings
from microhe.store import open_configured, served
from microhe.store.base import StoreError, StoreLockedError
from microhe.store.embedded import Store

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

#: The exit code of each category of library error: the one place it is chosen.
EXIT_CODES: dict[type[MicroheError], int] = {
    InputError: EXIT_USAGE,
    ValidationFailed: EXIT_REFUSED,
    Conflict: EXIT_REFUSED,
    NotFound: EXIT_USAGE,
    Unavailable: EXIT_USAGE,
}


def exit_code(e: MicroheError) -> int:
    for cls in type(e).__mro__:  # InvalidValue is an InputError
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return EXIT_USAGE


def spell_option(option: str) -> str:
    """How the command line offers an option a library message suggests."""
    return f"--{option}"


def err(message: str) -> None:
    click.echo(message, err=True)


def fail(e: MicroheError, prefix: str = "") -> NoReturn:
    """Report a refusal on stderr (``error: <prefix><message>``) and exit with the code
    of its category."""
    err(f"error: {prefix}{e.render(spell_option)}")
    sys.exit(exit_code(e))


class Group(click.Group):
    """The command group: a library error a command does not handle itself ends the
    command with its message and the exit code of its category; the settings are read
    first, so a ``MICROHE_*`` variable with a value its setting does not allow stops every
    command the same way (``microhe.settings.SettingsError``, exit 2)."""

    def invoke(self, ctx: click.Context):
        try:
            if ctx.parent is None:
                get_settings()  # a MICROHE_* variable with a bad value: exit 2 before the command does anything
            return super().invoke(ctx)
        except MicroheError as e:
            assert category(e) is not None, type(e)
            fail(e)


store_option = click.option(
    "--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Store directory (default: $MICROHE_STORE, else microhe/store in the platform's data directory, "
         "e.g. ~/.local/share/microhe/store on Linux).",
)


context_dir_option = click.option(
    "--context-dir", "context_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of JSON-LD contexts microhe does not bundle, listed in its index.json "
         '({"contexts": {"<URL>": "<file name>"}}); default: $MICROHE_CONTEXT_DIR. Nothing is fetched.',
)


def contexts_for(context_dir: Path | None):
    """The context directory ``--context-dir`` names, else the setting (None: neither).
    A directory that cannot be used is an InputError (exit 2) saying what to fix."""
    from microhe.rdf.context_dir import open_context_dir

    return open_context_dir(context_dir if context_dir is not None else get_settings().context_dir)


def fmt_option(*choices: str, default: str | None = None):
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default or choices[0],
                        show_default=True)


def settings_for(store_path: Path | None) -> Settings:
    return get_settings(store=store_path)


def open_store(store_path: Path | None, *, initialise_if_empty: bool = True, writes: bool = True,
               http: str | None = None) -> tuple[Store, Settings]:
    """Open the configured store; a new (empty) store gets the reference graphs.

    A store held by `microhe serve` is refused with what to do: stop the server, or use
    ``http`` (its HTTP route for what the command does). ``writes`` says whether the
    command writes (the read commands that can ask the server use
    :func:`microhe.cli.remote.open_for_reading`)."""
    settings = settings_for(store_path)
    try:
        store = open_configured(settings)  # remote when MICROHE_SPARQL_ENDPOINT is set
    except StoreLockedError as e:
        raise StoreLockedError(locked_message(settings, e, server_of(settings), writes=writes, http=http)) from None
    return opened(store, settings, initialise_if_empty), settings


def server_of(settings: Settings) -> served.Address | None:
    """The running server that holds the embedded store, if one answers."""
    return None if settings.sparql_endpoint else served.running(settings.store)


def locked_message(settings: Settings, e: StoreError, address: served.Address | None, *, writes: bool,
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


def opened(store, settings: Settings, initialise_if_empty: bool) -> Store:
    """A store just opened, ready for a command: closed when the command ends, given the
    reference graphs when new, its stale server address file removed."""
    from microhe.ingest.load import initialise

    where = settings.sparql_endpoint or settings.store
    if getattr(store, "rolled_back", None) is not None:
        err(f"warning: {store.rolled_back.describe()}; the store was rolled back to its state before it")
    # Close the store when the command ends, however it ends (exit codes included).
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    if initialise_if_empty and store.is_empty():
        err(f"initialising a new store at {where} with the reference graphs")
        initialise(store)
    if isinstance(store, Store) and store.path is not None and not store.read_only:
        # this process holds the store's lock, so no server does: an address file is stale
        # (left by a server that was killed)
        served.remove(store.path)
    return store


def is_iri(value: str) -> bool:
    from microhe.rdf.iri import is_absolute_iri

    return is_absolute_iri(value)


def emit(doc, fmt: str, text_lines) -> None:
    """A document (a dict, or a typed result: its ``to_json()``, the JSON the API sends) as
    JSON, or as the lines ``text_lines(doc)`` makes of it."""
    import json

    if fmt == "json":
        data = doc.to_json() if hasattr(doc, "to_json") else doc
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for line in text_lines(doc):
            click.echo(line)


__all__ = [
    "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "EXIT_CODES", "exit_code", "spell_option", "err", "fail",
    "Group", "store_option", "context_dir_option", "contexts_for", "fmt_option", "settings_for",
    "open_store", "server_of", "locked_message", "opened", "is_iri", "emit"]
