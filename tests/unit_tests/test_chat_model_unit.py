"""ChatOpenRouterFree end to end over real wire bytes (httpx.MockTransport).

Each behaviour is written once and run sync and async via the ``mode`` fixture.
"""

from __future__ import annotations

import gc
import json
from functools import reduce
from operator import add
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps, load
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.rate_limiters import BaseRateLimiter
from pydantic import BaseModel, ValidationError

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._request import RequestParameters
from langchain_openrouter_free.errors import (
    OpenRouterConfigurationError,
    OpenRouterRateLimitError,
    OpenRouterServerError,
    OpenRouterStreamError,
    RateLimitKind,
    StaleModelIdWarning,
)
from tests.unit_tests._wire import (
    FAKE_KEY,
    completion_body,
    delta_chunk,
    make_model,
    ok,
    run,
    sse,
    usage_chunk,
)

FREE = "meta-llama/llama-3.3-70b-instruct:free"


def invoke(
    mode: str, model: Any, message: Any = "Capital of France?", /, **kw: Any
) -> Any:
    return run(
        mode, lambda: model.invoke(message, **kw), lambda: model.ainvoke(message, **kw)
    )


def stream(mode: str, model: Any, message: Any = "Count.", /, **kw: Any) -> list[Any]:
    async def collect() -> list[Any]:
        return [chunk async for chunk in model.astream(message, **kw)]

    return run(mode, lambda: list(model.stream(message, **kw)), collect)


# --- response mapping -------------------------------------------------------


def test_invoke_maps_content_metadata_usage_and_reasoning(mode: str) -> None:
    model, _ = make_model([ok(completion_body("Paris.", reasoning="France -> Paris"))])
    message = invoke(mode, model)
    assert isinstance(message, AIMessage)
    assert message.content == "Paris."
    assert message.additional_kwargs["reasoning_content"] == "France -> Paris"
    assert (
        message.additional_kwargs["reasoning_details"][0]["text"] == "France -> Paris"
    )
    meta = message.response_metadata
    assert meta["model_name"] == FREE
    assert meta["provider"] == "Chutes"
    assert meta["id"] == "gen-1790401122-q8Ve2LmN0aPzKd7RtXy4"
    assert meta["finish_reason"] == "stop"
    assert meta["native_finish_reason"] == "stop"
    assert meta["model_provider"] == "openrouter"
    assert meta["cost"] == 0
    usage = message.usage_metadata
    assert usage is not None
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (
        24,
        8,
        32,
    )
    assert usage.get("input_token_details", {}).get("cache_read") == 4
    assert usage.get("output_token_details", {}).get("reasoning") == 3


def test_router_reports_the_model_that_answered(mode: str) -> None:
    answered = "upstage/solar-pro-3:free"
    model, recorder = make_model(
        [ok(completion_body("hi", model=answered))], model="openrouter/free"
    )
    message = invoke(mode, model)
    assert recorder.bodies[0]["model"] == "openrouter/free"
    assert message.response_metadata["model_name"] == answered


def test_error_inside_200_is_an_error_never_an_empty_answer(mode: str) -> None:
    body = json.dumps(
        {
            "error": {
                "message": "Provider returned error",
                "code": 429,
                "metadata": {"raw": "error code: 1015", "provider_name": "Kluster"},
            },
            "user_id": "user_x",
        }
    ).encode()
    model, _ = make_model([ok(body)])
    with pytest.raises(OpenRouterRateLimitError) as info:
        invoke(mode, model)
    assert info.value.provider_name == "Kluster"
    assert info.value.kind is RateLimitKind.UPSTREAM


def test_choices_null_is_an_error(mode: str) -> None:
    body = json.dumps({"id": "gen-1", "model": FREE, "choices": None}).encode()
    model, _ = make_model([ok(body)])
    with pytest.raises(OpenRouterServerError):
        invoke(mode, model)


def test_choices_null_is_retried_like_a_server_error(mode: str) -> None:
    body = json.dumps({"id": "gen-1", "model": FREE, "choices": None}).encode()
    model, recorder = make_model([ok(body), ok()], max_retries=1)
    message = invoke(mode, model)
    assert message.content == "Paris."
    assert len(recorder.requests) == 2


# --- request payload ---------------------------------------------------------


