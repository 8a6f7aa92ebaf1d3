"""Stream a response body produced on one dedicated thread.

Why: pyoxigraph's iterators (``Store.quads()``, query results, parsers) are bound to the
thread that made them. Touching one from another thread aborts the whole process (a pyo3
panic, not an exception: issue #12, two concurrent ``/dump.nq`` killed the server), and
dropping one elsewhere leaks it with the store snapshot it holds. Starlette resumes a
synchronous body iterator on whichever threadpool thread is free, so a pyoxigraph iterator
must never be handed to it.

Instead a route passes a *producer*: a function that, called on the stream's own thread,
creates its iterator and yields ``bytes``. That thread makes, consumes and releases the
iterator; only ``bytes`` cross to the event loop:

* pieces are joined into chunks of about :data:`CHUNK_BYTES` and handed over at most
  :data:`AHEAD_CHUNKS` ahead of what the client has taken (a semaphore), so a slow client
  holds a few chunks in memory, never the whole body;
* when the response ends early (the client went away, the request was cancelled) the
  producer is told to stop; it stops before its next chunk, closes its iterator on its own
  thread and ends the thread;
* an error in the producer after the headers were sent is logged and ends the response
  with :class:`StreamFailed`, so the server drops the connection without the final chunk
  and the client sees a truncated transfer instead of a body that looks complete. The
  exception itself (whose traceback holds the iterator) never leaves the thread.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

log = logging.getLogger("microhe.streaming")

#: Pieces are joined into chunks of at least this many bytes (the last one may be shorter).
CHUNK_BYTES = 64 * 1024
#: Chunks the producer may have handed over that the client has not taken yet.
AHEAD_CHUNKS = 4

Producer = Callable[[], Iterable[bytes]]

_END = object()
_numbers = itertools.count(1)


class StreamFailed(Exception):
    """The producer of a streamed body failed after the response had started."""


class _Failure:
    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


class _Worker:
    """The producing side: runs on its own thread, hands chunks to the event loop.

    It holds no reference to :class:`ThreadStream`, so a stream nobody closes is still
    garbage-collected, and its ``__del__`` stops the worker."""

    def __init__(self, produce: Producer, chunk_bytes: int, ahead: int, what: str):
        self.produce = produce
        self.chunk_bytes = chunk_bytes
        self.what = what
        self.space = threading.Semaphore(ahead)
        self.stopped = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queue: asyncio.Queue | None = None
        self.thread: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
        self.loop, self.queue = loop, queue
        self.thread = threading.Thread(target=self.run, name=f"microhe-stream-{next(_numbers)}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Ask the producer to stop (from any thread); wakes it if it waits for space."""
        self.stopped.set()
        self.space.release()

    # -- on the worker thread ----------------------------------------------------------

    def run(self) -> None:
        pieces = None
        try:
            pieces = iter(self.produce())
            chunk: list[bytes] = []
            size = 0
            for piece in pieces:
                if self.stopped.is_set():
                    return
                chunk.append(piece)
                size += len(piece)
                if size >= self.chunk_bytes:
                    if not self.put(b"".join(chunk)):
                        return
                    chunk, size = [], 0
            if chunk and not self.put(b"".join(chunk)):
                return
            self.hand_over(_END)
        except BaseException as e:  # noqa: BLE001 - logged here; only a message leaves the thread
            log.error("streaming %s failed; the response is cut short", self.what, exc_info=True)
            traceback.clear_frames(e.__traceback__)  # the frames hold the iterator
            self.hand_over(_Failure(f"streaming {self.what} failed: {type(e).__name__}: {e}"))
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()  # a generator's iterator is released now, on this thread
            pieces = None

    def put(self, chunk: bytes) -> bool:
        """Hand over a chunk once there is space; False when told to stop."""
        self.space.acquire()
        return not self.stopped.is_set() and self.hand_over(chunk)

    def hand_over(self, item) -> bool:
        if self.stopped.is_set():
            return False
        loop, queue = self.loop, self.queue
        assert loop is not None and queue is not None, "the producer runs after start()"
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the event loop is closed: the server is shutting down
            self.stopped.set()
            return False
        return True


class ThreadStream:
    """An async iterator of ``bytes`` chunks made by ``produce()`` on a thread of its own,
    started at the first ``__anext__``. Close it (``aclose``) when the response ends."""

    def __init__(self, produce: Producer, *, what: str = "a response", chunk_bytes: int = CHUNK_BYTES,
                 ahead: int = AHEAD_CHUNKS):
        if chunk_bytes < 1 or ahead < 1:
            raise ValueError("chunk_bytes and ahead must be at least 1")
        self._worker = _Worker(produce, chunk_bytes, ahead, what)
        self._queue: asyncio.Queue | None = None
        self._done = False

    @property
    def thread(self) -> threading.Thread | None:
        """The producer's thread (None before the first chunk is asked for)."""
        return self._worker.thread

    def __aiter__(self) -> ThreadStream:
        return self

    async def __anext__(self) -> bytes:
        if self._done:
            raise StopAsyncIteration
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker.start(asyncio.get_running_loop(), self._queue)
        item = await self._queue.get()
        if item is _END:
            self._done = True
            raise StopAsyncIteration
        if isinstance(item, _Failure):
            self._done = True
            raise StreamFailed(item.message)
        self._worker.space.release()
        return item

    async def aclose(self) -> None:
        """Stop the producer (it ends its thread before its next chunk)."""
        self._done = True
        self._worker.stop()

    def __del__(self) -> None:
        self._worker.stop()


class ThreadStreamingResponse(StreamingResponse):
    """A ``StreamingResponse`` over a :class:`ThreadStream` that closes the stream however
    the response ends (completed, client gone, cancelled, failed)."""

    body_iterator: ThreadStream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


def stream(produce: Producer, *, media_type: str, headers: Mapping[str, str] | None = None,
           what: str = "a response") -> ThreadStreamingResponse:
    """A response whose body ``produce()`` yields, run on a thread of its own (see the module
    docs). ``produce`` must create any pyoxigraph iterator itself, inside the call, never
    receive one made by the caller: ``stream(lambda: lines(store.quads()), ...)``."""
    return ThreadStreamingResponse(ThreadStream(produce, what=what), media_type=media_type, headers=headers)


__all__ = ["stream", "ThreadStream", "ThreadStreamingResponse", "StreamFailed", "CHUNK_BYTES", "AHEAD_CHUNKS"]
