"""Every Fault: status, body and headers as OpenRouter sends them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from langchain_openrouter_free._error_mapping import (
    error_from_body,
    error_from_response,
)
from langchain_openrouter_free.errors import (
    OpenRouterAuthenticationError,
    OpenRouterInvalidRequestError,
    OpenRouterNotFoundError,
    OpenRouterPaymentRequiredError,
    OpenRouterPermissionDeniedError,
    OpenRouterRateLimitError,
    OpenRouterServerError,
    RateLimitKind,
)
from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, Fault
from langchain_openrouter_free.testing._fake_faults import USER_ID
from tests.emulator_tests._emulator_helpers import (
    FREE_MODEL,
    chat,
    joined_content,
    parse_sse,
    recording,
)

UPSTREAM_RAW = (
    "{model} is temporarily rate-limited upstream. Please retry shortly, or add your own "
    "key to accumulate your rate limits: https://openrouter.ai/settings/integrations"
)


@pytest.fixture
def scripted() -> Iterator[tuple[FakeOpenRouter, httpx.Client]]:
    # Lenient: the scripted faults name retired and made-up ids on purpose.
    with (
        FakeOpenRouter(lenient=True) as fake,
        httpx.Client(base_url=fake.base_url, timeout=10, trust_env=False) as http,
    ):
        yield fake, http


def _send(
    scripted: tuple[FakeOpenRouter, httpx.Client], fault: Fault, **extra: Any
) -> httpx.Response:
    fake, http = scripted
    fake.add_replies(fault)
    return http.post("/chat/completions", json=chat(**extra))


def test_per_minute_429(scripted: tuple[FakeOpenRouter, httpx.Client]) -> None:
    before_ms = time.time() * 1000
    response = _send(scripted, Fault.rate_limit_per_minute(reset_in=30))
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["message"] == "Rate limit exceeded: free-models-per-min. "
    assert body["error"]["code"] == 429
    assert body["user_id"] == USER_ID
    headers = body["error"]["metadata"]["headers"]
    assert headers["X-RateLimit-Limit"] == response.headers["x-ratelimit-limit"] == "20"
    assert (
        headers["X-RateLimit-Remaining"]
        == response.headers["x-ratelimit-remaining"]
        == "0"
    )
    reset_ms = int(response.headers["x-ratelimit-reset"])
    assert headers["X-RateLimit-Reset"] == str(reset_ms)
    assert before_ms + 29_000 <= reset_ms <= time.time() * 1000 + 31_000
    assert "retry-after" not in response.headers  # absent on free-tier platform 429s
    error = error_from_response(429, body, dict(response.headers))
    assert isinstance(error, OpenRouterRateLimitError)
    assert error.kind is RateLimitKind.PER_MINUTE
    assert error.limit == 20
    assert error.reset_at is not None


def _next_midnight(moment: datetime) -> datetime:
    day = moment.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def test_daily_cap_429_resets_at_next_utc_midnight(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    before = datetime.now(tz=UTC)
    response = _send(scripted, Fault.daily_cap())
    after = datetime.now(tz=UTC)
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["message"] == (
        "Rate limit exceeded: free-models-per-day. "
        "Add 10 credits to unlock 1000 free model requests per day"
    )
    metadata = body["error"]["metadata"]
    assert list(metadata) == ["headers", "limit_source", "provider_name"]
    assert metadata["limit_source"] == "openrouter_free_tier_daily"
    assert metadata["provider_name"] is None
    assert metadata["headers"]["X-RateLimit-Limit"] == "50"
    reset = datetime.fromtimestamp(
        int(response.headers["x-ratelimit-reset"]) / 1000, tz=UTC
    )
    assert reset in {_next_midnight(before), _next_midnight(after)}
    error = error_from_response(429, body, dict(response.headers))
    assert isinstance(error, OpenRouterRateLimitError)
    assert error.kind is RateLimitKind.DAILY
    assert error.is_retryable is False


def test_daily_cap_high_balance_text(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    body = _send(scripted, Fault.daily_cap(limit=1000)).json()
    assert (
        body["error"]["message"]
        == "Rate limit exceeded: free-models-per-day-high-balance. "
    )
    assert body["error"]["metadata"]["headers"]["X-RateLimit-Limit"] == "1000"


def test_upstream_429_matches_the_recorded_body(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    real = json.loads(recording("open_router_enhanced-47")["response"]["body"])
    model = "alibaba/tongyi-deepresearch-30b-a3b:free"
    response = _send(
        scripted, Fault.upstream_rate_limit(provider_name="Chutes"), model=model
    )
    assert response.status_code == 429
    body = response.json()
    assert (
        body["error"]["message"]
        == real["error"]["message"]
        == "Provider returned error"
    )
    assert body["error"]["metadata"]["raw"] == real["error"]["metadata"]["raw"]
    assert body["error"]["metadata"]["raw"] == UPSTREAM_RAW.format(model=model)
    assert body["error"]["metadata"]["provider_name"] == "Chutes"
    assert body["error"]["metadata"]["limit_source"] == "upstream_provider_shared_pool"
    assert "x-ratelimit-limit" not in response.headers
    error = error_from_response(429, body, dict(response.headers))
    assert isinstance(error, OpenRouterRateLimitError)
    assert error.kind is RateLimitKind.UPSTREAM


def test_invalid_model_matches_the_recorded_body(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    real = json.loads(recording("open_router_enhanced-27")["response"]["body"])
    # The 2025 recording predates error.availability (2026-08-19).
    fault = Fault.invalid_model(availability=False)
    response = _send(scripted, fault, model="invalid-model-1")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == real["error"]
    assert list(body) == list(real) == ["error", "user_id"]
    assert isinstance(error_from_response(400, body), OpenRouterInvalidRequestError)


def test_unauthorized_matches_the_recorded_body_byte_for_byte(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    real = recording("ruby_llm-18")["response"]["body"]
    response = _send(scripted, Fault.unauthorized())
    assert response.status_code == 401
    assert response.text == real
    invalid = _send(scripted, Fault.unauthorized(reason="invalid")).json()
    assert invalid == {"error": {"message": "User not found.", "code": 401}}
    assert isinstance(error_from_response(401, invalid), OpenRouterAuthenticationError)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault.no_endpoints(), f"No endpoints found for {FREE_MODEL}."),
        (
            Fault.no_endpoints("x-ai/grok-4-fast:free"),
            "No endpoints found for x-ai/grok-4-fast:free.",
        ),
        (
            Fault.data_policy(),
            (
                "No endpoints found matching your data policy (Free model publication). "
                "Configure: https://openrouter.ai/settings/privacy"
            ),
        ),
        (
            Fault.tools_unsupported(),
            (
                "No endpoints found that support tool use. To learn more about provider "
                "routing, visit: https://openrouter.ai/docs/provider-routing"
            ),
        ),
    ],
)
def test_404_faults(
    scripted: tuple[FakeOpenRouter, httpx.Client], fault: Fault, message: str
) -> None:
    response = _send(scripted, fault)
    assert response.status_code == 404
    body = response.json()
    legacy = {k: v for k, v in body["error"].items() if k != "availability"}
    assert legacy == {"message": message, "code": 404}
    assert isinstance(error_from_response(404, body), OpenRouterNotFoundError)


def test_payment_required(scripted: tuple[FakeOpenRouter, httpx.Client]) -> None:
    response = _send(scripted, Fault.payment_required())
    assert response.status_code == 402
    assert response.json()["error"]["message"] == (
        "Insufficient credits. Add more using https://openrouter.ai/settings/credits"
    )
    assert isinstance(
        error_from_response(402, response.json()), OpenRouterPaymentRequiredError
    )


def test_moderation_403_elides_long_input(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    text = "word " * 60
    response = _send(scripted, Fault.moderation(["violence", "harassment"]), text=text)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["message"] == (
        f"{FREE_MODEL} requires moderation on OpenRouter. "
        'Your input was flagged for "violence, harassment". No credits were charged.'
    )
    metadata = error["metadata"]
    assert metadata["reasons"] == ["violence", "harassment"]
    assert metadata["model_slug"] == FREE_MODEL
    assert metadata["provider_name"] == "FakeProvider"
    assert len(metadata["flagged_input"]) <= 100
    assert "..." in metadata["flagged_input"]
    typed = error_from_response(403, response.json())
    assert isinstance(typed, OpenRouterPermissionDeniedError)
    assert typed.reasons == ["violence", "harassment"]


@pytest.mark.parametrize("status", [500, 502, 503, 408, 524, 529])
def test_server_errors(
    scripted: tuple[FakeOpenRouter, httpx.Client], status: int
) -> None:
    response = _send(scripted, Fault.server_error(status))
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == status
    if status == 500:
        assert error["message"] == "Internal Server Error"
    elif status == 408:
        assert error["message"] == "Operation timed out. Please try again later."
    else:
        assert error["message"] == "Provider returned error"
        assert error["metadata"]["provider_name"] == "FakeProvider"
        assert str(status) in error["metadata"]["raw"]
    typed = error_from_response(status, response.json())
    assert isinstance(typed, OpenRouterServerError)
    assert typed.is_retryable


def test_retry_after_is_scaled_to_real_seconds() -> None:
    with (
        FakeOpenRouter(
            time_scale=10, replies=[Fault.server_error(503, retry_after=20)]
        ) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        response = http.post("/chat/completions", json=chat())
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"


def test_error_in_200(scripted: tuple[FakeOpenRouter, httpx.Client]) -> None:
    response = _send(scripted, Fault.error_in_200())
    assert response.status_code == 200
    body = response.json()
    assert "choices" not in body
    assert body["error"]["code"] == 429
    assert body["error"]["metadata"] == {
        "raw": "error code: 1015",
        "provider_name": "FakeProvider",
    }
    typed = error_from_body(body["error"], status_code=200, body=body)
    assert isinstance(typed, OpenRouterRateLimitError)
    string_code = _send(scripted, Fault.error_in_200("server_error")).json()
    assert string_code["error"]["code"] == "server_error"


def test_generic_http_error(scripted: tuple[FakeOpenRouter, httpx.Client]) -> None:
    fault = Fault.http_error(
        413,
        "Payload too large",
        metadata={"provider_name": None},
        headers={"X-Extra": "1"},
    )
    response = _send(scripted, fault)
    assert response.status_code == 413
    assert response.headers["x-extra"] == "1"
    assert response.json()["error"] == {
        "message": "Payload too large",
        "code": 413,
        "metadata": {"provider_name": None},
    }


def test_mid_stream_error_event_then_done(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    fault = Fault.mid_stream_error(
        after_chunks=2, code=429, reply=FakeReply("alpha beta gamma delta")
    )
    response = _send(scripted, fault, stream=True)
    assert response.status_code == 200
    _, events = parse_sse(response.text)
    assert events[-1] == "[DONE]"
    error_event = events[-2]
    assert joined_content(events[:-2]) == "alpha beta"
    assert list(error_event) == [
        "id",
        "provider",
        "model",
        "object",
        "created",
        "error",
        "choices",
    ]
    assert error_event["error"] == {
        "code": 429,
        "message": UPSTREAM_RAW.format(model=FREE_MODEL),
        "metadata": {"error_type": "rate_limit_exceeded", "provider_code": "429"},
    }
    assert error_event["choices"] == [
        {
            "index": 0,
            "delta": {"content": ""},
            "finish_reason": "error",
            "native_finish_reason": None,
        }
    ]
    assert not any(e != "[DONE]" and e.get("usage") for e in events)
    typed = error_from_body(
        error_event["error"], status_code=200, partial_text="alpha beta"
    )
    assert isinstance(typed, OpenRouterRateLimitError)
    assert typed.kind is RateLimitKind.UPSTREAM


def test_mid_stream_5xx_and_token_limit_codes(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    _, events = parse_sse(
        _send(scripted, Fault.mid_stream_error(0, code=502), stream=True).text
    )
    assert events[-2]["error"]["code"] == 502
    assert events[-2]["error"]["metadata"] == {"error_type": "provider_unavailable"}
    assert joined_content(events[:-2]) == ""
    _, events = parse_sse(
        _send(scripted, Fault.mid_stream_error(1, code=400), stream=True).text
    )
    assert events[-2]["error"]["message"] == "Token limit reached"


def test_mid_stream_error_on_a_json_request_is_a_partial_200(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    response = _send(
        scripted, Fault.mid_stream_error(2, reply=FakeReply("one two three"))
    )
    assert response.status_code == 200
    choice = response.json()["choices"][0]
    assert choice["message"]["content"] == "one two"
    assert choice["finish_reason"] == "error"
    assert choice["error"]["code"] == 429


def test_dropped_stream_has_no_done_and_breaks_the_transfer(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    fake, http = scripted
    fake.add_replies(
        Fault.drop_connection(after_chunks=2, reply=FakeReply("a b c d e"))
    )
    received: list[str] = []
    with http.stream("POST", "/chat/completions", json=chat(stream=True)) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            received.extend(response.iter_text())
    text = "".join(received)
    assert "[DONE]" not in text
    assert joined_content(parse_sse(text)[1]) == "a b"
    after = http.post("/chat/completions", json=chat("still alive")).json()
    assert after["choices"][0]["message"]["content"] == "You said: still alive"


def test_dropped_json_request_gets_no_response(
    scripted: tuple[FakeOpenRouter, httpx.Client],
) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        _send(scripted, Fault.drop_connection())


def test_slow_keepalives_before_a_stream_and_a_json_body() -> None:
    with (
        FakeOpenRouter(
            time_scale=100,
            replies=[
                Fault.slow_keepalives(count=4, interval=1.0),
                Fault.slow_keepalives(count=2, interval=1.0, reply=FakeReply("late")),
            ],
        ) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        stream = http.post("/chat/completions", json=chat(stream=True))
        body = http.post("/chat/completions", json=chat())
    comments, events = parse_sse(stream.text)
    assert len(comments) == 5  # 4 slow ones plus the reply's own keep-alive
    assert events[-1] == "[DONE]"
    assert body.headers["transfer-encoding"] == "chunked"
    assert body.text.startswith("\n         \n" * 3 + "{")
    assert body.json()["choices"][0]["message"]["content"] == "late"


def test_delay_then_reply_or_fault() -> None:
    replies = [Fault.delay(5.0), Fault.delay(5.0, then=Fault.server_error(503))]
    with (
        FakeOpenRouter(time_scale=100, replies=replies) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        first = http.post("/chat/completions", json=chat("wait"))
        second = http.post("/chat/completions", json=chat())
    assert first.json()["choices"][0]["message"]["content"] == "You said: wait"
    assert second.status_code == 503


def test_delay_longer_than_the_client_timeout_times_out(fake: FakeOpenRouter) -> None:
    fake.add_replies(Fault.delay(2.0))
    with (
        httpx.Client(base_url=fake.base_url, timeout=0.2, trust_env=False) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.post("/chat/completions", json=chat())


def test_negative_durations_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        Fault.delay(-1)
