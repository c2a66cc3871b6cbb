"""OpenRouterHTTPClient over real wire bytes (httpx.MockTransport), sync and async.

Every behaviour test runs twice through the `wire` fixture: once through the
sync methods, once through the async ones. Requests and answers here; secrets
in test_client_secrets.py; building and closing clients in
test_client_lifecycle.py. The mock wire lives in _client_harness.py.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelTimeoutError

from langchain_openrouter_free import errors
from langchain_openrouter_free._bounds import ACCEPTED_ENCODINGS, Bounds
from langchain_openrouter_free._retry import RetryPolicy
from tests.unit_tests._client_harness import (
    API_KEY,
    AUTH_401,
    BAD_MODEL_400,
    BASE_URL,
    CHAT,
    COMPLETION,
    DAILY_429,
    HEADERS,
    JSON_CT,
    NOT_FOUND_404,
    OK_BODY,
    PROVIDER_502,
    SSE_BODY,
    SSE_CT,
    SSE_DATA,
    UPSTREAM_429,
    Build,
    WireBody,
    breaking_body,
    harness_builder,
    response,
)

URL = BASE_URL.rstrip("/") + CHAT


@pytest.fixture
def wire(mode: str) -> Build:
    """Harnesses in the test's mode (sync or async)."""
    return harness_builder(mode)


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


def _injected(h: Any) -> httpx.Client | httpx.AsyncClient:
    client = h.http._clients._client or h.http._clients._async_client
    assert client is not None
    return client


async def test_each_request_is_what_httpx_build_request_makes(wire: Build) -> None:
    # The URL and merged headers are made once and reused: every attempt must
    # still carry exactly the bytes httpx's own build_request would send.
    h = wire(
        response(200, OK_BODY), response(200, OK_BODY), response(200, SSE_BODY, SSE_CT)
    )
    bodies = [
        {
            "model": "x/y:free",
            "messages": [{"role": "user", "content": "h\u00e9 \u2713"}],
        },
        {"model": "x/y:free", "messages": [], "max_tokens": 5},
    ]
    for body in bodies:
        await h.request_json(json=body)
    await h.stream({"model": "x/y:free", "stream": True})
    reference = httpx.Client()
    shared = {**HEADERS, "Accept-Encoding": ACCEPTED_ENCODINGS}
    stream_headers = {
        **shared,
        "Accept": "text/event-stream",
        "Cache-Control": "no-store",
    }
    expected = [
        reference.build_request("POST", URL, json=bodies[0], headers=shared),
        reference.build_request("POST", URL, json=bodies[1], headers=shared),
        reference.build_request(
            "POST",
            URL,
            json={"model": "x/y:free", "stream": True},
            headers=stream_headers,
        ),
    ]
    for sent, wanted in zip(h.wire.requests, expected, strict=True):
        assert (sent.method, sent.url) == (wanted.method, wanted.url)
        assert sent.headers.raw == wanted.headers.raw
        assert sent.content == wanted.content


async def test_client_headers_changed_between_calls_are_sent(wire: Build) -> None:
    h = wire(response(200, OK_BODY))
    await h.request_json(json={})
    _injected(h).headers["X-Trace"] = "one"
    await h.request_json(json={})
    assert "x-trace" not in h.wire.requests[0].headers
    assert h.wire.requests[1].headers["x-trace"] == "one"


async def test_cookies_set_by_an_answer_are_sent_back(wire: Build) -> None:
    cookie = {**JSON_CT, "set-cookie": "__cf_bm=abc; Path=/; Domain=openrouter.ai"}
    h = wire(response(200, OK_BODY, cookie), response(200, OK_BODY))
    await h.request_json(json={})
    await h.request_json(json={})
    assert "cookie" not in h.wire.requests[0].headers
    assert h.wire.requests[1].headers["cookie"] == "__cf_bm=abc"


async def test_query_parameters_belong_to_their_own_request(wire: Build) -> None:
    h = wire(response(200, b'{"data": []}'))
    await h.request_json("GET", "models", params={"output_modalities": "all"})
    await h.request_json("GET", "models")
    urls = [str(sent.url) for sent in h.wire.requests]
    assert urls == [f"{BASE_URL}models?output_modalities=all", f"{BASE_URL}models"]
    assert [sent.content for sent in h.wire.requests] == [b"", b""]
    assert all("content-length" not in sent.headers for sent in h.wire.requests)


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


