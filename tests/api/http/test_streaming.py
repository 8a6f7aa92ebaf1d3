"""``microhe.api.http.streaming``: a body produced on one thread of its own, handed to the event
loop in bounded chunks (the mechanism behind ``/dump.nq`` and Graph Store line formats;
the server-level test is ``test_streams.py``)."""

from __future__ import annotations

import asyncio
import logging
import threading

import httpx
import pyoxigraph as ox
import pytest

from microhe.api.http.streaming import AHEAD_CHUNKS, CHUNK_BYTES, StreamFailed, ThreadStream

PIECE = b"x" * 1000
ENOUGH = 10.0  # seconds: a bound for waits on threads, far above what they take


class Canary:
    """Records the thread it is released on (stands in for a pyoxigraph iterator)."""

    def __init__(self, released_on: list[int]):
        self.released_on = released_on

    def __del__(self):
        self.released_on.append(threading.get_ident())


def collect(stream: ThreadStream, *, take: int | None = None) -> list[bytes]:
    """Chunks of ``stream`` read on an event loop (at most ``take``), then closed."""

    async def main() -> list[bytes]:
        out = []
        try:
            async for chunk in stream:
                out.append(chunk)
                if take is not None and len(out) >= take:
                    break
        finally:
            await stream.aclose()
        return out

    return asyncio.run(main())


def test_the_producer_makes_consumes_and_releases_its_iterator_on_one_thread_not_the_loops():
    seen: dict[str, set[int]] = {"made": set(), "piece": set(), "released": set()}
    released_on: list[int] = []

    def produce():
        seen["made"].add(threading.get_ident())
        canary = Canary(released_on)  # noqa: F841 - released with the generator's frame
        try:
            for _ in range(300):
                seen["piece"].add(threading.get_ident())
                yield PIECE
        finally:
            seen["released"].add(threading.get_ident())

    stream = ThreadStream(produce)
    chunks = collect(stream)
    stream.thread.join(ENOUGH)

    assert b"".join(chunks) == PIECE * 300
    producer = stream.thread.ident
    assert seen == {"made": {producer}, "piece": {producer}, "released": {producer}}
    assert released_on == [producer]
    assert producer != threading.get_ident()


def test_a_real_quad_iterator_streams_in_chunks_of_at_least_chunk_bytes():
    store = ox.Store()
    store.extend([ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal("o" * 50), ox.NamedNode("http://example.org/g")) for i in range(5000)])
    expected = b"".join(f"{q}\n".encode() for q in store)

    chunks = collect(ThreadStream(lambda: (f"{q}\n".encode() for q in store)))

    assert b"".join(chunks) == expected
    assert len(expected) > 4 * CHUNK_BYTES
    assert all(len(c) >= CHUNK_BYTES for c in chunks[:-1]) and 0 < len(chunks[-1])


