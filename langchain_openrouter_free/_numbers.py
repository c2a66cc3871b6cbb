"""Lenient parsing of numbers that arrive as JSON values or header strings."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = ["finite_float", "finite_int", "http_date"]


def finite_float(value: Any) -> float | None:
    """Read a finite number from a JSON value or a header string.

    Args:
        value: An int, float or numeric string; anything else is "no number".

    Returns:
        The number, or None for None, booleans, text that is not a number,
        NaN and infinities.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def finite_int(value: Any) -> int | None:
    """Read a finite number as an int (truncated), as for `finite_float`.

    Args:
        value: An int, float or numeric string.

    Returns:
        The number as an int, or None where `finite_float` gives None.
    """
    number = finite_float(value)
    return int(number) if number is not None else None


def http_date(value: str) -> datetime | None:
    """Read an HTTP date (``Fri, 05 Dec 2026 00:00:00 GMT``) as an aware UTC time.

    Args:
        value: Header text.

    Returns:
        The time, or None when the text is no date.
    """
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC without a source zone (RFC 5322)
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
