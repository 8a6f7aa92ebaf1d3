"""A bounded pool of query workers with deadlines and admission control.

pyoxigraph has no query timeout and a running evaluation cannot be cancelled from
Python. What it does do (measured: see the report in the SPARQL router's docs) is
release the GIL while it evaluates and while it produces each next row, so a query on a
worker thread does not stall the event loop or the other workers. The design:

* ``workers`` daemon threads run queries; at most ``workers + queue`` jobs are admitted
  (running, waiting, or abandoned but still running); past that a request is refused at
  once with :class:`Saturated` (HTTP 503 + ``Retry-After``) instead of queueing forever.
* every job gets a :class:`Deadline`. The job checks it between rows
  (:meth:`Deadline.check`) and stops consuming its result once it has passed; the
  awaiting request gives up at the deadline whatever the worker is doing and answers 503
  (:class:`QueryTimeout`). A job still waiting for a worker at its deadline never starts.
* what cannot be stopped: a single pyoxigraph call that does not return (an aggregate,
  ``ORDER BY`` or ``DISTINCT`` over a huge intermediate result is computed before the
  first row; a selective filter over a cross product can spend minutes inside one
  ``next()``). Such a worker stays busy until pyoxigraph returns; the slot stays counted,
  so the damage is bounded by the pool size, and the other workers keep serving.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


class QueryTimeout(Exception):
    """The query ran past its deadline and was abandoned."""

    def __init__(self, timeout: float):
        super().__init__(f"the query did not finish within the time limit of {timeout:g} s and was abandoned; "
                         "make it more selective (LIMIT, a narrower pattern, fewer OPTIONALs) or ask the operator "
                         "for a longer limit")
        self.timeout = timeout


class Saturated(Exception):
    """Every worker is busy and the waiting line is full."""

    def __init__(self, retry_after: int):
        super().__init__(f"all query workers are busy; try again in {retry_after} s")
        self.retry_after = retry_after


class Deadline:
    """A point in time (monotonic clock) after which a job must stop; also cancellable."""

    __slots__ = ("at", "timeout", "_cancelled")

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.at = time.monotonic() + timeout
        self._cancelled = False

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @property
    def expired(self) -> bool:
        return self._cancelled or time.monotonic() >= self.at

    def cancel(self) -> None:
        self._cancelled = True

    def check(self) -> None:
        """Raise :class:`QueryTimeout` when the deadline has passed (or the job was cancelled)."""
        if self.expired:
            raise QueryTimeout(self.timeout)


class QueryExecutor:
    """``workers`` threads; admits at most ``workers + queue`` jobs at a time."""

    def __init__(self, workers: int = 4, queue_size: int = 8, *, retry_after: int = 2):
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.workers = workers
        self.capacity = workers + max(0, queue_size)
        self.retry_after = retry_after
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._admitted = 0
        self._running = 0
        self._threads: list[threading.Thread] = []
        self._closed = False

    # -- introspection (tests, health) --------------------------------------------------

    @property
    def admitted(self) -> int:
        """Jobs admitted and not yet finished (running, waiting or abandoned-but-running)."""
        return self._admitted

    @property
    def running(self) -> int:
        return self._running

    # -- submitting ----------------------------------------------------------------------

    def submit(self, fn: Callable[[Deadline], T], deadline: Deadline) -> Future:
        """Queue ``fn(deadline)``; raises :class:`Saturated` when at capacity."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the query executor is shut down")
            if self._admitted >= self.capacity:
                raise Saturated(self.retry_after)
            self._admitted += 1
            self._start_threads()
        fut: Future = Future()
        self._jobs.put((fut, fn, deadline))
        return fut

    async def run(self, fn: Callable[[Deadline], T], timeout: float) -> T:
        """Run ``fn(deadline)`` on a worker and await it for at most ``timeout`` seconds.

        Raises :class:`Saturated` (not admitted) or :class:`QueryTimeout` (deadline passed;
        the job is told to stop and, if it has not started, never starts)."""
        deadline = Deadline(timeout)
        fut = self.submit(fn, deadline)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), timeout=max(0.0, deadline.remaining()))
        except TimeoutError:
            deadline.cancel()
            fut.cancel()
            raise QueryTimeout(timeout) from None
        except asyncio.CancelledError:  # the client went away
            deadline.cancel()
            fut.cancel()
            raise

    def run_sync(self, fn: Callable[[Deadline], T], timeout: float) -> T:
        """Blocking variant of :meth:`run` (for threads that are not an event loop)."""
        deadline = Deadline(timeout)
        fut = self.submit(fn, deadline)
        try:
            return fut.result(timeout=max(0.0, deadline.remaining()))
        except TimeoutError:
            deadline.cancel()
            fut.cancel()
            raise QueryTimeout(timeout) from None

    def shutdown(self) -> None:
        """Stop the workers once their current job is done (queued jobs are cancelled)."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        for _ in threads:
            self._jobs.put(None)

    # -- workers -------------------------------------------------------------------------

    def _start_threads(self) -> None:
        # under self._lock
        while len(self._threads) < self.workers:
            t = threading.Thread(target=self._work, name=f"microhe-query-{len(self._threads)}", daemon=True)
            self._threads.append(t)
            t.start()

    def _work(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            fut, fn, deadline = item
            try:
                if deadline.expired or not fut.set_running_or_notify_cancel():
                    if not fut.done():
                        fut.set_exception(QueryTimeout(deadline.timeout))
                    continue
                with self._lock:
                    self._running += 1
                try:
                    result = fn(deadline)
                except BaseException as e:  # noqa: BLE001 - handed to the awaiting request
                    fut.set_exception(e)
                else:
                    fut.set_result(result)
                finally:
                    with self._lock:
                        self._running -= 1
            finally:
                with self._lock:
                    self._admitted -= 1
                if self._closed:
                    self._drain()

    def _drain(self) -> None:
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return
            if item is None:
                continue
            fut, _, _ = item
            fut.cancel()
            with self._lock:
                self._admitted -= 1


__all__ = ["QueryExecutor", "Deadline", "QueryTimeout", "Saturated"]
