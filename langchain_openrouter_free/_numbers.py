"""Lenient parsing of numbers that arrive as JSON values or header strings."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_float"]


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
