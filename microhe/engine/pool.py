"""Queries that cannot take the server down: a pool of killable worker processes.

pyoxigraph cannot interrupt a query (an aggregate or an ``ORDER BY`` is computed before
its first row; no timeout; signals wait until ``query()`` returns) and has no memory
limit, so a query run in the server process can keep a core busy for minutes and grow
the server to gigabytes. Here each query runs in a worker process
(:mod:`microhe.engine.worker`) on a read-only snapshot of the store
(:mod:`microhe.engine.snapshots`); writes stay in the server process. What a runaway
costs is its own worker:

* **Deadline**: a job admitted at ``t`` must be answered by ``t + timeout``. At the
  deadline the worker running it is killed (SIGKILL) and a replacement started at once; the
  request gets :class:`QueryStopped` ("timed out after N s; the query was stopped"). A job
  still waiting for a worker at its deadline is never run.
* **Memory**: each worker's data segment is limited to ``memory_mb`` (``RLIMIT_DATA``: the
  allocation that passes it aborts the worker); a supervisor thread also kills a busy
  worker whose resident size passes the limit (checked every 100 ms). Either way: "exceeded
  the memory limit of N MB". The server process never holds more of a result than the
  row cap allows.
* **Fairness**: one client runs at most ``client_share`` jobs at a time; its further jobs
  wait (a free worker takes the oldest job of a client under its share), so one client's
  runaways leave workers to the others while a busy but honest client (eight threads of a
  harvester) is queued rather than refused.
* **Admission**: at most ``workers + queue`` jobs running or waiting (:class:`PoolBusy`
  beyond), and at most ``client_share + queue`` of them from one client
  (:class:`ClientBusy`), so one client cannot fill the whole waiting line either.
* Every refusal is a :class:`QueryRefused` (HTTP 503) whose ``retry_after`` is the time
  until the earliest running deadline ends (rounded up, at least 1 s).

Processes, not ``fork``: the server has RocksDB and threads open. Each worker is a fresh
interpreter (``python -m microhe.engine.worker``, started with ``subprocess`` rather than
``multiprocessing``'s spawn, which would re-import the server's ``__main__``, i.e. the
CLI with FastAPI, in every worker), so a replacement is ready in ~0.2 s.

Over 400 lines because admission, the slots' threads and the supervisor share one lock
and one set of tickets; the worker's side and the snapshots are modules of their own.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from microhe.engine.results import Answer, Job, QueryFailure
from microhe.engine.snapshots import Snapshots
from microhe.engine.worker import receive, send

log = logging.getLogger("microhe.query_pool")

#: How often the supervisor looks at deadlines and memory (seconds).
TICK = 0.1
#: How long a new worker may take to start and open its snapshot (seconds).
START_TIMEOUT = 60.0


class QueryRefused(Exception):
    """The query was not answered (HTTP 503); try again in ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class PoolBusy(QueryRefused):
    """Every worker is busy and the waiting line is full."""


class ClientBusy(QueryRefused):
    """This client already has its share of the workers."""


class QueryStopped(QueryRefused):
    """The query was stopped: ``reason`` is ``timeout``, ``memory``, ``died`` or ``shutdown``."""

    def __init__(self, message: str, retry_after: int, reason: str):
        super().__init__(message, retry_after)
        self.reason = reason


class _Ticket:
    """One admitted job: waiting, then running on a worker, then done."""

    __slots__ = ("job", "client", "deadline", "future", "slot")

    def __init__(self, job: Job, client: str, deadline: float):
        self.job = job
        self.client = client
        self.deadline = deadline
        self.future: Future = Future()
        self.slot: _Slot | None = None


class _Slot:
    """A place for one worker process; the thread of the slot feeds it jobs and replaces it
    when it dies."""

    def __init__(self, index: int):
        self.index = index
        self.proc: subprocess.Popen | None = None
        self.to_worker = -1
        self.from_worker = -1
        self.ticket: _Ticket | None = None
        self.kill_reason: str | None = None
        self.thread: threading.Thread | None = None
        self.ready = False  # started and its snapshot open

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None


def worker_command(memory_mb: int, read_fd: int, write_fd: int) -> list[str]:
    return [sys.executable, "-m", "microhe.engine.worker", str(read_fd), str(write_fd), str(memory_mb)]