def test_unset_fields_are_not_sent_and_set_fields_are(mode: str) -> None:
    model, recorder = make_model(
        [ok()],
        temperature=0.2,
        top_k=40,
        repetition_penalty=1.1,
        reasoning={
            "effort": "low",
            "exclude": True,
            "max_tokens": 256,
            "enabled": True,
        },
        provider={"order": ["deepinfra"], "data_collection": "deny", "future_key": 1},
        route="fallback",
        transforms=["middle-out"],
        models=["google/gemma-3-27b-it:free", "openrouter/free"],
        logit_bias={50256: -100},
        session_id="s-1",
        user="u-1",
    )
    invoke(mode, model)
    body = recorder.bodies[0]
    assert body["model"] == FREE
    assert body["messages"] == [{"role": "user", "content": "Capital of France?"}]
    assert body["temperature"] == 0.2
    assert body["top_k"] == 40
    assert body["repetition_penalty"] == 1.1
    assert body["reasoning"] == {
        "effort": "low",
        "exclude": True,
        "max_tokens": 256,
        "enabled": True,
    }
    assert body["provider"] == {
        "order": ["deepinfra"],
        "data_collection": "deny",
        "future_key": 1,
    }
    assert body["route"] == "fallback"
    assert body["transforms"] == ["middle-out"]
    assert body["models"] == ["google/gemma-3-27b-it:free", "openrouter/free"]
    assert body["logit_bias"] == {"50256": -100}
    assert body["session_id"] == "s-1"
    assert body["user"] == "u-1"
    for unset in ("top_p", "max_tokens", "seed", "stop", "stream", "min_p", "plugins"):
        assert unset not in body


def test_an_empty_stop_list_is_not_sent(mode: str) -> None:
    model, recorder = make_model([ok(), ok()], stop=[])
    invoke(mode, model)
    invoke(mode, model, stop=[])
    assert all("stop" not in body for body in recorder.bodies)


def test_call_options_override_fields_and_extra_body_goes_last(mode: str) -> None:
    model, recorder = make_model(
        [ok()],
        temperature=0.9,
        max_tokens=50,
        extra_body={"verbosity": "low", "seed": 1},
    )
    invoke(mode, model, temperature=0.0, stop=["\n\n"], extra_body={"seed": 7})
    body = recorder.bodies[0]
    assert body["temperature"] == 0.0
    assert body["max_tokens"] == 50
    assert body["stop"] == ["\n\n"]
    assert body["verbosity"] == "low"
    assert body["seed"] == 7


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 2.5),
        ("temperature", -0.1),
        ("max_tokens", 0),
        ("top_p", 1.5),
        ("top_k", -1),
        ("frequency_penalty", 2.1),
        ("presence_penalty", -3),
        ("repetition_penalty", 0),
        ("repetition_penalty", 2.5),
        ("min_p", 1.1),
        ("top_a", -0.5),
        ("stop", ["a", "b", "c", "d", "e"]),
        ("top_logprobs", 21),
        ("models", ["a:free", "b:free", "c:free", "d:free"]),
        ("logit_bias", {"1": 101}),
        ("route", "sideways"),
        ("reasoning", {"effort": "enormous"}),
    ],
)
def test_out_of_range_values_are_refused_at_construction_and_at_call(
    mode: str, field: str, value: Any
) -> None:
    with pytest.raises(ValidationError, match=field):
        make_model([], **{field: value})
    model, recorder = make_model([ok()])
    with pytest.raises(ValidationError, match=field):
        invoke(mode, model, **{field: value})
    assert recorder.requests == []


def test_paid_models_are_refused_unless_allowed(mode: str) -> None:
    with pytest.raises(ValueError, match="openai/gpt-4o"):
        ChatOpenRouterFree(model="openai/gpt-4o", api_key=FAKE_KEY)
    with pytest.raises(ValueError, match=r"anthropic/claude-sonnet-4\.5"):
        ChatOpenRouterFree(model=FREE, models=["anthropic/claude-sonnet-4.5"])
    model, recorder = make_model([ok()])
    with pytest.raises(ValueError, match="openai/gpt-4o"):
        invoke(mode, model, model="openai/gpt-4o")
    with pytest.raises(ValueError, match="x-ai/grok-4"):
        invoke(mode, model, models=["x-ai/grok-4"])
    assert recorder.requests == []
    paid, recorder = make_model([ok()], model="openai/gpt-4o", allow_paid=True)
    invoke(mode, paid)
    assert recorder.bodies[0]["model"] == "openai/gpt-4o"


