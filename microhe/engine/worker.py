"""A query worker process: ``python -m microhe.engine.worker READ_FD WRITE_FD MEMORY_MB``.

Started and killed by :mod:`microhe.engine.pool`. It answers queries on a read-only
snapshot of the store (``Store.backup`` of a committed state) and nothing else, so killing
it at any moment loses nothing but the query it runs. It imports pyoxigraph and
:mod:`microhe.engine.results` only (no FastAPI, no rdflib): a replacement is ready in a
fraction of a second.

* Memory: its data segment is limited to MEMORY_MB (``RLIMIT_DATA``) before anything is
  loaded; a query that needs more makes pyoxigraph's allocator abort the process
  ("memory allocation of N bytes failed", SIGABRT), which the pool reports as the memory
  limit. The pool also kills it when its resident size passes the limit.
* Parent gone: a thread exits the process when its parent changes (the server died),
  even in the middle of a query (pyoxigraph releases the GIL while it evaluates).
* Protocol: length-prefixed pickles over two pipes (only ever between this process and
  the server that started it). In: ``("open", path)`` or ``("job", path, Job)``. Out:
  ``("ready",)``, ``("answer", Answer)`` or ``("failure", status, message, headers)``.
"""

from __future__ import annotations

import os
import pickle
import resource
import struct
import sys
import threading

_HEADER = struct.Struct("!Q")


def send(fd: int, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exactly(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other end of the pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(fd: int):
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return pickle.loads(_read_exactly(fd, size))


def limit_memory(megabytes: int) -> None:
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            threading.Event().wait(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _Snapshot:
    """A read-only snapshot with the query method :func:`microhe.engine.results.evaluate` calls."""

    def __init__(self, path: str):
        import pyoxigraph as ox

        self.path = path
        self.db = ox.Store.read_only(path)

    def query(self, sparql: str, **kwargs):
        from microhe.engine.results import query

        return query(self.db, sparql, **kwargs)


def serve(read_fd: int, write_fd: int) -> None:
    from microhe.engine.results import QueryFailure, evaluate

    snapshot: _Snapshot | None = None

    def open_snapshot(path: str) -> _Snapshot:
        nonlocal snapshot
        if snapshot is None or snapshot.path != path:
            snapshot = None  # the old one is closed before the new one opens
            snapshot = _Snapshot(path)
        return snapshot

    while True:
        try:
            message = receive(read_fd)
        except EOFError:
            return
        if message[0] == "open":
            try:
                open_snapshot(message[1])
            except Exception as e:  # noqa: BLE001 - the pool says what went wrong
                send(write_fd, ("failure", 500, f"cannot open the snapshot {message[1]}: {e}", {}))
                return
            send(write_fd, ("ready",))
            continue
        _, path, job = message
        reply: tuple
        try:
            reply = ("answer", evaluate(open_snapshot(path), job))
        except QueryFailure as e:
            reply = ("failure", e.status, str(e), e.headers)
        except Exception as e:  # noqa: BLE001 - reported to the request, the worker lives on
            reply = ("failure", 500, f"the query could not be evaluated: {type(e).__name__}: {e}", {})
        send(write_fd, reply)


def main(argv: list[str]) -> None:
    read_fd, write_fd, megabytes = int(argv[0]), int(argv[1]), int(argv[2])
    limit_memory(megabytes)
    _exit_with_parent()
    serve(read_fd, write_fd)


if __name__ == "__main__":
    main(sys.argv[1:])
