"""Bounded reading: decoded-size cap, line cap, whole-call deadline, encodings."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from langchain_openrouter_free import errors
from langchain_openrouter_free._bounds import (
    BodyDecoder,
    BodyReader,
    Bounds,
    Deadline,
    EventReader,
    StreamReader,
)
from langchain_openrouter_free._retry import RetryPolicy
from tests.unit_tests._client_harness import OK_BODY, Build, harness_builder

MIB = 1024 * 1024


@pytest.fixture
def wire(mode: str) -> Build:
    return harness_builder(mode)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def decode_all(decoder: BodyDecoder, raw: bytes, step: int = 4096) -> bytes:
    pieces = [
        p for i in range(0, len(raw), step) for p in decoder.feed(raw[i : i + step])
    ]
    return b"".join([*pieces, *decoder.flush()])


def feed_all(reader: EventReader, chunks: list[bytes]) -> list[str]:
    return [event for chunk in chunks for event in reader.feed(chunk)]


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-15)),  # raw deflate
        ("identity", lambda data: data),
        ("", lambda data: data),
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
    ],
)
def test_supported_encodings_decode_to_the_original(
    encoding: str, encode: object
) -> None:
    original = OK_BODY * 50
    raw = encode(original)  # type: ignore[operator]
    assert decode_all(BodyDecoder(encoding, MIB), raw) == original


def test_a_compression_bomb_stops_at_the_cap_without_expanding() -> None:
    bomb = gzip.compress(b"\0" * (64 * MIB), compresslevel=9)
    assert len(bomb) < 100_000
    decoder = BodyDecoder("gzip", MIB)
    with pytest.raises(errors.OpenRouterResponseTooLargeError) as caught:
        decode_all(decoder, bomb, step=len(bomb))  # one raw chunk, all at once
    assert decoder.size <= MIB + 64 * 1024  # stopped within one piece of the cap
    assert caught.value.limit == MIB
    assert caught.value.is_retryable is False


@pytest.mark.parametrize("encoding", ["zstd", "br", "compress", "gzip, zstd"])
def test_an_encoding_not_asked_for_is_a_typed_error(encoding: str) -> None:
    with pytest.raises(errors.OpenRouterServerError, match="not asked for"):
        BodyDecoder(encoding, MIB)


def test_a_corrupt_gzip_body_is_a_typed_error() -> None:
    decoder = BodyDecoder("gzip", MIB)
    with pytest.raises(errors.OpenRouterServerError, match="decompressed"):
        decode_all(decoder, b"\x1f\x8b\x08\x00garbage-that-is-not-deflate")


def test_events_split_on_every_newline_kind_across_chunk_edges() -> None:
    stream = b': OPENROUTER PROCESSING\r\n\r\ndata: {"a": 1}\r\n\r\ndata: x\rdata: y\r\rdata: z\n\n'
    for step in (1, 2, 3, 7, len(stream)):
        reader = EventReader(1024)
        events = [
            e
            for i in range(0, len(stream), step)
            for e in reader.feed(stream[i : i + step])
        ]
        assert events == ['{"a": 1}', "x\ny", "z"], step


def test_a_line_without_end_is_refused_at_the_cap() -> None:
    reader = EventReader(1000)
    chunks = [b"data: " + b"x" * 100] * 100
    with pytest.raises(errors.OpenRouterResponseTooLargeError, match="max_line_bytes"):
        feed_all(reader, chunks)


def test_an_event_of_many_data_lines_is_refused_at_the_cap() -> None:
    reader = EventReader(1000)
    chunks = [b"data: " + b"x" * 100 + b"\n"] * 100
    with pytest.raises(errors.OpenRouterResponseTooLargeError, match="event"):
        feed_all(reader, chunks)


def test_the_deadline_stops_body_and_stream_reads() -> None:
    clock = FakeClock()
    bounds = Bounds(total_timeout=5.0, clock=clock)
    body = BodyReader("", bounds, bounds.deadline())
    stream = StreamReader("", bounds, bounds.deadline())
    body.feed(b"{")
    assert stream.feed(b": keep-alive\n\n") == []
    clock.now += 5.0
    with pytest.raises(errors.OpenRouterTimeoutError, match=r"total_timeout=5\.0"):
        body.feed(b"}")
    with pytest.raises(errors.OpenRouterStreamTimeoutError, match="total_timeout"):
        stream.feed(b": keep-alive\n\n")


def test_read_timeouts_never_exceed_what_is_left() -> None:
    clock = FakeClock()
    deadline = Deadline(10.0, clock)
    assert deadline.read_timeout(30.0) == 10.0
    assert deadline.read_timeout(None) == 10.0
    clock.now += 9.5
    assert deadline.read_timeout(30.0) == pytest.approx(0.5)
    clock.now += 100
    assert deadline.read_timeout(30.0) == pytest.approx(0.001)
    assert Deadline(None, clock).read_timeout(30.0) == 30.0


async def test_a_gzip_answer_is_decoded_and_a_bomb_is_not_retried(wire: Build) -> None:
    good = httpx.Response(
        200,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
        content=gzip.compress(OK_BODY),
    )
    h = wire(good)
    assert (await h.request_json(json={}))["choices"]
    assert h.wire.requests[0].headers["accept-encoding"] == "gzip, deflate"
    bomb = httpx.Response(
        500,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
        content=gzip.compress(b" " * (16 * MIB)),
    )
    h = wire(bomb, retry=RetryPolicy(max_retries=3))
    with pytest.raises(errors.OpenRouterResponseTooLargeError):
        await h.request_json(json={})
    assert h.wire.calls == 1


async def test_no_retry_starts_past_the_deadline(wire: Build) -> None:
    clock = FakeClock()
    unavailable = httpx.Response(503, json={"error": {"code": 503, "message": "x"}})
    h = wire(unavailable, limits=Bounds(total_timeout=0.2, clock=clock))
    with pytest.raises(errors.OpenRouterServerError):
        await h.request_json(json={})
    assert h.wire.calls == 1  # the first retry would wait 0.5 s: longer than is left
