"""The project's own integration tests, replayed from recorded cassettes.

Each test has a cassette in ``cassettes/integration/test_chat_models/``,
recorded by ``scripts/record_cassettes.py`` against FakeOpenRouter. Tests
marked ``scripted`` ask for a failure the emulator is scripted to produce
(``_integration.SCRIPTED``); they also carry ``openrouter_record_errors``,
since failed attempts (error statuses, and errors inside a 200 body or
stream) are not recorded by default.
"""

from __future__ import annotations

import httpx
import pytest
from _integration import (
    FREE_MODEL,
    PROMPT_DAILY_CAP,
    PROMPT_ERROR_IN_200,
    PROMPT_MID_STREAM_ERROR,
    PROMPT_PER_MINUTE_LIMIT,
    PROMPT_SERVER_ERROR_THEN_OK,
    PROMPT_TOOLS_UNSUPPORTED,
    REASONING_MODEL,
    model_params,
)
from langchain_core.exceptions import ModelRateLimitError
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import (
    OpenRouterAPIError,
    OpenRouterError,
    OpenRouterNotFoundError,
    OpenRouterRateLimitError,
    RateLimitKind,
)

pytestmark = pytest.mark.vcr

WEATHER_PROMPT = "What is the weather in 'Paris'? Use the tool."


@tool
def get_weather(city: str) -> str:
    """Return the current weather in a city."""
    return f"18 degrees and sunny in {city}"


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str
    age: int


def _model(**overrides: object) -> ChatOpenRouterFree:
    return ChatOpenRouterFree(**model_params(**overrides))


def _merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    assert chunks, "the stream yielded nothing"
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    return merged


# ---------------------------------------------------------------- answers


def test_invoke_reports_answering_model_usage_and_metadata() -> None:
    message = _model().invoke("Name one colour of the rainbow.")

    assert isinstance(message, AIMessage)
    assert isinstance(message.content, str)
    assert message.content.strip()
    metadata = message.response_metadata
    assert FREE_MODEL.removesuffix(":free") in metadata["model_name"]
    assert metadata["model_provider"] == "openrouter"
    assert metadata["finish_reason"] == "stop"
    assert metadata["id"].startswith("gen-")
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] > 0
    assert usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_stream_yields_text_deltas_then_one_final_chunk() -> None:
    chunks = list(_model().stream("Count from one to five in words."))

    text_chunks = [c for c in chunks if c.text]
    assert len(text_chunks) >= 2, "expected the answer in several deltas"
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    merged = _merge(chunks)
    assert merged.text.strip()
    assert merged.response_metadata["finish_reason"] == "stop"
    assert FREE_MODEL.removesuffix(":free") in merged.response_metadata["model_name"]
    assert merged.usage_metadata is not None
    assert merged.usage_metadata["output_tokens"] > 0


async def test_astream_yields_the_same_shape() -> None:
    chunks = [c async for c in _model().astream("Count from one to three.")]

    merged = _merge(chunks)
    assert merged.text.strip()
    assert chunks[-1].chunk_position == "last"
    assert merged.usage_metadata is not None
    assert merged.response_metadata["finish_reason"] == "stop"


async def test_ainvoke_with_stop_sequence() -> None:
    message = await _model(stop=["seven"]).ainvoke("Count from one to three.")

    assert isinstance(message, AIMessage)
    assert "seven" not in message.text


def test_reasoning_is_returned_with_its_token_count() -> None:
    model = _model(model=REASONING_MODEL, reasoning={"effort": "low"})

    message = model.invoke("Is 91 a prime number? Answer yes or no.")

    assert message.additional_kwargs["reasoning_content"].strip()
    assert message.text.strip()
    usage = message.usage_metadata
    assert usage is not None
    assert usage.get("output_token_details", {}).get("reasoning", 0) > 0


# ---------------------------------------------------------------- tools