async def test_retry_after_beyond_the_bound_is_not_retried(wire: Build) -> None:
    # The server says a retry within 60 s would fail: spend no free request on it.
    overloaded = response(
        503,
        b'{"error":{"code":503,"message":"Provider overloaded"}}',
        {**JSON_CT, "Retry-After": "120"},
    )
    h = wire(overloaded, response(200, OK_BODY))
    with pytest.raises(errors.OpenRouterServerError) as caught:
        await h.request_json(json={})
    assert caught.value.headers["retry-after"] == "120"
    assert h.wire.calls == 1
    assert h.sleeps == []


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


async def test_daily_cap_costs_one_request_whatever_max_retries(wire: Build) -> None:
    headers = {**JSON_CT, "Retry-After": "1", "X-RateLimit-Limit": "50"}
    h = wire(
        response(429, DAILY_429, headers),
        response(200, OK_BODY),
        retry=RetryPolicy(max_retries=10),
    )
    with pytest.raises(errors.FreeQuotaExhaustedError) as caught:
        await h.request_json(json={})
    assert caught.value.kind is errors.RateLimitKind.DAILY
    assert caught.value.is_retryable is False
    assert caught.value.headers["x-ratelimit-limit"] == "50"
    assert h.wire.calls == 1
    assert h.sleeps == []


async def test_upstream_429_backs_off_like_a_5xx(wire: Build) -> None:
    headers = {**JSON_CT, "Retry-After": "1"}
    h = wire(response(429, UPSTREAM_429, headers), response(200, OK_BODY))
    assert (await h.request_json(json={}))["id"] == "gen-1"
    assert h.wire.calls == 2
    assert h.sleeps == [1.0]


async def test_upstream_429_is_left_to_failover_when_asked(wire: Build) -> None:
    h = wire(
        response(429, UPSTREAM_429, {**JSON_CT, "Retry-After": "1"}),
        response(200, OK_BODY),
        retry=RetryPolicy(rate_limit_failover=True),
    )
    with pytest.raises(errors.OpenRouterRateLimitError) as caught:
        await h.request_json(json={})
    assert caught.value.kind is errors.RateLimitKind.UPSTREAM
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
        errors.OpenRouterConnectionError, match=r"ConnectError: .*Connection refused"
    ) as caught:
        await h.request_json(json={})
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
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
    with pytest.raises(errors.OpenRouterTimeoutError, match="ReadTimeout") as caught:
        await h.request_json(json={})
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert h.wire.calls == 2


async def test_body_that_breaks_while_reading_is_a_connection_error(
    wire: Build,
) -> None:
    broken = httpx.Response(200, headers=JSON_CT, stream=breaking_body(b'{"id": "gen'))
    h = wire(broken, retry=RetryPolicy(max_retries=0))
    with pytest.raises(errors.OpenRouterConnectionError, match="ReadError"):
        await h.request_json(json={})


async def test_no_timeout_keeps_the_client_setting(wire: Build) -> None:
    h = wire(response(200, OK_BODY), timeout=None, limits=Bounds(total_timeout=None))
    await h.request_json(json={})
    # httpx.Client()'s own default, untouched by us.
    assert h.wire.requests[0].extensions["timeout"] == httpx.Timeout(5.0).as_dict()


async def test_no_read_may_wait_longer_than_the_call_has_left(wire: Build) -> None:
    h = wire(response(200, OK_BODY), timeout=None, limits=Bounds(total_timeout=7.0))
    await h.request_json(json={})
    waits = h.wire.requests[0].extensions["timeout"]
    assert 6.0 < waits["read"] <= 7.0
    assert set(waits.values()) == {waits["read"]}


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


# ------------------------------------------------------------ parse=...

NULL_CHOICES = b'{"id":"gen-2","model":"x/y:free","choices":null}'


