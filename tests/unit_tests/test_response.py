"""parse_chat_completion, usage_to_metadata and parse_tool_calls on real bodies.

The ``*_BODY`` constants are non-streaming response bodies copied verbatim
from /work/shared/traffic/chat/<id>.json (leading whitespace keep-alives
stripped: the transport tolerates them, this module gets parsed JSON). The
non-standard forms of openrouter-api.md §3.5 (error in a 200, ``choices:
null``, completion nested in ``provider``) have no capture there, so they are
built in the documented shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_openrouter_free._response import (
    parse_chat_completion,
    parse_tool_calls,
    usage_to_metadata,
)
from langchain_openrouter_free.errors import (
    OpenRouterAPIError,
    OpenRouterAuthenticationError,
    OpenRouterRateLimitError,
    OpenRouterServerError,
    RateLimitKind,
)

# chat/open_router_enhanced-110.json (tags: free_model, tool_calls, tool_choice, tools, usage_cost, ws_prefix)
FREE_TOOL_CALL_BODY = r"""{"id":"gen-1766949415-t0nFTwSqfVt9os6dPEvp","provider":"Xiaomi","model":"xiaomi/mimo-v2-flash:free","object":"chat.completion","created":1766949415,"choices":[{"logprobs":null,"finish_reason":"tool_calls","native_finish_reason":"tool_calls","index":0,"message":{"role":"assistant","content":"I will add 5 and 7 using the calculator.","refusal":null,"reasoning":null,"tool_calls":[{"id":"call_c3abf3d1a71c4ba19e9b7dbe","index":0,"type":"function","function":{"name":"calculator","arguments":"{\"a\": 5, \"b\": 7}"}}]}}],"usage":{"prompt_tokens":312,"completion_tokens":40,"total_tokens":352,"cost":0,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0,"video_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0,"upstream_inference_completions_cost":0},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0}}}"""

# chat/activeagent-57.json (tags: tool_calls, tools, ws_prefix)
PARALLEL_TOOL_CALLS_BODY = r"""{"id":"gen-1763571849-fMuPYD0BKShyHqTXgXvN","provider":"Google AI Studio","model":"google/gemini-2.0-flash-001","object":"chat.completion","created":1763571849,"choices":[{"logprobs":null,"finish_reason":"tool_calls","native_finish_reason":"STOP","index":0,"message":{"role":"assistant","content":"","refusal":null,"reasoning":null,"tool_calls":[{"index":0,"id":"tool_get_weather_tIDAj9UZ8o1c2mXwibMI","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"NYC\"}"}},{"index":1,"id":"tool_calculate_ltXKJIZfWAss1yWNoDSt","type":"function","function":{"name":"calculate","arguments":"{\"a\":5,\"operation\":\"add\",\"b\":3}"}}]}}],"usage":{"prompt_tokens":46,"completion_tokens":12,"total_tokens":58,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0}}}"""

# chat/ruby_llm-20.json (tags: tool_calls, tools, ws_prefix)
EMPTY_ARGS_BODY = r"""{"id":"gen-1755705225-hAr5uo4lAbhcriOicmWC","provider":"Google","model":"anthropic/claude-3.5-haiku","object":"chat.completion","created":1755705225,"choices":[{"logprobs":null,"finish_reason":"tool_calls","native_finish_reason":"tool_calls","index":0,"message":{"role":"assistant","content":"I'll roll the six-sided die 3 times for you right now.","refusal":null,"reasoning":null,"tool_calls":[{"id":"toolu_vrtx_01GLAsfqhh9z3QPcLwxLkFFS","index":0,"type":"function","function":{"name":"dice_roll","arguments":""}},{"id":"toolu_vrtx_01NBcgjojaitqdpj2Db8Ht9n","index":1,"type":"function","function":{"name":"dice_roll","arguments":""}},{"id":"toolu_vrtx_014X47WauhRtuauxC3rUDLig","index":2,"type":"function","function":{"name":"dice_roll","arguments":""}}]}}],"usage":{"prompt_tokens":352,"completion_tokens":92,"total_tokens":444}}"""

# chat/pydantic-ai-25.json (tags: body_reencoded, tool_calls, tool_choice, tools)
MISSING_ARGS_BODY = r"""{"choices":[{"finish_reason":"tool_calls","index":0,"logprobs":null,"message":{"content":"I'll search for education content for you.","reasoning":null,"refusal":null,"role":"assistant","tool_calls":[{"function":{"name":"find_education_content"},"id":"toolu_vrtx_015QAXScZzRDPttiPoc34AdD","index":0,"type":"function"}]},"native_finish_reason":"tool_calls"}],"created":1764308342,"id":"gen-1764308342-FInFdBZR9TF8jmnOwZGZ","model":"anthropic/claude-sonnet-4.5","object":"chat.completion","provider":"Google","usage":{"completion_tokens":48,"prompt_tokens":568,"total_tokens":616}}"""

# chat/open_router_enhanced-107.json (tags: finish_length, free_model, prompt_cache_usage, reasoning, usage_cost, ws_prefix)
FREE_REASONING_BODY = r"""{"id":"gen-1766949677-72CXR8M1wNVnDx3C1nJG","provider":"Parasail","model":"allenai/olmo-3.1-32b-think:free","object":"chat.completion","created":1766949677,"choices":[{"logprobs":null,"finish_reason":"length","native_finish_reason":"length","index":0,"message":{"role":"assistant","content":"","refusal":null,"reasoning":"Okay, the user just said \"Say hello\". I need to respond appropriately. Let me think about the instructions. The user is supposed to interact with Olmo, the AI assistant from Ai2. The main goal is to be helpful and friendly.\n\n","reasoning_details":[{"format":"unknown","index":0,"type":"reasoning.text","text":"Okay, the user just said \"Say hello\". I need to respond appropriately. Let me think about the instructions. The user is supposed to interact with Olmo, the AI assistant from Ai2. The main goal is to be helpful and friendly.\n\n"}]}}],"usage":{"prompt_tokens":53,"completion_tokens":50,"total_tokens":103,"cost":0,"is_byok":false,"prompt_tokens_details":{"cached_tokens":48,"audio_tokens":0,"video_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0,"upstream_inference_completions_cost":0},"completion_tokens_details":{"reasoning_tokens":58,"image_tokens":0}}}"""

# chat/activeagent-19.json (tags: annotations, file_input, plugins, ws_prefix)
FILE_ANNOTATION_BODY = r"""{"id":"gen-1761506285-tfaP15BdV8ihaFFgmDsA","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion","created":1761506285,"choices":[{"logprobs":null,"finish_reason":"stop","native_finish_reason":"stop","index":0,"message":{"role":"assistant","content":"John Doe is a Software Engineer based in San Francisco, CA. He holds a BS in Computer Science from Stanford University (2016-2020). From 2020-2024, he worked as a Senior Software Engineer at TechCorp, where he developed web applications using Ruby on Rails, led a team of five developers, and implemented CI/CD pipelines. His skill set includes Ruby, Rails, JavaScript, Python, AWS, and Docker. You can reach him via email at john.doe@example.com or phone at (555) 123-4567.","refusal":null,"reasoning":null,"annotations":[{"type":"file","file":{"hash":"a037be360bd99c8907e44d2c58a44c267c35419791fb2a3fc795ded3b628c275","content":[{"type":"text","text":"<file name=\"file\">"},{"type":"text","text":"John Doe - Software Engineer\n\nEmail: john.doe@example.com\nPhone: (555) 123-4567\nLocation: San Francisco, CA\n\nExperience:\n\nSenior Software Engineer at TechCorp (2020-2024)\n- Developed web applications using Ruby on Rails\n- Led team of 5 developers\n- Implemented CI/CD pipelines\n\nSkills:\n\nRuby, Rails, JavaScript, Python, AWS, Docker\n\nEducation:\n\nBS Computer Science, Stanford University (2016-2020)"},{"type":"text","text":"</file>"}]}}]}}],"system_fingerprint":"fp_cbf1785567","usage":{"prompt_tokens":121,"completion_tokens":114,"total_tokens":235,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"""

# chat/pydantic-ai-43.json (tags: body_reencoded, cache_control, finish_length, prompt_cache_usage, provider_routing, usage_cost)
CACHE_COST_BODY = r"""{"choices":[{"finish_reason":"length","index":0,"logprobs":null,"message":{"content":"The CAP theorem is a fundamental principle in distributed systems, stating that it's impossible for a distributed data store to simultaneously provide more than two out of three guarantees: **Consistency**, **Availability**, and **Partition Tolerance**.\n\nLet's break down each of these:\n\n1.  **Consistency (C):** In a consistent system, all clients see the same data at the same time, regardless of which node they connect to. After a write operation completes, any subsequent read operation should return","reasoning":null,"refusal":null,"role":"assistant"},"native_finish_reason":"MAX_TOKENS"}],"created":1773011493,"id":"gen-1773011493-dQNZ1wvMJgB2Ga9XKPPE","model":"google/gemini-2.5-flash","object":"chat.completion","provider":"Google AI Studio","system_fingerprint":null,"usage":{"completion_tokens":100,"completion_tokens_details":{"audio_tokens":0,"image_tokens":0,"reasoning_tokens":0},"cost":0.0004970133333333333,"cost_details":{"upstream_inference_completions_cost":0.00025,"upstream_inference_cost":0.0004970133333333333,"upstream_inference_prompt_cost":0.00024701333333333335},"is_byok":false,"prompt_tokens":2168,"prompt_tokens_details":{"audio_tokens":0,"cache_write_tokens":2161,"cached_tokens":2161,"video_tokens":0},"total_tokens":2268}}"""


def parse(raw: str) -> AIMessage:
    result = parse_chat_completion(json.loads(raw))
    assert len(result.generations) == 1
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    return message


def simple_body(**overrides: Any) -> dict[str, Any]:
    """The §3.4 free-model example body."""
    body: dict[str, Any] = {
        "id": "gen-1790401122-q8Ve2LmN0aPzKd7RtXy4",
        "provider": "Chutes",
        "model": "meta-llama/llama-3.3-70b-instruct:free",
        "object": "chat.completion",
        "created": 1790401122,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": "stop",
                "native_finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "content": "The capital of France is Paris.",
                    "refusal": None,
                    "reasoning": None,
                },
            }
        ],
        "usage": {
            "prompt_tokens": 24,
            "completion_tokens": 8,
            "total_tokens": 32,
            "cost": 0,
            "is_byok": False,
        },
    }
    body.update(overrides)
    return body