def test_headers_carry_key_attribution_and_user_overrides(mode: str) -> None:
    model, recorder = make_model(
        [ok()],
        app_url="https://example.org",
        app_title="My App",
        default_headers={"x-title": "Override", "X-Extra": "1"},
    )
    invoke(mode, model)
    headers = recorder.requests[0].headers
    assert headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert headers["http-referer"] == "https://example.org"
    assert headers["x-openrouter-title"] == "My App"
    assert headers.get_list("x-title") == ["Override"]
    assert headers["x-extra"] == "1"
    assert headers["content-type"] == "application/json"
    assert recorder.requests[0].url == "https://openrouter.ai/api/v1/chat/completions"


def test_base_url_and_key_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1")
    model = ChatOpenRouterFree()
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == FAKE_KEY
    assert model.base_url == "http://127.0.0.1:9/api/v1"
    assert model.model == "openrouter/free"


# --- streaming -------------------------------------------------------------------


class TokenCounter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_stream_yields_tokens_to_callbacks_and_usage_once(mode: str) -> None:
    chunks = [
        delta_chunk({"content": "One"}),
        delta_chunk({"content": ", two"}),
        delta_chunk({"content": ", three."}),
        delta_chunk({"content": ""}, finish_reason="stop"),
        usage_chunk(12, 5),
    ]
    model, recorder = make_model([sse(chunks)])
    counter = TokenCounter()
    parts = stream(mode, model, config={"callbacks": [counter]})
    assert recorder.bodies[0]["stream"] is True
    assert "".join(p.text for p in parts) == "One, two, three."
    assert [t for t in counter.tokens if t] == ["One", ", two", ", three."]
    with_usage = [
        p for p in parts if p.usage_metadata and p.usage_metadata["input_tokens"]
    ]
    assert len(with_usage) == 1
    merged = reduce(add, parts)
    assert isinstance(merged, AIMessageChunk)
    assert merged.usage_metadata is not None
    assert merged.usage_metadata["total_tokens"] == 17
    assert merged.response_metadata["finish_reason"] == "stop"
    assert merged.response_metadata["model_name"] == FREE


def test_invoke_with_streaming_true_uses_the_stream(mode: str) -> None:
    chunks = [delta_chunk({"content": "Hi"}), delta_chunk({}, finish_reason="stop")]
    model, recorder = make_model([sse(chunks)], streaming=True)
    message = invoke(mode, model)
    assert recorder.bodies[0]["stream"] is True
    assert message.content == "Hi"


def test_disable_streaming_sends_a_plain_request(mode: str) -> None:
    model, recorder = make_model([ok()], disable_streaming=True)
    parts = stream(mode, model)
    assert "stream" not in recorder.bodies[0]
    assert "".join(p.text for p in parts) == "Paris."


def test_mid_stream_error_is_typed_and_keeps_partial_text(mode: str) -> None:
    error_chunk = {
        **delta_chunk({"content": ""}),
        "error": {
            "code": 429,
            "message": "google/gemma-4-31b-it:free is temporarily rate-limited upstream.",
            "metadata": {"error_type": "rate_limit_exceeded", "provider_code": "429"},
        },
    }
    model, _ = make_model(
        [sse([delta_chunk({"content": "Sure, the first part"}), error_chunk])]
    )
    with pytest.raises(OpenRouterRateLimitError) as info:
        stream(mode, model)
    assert info.value.partial_text == "Sure, the first part"
    assert info.value.kind is RateLimitKind.UPSTREAM


def test_truncated_stream_raises_instead_of_returning_half_an_answer(mode: str) -> None:
    model, _ = make_model(
        [sse([delta_chunk({"content": "The answer is"})], done=False)]
    )
    with pytest.raises(OpenRouterStreamError) as info:
        stream(mode, model)
    assert info.value.partial_text == "The answer is"


# --- secrets, identity, lifecycle ------------------------------------------------------


def test_api_key_never_appears_in_repr_str_or_dump() -> None:
    model = ChatOpenRouterFree(api_key=FAKE_KEY, model=FREE)
    for text in (repr(model), str(model), dumps(model), json.dumps(dumpd(model))):
        assert FAKE_KEY not in text
    assert dumpd(model)["kwargs"]["api_key"] == {
        "lc": 1,
        "type": "secret",
        "id": ["OPENROUTER_API_KEY"],
    }


