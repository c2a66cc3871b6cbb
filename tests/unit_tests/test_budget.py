"""The budget around each HTTP attempt: daily block, check_quota, per-attempt count.

Each scenario asserts the outcome, the exception type and the exact number of
requests that reached the (mock) wire.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from _client_harness import (
    CHAT,
    DAILY_429,
    JSON_CT,
    OK_BODY,
    PROVIDER_502,
    Build,
    harness_builder,
    response,
)

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._budget import Budget, suspend_throttling
from langchain_openrouter_free._retry import RetryPolicy
from langchain_openrouter_free.errors import FreeQuotaExhaustedError
from langchain_openrouter_free.quota import Quota, parse_quota
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter

FREE = {"model": "x/y:free", "messages": [{"role": "user", "content": "hi"}]}
PAID = {"model": "openai/gpt-4o-mini", "messages": []}


def key_body(remaining: int, limit: int = 50) -> bytes:
    daily = {"used": limit - remaining, "limit": limit, "remaining": remaining}
    data = {
        "label": "sk-or-v1-abc...123",
        "limit": None,
        "limit_remaining": None,
        "is_free_tier": True,
        "free_model_daily_requests": daily,
    }
    return json.dumps({"data": data}).encode()


@pytest.fixture
def wire(mode: str) -> Build:
    return harness_builder(mode)


def sqlite_limiter(path: Path) -> FreeTierRateLimiter:
    return FreeTierRateLimiter(store=f"sqlite://{path}", api_key="sk-or-v1-budget")


async def test_daily_cap_then_nothing_more_is_sent(wire: Build) -> None:
    h = wire(
        response(429, DAILY_429),
        response(200, OK_BODY),
        retry=RetryPolicy(max_retries=5),
        budget=Budget(None),
    )
    with pytest.raises(FreeQuotaExhaustedError) as first:
        await h.request_json(json=FREE)
    assert first.value.sent is True
    with pytest.raises(FreeQuotaExhaustedError) as second:
        await h.request_json(json=FREE)
    assert second.value.sent is False
    assert second.value.reset_at == first.value.reset_at
    assert h.wire.calls == 1
    assert h.sleeps == []


async def test_the_block_covers_streams_too(wire: Build) -> None:
    h = wire(response(429, DAILY_429), budget=Budget(None))
    with pytest.raises(FreeQuotaExhaustedError):
        await h.request_json(json=FREE)
    with pytest.raises(FreeQuotaExhaustedError):
        await h.stream({**FREE, "stream": True})
    assert h.wire.calls == 1


async def test_paid_models_and_catalog_reads_are_not_blocked(wire: Build) -> None:
    h = wire(response(429, DAILY_429), response(200, OK_BODY), budget=Budget(None))
    with pytest.raises(FreeQuotaExhaustedError):
        await h.request_json(json=FREE)
    assert (await h.request_json(json=PAID))["id"] == "gen-1"
    assert (await h.request_json("GET", "/models"))["id"] == "gen-1"
    assert h.wire.calls == 3


async def test_another_client_sharing_the_store_sends_nothing(
    mode: str, tmp_path: Path
) -> None:
    db = tmp_path / "budget.db"
    first = harness_builder(mode)(
        response(429, DAILY_429), budget=Budget(sqlite_limiter(db))
    )
    second = harness_builder(mode)(
        response(200, OK_BODY), budget=Budget(sqlite_limiter(db))
    )
    with pytest.raises(FreeQuotaExhaustedError):
        await first.request_json(json=FREE)
    with pytest.raises(FreeQuotaExhaustedError) as caught:
        await second.request_json(json=FREE)
    assert caught.value.sent is False
    assert (first.wire.calls, second.wire.calls) == (1, 0)


async def test_every_attempt_is_counted_retries_and_failures_too(
    wire: Build, tmp_path: Path
) -> None:
    limiter = sqlite_limiter(tmp_path / "count.db")
    h = wire(
        response(502, PROVIDER_502),
        response(502, PROVIDER_502),
        response(200, OK_BODY),
        budget=Budget(limiter),
    )
    await h.request_json(json=FREE)
    assert h.wire.calls == 3
    assert limiter.attempts_today() == 3


async def test_check_quota_refuses_without_spending_a_request(wire: Build) -> None:
    h = wire(
        response(200, key_body(remaining=0)),
        response(200, OK_BODY),
        budget=Budget(None, check_quota=True),
    )
    with pytest.raises(FreeQuotaExhaustedError) as caught:
        await h.request_json(json=FREE)
    assert caught.value.sent is False
    assert (caught.value.reset_at.hour, caught.value.reset_at.minute) == (0, 0)
    with pytest.raises(FreeQuotaExhaustedError):
        await h.request_json(json=FREE)
    assert [r.url.path for r in h.wire.requests] == ["/api/v1/key"]


async def test_check_quota_looks_once_a_day(wire: Build) -> None:
    h = wire(
        response(200, key_body(remaining=7)),
        response(200, OK_BODY),
        budget=Budget(None, check_quota=True),
    )
    for _ in range(3):
        assert (await h.request_json(json=FREE))["id"] == "gen-1"
    paths = [r.url.path for r in h.wire.requests]
    assert paths == ["/api/v1/key"] + ["/api/v1/chat/completions"] * 3


async def test_check_quota_is_not_needed_for_paid_models(wire: Build) -> None:
    h = wire(response(200, OK_BODY), budget=Budget(None, check_quota=True))
    await h.request_json(json=PAID)
    assert [r.url.path for r in h.wire.requests] == ["/api/v1/chat/completions"]


# --------------------------------------------------- reading the quota


def test_parse_quota_reads_the_key_answer() -> None:
    now = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    quota = parse_quota(json.loads(key_body(remaining=38)), now)
    assert quota == Quota(
        daily_limit=50,
        daily_used=12,
        daily_remaining=38,
        is_free_tier=True,
        key_limit=None,
        key_limit_remaining=None,
        resets_at=datetime(2026, 12, 5, tzinfo=UTC),
    )
    assert quota.exhausted is False
    assert quota.as_dict()["resets_at"] == "2026-12-05T00:00:00+00:00"


def test_parse_quota_without_the_newer_field() -> None:
    quota = parse_quota({"data": {"limit": 5, "is_free_tier": False}})
    assert (quota.daily_limit, quota.daily_remaining) == (None, None)
    assert quota.key_limit == 5.0
    assert quota.exhausted is False


def key_answering_model(
    remaining: int, seen: list[str], **kwargs: object
) -> ChatOpenRouterFree:
    """A model whose every request is answered by GET /key's body."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(
            200, headers=JSON_CT, content=key_body(remaining=remaining)
        )

    transport = httpx.MockTransport(handler)
    return ChatOpenRouterFree(
        api_key="sk-or-v1-q",
        http_client=httpx.Client(transport=transport),
        **kwargs,  # type: ignore[arg-type]
    )


