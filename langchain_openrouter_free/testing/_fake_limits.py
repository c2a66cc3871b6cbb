"""The simulated clock and the free-tier request counters of `FakeOpenRouter`.

Time-scale semantics (``time_scale`` = simulated seconds per real second):

* The simulated clock starts at the real wall-clock time when the emulator is
  created and runs ``time_scale`` times faster; ``advance_time`` jumps it ahead.
* Free-tier windows are measured on it: the per-minute window is a sliding
  60 simulated seconds, the daily window is the simulated UTC day.
* Every duration given to a `Fault` is in simulated seconds; the emulator waits
  ``value / time_scale`` real seconds.
* ``X-RateLimit-Reset`` is the *real* epoch milliseconds at which the simulated
  clock reaches the reset moment, so a client that sleeps until the header's
  time gets through, whatever the scale.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal

from langchain_openrouter_free._constants import (
    FREE_REQUESTS_PER_DAY,
    FREE_REQUESTS_PER_MINUTE,
)

__all__ = ["FreeTierCounter", "FreeTierLimits", "LimitHit", "SimClock"]

MINUTE: Final = 60.0


@dataclass(frozen=True)
class FreeTierLimits:
    """OpenRouter's account-wide limits on free-model requests.

    Attributes:
        per_minute: Requests allowed in any 60 simulated seconds (OpenRouter: 20).
        per_day: Requests allowed per simulated UTC day (50, or 1000 for
            accounts that bought at least 10 credits).
    """

    per_minute: int = FREE_REQUESTS_PER_MINUTE
    per_day: int = FREE_REQUESTS_PER_DAY

    def __post_init__(self) -> None:
        """Reject limits below one.

        Raises:
            ValueError: A limit is below one.
        """
        if self.per_minute < 1 or self.per_day < 1:
            msg = "free-tier limits must be at least 1"
            raise ValueError(msg)


class SimClock:
    """A wall clock that runs ``time_scale`` times faster than real time."""

    def __init__(self, time_scale: float) -> None:
        """Start the clock at the current real time.

        Args:
            time_scale: Simulated seconds per real second (> 0).

        Raises:
            ValueError: ``time_scale`` is not a positive finite number.
        """
        if not (math.isfinite(time_scale) and time_scale > 0):
            msg = f"time_scale must be a positive number, not {time_scale!r}"
            raise ValueError(msg)
        self.time_scale = time_scale
        self._wall0 = time.time()
        self._mono0 = time.monotonic()
        self._offset = 0.0

    def now(self) -> float:
        """The simulated time, in epoch seconds."""
        elapsed = time.monotonic() - self._mono0
        return self._wall0 + elapsed * self.time_scale + self._offset

    def advance(self, seconds: float) -> None:
        """Jump the simulated clock forward.

        Args:
            seconds: Simulated seconds to skip (>= 0).

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            msg = "the simulated clock only moves forward"
            raise ValueError(msg)
        self._offset += seconds

    def reset(self) -> None:
        """Restart the simulated clock at the current real time."""
        self._wall0 = time.time()
        self._mono0 = time.monotonic()
        self._offset = 0.0

    def real_seconds(self, simulated: float) -> float:
        """How long a simulated duration lasts in real seconds.

        Args:
            simulated: A duration in simulated seconds.

        Returns:
            The real duration (never negative).
        """
        return max(0.0, simulated) / self.time_scale

    def real_epoch_ms(self, simulated_time: float) -> int:
        """Real epoch milliseconds at which the simulated clock reads a time.

        Args:
            simulated_time: A simulated epoch time in seconds.

        Returns:
            The real epoch time in whole milliseconds, rounded up.
        """
        real = (
            self._wall0
            + (simulated_time - self._wall0 - self._offset) / self.time_scale
        )
        return math.ceil(real * 1000)


@dataclass(frozen=True)
class LimitHit:
    """A free-model request refused by the simulated free tier.

    Attributes:
        kind: Which limit refused it.
        limit: The limit (``X-RateLimit-Limit``).
        reset_at: Simulated epoch seconds when the limit lets requests through.
    """

    kind: Literal["per_minute", "daily"]
    limit: int
    reset_at: float


def next_utc_midnight(simulated_time: float) -> float:
    """The next 00:00 UTC after a time.

    Args:
        simulated_time: Epoch seconds.

    Returns:
        Epoch seconds of the following UTC midnight.
    """
    day = datetime.fromtimestamp(simulated_time, tz=UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


class FreeTierCounter:
    """Counts free-model requests per sliding minute and per UTC day.

    Not thread-safe; the emulator calls it under its own lock.
    """

    def __init__(self, limits: FreeTierLimits | None) -> None:
        """Create empty counters.

        Args:
            limits: The limits to enforce, or None to only count (for ``/key``).
        """
        self.limits = limits
        self._minute: deque[float] = deque()
        self._day: date | None = None
        self._used_today = 0

    def reset(self) -> None:
        """Forget every counted request."""
        self._minute.clear()
        self._day = None
        self._used_today = 0

    def _roll(self, now: float) -> None:
        today = datetime.fromtimestamp(now, tz=UTC).date()
        if today != self._day:
            self._day = today
            self._used_today = 0
        while self._minute and self._minute[0] <= now - MINUTE:
            self._minute.popleft()

    def admit(self, now: float) -> LimitHit | None:
        """Decide on one free-model request and count it when admitted.

        Refused requests are not counted; admitted ones count toward both
        windows whatever their outcome (OpenRouter counts failed attempts).

        Args:
            now: The simulated time.

        Returns:
            None when admitted, else the limit that refused it.
        """
        self._roll(now)
        limits = self.limits
        if limits is not None and self._used_today >= limits.per_day:
            return LimitHit("daily", limits.per_day, next_utc_midnight(now))
        if limits is not None and len(self._minute) >= limits.per_minute:
            return LimitHit("per_minute", limits.per_minute, self._minute[0] + MINUTE)
        self._minute.append(now)
        self._used_today += 1
        return None

    def daily_usage(self, now: float) -> dict[str, int]:
        """The ``free_model_daily_requests`` object of ``GET /key``.

        Args:
            now: The simulated time.

        Returns:
            ``{"used", "limit", "remaining"}``.
        """
        self._roll(now)
        limit = (self.limits or FreeTierLimits()).per_day
        used = self._used_today
        return {"used": used, "limit": limit, "remaining": max(0, limit - used)}
