"""RetryPolicy: which typed errors retry, and how long to wait before retrying."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from langchain_openrouter_free import _error_mapping, errors
from langchain_openrouter_free._retry import RetryPolicy


def seeded(seed: int) -> random.Random:
    """A reproducible jitter source (not for cryptography)."""
    return random.Random(seed)  # noqa: S311


def api_error(
    status: int, body: dict[str, Any] | None = None, **headers: str
) -> errors.OpenRouterAPIError:
    """The error errors.py builds for a real-shaped error response."""
    payload = body or {"error": {"code": status, "message": "boom"}}
    return _error_mapping.error_from_response(
        status, payload, {k.replace("_", "-"): v for k, v in headers.items()}
    )


def body_error(error: dict[str, Any]) -> errors.OpenRouterAPIError:
    """The error for an {"error": ...} inside a 200 body or a stream event."""
    return _error_mapping.error_from_body(error)


UPSTREAM_429 = {
    "error": {
        "code": 429,
        "message": "Provider returned error",
        "metadata": {
            "provider_name": "Google",
            "raw": "google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations",
        },
    },
    "user_id": "user_2wT5ElBE4Es3R4QrNLpZiXICmQP",
}
TEMPORARILY_UNAVAILABLE = {
    "message": "Every provider of x/y:free failed",
    "error_type": "provider_unavailable",
    "http_status": 503,
    "availability": {
        "code": "temporarily_unavailable",
        "retryable": True,
        "retry_after": 7,
    },
}
PRIVACY_RESTRICTED = {
    "message": "No endpoints for openai/gpt-5.2 match your data policy (zero data retention).",
    "error_type": "not_found",
    "http_status": 404,
    "availability": {"code": "privacy_restricted", "retryable": False},
}
NOT_RETRYABLE_503 = {
    "code": 503,
    "message": "nope",
    "availability": {"code": "something_permanent", "retryable": False},
}


# --------------------------------------------------------------- should_retry

SHOULD_RETRY_TABLE: list[tuple[str, int, errors.OpenRouterError, bool]] = [
    ("502 first attempt", 0, api_error(502), True),
    ("500", 0, api_error(500), True),
    ("503", 1, api_error(503), True),
    ("504", 0, api_error(504), True),
    ("529 overloaded", 0, api_error(529), True),
    ("408 request timeout", 0, api_error(408), True),
    ("retries used up", 2, api_error(502), False),
    ("beyond the budget", 5, api_error(502), False),
    ("connection", 0, errors.OpenRouterConnectionError("refused"), True),
    ("timeout", 1, errors.OpenRouterTimeoutError("slow"), True),
    ("timeout, budget spent", 2, errors.OpenRouterTimeoutError("slow"), False),
    ("429 upstream backs off", 0, api_error(429, UPSTREAM_429), True),
    ("429 plain backs off", 0, api_error(429), True),
    ("429 upstream, retries spent", 2, api_error(429, UPSTREAM_429), False),
    ("400", 0, api_error(400), False),
    ("401", 0, api_error(401), False),
    ("402", 0, api_error(402), False),
    ("403", 0, api_error(403), False),
    ("404", 0, api_error(404), False),
    ("413", 0, api_error(413), False),
    ("422", 0, api_error(422), False),
    ("stream broke", 0, errors.OpenRouterStreamError("cut"), False),
    ("stream went silent", 0, errors.OpenRouterStreamTimeoutError("slow"), False),
    ("bad header value", 0, errors.OpenRouterConfigurationError("header"), False),
    ("Retry-After at the bound", 0, api_error(503, None, Retry_After="60"), True),
    ("Retry-After too long", 0, api_error(503, None, Retry_After="61"), False),
    ("ms hint too long", 0, api_error(503, None, retry_after_ms="60001"), False),
    ("unusable Retry-After", 0, api_error(503, None, Retry_After="soon"), True),
    ("200 body error 502", 0, body_error({"code": 502, "message": "x"}), True),
    ("200 body error 400", 0, body_error({"code": 400, "message": "x"}), False),
    ("availability retryable 503", 0, body_error(TEMPORARILY_UNAVAILABLE), True),
    ("availability not retryable 404", 0, body_error(PRIVACY_RESTRICTED), False),
    ("availability not retryable 503", 0, body_error(NOT_RETRYABLE_503), False),
    ("a 3xx that became a server error", 0, api_error(302, {"error": "moved"}), False),
    ("base class", 0, errors.OpenRouterError("?"), False),
]


@pytest.mark.parametrize(
    ("attempt", "error", "expected"),
    [row[1:] for row in SHOULD_RETRY_TABLE],
    ids=[row[0] for row in SHOULD_RETRY_TABLE],
)
def test_should_retry_table(
    attempt: int, error: errors.OpenRouterError, expected: bool
) -> None:
    assert RetryPolicy(max_retries=2).should_retry(attempt, error) is expected


def test_the_table_errors_have_the_expected_types() -> None:
    # Guards the table itself: the errors must be the classes the policy sees.
    assert type(api_error(429, UPSTREAM_429)) is errors.OpenRouterRateLimitError
    assert (
        type(body_error({"code": 502, "message": "x"})) is errors.OpenRouterServerError
    )
    assert type(body_error(TEMPORARILY_UNAVAILABLE)) is errors.OpenRouterServerError
    assert type(api_error(302, {"error": "moved"})) is errors.OpenRouterServerError


@pytest.mark.parametrize(
    "error",
    [
        api_error(502),
        errors.OpenRouterConnectionError("x"),
        errors.OpenRouterTimeoutError("x"),
    ],
)
def test_max_retries_zero_never_retries(error: errors.OpenRouterError) -> None:
    assert RetryPolicy(max_retries=0).should_retry(0, error) is False


def test_max_retries_counts_retries_not_attempts() -> None:
    policy = RetryPolicy(max_retries=3)
    error = api_error(503)
    assert [policy.should_retry(n, error) for n in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]


# ---------------------------------------------------------------------- delay


def test_exponential_delay_without_jitter() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.0)
    error = api_error(502)
    assert [policy.delay(n, error) for n in range(7)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
        8.0,
    ]


def test_huge_attempt_numbers_stay_capped() -> None:
    policy = RetryPolicy(jitter=0.0)
    assert policy.delay(10_000, api_error(502)) == 8.0


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    policy = RetryPolicy(initial_delay=1.0, jitter=0.25)
    error = errors.OpenRouterConnectionError("x")
    first = [policy.delay(1, error, seeded(42)) for _ in range(3)]
    again = [policy.delay(1, error, seeded(42)) for _ in range(3)]
    assert first == again
    expected_factor = 1 + 0.25 * seeded(42).uniform(-1.0, 1.0)
    assert first[0] == pytest.approx(2.0 * expected_factor)


def test_jitter_spreads_both_ways_within_bounds() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=100.0, jitter=0.25)
    rng = seeded(7)
    delays = [policy.delay(2, api_error(500), rng) for _ in range(500)]
    assert all(3.0 <= d <= 5.0 for d in delays)
    assert min(delays) < 3.2
    assert max(delays) > 4.8


def test_jitter_never_exceeds_max_delay() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=8.0, jitter=0.5)
    rng = seeded(3)
    delays = [policy.delay(6, api_error(500), rng) for _ in range(200)]
    assert max(delays) == 8.0
    assert min(delays) >= 4.0


def test_default_rng_is_used_when_none_given() -> None:
    policy = RetryPolicy(initial_delay=1.0, jitter=0.25)
    delays = {policy.delay(0, api_error(500)) for _ in range(50)}
    assert all(0.75 <= d <= 1.25 for d in delays)
    assert len(delays) > 1


NOW = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
"""The injected clock: 30 s before the HTTP date used below."""
HTTP_DATE = "Wed, 21 Oct 2015 07:28:00 GMT"


def fixed_clock(now: datetime = NOW) -> RetryPolicy:
    return RetryPolicy(jitter=0.0, clock=lambda: now)


def busy(**headers: str) -> errors.OpenRouterAPIError:
    return _error_mapping.error_from_response(
        503, {"error": {"code": 503, "message": "busy"}}, headers
    )


# (headers, seconds the server asked for, delay before retry 2, retried at all)
RETRY_AFTER_TABLE: list[tuple[dict[str, str], float | None, float, bool]] = [
    ({"Retry-After": "3"}, 3.0, 3.0, True),
    ({"retry-after": "0.5"}, 0.5, 0.5, True),
    ({"Retry-After": "60"}, 60.0, 60.0, True),
    ({"retry-after-ms": "1500"}, 1.5, 1.5, True),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25, 0.25, True),
    # HTTP dates count from the injected clock.
    ({"Retry-After": HTTP_DATE}, 30.0, 30.0, True),
    ({"Retry-After": "Wed, 21 Oct 2015 07:27:40 -0000"}, 10.0, 10.0, True),
    # A hint beyond max_retry_after (60 s) means "do not retry".
    ({"Retry-After": "61"}, 61.0, 1.0, False),
    ({"retry-after-ms": "120000"}, 120.0, 1.0, False),
    ({"Retry-After": "Wed, 21 Oct 2015 07:29:00 GMT"}, 90.0, 1.0, False),
    # The most precise hint decides, even when a coarser one would allow it.
    ({"retry-after-ms": "90000", "retry-after": "4"}, 90.0, 1.0, False),
    # Unusable hints fall back to the exponential delay (1.0 for attempt 1).
    ({"Retry-After": "0"}, None, 1.0, True),
    ({"Retry-After": "-5"}, None, 1.0, True),
    ({"Retry-After": "soon"}, None, 1.0, True),
    ({"Retry-After": "Wed, 21 Oct 2015 07:27:00 GMT"}, None, 1.0, True),  # past
    ({"Retry-After": "Wed, 32 Foo 2015 99:99:99 GMT"}, None, 1.0, True),
    ({"Retry-After": "nan"}, None, 1.0, True),
    ({"Retry-After": "inf"}, None, 1.0, True),
    ({"Retry-After": ""}, None, 1.0, True),
    # An unusable ms hint does not hide a usable seconds hint.
    ({"retry-after-ms": "junk", "retry-after": "4"}, 4.0, 4.0, True),
    ({"retry-after-ms": "0", "retry-after": "4"}, 4.0, 4.0, True),
    ({}, None, 1.0, True),
]


@pytest.mark.parametrize(
    ("headers", "wait", "delay", "retried"),
    RETRY_AFTER_TABLE,
    ids=[
        " ".join(f"{k}={v}" for k, v in row[0].items()) or "none"
        for row in RETRY_AFTER_TABLE
    ],
)
def test_retry_after_headers(
    headers: dict[str, str], wait: float | None, delay: float, retried: bool
) -> None:
    policy = fixed_clock()
    error = busy(**headers)
    assert policy.server_wait(error) == pytest.approx(wait)
    assert policy.should_retry(1, error) is retried
    assert policy.delay(1, error) == pytest.approx(delay)


def test_http_date_is_measured_against_the_clock() -> None:
    error = busy(**{"Retry-After": HTTP_DATE})
    assert fixed_clock(NOW).delay(0, error) == 30.0
    assert fixed_clock(NOW - timedelta(seconds=20)).delay(0, error) == 50.0
    assert fixed_clock(NOW + timedelta(seconds=20)).delay(0, error) == 10.0
    later = fixed_clock(NOW - timedelta(minutes=5))
    assert later.should_retry(0, error) is False


def test_default_clock_is_aware_utc_now() -> None:
    soon = datetime.now(tz=UTC) + timedelta(seconds=20)
    error = busy(**{"Retry-After": soon.strftime("%a, %d %b %Y %H:%M:%S GMT")})
    assert 15.0 < RetryPolicy().delay(0, error) <= 20.0


def test_retry_after_is_not_jittered() -> None:
    policy = RetryPolicy(jitter=1.0)
    error = api_error(503, None, Retry_After="3")
    assert {policy.delay(0, error, seeded(seed)) for seed in range(20)} == {3.0}


def test_retry_after_bound_is_configurable() -> None:
    error = api_error(503, None, Retry_After="90")
    assert RetryPolicy(max_retry_after=120.0).should_retry(0, error) is True
    assert RetryPolicy(max_retry_after=120.0).delay(0, error) == 90.0
    assert RetryPolicy(max_retry_after=60.0).should_retry(0, error) is False


def test_availability_hint_beyond_the_bound_is_not_retried() -> None:
    policy = RetryPolicy(max_retry_after=5.0)
    error = body_error(TEMPORARILY_UNAVAILABLE)  # availability.retry_after: 7
    assert policy.server_wait(error) == 7.0
    assert policy.should_retry(0, error) is False


def test_transport_errors_carry_no_server_wait() -> None:
    policy = RetryPolicy(max_retry_after=0.0)
    error = errors.OpenRouterConnectionError("refused")
    assert policy.server_wait(error) is None
    assert policy.should_retry(0, error) is True


def test_availability_retry_after_from_the_body() -> None:
    policy = RetryPolicy(jitter=0.0)
    assert policy.delay(0, body_error(TEMPORARILY_UNAVAILABLE)) == 7.0


def test_header_wins_over_availability_hint() -> None:
    error = _error_mapping.error_from_body(
        TEMPORARILY_UNAVAILABLE, headers={"Retry-After": "2"}
    )
    assert RetryPolicy().delay(0, error) == 2.0


def test_transport_errors_use_exponential_delay() -> None:
    policy = RetryPolicy(initial_delay=0.25, jitter=0.0)
    assert policy.delay(2, errors.OpenRouterTimeoutError("x")) == 1.0


# ---------------------------------------------------------------- validation


def test_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_retries, policy.initial_delay, policy.max_delay) == (2, 0.5, 8.0)
    assert (policy.jitter, policy.max_retry_after) == (0.25, 60.0)


def test_policy_is_frozen() -> None:
    policy = RetryPolicy()
    with pytest.raises(AttributeError):
        policy.max_retries = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"initial_delay": -0.1},
        {"max_delay": float("inf")},
        {"max_retry_after": float("nan")},
        {"jitter": 1.5},
        {"jitter": -0.1},
    ],
)
def test_invalid_settings_are_rejected(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        RetryPolicy(**kwargs)
