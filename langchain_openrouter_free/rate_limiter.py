"""`FreeTierRateLimiter`: one free-tier budget per OpenRouter account.

OpenRouter allows 20 free-model requests a minute per *account*, across every
free model and every key, and counts failed attempts too. This limiter keeps
every caller that shares an account inside that budget, so a LangGraph loop or
a ``batch`` of 100 prompts waits instead of drawing 429s. It is a langchain-core
``BaseRateLimiter``, so it also works as any chat model's ``rate_limiter=``.

Its state lives in a store named by a URL (see
`langchain_openrouter_free._budget_store`): ``memory://`` (one process),
``sqlite:///path`` (every process on one machine) or ``redis://host:port/db``
(many machines). Beside the rolling window, the store holds the daily-cap
block (after a ``free-models-per-day`` 429, nothing is sent to a free model
of the account until the reset, by any process sharing the store) and a count
of today's attempts. The account is named by a fingerprint of the key (a
truncated SHA-256), never by the key itself.

`ChatOpenRouterFree` builds one per key by itself (``requests_per_minute``,
``rate_limit_store``) when it talks to OpenRouter's own host; pass one as
``rate_limiter=`` to use it anywhere else (the emulator, a proxy).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, TypeVar

from langchain_core.rate_limiters import BaseRateLimiter
from pydantic import SecretStr

from langchain_openrouter_free._constants import FREE_REQUESTS_PER_MINUTE
from langchain_openrouter_free.errors import FreeQuotaExhaustedError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from langchain_openrouter_free._budget_store import BudgetStore

__all__ = ["FreeTierRateLimiter", "key_fingerprint"]

_T = TypeVar("_T")
_ANONYMOUS: Final = "anonymous"
_SHARED: dict[tuple[str, str, int], FreeTierRateLimiter] = {}
_SHARED_LOCK: Final = threading.Lock()


def key_fingerprint(api_key: str | SecretStr | None) -> str:
    """A short, stable name for the account behind a key (not the key).

    Args:
        api_key: The key, or None for "no key" (the emulator).

    Returns:
        16 hex digits of a SHA-256 of the key, or ``"anonymous"``.
    """
    key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    if not key:
        return _ANONYMOUS
    digest = hashlib.sha256(b"langchain-openrouter-free:" + key.encode())
    return digest.hexdigest()[:16]


class FreeTierRateLimiter(BaseRateLimiter):
    """A rolling-window limit on free-model requests, shared through a store.

    Every `acquire` counts one request in the window (wait first when the
    window is full) and in today's attempts. While the store holds a daily-cap
    block, `acquire` raises `FreeQuotaExhaustedError` instead: nothing would
    get through before the reset, and a refused request still counts.

    Example:
        ```python
        from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter

        limiter = FreeTierRateLimiter(store="sqlite:////var/tmp/openrouter.db")
        model = ChatOpenAI(..., rate_limiter=limiter)  # any LangChain model
        ```
    """

    def __init__(
        self,
        requests_per_minute: int = FREE_REQUESTS_PER_MINUTE,
        store: str = "memory://",
        *,
        api_key: str | SecretStr | None = None,
        window_seconds: float = 60.0,
        safety_margin: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Configure the limiter; the store is opened on first use.

        Args:
            requests_per_minute: Requests allowed per window (OpenRouter: 20).
            store: Where the state lives: ``memory://``, ``sqlite:///path``
                or ``redis://host:port/db``.
            api_key: The account's key; only its fingerprint is kept, to
                name the account in the store. None: ``"anonymous"``.
            window_seconds: The rolling window (60; shorter against a
                time-scaled emulator).
            safety_margin: Seconds added to the window, so that requests
                admitted exactly one window apart are not counted in one
                window by OpenRouter after network delays.
            clock: Wall-clock epoch seconds; every process sharing a store
                must use the same clock.
            sleep: How to wait in `acquire`.
            async_sleep: How to wait in `aacquire`.

        Raises:
            ValueError: A count below one, or a window or margin that is not
                a finite positive number.
        """
        if isinstance(requests_per_minute, bool) or requests_per_minute < 1:
            msg = f"requests_per_minute must be at least 1, got {requests_per_minute!r}"
            raise ValueError(msg)
        if not (math.isfinite(window_seconds) and window_seconds > 0):
            msg = f"window_seconds must be a positive number, got {window_seconds!r}"
            raise ValueError(msg)
        if not (math.isfinite(safety_margin) and safety_margin >= 0):
            msg = f"safety_margin must be a number >= 0, got {safety_margin!r}"
            raise ValueError(msg)
        self.requests_per_minute = requests_per_minute
        self.store_url = store
        self.account = key_fingerprint(api_key)
        self.window_seconds = window_seconds
        self.safety_margin = safety_margin
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._store: BudgetStore | None = None
        self._lock = threading.Lock()

    @classmethod
    def shared(
        cls,
        api_key: str | SecretStr | None,
        requests_per_minute: int = FREE_REQUESTS_PER_MINUTE,
        store: str = "memory://",
    ) -> FreeTierRateLimiter:
        """The process-wide limiter of one account and store.

        Every `ChatOpenRouterFree` with the same key, store and rate gets the
        same object, so a ``memory://`` window is shared in the process too.

        Args:
            api_key: The account's key.
            requests_per_minute: Requests allowed per minute.
            store: The store URL.

        Returns:
            The shared limiter.
        """
        key = (store, key_fingerprint(api_key), requests_per_minute)
        with _SHARED_LOCK:
            limiter = _SHARED.get(key)
            if limiter is None:
                limiter = _SHARED[key] = cls(
                    requests_per_minute, store, api_key=api_key
                )
            return limiter

    def __repr__(self) -> str:
        """Name the rate, the store and the account fingerprint."""
        return (
            f"{type(self).__name__}(requests_per_minute={self.requests_per_minute}, "
            f"store={self.store_url!r}, account={self.account!r})"
        )

    # ------------------------------------------------------------ acquiring

    def acquire(self, *, blocking: bool = True) -> bool:
        """Count one free-model request, waiting for room in the window.

        Args:
            blocking: Wait for room; False returns at once.

        Returns:
            True when the request was counted; False only without blocking.

        Raises:
            FreeQuotaExhaustedError: The account's daily cap is known to be
                used up (nothing may be sent before the reset).
        """
        while True:
            wait = self._try_admit()
            if wait is None:
                return True
            if not blocking:
                return False
            self._sleep(wait)

    async def aacquire(self, *, blocking: bool = True) -> bool:
        """Async `acquire`: same arguments, result and errors."""
        while True:
            wait = await self._offload(self._try_admit)
            if wait is None:
                return True
            if not blocking:
                return False
            await self._async_sleep(wait)

    def _try_admit(self) -> float | None:
        """Count a request now, or say how long until the window has room."""
        now = self._clock()
        store = self._open()
        self._refuse_if_blocked(store, now)
        wait_ms = store.admit(math.floor(now * 1000))
        if wait_ms is None:
            store.add_attempt(utc_day(now))
            return None
        return wait_ms / 1000

    async def _offload(self, work: Callable[[], _T]) -> _T:
        """Run store I/O off the event loop (the in-memory store needs no thread)."""
        if self.store_url.startswith("memory:"):
            return work()
        return await asyncio.to_thread(work)

    # ---------------------------------------------------------- daily block

    def block_until(self, reset_at: datetime) -> None:
        """Block every free-model request of the account until ``reset_at``.

        Args:
            reset_at: When the daily cap resets (aware).
        """
        self._open().block_until(reset_at.timestamp())

    def blocked_until(self) -> datetime | None:
        """When the current daily-cap block ends, or None when there is none."""
        until = self._open().blocked_until()
        if until is None or until <= self._clock():
            return None
        return datetime.fromtimestamp(until, tz=UTC)

    def attempts_today(self) -> int:
        """Free-model requests counted today (UTC) by every sharer of the store."""
        return self._open().attempts(utc_day(self._clock()))

    def check_not_blocked(self) -> None:
        """Raise if the account is blocked; send nothing.

        Raises:
            FreeQuotaExhaustedError: While a daily-cap block lasts.
        """
        self._refuse_if_blocked(self._open(), self._clock())

    def _refuse_if_blocked(self, store: BudgetStore, now: float) -> None:
        until = store.blocked_until()
        if until is not None and until > now:
            reset_at = datetime.fromtimestamp(until, tz=UTC)
            raise FreeQuotaExhaustedError.refused(
                reset_at, "a daily-cap 429 was recorded for this account"
            )

    # -------------------------------------------------------------- the store

    def _open(self) -> BudgetStore:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                from langchain_openrouter_free._budget_store import (  # noqa: PLC0415
                    open_store,
                )

                window = self.window_seconds + self.safety_margin
                self._store = open_store(
                    self.store_url,
                    account=self.account,
                    limit=self.requests_per_minute,
                    window_ms=math.ceil(window * 1000),
                )
            return self._store

    def close(self) -> None:
        """Close the store's connections (it reopens on next use)."""
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()


def utc_day(now: float) -> str:
    """The UTC date of an epoch time, ``YYYY-MM-DD`` (the daily cap's day)."""
    return datetime.fromtimestamp(now, tz=UTC).date().isoformat()