def test_the_producer_never_runs_more_than_a_few_chunks_ahead_of_the_client():
    """A client that stops reading holds at most AHEAD_CHUNKS chunks: the producer waits
    for space instead of reading the whole source into memory."""
    per_chunk = -(-CHUNK_BYTES // len(PIECE))  # pieces in one chunk
    limit = (AHEAD_CHUNKS + 3) * per_chunk  # beyond what the producer may make while one chunk is held
    produced = 0
    overran = threading.Event()

    def produce():
        nonlocal produced
        while True:
            produced += 1
            if produced > limit:
                overran.set()
            yield PIECE

    stream = ThreadStream(produce)

    async def main():
        first = await stream.__anext__()
        # the client holds the first chunk and reads no more: the producer must block
        ran_ahead = await asyncio.to_thread(overran.wait, 0.5)
        await stream.aclose()
        return first, ran_ahead

    first, ran_ahead = asyncio.run(main())
    stream.thread.join(ENOUGH)
    assert len(first) >= CHUNK_BYTES
    assert not ran_ahead, f"the producer made {produced} pieces while the client held one chunk"
    assert not stream.thread.is_alive()


def test_closing_early_stops_the_producer_and_releases_its_iterator_on_its_thread():
    released_on: list[int] = []

    def produce():
        canary = Canary(released_on)  # noqa: F841
        while True:
            yield PIECE

    stream = ThreadStream(produce)
    assert len(collect(stream, take=2)) == 2
    stream.thread.join(ENOUGH)

    assert not stream.thread.is_alive()
    assert released_on == [stream.thread.ident]


def test_a_stream_nobody_closes_stops_when_it_is_dropped():
    def produce():
        while True:
            yield PIECE

    async def main() -> threading.Thread:
        stream = ThreadStream(produce)
        await stream.__anext__()
        return stream.thread  # the stream itself is dropped here, unclosed

    thread = asyncio.run(main())
    thread.join(ENOUGH)
    assert not thread.is_alive()


def test_a_failing_producer_ends_the_stream_with_an_error_and_keeps_its_iterator(caplog):
    """The chunks made before the failure arrive, then StreamFailed (so the server cuts the
    connection and the client sees a truncated body); the error is logged with its
    traceback, and the producer's locals are still released on the producer's thread
    although the log record keeps the traceback."""
    released_on: list[int] = []

    def produce():
        canary = Canary(released_on)  # noqa: F841
        for _ in range(2 * CHUNK_BYTES // len(PIECE)):
            yield PIECE
        raise OSError("the disk went away")

    stream = ThreadStream(produce, what="the dump")
    got: list[bytes] = []

    async def main():
        try:
            async for chunk in stream:
                got.append(chunk)
        finally:
            await stream.aclose()

    with caplog.at_level(logging.ERROR, logger="microhe.streaming"):
        with pytest.raises(StreamFailed, match="streaming the dump failed: OSError: the disk went away"):
            asyncio.run(main())
        stream.thread.join(ENOUGH)

    assert len(b"".join(got)) >= CHUNK_BYTES
    [record] = [r for r in caplog.records if r.name == "microhe.streaming"]
    assert "the dump" in record.getMessage() and record.exc_info is not None
    assert released_on == [stream.thread.ident]


# -- through a real server (uvicorn in a thread: no pyoxigraph iterator involved here) ----


def _stream_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("microhe-stream-")]


@pytest.fixture(scope="module")
def stream_server():
    """A small app whose routes stream an endless body, a failing one and a short one."""
    from fastapi import FastAPI

    from microhe.api.http.streaming import stream

    from ..conftest import serve

    app = FastAPI()

    def endless():
        while True:
            yield PIECE

    def failing():
        yield from [PIECE] * (2 * CHUNK_BYTES // len(PIECE))
        raise OSError("the disk went away")

    app.get("/endless")(lambda: stream(endless, media_type="text/plain", what="the endless body"))
    app.get("/failing")(lambda: stream(failing, media_type="text/plain", what="the failing body"))
    app.get("/short")(lambda: stream(lambda: [b"one ", b"two"], media_type="text/plain"))
    with serve(app) as url:
        yield url


def test_a_client_that_hangs_up_ends_the_producer_thread(stream_server):
    for _ in range(5):
        with httpx.stream("GET", stream_server + "/endless", timeout=ENOUGH) as r:
            assert r.status_code == 200 and next(r.iter_raw())

    for t in _stream_threads():
        t.join(ENOUGH)
    assert not _stream_threads(), "producer threads outlived their clients"
    assert httpx.get(stream_server + "/short", timeout=ENOUGH).content == b"one two"


def test_a_producer_failing_mid_stream_cuts_the_response_short_and_the_server_goes_on(stream_server, caplog):
    received = bytearray()
    with caplog.at_level(logging.ERROR, logger="microhe.streaming"):
        with pytest.raises(httpx.RemoteProtocolError):  # no final chunk: the client knows it is truncated
            with httpx.stream("GET", stream_server + "/failing", timeout=ENOUGH) as r:
                assert r.status_code == 200
                for chunk in r.iter_raw():
                    received += chunk

    assert CHUNK_BYTES <= len(received) < 2 * CHUNK_BYTES + len(PIECE)
    assert any("the failing body" in rec.getMessage() for rec in caplog.records)
    assert httpx.get(stream_server + "/short", timeout=ENOUGH).content == b"one two"
