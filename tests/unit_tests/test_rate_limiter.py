"""FreeTierRateLimiter: the rolling window, the daily block and today's count.

Every test runs on a fake clock and a fake sleep (the sleep moves the clock),
so nothing waits for real.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.rate_limiters import BaseRateLimiter

from langchain_openrouter_free.errors import (
    FreeQuotaExhaustedError,
    OpenRouterConfigurationError,
)
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter, key_fingerprint

KEY = "sk-or-v1-" + "a" * 64
START = datetime(2026, 12, 4, 23, 58, 0, tzinfo=UTC).timestamp()


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def limiter(
    fake: FakeTime, store: str = "memory://", **kwargs: object
) -> FreeTierRateLimiter:
    return FreeTierRateLimiter(
        store=store,
        api_key=KEY,
        clock=fake.clock,
        sleep=fake.sleep,
        async_sleep=fake.async_sleep,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    return f"sqlite://{tmp_path}/budget.db"


def test_it_is_a_langchain_rate_limiter() -> None:
    assert issubclass(FreeTierRateLimiter, BaseRateLimiter)


def test_twenty_pass_then_the_next_waits_for_the_window(store_url: str) -> None:
    fake = FakeTime()
    lim = limiter(fake, store_url)
    for _ in range(20):
        assert lim.acquire() is True
        fake.now += 0.5  # 20 requests over 10 s
    assert fake.sleeps == []
    assert lim.acquire() is True
    # The first request was at START: room again at START + 60 s + 1 s margin.
    assert sum(fake.sleeps) == pytest.approx(61.0 - 10.0, abs=0.01)
    assert fake.now == pytest.approx(START + 61.0, abs=0.01)


def test_non_blocking_acquire_says_no_without_waiting(store_url: str) -> None:
    fake = FakeTime()
    lim = limiter(fake, store_url, requests_per_minute=2)
    assert [lim.acquire(blocking=False) for _ in range(3)] == [True, True, False]
    assert fake.sleeps == []


def test_no_window_ever_holds_more_than_the_limit(store_url: str) -> None:
    fake = FakeTime()
    lim = limiter(fake, store_url, requests_per_minute=5, window_seconds=10.0)
    admitted: list[float] = []
    for step in range(40):
        lim.acquire()
        admitted.append(fake.now)
        fake.now += (step % 7) * 0.3
    for i in range(len(admitted) - 5):
        # any 6 consecutive admissions span more than the window (+ margin)
        assert admitted[i + 5] - admitted[i] >= 11.0 - 1e-3


async def test_async_acquire_waits_with_the_async_sleep(store_url: str) -> None:
    fake = FakeTime()
    lim = limiter(fake, store_url, requests_per_minute=1)
    assert await lim.aacquire() is True
    assert await lim.aacquire(blocking=False) is False
    assert await lim.aacquire() is True
    assert sum(fake.sleeps) == pytest.approx(61.0, abs=0.01)


def test_a_daily_block_refuses_until_the_reset(store_url: str) -> None:
    fake = FakeTime()
    lim = limiter(fake, store_url)
    reset = datetime.fromtimestamp(START + 120, tz=UTC)
    lim.block_until(reset)
    assert lim.blocked_until() == reset
    with pytest.raises(FreeQuotaExhaustedError) as caught:
        lim.acquire()
    assert caught.value.sent is False
    assert caught.value.reset_at == reset
    assert lim.attempts_today() == 0
    fake.now = START + 121
    assert lim.blocked_until() is None
    assert lim.acquire() is True


def test_an_earlier_block_never_shortens_a_later_one(store_url: str) -> None:
    fake = FakeTime()
    lim = limiter(fake, store_url)
    later = datetime.fromtimestamp(START + 600, tz=UTC)
    lim.block_until(later)
    lim.block_until(datetime.fromtimestamp(START + 60, tz=UTC))
    assert lim.blocked_until() == later


def test_attempts_are_counted_per_utc_day(store_url: str) -> None:
    fake = FakeTime()  # 23:58 UTC
    lim = limiter(fake, store_url)
    for _ in range(3):
        lim.acquire()
    assert lim.attempts_today() == 3
    fake.now += 180  # 00:01 the next day
    assert lim.attempts_today() == 0
    lim.acquire()
    assert lim.attempts_today() == 1


def test_two_limiters_on_one_sqlite_file_share_everything(tmp_path: Path) -> None:
    fake = FakeTime()
    url = f"sqlite://{tmp_path}/shared.db"
    first = limiter(fake, url, requests_per_minute=3)
    second = limiter(fake, url, requests_per_minute=3)
    assert [first.acquire(blocking=False) for _ in range(2)] == [True, True]
    assert [second.acquire(blocking=False) for _ in range(2)] == [True, False]
    assert second.attempts_today() == 3
    first.block_until(datetime.fromtimestamp(START + 3600, tz=UTC))
    with pytest.raises(FreeQuotaExhaustedError):
        second.check_not_blocked()
    first.close()
    second.close()


def test_other_keys_are_other_accounts(tmp_path: Path) -> None:
    fake = FakeTime()
    url = f"sqlite://{tmp_path}/shared.db"
    mine = limiter(fake, url, requests_per_minute=1)
    theirs = FreeTierRateLimiter(1, url, api_key="sk-or-v1-other", clock=fake.clock)
    assert mine.acquire(blocking=False) is True
    assert theirs.acquire(blocking=False) is True
    mine.block_until(datetime.fromtimestamp(START + 3600, tz=UTC))
    theirs.check_not_blocked()


def test_the_key_is_never_stored_or_shown(tmp_path: Path) -> None:
    fake = FakeTime()
    url = f"sqlite://{tmp_path}/k.db"
    lim = limiter(fake, url)
    lim.acquire()
    lim.block_until(datetime.fromtimestamp(START + 60, tz=UTC))
    lim.close()
    assert KEY not in repr(lim)
    assert KEY not in str(vars(lim))
    assert KEY.encode() not in (tmp_path / "k.db").read_bytes()
    assert lim.account == key_fingerprint(KEY)
    assert len(lim.account) == 16
    assert key_fingerprint(None) == "anonymous"
    assert key_fingerprint("sk-or-v1-b") != key_fingerprint("sk-or-v1-c")


def test_shared_limiters_are_one_object_per_key_and_store() -> None:
    one = FreeTierRateLimiter.shared("sk-or-v1-shared-test-1")
    assert FreeTierRateLimiter.shared("sk-or-v1-shared-test-1") is one
    assert FreeTierRateLimiter.shared("sk-or-v1-shared-test-2") is not one
    assert FreeTierRateLimiter.shared("sk-or-v1-shared-test-1", 10) is not one


def test_it_limits_any_langchain_model() -> None:
    fake = FakeTime()
    lim = limiter(fake, requests_per_minute=2)
    model = GenericFakeChatModel(
        messages=iter([AIMessage("a"), AIMessage("b"), AIMessage("c")]),
        rate_limiter=lim,
    )
    assert [model.invoke("hi").content for _ in range(3)] == ["a", "b", "c"]
    assert sum(fake.sleeps) == pytest.approx(61.0, abs=0.01)
    assert lim.attempts_today() == 3


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("postgres://db/x", "is not supported"),
        ("sqlite://", "needs a file"),
        ("sqlite:///tmp/", "needs a file"),
    ],
)
def test_bad_store_urls_are_explained(url: str, match: str) -> None:
    lim = FreeTierRateLimiter(store=url)
    with pytest.raises(OpenRouterConfigurationError, match=match):
        lim.acquire()


def test_a_password_in_the_url_is_not_quoted() -> None:
    lim = FreeTierRateLimiter(store="mongodb://user:hunter2@host/db")
    with pytest.raises(OpenRouterConfigurationError) as caught:
        lim.acquire()
    assert "hunter2" not in str(caught.value)
    assert "is not supported" in str(caught.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requests_per_minute": 0},
        {"requests_per_minute": True},
        {"window_seconds": 0},
        {"window_seconds": float("inf")},
        {"safety_margin": -1},
    ],
)
def test_invalid_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        FreeTierRateLimiter(**kwargs)  # type: ignore[arg-type]


def test_many_threads_share_one_window(tmp_path: Path) -> None:
    fake = FakeTime()
    lim = limiter(fake, f"sqlite://{tmp_path}/t.db", requests_per_minute=7)

    async def burst() -> list[bool]:
        return list(
            await asyncio.gather(
                *(asyncio.to_thread(lim.acquire, blocking=False) for _ in range(20))
            )
        )

    results = asyncio.run(burst())
    assert results.count(True) == 7
    assert lim.attempts_today() == 7


def test_reset_moment_is_next_midnight_when_blocked_by_quota() -> None:
    fake = FakeTime()
    lim = limiter(fake)
    midnight = datetime(2026, 12, 5, tzinfo=UTC)
    lim.block_until(midnight)
    with pytest.raises(FreeQuotaExhaustedError) as caught:
        lim.acquire()
    assert caught.value.reset_at - midnight == timedelta(0)
    assert "2026-12-05 00:00 UTC" in str(caught.value)