def with_message(**fields: Any) -> dict[str, Any]:
    body = simple_body()
    body["choices"][0]["message"].update(fields)
    return body


# --- ordinary answers ---------------------------------------------------------


def test_free_model_tool_call_answer() -> None:
    result = parse_chat_completion(json.loads(FREE_TOOL_CALL_BODY))
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    assert message.content == "I will add 5 and 7 using the calculator."
    assert message.tool_calls == [
        {
            "name": "calculator",
            "args": {"a": 5, "b": 7},
            "id": "call_c3abf3d1a71c4ba19e9b7dbe",
            "type": "tool_call",
        }
    ]
    assert message.invalid_tool_calls == []
    assert message.id == "gen-1766949415-t0nFTwSqfVt9os6dPEvp"
    assert message.additional_kwargs == {}  # refusal/reasoning were null
    assert message.response_metadata == {
        "id": "gen-1766949415-t0nFTwSqfVt9os6dPEvp",
        "model_name": "xiaomi/mimo-v2-flash:free",
        "provider": "Xiaomi",
        "created": 1766949415,
        "finish_reason": "tool_calls",
        "native_finish_reason": "tool_calls",
        "cost": 0,
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0,
            "upstream_inference_completions_cost": 0,
        },
        "is_byok": False,
        "model_provider": "openrouter",
    }
    assert message.usage_metadata == {
        "input_tokens": 312,
        "output_tokens": 40,
        "total_tokens": 352,
        "input_token_details": {"cache_read": 0, "audio": 0},
        "output_token_details": {"reasoning": 0},
    }
    assert result.generations[0].generation_info == {
        "finish_reason": "tool_calls",
        "native_finish_reason": "tool_calls",
    }
    assert result.llm_output == {
        "model_name": "xiaomi/mimo-v2-flash:free",
        "id": "gen-1766949415-t0nFTwSqfVt9os6dPEvp",
        "provider": "Xiaomi",
        "token_usage": json.loads(FREE_TOOL_CALL_BODY)["usage"],
    }


