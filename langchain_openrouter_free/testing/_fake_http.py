"""Minimal HTTP/1.1 plumbing for `FakeOpenRouter`: parse requests, write responses.

Only what an HTTP client talking to OpenRouter needs: persistent connections,
``Content-Length`` and chunked request bodies, ``Content-Length`` responses for
JSON and ``Transfer-Encoding: chunked`` responses for server-sent events.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["HTTPParseError", "HTTPRequest", "ResponseWriter", "read_request"]

_CRLF: Final = b"\r\n"
_HEAD_END: Final = b"\r\n\r\n"
_REQUEST_LINE_PARTS: Final = 3
MAX_HEAD_BYTES: Final = 1024 * 1024
"""Largest request line plus headers accepted (the stream reader's limit)."""


class HTTPParseError(Exception):
    """The bytes on a connection are not an HTTP/1.x request this server handles."""


@dataclass(frozen=True)
class HTTPRequest:
    """One parsed HTTP request.

    Attributes:
        method: Upper-case method, e.g. ``POST``.
        target: The request target as sent (path plus optional query).
        version: ``HTTP/1.1`` or ``HTTP/1.0``.
        headers: Header names lower-cased; repeated headers joined by ``", "``.
        body: The raw request body (de-chunked).
    """

    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        """The query string without the ``?``, or ``""``."""
        _, _, query = self.target.partition("?")
        return query

    @property
    def keep_alive(self) -> bool:
        """Whether the client wants the connection kept open afterwards."""
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None = None
) -> HTTPRequest | None:
    """Read one request from a connection.

    Args:
        reader: The connection's stream reader.
        writer: The connection's writer, to answer ``Expect: 100-continue``
            (as curl sends for larger bodies) before the body is read.

    Returns:
        The request, or None when the client closed the connection cleanly
        between requests.

    Raises:
        HTTPParseError: The bytes are not a well-formed request.
    """
    try:
        head = await reader.readuntil(_HEAD_END)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        msg = "connection closed inside the request head"
        raise HTTPParseError(msg) from exc
    except asyncio.LimitOverrunError as exc:
        msg = "request head too large"
        raise HTTPParseError(msg) from exc
    lines = head[: -len(_HEAD_END)].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != _REQUEST_LINE_PARTS or not parts[2].startswith("HTTP/1."):
        msg = f"bad request line {lines[0]!r}"
        raise HTTPParseError(msg)
    headers = _parse_headers(lines[1:])
    if writer is not None and headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    body = await _read_body(reader, headers)
    return HTTPRequest(parts[0].upper(), parts[1], parts[2], headers, body)


def _parse_headers(lines: Iterable[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            msg = f"bad header line {line!r}"
            raise HTTPParseError(msg)
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await _read_chunked(reader)
        length = int(headers.get("content-length", "0") or "0")
        if length < 0:
            msg = "negative Content-Length"
            raise HTTPParseError(msg)
        return await reader.readexactly(length) if length else b""
    except ValueError as exc:
        msg = "bad Content-Length or chunk size"
        raise HTTPParseError(msg) from exc
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        msg = "connection closed inside the request body"
        raise HTTPParseError(msg) from exc


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(_CRLF)
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(_CRLF) != _CRLF:
                pass  # skip trailers
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(len(_CRLF))


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class ResponseWriter:
    """Writes one response (plain or chunked) to a connection."""

    def __init__(self, writer: asyncio.StreamWriter, *, keep_alive: bool) -> None:
        """Wrap a connection's writer.

        Args:
            writer: The connection's stream writer.
            keep_alive: Whether to announce a persistent connection.
        """
        self._writer = writer
        self.keep_alive = keep_alive
        self.started = False

    def _head(self, status: int, headers: Iterable[tuple[str, str]]) -> bytes:
        lines = [f"HTTP/1.1 {status} {_reason(status)}"]
        lines.append(f"Date: {formatdate(usegmt=True)}")
        lines.append("Server: FakeOpenRouter")
        lines.extend(f"{name}: {value}" for name, value in headers)
        lines.append(f"Connection: {'keep-alive' if self.keep_alive else 'close'}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send(
        self, status: int, headers: Iterable[tuple[str, str]], body: bytes
    ) -> None:
        """Send a complete response with a ``Content-Length``.

        Args:
            status: HTTP status code.
            headers: Extra headers (not Date, Server, Connection, Content-Length).
            body: The body bytes.
        """
        all_headers = [*headers, ("Content-Length", str(len(body)))]
        self.started = True
        self._writer.write(self._head(status, all_headers) + body)
        await self._writer.drain()

    async def start_chunked(
        self, status: int, headers: Iterable[tuple[str, str]]
    ) -> None:
        """Send the head of a ``Transfer-Encoding: chunked`` response.

        Args:
            status: HTTP status code.
            headers: Extra headers (not Date, Server, Connection, framing).
        """
        all_headers = [*headers, ("Transfer-Encoding", "chunked")]
        self.started = True
        self._writer.write(self._head(status, all_headers))
        await self._writer.drain()

    async def send_chunk(self, data: bytes) -> None:
        """Send one chunk of a chunked response (empty data is skipped).

        Args:
            data: The chunk payload.
        """
        if data:
            self._writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await self._writer.drain()

    async def end_chunked(self) -> None:
        """Send the terminating zero-length chunk."""
        self._writer.write(b"0\r\n\r\n")
        await self._writer.drain()

    def abort(self) -> None:
        """Drop the connection at once, without finishing the response."""
        self.keep_alive = False
        self._writer.transport.abort()
