"""Shared settings of the integration tests: model ids, base URL, recording.

The tests replay cassettes from ``<repo>/cassettes/integration/<module>/``
(see ``conftest.py``). ``scripts/record_cassettes.py`` re-records them: it sets
``OPENROUTER_FREE_RECORD_BASE_URL`` to a running FakeOpenRouter, or, with
``--live``, leaves it unset so the real API answers, and sets
``OPENROUTER_FREE_RECORD_RPS`` to throttle requests while recording.
Matching ignores the host, so replay works whatever URL was recorded.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from langchain_core.rate_limiters import InMemoryRateLimiter

from langchain_openrouter_free.testing import FakeReply, Fault

FREE_MODEL = "meta-llama/llama-3.3-70b-instruct:free"
"""The concrete free model the project's own tests record with (text, tools)."""
VISION_MODEL = "mistralai/mistral-small-3.1-24b-instruct:free"
"""A free model that takes text and images, with tools and structured outputs
(registry snapshot): the standard suite and the multimodal tests record with it."""
OVERRIDE_MODEL = "qwen/qwen3-next-80b-a3b-instruct:free"
"""A second free model, for the standard model-override tests."""
REASONING_MODEL = "deepseek/deepseek-r1-0528:free"
"""A free reasoning model, for the reasoning tests."""
RECORD_BASE_URL_ENV = "OPENROUTER_FREE_RECORD_BASE_URL"
"""Set by the recording script to FakeOpenRouter's ``base_url``."""
RECORD_RPS_ENV = "OPENROUTER_FREE_RECORD_RPS"
"""Set by the recording script with ``--live``: requests per second allowed."""
PLACEHOLDER_BASE_URL = "https://openrouter.ai/api/v1"
"""Used on replay (and for live recording); only its path is matched."""


def base_url() -> str:
    """The API root the models talk to: the recording target or the placeholder."""
    return os.environ.get(RECORD_BASE_URL_ENV) or PLACEHOLDER_BASE_URL


@functools.cache
def _rate_limiter(requests_per_second: float) -> InMemoryRateLimiter:
    return InMemoryRateLimiter(
        requests_per_second=requests_per_second,
        check_every_n_seconds=0.1,
        max_bucket_size=1,
    )


def model_params(**overrides: Any) -> dict[str, Any]:
    """Constructor arguments for ``ChatOpenRouterFree`` in these tests.

    A rate limiter is added only while recording live (it would slow replay).
    """
    params: dict[str, Any] = {"model": FREE_MODEL, "base_url": base_url()}
    rps = os.environ.get(RECORD_RPS_ENV)
    if rps:
        params["rate_limiter"] = _rate_limiter(float(rps))
    return {**params, **overrides}


# Prompts whose answers scripts/record_cassettes.py scripts on FakeOpenRouter
# (tests marked ``scripted``): failures the live API cannot be asked for.
PROMPT_PER_MINUTE_LIMIT = "Say hi. (Scripted: the per-minute free limit is used up.)"
PROMPT_DAILY_CAP = "Say hi. (Scripted: today's free requests are used up.)"
PROMPT_TOOLS_UNSUPPORTED = (
    "What is the weather in 'Oslo'? (Scripted: no endpoint supports tools.)"
)
PROMPT_SERVER_ERROR_THEN_OK = "Say hi. (Scripted: a 502 first, then an answer.)"
PROMPT_MID_STREAM_ERROR = "Tell a story. (Scripted: the provider fails mid-stream.)"
PROMPT_ERROR_IN_200 = "Say hi. (Scripted: HTTP 200 with an error body.)"

RECORDED_RESET_AT = 1_790_812_800.0
"""A fixed ``X-RateLimit-Reset`` (2026-10-01 00:00 UTC) for the scripted 429s,
so that re-recording reproduces the same cassette bytes."""

SCRIPTED: dict[str, tuple[FakeReply | Fault, ...]] = {
    PROMPT_PER_MINUTE_LIMIT: (Fault.rate_limit_per_minute(reset_at=RECORDED_RESET_AT),),
    PROMPT_DAILY_CAP: (Fault.daily_cap(reset_at=RECORDED_RESET_AT),),
    PROMPT_TOOLS_UNSUPPORTED: (Fault.tools_unsupported(),),
    PROMPT_SERVER_ERROR_THEN_OK: (
        Fault.server_error(502),
        FakeReply("Hi, after one retry."),
    ),
    PROMPT_MID_STREAM_ERROR: (
        Fault.mid_stream_error(
            after_chunks=2,
            code=502,
            reply=FakeReply("Once upon a time there was a fox."),
        ),
    ),
    PROMPT_ERROR_IN_200: (Fault.error_in_200(502),),
}
"""Answers per prompt, in order of the requests (the last one repeats)."""