def test_parallel_tool_calls_with_empty_content() -> None:
    message = parse(PARALLEL_TOOL_CALLS_BODY)
    assert message.content == ""
    assert message.tool_calls == [
        {
            "name": "get_weather",
            "args": {"location": "NYC"},
            "id": "tool_get_weather_tIDAj9UZ8o1c2mXwibMI",
            "type": "tool_call",
        },
        {
            "name": "calculate",
            "args": {"a": 5, "operation": "add", "b": 3},
            "id": "tool_calculate_ltXKJIZfWAss1yWNoDSt",
            "type": "tool_call",
        },
    ]
    assert message.response_metadata["native_finish_reason"] == "STOP"
    assert message.response_metadata["provider"] == "Google AI Studio"
    assert "cost" not in message.response_metadata  # no cost in this usage


def test_empty_string_arguments_mean_empty_dict() -> None:
    message = parse(EMPTY_ARGS_BODY)
    assert [(tc["name"], tc["args"], tc["id"]) for tc in message.tool_calls] == [
        ("dice_roll", {}, "toolu_vrtx_01GLAsfqhh9z3QPcLwxLkFFS"),
        ("dice_roll", {}, "toolu_vrtx_01NBcgjojaitqdpj2Db8Ht9n"),
        ("dice_roll", {}, "toolu_vrtx_014X47WauhRtuauxC3rUDLig"),
    ]
    assert message.usage_metadata == {
        "input_tokens": 352,
        "output_tokens": 92,
        "total_tokens": 444,
    }


