"""Pure retry policy: which failures to retry and how long to wait (no I/O).

The I/O layer (`langchain_openrouter_free._client`) asks `RetryPolicy` two
questions after every failed attempt and does nothing else on its own:
`RetryPolicy.should_retry` and `RetryPolicy.delay`.

Only failures that another identical request can fix are retried: transport
failures, timeouts, and server errors (408, 5xx, or an ``error.availability``
that says ``retryable``). A 429 is never retried here: on the free tier the
right reaction depends on which limit was hit (a daily cap will not lift for
hours), and that decision belongs to a higher layer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter_free import errors
from langchain_openrouter_free._numbers import finite_float

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["RetryPolicy"]

_MAX_EXPONENT: Final = 64
"""Beyond this many retries the exponential delay is always capped anyway."""

_RNG: Final = random.Random()  # noqa: S311 - jitter, not cryptography
"""Shared source of jitter when the caller passes no generator."""


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
        max_retry_after: The longest server-requested wait (``Retry-After``)
            that is honoured, in seconds; longer or non-positive hints fall
            back to the exponential delay.

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
            remain. Always False for a 429, any other 4xx, and a stream that
            broke after it started (its answer was already partly consumed).
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
        return bool(error.is_retryable) and _is_transient(error)

    def delay(
        self,
        attempt: int,
        error: errors.OpenRouterError,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait before retry number ``attempt + 1``.

        A server hint wins when it is usable: the ``retry-after-ms`` or
        ``Retry-After`` (seconds) response header, else the body's
        ``error.availability.retry_after``, each honoured when
        ``0 < value <= max_retry_after``. Otherwise the delay is
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
        hinted = self._server_hint(error)
        if hinted is not None:
            return hinted
        nominal = min(
            self.initial_delay * 2.0 ** min(max(attempt, 0), _MAX_EXPONENT),
            self.max_delay,
        )
        spread = 1.0 + self.jitter * (rng or _RNG).uniform(-1.0, 1.0)
        return min(max(nominal * spread, 0.0), self.max_delay)

    def _server_hint(self, error: errors.OpenRouterError) -> float | None:
        if not isinstance(error, errors.OpenRouterAPIError):
            return None
        for seconds in _hinted_waits(error.headers, error.availability):
            if seconds is not None and 0 < seconds <= self.max_retry_after:
                return seconds
        return None


def _is_transient(error: errors.OpenRouterServerError) -> bool:
    """A server error is transient unless it is a 3xx-style oddity."""
    if error.availability.get("retryable") is True:
        return True
    status = error.status_code
    return status == 408 or status >= 500  # noqa: PLR2004


def _hinted_waits(
    headers: Mapping[str, str], availability: Mapping[str, Any]
) -> tuple[float | None, ...]:
    """Server-suggested waits in seconds, most precise first."""
    millis = finite_float(headers.get("retry-after-ms"))
    return (
        millis / 1000 if millis is not None else None,
        finite_float(headers.get("retry-after")),
        finite_float(availability.get("retry_after")),
    )
