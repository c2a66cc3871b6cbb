"""Living on the free tier, end to end against FakeOpenRouter (issue 10, items 3-8).

Each scenario names its row of free-tier.md §8 and asserts the outcome, the
exception type and the exact number of requests sent.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_openrouter_free import _candidates
from langchain_openrouter_free.chat_models import ChatOpenRouterFree
from langchain_openrouter_free.errors import (
    ContextCompressionWarning,
    FreeQuotaExhaustedError,
    OpenRouterContextOverflowError,
    OpenRouterDataPolicyError,
    OpenRouterEmptyAnswerError,
    OpenRouterNotFoundError,
    OpenRouterRateLimitError,
    PaidUsageError,
)
from langchain_openrouter_free.registry import default_registry
from langchain_openrouter_free.testing import (
    FakeOpenRouter,
    FakeReply,
    FakeToolCall,
    Fault,
    FreeTierLimits,
    ModelQuirks,
)

A = "meta-llama/llama-3.3-70b-instruct:free"
B = "qwen/qwen3-next-80b-a3b-instruct:free"
C = "openai/gpt-oss-120b:free"
D = "z-ai/glm-4.5-air:free"
E = "arcee-ai/trinity-mini:free"
GEMMA = "google/gemma-3-27b-it:free"
SMALL = "google/gemma-3n-e4b-it:free"  # 8,192 tokens: compressed by OpenRouter
MID = "google/gemma-3-12b-it:free"  # 32,768 tokens
JOKE_JSON = '{"setup": "Why?", "punchline": "Because."}'
MODES = ("sync", "async")
_MODELS: list[ChatOpenRouterFree] = []
"""Models built by the test; async runs close their per-loop clients."""


class Joke(BaseModel):
    setup: str
    punchline: str


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def _model(
    fake: FakeOpenRouter, http: httpx.Client, model: str = A, **fields: Any
) -> ChatOpenRouterFree:
    built = ChatOpenRouterFree(
        base_url=fake.base_url,
        api_key="sk-test",
        model=model,
        http_client=http,
        max_retries=0,
        **fields,
    )
    _MODELS.append(built)
    return built


async def _closing(coro: Any) -> Any:
    try:
        return await coro
    finally:
        for built in _MODELS:
            await built.aclose()


def _invoke(mode: str, runnable: Any, value: Any) -> Any:
    if mode == "sync":
        return runnable.invoke(value)

    return asyncio.run(_closing(runnable.ainvoke(value)))


def _stream(mode: str, runnable: Any, value: Any) -> list[Any]:
    if mode == "sync":
        return list(runnable.stream(value))

    async def go() -> list[Any]:
        return [chunk async for chunk in runnable.astream(value)]

    return asyncio.run(_closing(go()))


def _merged(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    return merged


def _sent(fake: FakeOpenRouter) -> list[dict[str, Any]]:
    return [r.json for r in fake.chat_requests]


# --- failover: rows B and A ---


@pytest.mark.parametrize("mode", MODES)
def test_b1_retired_model_fails_over_inside_one_request(
    mode: str, http: httpx.Client
) -> None:
    quirks = {A: ModelQuirks(retired=True)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, fallbacks=[B])
        message = _invoke(mode, model, "hi")
        assert message.text == "You said: hi"
        assert message.response_metadata["model_name"] == B
        assert message.response_metadata["attempts"] == [
            {"model": A, "error": None, "models": [A, B], "answered_by": B}
        ]
        assert len(fake.chat_requests) == 1
        assert _sent(fake)[0]["models"] == [A, B]


@pytest.mark.parametrize("mode", MODES)
def test_a6_upstream_429_and_5xx_move_past_the_server_side_list(
    mode: str, http: httpx.Client
) -> None:
    quirks = {
        A: ModelQuirks(retired=True),
        B: ModelQuirks(upstream_429=9),
        C: ModelQuirks(server_errors=9),
    }
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, fallbacks=[B, C, D])
        message = _invoke(mode, model, "hi")
        assert message.response_metadata["model_name"] == D
        attempts = message.response_metadata["attempts"]
        assert [a["error"] for a in attempts] == ["OpenRouterServerError", None]
        assert attempts[0]["models"] == [A, B, C]
        assert attempts[1]["model"] == D
        assert len(fake.chat_requests) == 2
        assert "models" not in _sent(fake)[1]


def test_a6_upstream_429_is_not_retried_on_the_same_model_when_failing_over(
    http: httpx.Client,
) -> None:
    quirks = {A: ModelQuirks(upstream_429=9), B: ModelQuirks(upstream_429=9)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, fallbacks=[B, C, D, E])
        model.max_retries = 2
        message = model.invoke("hi")
        assert message.response_metadata["model_name"] == C
        assert len(fake.chat_requests) == 1


def test_without_fallbacks_the_retired_model_error_reaches_the_caller(
    http: httpx.Client,
) -> None:
    with FakeOpenRouter(model_quirks={A: ModelQuirks(retired=True)}) as fake:
        model = _model(fake, http)
        with pytest.raises(OpenRouterNotFoundError, match="No endpoints found for"):
            model.invoke("hi")
        assert len(fake.chat_requests) == 1
        assert "models" not in _sent(fake)[0]


def test_b6_invalid_model_id_fails_over(http: httpx.Client) -> None:
    with FakeOpenRouter(replies=[Fault.invalid_model(), FakeReply("ok")]) as fake:
        model = _model(fake, http, fallbacks=[B, C, D])
        assert model.invoke("hi").text == "ok"
        assert len(fake.chat_requests) == 2
        assert _sent(fake)[1]["model"] == D


@pytest.mark.parametrize("mode", MODES)
def test_a1_daily_cap_never_fails_over(mode: str, http: httpx.Client) -> None:
    with FakeOpenRouter(free_tier=FreeTierLimits(per_day=1)) as fake:
        model = _model(fake, http, fallbacks="auto")
        _invoke(mode, model, "first")
        with pytest.raises(FreeQuotaExhaustedError) as caught:
            _invoke(mode, model, "second")
        assert isinstance(caught.value, OpenRouterRateLimitError)
        assert len(fake.chat_requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_stream_fails_over_before_the_first_token(
    mode: str, http: httpx.Client
) -> None:
    quirks = {m: ModelQuirks(retired=True) for m in (A, B, C)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, fallbacks=[B, C, D])
        merged = _merged(_stream(mode, model, "hi"))
        assert merged.text == "You said: hi"
        assert merged.response_metadata["model_name"] == D
        errors = [a["error"] for a in merged.response_metadata["attempts"]]
        assert errors == ["OpenRouterNotFoundError", None]
        assert len(fake.chat_requests) == 2


def test_stream_never_fails_over_after_the_first_token(http: httpx.Client) -> None:
    fault = Fault.mid_stream_error(after_chunks=1, code=502)
    with FakeOpenRouter(replies=[fault]) as fake:
        model = _model(fake, http, fallbacks=[B, C, D])
        with pytest.raises(Exception, match="Provider returned error") as caught:
            list(model.stream("hi there"))
        assert caught.value.partial_text  # type: ignore[attr-defined]
        assert len(fake.chat_requests) == 1


def test_auto_fallbacks_only_name_free_models_that_can_call_tools(
    http: httpx.Client,
) -> None:
    quirks = {A: ModelQuirks(tools=False)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, fallbacks="auto").bind_tools([get_weather])
        message = model.invoke("Weather in Paris?")
        assert message.tool_calls[0]["name"] == "get_weather"
        assert len(fake.chat_requests) == 1
        listed = _sent(fake)[0]["models"]
        assert listed[0] == A
        registry = default_registry()
        for fallback in listed[1:]:
            entry = registry.get(fallback)
            assert fallback.endswith(":free")
            assert entry.supports_tools
            assert entry.status == "available"


def test_paid_fallback_ids_are_refused_at_construction(http: httpx.Client) -> None:
    with FakeOpenRouter() as fake, pytest.raises(ValueError, match="not free"):
        _model(fake, http, fallbacks=["openai/gpt-4o-mini"])


# --- step-down: rows D ---


@pytest.mark.parametrize("mode", MODES)
def test_d2_structured_output_steps_all_the_way_down(
    mode: str, http: httpx.Client
) -> None:
    quirks = {GEMMA: ModelQuirks(json_mode=False, tools=False)}
    with FakeOpenRouter(model_quirks=quirks, replies=[FakeReply(JOKE_JSON)]) as fake:
        model = _model(fake, http, model=GEMMA)
        structured = model.with_structured_output(
            Joke, method="json_schema", include_raw=True
        )
        result = _invoke(mode, structured, "Tell a joke")
        assert result["parsed"] == Joke(setup="Why?", punchline="Because.")
        assert result["raw"].response_metadata["step_down"] == [
            "json_schema->function_calling",
            "function_calling->json_mode",
            "json_mode->prompt",
        ]
        sent = _sent(fake)
        assert len(sent) == 4
        assert sent[0]["response_format"]["type"] == "json_schema"
        assert sent[1]["tool_choice"]["function"]["name"] == "Joke"
        assert sent[2]["response_format"] == {"type": "json_object"}
        assert "response_format" not in sent[3]
        assert "tools" not in sent[3]
        assert "JSON schema:" in sent[3]["messages"][0]["content"]


@pytest.mark.parametrize("mode", MODES)
def test_d1_function_calling_steps_down_to_json_mode(
    mode: str, http: httpx.Client
) -> None:
    quirks = {A: ModelQuirks(tools=False)}
    with FakeOpenRouter(model_quirks=quirks, replies=[FakeReply(JOKE_JSON)]) as fake:
        model = _model(fake, http)
        structured = model.with_structured_output(Joke, method="function_calling")
        assert _invoke(mode, structured, "joke") == Joke(
            setup="Why?", punchline="Because."
        )
        assert len(fake.chat_requests) == 2


def test_json_schema_step_down_reshapes_a_streamed_tool_call(
    http: httpx.Client,
) -> None:
    quirks = {GEMMA: ModelQuirks(json_mode=False)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, model=GEMMA)
        structured = model.with_structured_output(Joke, method="json_schema")
        parts = list(structured.stream("joke"))
        assert parts[-1] == Joke(setup="test", punchline="test")
        assert len(fake.chat_requests) == 2


def test_d1_plain_bound_tools_without_support_fail_clearly(http: httpx.Client) -> None:
    with FakeOpenRouter(model_quirks={A: ModelQuirks(tools=False)}) as fake:
        model = _model(fake, http).bind_tools([get_weather])
        with pytest.raises(OpenRouterNotFoundError, match="support tool use"):
            model.invoke("Weather?")
        assert len(fake.chat_requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_d3_refused_system_prompt_is_merged_into_the_first_user_message(
    mode: str, http: httpx.Client
) -> None:
    quirks = {GEMMA: ModelQuirks(system_prompt=False)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, model=GEMMA)
        message = _invoke(mode, model, [SystemMessage("Be brief."), HumanMessage("hi")])
        assert message.response_metadata["step_down"] == ["system->user"]
        sent = _sent(fake)
        assert len(sent) == 2
        assert sent[1]["messages"] == [{"role": "user", "content": "Be brief.\n\nhi"}]


# ------------------------------------------------------------ empty answers (E)


@pytest.mark.parametrize("mode", MODES)
def test_e3_reasoning_only_answer_raises_and_names_max_tokens(
    mode: str, http: httpx.Client
) -> None:
    with FakeOpenRouter(model_quirks={A: ModelQuirks(reasoning_tokens=50)}) as fake:
        model = _model(fake, http, max_tokens=40)
        with pytest.raises(OpenRouterEmptyAnswerError, match="max_tokens=80") as caught:
            _invoke(mode, model, "hi")
        assert caught.value.reasoning.startswith("thinking")
        assert caught.value.finish_reason == "length"
        assert len(fake.chat_requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_e3_retry_empty_doubles_the_budget_once(mode: str, http: httpx.Client) -> None:
    with FakeOpenRouter(model_quirks={A: ModelQuirks(reasoning_tokens=50)}) as fake:
        model = _model(fake, http, max_tokens=40, retry_empty=True)
        message = _invoke(mode, model, "hi")
        assert message.text == "You said: hi"
        assert message.response_metadata["step_down"] == ["empty_retry"]
        assert [body["max_tokens"] for body in _sent(fake)] == [40, 80]


def test_e3_retry_empty_gives_up_after_one_retry(http: httpx.Client) -> None:
    with FakeOpenRouter(model_quirks={A: ModelQuirks(reasoning_tokens=500)}) as fake:
        model = _model(fake, http, max_tokens=40, retry_empty=True)
        with pytest.raises(OpenRouterEmptyAnswerError, match="also after a retry"):
            model.invoke("hi")
        assert len(fake.chat_requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_e3_streamed_reasoning_only_answer(mode: str, http: httpx.Client) -> None:
    with FakeOpenRouter(model_quirks={A: ModelQuirks(reasoning_tokens=50)}) as fake:
        model = _model(fake, http, max_tokens=40)
        with pytest.raises(OpenRouterEmptyAnswerError):
            _stream(mode, model, "hi")
        assert len(fake.chat_requests) == 1
        retrying = _model(fake, http, max_tokens=40, retry_empty=True)
        merged = _merged(_stream(mode, retrying, "hi"))
        assert merged.text == "You said: hi"
        assert len(fake.chat_requests) == 3


def test_e2_empty_content_with_reasoning_and_stop_raises(http: httpx.Client) -> None:
    reply = FakeReply("", reasoning="Let me think about it.", finish_reason="stop")
    with FakeOpenRouter(replies=[reply]) as fake:
        with pytest.raises(OpenRouterEmptyAnswerError, match="max_tokens") as caught:
            _model(fake, http).invoke("hi")
        assert caught.value.reasoning == "Let me think about it."
        assert caught.value.finish_reason == "stop"
        assert len(fake.chat_requests) == 1


CUT = FakeReply(
    tool_calls=(FakeToolCall("get_weather", '{"city": "Par'),),
    finish_reason="tool_calls",
    native_finish_reason="length",
)
CUT_CLOSED = FakeReply(
    tool_calls=(FakeToolCall("get_weather", '{"city": "Paris"}'),),
    finish_reason="length",
)


@pytest.mark.parametrize("reply", [CUT, CUT_CLOSED], ids=["open-json", "closed-json"])
@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_tool_call_cut_by_max_tokens_is_invalid(
    reply: FakeReply, streamed: bool, http: httpx.Client
) -> None:
    with FakeOpenRouter(replies=[reply]) as fake:
        model = _model(fake, http).bind_tools([get_weather])
        message = (
            _merged(list(model.stream("Weather?")))
            if streamed
            else model.invoke("Weather?")
        )
        assert message.tool_calls == []
        assert [c["name"] for c in message.invalid_tool_calls] == ["get_weather"]
        assert len(fake.chat_requests) == 1


# ------------------------------------------------------------ context fit (G)


@pytest.mark.parametrize("mode", MODES)
def test_g2_prompt_too_large_is_refused_without_a_request(
    mode: str, http: httpx.Client
) -> None:
    with FakeOpenRouter() as fake:
        model = _model(fake, http, model=MID, max_tokens=2000)
        prompt = "word " * 30_000  # about 37,500 tokens by the estimate
        with pytest.raises(OpenRouterContextOverflowError, match="fallbacks='auto'"):
            _invoke(mode, model, prompt)
        assert len(fake.chat_requests) == 0


def test_g2_auto_fallbacks_move_a_large_prompt_to_a_larger_model(
    http: httpx.Client,
) -> None:
    with FakeOpenRouter() as fake:
        model = _model(fake, http, model=MID, max_tokens=2000, fallbacks="auto")
        model.invoke("word " * 30_000)
        sent = _sent(fake)
        assert len(sent) == 1
        registry = default_registry()
        assert sent[0]["model"] != MID
        assert all(registry.get(m).context_length > 32_768 for m in sent[0]["models"])


def test_g1_small_context_models_warn_once_naming_the_switch(
    http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once per process: forget the models other tests already warned about.
    monkeypatch.setattr(_candidates, "_WARNED", set())
    with FakeOpenRouter() as fake:
        model = _model(fake, http, model=SMALL)
        with pytest.warns(ContextCompressionWarning, match="context-compression"):
            model.invoke("hi")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.invoke("hi again")
            off = [{"id": "context-compression", "enabled": False}]
            _model(fake, http, model=SMALL, plugins=off).invoke("hi")
        assert len(fake.chat_requests) == 3


# ------------------------------------------------------- free only (F) and privacy (C)


@pytest.mark.parametrize("mode", MODES)
def test_f6_an_answer_that_cost_money_raises(mode: str, http: httpx.Client) -> None:
    with FakeOpenRouter(model_quirks={A: ModelQuirks(cost=0.0004)}) as fake:
        with pytest.raises(PaidUsageError, match="allow_paid") as caught:
            _invoke(mode, _model(fake, http), "hi")
        assert caught.value.cost == pytest.approx(0.0004)
        assert len(fake.chat_requests) == 1
        message = _invoke(mode, _model(fake, http, allow_paid=True), "hi")
        assert message.response_metadata["cost"] == pytest.approx(0.0004)
        assert len(fake.chat_requests) == 2


def test_f1_the_paid_web_plugin_is_refused_before_sending(http: httpx.Client) -> None:
    with FakeOpenRouter() as fake:
        model = _model(fake, http, plugins=[{"id": "web"}])
        with pytest.raises(PaidUsageError, match="web"):
            model.invoke("news?")
        with pytest.raises(PaidUsageError):
            list(model.stream("news?"))
        assert len(fake.chat_requests) == 0


@pytest.mark.parametrize("mode", MODES)
def test_c1_privacy_404_names_the_setting_and_is_never_retried(
    mode: str, http: httpx.Client
) -> None:
    quirks = {m: ModelQuirks(privacy_blocked=True) for m in (A, B, C, D)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        model = _model(fake, http, fallbacks=[B, C, D])
        model.max_retries = 3
        with pytest.raises(OpenRouterDataPolicyError) as caught:
            _invoke(mode, model, "hi")
        text = str(caught.value)
        assert "https://openrouter.ai/settings/privacy" in text
        assert "Free model publication" in text
        assert caught.value.is_retryable is False
        assert len(fake.chat_requests) == 1


def test_c2_privacy_404_without_availability_object_is_typed_too(
    http: httpx.Client,
) -> None:
    with FakeOpenRouter(replies=[Fault.data_policy(availability=False)]) as fake:
        with pytest.raises(OpenRouterDataPolicyError, match="train on inputs"):
            _model(fake, http).invoke("hi")
        assert len(fake.chat_requests) == 1


def test_emulator_reports_the_quirks_it_played(http: httpx.Client) -> None:
    quirks = {GEMMA: ModelQuirks(json_mode=False)}
    with FakeOpenRouter(model_quirks=quirks) as fake:
        body = {
            "model": GEMMA,
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {"type": "json_object"},
        }
        response = http.post(f"{fake.base_url}/chat/completions", json=body)
        assert response.status_code == 400
        raw = json.loads(response.json()["error"]["metadata"]["raw"])
        assert (
            raw["error"]["message"]
            == "JSON mode is not enabled for models/gemma-3-27b-it"
        )