def test_missing_arguments_mean_empty_dict() -> None:
    message = parse(MISSING_ARGS_BODY)
    assert message.content == "I'll search for education content for you."
    assert message.tool_calls == [
        {
            "name": "find_education_content",
            "args": {},
            "id": "toolu_vrtx_015QAXScZzRDPttiPoc34AdD",
            "type": "tool_call",
        }
    ]


def test_reasoning_and_reasoning_details() -> None:
    message = parse(FREE_REASONING_BODY)
    raw = json.loads(FREE_REASONING_BODY)["choices"][0]["message"]
    assert message.content == ""
    assert message.additional_kwargs == {
        "reasoning_content": raw["reasoning"],
        "reasoning_details": raw["reasoning_details"],
    }
    assert message.response_metadata["finish_reason"] == "length"
    assert message.response_metadata["model_name"] == "allenai/olmo-3.1-32b-think:free"
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_token_details"] == {
        "cache_read": 48,
        "audio": 0,
    }
    assert message.usage_metadata["output_token_details"] == {"reasoning": 58}


def test_fragmented_reasoning_details_are_merged() -> None:
    fragments = [
        {"type": "reasoning.text", "text": "Think ", "format": "unknown", "index": 0},
        {"type": "reasoning.text", "text": "hard.", "format": "unknown", "index": 0},
    ]
    body = with_message(reasoning_content="Think hard.", reasoning_details=fragments)
    message = parse_chat_completion(body).generations[0].message
    assert message.additional_kwargs["reasoning_content"] == "Think hard."
    assert message.additional_kwargs["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "Think hard.",
            "format": "unknown",
            "index": 0,
        }
    ]


