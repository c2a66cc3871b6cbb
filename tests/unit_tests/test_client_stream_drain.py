"""What of a stream is read after the caller is done with it.

httpx returns a connection to the pool only when the body was read to its
end, so the client reads on after ``[DONE]`` or an early stop, within
`_pool.DRAIN_MAX_BYTES`, and not at all after a cancellation or interrupt.
(That the pool then really reuses the connection is shown over loopback in
tests/emulator_tests/test_stream_connection_reuse.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from langchain_openrouter_free import _pool
from tests.unit_tests._client_harness import (
    SSE_BODY,
    SSE_CT,
    SSE_DATA,
    Build,
    harness_builder,
)

EVENT = b'data: {"choices":[{"index":0,"delta":{"content":"more"}}]}\n\n'


@pytest.fixture
def wire(mode: str) -> Build:
    return harness_builder(mode)


class CountingBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of ``chunks`` (endless when ``forever``) that counts what was pulled."""

    def __init__(self, *chunks: bytes, forever: bool = False) -> None:
        self.chunks = chunks
        self.forever = forever
        self.pulled = 0

    def _pieces(self) -> Iterator[bytes]:
        while True:
            for chunk in self.chunks:
                self.pulled += 1
                yield chunk
            if not self.forever:
                return

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces():
            yield piece


def _stream_reply(body: CountingBody) -> httpx.Response:
    return httpx.Response(200, headers=SSE_CT, stream=body)


def _split(body: bytes) -> list[bytes]:
    return [block + b"\n\n" for block in body.split(b"\n\n") if block]


async def test_the_rest_is_read_after_done(wire: Build) -> None:
    chunks = [*_split(SSE_BODY), b": trailing comment\n\n"]
    body = CountingBody(*chunks)
    h = wire(_stream_reply(body))
    assert await h.stream(take=len(SSE_DATA)) == SSE_DATA
    assert body.pulled == len(chunks)


async def test_the_rest_is_read_after_the_caller_stops_early(wire: Build) -> None:
    chunks = _split(SSE_BODY)
    body = CountingBody(*chunks)
    h = wire(_stream_reply(body))
    assert await h.stream(take=1) == SSE_DATA[:1]
    assert body.pulled == len(chunks)


async def test_reading_on_stops_at_the_byte_bound(
    wire: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The time bound must not end the read first on a slow machine.
    monkeypatch.setattr(_pool, "DRAIN_MAX_SECONDS", 3600.0)
    body = CountingBody(EVENT, forever=True)
    h = wire(_stream_reply(body))
    assert await h.stream(take=1) == [EVENT[6:-2].decode()]
    bound_in_events = _pool.DRAIN_MAX_BYTES // len(EVENT)
    assert bound_in_events < body.pulled <= bound_in_events + 3


@pytest.mark.parametrize(
    "interruption",
    [KeyboardInterrupt, asyncio.CancelledError],
    ids=["interrupt", "cancel"],
)
async def test_nothing_more_is_read_after_an_interruption(
    wire: Build, interruption: type[BaseException]
) -> None:
    body = CountingBody(*_split(SSE_BODY))
    h = wire(_stream_reply(body))
    with pytest.raises(interruption):
        await h.open_stream_and_fail(interruption())
    assert body.pulled == 0


async def test_the_rest_is_read_after_the_caller_raises(wire: Build) -> None:
    chunks = _split(SSE_BODY)
    body = CountingBody(*chunks)
    h = wire(_stream_reply(body))
    with pytest.raises(RuntimeError, match="caller"):
        await h.open_stream_and_fail(RuntimeError("caller"))
    assert body.pulled == len(chunks)


async def test_reading_on_stops_when_the_time_is_spent(
    wire: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_pool, "DRAIN_MAX_SECONDS", -1.0)
    body = CountingBody(EVENT, forever=True)
    h = wire(_stream_reply(body))
    assert await h.stream(take=1) == [EVENT[6:-2].decode()]
    assert body.pulled <= 3
