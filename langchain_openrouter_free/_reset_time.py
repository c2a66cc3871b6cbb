"""When a rate limit resets: read from headers that may lie, and the daily reset.

Pure functions shared by the typed errors, the retry policy and the quota
reader. A reset header that is out of range or malformed never raises here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from langchain_openrouter_free._numbers import finite_float, http_date

__all__ = ["daily_reset_time", "next_utc_midnight", "parse_reset_time"]

_MIN_EPOCH_MS: Final = 1e11
"""Smaller reset values are read as epoch seconds (a server that sent seconds)."""
_EPOCH_SECONDS_RANGE: Final = (1e9, 253402300799.0)
"""Readable reset times: from 2001 to the end of year 9999, in epoch seconds."""
_LONGEST_DAILY_RESET: Final = timedelta(hours=48)
"""A daily-cap reset further away than this is not believed (next midnight is)."""


def next_utc_midnight(now: datetime) -> datetime:
    """00:00 UTC of the day after ``now`` (when OpenRouter's daily cap resets).

    Args:
        now: An aware time.

    Returns:
        The next UTC midnight, aware.
    """
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def daily_reset_time(header: datetime | None, now: datetime) -> datetime:
    """The reset of a daily cap: the header's time when believable, else midnight.

    Args:
        header: The reset time a 429 announced, if any.
        now: The current time (aware).

    Returns:
        ``header`` when it lies after ``now`` and within 48 hours, else the
        next 00:00 UTC.
    """
    if header is not None and now < header <= now + _LONGEST_DAILY_RESET:
        return header
    return next_utc_midnight(now)


def parse_reset_time(value: str | None) -> datetime | None:
    """Read ``X-RateLimit-Reset`` (epoch milliseconds) without ever failing.

    Epoch seconds (a value below 1e11) and an HTTP date are read too; a
    negative, tiny, huge (``1e300``) or unreadable value gives None.

    Args:
        value: The header text, if any.

    Returns:
        The reset time (aware UTC), or None.
    """
    if value is None:
        return None
    number = finite_float(value)
    if number is None:
        return http_date(value)
    seconds = number / 1000 if number >= _MIN_EPOCH_MS else number
    low, high = _EPOCH_SECONDS_RANGE
    if not low <= seconds <= high:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)
