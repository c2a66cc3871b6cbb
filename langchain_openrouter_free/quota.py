"""`Quota`: what ``GET /api/v1/key`` says about an account's free requests.

``free_model_daily_requests`` (``{used, limit, remaining}``) is OpenRouter's
own count of today's free-model requests (about 60 s stale); ``limit`` is 50,
or 1000 once the account bought 10 credits. Reading it spends no free request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from langchain_openrouter_free._numbers import finite_float
from langchain_openrouter_free._reset_time import next_utc_midnight
from langchain_openrouter_free.errors import OpenRouterServerError

__all__ = ["KEY_PATH", "Quota", "parse_quota"]

KEY_PATH = "/key"
"""The endpoint, below the API root, that describes the calling key."""


@dataclass(frozen=True)
class Quota:
    """An account's free-model allowance for today, and the key's own limits.

    Attributes:
        daily_limit: Free-model requests allowed per UTC day (50 or 1000), or
            None when OpenRouter did not say (older API versions).
        daily_used: Free-model requests made today, or None.
        daily_remaining: Free-model requests left today, or None.
        is_free_tier: OpenRouter's ``is_free_tier`` (True: never bought
            credits), or None.
        key_limit: The key's own USD spending cap, or None for no cap.
        key_limit_remaining: USD left under that cap, or None.
        resets_at: When the daily count resets: the next 00:00 UTC.
    """

    daily_limit: int | None
    daily_used: int | None
    daily_remaining: int | None
    is_free_tier: bool | None
    key_limit: float | None
    key_limit_remaining: float | None
    resets_at: datetime

    @property
    def exhausted(self) -> bool:
        """True when OpenRouter says no free request is left today."""
        return self.daily_remaining is not None and self.daily_remaining <= 0

    def as_dict(self) -> dict[str, Any]:
        """The quota as JSON-ready values (``resets_at`` in ISO 8601)."""
        return {
            "daily_limit": self.daily_limit,
            "daily_used": self.daily_used,
            "daily_remaining": self.daily_remaining,
            "is_free_tier": self.is_free_tier,
            "key_limit": self.key_limit,
            "key_limit_remaining": self.key_limit_remaining,
            "resets_at": self.resets_at.isoformat(),
        }


def parse_quota(body: Any, now: datetime | None = None) -> Quota:
    """Read the answer of ``GET /key`` into a `Quota`.

    Args:
        body: The parsed JSON answer (``{"data": {...}}``).
        now: The current time, for ``resets_at``; defaults to the clock.

    Returns:
        The quota; fields OpenRouter left out are None.

    Raises:
        OpenRouterServerError: The answer has no ``data`` object.
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping):
        msg = "GET /key answered without a 'data' object"
        raise OpenRouterServerError(msg, body=body)
    daily = data.get("free_model_daily_requests")
    daily = daily if isinstance(daily, Mapping) else {}
    free_tier = data.get("is_free_tier")
    return Quota(
        daily_limit=_count(daily.get("limit")),
        daily_used=_count(daily.get("used")),
        daily_remaining=_count(daily.get("remaining")),
        is_free_tier=free_tier if isinstance(free_tier, bool) else None,
        key_limit=finite_float(data.get("limit")),
        key_limit_remaining=finite_float(data.get("limit_remaining")),
        resets_at=next_utc_midnight(now or datetime.now(tz=UTC)),
    )


def _count(value: Any) -> int | None:
    number = finite_float(value)
    return None if number is None else max(0, int(number))