def test_tool_call_then_tool_result_round_trip() -> None:
    forced = _model().bind_tools([get_weather], tool_choice="get_weather")

    first = forced.invoke(WEATHER_PROMPT)

    assert len(first.tool_calls) == 1
    call = first.tool_calls[0]
    assert call["name"] == "get_weather"
    assert call["args"] == {"city": "Paris"}
    assert call["id"]
    assert first.response_metadata["finish_reason"] == "tool_calls"
    history = [
        HumanMessage(WEATHER_PROMPT),
        first,
        ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"]),
    ]
    answer = _model().bind_tools([get_weather]).invoke(history)
    assert answer.tool_calls == []
    assert answer.text.strip()


def test_streamed_tool_call_merges_into_one_call() -> None:
    model = _model().bind_tools([get_weather], tool_choice="any")

    chunks = list(model.stream(WEATHER_PROMPT))

    assert any(c.tool_call_chunks for c in chunks)
    merged = _merge(chunks)
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    assert merged.response_metadata["finish_reason"] == "tool_calls"


def test_structured_output_through_a_forced_tool_call() -> None:
    extractor = _model().with_structured_output(Person, method="function_calling")

    person = extractor.invoke("Extract the person: 'Ada' is 36 years old.")

    assert person == Person(name="Ada", age=36)


# ---------------------------------------------------------------- failures


@pytest.mark.scripted
@pytest.mark.openrouter_record_errors
def test_per_minute_rate_limit_is_a_typed_error() -> None:
    with pytest.raises(OpenRouterRateLimitError) as caught:
        _model(max_retries=0).invoke(PROMPT_PER_MINUTE_LIMIT)

    error = caught.value
    assert isinstance(error, ModelRateLimitError)
    assert error.status_code == 429
    assert error.kind is RateLimitKind.PER_MINUTE
    assert error.limit == 20
    assert error.reset_at is not None
    assert "x-ratelimit-reset" in error.headers


@pytest.mark.scripted
@pytest.mark.openrouter_record_errors
@pytest.mark.vcr(allow_playback_repeats=False)
def test_daily_cap_is_not_retryable() -> None:
    sent: list[httpx.Request] = []
    client = httpx.Client(event_hooks={"request": [sent.append]})

    with pytest.raises(OpenRouterRateLimitError) as caught:
        _model(http_client=client).invoke(PROMPT_DAILY_CAP)  # default retries on

    assert len(sent) == 1, "the daily cap must not be retried"
    assert caught.value.kind is RateLimitKind.DAILY
    assert caught.value.is_retryable is False
    assert caught.value.limit == 50


@pytest.mark.scripted
@pytest.mark.openrouter_record_errors
def test_tools_unsupported_is_a_not_found_error() -> None:
    model = _model(max_retries=0).bind_tools([get_weather])

    with pytest.raises(OpenRouterNotFoundError) as caught:
        model.invoke(PROMPT_TOOLS_UNSUPPORTED)

    assert caught.value.status_code == 404
    assert "tool use" in str(caught.value)


@pytest.mark.scripted
@pytest.mark.openrouter_record_errors
@pytest.mark.vcr(allow_playback_repeats=False)
def test_server_error_is_retried_once() -> None:
    message = _model(max_retries=1).invoke(PROMPT_SERVER_ERROR_THEN_OK)

    assert message.text == "Hi, after one retry."


@pytest.mark.scripted
@pytest.mark.openrouter_record_errors
def test_mid_stream_error_keeps_the_partial_text() -> None:
    chunks: list[AIMessageChunk] = []
    stream = _model().stream(PROMPT_MID_STREAM_ERROR)

    with pytest.raises(OpenRouterError) as caught:
        chunks.extend(stream)

    received = "".join(c.text for c in chunks)
    assert received
    assert caught.value.partial_text == received
    assert "Once upon a time".startswith(received) or received.startswith("Once")


@pytest.mark.scripted
@pytest.mark.openrouter_record_errors
def test_error_inside_a_200_body_is_raised() -> None:
    with pytest.raises(OpenRouterAPIError) as caught:
        _model(max_retries=0).invoke(PROMPT_ERROR_IN_200)

    assert caught.value.status_code == 502