@pytest.mark.filterwarnings(
    "ignore::langchain_core._api.beta_decorator.LangChainBetaWarning"
)
def test_serialized_model_loads_back_with_the_key_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    model = ChatOpenRouterFree(model=FREE, temperature=0.4, reasoning={"effort": "low"})
    loaded = load(
        dumpd(model),
        valid_namespaces=["langchain_openrouter_free"],
        allowed_objects=[ChatOpenRouterFree],
        secrets_from_env=True,
    )
    assert isinstance(loaded, ChatOpenRouterFree)
    assert (loaded.model, loaded.temperature, loaded.reasoning) == (
        FREE,
        0.4,
        {"effort": "low"},
    )
    assert loaded.api_key is not None
    assert loaded.api_key.get_secret_value() == FAKE_KEY


def test_ls_params_name_provider_and_honour_model_override() -> None:
    model = ChatOpenRouterFree(model=FREE, temperature=0.3, max_tokens=99, stop=["x"])
    params = model._get_ls_params()
    assert params["ls_provider"] == "openrouter"
    assert params["ls_model_name"] == FREE
    assert params["ls_temperature"] == 0.3
    assert params["ls_max_tokens"] == 99
    assert params["ls_stop"] == ["x"]
    assert model._get_ls_params(model="other:free")["ls_model_name"] == "other:free"
    assert model._llm_type == "openrouter-free-chat"
    assert model._identifying_params["temperature"] == 0.3


def test_request_fields_reach_the_body_however_they_were_set() -> None:
    # The request defaults are read from the fields that were set: every
    # request field must default to None for that to hold.
    assert all(
        field.default is None and field.default_factory is None
        for field in RequestParameters.model_fields.values()
    )
    messages = [HumanMessage("hi")]
    plain = ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY)
    given = ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY, temperature=0.2)
    assigned = ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY)
    assigned.top_p = 0.5
    copied = given.model_copy(update={"seed": 7, "temperature": None})
    bodies = [
        m._build_payload(messages, None, stream=False)
        for m in (plain, given, assigned, copied)
    ]
    fields = [
        {k: v for k, v in b.items() if k not in {"model", "messages"}} for b in bodies
    ]
    assert fields == [{}, {"temperature": 0.2}, {"top_p": 0.5}, {"seed": 7}]
    assert copied._identifying_params == {"model": FREE, "seed": 7}


def test_no_http_client_is_built_at_construction_and_one_is_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[int] = []
    original = httpx.Client.__init__

    def counting_init(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "__init__", counting_init)
    models = [ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY) for _ in range(200)]
    assert built == []
    first = models[0]
    assert first._client() is first._client()


def test_built_in_client_is_closed_when_the_model_is_collected() -> None:
    clients = []
    for _ in range(50):
        model = ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY)
        clients.append(model._client()._clients.sync())
        del model
    gc.collect()
    assert all(client.is_closed for client in clients)


def test_injected_client_is_never_closed_by_the_model() -> None:
    injected = httpx.Client()
    model = ChatOpenRouterFree(model=FREE, http_client=injected)
    model._client()
    model.close()
    del model
    gc.collect()
    assert not injected.is_closed
    injected.close()


class CountingLimiter(BaseRateLimiter):
    def __init__(self) -> None:
        self.acquired = 0

    def acquire(self, *, blocking: bool = True) -> bool:
        self.acquired += 1
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        self.acquired += 1
        return True


def test_rate_limiter_is_acquired_per_call(mode: str) -> None:
    limiter = CountingLimiter()
    model, _ = make_model([ok(), ok()], rate_limiter=limiter)
    invoke(mode, model)
    invoke(mode, model)
    assert limiter.acquired == 2


# --- tools ------------------------------------------------------------------------


class GetWeather(BaseModel):
    """Current weather for a city."""

    city: str


def test_bind_tools_sends_tools_and_normalized_tool_choice(mode: str) -> None:
    tool_call = {
        "id": "call_1",
        "type": "function",
        "index": 0,
        "function": {"name": "GetWeather", "arguments": '{"city": "Paris"}'},
    }
    model, recorder = make_model(
        [ok(completion_body("", tool_calls=[tool_call], finish_reason="tool_calls"))]
        * 1
    )
    bound = model.bind_tools([GetWeather], tool_choice="any", parallel_tool_calls=False)
    message = invoke(mode, bound)
    body = recorder.bodies[0]
    assert body["tools"][0]["function"]["name"] == "GetWeather"
    assert body["tools"][0]["function"]["parameters"]["required"] == ["city"]
    assert body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False
    assert message.tool_calls == [
        {
            "name": "GetWeather",
            "args": {"city": "Paris"},
            "id": "call_1",
            "type": "tool_call",
        }
    ]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        (True, {"type": "function", "function": {"name": "GetWeather"}}),
        ("GetWeather", {"type": "function", "function": {"name": "GetWeather"}}),
    ],
)
def test_tool_choice_forms(choice: Any, expected: Any) -> None:
    model, recorder = make_model([ok()])
    model.bind_tools([GetWeather], tool_choice=choice).invoke("weather?")
    assert recorder.bodies[0]["tool_choice"] == expected


