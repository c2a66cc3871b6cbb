"""Pure retry policy: which failures to retry and how long to wait (no I/O).

The I/O layer (`langchain_openrouter_free._client`) asks `RetryPolicy` two
questions after every failed attempt and does nothing else on its own:
`RetryPolicy.should_retry` and `RetryPolicy.delay`.

Only failures that another identical request can fix are retried: transport
failures, timeouts, server errors (408, 5xx, or an ``error.availability`` that
says ``retryable``) and the 429s that lift by themselves. A server that asks
for a longer wait than ``max_retry_after`` after a 5xx is taken at its word: a
retry sooner would fail (and spend a free request), so none is made.

Each kind of 429 (`langchain_openrouter_free.errors.RateLimitKind`) gets its
own action:

- per minute (``free-models-per-min``): wait until the limit resets
  (``Retry-After`` when sent, else ``X-RateLimit-Reset``, else a whole
  minute), never longer than ``max_rate_limit_wait``, then retry;
- daily cap (`FreeQuotaExhaustedError`): never retried, so it costs exactly
  one request whatever ``max_retries`` is;
- upstream (one model throttled by its provider) and unclassified 429s: back
  off like a 5xx, unless ``rate_limit_failover`` is set: then they are not
  retried here, so the caller's failover moves on to the next model at once.

A reset header that is out of range or malformed (seconds instead of
milliseconds, ``1e300``, negative, an HTTP date) never fails: it is read when
it can be (see `langchain_openrouter_free._reset_time.parse_reset_time`) and the
wait is clamped to ``[0, max_rate_limit_wait]``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter_free import errors
from langchain_openrouter_free._numbers import finite_float, http_date

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["RetryPolicy"]

_MAX_EXPONENT: Final = 64
"""Beyond this many retries the exponential delay is always capped anyway."""

_MINUTE: Final = 60.0
"""The per-minute window: the wait after a per-minute 429 that gives no time."""
_RESET_MARGIN: Final = 0.1
"""Seconds added to a per-minute reset so the retry lands after it, not on it."""

_RNG: Final = random.Random()  # noqa: S311 - jitter, not cryptography
"""Shared source of jitter when the caller passes no generator."""


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry a failed OpenRouter request, and how long to wait first.

    Attributes:
        max_retries: Retries after the first attempt; ``0`` means exactly one
            attempt.
        initial_delay: Seconds to wait before the first retry; doubles with
            every further retry.
        max_delay: Upper bound, in seconds, of the exponential delay.
        jitter: Random spread of the exponential delay, as a fraction of it:
            ``0.25`` gives a delay between 75 % and 125 % of the nominal one
            (never more than ``max_delay``).
        max_retry_after: The longest server-requested wait (``Retry-After``
            and friends) that is honoured, in seconds. A longer hint means
            "do not retry": the request fails with the server's error.
            Non-positive or unreadable hints fall back to the exponential
            delay.
        max_rate_limit_wait: The longest wait, in seconds, before retrying a
            429 (a reset further away is clamped to it).
        rate_limit_failover: Do not retry upstream or unclassified 429s: the
            caller moves on to another model instead (set when fallbacks are
            configured). Per-minute 429s are still waited out: they cover
            every free model of the account.
        clock: The current time (aware, UTC), used to turn an HTTP-date
            ``Retry-After`` or an ``X-RateLimit-Reset`` into seconds;
            injectable for tests.

    Example:
        ```python
        policy = RetryPolicy(max_retries=3)
        if policy.should_retry(attempt, error):
            time.sleep(policy.delay(attempt, error))
        ```
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0
    max_rate_limit_wait: float = 65.0
    rate_limit_failover: bool = False
    clock: Callable[[], datetime] = field(default=_utc_now, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Reject settings that would make the policy meaningless.

        Raises:
            ValueError: If a count or duration is negative or not finite, or
                ``jitter`` is outside ``[0, 1]``.
        """
        if self.max_retries < 0:
            msg = f"max_retries must be >= 0, got {self.max_retries}"
            raise ValueError(msg)
        for name in (
            "initial_delay",
            "max_delay",
            "max_retry_after",
            "max_rate_limit_wait",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                msg = f"{name} must be a finite number >= 0, got {value!r}"
                raise ValueError(msg)
        if not 0 <= self.jitter <= 1:
            msg = f"jitter must be between 0 and 1, got {self.jitter!r}"
            raise ValueError(msg)

    def should_retry(self, attempt: int, error: errors.OpenRouterError) -> bool:
        """Decide whether a failed attempt is worth repeating.

        Args:
            attempt: Retries already made (``0`` after the first attempt).
            error: The typed error the attempt failed with.

        Returns:
            True for a connection failure, a timeout, a retryable server
            error (408, 5xx, or ``availability.retryable``) and a 429 that
            lifts by itself (see the module docstring) while retries remain.
            Always False for a daily-cap 429, any other 4xx, a stream that
            broke after it started (its answer was already partly consumed),
            a configuration error, and a server error whose wait hint (see
            `server_wait`) exceeds ``max_retry_after``.
        """
        if attempt >= self.max_retries:
            return False
        if isinstance(error, errors.OpenRouterRateLimitError):
            return self._retries_rate_limit(error)
        if isinstance(
            error, (errors.OpenRouterConnectionError, errors.OpenRouterTimeoutError)
        ):
            return True
        if isinstance(error, errors.OpenRouterStreamError) or not isinstance(
            error, errors.OpenRouterServerError
        ):
            return False
        if not (error.is_retryable and _is_transient(error)):
            return False
        wait = self.server_wait(error)
        return wait is None or wait <= self.max_retry_after

    def delay(
        self,
        attempt: int,
        error: errors.OpenRouterError,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait before retry number ``attempt + 1``.

        The server's hint (`server_wait`) wins when it is at most
        ``max_retry_after`` (a longer one makes `should_retry` say no, so it
        is never waited for). Otherwise the delay is
        ``initial_delay * 2**attempt`` capped at ``max_delay``, spread by
        ``jitter`` and never above ``max_delay``.

        Args:
            attempt: Retries already made (``0`` before the first retry).
            error: The error that failed the attempt.
            rng: Source of jitter; pass a seeded `random.Random` for
                reproducible delays.

        Returns:
            A non-negative number of seconds.
        """
        if isinstance(error, errors.OpenRouterRateLimitError):
            wait = self.rate_limit_wait(error)
            if wait is not None:
                return wait
        else:
            hinted = self.server_wait(error)
            if hinted is not None and hinted <= self.max_retry_after:
                return hinted
        nominal = min(
            self.initial_delay * 2.0 ** min(max(attempt, 0), _MAX_EXPONENT),
            self.max_delay,
        )
        spread = 1.0 + self.jitter * (rng or _RNG).uniform(-1.0, 1.0)
        return min(max(nominal * spread, 0.0), self.max_delay)

    def rate_limit_wait(self, error: errors.OpenRouterRateLimitError) -> float | None:
        """Seconds to wait before retrying a 429, or None for the exponential delay.

        The first positive hint of ``retry-after-ms``, ``Retry-After``,
        ``availability.retry_after`` and ``X-RateLimit-Reset`` (plus a tenth
        of a second, so the retry lands after the reset); a per-minute 429
        without any hint waits a whole minute. Always clamped to
        ``[0, max_rate_limit_wait]``.

        Args:
            error: The 429.

        Returns:
            A number of seconds, or None for an upstream or unclassified 429
            without a hint.
        """
        now = self.clock()
        hints = [*_hinted_waits(error.headers, error.availability, now)]
        if error.reset_at is not None:
            hints.append((error.reset_at - now).total_seconds() + _RESET_MARGIN)
        wait = next((s for s in hints if s is not None and s > 0), None)
        if wait is None and error.kind is errors.RateLimitKind.PER_MINUTE:
            wait = _MINUTE
        return None if wait is None else min(wait, self.max_rate_limit_wait)

    def _retries_rate_limit(self, error: errors.OpenRouterRateLimitError) -> bool:
        if isinstance(error, errors.FreeQuotaExhaustedError) or not error.is_retryable:
            return False
        if error.kind is errors.RateLimitKind.PER_MINUTE:
            return True
        return not self.rate_limit_failover

    def server_wait(self, error: errors.OpenRouterError) -> float | None:
        """The wait the server asked for, in seconds, or None if it gave none.

        The first positive hint of: the ``retry-after-ms`` header, the
        ``Retry-After`` header (seconds, or an HTTP date measured against
        ``clock``), the body's ``error.availability.retry_after``.

        Args:
            error: The error that failed the attempt.

        Returns:
            A positive number of seconds, or None.
        """
        if not isinstance(error, errors.OpenRouterAPIError):
            return None
        hints = _hinted_waits(error.headers, error.availability, self.clock())
        return next((s for s in hints if s is not None and s > 0), None)


def _is_transient(error: errors.OpenRouterServerError) -> bool:
    """A server error is transient unless it is a 3xx-style oddity."""
    if error.availability.get("retryable") is True:
        return True
    status = error.status_code
    return status == 408 or status >= 500  # noqa: PLR2004


def _hinted_waits(
    headers: Mapping[str, str], availability: Mapping[str, Any], now: datetime
) -> tuple[float | None, ...]:
    """Server-suggested waits in seconds, most precise first."""
    millis = finite_float(headers.get("retry-after-ms"))
    return (
        millis / 1000 if millis is not None else None,
        _retry_after_seconds(headers.get("retry-after"), now),
        finite_float(availability.get("retry_after")),
    )


def _retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Read ``Retry-After``: delay-seconds, or an HTTP date relative to ``now``.

    Returns:
        Seconds (negative for a date in the past), or None when unreadable.
    """
    seconds = finite_float(value)
    if seconds is not None or value is None:
        return seconds
    when = http_date(value)
    return None if when is None else (when - now).total_seconds()
