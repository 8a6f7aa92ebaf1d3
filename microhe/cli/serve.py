"""Serving commands: ``serve`` (the HTTP API over the store) and ``token`` (write tokens).

uvicorn and FastAPI are imported by ``serve`` when it runs, nowhere else in the CLI.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from microhe.cli.common import context_dir_option, contexts_for, err, settings_for, store_option
from microhe.settings import get_settings
from microhe.store import served


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


@click.command("serve")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--base", default=None, metavar="IRI", help="Base IRI of instance data (default: this server's address).")
@click.option("--demo", is_flag=True, help="Add the demo credentials to the store first.")
@context_dir_option
def serve_cmd(store_path, host, port, base, demo, context_dir) -> None:
    """Serve the SPARQL endpoint, graph store, linked data and API over the store."""
    import uvicorn

    from microhe.api import create_app
    from microhe.ingest.load import initialise
    from microhe.store import open_configured

    # --port 0: bind now, so the default base names the port the server really listens on
    # (else instance IRIs minted by uploads would read http://127.0.0.1:0/...)
    sock = _bound_socket(host) if port == 0 else None
    if sock is not None:
        port = sock.getsockname()[1]
    settings = get_settings(store=store_path, base=base or f"http://{_authority(host)}:{port}/", context_dir=context_dir)
    contexts_for(settings.context_dir)  # a context directory that cannot be used: exit 2 before serving
    store = open_configured(settings)  # remote when MICROHE_SPARQL_ENDPOINT is set; StoreError: exit 2
    if store.is_empty() or demo:
        initialise(store, demo=demo)
    app = create_app(settings, store)
    _log_to_stderr()
    if settings.generic_graph_store:
        err("warning: MICROHE_GENERIC_GRAPH_STORE is on: Graph Store writes are stored without the learner-data "
            "gate and without the 'nothing was checked' refusal (a generic Graph Store, not a clearinghouse)")
    embedded = None if settings.sparql_endpoint else Path(settings.store)

    def listening(bound_host: str, bound_port: int) -> None:
        err(f"microhe listening on http://{host}:{bound_port}/ (SPARQL endpoint http://{host}:{bound_port}/sparql, "
            f"store {settings.sparql_endpoint or settings.store})")
        if embedded is not None:  # the read commands ask this server while it holds the store
            try:
                served.write(embedded, served.loopback_url(bound_host, bound_port))
            except OSError as e:
                err(f"warning: cannot write {served.address_file(embedded)}: {e}; read commands on this "
                    "store will refuse while the server runs")

    def stopping() -> None:  # also after a failed start; only this process's own file
        if embedded is not None:
            served.remove(embedded, pid=os.getpid())

    server = _announced_server(uvicorn, uvicorn.Config(app, host=host, port=port, log_level="warning"),
                               listening, stopping)
    try:
        server.run(sockets=[sock] if sock is not None else None)
    finally:
        stopping()


def _bound_socket(host: str):
    """A listening-ready TCP socket bound to ``host`` on a free port (uvicorn serves on it)."""
    import socket

    family, kind, proto, _, address = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}: {e}") from None
    return sock


def _authority(host: str) -> str:
    """``host`` as it stands in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


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


@click.group("token")
def token_group() -> None:
    """Manage write tokens (kept hashed in a file beside the store)."""


@token_group.command("add")
@store_option
@click.argument("name")
def token_add(store_path, name) -> None:
    """Create a token; it is printed once, alone on stdout."""
    from microhe.auth.tokens import TokenFile

    token = TokenFile.beside(settings_for(store_path).store).add(name)
    click.echo(token)
    err(f"token {name!r} created; store it now, it cannot be shown again. "
        "Send it as 'Authorization: Bearer <token>' on write requests.")


@token_group.command("list")
@store_option
def token_list(store_path) -> None:
    """List token names and creation times (never the tokens)."""
    from microhe.auth.tokens import TokenFile

    for t in TokenFile.beside(settings_for(store_path).store).list():
        click.echo(f"{t.name}\t{t.created}")


@token_group.command("revoke")
@store_option
@click.argument("name")
def token_revoke(store_path, name) -> None:
    """Revoke a token by name."""
    from microhe.auth.tokens import TokenFile

    TokenFile.beside(settings_for(store_path).store).revoke(name)
    err(f"token {name!r} revoked")


COMMANDS = [serve_cmd, token_group]
