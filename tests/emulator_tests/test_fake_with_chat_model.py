"""End to end: ChatOpenRouterFree over a real socket against FakeOpenRouter."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool

from langchain_openrouter_free.chat_models import ChatOpenRouterFree
from langchain_openrouter_free.errors import OpenRouterRateLimitError, RateLimitKind
from langchain_openrouter_free.testing import (
    FakeOpenRouter,
    FakeReply,
    Fault,
    FreeTierLimits,
)

MODEL = "meta-llama/llama-3.3-70b-instruct:free"


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    # An injected client we close ourselves: no socket left for the GC to warn about.
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def _model(fake: FakeOpenRouter, http: httpx.Client) -> ChatOpenRouterFree:
    return ChatOpenRouterFree(
        base_url=fake.base_url, api_key="sk-test", model=MODEL, http_client=http
    )


def test_invoke_stream_and_tools_through_the_chat_model(http: httpx.Client) -> None:
    with FakeOpenRouter(
        replies=[FakeReply("Hello!", reasoning="greet")], require_key=True
    ) as fake:
        model = _model(fake, http)
        answer = model.invoke("hi")
        assert answer.content == "Hello!"
        assert answer.additional_kwargs["reasoning_content"] == "greet"
        chunks = list(model.stream("stream me"))
        merged = chunks[0]
        for chunk in chunks[1:]:
            merged += chunk
        assert isinstance(merged, AIMessageChunk)
        assert merged.content == "You said: stream me"
        assert merged.usage_metadata is not None
        called = model.bind_tools([get_weather]).invoke("weather in Paris?")
        assert [(c["name"], c["args"], c["id"]) for c in called.tool_calls] == [
            ("get_weather", {"city": "test"}, "call_0")
        ]
        assert fake.chat_requests[0].headers["authorization"] == "Bearer sk-test"
        assert (
            fake.chat_requests[-1].json["tools"][0]["function"]["name"] == "get_weather"
        )


def test_free_tier_refusal_reaches_the_caller_typed(http: httpx.Client) -> None:
    with FakeOpenRouter(free_tier=FreeTierLimits(per_minute=20, per_day=1)) as fake:
        model = _model(fake, http)
        model.invoke("one")
        with pytest.raises(OpenRouterRateLimitError) as info:
            model.invoke("two")
    assert info.value.kind is RateLimitKind.DAILY
    assert info.value.is_retryable is False


def test_scripted_fault_reaches_the_caller_typed(http: httpx.Client) -> None:
    with (
        FakeOpenRouter(replies=[Fault.rate_limit_per_minute(reset_in=5)]) as fake,
        pytest.raises(OpenRouterRateLimitError) as info,
    ):
        _model(fake, http).model_copy(update={"max_retries": 0}).invoke("hi")
    assert info.value.kind is RateLimitKind.PER_MINUTE
    assert info.value.limit == 20
