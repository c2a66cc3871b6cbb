"""The mock wire under the OpenRouterHTTPClient tests (test_client*.py).

Bodies are byte-for-byte shaped like recorded OpenRouter traffic
(cassettes/recorded/chat/*.json). A `Harness` drives one client through the
sync or the async methods, so each test body runs in both modes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from langchain_openrouter_free import _client
from langchain_openrouter_free._bounds import Bounds
from langchain_openrouter_free._budget import Budget
from langchain_openrouter_free._client import OpenRouterHTTPClient
from langchain_openrouter_free._retry import RetryPolicy

API_KEY = "sk-or-v1-" + "0" * 64
BASE_URL = "https://openrouter.ai/api/v1/"
CHAT = "/chat/completions"
HEADERS = {
    "Authorization": f"Bearer {API_KEY}",
    "HTTP-Referer": "https://example.test/app",
    "X-Title": "langchain-openrouter-free tests",
}
JSON_CT = {"content-type": "application/json"}
SSE_CT = {"content-type": "text/event-stream"}

# Shaped like chat/activeagent-1.json: keep-alive whitespace before the JSON.
COMPLETION = (
    b'\n         \n{"id":"gen-1761506044-mItyIppJq5vICnCXTHVJ","provider":"OpenAI",'
    b'"model":"openai/gpt-4o-mini","object":"chat.completion","created":1761506044,'
    b'"choices":[{"logprobs":null,"finish_reason":"stop","native_finish_reason":"stop",'
    b'"index":0,"message":{"role":"assistant","content":"Of course!","refusal":null,'
    b'"reasoning":null}}],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}'
)
# chat/pydantic-ai-9.json, verbatim body (a real upstream 429 on a free model).
UPSTREAM_429 = (
    b'{"error":{"code":429,"message":"Provider returned error","metadata":'
    b'{"provider_name":"Google","raw":"google/gemini-2.0-flash-exp:free is temporarily '
    b"rate-limited upstream. Please retry shortly, or add your own key to accumulate "
    b'your rate limits: https://openrouter.ai/settings/integrations"}},'
    b'"user_id":"user_2wT5ElBE4Es3R4QrNLpZiXICmQP"}'
)
# openrouter-api.md section 5.4: the free daily cap.
DAILY_429 = (
    b'{"error":{"message":"Rate limit exceeded: free-models-per-day. Add 10 credits to '
    b'unlock 1000 free model requests per day","code":429,"metadata":{"headers":'
    b'{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0","X-RateLimit-Reset":'
    b'"1790812800000"},"limit_source":"openrouter_free_tier_daily","provider_name":null}},'
    b'"user_id":"user_2tsSIuSAxDMYKP7X6YbWZaK19xm"}'
)
# chat/open_router_enhanced-16.json and -27.json, verbatim bodies.
AUTH_401 = b'{"error":{"message":"No cookie auth credentials found","code":401}}'
BAD_MODEL_400 = (
    b'{"error":{"message":"invalid-model-1 is not a valid model ID","code":400},'
    b'"user_id":"user_2oXVHhLSnOmuZVA2xOTqDfGHofS"}'
)
NOT_FOUND_404 = b'{"error":{"message":"No endpoints found for google/gemini-2.5-flash:free.","code":404}}'
PROVIDER_502 = (
    b'{"error":{"message":"Provider returned error","code":502,"metadata":'
    b'{"raw":"upstream connect error","provider_name":"Chutes"}}}'
)
OK_BODY = b'{"id":"gen-1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"}}]}'
SSE_BODY = (
    b": OPENROUTER PROCESSING\n\n"
    b": OPENROUTER PROCESSING\n\n"
    b'data: {"id":"gen-1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}\n\n'
    b'data: {"id":"gen-1","choices":[{"index":0,"delta":{"content":"lo \xe2\x9c\x93"},"finish_reason":"stop"}]}\n\n'
    b'data: {"id":"gen-1","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n'
    b"data: [DONE]\n\n"
)
SSE_DATA = [
    '{"id":"gen-1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}',
    '{"id":"gen-1","choices":[{"index":0,"delta":{"content":"lo \u2713"},"finish_reason":"stop"}]}',
    '{"id":"gen-1","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}',
    "[DONE]",
]


def response(
    status: int, content: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, headers=JSON_CT if headers is None else headers, content=content
    )


RESET = "connection reset by peer"


class WireBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that records being closed and can fail after its chunks."""

    def __init__(
        self, *chunks: bytes, breaks: bool = False, error: Exception | None = None
    ) -> None:
        self.chunks = chunks
        self.error = error or (httpx.ReadError(RESET) if breaks else None)
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def breaking_body(*chunks: bytes, error: Exception | None = None) -> WireBody:
    return WireBody(*chunks, breaks=True, error=error)