def test_file_annotations() -> None:
    message = parse(FILE_ANNOTATION_BODY)
    annotations = message.additional_kwargs["annotations"]
    assert (
        annotations
        == json.loads(FILE_ANNOTATION_BODY)["choices"][0]["message"]["annotations"]
    )
    assert annotations[0]["type"] == "file"
    assert message.response_metadata["system_fingerprint"] == "fp_cbf1785567"


def test_cost_and_prompt_cache_usage() -> None:
    message = parse(CACHE_COST_BODY)
    assert message.usage_metadata == {
        "input_tokens": 2168,
        "output_tokens": 100,
        "total_tokens": 2268,
        "input_token_details": {"cache_read": 2161, "cache_creation": 2161, "audio": 0},
        "output_token_details": {"reasoning": 0, "audio": 0},
    }
    metadata = message.response_metadata
    assert metadata["cost"] == 0.0004970133333333333
    assert metadata["cost_details"]["upstream_inference_prompt_cost"] == (
        0.00024701333333333335
    )
    assert metadata["is_byok"] is False
    assert metadata["native_finish_reason"] == "MAX_TOKENS"
    assert "system_fingerprint" not in metadata  # sent as null
    assert isinstance(message.content, str)
    assert message.content.startswith("The CAP theorem")


def test_refusal_images_audio_and_logprobs() -> None:
    logprobs = {"content": [{"token": "No", "logprob": -0.01, "bytes": [78, 111]}]}
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    audio = {"id": "audio_1", "data": "UklGR", "transcript": "No."}
    body = with_message(
        content=None, refusal="I can't help with that.", images=[image], audio=audio
    )
    body["choices"][0]["logprobs"] = logprobs
    result = parse_chat_completion(body)
    message = result.generations[0].message
    assert message.content == ""
    assert message.additional_kwargs == {
        "refusal": "I can't help with that.",
        "images": [image],
        "audio": audio,
    }
    assert message.response_metadata["logprobs"] == logprobs
    assert result.generations[0].generation_info == {
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "logprobs": logprobs,
    }


def test_empty_refusal_and_annotations_are_left_out() -> None:
    body = with_message(refusal="", annotations=[], reasoning="")
    message = parse_chat_completion(body).generations[0].message
    assert message.additional_kwargs == {}


def test_service_tier_and_missing_native_finish_reason() -> None:
    body = simple_body(service_tier="default")
    del body["choices"][0]["native_finish_reason"]
    result = parse_chat_completion(body)
    metadata = result.generations[0].message.response_metadata
    assert metadata["service_tier"] == "default"
    assert "native_finish_reason" not in metadata
    assert result.generations[0].generation_info == {"finish_reason": "stop"}


def test_content_parts_are_joined_to_text() -> None:
    body = with_message(
        content=[{"type": "text", "text": "Par"}, {"type": "text", "text": "is."}]
    )
    assert parse_chat_completion(body).generations[0].message.content == "Paris."


def test_no_usage() -> None:
    body = simple_body()
    del body["usage"]
    result = parse_chat_completion(body)
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    assert message.usage_metadata is None
    assert "cost" not in message.response_metadata
    assert result.llm_output is not None
    assert result.llm_output["token_usage"] == {}


# --- non-standard bodies (§3.5) ----------------------------------------------


def test_error_inside_a_200_is_typed_by_code() -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day",
            "metadata": {
                "headers": {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0"}
            },
        },
        "user_id": "user_2abc",
    }
    with pytest.raises(OpenRouterRateLimitError) as caught:
        parse_chat_completion(body)
    assert caught.value.status_code == 429
    assert caught.value.kind is RateLimitKind.DAILY
    assert caught.value.body == body


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (401, OpenRouterAuthenticationError),
        (502, OpenRouterServerError),
        ("server_error", OpenRouterServerError),
    ],
)
def test_error_body_with_null_completion_fields(
    code: object, expected: type[OpenRouterAPIError]
) -> None:
    body = {
        "id": None,
        "choices": None,
        "model": None,
        "error": {"code": code, "message": "Upstream failure"},
    }
    with pytest.raises(expected) as caught:
        parse_chat_completion(body)
    assert type(caught.value) is expected
    assert "Upstream failure" in caught.value.message