@dataclass
class FirstContent:
    """A parse function like parse_chat_completion: choices: null is an error."""

    seen: list[Any] = field(default_factory=list)

    def __call__(self, body: Any) -> str:
        self.seen.append(body)
        if not body.get("choices"):
            msg = "OpenRouter answered without choices"
            raise errors.OpenRouterServerError(msg, body=body)
        return str(body["choices"][0]["message"]["content"])


async def test_without_parse_the_json_is_returned(wire: Build) -> None:
    h = wire(response(200, NULL_CHOICES))
    assert await h.request_json(json={}) == {
        "id": "gen-2",
        "model": "x/y:free",
        "choices": None,
    }
    assert h.wire.calls == 1


async def test_parse_result_is_returned(wire: Build) -> None:
    parse = FirstContent()
    h = wire(response(200, COMPLETION))
    assert await h.request_json(json={}, parse=parse) == "Of course!"
    assert len(parse.seen) == 1
    assert parse.seen[0]["id"] == "gen-1761506044-mItyIppJq5vICnCXTHVJ"


async def test_retryable_error_from_parse_is_retried(wire: Build) -> None:
    parse = FirstContent()
    h = wire(response(200, NULL_CHOICES), response(200, OK_BODY))
    assert await h.request_json(json={}, parse=parse) == "ok"
    assert h.wire.calls == 2
    assert h.sleeps == [0.5]
    assert [body["id"] for body in parse.seen] == ["gen-2", "gen-1"]


async def test_error_from_parse_exhausts_the_retries(wire: Build) -> None:
    parse = FirstContent()
    h = wire(response(200, NULL_CHOICES))
    with pytest.raises(errors.OpenRouterServerError, match="without choices") as caught:
        await h.request_json(json={}, parse=parse)
    assert caught.value.body["id"] == "gen-2"
    assert h.wire.calls == 3
    assert h.sleeps == [0.5, 1.0]


async def test_parse_sees_only_usable_answers(wire: Build) -> None:
    parse = FirstContent()
    h = wire(response(502, PROVIDER_502), response(200, COMPLETION))
    assert await h.request_json(json={}, parse=parse) == "Of course!"
    assert len(parse.seen) == 1
    assert h.wire.calls == 2


async def test_non_retryable_error_from_parse_is_raised_at_once(wire: Build) -> None:
    def refuse(body: Any) -> Any:
        msg = "unusable"
        raise errors.OpenRouterInvalidRequestError(msg, body=body)

    h = wire(response(200, OK_BODY), response(200, OK_BODY))
    with pytest.raises(errors.OpenRouterInvalidRequestError, match="unusable"):
        await h.request_json(json={}, parse=refuse)
    assert h.wire.calls == 1
    assert h.sleeps == []


async def test_other_exceptions_from_parse_propagate_untouched(wire: Build) -> None:
    def broken(body: Any) -> Any:
        return body["missing"]

    h = wire(response(200, OK_BODY), response(200, OK_BODY))
    with pytest.raises(KeyError, match="missing"):
        await h.request_json(json={}, parse=broken)
    assert h.wire.calls == 1


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
    h = wire(
        response(200, UPSTREAM_429),
        response(200, SSE_BODY, SSE_CT),
        retry=RetryPolicy(rate_limit_failover=True),
    )
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
        (429, DAILY_429, errors.FreeQuotaExhaustedError, 1),
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
    assert type(caught.value) is errors.OpenRouterStreamError
    assert received == ['{"choices":[{"delta":{"content":"Hi"}}]}']
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert h.wire.calls == 1
    assert h.sleeps == []
    assert body.closed


async def test_read_timeout_mid_stream_is_a_stream_timeout_error(wire: Build) -> None:
    first = b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'
    body = breaking_body(first, error=httpx.ReadTimeout("The read operation timed out"))
    h = wire(
        httpx.Response(200, headers=SSE_CT, stream=body),
        response(200, SSE_BODY, SSE_CT),
    )
    received: list[str] = []
    with pytest.raises(
        errors.OpenRouterStreamTimeoutError, match="ReadTimeout"
    ) as caught:
        await h.stream(into=received)
    assert isinstance(caught.value, errors.OpenRouterStreamError)
    assert isinstance(caught.value, ModelTimeoutError)
    assert received == ['{"choices":[{"delta":{"content":"Hel"}}]}']
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
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