def test_bad_tool_choice_names_the_problem() -> None:
    model = ChatOpenRouterFree(model=FREE)
    with pytest.raises(ValueError, match="Nope"):
        model.bind_tools([GetWeather], tool_choice="Nope")


def test_empty_tool_list_sends_no_tools_key_but_passes_other_kwargs() -> None:
    model, recorder = make_model([ok()])
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "x", "schema": {}},
    }
    model.bind_tools([], response_format=response_format).invoke([HumanMessage("hi")])
    body = recorder.bodies[0]
    assert "tools" not in body
    assert body["response_format"] == response_format


# --- registry facts ------------------------------------------------------------------


def test_seed_alias_is_sent_as_the_real_id_with_one_warning(mode: str) -> None:
    with pytest.warns(
        StaleModelIdWarning, match=r"google/gemma-3-27b-it:free"
    ) as caught:
        model, recorder = make_model([ok()], model="google/gemma-3-27b:free")
    assert len(caught) == 1
    assert model.model == "google/gemma-3-27b-it:free"
    invoke(mode, model)
    assert recorder.bodies[0]["model"] == "google/gemma-3-27b-it:free"


def test_retired_id_warns_but_is_still_sent(mode: str) -> None:
    with pytest.warns(StaleModelIdWarning, match="retired"):
        model, recorder = make_model([ok()], model="google/gemini-2.0-flash-exp:free")
    invoke(mode, model)
    assert recorder.bodies[0]["model"] == "google/gemini-2.0-flash-exp:free"


def test_fallback_aliases_resolve_too() -> None:
    with pytest.warns(StaleModelIdWarning):
        model = ChatOpenRouterFree(model=FREE, models=["rekaai/flash-3:free"])
    assert model.models == ["rekaai/reka-flash-3:free"]


def test_max_tokens_above_the_context_window_is_refused_before_sending(
    mode: str,
) -> None:
    small = "google/gemma-3n-e4b-it:free"  # 8,192 context, 2,048 output tokens
    with pytest.raises(ValueError, match="2048-token output limit"):
        ChatOpenRouterFree(model=small, max_tokens=10_000)
    model, recorder = make_model([ok()], model=small)
    with pytest.raises(ValueError, match="max_tokens=9000"):
        invoke(mode, model, max_tokens=9000)
    assert recorder.requests == []


def test_max_tokens_above_the_output_limit_is_refused_naming_it(mode: str) -> None:
    gemma = "google/gemma-3-27b-it:free"  # 131,072 context, 8,192 output tokens
    with pytest.raises(ValueError, match="max_tokens=8192 or less"):
        ChatOpenRouterFree(model=gemma, max_tokens=8193)
    model, recorder = make_model([ok()], model=gemma, max_tokens=8192)
    with pytest.raises(OpenRouterConfigurationError, match="8192-token output limit"):
        invoke(mode, model, max_tokens=9000)
    assert recorder.requests == []
    invoke(mode, model)  # the limit itself is allowed
    assert recorder.bodies[0]["max_tokens"] == 8192


def test_summarization_middleware_takes_fractional_limits_from_the_profile() -> None:
    from langchain.agents.middleware import SummarizationMiddleware

    model = ChatOpenRouterFree(model=FREE)
    middleware = SummarizationMiddleware(
        model=model, trigger=("fraction", 0.8), keep=("fraction", 0.1)
    )
    assert middleware._get_profile_limits() == 128_000
    with pytest.raises(ValueError, match="profile"):
        SummarizationMiddleware(
            model=ChatOpenRouterFree(model="openai/gpt-4o", allow_paid=True),
            trigger=("fraction", 0.8),
        )


def test_profile_comes_from_the_registry() -> None:
    profile = ChatOpenRouterFree(model=FREE).profile
    assert profile is not None
    assert profile["max_input_tokens"] == 128_000
    assert profile["tool_calling"] is True
    assert profile["structured_output"] is False
    assert ChatOpenRouterFree(model="openai/gpt-4o", allow_paid=True).profile is None
