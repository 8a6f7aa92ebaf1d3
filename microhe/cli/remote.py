"""The read commands while `microhe serve` holds the store: ask the server instead.

The embedded store admits one process; while a server holds it, ``graphs``, ``dump``,
``query``, ``level``, ``credits`` and ``search`` call the server's route that runs the
same library function, and print its answer with their own formatting, so the output
is the same either way. The client is stdlib only (:mod:`microhe.store.served`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from microhe.cli.common import err, locked_message, opened, server_of, settings_for
from microhe.cli.output import print_result
from microhe.errors import InputError, Unavailable
from microhe.rdf import formats
from microhe.store import open_configured, served
from microhe.store.base import StoreLockedError
from microhe.store.embedded import Store

#: What the CLI asks the server for: lossless formats it parses back into pyoxigraph
#: results, so :func:`print_result` formats them exactly as an in-process result.
SERVED_ACCEPT = f"{formats.SPARQL_JSON}, {formats.N_TRIPLES};q=0.9"


def open_for_reading(store_path: Path | None) -> tuple[Store | None, served.Client | None]:
    """The store, or, when `microhe serve` holds it (its RocksDB lock) and answers, a
    client of that server: ``(store, None)`` or ``(None, client)``. A store locked by
    anything else (a `microhe load` under way, a server that does not answer) is
    refused as before."""
    settings = settings_for(store_path)
    try:
        store = open_configured(settings)
    except StoreLockedError as e:
        address = server_of(settings)
        if address is None:
            raise StoreLockedError(locked_message(settings, e, None, writes=False, http=None)) from None
        err(f"note: the store is held by `microhe serve` (pid {address.pid}); asking it at {address.url}")
        return None, served.Client(address.url)
    return opened(store, settings, True), None


def unavailable(e: served.ServerUnavailable, what: str = "run the command on the store") -> Unavailable:
    return Unavailable(f"{e}; try again, or stop the server and {what}")


def ask(server: served.Client, path: str, params=None):
    """The JSON answer of a server route; its refusal is this command's error."""
    try:
        return server.json(path, params)
    except served.ServerUnavailable as e:
        raise unavailable(e) from None


def print_served_result(server: served.Client, query: str, nq, values: dict, bindings: dict, fmt: str) -> None:
    """Run the query on the server that holds the store: a named query by its route
    (``/api/queries/NAME``, which binds the parameters as the CLI does), a file by
    ``/sparql``. A result the server cut at its row cap is refused, never printed as if
    complete."""
    from urllib.parse import quote

    from microhe.queries.catalogue import catalogue

    try:
        if query in catalogue():
            headers, body = server.fetch(f"/api/queries/{quote(nq.name, safe='')}", values, accept=SERVED_ACCEPT)
        else:
            if bindings:
                raise InputError(f"{nq.name}: the store is held by `microhe serve`, and a query file with parameters "
                                 "cannot be sent to it (/sparql takes no parameters); stop the server, or put the "
                                 "values in the file")
            headers, body = server.fetch("/sparql", method="POST", body=nq.text_for(bindings).encode("utf-8"),
                                         content_type=formats.SPARQL_QUERY, accept=SERVED_ACCEPT)
    except served.ServerRefused as e:
        raise served.ServerRefused(e.status, f"{nq.name}: {e.message}") from None
    except served.ServerUnavailable as e:
        raise Unavailable(f"{nq.name}: {e}; try again, or stop the server and run the query on the store") from None
    if headers.get("X-Result-Truncated") == "true":
        raise InputError(f"{nq.name}: the server cut the answer at its row cap of {headers.get('X-Row-Cap')} rows "
                         "(MICROHE_ROW_CAP); nothing printed: page with LIMIT/OFFSET, or stop the server and run the "
                         "query on the store")
    media_type = (headers.get("Content-Type") or "").split(";")[0].strip()
    if media_type == formats.N_TRIPLES:
        sys.stdout.buffer.write(formats.in_memory(ox.serialize(ox.parse(body, format=ox.RdfFormat.N_TRIPLES),
                                                       format=ox.RdfFormat.N_TRIPLES)))
        return
    if media_type != formats.SPARQL_JSON:
        raise InputError(f"{nq.name}: the server answered {media_type or 'no media type'}, not SPARQL results")
    print_result(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), fmt)


def served_dump(server: served.Client) -> list[bytes]:
    """The server's dump (``/dump.nq``, streamed in store order) as sorted lines: the
    same bytes as :meth:`Store.dump` (lines sorted as UTF-8 bytes sort as code points)."""
    try:
        _, body = server.fetch("/dump.nq", accept=formats.N_QUADS)
    except served.ServerRefused as e:
        raise served.ServerRefused(e.status, f"the server refused the dump: {e.message}") from None
    except served.ServerUnavailable as e:
        raise Unavailable(f"{e}; nothing written; try again, or stop the server and run the command on the store"
                          ) from None
    lines = body.splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        raise Unavailable("the server's dump ended in the middle of a line; nothing written")
    lines.sort()
    return lines


__all__ = ["open_for_reading", "ask", "print_served_result", "served_dump", "SERVED_ACCEPT"]
