"""The attempts of one request: the budget before each, waits between them.

`RetryLoop` runs an attempt (a callable that sends one request and reads its
answer) until it succeeds or the retry policy says stop. Before every attempt
the free-tier budget is consulted (so retries and failed attempts count);
after a failure the error is redacted, shown to the budget (a daily cap
blocks the account) and the policy decides the wait, which never runs past
the call's ``total_timeout``. Sync and async differ only in ``await``. No
httpx here: the attempts are the client's (`langchain_openrouter_free._client`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from langchain_openrouter_free import _answers as answers
from langchain_openrouter_free import errors

if TYPE_CHECKING:
    import logging
    from collections.abc import Awaitable, Callable, Sequence

    from langchain_openrouter_free._bounds import Deadline
    from langchain_openrouter_free._budget import Budget
    from langchain_openrouter_free._retry import RetryPolicy

__all__ = ["RetryLoop"]

_T = TypeVar("_T")


class RetryLoop:
    """Send attempts until one succeeds or the policy gives up."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        secrets: Sequence[str],
        sleep: Callable[[float], None],
        async_sleep: Callable[[float], Awaitable[None]],
        log: logging.Logger,
    ) -> None:
        """Retry per ``policy``, waiting with ``sleep`` / ``async_sleep``.

        Args:
            policy: Which errors are retried, how often and after what wait.
            secrets: Values redacted from every error before it is raised.
            sleep: How to wait between sync attempts.
            async_sleep: How to wait between async attempts.
            log: Where retries and give-ups are logged (never headers).
        """
        self._policy = policy
        self._secrets = secrets
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._log = log

    def run(
        self, attempt_once: Callable[[], _T], deadline: Deadline, budget: Budget | None
    ) -> _T:
        """The result of the first attempt that succeeds.

        Raises:
            OpenRouterError: The last attempt's error, redacted.
        """
        attempt = 0
        while True:
            try:
                if budget is not None:
                    budget.before_attempt()
                return attempt_once()
            except errors.OpenRouterError as error:
                delay = self._after_failure(attempt, error, deadline, budget)
                if delay is None:
                    raise
            self._sleep(delay)
            attempt += 1

    async def arun(
        self,
        attempt_once: Callable[[], Awaitable[_T]],
        deadline: Deadline,
        budget: Budget | None,
    ) -> _T:
        """Async `run`."""
        attempt = 0
        while True:
            try:
                if budget is not None:
                    await budget.abefore_attempt()
                return await attempt_once()
            except errors.OpenRouterError as error:
                delay = self._after_failure(attempt, error, deadline, budget)
                if delay is None:
                    raise
            await self._async_sleep(delay)
            attempt += 1

    def _after_failure(
        self,
        attempt: int,
        error: errors.OpenRouterError,
        deadline: Deadline,
        budget: Budget | None,
    ) -> float | None:
        """The wait before the next attempt, or None to give up (and log it).

        No retry starts that the call's ``total_timeout`` would cut short.
        """
        error.redact(self._secrets)
        if budget is not None:
            budget.after_error(error)
        delay = self._policy.delay(attempt, error)
        if (
            not self._policy.should_retry(attempt, error)
            or delay >= deadline.remaining()
        ):
            self._log.debug(
                "OpenRouter request failed with %s (status %s); not retrying",
                type(error).__name__,
                answers.status_of(error),
            )
            return None
        self._log.info(
            "OpenRouter request failed with %s (status %s); retry %d of %d in %.2fs",
            type(error).__name__,
            answers.status_of(error),
            attempt + 1,
            self._policy.max_retries,
            delay,
        )
        return delay
