"""The canned OpenRouter bytes every contender is fed, and the mock transports.

The bodies have the shape of recorded OpenRouter traffic (cassettes/recorded):
a chat completion with usage, and SSE streams of ``chat.completion.chunk``
objects ending in a usage chunk and ``data: [DONE]``. Mock bodies are handed
out in 64 KiB pieces, as a socket read would.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

MODEL = "meta-llama/llama-3.3-70b-instruct:free"
URL = "https://openrouter.ai/api/v1"
KEY = "sk-or-v1-" + "0" * 64
PIECE = 64 * 1024
_ID = "gen-1764862000-bEnChMaRkBeNcHmArK01"
_USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 7,
    "total_tokens": 19,
    "cost": 0,
    "prompt_tokens_details": {"cached_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0},
}


def completion(text: str = "Sunny, 21 degrees.") -> bytes:
    body = {
        "id": _ID,
        "provider": "Chutes",
        "model": MODEL,
        "object": "chat.completion",
        "created": 1764862000,
        "system_fingerprint": None,
        "choices": [
            {
                "logprobs": None,
                "finish_reason": "stop",
                "native_finish_reason": "stop",
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": text,
                    "refusal": None,
                    "reasoning": None,
                },
            }
        ],
        "usage": _USAGE,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": _ID,
        "provider": "Chutes",
        "model": MODEL,
        "object": "chat.completion.chunk",
        "created": 1764862000,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "finish_reason": finish,
                "native_finish_reason": finish,
                "logprobs": None,
            }
        ],
    }
    return b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\n\n"


def _tail(finish: str) -> list[bytes]:
    usage = {
        "id": _ID,
        "provider": "Chutes",
        "model": MODEL,
        "object": "chat.completion.chunk",
        "created": 1764862000,
        "system_fingerprint": None,
        "choices": [],
        "usage": _USAGE,
    }
    return [
        _chunk({"role": "assistant", "content": ""}, finish),
        b"data: " + json.dumps(usage, separators=(",", ":")).encode() + b"\n\n",
        b"data: [DONE]\n\n",
    ]


def text_stream(pieces: int, piece: str = "word ") -> bytes:
    """A stream of ``pieces`` content deltas (after a role chunk)."""
    head = [
        b": OPENROUTER PROCESSING\n\n",
        _chunk({"role": "assistant", "content": ""}),
    ]
    body = [_chunk({"role": "assistant", "content": piece}) for _ in range(pieces)]
    return b"".join(head + body + _tail("stop"))


def tool_stream(pieces: int = 20) -> bytes:
    """One streamed tool call: a named first fragment, then argument pieces."""
    args = json.dumps({"city": "Paris", "unit": "celsius", "note": "x" * 200})
    size = -(-len(args) // pieces)
    first = {
        "index": 0,
        "id": "call_bench0001",
        "type": "function",
        "function": {"name": "get_weather", "arguments": ""},
    }
    fragments = [first] + [
        {"index": 0, "function": {"arguments": args[i : i + size]}}
        for i in range(0, len(args), size)
    ]
    body = [
        _chunk({"role": "assistant", "content": None, "tool_calls": [fragment]})
        for fragment in fragments
    ]
    return b"".join(body + _tail("tool_calls"))


def answer_text(stream: bytes) -> str:
    """The text a stream's content deltas join to."""
    text = []
    for line in stream.split(b"\n\n"):
        if line.startswith(b"data: {"):
            choices = json.loads(line[6:])["choices"]
            if choices:
                text.append(choices[0]["delta"].get("content") or "")
    return "".join(text)


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body handed out in `PIECE`-byte reads."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        view = memoryview(self.body)
        for start in range(0, len(view), PIECE):
            yield bytes(view[start : start + PIECE])

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self:
            yield piece


class Canned:
    """What the mock server answers: a JSON body, or ``stream`` for stream requests.

    Set the attributes between workloads; every contender sees the same bytes.
    """

    def __init__(self) -> None:
        self.json = completion()
        self.stream = text_stream(1000)
        self.requests = 0

    def reply(self, content: bytes) -> tuple[bytes, str]:
        self.requests += 1
        if b'"stream":true' in content.replace(b" ", b""):
            return self.stream, "text/event-stream"
        return self.json, "application/json"

    def httpx_transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            body, kind = self.reply(request.content)
            return httpx.Response(
                200, headers={"content-type": kind}, stream=Pieces(body)
            )

        return httpx.MockTransport(handle)

    def httpx2_transport(self) -> Any:
        import httpx2

        class Pieces2(httpx2.SyncByteStream, httpx2.AsyncByteStream):  # type: ignore[misc]
            def __init__(self, body: bytes) -> None:
                self.inner = Pieces(body)

            def __iter__(self) -> Iterator[bytes]:
                return iter(self.inner)

            def __aiter__(self) -> AsyncIterator[bytes]:
                return self.inner.__aiter__()

        def handle(request: Any) -> Any:
            body, kind = self.reply(request.content)
            return httpx2.Response(
                200, headers={"content-type": kind}, stream=Pieces2(body)
            )

        return httpx2.MockTransport(handle)
