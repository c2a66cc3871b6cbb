"""The free-tier budget around each HTTP attempt, and the model's settings for it.

`Budget` is what `OpenRouterHTTPClient` consults around every attempt whose
body names a free model (chat, embeddings, anything with a ``model``):

1. a daily-cap block refuses the attempt before anything is sent
   (`FreeQuotaExhaustedError` with ``sent=False``);
2. with ``check_quota``, the first attempt of each UTC day first reads
   ``GET /key`` and refuses the same way when nothing is left;
3. the limiter (if any) counts the attempt in the rolling window, waiting
   for room, and in today's attempts;
4. a daily-cap 429 blocks the account until its reset.

Where the block lives: in the limiter's store when there is a limiter (so
every process sharing the store stops), else in this `Budget` alone (the one
model instance that saw the 429).

Which attempts are throttled: a `ChatOpenRouterFree` builds its limiter by
itself only for OpenRouter's own host with its built-in HTTP client, so the
emulator (a loopback URL), tests with an injected ``httpx.MockTransport``
client, and cassette replays (the pytest plugin suspends it, see
`suspend_throttling`) are never throttled. A test that wants throttling
passes a `FreeTierRateLimiter` as ``rate_limiter=``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    model_validator,
)

from langchain_openrouter_free._constants import (
    FREE_REQUESTS_PER_MINUTE,
    OPENROUTER_HOST,
    is_free_model_id,
)
from langchain_openrouter_free.errors import (
    FreeQuotaExhaustedError,
    OpenRouterError,
)
from langchain_openrouter_free.quota import KEY_PATH, Quota, parse_quota
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter, utc_day

if TYPE_CHECKING:
    from typing import Self

    from langchain_openrouter_free._client import OpenRouterHTTPClient

__all__ = [
    "BUDGET_FIELDS",
    "Budget",
    "FreeTierSettings",
    "suspend_throttling",
]

BUDGET_FIELDS: Final = frozenset(
    {"requests_per_minute", "rate_limit_store", "max_rate_limit_wait", "check_quota"}
)
"""Model fields the budget is built from (a change rebuilds the client)."""

_SUSPENDED: list[bool] = []
"""Non-empty while `suspend_throttling` is active (cassette replays)."""


@contextlib.contextmanager
def suspend_throttling() -> Iterator[None]:
    """Turn off the automatic per-key limiter inside the block (cassette replays).

    A limiter passed explicitly as ``rate_limiter=`` still applies.

    Yields:
        Nothing.
    """
    _SUSPENDED.append(True)
    try:
        yield
    finally:
        _SUSPENDED.pop()


class Budget:
    """The daily block, the quota check and the limiter of one HTTP client."""

    def __init__(
        self,
        limiter: FreeTierRateLimiter | None,
        *,
        automatic: bool = False,
        check_quota: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Configure the budget.

        Args:
            limiter: The account's limiter, or None for none.
            automatic: The limiter was built by the model, not passed in:
                `suspend_throttling` turns it off.
            check_quota: Read ``GET /key`` before the first attempt of a day.
            clock: Epoch seconds.
        """
        self.limiter = limiter
        self.automatic = automatic
        self.check_quota = check_quota
        self._clock = clock
        self._blocked_until: float | None = None
        self._quota_day: str | None = None

    def applies_to(self, payload: Any) -> bool:
        """Whether a request body is for a free model (the budget guards it)."""
        # A dict check first: JSON bodies are dicts, and an ABC check is slow.
        if type(payload) is not dict and not isinstance(payload, Mapping):
            return False
        model = payload.get("model")
        return type(model) is str and is_free_model_id(model)

    def _active_limiter(self) -> FreeTierRateLimiter | None:
        if self.automatic and _SUSPENDED:
            return None
        return self.limiter

    def needs_quota_check(self) -> bool:
        """Whether ``GET /key`` must be read before this attempt."""
        return self.check_quota and self._quota_day != utc_day(self._clock())

    def quota_seen(self, quota: Quota) -> None:
        """Take note of today's quota; refuse when nothing is left.

        Raises:
            FreeQuotaExhaustedError: OpenRouter says no free request is left.
        """
        self._quota_day = utc_day(self._clock())
        if quota.exhausted:
            self.block(quota.resets_at)
            raise FreeQuotaExhaustedError.refused(
                quota.resets_at, "GET /key reports 0 free requests left today"
            )

    def before_attempt(self) -> None:
        """Refuse a blocked account, then count the attempt (may wait)."""
        self._refuse_if_blocked()
        limiter = self._active_limiter()
        if limiter is not None:
            limiter.acquire()

    async def abefore_attempt(self) -> None:
        """Async `before_attempt`."""
        self._refuse_if_blocked()
        limiter = self._active_limiter()
        if limiter is not None:
            await limiter.aacquire()

    def after_error(self, error: OpenRouterError) -> None:
        """Block the account after a daily-cap 429 that was really received."""
        if isinstance(error, FreeQuotaExhaustedError) and error.sent:
            self.block(error.reset_at)

    def block(self, reset_at: datetime) -> None:
        """Block free requests until ``reset_at`` (in the store when shared)."""
        limiter = self._active_limiter()
        if limiter is not None:
            limiter.block_until(reset_at)
            return
        until = reset_at.timestamp()
        self._blocked_until = max(until, self._blocked_until or until)

    def _refuse_if_blocked(self) -> None:
        until = self._blocked_until
        if until is not None and until > self._clock():
            reset_at = datetime.fromtimestamp(until, tz=UTC)
            raise FreeQuotaExhaustedError.refused(
                reset_at, "this model already received the daily-cap 429"
            )