@pytest.mark.parametrize(
    "choices",
    [
        pytest.param(None, id="null"),
        pytest.param([], id="empty"),
        pytest.param("missing", id="missing"),
    ],
)
def test_no_choices_is_a_retryable_server_error(choices: object) -> None:
    body = simple_body(choices=choices)
    if choices == "missing":
        del body["choices"]
    with pytest.raises(OpenRouterServerError, match="no choices") as caught:
        parse_chat_completion(body)
    assert type(caught.value) is OpenRouterServerError
    assert caught.value.is_retryable
    assert caught.value.body == body


def test_not_an_object_body() -> None:
    with pytest.raises(OpenRouterServerError):
        parse_chat_completion(["not", "an", "object"])


def test_completion_nested_inside_provider_is_unwrapped() -> None:
    inner = simple_body(provider="Google", model="google/gemma-3-27b-it:free")
    body = {"id": None, "choices": None, "model": None, "provider": inner}
    result = parse_chat_completion(body)
    message = result.generations[0].message
    assert message.content == "The capital of France is Paris."
    assert message.id == "gen-1790401122-q8Ve2LmN0aPzKd7RtXy4"
    assert message.response_metadata["model_name"] == "google/gemma-3-27b-it:free"
    assert message.response_metadata["provider"] == "Google"
    assert result.llm_output is not None
    assert result.llm_output["provider"] == "Google"


def test_nested_provider_without_choices_is_no_choices() -> None:
    body = {"id": None, "choices": None, "provider": {"name": "Google"}}
    with pytest.raises(OpenRouterServerError, match="no choices"):
        parse_chat_completion(body)


def test_choice_error_after_partial_output() -> None:
    body = with_message(content="The capital of Fra")
    body["choices"][0]["finish_reason"] = "error"
    body["choices"][0]["error"] = {
        "code": 429,
        "message": "Provider returned error",
        "metadata": {"provider_name": "Chutes", "raw": "rate limited upstream"},
    }
    with pytest.raises(OpenRouterRateLimitError) as caught:
        parse_chat_completion(body)
    assert caught.value.partial_text == "The capital of Fra"
    assert caught.value.provider_name == "Chutes"


def test_choice_error_with_5xx_code() -> None:
    body = with_message(content="partial")
    body["choices"][0]["finish_reason"] = "error"
    body["choices"][0]["error"] = {"code": 502, "message": "Provider disconnected"}
    with pytest.raises(OpenRouterServerError) as caught:
        parse_chat_completion(body)
    assert caught.value.status_code == 502
    assert caught.value.partial_text == "partial"


def test_finish_reason_error_without_details() -> None:
    body = with_message(content="half")
    body["choices"][0]["finish_reason"] = "error"
    with pytest.raises(OpenRouterServerError) as caught:
        parse_chat_completion(body)
    assert caught.value.partial_text == "half"


# --- usage_to_metadata ---------------------------------------------------------