def _worker_env() -> dict[str, str]:
    """The server's environment, with this copy of microhe first on the import path (so a
    worker runs the same code as the server, whatever is installed)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def resident_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class QueryPool:
    """``workers`` worker processes over snapshots of ``store`` (an embedded store on disk)."""

    def __init__(self, store, *, workers: int = 4, queue: int = 8, client_share: int | None = None,
                 timeout: float = 30.0, memory_mb: int = 1024):
        if workers < 1:
            raise ValueError("query_workers must be at least 1")
        self.workers = workers
        self.capacity = workers + max(0, queue)
        self.queue_size = max(0, queue)
        self.client_share = max(1, client_share if client_share else workers // 2)
        self.timeout = float(timeout)
        self.memory_mb = int(memory_mb)
        self.snapshots = Snapshots(store)
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._waiting: collections.deque[_Ticket] = collections.deque()
        self._admitted: set[_Ticket] = set()
        self._per_client: collections.Counter[str] = collections.Counter()  # admitted (running + waiting)
        self._running: collections.Counter[str] = collections.Counter()
        self.client_queue = max(0, queue)
        self._slots = [_Slot(i) for i in range(workers)]
        self._closed = False
        self._started = False
        self._supervisor: threading.Thread | None = None
        self._env = _worker_env()

    # -- life cycle --------------------------------------------------------------------

    def start(self, wait: bool = True) -> QueryPool:
        """Take the first snapshot and start the workers (by default: wait until they are
        ready, so the first query does not pay for their start)."""
        with self._lock:
            if self._started:
                return self
            self._started = True
        self.snapshots.reset()
        for slot in self._slots:
            slot.thread = threading.Thread(target=self._serve, args=(slot,), name=f"microhe-query-slot-{slot.index}",
                                           daemon=True)
            slot.thread.start()
        self._supervisor = threading.Thread(target=self._supervise, name="microhe-query-supervisor", daemon=True)
        self._supervisor.start()
        if wait:
            end = time.monotonic() + START_TIMEOUT
            while time.monotonic() < end and len(self.pids()) < self.workers and not self._closed:
                time.sleep(0.02)
        return self

    def close(self) -> None:
        """Stop every worker (their queries are answered 503), remove the snapshots."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            waiting = list(self._waiting)
            self._waiting.clear()
            for slot in self._slots:
                if slot.proc is not None:
                    slot.kill_reason = "shutdown"
                    _kill(slot.proc)
            self._wakeup.notify_all()
        for t in waiting:
            self._fail(t, "shutdown")
        for slot in self._slots:
            if slot.thread is not None:
                slot.thread.join(timeout=10)
        if self._supervisor is not None:
            self._supervisor.join(timeout=10)
        self.snapshots.close()

    # -- introspection (tests, health) -------------------------------------------------

    def pids(self) -> list[int]:
        """The worker processes that are up and ready."""
        with self._lock:
            return [s.proc.pid for s in self._slots if s.proc is not None and s.ready]

    def busy_pids(self) -> list[int]:
        with self._lock:
            return [s.proc.pid for s in self._slots if s.proc is not None and s.ticket is not None]

    @property
    def admitted(self) -> int:
        with self._lock:
            return len(self._admitted)

    # -- submitting --------------------------------------------------------------------

    def submit(self, job: Job, client: str = "") -> Future:
        """Admit ``job`` for ``client``; its future gets an :class:`Answer`, or raises
        :class:`QueryFailure` / :class:`QueryStopped`. Raises :class:`PoolBusy` or
        :class:`ClientBusy` when not admitted."""
        if not self._started:
            self.start(wait=False)
        with self._lock:
            if self._closed:
                raise QueryStopped("the server is shutting down; try again shortly", 1, "shutdown")
            now = time.monotonic()
            if self._per_client[client] >= self.client_share + self.client_queue:
                raise ClientBusy(
                    f"this client has too many queries running or waiting ({self._per_client[client]}; one client "
                    f"runs at most {self.client_share} of the {self.workers} query workers at a time and may have "
                    f"{self.client_queue} more waiting); wait for one to finish and try again in "
                    f"{self._retry_after(now)} s", self._retry_after(now))
            if len(self._admitted) >= self.capacity:
                raise PoolBusy(
                    f"all {self.workers} query workers are busy and {self.queue_size} queries are waiting; "
                    f"try again in {self._retry_after(now)} s", self._retry_after(now))
            ticket = _Ticket(job, client, now + self.timeout)
            self._admitted.add(ticket)
            self._per_client[client] += 1
            self._waiting.append(ticket)
            self._wakeup.notify()
        return ticket.future

    async def run(self, job: Job, client: str = "") -> Answer:
        """Run ``job`` and await its answer (raises as :meth:`submit` and its future do).
        A request that goes away stops its query."""
        future = self.submit(job, client)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout + 10)
        except TimeoutError:  # the supervisor missed it: never wait forever
            self._cancel(future)
            raise QueryStopped(self._timeout_message(), 1, "timeout") from None
        except asyncio.CancelledError:
            self._cancel(future)
            raise

    def _cancel(self, future: Future) -> None:
        with self._lock:
            for t in list(self._admitted):
                if t.future is future:
                    if t.slot is None:
                        self._waiting.remove(t)
                        self._release(t)
                    elif t.slot.ticket is t and t.slot.proc is not None:
                        t.slot.kill_reason = "cancelled"
                        _kill(t.slot.proc)
        future.cancel()

    # -- under self._lock --------------------------------------------------------------

    def _retry_after(self, now: float) -> int:
        """Seconds until the earliest running deadline ends (at least 1)."""
        running = [t.deadline for t in self._admitted if t.slot is not None]
        if not running:
            return 1
        return max(1, math.ceil(min(running) - now))

    def _release(self, ticket: _Ticket) -> None:
        if ticket in self._admitted:
            self._admitted.discard(ticket)
            self._per_client[ticket.client] -= 1
            if self._per_client[ticket.client] <= 0:
                del self._per_client[ticket.client]
            if ticket.slot is not None:
                self._running[ticket.client] -= 1
                if self._running[ticket.client] <= 0:
                    del self._running[ticket.client]
                self._wakeup.notify_all()  # a job of this client may now run

    def _take_waiting(self) -> _Ticket | None:
        """The oldest waiting job whose client runs fewer than its share (or None)."""
        for t in self._waiting:
            if self._running[t.client] < self.client_share:
                self._waiting.remove(t)
                return t
        return None

    # -- answers -----------------------------------------------------------------------

    def _timeout_message(self) -> str:
        return (f"the query timed out after {self.timeout:g} s; the query was stopped. Make it more selective "
                "(LIMIT, a narrower pattern, fewer OPTIONALs) or ask the operator for a longer limit "
                "(MICROHE_QUERY_TIMEOUT)")

    def _message(self, reason: str, status: int | None = None) -> str:
        if reason == "timeout":
            return self._timeout_message()
        if reason == "waited":
            return (f"the query timed out after {self.timeout:g} s waiting for a free query worker; it was not "
                    "run. Try again later")
        if reason == "memory":
            return (f"the query exceeded the memory limit of {self.memory_mb} MB; the query was stopped. Make it "
                    "more selective (LIMIT, a narrower pattern, no ORDER BY over a large join) or ask the operator "
                    "for a larger limit (MICROHE_QUERY_MEMORY_MB)")
        if reason == "shutdown":
            return "the server is shutting down; the query was stopped. Try again shortly"
        if reason == "cancelled":
            return "the request went away; the query was stopped"
        return (f"the query worker stopped unexpectedly (exit status {status}); the query was not answered. "
                "Try again; if it happens again, report it with the query")

    def _fail(self, ticket: _Ticket, reason: str, status: int | None = None) -> None:
        with self._lock:
            self._release(ticket)
            retry = self._retry_after(time.monotonic())
        if not ticket.future.done():
            reason_out = "timeout" if reason == "waited" else reason
            ticket.future.set_exception(QueryStopped(self._message(reason, status), retry, reason_out))

    # -- the workers -------------------------------------------------------------------

    def _serve(self, slot: _Slot) -> None:
        """The thread of one slot: start a worker, feed it jobs, replace it when it dies."""
        failures = 0
        while not self._closed:
            if slot.proc is None:
                try:
                    self._spawn(slot)
                    failures = 0
                except Exception as e:  # noqa: BLE001 - logged; retried with a pause
                    failures += 1
                    log.error("query worker %d could not start: %s", slot.index, e)
                    self._reap(slot)
                    with self._lock:
                        if not self._closed:
                            self._wakeup.wait(min(30.0, 0.5 * failures))
                    continue
            ticket = self._next(slot)
            if ticket is None:
                break
            self._run(slot, ticket)
        self._reap(slot)

    def _spawn(self, slot: _Slot) -> None:
        to_read, to_write = os.pipe()
        from_read, from_write = os.pipe()
        try:
            proc = subprocess.Popen(worker_command(self.memory_mb, to_read, from_write), pass_fds=(to_read, from_write),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=self._env,
                                    close_fds=True)
        except BaseException:
            for fd in (to_read, to_write, from_read, from_write):
                os.close(fd)
            raise
        os.close(to_read)
        os.close(from_write)
        with self._lock:
            slot.proc, slot.to_worker, slot.from_worker = proc, to_write, from_read
            slot.kill_reason = None
            slot.ready = False
            if self._closed:
                _kill(proc)
        path = self.snapshots.checkout(slot)
        send(slot.to_worker, ("open", path))
        ready, _, _ = select.select([slot.from_worker], [], [], START_TIMEOUT)
        if not ready:
            raise RuntimeError(f"the worker did not start within {START_TIMEOUT:g} s")
        reply = receive(slot.from_worker)
        if reply[0] != "ready":
            raise RuntimeError(reply[2])
        self.snapshots.release(slot, keep=path)
        with self._lock:
            slot.ready = True

    def _next(self, slot: _Slot) -> _Ticket | None:
        """The next waiting job (None when the pool closes); it is running on ``slot`` from
        here. Jobs past their deadline are answered, never run."""
        expired: list[_Ticket] = []
        found = None
        with self._lock:
            while not self._closed and found is None:
                ticket = self._take_waiting()
                if ticket is None:
                    self._wakeup.wait()
                    continue
                if time.monotonic() >= ticket.deadline:
                    expired.append(ticket)
                    continue
                ticket.slot = slot
                self._running[ticket.client] += 1
                slot.ticket = found = ticket
        for t in expired:
            self._fail(t, "waited")
        return found

    def _run(self, slot: _Slot, ticket: _Ticket) -> None:
        reply = None
        try:
            path = self.snapshots.checkout(slot)
            send(slot.to_worker, ("job", path, ticket.job))
            reply = receive(slot.from_worker)
        except (OSError, EOFError) as e:
            log.debug("query worker %d: %s", slot.index, e)
        except Exception as e:  # noqa: BLE001 - e.g. an unpicklable reply from a dying worker
            log.error("query worker %d: %s", slot.index, e)
        with self._lock:
            slot.ticket = None
            killed, slot.kill_reason = slot.kill_reason, None
        if reply is None or killed is not None:
            status = self._reap(slot)
            if reply is None:
                reason = killed or ("memory" if status == -signal.SIGABRT else "died")
                self._fail(ticket, reason, status)
                return
        else:
            self.snapshots.release(slot, keep=path)
        with self._lock:
            self._release(ticket)
        if ticket.future.done():
            return
        if reply[0] == "answer":
            ticket.future.set_result(reply[1])
        else:
            ticket.future.set_exception(QueryFailure(reply[1], reply[2], reply[3]))

    def _reap(self, slot: _Slot) -> int | None:
        """Make sure the worker of ``slot`` is gone and reaped; its exit status."""
        with self._lock:
            proc, slot.proc = slot.proc, None
            fds = (slot.to_worker, slot.from_worker)
            slot.to_worker = slot.from_worker = -1
            slot.ready = False
        if proc is None:
            return None
        try:
            status = proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            _kill(proc)
            status = proc.wait()
        for fd in fds:
            if fd >= 0:
                os.close(fd)
        self.snapshots.drop(slot)
        return status

    # -- the supervisor ----------------------------------------------------------------

    def _supervise(self) -> None:
        """Every TICK: fail waiting jobs past their deadline, kill workers past theirs or
        past the memory limit."""
        while True:
            expired: list[_Ticket] = []
            with self._lock:
                if self._closed:
                    return
                now = time.monotonic()
                for t in list(self._waiting):
                    if now >= t.deadline:
                        self._waiting.remove(t)
                        expired.append(t)
                busy = [(s, s.ticket) for s in self._slots if s.ticket is not None and s.proc is not None]
                for slot, ticket in busy:
                    if now >= ticket.deadline:
                        self._kill(slot, "timeout")
            for t in expired:
                self._fail(t, "waited")
            for slot, ticket in busy:
                pid = slot.pid
                if pid is not None and resident_mb(pid) > self.memory_mb:
                    with self._lock:
                        if slot.ticket is ticket and slot.kill_reason is None:
                            self._kill(slot, "memory")
            time.sleep(TICK)

    def _kill(self, slot: _Slot, reason: str) -> None:
        # under self._lock
        if slot.kill_reason is None and slot.proc is not None:
            slot.kill_reason = reason
            _kill(slot.proc)


def _kill(proc: subprocess.Popen) -> None:
    try:
        proc.send_signal(signal.SIGKILL)
    except (ProcessLookupError, OSError):
        pass


def engine_for(settings, store) -> str:
    """``processes`` or ``threads``: the setting when it can be followed, else processes for
    an embedded store on disk and threads for one in memory or a remote store (whose server
    runs the queries)."""
    on_disk = getattr(store, "path", None) is not None and hasattr(store, "raw") and not getattr(store, "read_only", False)
    wanted = getattr(settings, "query_engine", None)
    if wanted == "threads" or not on_disk:
        if wanted == "processes":
            log.warning("MICROHE_QUERY_ENGINE=processes needs an embedded store on disk; using threads")
        return "threads"
    return "processes"


def pool_for(settings, store) -> QueryPool:
    return QueryPool(store, workers=settings.query_workers, queue=settings.query_queue,
                     client_share=settings.client_share, timeout=settings.query_timeout,
                     memory_mb=settings.query_memory_mb)


__all__ = ["QueryPool", "QueryRefused", "PoolBusy", "ClientBusy", "QueryStopped", "engine_for", "pool_for"]
