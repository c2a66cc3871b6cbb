"""The simulated free tier: per-minute and daily limits, counters, time scale."""

from __future__ import annotations

import time

import httpx
import pytest

from langchain_openrouter_free.testing import FakeOpenRouter, Fault, FreeTierLimits
from tests.emulator_tests._emulator_helpers import FREE_MODEL, PAID_MODEL, chat


def _post(http: httpx.Client, model: str = FREE_MODEL) -> httpx.Response:
    return http.post("/chat/completions", json=chat(model=model))


def test_21st_request_in_a_minute_gets_the_per_minute_429() -> None:
    with (
        FakeOpenRouter(free_tier=FreeTierLimits()) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        statuses = [_post(http).status_code for _ in range(20)]
        refused = _post(http)
        assert fake.free_model_daily_requests == {
            "used": 20,
            "limit": 50,
            "remaining": 30,
        }
    assert statuses == [200] * 20
    assert refused.status_code == 429
    assert (
        refused.json()["error"]["message"]
        == "Rate limit exceeded: free-models-per-min. "
    )
    assert refused.headers["x-ratelimit-limit"] == "20"
    reset_in = int(refused.headers["x-ratelimit-reset"]) / 1000 - time.time()
    assert 0 < reset_in <= 61


def test_daily_cap_after_per_day_requests_and_key_counters() -> None:
    with (
        FakeOpenRouter(free_tier=FreeTierLimits(per_minute=100, per_day=5)) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        assert http.get("/key").json()["data"]["free_model_daily_requests"] == {
            "used": 0,
            "limit": 5,
            "remaining": 5,
        }
        assert [_post(http).status_code for _ in range(5)] == [200] * 5
        refused = _post(http, "openrouter/free")
        key = http.get("/key").json()["data"]["free_model_daily_requests"]
        fake.advance_time(60)  # a minute later the daily cap still holds
        still_refused = _post(http)
    assert refused.status_code == still_refused.status_code == 429
    body = refused.json()
    assert body["error"]["metadata"]["limit_source"] == "openrouter_free_tier_daily"
    assert body["error"]["metadata"]["headers"]["X-RateLimit-Limit"] == "5"
    assert key == {"used": 5, "limit": 5, "remaining": 0}


def test_paid_models_do_not_count_and_failed_attempts_do() -> None:
    with (
        FakeOpenRouter(free_tier=FreeTierLimits(per_minute=100, per_day=3)) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        assert [_post(http, PAID_MODEL).status_code for _ in range(5)] == [200] * 5
        assert fake.free_model_daily_requests["used"] == 0
        fake.add_replies(Fault.server_error(502), Fault.upstream_rate_limit())
        assert [_post(http).status_code for _ in range(3)] == [502, 429, 200]
        assert fake.free_model_daily_requests["used"] == 3
        assert _post(http).status_code == 429
        assert _post(http, PAID_MODEL).status_code == 200
        assert fake.free_model_daily_requests["used"] == 3  # refusals are not counted


def test_without_free_tier_nothing_is_refused_but_requests_are_counted(
    fake: FakeOpenRouter, client: httpx.Client
) -> None:
    assert [_post(client).status_code for _ in range(25)] == [200] * 25
    assert fake.free_model_daily_requests == {"used": 25, "limit": 50, "remaining": 25}


def test_time_scale_lets_the_minute_window_pass_in_about_a_second() -> None:
    with (
        FakeOpenRouter(
            free_tier=FreeTierLimits(per_minute=2, per_day=100), time_scale=120
        ) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        assert [_post(http).status_code for _ in range(2)] == [200, 200]
        refused = _post(http)
        assert refused.status_code == 429
        reset_ms = int(refused.headers["x-ratelimit-reset"])
        assert reset_ms / 1000 - time.time() <= 1.5  # 60 simulated s = 0.5 real s
        time.sleep(max(0.0, reset_ms / 1000 - time.time()))
        statuses = []
        for _ in range(40):  # bounded: "eventually allowed"
            status = _post(http).status_code
            statuses.append(status)
            if status == 200:
                break
            time.sleep(0.05)
        assert statuses[-1] == 200
        assert fake.free_model_daily_requests["used"] == 3


def test_advance_time_opens_the_window_and_the_next_day() -> None:
    with (
        FakeOpenRouter(free_tier=FreeTierLimits(per_minute=1, per_day=2)) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        assert _post(http).status_code == 200
        assert (
            _post(http)
            .json()["error"]["message"]
            .startswith("Rate limit exceeded: free-models-per-min")
        )
        fake.advance_time(61)
        assert _post(http).status_code == 200
        fake.advance_time(61)
        assert "free-models-per-day" in _post(http).json()["error"]["message"]
        fake.advance_time(86_400)
        assert _post(http).status_code == 200
        assert fake.free_model_daily_requests == {"used": 1, "limit": 2, "remaining": 1}


def test_reset_clears_counters_requests_and_ids() -> None:
    with (
        FakeOpenRouter(free_tier=FreeTierLimits(per_minute=1, per_day=1)) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        first_id = _post(http).json()["id"]
        assert _post(http).status_code == 429
        fake.add_replies(Fault.data_policy())
        fake.reset()
        assert fake.requests == []
        assert fake.pending_replies == 0
        assert _post(http).json()["id"] == first_id


def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FreeTierLimits(per_minute=0)
    with pytest.raises(ValueError, match="time_scale"):
        FakeOpenRouter(time_scale=0)