Reply = httpx.Response | Exception


@dataclass
class Wire:
    """A MockTransport handler that records requests and plays scripted replies."""

    replies: list[Reply]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def calls(self) -> int:
        return len(self.requests)


@dataclass
class Harness:
    """One OpenRouterHTTPClient on a mock wire, driven in one mode."""

    mode: str
    wire: Wire
    http: OpenRouterHTTPClient
    sleeps: list[float]

    async def request_json(
        self, method: str = "POST", path: str = CHAT, **kwargs: Any
    ) -> Any:
        if self.mode == "sync":
            return self.http.request_json(method, path, **kwargs)
        return await self.http.arequest_json(method, path, **kwargs)

    async def stream(
        self,
        payload: Any = None,
        *,
        take: int | None = None,
        into: list[str] | None = None,
    ) -> list[str]:
        """Open a stream and collect its data strings (into ``into`` as they come)."""
        body = payload if payload is not None else {"model": "x/y:free", "stream": True}
        out = [] if into is None else into
        if self.mode == "sync":
            with self.http.stream_events(CHAT, body) as events:
                for data in events:
                    out.append(data)
                    if len(out) == take:
                        break
            return out
        async with self.http.astream_events(CHAT, body) as aevents:
            async for data in aevents:
                out.append(data)
                if len(out) == take:
                    break
        return out

    async def open_stream_and_fail(self, error: Exception) -> None:
        """Open a stream, then raise ``error`` inside the block as a caller would."""
        if self.mode == "sync":
            with self.http.stream_events(CHAT, {}):
                raise error
        async with self.http.astream_events(CHAT, {}):
            raise error

    async def close(self) -> None:
        if self.mode == "sync":
            self.http.close()
        else:
            await self.http.aclose()


Build = Callable[..., Harness]
"""``wire(*replies, retry=..., timeout=...)`` -> a Harness in the test's mode."""


def harness_builder(mode: str, headers: dict[str, str] | None = None) -> Build:
    """Build Harnesses whose transport plays ``replies`` in order (last one repeats)."""

    def build(
        *replies: Reply,
        retry: RetryPolicy | None = None,
        timeout: float | None = 30.0,
        budget: Budget | None = None,
        limits: Bounds | None = None,
    ) -> Harness:
        recorder = Wire(list(replies))
        sleeps: list[float] = []

        async def async_sleep(seconds: float) -> None:
            sleeps.append(seconds)

        transport = httpx.MockTransport(recorder)
        http = OpenRouterHTTPClient(
            base_url=BASE_URL,
            headers=HEADERS if headers is None else headers,
            timeout=timeout,
            retry=retry or RetryPolicy(jitter=0.0),
            client=httpx.Client(transport=transport) if mode == "sync" else None,
            async_client=httpx.AsyncClient(transport=transport)
            if mode == "async"
            else None,
            limits=limits,
            sleep=sleeps.append,
            async_sleep=async_sleep,
            budget=budget,
        )
        return Harness(mode, recorder, http, sleeps)

    return build


def record_built_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> list[httpx.Client | httpx.AsyncClient]:
    """Make the client factories build mock-transport clients, and record them."""
    built: list[httpx.Client | httpx.AsyncClient] = []
    transport = httpx.MockTransport(lambda request: response(200, OK_BODY))

    def new_client() -> httpx.Client:
        client = httpx.Client(transport=transport)
        built.append(client)
        return client

    def new_async_client() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=transport)
        built.append(client)
        return client

    monkeypatch.setattr(_client, "_new_client", new_client)
    monkeypatch.setattr(_client, "_new_async_client", new_async_client)
    return built


def plain_client() -> OpenRouterHTTPClient:
    return OpenRouterHTTPClient(
        base_url=BASE_URL, headers=HEADERS, timeout=10.0, retry=RetryPolicy()
    )
