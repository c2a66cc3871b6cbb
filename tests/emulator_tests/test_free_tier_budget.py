"""The A-rows of the free-tier scenarios, played on the time-scaled emulator.

Each scenario asserts the outcome, the exception type and the exact number of
requests the emulator received. A simulated minute lasts one real second.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import (
    FreeQuotaExhaustedError,
    OpenRouterRateLimitError,
    RateLimitKind,
)
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter
from langchain_openrouter_free.testing import FakeOpenRouter, Fault, FreeTierLimits

MODEL = "meta-llama/llama-3.3-70b-instruct:free"
KEY = "sk-or-v1-" + "7" * 64
SCALE = 60.0


def model_for(fake: FakeOpenRouter, **kwargs: object) -> ChatOpenRouterFree:
    return ChatOpenRouterFree(
        base_url=fake.base_url,
        api_key=KEY,
        model=MODEL,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a3_per_minute_429_is_waited_out_and_retried() -> None:
    limits = FreeTierLimits(per_minute=2, per_day=1000)
    with FakeOpenRouter(free_tier=limits, time_scale=SCALE) as fake:
        model = model_for(fake, max_retries=2)
        started = time.monotonic()
        answers = [model.invoke(f"q{n}").content for n in range(3)]
        elapsed = time.monotonic() - started
        sent = fake.count("/chat/completions")
    assert all(answers)
    # 2 admitted, 1 per-minute 429, 1 retry after the reset.
    assert sent == 4
    assert elapsed < 5  # waited for the reset (about a simulated minute), no more


def test_a3_per_minute_without_retries_raises_typed() -> None:
    limits = FreeTierLimits(per_minute=1, per_day=1000)
    with FakeOpenRouter(free_tier=limits, time_scale=SCALE) as fake:
        model = model_for(fake, max_retries=0)
        model.invoke("one")
        with pytest.raises(OpenRouterRateLimitError) as caught:
            model.invoke("two")
        sent = fake.count("/chat/completions")
    assert type(caught.value) is OpenRouterRateLimitError
    assert caught.value.kind is RateLimitKind.PER_MINUTE
    assert caught.value.reset_at is not None
    assert sent == 2


@pytest.mark.parametrize("max_retries", [0, 3])
def test_a1_daily_cap_costs_one_request_then_nothing_is_sent(
    max_retries: int,
) -> None:
    limits = FreeTierLimits(per_minute=20, per_day=2)
    with FakeOpenRouter(free_tier=limits, time_scale=SCALE) as fake:
        model = model_for(fake, max_retries=max_retries)
        model.invoke("one")
        model.invoke("two")
        with pytest.raises(FreeQuotaExhaustedError) as cap:
            model.invoke("three")
        with pytest.raises(FreeQuotaExhaustedError) as refused:
            model.invoke("four")
        sent = fake.count("/chat/completions")
    assert cap.value.sent is True
    assert cap.value.is_retryable is False
    assert cap.value.limit == 2
    assert refused.value.sent is False
    assert sent == 3


async def test_a8_daily_cap_in_a_stream_blocks_the_next_call() -> None:
    with FakeOpenRouter(replies=[Fault.daily_cap()], time_scale=SCALE) as fake:
        model = model_for(fake, max_retries=3)
        with pytest.raises(FreeQuotaExhaustedError):
            async for _ in model.astream("hi"):
                pass
        with pytest.raises(FreeQuotaExhaustedError) as refused:
            await model.ainvoke("again")
        await model.aclose()
        sent = fake.count("/chat/completions")
    assert refused.value.sent is False
    assert sent == 1


async def read_stream(model: ChatOpenRouterFree, mode: str) -> list[object]:
    if mode == "sync":
        return list(model.stream("hi"))
    return [chunk async for chunk in model.astream("hi")]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a8_daily_cap_as_a_stream_event_blocks_the_next_call(mode: str) -> None:
    event = Fault.mid_stream_error(
        after_chunks=0, code=429, message="Rate limit exceeded: free-models-per-day"
    )
    with FakeOpenRouter(replies=[event], time_scale=SCALE) as fake:
        model = model_for(fake, max_retries=3)
        with pytest.raises(FreeQuotaExhaustedError) as cap:
            await read_stream(model, mode)
        with pytest.raises(FreeQuotaExhaustedError) as refused:
            model.invoke("again")
        await model.aclose()
        sent = fake.count("/chat/completions")
    assert cap.value.sent is True
    assert refused.value.sent is False
    assert sent == 1


@pytest.mark.parametrize(
    "reset_at", [1e300, -5.0, 1.0], ids=["1e300", "negative", "1970"]
)
def test_a10_malformed_reset_headers_are_clamped(reset_at: float) -> None:
    fault = Fault.rate_limit_per_minute(reset_at=reset_at)
    with FakeOpenRouter(replies=[fault], time_scale=SCALE) as fake:
        model = model_for(fake, max_retries=1, max_rate_limit_wait=0.2)
        assert model.invoke("hi").content
        sent = fake.count("/chat/completions")
    assert sent == 2


def test_check_quota_refuses_before_the_first_call_when_none_is_left() -> None:
    limits = FreeTierLimits(per_minute=20, per_day=2)
    with FakeOpenRouter(free_tier=limits, time_scale=SCALE) as fake:
        spender = model_for(fake)
        spender.invoke("one")
        spender.invoke("two")
        careful = model_for(fake, check_quota=True)
        with pytest.raises(FreeQuotaExhaustedError) as caught:
            careful.invoke("three")
        with pytest.raises(FreeQuotaExhaustedError):
            careful.invoke("four")
        chats, key_reads = fake.count("/chat/completions"), fake.count("/key")
    assert caught.value.sent is False
    assert (chats, key_reads) == (2, 1)


def test_check_quota_lets_calls_through_while_some_are_left() -> None:
    limits = FreeTierLimits(per_minute=20, per_day=5)
    with FakeOpenRouter(free_tier=limits, time_scale=SCALE) as fake:
        model = model_for(fake, check_quota=True)
        for n in range(3):
            model.invoke(f"q{n}")
        assert (fake.count("/chat/completions"), fake.count("/key")) == (3, 1)


async def test_quota_matches_the_emulators_free_tier() -> None:
    limits = FreeTierLimits(per_minute=20, per_day=50)
    with FakeOpenRouter(free_tier=limits, time_scale=SCALE) as fake:
        model = model_for(fake)
        await model.ainvoke("one")
        quota = await model.aquota()
        sync_quota = await asyncio.to_thread(model.quota)
        await model.aclose()
        model.close()
    assert (quota.daily_limit, quota.daily_used, quota.daily_remaining) == (50, 1, 49)
    assert quota.is_free_tier is True
    assert sync_quota == quota


def test_an_explicit_limiter_keeps_a_burst_under_the_minute_limit() -> None:
    limits = FreeTierLimits(per_minute=5, per_day=1000)
    scale = 30.0  # a simulated minute lasts two real seconds
    limiter = FreeTierRateLimiter(
        5, api_key=KEY, window_seconds=60 / scale, safety_margin=1.0
    )
    with FakeOpenRouter(free_tier=limits, time_scale=scale) as fake:
        model = model_for(fake, rate_limiter=limiter, max_retries=0)
        answers = model.batch([f"q{n}" for n in range(12)])
        sent = fake.count("/chat/completions")
    assert all(a.content for a in answers)
    assert sent == 12  # no 429: the limiter waited instead
    assert limiter.attempts_today() == 12
