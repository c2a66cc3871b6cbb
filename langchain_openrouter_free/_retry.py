"""Pure retry policy: which failures to retry and how long to wait (no I/O).

The I/O layer (`langchain_openrouter_free._client`) asks `RetryPolicy` two
questions after every failed attempt and does nothing else on its own:
`RetryPolicy.should_retry` and `RetryPolicy.delay`.

Only failures that another identical request can fix are retried: transport
failures, timeouts, and server errors (408, 5xx, or an ``error.availability``
that says ``retryable``). A 429 is never retried here: on the free tier the
right reaction depends on which limit was hit (a daily cap will not lift for
hours), and that decision belongs to a higher layer. A server that asks for a
longer wait than ``max_retry_after`` is taken at its word: a retry sooner
would fail (and spend a free request), so none is made.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter_free import errors
from langchain_openrouter_free._numbers import finite_float

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["RetryPolicy"]

_MAX_EXPONENT: Final = 64
"""Beyond this many retries the exponential delay is always capped anyway."""

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
        clock: The current time (aware, UTC), used to turn an HTTP-date
            ``Retry-After`` into seconds; injectable for tests.

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
        for name in ("initial_delay", "max_delay", "max_retry_after"):
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
            True for a connection failure, a timeout, or a retryable server
            error (408, 5xx, or ``availability.retryable``) while retries
            remain. Always False for a 429, any other 4xx, a stream that
            broke after it started (its answer was already partly consumed),
            a configuration error, and a server error whose wait hint (see
            `server_wait`) exceeds ``max_retry_after``.
        """
        if attempt >= self.max_retries:
            return False
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
        hinted = self.server_wait(error)
        if hinted is not None and hinted <= self.max_retry_after:
            return hinted
        nominal = min(
            self.initial_delay * 2.0 ** min(max(attempt, 0), _MAX_EXPONENT),
            self.max_delay,
        )
        spread = 1.0 + self.jitter * (rng or _RNG).uniform(-1.0, 1.0)
        return min(max(nominal * spread, 0.0), self.max_delay)

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
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC without a source zone (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()
