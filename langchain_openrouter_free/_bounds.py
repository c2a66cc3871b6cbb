r"""Bounded time and memory for reading an answer, whatever the server sends.

Pure pieces the HTTP client feeds raw bytes through:

- `Deadline`: the whole call's time limit (``total_timeout``); every chunk
  read checks it and no read may wait longer than what is left, so
  keep-alive comments or a trickling body cannot stretch a call.
- `BodyDecoder`: undoes ``gzip`` / ``deflate`` in pieces of at most 64 KiB
  of output per step (`zlib`'s ``max_length``), counting the decoded size,
  so a compression bomb is refused after ``max_body_bytes``, not after it
  filled memory. The client asks for these two encodings only; an answer in
  another one is refused (see `BodyDecoder`).
- `EventReader`: splits an event stream into lines (``\\r\\n``, ``\\r`` or
  ``\\n``) and events, refusing a line or an event longer than
  ``max_line_bytes``.

Exceeding a size raises `OpenRouterResponseTooLargeError`, which is never
retried: the same request would get the same answer.
"""

from __future__ import annotations

import math
import re
import sys
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from langchain_openrouter_free.errors import (
    OpenRouterResponseTooLargeError,
    OpenRouterServerError,
    OpenRouterStreamTimeoutError,
    OpenRouterTimeoutError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = [
    "ACCEPTED_ENCODINGS",
    "DEFAULT_MAX_LINE_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TOTAL_TIMEOUT",
    "BodyDecoder",
    "BodyReader",
    "Bounds",
    "Deadline",
    "EventReader",
    "StreamReader",
]

DEFAULT_TOTAL_TIMEOUT: Final = 600.0
"""Ten minutes for a whole call: a long reasoning answer from a slow free model
fits, a server that never finishes does not."""
DEFAULT_MAX_RESPONSE_BYTES: Final = 8 * 1024 * 1024
"""8 MiB of decoded body; the largest real OpenRouter answers are a few hundred KiB."""
DEFAULT_MAX_LINE_BYTES: Final = 1024 * 1024
"""1 MiB for one event-stream line (one streamed chunk is a few hundred bytes)."""
ACCEPTED_ENCODINGS: Final = "gzip, deflate"
"""The ``Accept-Encoding`` sent: encodings `BodyDecoder` undoes in bounded steps."""
_PIECE: Final = 64 * 1024
_MIN_READ_TIMEOUT: Final = 0.001
_NEWLINE: Final = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Bounds:
    """The time and size limits of one client.

    Attributes:
        total_timeout: Seconds a whole call may take (None: no limit).
        max_body_bytes: Largest decoded body read.
        max_line_bytes: Longest event-stream line or event.
        clock: Monotonic seconds (injectable for tests).
    """

    total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT
    max_body_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def deadline(self) -> Deadline:
        """Start the clock of one call."""
        return Deadline(self.total_timeout, self.clock)


class Deadline:
    """When one call must be over."""

    def __init__(self, total: float | None, clock: Callable[[], float]) -> None:
        """Start counting ``total`` seconds (None: never expires)."""
        self.total = total
        self._clock = clock
        self._end = math.inf if total is None else clock() + total

    def remaining(self) -> float:
        """Seconds left (``inf`` without a limit, never negative)."""
        return max(0.0, self._end - self._clock())

    def expired(self) -> bool:
        """Whether the call has used up its time."""
        return self._clock() >= self._end

    def read_timeout(self, timeout: float | None) -> float | None:
        """The per-read timeout to use now: ``timeout``, but no more than is left."""
        left = self.remaining()
        if math.isinf(left):
            return timeout
        left = max(left, _MIN_READ_TIMEOUT)
        return left if timeout is None else min(timeout, left)

    def describe(self) -> str:
        """Why the call stopped, for an error message."""
        return f"the call took longer than total_timeout={self.total} s"


class _Inflater:
    """zlib decompression with a cap on the output of every step."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._raw_fallback = encoding == "deflate"
        wbits = zlib.MAX_WBITS if encoding == "deflate" else 16 + zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._zlib.eof:
            try:
                out = self._zlib.decompress(data, _PIECE)
            except zlib.error:
                if not self._raw_fallback:
                    raise
                # "deflate" sent raw, without the zlib header (as some servers do).
                self._raw_fallback = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_fallback = False
            data = self._zlib.unconsumed_tail
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        rest = self._zlib.flush()
        if rest:
            yield rest


class BodyDecoder:
    """Raw body bytes in, decoded bytes out, at most ``limit`` of them in all.

    Args:
        content_encoding: The answer's ``Content-Encoding`` header ("" for none).
        limit: The most decoded bytes accepted.

    Raises:
        OpenRouterServerError: An encoding other than ``gzip``/``deflate``
            (the client never asks for one), or a body it cannot decode.
        OpenRouterResponseTooLargeError: More than ``limit`` decoded bytes.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        """Prepare the decoders for ``content_encoding`` (outermost last)."""
        self._limit = limit
        self.size = 0
        self._stages: list[_Inflater] = []
        if content_encoding:  # else nothing to decode: the usual answer
            self._stages = self._decoders(content_encoding)

    @staticmethod
    def _decoders(content_encoding: str) -> list[_Inflater]:
        names = [
            name.strip().lower()
            for name in content_encoding.split(",")
            if name.strip().lower() not in {"", "identity"}
        ]
        unknown = [name for name in names if name not in {"gzip", "x-gzip", "deflate"}]
        if unknown:
            msg = (
                f"OpenRouter answered with Content-Encoding {content_encoding!r}, "
                f"which was not asked for (Accept-Encoding: {ACCEPTED_ENCODINGS})"
            )
            raise OpenRouterServerError(msg, status_code=502)
        return [
            _Inflater("deflate" if name == "deflate" else "gzip")
            for name in reversed(names)
        ]

    @property
    def identity(self) -> bool:
        """Whether the body is sent as is (`feed` passes it through, counted)."""
        return not self._stages

    def feed(self, raw: bytes) -> Iterable[bytes]:
        """Decode one raw chunk into decoded pieces of at most 64 KiB."""
        if not self._stages:
            self._count(raw)
            return (raw,)
        return self._run(0, [raw], final=False)

    def flush(self) -> Iterator[bytes]:
        """Whatever the decoders still hold at the end of the body."""
        yield from self._run(0, [], final=True)

    def _run(self, stage: int, pieces: list[bytes], *, final: bool) -> Iterator[bytes]:
        if stage == len(self._stages):
            for piece in pieces:
                self._count(piece)
                yield piece
            return
        inflater = self._stages[stage]
        for piece in pieces:
            for out in _guarded(inflater.feed(piece)):
                yield from self._run(stage + 1, [out], final=False)
        if final:
            for out in _guarded(inflater.flush()):
                yield from self._run(stage + 1, [out], final=False)
            yield from self._run(stage + 1, [], final=True)

    def _count(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size > self._limit:
            what = "a decoded body"
            raise OpenRouterResponseTooLargeError.for_limit(
                what, self._limit, "max_response_bytes"
            )


def _guarded(pieces: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from pieces
    except zlib.error as exc:
        msg = f"OpenRouter sent a body that could not be decompressed ({exc})"
        raise OpenRouterServerError(msg, status_code=502) from None


class EventReader:
    r"""Decoded event-stream bytes in, the ``data`` of each complete event out.

    Lines end in ``\\r\\n``, ``\\r`` or ``\\n``; ``:`` comment lines
    (``: OPENROUTER PROCESSING``) and fields other than ``data`` are skipped;
    an event ends at an empty line, and one cut off by the end of the stream
    is dropped (as the SSE specification says).
    """

    def __init__(self, limit: int) -> None:
        """Refuse lines and events longer than ``limit`` bytes."""
        self._limit = limit
        self._pending = bytearray()
        self._data: list[str] = []
        self._data_size = 0

    def feed(self, data: bytes) -> list[str]:
        """Take the next decoded bytes; return the data of every event completed."""
        if not self._pending and data.endswith(b"\n"):
            text = data.decode("utf-8", errors="replace")  # whole lines: most reads
        else:
            self._pending += data
            cut = _complete_lines_end(self._pending)
            text = self._pending[:cut].decode("utf-8", errors="replace")
            del self._pending[:cut]
        events: list[str] = []
        if text:
            # One decode and one split per read; the lines are walked in one
            # loop (an event stream is mostly "data: ..." and empty lines).
            lines = _NEWLINE.split(text) if "\r" in text else text.split("\n")
            lines.pop()  # what follows the last line end: nothing
            events = self._lines(lines, check_lines=len(text) > self._limit)
        if len(self._pending) > self._limit:
            self._too_long("an event-stream line")
        return events

    def _lines(self, lines: list[str], *, check_lines: bool) -> list[str]:
        events: list[str] = []
        data, size, limit = self._data, self._data_size, self._limit
        for line in lines:
            if not line:
                if data:
                    events.append("\n".join(data))
                    data, size = [], 0
                continue
            if check_lines and len(line) > limit:
                self._too_long("an event-stream line")
            if line.startswith("data: "):
                value = line[6:]
            else:
                name, _, value = line.partition(":")
                if name != "data":
                    continue
                value = value.removeprefix(" ")
            data.append(value)
            size += len(value) + 1
            if size > limit:
                self._too_long("an event")
        self._data, self._data_size = data, size
        return events

    def _too_long(self, what: str) -> None:
        raise OpenRouterResponseTooLargeError.for_limit(
            what, self._limit, "max_line_bytes"
        )


def _complete_lines_end(buffer: bytearray) -> int:
    r"""Index just past the last complete line (a lone final ``\\r`` waits)."""
    newline = buffer.rfind(b"\n")
    carriage = buffer.rfind(b"\r")
    if carriage == len(buffer) - 1:  # may be the first half of "\r\n"
        carriage = buffer.rfind(b"\r", 0, carriage)
    return max(newline, carriage) + 1


class BodyReader:
    """One whole answer body: raw chunks in, decoded bytes out, time and size kept.

    The sync and async clients both feed every raw chunk to `feed` and call
    `finish` at the end; only how they read the chunks differs.
    """

    def __init__(
        self, content_encoding: str, bounds: Bounds, deadline: Deadline
    ) -> None:
        """Read a body sent with ``content_encoding`` within ``bounds``."""
        self._decoder = BodyDecoder(content_encoding, bounds.max_body_bytes)
        self._deadline = deadline
        self._pieces: list[bytes] = []

    def feed(self, raw: bytes) -> None:
        """Take one raw chunk.

        Raises:
            OpenRouterTimeoutError: The call's ``total_timeout`` has passed.
            OpenRouterResponseTooLargeError: The decoded body passed its cap.
        """
        if self._deadline.expired():
            msg = f"OpenRouter did not finish in time ({self._deadline.describe()})"
            raise OpenRouterTimeoutError(msg)
        self._pieces.extend(self._decoder.feed(raw))

    def finish(self) -> bytes:
        """The decoded body."""
        self._pieces.extend(self._decoder.flush())
        return b"".join(self._pieces)


class StreamReader:
    """An event stream: raw chunks in, event ``data`` strings out, bounded."""

    def __init__(
        self, content_encoding: str, bounds: Bounds, deadline: Deadline
    ) -> None:
        """Read a stream sent with ``content_encoding`` within ``bounds``."""
        # A stream's total size is bounded by its time; memory by the line cap.
        self._decoder = BodyDecoder(content_encoding, sys.maxsize)
        self._events = EventReader(bounds.max_line_bytes)
        self._deadline = deadline

    def feed(self, raw: bytes) -> list[str]:
        """Take one raw chunk; return the (non-empty) data of every event it completed.

        Raises:
            OpenRouterStreamTimeoutError: The call's ``total_timeout`` has passed.
            OpenRouterResponseTooLargeError: A line or event passed its cap.
        """
        if self._deadline.expired():
            msg = f"The event stream ran out of time ({self._deadline.describe()})"
            raise OpenRouterStreamTimeoutError(msg)
        if self._decoder.identity:  # no decoding: one step less per read
            events = self._events.feed(raw)
        else:
            events = [
                data
                for piece in self._decoder.feed(raw)
                for data in self._events.feed(piece)
            ]
        return events if all(events) else [data for data in events if data]

    def finish(self) -> list[str]:
        """The (non-empty) data of events completed by what the decoder still held."""
        return [
            data
            for piece in self._decoder.flush()
            for data in self._events.feed(piece)
            if data
        ]