USAGE_TABLE = [
    pytest.param(
        {"prompt_tokens": 24, "completion_tokens": 8, "total_tokens": 32},
        {"input_tokens": 24, "output_tokens": 8, "total_tokens": 32},
        id="counts-only",
    ),
    pytest.param(
        {"prompt_tokens": 24.0, "completion_tokens": 7.6, "total_tokens": 31.6},
        {"input_tokens": 24, "output_tokens": 8, "total_tokens": 32},
        id="floats",
    ),
    pytest.param(
        {"prompt_tokens": 10, "completion_tokens": 5},
        {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
        id="total-defaults-to-sum",
    ),
    pytest.param(
        {"input_tokens": 3, "output_tokens": 4},
        {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
        id="input-output-names",
    ),
    pytest.param(
        {
            "prompt_tokens": 2168,
            "completion_tokens": 100,
            "total_tokens": 2268,
            "prompt_tokens_details": {
                "cached_tokens": 2161,
                "cache_write_tokens": 7,
                "audio_tokens": 0,
                "video_tokens": 0,
            },
            "completion_tokens_details": {
                "reasoning_tokens": 12,
                "image_tokens": 0,
                "audio_tokens": 3,
                "accepted_prediction_tokens": None,
            },
        },
        {
            "input_tokens": 2168,
            "output_tokens": 100,
            "total_tokens": 2268,
            "input_token_details": {
                "cache_read": 2161,
                "cache_creation": 7,
                "audio": 0,
            },
            "output_token_details": {"reasoning": 12, "audio": 3},
        },
        id="all-details",
    ),
    pytest.param(
        {
            "prompt_tokens": 5,
            "completion_tokens": 1,
            "total_tokens": 6,
            "prompt_tokens_details": None,
            "completion_tokens_details": None,
        },
        {"input_tokens": 5, "output_tokens": 1, "total_tokens": 6},
        id="null-details",
    ),
    pytest.param(
        {
            "prompt_tokens": 5,
            "completion_tokens": 1,
            "total_tokens": 6,
            "prompt_tokens_details": {"cached_tokens": None},
            "completion_tokens_details": {"image_tokens": 0},
        },
        {"input_tokens": 5, "output_tokens": 1, "total_tokens": 6},
        id="details-without-mapped-counts",
    ),
    pytest.param(
        {"prompt_tokens": 5, "completion_tokens": 1, "cache_write_tokens": 4.0},
        {
            "input_tokens": 5,
            "output_tokens": 1,
            "total_tokens": 6,
            "input_token_details": {"cache_creation": 4},
        },
        id="top-level-cache-write",
    ),
    pytest.param(
        {"prompt_tokens": None, "completion_tokens": True, "total_tokens": None},
        {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0},
        id="junk-counts",
    ),
]


@pytest.mark.parametrize(("usage", "expected"), USAGE_TABLE)
def test_usage_to_metadata(usage: dict[str, Any], expected: dict[str, Any]) -> None:
    metadata = usage_to_metadata(usage)
    assert metadata == expected
    counts = (
        metadata["input_tokens"],
        metadata["output_tokens"],
        metadata["total_tokens"],
    )
    assert all(type(count) is int for count in counts)


# --- parse_tool_calls -----------------------------------------------------------


def call(
    name: str | None = "f", arguments: object = "{}", **extra: object
) -> dict[str, object]:
    function: dict[str, object] = {"arguments": arguments}
    if name is not None:
        function["name"] = name
    return {"type": "function", "function": function, **extra}


def test_invalid_json_arguments_become_invalid_tool_calls() -> None:
    calls, invalid = parse_tool_calls(
        [
            call("ok", '{"a": 1}', id="call_ok", index=0),
            call("broken", '{"a": 1', id="call_bad", index=1),
        ]
    )
    assert calls == [
        {"name": "ok", "args": {"a": 1}, "id": "call_ok", "type": "tool_call"}
    ]
    assert len(invalid) == 1
    assert invalid[0]["name"] == "broken"
    assert invalid[0]["args"] == '{"a": 1'
    assert invalid[0]["id"] == "call_bad"
    assert invalid[0]["error"] is not None
    assert "not valid JSON" in invalid[0]["error"]


@pytest.mark.parametrize(
    ("arguments", "kind"),
    [("[1, 2]", "list"), ("null", "NoneType"), ('"x"', "str"), ("3", "int")],
)
def test_non_object_json_arguments_are_invalid(arguments: str, kind: str) -> None:
    calls, invalid = parse_tool_calls([call("f", arguments, id="c1")])
    assert calls == []
    assert invalid[0]["args"] == arguments
    assert invalid[0]["error"] is not None
    assert kind in invalid[0]["error"]


def test_non_string_arguments() -> None:
    calls, invalid = parse_tool_calls(
        [call("dict_args", {"a": 1}, id="c1"), call("list_args", [1], id="c2")]
    )
    assert calls == [
        {"name": "dict_args", "args": {"a": 1}, "id": "c1", "type": "tool_call"}
    ]
    assert invalid[0]["args"] == "[1]"
    assert invalid[0]["error"] is not None


@pytest.mark.parametrize("arguments", ["", "  ", None])
def test_empty_arguments_are_empty_dict(arguments: object) -> None:
    calls, invalid = parse_tool_calls([call("f", arguments, id="c1")])
    assert calls == [{"name": "f", "args": {}, "id": "c1", "type": "tool_call"}]
    assert invalid == []


def test_control_characters_inside_strings_are_accepted() -> None:
    calls, _ = parse_tool_calls([call("f", '{"text": "line1\nline2"}', id="c1")])
    assert calls[0]["args"] == {"text": "line1\nline2"}


def test_missing_empty_and_duplicate_ids_are_repaired_deterministically() -> None:
    raw = [
        call("a", id="", index=0),
        call("b", index=1),
        call("c", id="call_same", index=2),
        call("d", id="call_same", index=3),
        call("e", id="call_x"),  # no index: position 4
    ]
    calls, invalid = parse_tool_calls(raw)
    assert invalid == []
    assert [tc["id"] for tc in calls] == [
        "call_0",
        "call_1",
        "call_same",
        "call_3",
        "call_x",
    ]
    assert parse_tool_calls(raw) == (calls, invalid)


def test_position_is_used_when_index_is_missing_and_collisions_get_a_suffix() -> None:
    raw = [call("a", id="call_1"), call("b"), call("c", index=1)]
    calls, _ = parse_tool_calls(raw)
    assert [tc["id"] for tc in calls] == ["call_1", "call_1_1", "call_1_2"]


def test_missing_name_is_an_invalid_tool_call() -> None:
    calls, invalid = parse_tool_calls([call(None, '{"a": 1}', id="c1"), "junk"])  # type: ignore[list-item]
    assert calls == []
    assert invalid == [
        {
            "name": None,
            "args": '{"a": 1}',
            "id": "c1",
            "error": "tool call has no function name",
            "type": "invalid_tool_call",
        }
    ]


def test_invalid_tool_call_in_a_body() -> None:
    body = with_message(
        content=None,
        tool_calls=[call("lookup", '{"q": "pad thai"', id="", index=0)],
    )
    message = parse_chat_completion(body).generations[0].message
    assert isinstance(message, AIMessage)
    assert message.tool_calls == []
    assert [(c["name"], c["id"], c["args"]) for c in message.invalid_tool_calls] == [
        ("lookup", "call_0", '{"q": "pad thai"')
    ]


def test_citations_and_server_tool_usage_are_kept() -> None:
    """Top-level ``citations`` (web-search models) and server-tool usage survive."""
    recorded = Path(__file__).resolve().parents[2] / "cassettes" / "recorded" / "chat"
    body = json.loads(
        json.loads((recorded / "activeagent-74.json").read_text())["response"]["body"]
    )
    message = parse_chat_completion(body).generations[0].message
    assert message.response_metadata["citations"] == body["citations"]
    assert len(body["citations"]) > 0

    usage = {
        "prompt_tokens": 5,
        "completion_tokens": 2,
        "total_tokens": 7,
        "server_tool_use_details": {"web_search_requests": 1},
    }
    body = {
        "id": "gen-1",
        "model": "m:free",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "x"},
            }
        ],
        "usage": usage,
    }
    meta = parse_chat_completion(body).generations[0].message.response_metadata
    assert meta["server_tool_use_details"] == {"web_search_requests": 1}
