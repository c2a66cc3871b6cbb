"""RetryPolicy's action for each kind of 429, and reset headers that lie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from langchain_openrouter_free import _error_mapping, errors
from langchain_openrouter_free._reset_time import next_utc_midnight, parse_reset_time
from langchain_openrouter_free._retry import RetryPolicy

NOW = datetime(2026, 12, 4, 14, 0, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


def fixed_clock() -> datetime:
    return NOW


def policy(**kwargs: Any) -> RetryPolicy:
    return RetryPolicy(clock=fixed_clock, jitter=0.0, **kwargs)


def limit_429(
    message: str, limit: str, reset: str | None, headers: dict[str, str]
) -> errors.OpenRouterError:
    """A free-tier 429 with its X-RateLimit-* trio inside error.metadata.headers."""
    limit_headers = {"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": "0"}
    if reset is not None:
        limit_headers["X-RateLimit-Reset"] = reset
    metadata = {"headers": limit_headers, "provider_name": None}
    body = {"error": {"message": message, "code": 429, "metadata": metadata}}
    return _error_mapping.error_from_response(429, body, headers)


def per_minute(reset: str | None = None, **headers: str) -> errors.OpenRouterError:
    """A3: the per-minute 429."""
    return limit_429("Rate limit exceeded: free-models-per-min. ", "20", reset, headers)


def daily(reset: str | None = None, **headers: str) -> errors.OpenRouterError:
    """A1: the daily cap (50/day tier)."""
    message = (
        "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock "
        "1000 free model requests per day"
    )
    return limit_429(message, "50", reset, headers)


UPSTREAM = _error_mapping.error_from_body(
    {
        "code": 429,
        "message": "Provider returned error",
        "metadata": {
            "raw": "qwen/qwen3-coder:free is temporarily rate-limited upstream.",
            "provider_name": "Chutes",
        },
    }
)


def test_per_minute_waits_until_the_reset_and_retries() -> None:
    error = per_minute(str(NOW_MS + 12_000))
    assert isinstance(error, errors.OpenRouterRateLimitError)
    assert error.kind is errors.RateLimitKind.PER_MINUTE
    p = policy(max_retries=2)
    assert p.should_retry(0, error) is True
    assert p.delay(0, error) == pytest.approx(12.1)


def test_per_minute_prefers_retry_after_when_sent() -> None:
    error = per_minute(str(NOW_MS + 40_000), **{"Retry-After": "3"})
    assert policy().delay(0, error) == pytest.approx(3.0)


def test_per_minute_without_any_hint_waits_a_whole_minute() -> None:
    assert policy().delay(0, per_minute()) == pytest.approx(60.0)
    assert policy(max_rate_limit_wait=20).delay(0, per_minute()) == pytest.approx(20)


def test_per_minute_retries_at_most_max_retries_times() -> None:
    error = per_minute(str(NOW_MS + 1000))
    p = policy(max_retries=2)
    assert [p.should_retry(n, error) for n in range(4)] == [True, True, False, False]


def test_per_minute_is_waited_out_even_with_failover() -> None:
    # The per-minute limit covers every free model: another model cannot help.
    assert policy(rate_limit_failover=True).should_retry(0, per_minute()) is True


@pytest.mark.parametrize(
    ("reset", "expected"),
    [
        ("1e300", 60.0),  # out of range: ignored, a whole minute
        ("-5000", 60.0),  # negative: ignored
        (str(NOW_MS // 1000 + 30), 30.1),  # epoch seconds instead of ms
        ("Fri, 04 Dec 2026 14:00:20 GMT", 20.1),  # an HTTP date
        ("soon", 60.0),  # not a time at all
        ("nan", 60.0),
        (str(NOW_MS - 10_000), 60.0),  # already passed: no hint left
        (str(NOW_MS + 3_600_000), 65.0),  # an hour away: clamped
    ],
)
def test_malformed_reset_headers_are_clamped_or_ignored(
    reset: str, expected: float
) -> None:
    error = per_minute(reset)
    assert isinstance(error, errors.OpenRouterRateLimitError)
    assert policy().should_retry(0, error) is True
    assert policy().delay(0, error) == pytest.approx(expected)


def test_wait_never_exceeds_max_rate_limit_wait() -> None:
    error = per_minute(str(NOW_MS + 50_000), **{"Retry-After": "999"})
    assert policy(max_rate_limit_wait=10).delay(0, error) == 10


@pytest.mark.parametrize("max_retries", [0, 1, 5, 100])
def test_daily_cap_is_never_retried(max_retries: int) -> None:
    error = daily(str(NOW_MS + 3_600_000), **{"Retry-After": "1"})
    assert isinstance(error, errors.FreeQuotaExhaustedError)
    assert policy(max_retries=max_retries).should_retry(0, error) is False


def test_daily_cap_by_limit_source_alone() -> None:
    error = _error_mapping.error_from_body(
        {
            "code": 429,
            "message": "Rate limit exceeded",
            "metadata": {"limit_source": "openrouter_free_tier_daily"},
        }
    )
    assert isinstance(error, errors.FreeQuotaExhaustedError)


def test_high_balance_daily_cap_with_a_trailing_space() -> None:
    # A2: the 1000/day tier, "code" as a string.
    error = _error_mapping.error_from_response(
        429,
        {
            "error": {
                "message": "Rate limit exceeded: free-models-per-day-high-balance. ",
                "type": "rate_limit_error",
                "code": "429",
            }
        },
    )
    assert isinstance(error, errors.FreeQuotaExhaustedError)
    assert error.is_retryable is False


def test_upstream_429_backs_off_exponentially_without_hint() -> None:
    p = policy(max_retries=3, initial_delay=0.5)
    assert p.should_retry(0, UPSTREAM) is True
    assert [p.delay(n, UPSTREAM) for n in range(3)] == [0.5, 1.0, 2.0]


def test_upstream_429_is_not_retried_when_failover_takes_it() -> None:
    assert policy(rate_limit_failover=True).should_retry(0, UPSTREAM) is False


def test_availability_capacity_exhausted_not_retryable_is_respected() -> None:
    error = _error_mapping.error_from_body(
        {
            "code": 429,
            "message": "no capacity",
            "availability": {"code": "capacity_exhausted", "retryable": False},
        }
    )
    assert policy().should_retry(0, error) is False


def test_rate_limit_wait_rejects_a_negative_bound() -> None:
    with pytest.raises(ValueError, match="max_rate_limit_wait"):
        RetryPolicy(max_rate_limit_wait=-1)


# ------------------------------------------------------ FreeQuotaExhaustedError


def test_daily_reset_from_a_believable_header() -> None:
    reset = datetime.now(tz=UTC) + timedelta(hours=3)
    error = daily(str(int(reset.timestamp() * 1000)))
    assert isinstance(error, errors.FreeQuotaExhaustedError)
    assert abs((error.reset_at - reset).total_seconds()) < 0.01


@pytest.mark.parametrize("reset", [None, "1e300", "-1", "1743292800000", "junk"])
def test_daily_reset_defaults_to_next_utc_midnight(reset: str | None) -> None:
    before = datetime.now(tz=UTC)
    error = daily(reset)
    assert isinstance(error, errors.FreeQuotaExhaustedError)
    assert error.reset_at.tzinfo is not None
    assert error.reset_at.utcoffset() == timedelta(0)
    assert error.reset_at == next_utc_midnight(before) or (
        error.reset_at == next_utc_midnight(datetime.now(tz=UTC))
    )
    assert (error.reset_at.hour, error.reset_at.minute) == (0, 0)


def test_refused_error_says_nothing_was_sent() -> None:
    reset = datetime(2026, 12, 5, tzinfo=UTC)
    error = errors.FreeQuotaExhaustedError.refused(reset, "seen by another process")
    assert error.sent is False
    assert error.status_code == 429
    assert "nothing was sent" in error.message
    assert "2026-12-05 00:00 UTC" in error.message
    assert isinstance(error, errors.OpenRouterRateLimitError)


def test_next_utc_midnight_from_another_zone() -> None:
    late = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert next_utc_midnight(late) == datetime(2026, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1790812800000", datetime(2026, 10, 1, tzinfo=UTC)),
        ("1790812800", datetime(2026, 10, 1, tzinfo=UTC)),
        ("1e300", None),
        ("-1790812800000", None),
        ("12", None),
        ("inf", None),
        ("Thu, 01 Oct 2026 00:00:00 GMT", datetime(2026, 10, 1, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_parse_reset_time(value: str | None, expected: datetime | None) -> None:
    assert parse_reset_time(value) == expected
