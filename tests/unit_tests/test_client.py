"""OpenRouterHTTPClient over real wire bytes (httpx.MockTransport), sync and async.

Every behaviour test runs twice through the `wire` fixture: once through the
sync methods, once through the async ones. Bodies are byte-for-byte shaped
like recorded OpenRouter traffic (../shared/traffic/chat/*.json).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from langchain_openrouter_free import _client, errors
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
    """A response body that records being closed and can lose the connection."""

    def __init__(self, *chunks: bytes, breaks: bool = False) -> None:
        self.chunks = chunks
        self.breaks = breaks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.breaks:
            raise httpx.ReadError(RESET)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.breaks:
            raise httpx.ReadError(RESET)

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def breaking_body(*chunks: bytes) -> WireBody:
    return WireBody(*chunks, breaks=True)


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


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def wire(mode: str) -> Build:
    """Build a Harness whose transport plays ``replies`` in order (last one repeats)."""

    def build(
        *replies: Reply, retry: RetryPolicy | None = None, timeout: float | None = 30.0
    ) -> Harness:
        recorder = Wire(list(replies))
        sleeps: list[float] = []

        async def async_sleep(seconds: float) -> None:
            sleeps.append(seconds)

        transport = httpx.MockTransport(recorder)
        http = OpenRouterHTTPClient(
            base_url=BASE_URL,
            headers=HEADERS,
            timeout=timeout,
            retry=retry or RetryPolicy(jitter=0.0),
            client=httpx.Client(transport=transport) if mode == "sync" else None,
            async_client=httpx.AsyncClient(transport=transport)
            if mode == "async"
            else None,
            sleep=sleeps.append,
            async_sleep=async_sleep,
        )
        return Harness(mode, recorder, http, sleeps)

    return build


# ------------------------------------------------------------- request_json


async def test_2xx_with_leading_keepalive_whitespace(wire: Build) -> None:
    h = wire(response(200, COMPLETION))
    body = await h.request_json(json={"model": "openai/gpt-4o-mini"})
    assert body["choices"][0]["message"]["content"] == "Of course!"
    assert h.wire.calls == 1
    assert h.sleeps == []
    sent = h.wire.requests[0]
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.content) == {"model": "openai/gpt-4o-mini"}


async def test_request_shape_reaches_the_transport(wire: Build) -> None:
    h = wire(response(200, b'{"data": []}'))
    await h.request_json("GET", "models", params={"category": "programming"})
    sent = h.wire.requests[0]
    assert sent.method == "GET"
    assert str(sent.url) == "https://openrouter.ai/api/v1/models?category=programming"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["x-title"] == "langchain-openrouter-free tests"
    assert sent.headers["http-referer"] == "https://example.test/app"
    assert sent.extensions["timeout"] == httpx.Timeout(30.0).as_dict()


async def test_502_then_200_is_retried(wire: Build) -> None:
    h = wire(response(502, PROVIDER_502), response(200, OK_BODY))
    body = await h.request_json(json={})
    assert body["id"] == "gen-1"
    assert h.wire.calls == 2
    assert h.sleeps == [0.5]


async def test_503_retry_after_is_honoured(wire: Build) -> None:
    busy = response(
        503, b'{"error":{"code":503,"message":"busy"}}', {**JSON_CT, "Retry-After": "3"}
    )
    h = wire(busy, response(200, OK_BODY))
    await h.request_json(json={})
    assert h.sleeps == [3.0]
    assert h.wire.calls == 2


async def test_500_three_times_exhausts_the_retries(wire: Build) -> None:
    h = wire(
        response(500, b'{"error":{"code":500,"message":"Internal Server Error"}}'),
        retry=RetryPolicy(max_retries=2, jitter=0.0),
    )
    with pytest.raises(errors.OpenRouterServerError) as caught:
        await h.request_json(json={})
    assert caught.value.status_code == 500
    assert h.wire.calls == 3
    assert h.sleeps == [0.5, 1.0]


async def test_max_retries_zero_means_one_attempt(wire: Build) -> None:
    h = wire(
        response(502, PROVIDER_502),
        response(200, OK_BODY),
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(errors.OpenRouterServerError) as caught:
        await h.request_json(json={})
    assert caught.value.provider_name == "Chutes"
    assert h.wire.calls == 1
    assert h.sleeps == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (UPSTREAM_429, errors.RateLimitKind.UPSTREAM),
        (DAILY_429, errors.RateLimitKind.DAILY),
    ],
)
async def test_429_is_never_retried(
    wire: Build, body: bytes, kind: errors.RateLimitKind
) -> None:
    headers = {**JSON_CT, "Retry-After": "1", "X-RateLimit-Limit": "50"}
    h = wire(response(429, body, headers), response(200, OK_BODY))
    with pytest.raises(errors.OpenRouterRateLimitError) as caught:
        await h.request_json(json={})
    assert caught.value.kind is kind
    assert caught.value.headers["x-ratelimit-limit"] == "50"
    assert h.wire.calls == 1
    assert h.sleeps == []


@pytest.mark.parametrize(
    ("status", "body", "error_type"),
    [
        (400, BAD_MODEL_400, errors.OpenRouterInvalidRequestError),
        (401, AUTH_401, errors.OpenRouterAuthenticationError),
        (404, NOT_FOUND_404, errors.OpenRouterNotFoundError),
    ],
)
async def test_client_errors_are_not_retried(
    wire: Build,
    status: int,
    body: bytes,
    error_type: type[errors.OpenRouterAPIError],
) -> None:
    h = wire(response(status, body), response(200, OK_BODY))
    with pytest.raises(error_type) as caught:
        await h.request_json(json={})
    assert caught.value.status_code == status
    assert json.loads(body)["error"]["message"] in caught.value.message
    assert h.wire.calls == 1


async def test_error_status_with_a_non_json_body(wire: Build) -> None:
    h = wire(
        response(502, b"<html>Bad gateway</html>", {"content-type": "text/html"}),
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(errors.OpenRouterServerError) as caught:
        await h.request_json(json={})
    assert caught.value.status_code == 502
    assert "Bad gateway" in caught.value.message


async def test_error_in_a_200_body_is_retried_by_its_code(wire: Build) -> None:
    error_200 = (
        b'{"error":{"code":502,"message":"Provider returned error"},"user_id":"user_1"}'
    )
    h = wire(response(200, error_200), response(200, OK_BODY))
    body = await h.request_json(json={})
    assert body["id"] == "gen-1"
    assert h.wire.calls == 2
    assert h.sleeps == [0.5]


async def test_invalid_request_in_a_200_body_is_not_retried(wire: Build) -> None:
    h = wire(
        response(200, b'{"error":{"code":400,"message":"bad things"}}'),
        response(200, OK_BODY),
    )
    with pytest.raises(errors.OpenRouterInvalidRequestError) as caught:
        await h.request_json(json={})
    assert caught.value.status_code == 400
    assert caught.value.body == {"error": {"code": 400, "message": "bad things"}}
    assert h.wire.calls == 1


async def test_2xx_that_is_not_json_is_a_server_error(wire: Build) -> None:
    h = wire(
        response(200, b"\n\n<html>maintenance</html>", {"content-type": "text/html"}),
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(errors.OpenRouterServerError, match="not JSON") as caught:
        await h.request_json(json={})
    assert "maintenance" in caught.value.message


async def test_empty_2xx_body_is_a_server_error(wire: Build) -> None:
    h = wire(response(200, b"\n   \n"), retry=RetryPolicy(max_retries=0))
    with pytest.raises(errors.OpenRouterServerError, match="empty body"):
        await h.request_json(json={})


async def test_utf8_bom_before_the_json_is_tolerated(wire: Build) -> None:
    h = wire(response(200, b"\xef\xbb\xbf" + OK_BODY))
    assert (await h.request_json(json={}))["id"] == "gen-1"


async def test_connect_error_is_retried_then_raised(wire: Build) -> None:
    h = wire(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(
        errors.OpenRouterConnectionError, match="Connection refused"
    ) as caught:
        await h.request_json(json={})
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert h.wire.calls == 3
    assert h.sleeps == [0.5, 1.0]


async def test_connect_error_then_success(wire: Build) -> None:
    h = wire(httpx.RemoteProtocolError("Server disconnected"), response(200, OK_BODY))
    assert (await h.request_json(json={}))["id"] == "gen-1"
    assert h.wire.calls == 2


async def test_read_timeout_is_a_timeout_error(wire: Build) -> None:
    h = wire(
        httpx.ReadTimeout("The read operation timed out"),
        retry=RetryPolicy(max_retries=1, jitter=0.0),
    )
    with pytest.raises(errors.OpenRouterTimeoutError) as caught:
        await h.request_json(json={})
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert h.wire.calls == 2


async def test_body_that_breaks_while_reading_is_a_connection_error(
    wire: Build,
) -> None:
    broken = httpx.Response(200, headers=JSON_CT, stream=breaking_body(b'{"id": "gen'))
    h = wire(broken, retry=RetryPolicy(max_retries=0))
    with pytest.raises(errors.OpenRouterConnectionError, match="ReadError"):
        await h.request_json(json={})


async def test_no_timeout_keeps_the_client_setting(wire: Build) -> None:
    h = wire(response(200, OK_BODY), timeout=None)
    await h.request_json(json={})
    # httpx.Client()'s own default, untouched by us.
    assert h.wire.requests[0].extensions["timeout"] == httpx.Timeout(5.0).as_dict()


async def test_retries_are_logged_without_headers(
    wire: Build, caplog: pytest.LogCaptureFixture
) -> None:
    h = wire(response(502, PROVIDER_502), response(401, AUTH_401))
    with (
        caplog.at_level(logging.DEBUG, logger="langchain_openrouter_free._client"),
        pytest.raises(errors.OpenRouterAuthenticationError),
    ):
        await h.request_json(json={})
    retry_lines = [
        r.getMessage() for r in caplog.records if "retry 1 of 2" in r.getMessage()
    ]
    assert len(retry_lines) == 1
    assert "502" in retry_lines[0]
    assert "0.50s" in retry_lines[0]
    assert any(
        "401" in r.getMessage() and "not retrying" in r.getMessage()
        for r in caplog.records
    )
    assert API_KEY not in caplog.text
    assert "Bearer" not in caplog.text


# ------------------------------------------------------------------ streams


async def test_stream_yields_exactly_the_data_strings(wire: Build) -> None:
    h = wire(response(200, SSE_BODY, SSE_CT))
    assert await h.stream() == SSE_DATA
    sent = h.wire.requests[0]
    assert sent.method == "POST"
    assert str(sent.url) == "https://openrouter.ai/api/v1/chat/completions"
    assert sent.headers["accept"] == "text/event-stream"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["x-title"] == "langchain-openrouter-free tests"
    assert json.loads(sent.content) == {"model": "x/y:free", "stream": True}


async def test_stream_skips_empty_events_and_tolerates_crlf(wire: Build) -> None:
    body = b': OPENROUTER PROCESSING\r\n\r\ndata:\r\n\r\nevent: ping\r\n\r\ndata: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n'
    h = wire(response(200, body, {"content-type": "text/event-stream; charset=utf-8"}))
    assert await h.stream() == ['{"a":1}', "[DONE]"]


async def test_stream_open_503_then_200_is_retried(wire: Build) -> None:
    busy = response(503, b'{"error":{"code":503,"message":"No instances available"}}')
    h = wire(busy, response(200, SSE_BODY, SSE_CT))
    assert await h.stream() == SSE_DATA
    assert h.wire.calls == 2
    assert h.sleeps == [0.5]


async def test_stream_open_connect_error_is_retried(wire: Build) -> None:
    h = wire(httpx.ConnectError("refused"), response(200, SSE_BODY, SSE_CT))
    assert await h.stream() == SSE_DATA
    assert h.wire.calls == 2


async def test_stream_answered_with_a_json_error_and_status_200(wire: Build) -> None:
    h = wire(response(200, UPSTREAM_429), response(200, SSE_BODY, SSE_CT))
    with pytest.raises(errors.OpenRouterRateLimitError) as caught:
        await h.stream()
    assert caught.value.kind is errors.RateLimitKind.UPSTREAM
    assert caught.value.provider_name == "Google"
    assert h.wire.calls == 1


async def test_stream_answered_with_a_retryable_json_error_and_status_200(
    wire: Build,
) -> None:
    h = wire(
        response(200, b'\n{"error":{"code":502,"message":"Provider returned error"}}'),
        response(200, SSE_BODY, SSE_CT),
    )
    assert await h.stream() == SSE_DATA
    assert h.wire.calls == 2


@pytest.mark.parametrize(
    ("status", "body", "error_type", "calls"),
    [
        (401, AUTH_401, errors.OpenRouterAuthenticationError, 1),
        (404, NOT_FOUND_404, errors.OpenRouterNotFoundError, 1),
        (429, DAILY_429, errors.OpenRouterRateLimitError, 1),
        (502, PROVIDER_502, errors.OpenRouterServerError, 3),
    ],
)
async def test_stream_with_an_error_status(
    wire: Build,
    status: int,
    body: bytes,
    error_type: type[errors.OpenRouterAPIError],
    calls: int,
) -> None:
    h = wire(response(status, body))
    with pytest.raises(error_type) as caught:
        await h.stream()
    assert type(caught.value) is error_type
    assert caught.value.status_code == status
    assert h.wire.calls == calls


async def test_stream_error_status_with_event_stream_content_type(wire: Build) -> None:
    h = wire(response(400, BAD_MODEL_400, SSE_CT))
    with pytest.raises(
        errors.OpenRouterInvalidRequestError, match="not a valid model ID"
    ):
        await h.stream()


async def test_stream_answered_with_plain_json(wire: Build) -> None:
    h = wire(response(200, OK_BODY), retry=RetryPolicy(max_retries=0))
    with pytest.raises(
        errors.OpenRouterServerError, match="expected an event stream"
    ) as caught:
        await h.stream()
    assert "application/json" in caught.value.message
    assert type(caught.value) is errors.OpenRouterServerError


async def test_stream_answered_with_html(wire: Build) -> None:
    h = wire(
        response(200, b"<html>oops</html>", {"content-type": "text/html"}),
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(errors.OpenRouterServerError, match="expected an event stream"):
        await h.stream()


async def test_transport_error_mid_stream_is_a_stream_error(wire: Build) -> None:
    first = (
        b': OPENROUTER PROCESSING\n\ndata: {"choices":[{"delta":{"content":"Hi"}}]}\n\n'
    )
    body = breaking_body(first, b'data: {"choi')
    broken = httpx.Response(200, headers=SSE_CT, stream=body)
    h = wire(broken, response(200, SSE_BODY, SSE_CT))
    received: list[str] = []
    with pytest.raises(errors.OpenRouterStreamError, match="ReadError") as caught:
        await h.stream(into=received)
    assert received == ['{"choices":[{"delta":{"content":"Hi"}}]}']
    assert isinstance(caught.value.__cause__, httpx.ReadError)
    assert h.wire.calls == 1
    assert h.sleeps == []
    assert body.closed


async def test_stream_response_is_closed_after_early_exit(wire: Build) -> None:
    body = WireBody(SSE_BODY)
    h = wire(httpx.Response(200, headers=SSE_CT, stream=body))
    assert await h.stream(take=1) == SSE_DATA[:1]
    assert body.closed


async def test_stream_response_is_closed_when_the_caller_raises(wire: Build) -> None:
    body = WireBody(SSE_BODY)
    h = wire(httpx.Response(200, headers=SSE_CT, stream=body))
    with pytest.raises(RuntimeError, match="caller"):
        await h.open_stream_and_fail(RuntimeError("caller"))
    assert body.closed


async def test_rejected_stream_responses_are_closed(wire: Build) -> None:
    bodies = [WireBody(PROVIDER_502), WireBody(OK_BODY)]
    h = wire(
        httpx.Response(502, headers=JSON_CT, stream=bodies[0]),
        httpx.Response(200, headers=JSON_CT, stream=bodies[1]),
        retry=RetryPolicy(max_retries=1, jitter=0.0),
    )
    with pytest.raises(errors.OpenRouterServerError, match="expected an event stream"):
        await h.stream()
    assert [b.closed for b in bodies] == [True, True]


async def test_rejected_stream_response_is_closed_when_its_body_breaks(
    wire: Build,
) -> None:
    body = breaking_body(b'{"error":{"code":502,')
    h = wire(
        httpx.Response(502, headers=JSON_CT, stream=body),
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(errors.OpenRouterConnectionError, match="ReadError"):
        await h.stream()
    assert body.closed


# ------------------------------------------------------- secrets and clients


async def test_api_key_never_appears_in_errors(wire: Build) -> None:
    echo = f'{{"error":{{"code":400,"message":"bad header Authorization: Bearer {API_KEY}"}}}}'.encode()
    cases: list[Reply] = [
        response(400, echo),
        response(401, AUTH_401),
        response(200, f"not json {API_KEY}".encode(), {"content-type": "text/plain"}),
        httpx.ConnectError(f"proxy said Bearer {API_KEY}"),
        httpx.ReadTimeout(f"timed out for {API_KEY}"),
    ]
    raised: list[errors.OpenRouterError] = []
    for case in cases:
        h = wire(case, retry=RetryPolicy(max_retries=0))
        with pytest.raises(errors.OpenRouterError) as caught:
            await h.request_json(json={})
        raised.append(caught.value)
    h = wire(
        response(
            200, f"<html>{API_KEY}</html>".encode(), {"content-type": "text/html"}
        ),
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(errors.OpenRouterError) as caught:
        await h.stream()
    raised.append(caught.value)
    leak = b"data: {}\n\n"
    h = wire(httpx.Response(200, headers=SSE_CT, stream=breaking_body(leak)))
    with pytest.raises(errors.OpenRouterStreamError) as caught:
        await h.stream()
    raised.append(caught.value)
    assert len(raised) == 7
    for error in raised:
        assert API_KEY not in str(error)
        assert API_KEY not in repr(error)
        assert "0" * 64 not in str(error)
    assert API_KEY not in repr(h.http)


async def test_injected_client_is_not_closed(wire: Build) -> None:
    h = wire(response(200, OK_BODY))
    await h.request_json(json={})
    await h.close()
    injected = h.http._client if h.mode == "sync" else h.http._async_client
    assert injected is not None
    assert not injected.is_closed
    await h.request_json(json={})
    assert h.wire.calls == 2


@pytest.fixture
def built_clients(
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


async def test_built_client_is_lazy_reused_and_closed(
    mode: str, built_clients: list[Any]
) -> None:
    http = plain_client()
    assert built_clients == []
    for _ in range(3):
        if mode == "sync":
            http.request_json("GET", "/key")
        else:
            await http.arequest_json("GET", "/key")
    assert len(built_clients) == 1
    assert not built_clients[0].is_closed
    if mode == "sync":
        http.close()
    else:
        await http.aclose()
    assert built_clients[0].is_closed


def test_construction_builds_no_httpx_client(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail("an httpx client was built at construction")

    monkeypatch.setattr(httpx, "Client", refuse)
    monkeypatch.setattr(httpx, "AsyncClient", refuse)
    http = plain_client()
    http.close()
    assert repr(http) == "OpenRouterHTTPClient(base_url='https://openrouter.ai/api/v1')"


def test_default_factories_build_clients_without_their_own_timeout() -> None:
    sync_client = _client._new_client()
    async_client = _client._new_async_client()
    try:
        assert sync_client.timeout == httpx.Timeout(None)
        assert async_client.timeout == httpx.Timeout(None)
    finally:
        sync_client.close()
        asyncio.run(async_client.aclose())


def test_async_client_is_rebuilt_for_a_new_event_loop(built_clients: list[Any]) -> None:
    http = plain_client()
    asyncio.run(http.arequest_json("GET", "/key"))
    asyncio.run(http.arequest_json("GET", "/key"))
    assert len(built_clients) == 2

    async def twice() -> None:
        await http.arequest_json("GET", "/key")
        await http.arequest_json("GET", "/key")
        await http.aclose()

    asyncio.run(twice())
    assert len(built_clients) == 3
    assert built_clients[2].is_closed


def test_aclose_also_closes_the_built_sync_client(built_clients: list[Any]) -> None:
    http = plain_client()
    http.request_json("GET", "/key")
    asyncio.run(http.aclose())
    assert built_clients[0].is_closed