class FreeTierSettings(BaseModel):
    """The chat model's free-tier budget settings and its ``quota()`` reader."""

    # A mixin, never validated on its own: no schema of its own at import.
    model_config = ConfigDict(defer_build=True)

    requests_per_minute: int | None = Field(default=FREE_REQUESTS_PER_MINUTE, ge=1)
    """Free-model requests per rolling minute for all models sharing the key
    (None: no client-side limit). Applied on OpenRouter's own host; pass a
    `FreeTierRateLimiter` as ``rate_limiter=`` to apply it anywhere."""
    rate_limit_store: str = "memory://"
    """Where the per-key budget lives: ``memory://`` (this process),
    ``sqlite:///path`` (this machine) or ``redis://host:port/db``."""
    max_rate_limit_wait: float = Field(default=65.0, ge=0)
    """The longest wait, in seconds, before retrying a per-minute 429."""
    check_quota: bool = False
    """Read ``GET /key`` before the first free-model call of each UTC day and
    refuse with `FreeQuotaExhaustedError` (sending nothing) when none is left."""

    _free_tier_limiter: FreeTierRateLimiter | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _adopt_free_tier_limiter(self) -> Self:
        # langchain-core would acquire a ``rate_limiter`` once per call; the
        # budget acquires once per HTTP attempt instead, retries included.
        limiter = getattr(self, "rate_limiter", None)
        if isinstance(limiter, FreeTierRateLimiter):
            self._free_tier_limiter = limiter
            object.__setattr__(self, "rate_limiter", None)
        return self

    def _client(self) -> OpenRouterHTTPClient:
        raise NotImplementedError  # the chat model provides it

    def quota(self) -> Quota:
        """Read the account's free-model quota (``GET /key``; free of charge).

        Returns:
            Today's allowance and the key's limits.
        """
        return self._client().request_json("GET", KEY_PATH, parse=parse_quota)

    async def aquota(self) -> Quota:
        """Async `quota`."""
        return await self._client().arequest_json("GET", KEY_PATH, parse=parse_quota)

    def _budget(
        self, api_key: SecretStr | None, base_url: str, *, injected_client: bool
    ) -> Budget:
        """The budget of a newly built HTTP client."""
        limiter = self._free_tier_limiter
        automatic = limiter is None
        if (
            limiter is None
            and self.requests_per_minute is not None
            and not injected_client
            and _is_openrouter(base_url)
        ):
            limiter = FreeTierRateLimiter.shared(
                api_key, self.requests_per_minute, self.rate_limit_store
            )
        return Budget(limiter, automatic=automatic, check_quota=self.check_quota)


def _is_openrouter(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host == OPENROUTER_HOST or host.endswith("." + OPENROUTER_HOST)
