"""Wire-level helpers for unit tests: real OpenRouter bytes through MockTransport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from langchain_openrouter_free import ChatOpenRouterFree

FAKE_KEY = "sk-or-v1-" + "0123456789abcdef" * 4

JSON_HEADERS = {"content-type": "application/json"}
SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache"}


def completion_body(
    content: str = "Paris.",
    *,
    model: str = "meta-llama/llama-3.3-70b-instruct:free",
    tool_calls: list[dict[str, Any]] | None = None,
    reasoning: str | None = None,
    finish_reason: str = "stop",
) -> bytes:
    """A non-streaming body shaped like real free-model traffic, keep-alive prefix kept."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if reasoning is not None:
        message["reasoning"] = reasoning
        message["reasoning_details"] = [
            {
                "type": "reasoning.text",
                "text": reasoning,
                "format": "unknown",
                "index": 0,
            }
        ]
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    body = {
        "id": "gen-1790401122-q8Ve2LmN0aPzKd7RtXy4",
        "provider": "Chutes",
        "model": model,
        "object": "chat.completion",
        "created": 1790401122,
        "choices": [
            {
                "logprobs": None,
                "finish_reason": finish_reason,
                "native_finish_reason": finish_reason,
                "index": 0,
                "message": message,
            }
        ],
        "usage": {
            "prompt_tokens": 24,
            "completion_tokens": 8,
            "total_tokens": 32,
            "cost": 0,
            "is_byok": False,
            "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 3, "image_tokens": 0},
        },
    }
    return b"\n         \n\n" + json.dumps(body).encode()


def sse_body(chunks: Sequence[dict[str, Any] | str], *, done: bool = True) -> bytes:
    """SSE bytes with keep-alive comments, one data line per chunk, optional [DONE]."""
    lines = [": OPENROUTER PROCESSING\n\n", ": OPENROUTER PROCESSING\n\n"]
    for chunk in chunks:
        data = chunk if isinstance(chunk, str) else json.dumps(chunk)
        lines.append(f"data: {data}\n\n")
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def delta_chunk(
    delta: dict[str, Any],
    *,
    finish_reason: str | None = None,
    model: str = "meta-llama/llama-3.3-70b-instruct:free",
) -> dict[str, Any]:
    """One streamed chunk in OpenRouter's shape."""
    return {
        "id": "gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R",
        "provider": "Chutes",
        "model": model,
        "object": "chat.completion.chunk",
        "created": 1790412345,
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", **delta},
                "finish_reason": finish_reason,
                "native_finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
    }


def usage_chunk(prompt: int = 12, completion: int = 5) -> dict[str, Any]:
    """The separate ``choices: []`` chunk that carries usage at the end."""
    return {
        "id": "gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R",
        "provider": "Chutes",
        "model": "meta-llama/llama-3.3-70b-instruct:free",
        "object": "chat.completion.chunk",
        "created": 1790412345,
        "choices": [],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "cost": 0,
            "is_byok": False,
        },
    }


@dataclass
class Recorder:
    """A MockTransport handler that serves queued responses and keeps requests."""

    responses: list[httpx.Response | Callable[[httpx.Request], httpx.Response]]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.responses:
            msg = f"unexpected request #{len(self.requests)} to {request.url}"
            raise AssertionError(msg)
        item = self.responses.pop(0)
        return item(request) if callable(item) else item

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def ok(body: bytes | None = None) -> httpx.Response:
    """A 200 JSON answer (a default completion when no body is given)."""
    return httpx.Response(200, headers=JSON_HEADERS, content=body or completion_body())


def sse(chunks: Sequence[dict[str, Any] | str], *, done: bool = True) -> httpx.Response:
    """A 200 event-stream answer carrying these chunks."""
    return httpx.Response(200, headers=SSE_HEADERS, content=sse_body(chunks, done=done))


def make_model(
    responses: Sequence[httpx.Response | Callable[[httpx.Request], httpx.Response]],
    **fields: Any,
) -> tuple[ChatOpenRouterFree, Recorder]:
    """A model whose sync and async clients both go to one recorder."""
    recorder = Recorder(list(responses))
    transport = httpx.MockTransport(recorder)
    params: dict[str, Any] = {
        "model": "meta-llama/llama-3.3-70b-instruct:free",
        "api_key": FAKE_KEY,
        "max_retries": 0,
        "http_client": httpx.Client(transport=transport),
        "http_async_client": httpx.AsyncClient(transport=transport),
    }
    params.update(fields)
    return ChatOpenRouterFree(**params), recorder


def run(mode: str, sync_call: Callable[[], Any], async_call: Callable[[], Any]) -> Any:
    """Run the sync or the async form of one call; tests stay one body of code."""
    if mode == "sync":
        return sync_call()
    return asyncio.run(async_call())