def test_model_quota_reads_get_key() -> None:
    seen: list[str] = []
    assert key_answering_model(3, seen).quota().daily_remaining == 3
    assert seen == ["/api/v1/key"]


async def test_model_aquota_reads_get_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=JSON_CT, content=key_body(remaining=0))

    model = ChatOpenRouterFree(
        api_key="sk-or-v1-q",
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    assert (await model.aquota()).exhausted is True


# ------------------------------------------------- which models are throttled


def budget_of(model: ChatOpenRouterFree) -> Budget:
    budget = model._client()._budget
    assert budget is not None
    return budget


def test_openrouter_host_gets_the_shared_per_key_limiter() -> None:
    model = ChatOpenRouterFree(api_key="sk-or-v1-auto")
    twin = ChatOpenRouterFree(
        api_key="sk-or-v1-auto", model="meta-llama/llama-3.3-70b-instruct:free"
    )
    limiter = budget_of(model).limiter
    assert limiter is FreeTierRateLimiter.shared("sk-or-v1-auto")
    assert budget_of(twin).limiter is limiter
    assert budget_of(model).automatic is True


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_url": "http://127.0.0.1:9/api/v1"},
        {"http_client": httpx.Client()},
        {"requests_per_minute": None},
    ],
    ids=["emulator", "injected client", "turned off"],
)
def test_no_automatic_limiter(kwargs: dict[str, object]) -> None:
    model = ChatOpenRouterFree(api_key="sk-or-v1-auto", **kwargs)  # type: ignore[arg-type]
    assert budget_of(model).limiter is None


def test_an_explicit_limiter_applies_anywhere_and_once_per_attempt() -> None:
    limiter = FreeTierRateLimiter(requests_per_minute=5)
    model = ChatOpenRouterFree(
        base_url="http://127.0.0.1:9/api/v1", rate_limiter=limiter
    )
    assert model.rate_limiter is None  # not acquired a second time by core
    assert budget_of(model).limiter is limiter
    assert budget_of(model).automatic is False


def test_cassette_replays_suspend_only_the_automatic_limiter() -> None:
    auto = Budget(FreeTierRateLimiter(1), automatic=True)
    explicit = Budget(FreeTierRateLimiter(1))
    with suspend_throttling():
        for _ in range(3):
            auto.before_attempt()  # would wait a minute on the second
        explicit.before_attempt()
        assert explicit.limiter is not None
        assert explicit.limiter.acquire(blocking=False) is False


def test_changing_a_budget_setting_rebuilds_the_client() -> None:
    model = ChatOpenRouterFree(api_key="sk-or-v1-auto")
    first = model._client()
    model.requests_per_minute = None
    assert model._client() is not first
    assert budget_of(model).limiter is None


def test_check_quota_through_the_chat_model() -> None:
    paths: list[str] = []
    model = key_answering_model(
        0, paths, model="meta-llama/llama-3.3-70b-instruct:free", check_quota=True
    )
    with pytest.raises(FreeQuotaExhaustedError):
        model.invoke("hi")
    assert paths == ["/api/v1/key"]
    assert CHAT not in paths
