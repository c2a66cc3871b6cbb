"""StreamAccumulator against real OpenRouter SSE bodies (cassettes/recorded/chat).

The ``*_SSE`` constants are response bodies copied verbatim from
/work/shared/traffic/chat/<id>.json (only repeated keep-alive comment lines
were dropped). `data_lines` does what the transport does: it skips comment
lines and hands over each ``data:`` payload, ``[DONE]`` included.
"""

from __future__ import annotations

import json

import pytest

from langchain_openrouter_free._streaming import StreamAccumulator
from langchain_openrouter_free.errors import (
    OpenRouterInvalidRequestError,
    OpenRouterRateLimitError,
    OpenRouterServerError,
    OpenRouterStreamError,
    RateLimitKind,
)
from tests.unit_tests._sse_cases import (
    BEDROCK_TOOL_SSE,
    ai,
    data_lines,
    merge,
    message,
    run,
    wire_chunk,
)

# chat/pydantic-ai-19.json, response.body (keep-alive comment lines after the first dropped)
REASONING_SSE = r""": OPENROUTER PROCESSING


data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[{"type":"reasoning.text","text":"","signature":"","format":"anthropic-claude-v1","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"This","reasoning_details":[{"type":"reasoning.text","text":"This","format":"anthropic-claude-v1","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}



data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":" is a simple arithmetic question. ","reasoning_details":[{"type":"reasoning.text","text":" is a simple arithmetic question. ","format":"anthropic-claude-v1","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"2+2 equals 4.","reasoning_details":[{"type":"reasoning.text","text":"2+2 equals 4.","format":"anthropic-claude-v1","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[{"type":"reasoning.text","text":"","format":"anthropic-claude-v1","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[{"type":"reasoning.text","signature":"Et0BCkgIChACGAIqQA2s7h7tA7IG35fbwVkou9PM2hANVJNUwcEM4q12fTRDK6y3v6YoEvJ+7bko8wnW/GLsQFXadaJPAEMCpLkhI9ISDLjFkeR1aVUIvdCtyBoMrUTovh0jwk+wpnZWIjANV3e6VVdgbGSsEyyTHO6KMmVtqqs79f9blnVdJmmMIwMyTi6bEtG59+jTU7v1zlsqQ2IKGZILOlr6adh0Aam7zYttvisys+wjyZZXU1y/Srz0nmp1cFgVOJe1BLKQI3SSRrjsqQC0uAEUZy0GX0Rq1AXjvIcYAQ==","format":"anthropic-claude-v1","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"2 ","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"+ 2 = 4","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[]},"finish_reason":"stop","native_finish_reason":"stop","logprobs":null}]}

data: {"id":"gen-1765226419-AGrwjunAftQIAgweibL8","provider":"Google","model":"anthropic/claude-sonnet-4.5","object":"chat.completion.chunk","created":1765226419,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"usage":{"prompt_tokens":43,"completion_tokens":36,"total_tokens":79,"cost":0.000669,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0,"video_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0.000129,"upstream_inference_completions_cost":0.00054},"completion_tokens_details":{"reasoning_tokens":13,"image_tokens":0}}}

data: [DONE]

"""

# chat/pydantic-ai-59.json, response.body (keep-alive comment lines after the first dropped)
EMPTY_CHOICES_USAGE_SSE = r""": OPENROUTER PROCESSING



data: {"id":"gen-1773012759-4u9w7As08eMtL75bWtu8","object":"chat.completion.chunk","created":1773012759,"model":"anthropic/claude-4.6-sonnet-20260217","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":"Hello!","role":"assistant"},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1773012759-4u9w7As08eMtL75bWtu8","object":"chat.completion.chunk","created":1773012759,"model":"anthropic/claude-4.6-sonnet-20260217","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":"","role":"assistant"},"finish_reason":"stop","native_finish_reason":"stop"}]}

data: {"id":"gen-1773012759-4u9w7As08eMtL75bWtu8","object":"chat.completion.chunk","created":1773012759,"model":"anthropic/claude-4.6-sonnet-20260217","provider":"Amazon Bedrock","choices":[],"usage":{"prompt_tokens":254,"completion_tokens":5,"total_tokens":259,"cost":0.000837,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":0,"audio_tokens":0,"video_tokens":0},"cost_details":{"upstream_inference_cost":0.000837,"upstream_inference_prompt_cost":0.000762,"upstream_inference_completions_cost":0.000075},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0,"audio_tokens":0}}}

data: [DONE]

"""

# chat/pydantic-ai-16.json, response.body (keep-alive comment lines after the first dropped)
MID_STREAM_ERROR_SSE = r""": OPENROUTER PROCESSING

















data: {"id":"gen-1762179802-UN8pkJI4AGZvryk0kFnb","provider":"Minimax","model":"minimax/minimax-m2:free","object":"chat.completion.chunk","created":1762179802,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"We need","reasoning_details":[{"type":"reasoning.text","text":"We need","index":0,"format":null}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1762179802-UN8pkJI4AGZvryk0kFnb","provider":"Minimax","model":"minimax/minimax-m2:free","object":"chat.completion.chunk","created":1762179802,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":" to respond to a greeting. The user","reasoning_details":[{"type":"reasoning.text","text":" to respond to a greeting. The user","index":0,"format":null}]},"finish_reason":"length","native_finish_reason":"length","logprobs":null}]}

data: {"id":"gen-1762179802-UN8pkJI4AGZvryk0kFnb","provider":"Minimax","model":"minimax/minimax-m2:free","object":"chat.completion.chunk","created":1762179802,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":null,"reasoning_details":[]},"finish_reason":"length","native_finish_reason":"length","logprobs":null}]}

data: {"id":"gen-1762179802-UN8pkJI4AGZvryk0kFnb","provider":"Minimax","error":{"code":400,"message":"Token limit reached"},"model":"minimax/minimax-m2:free","object":"chat.completion.chunk","created":1762179802,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"usage":{"prompt_tokens":43,"completion_tokens":10,"total_tokens":53,"cost":0,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0,"upstream_inference_completions_cost":0},"completion_tokens_details":{"reasoning_tokens":11,"image_tokens":0}}}

data: [DONE]

"""

# openrouter-api.md §4.4: the documented mid-stream error (top-level error, finish_reason error).
DOC_MID_STREAM_429_SSE = r"""data: {"id":"gen-1790412399-Tn5vW2qXo8RkLm3YbZa1","provider":"Google AI Studio","model":"google/gemma-4-31b-it:free","object":"chat.completion.chunk","created":1790412399,"choices":[{"index":0,"delta":{"role":"assistant","content":"Sure — here is the first part of the ans"},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1790412399-Tn5vW2qXo8RkLm3YbZa1","object":"chat.completion.chunk","created":1790412399,"model":"google/gemma-4-31b-it:free","provider":"Google AI Studio","error":{"code":429,"message":"google/gemma-4-31b-it:free is temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations","metadata":{"error_type":"rate_limit_exceeded","provider_code":"429"}},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":null}]}

data: [DONE]
"""


# --- text, reasoning, final chunk -------------------------------------------


def test_reasoning_stream_assembles_text_reasoning_and_one_reasoning_detail() -> None:
    acc, chunks = run(data_lines(REASONING_SSE))
    msg = message(chunks)

    assert msg.content == "2 + 2 = 4"
    assert acc.text == "2 + 2 = 4"
    assert acc.done
    assert msg.additional_kwargs["reasoning_content"] == (
        "This is a simple arithmetic question. 2+2 equals 4."
    )
    details = msg.additional_kwargs["reasoning_details"]
    assert len(details) == 1
    assert details[0]["type"] == "reasoning.text"
    assert details[0]["text"] == "This is a simple arithmetic question. 2+2 equals 4."
    assert details[0]["format"] == "anthropic-claude-v1"  # not concatenated
    assert details[0]["index"] == 0
    assert details[0]["signature"].startswith("Et0BCkgIChACGAIqQA2s7h7tA7IG")
    assert details[0]["signature"].endswith("vIcYAQ==")


def test_reasoning_stream_usage_and_metadata_only_on_the_last_chunk() -> None:
    _, chunks = run(data_lines(REASONING_SSE))

    with_usage = [c for c in chunks if ai(c).usage_metadata is not None]
    assert with_usage == [chunks[-1]]
    assert ai(chunks[-1]).chunk_position == "last"
    for chunk in chunks[:-1]:
        assert chunk.message.response_metadata == {}
        assert chunk.generation_info is None
        assert "reasoning_details" not in chunk.message.additional_kwargs
        assert ai(chunk).chunk_position is None

    msg = message(chunks)
    assert msg.usage_metadata == {
        "input_tokens": 43,
        "output_tokens": 36,
        "total_tokens": 79,
        "input_token_details": {"cache_read": 0, "audio": 0},
        "output_token_details": {"reasoning": 13},
    }
    assert msg.response_metadata == {
        "id": "gen-1765226419-AGrwjunAftQIAgweibL8",
        "model_name": "anthropic/claude-sonnet-4.5",
        "provider": "Google",
        "created": 1765226419,
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "cost": 0.000669,
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0.000129,
            "upstream_inference_completions_cost": 0.00054,
        },
        "is_byok": False,
        "model_provider": "openrouter",
    }
    assert merge(chunks).generation_info == {
        "finish_reason": "stop",
        "native_finish_reason": "stop",
    }


def test_every_chunk_carries_the_generation_id() -> None:
    _, chunks = run(data_lines(REASONING_SSE))
    assert len(chunks) > 2
    assert {c.message.id for c in chunks} == {"gen-1765226419-AGrwjunAftQIAgweibL8"}
    assert message(chunks).id == "gen-1765226419-AGrwjunAftQIAgweibL8"


def test_empty_deltas_emit_nothing() -> None:
    # Role-only / empty-content deltas carry nothing a consumer can use.
    payloads = data_lines(REASONING_SSE)
    acc = StreamAccumulator()
    assert acc.feed(payloads[0]) == []  # content "", reasoning null, details []
    emitted = acc.feed(payloads[2])
    assert len(emitted) == 1
    assert emitted[0].message.content == ""
    assert emitted[0].message.additional_kwargs == {"reasoning_content": "This"}
    assert emitted[0].text == ""


def test_done_emits_the_final_chunk_exactly_once() -> None:
    acc = StreamAccumulator()
    payloads = data_lines(EMPTY_CHOICES_USAGE_SSE)
    assert payloads[-1] == "[DONE]"
    for payload in payloads[:-1]:
        acc.feed(payload)
    assert not acc.done
    final = acc.feed("[DONE]")
    assert acc.done
    assert len(final) == 1
    assert ai(final[0]).chunk_position == "last"
    assert acc.finish() == []
    assert acc.feed("[DONE]") == []
    assert acc.feed(payloads[0]) == []


def test_blank_data_is_ignored() -> None:
    acc = StreamAccumulator()
    assert acc.feed("") == []
    assert acc.feed("   ") == []
    assert acc.text == ""


# --- usage and finish reason -------------------------------------------------


def test_usage_from_a_choices_empty_chunk() -> None:
    acc, chunks = run(data_lines(EMPTY_CHOICES_USAGE_SSE))
    msg = message(chunks)
    assert msg.content == "Hello!"
    assert msg.usage_metadata == {
        "input_tokens": 254,
        "output_tokens": 5,
        "total_tokens": 259,
        "input_token_details": {"cache_read": 0, "cache_creation": 0, "audio": 0},
        "output_token_details": {"reasoning": 0, "audio": 0},
    }
    assert acc.usage_metadata == msg.usage_metadata
    assert msg.response_metadata["finish_reason"] == "stop"
    assert msg.response_metadata["model_name"] == "anthropic/claude-4.6-sonnet-20260217"
    assert msg.response_metadata["provider"] == "Amazon Bedrock"
    assert msg.response_metadata["cost"] == 0.000837


def test_repeated_finish_chunk_with_usage_counts_once() -> None:
    # Bedrock sends the finish choice twice; the second copy carries usage.
    payloads = data_lines(BEDROCK_TOOL_SSE)
    finish_lines = [p for p in payloads if '"finish_reason":"tool_calls"' in p]
    assert len(finish_lines) == 2
    _, chunks = run(payloads)
    msg = message(chunks)
    assert msg.response_metadata["finish_reason"] == "tool_calls"
    assert msg.response_metadata["native_finish_reason"] == "tool_use"
    assert "service_tier" not in msg.response_metadata  # sent as null
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["input_tokens"] == 633
    assert msg.usage_metadata["output_tokens"] == 75
    assert msg.usage_metadata["total_tokens"] == 708
    assert [c for c in chunks if ai(c).usage_metadata] == [chunks[-1]]
    assert msg.response_metadata["cost"] == 0.001008
    assert merge(chunks).generation_info == {
        "finish_reason": "tool_calls",
        "native_finish_reason": "tool_use",
    }


def test_last_usage_wins() -> None:
    first = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    last = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    _, chunks = run(
        [
            wire_chunk({"content": "hi"}),
            wire_chunk({"content": ""}, finish_reason="stop", usage=first),
            wire_chunk(choices=[], usage=last),
            "[DONE]",
        ]
    )
    assert message(chunks).usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
    }


def test_usage_on_a_content_chunk_is_not_counted_twice() -> None:
    usage = {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}
    _, chunks = run(
        [
            wire_chunk({"content": "Hi"}),
            wire_chunk({"content": "!"}, finish_reason="stop", usage=usage),
            "[DONE]",
        ]
    )
    assert [c for c in chunks if ai(c).usage_metadata] == [chunks[-1]]
    assert message(chunks).usage_metadata == {
        "input_tokens": 7,
        "output_tokens": 2,
        "total_tokens": 9,
    }
    assert message(chunks).content == "Hi!"


def test_first_finish_reason_is_kept() -> None:
    _, chunks = run(
        [
            wire_chunk(
                {"content": "cut"},
                finish_reason="length",
                native_finish_reason="length",
            ),
            wire_chunk(
                {"content": ""}, finish_reason="stop", native_finish_reason="end_turn"
            ),
            "[DONE]",
        ]
    )
    assert merge(chunks).generation_info == {
        "finish_reason": "length",
        "native_finish_reason": "length",
    }
    assert message(chunks).response_metadata["finish_reason"] == "length"


def test_stream_without_usage_has_no_usage_metadata() -> None:
    _, chunks = run(
        [
            wire_chunk({"content": "ok"}),
            wire_chunk({"content": ""}, finish_reason="stop"),
        ]
    )
    msg = message(chunks)
    assert msg.usage_metadata is None
    assert msg.response_metadata["finish_reason"] == "stop"


def test_logprobs_accumulate_on_the_final_chunk() -> None:
    first = {"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": []}
    second = {"token": "!", "logprob": -0.2, "bytes": [33], "top_logprobs": []}
    payloads = []
    for entry, text in ((first, "Hi"), (second, "!")):
        chunk = json.loads(wire_chunk({"content": text}))
        chunk["choices"][0]["logprobs"] = {"content": [entry], "refusal": None}
        payloads.append(json.dumps(chunk))
    payloads += [wire_chunk({"content": ""}, finish_reason="stop"), "[DONE]"]
    _, chunks = run(payloads)
    assert merge(chunks).generation_info == {
        "finish_reason": "stop",
        "logprobs": {"content": [first, second]},
    }


# --- errors ------------------------------------------------------------------


def test_real_mid_stream_error_is_typed_and_keeps_usage() -> None:
    # minimax/minimax-m2:free: finish_reason "length" twice, then an error
    # chunk with code 400, finish_reason null and a usage object.
    acc = StreamAccumulator()
    *before, error_chunk, done = data_lines(MID_STREAM_ERROR_SSE)
    assert done == "[DONE]"
    emitted = [chunk for payload in before for chunk in acc.feed(payload)]
    with pytest.raises(OpenRouterInvalidRequestError) as caught:
        acc.feed(error_chunk)
    error = caught.value
    assert error.status_code == 400
    assert error.code == 400
    assert "Token limit reached" in error.message
    assert error.partial_text == ""
    assert isinstance(error.body, dict)
    assert error.body["id"] == "gen-1762179802-UN8pkJI4AGZvryk0kFnb"
    assert acc.usage_metadata is not None
    assert acc.usage_metadata["total_tokens"] == 53
    assert acc.usage_metadata["output_token_details"] == {"reasoning": 11}
    reasoning = "".join(
        c.message.additional_kwargs.get("reasoning_content", "") for c in emitted
    )
    assert reasoning == "We need to respond to a greeting. The user"
    assert not acc.done


def test_documented_mid_stream_429_is_a_rate_limit_error_with_partial_text() -> None:
    acc = StreamAccumulator()
    payloads = data_lines(DOC_MID_STREAM_429_SSE)
    emitted = acc.feed(payloads[0])
    assert emitted[0].message.content == "Sure — here is the first part of the ans"
    with pytest.raises(OpenRouterRateLimitError) as caught:
        acc.feed(payloads[1])
    error = caught.value
    assert error.status_code == 429
    assert error.partial_text == "Sure — here is the first part of the ans"
    assert error.kind is RateLimitKind.UPSTREAM
    assert error.error_type == "rate_limit_exceeded"


def test_error_chunk_is_checked_whatever_the_choices_say() -> None:
    payloads = [
        wire_chunk({"content": "partial"}),
        wire_chunk(
            {"content": ""},
            finish_reason="stop",
            error={"code": "server_error", "message": "Provider disconnected"},
        ),
    ]
    acc = StreamAccumulator()
    acc.feed(payloads[0])
    with pytest.raises(OpenRouterServerError) as caught:
        acc.feed(payloads[1])
    assert type(caught.value) is OpenRouterServerError
    assert caught.value.code == "server_error"
    assert caught.value.status_code == 502
    assert caught.value.partial_text == "partial"


def test_error_chunk_with_empty_choices_raises() -> None:
    acc = StreamAccumulator()
    with pytest.raises(OpenRouterRateLimitError) as caught:
        acc.feed(wire_chunk(choices=[], error={"code": 429, "message": "slow down"}))
    assert caught.value.partial_text == ""


def test_finish_reason_error_without_details_raises_stream_error() -> None:
    acc = StreamAccumulator()
    acc.feed(wire_chunk({"content": "half"}))
    with pytest.raises(OpenRouterStreamError) as caught:
        acc.feed(wire_chunk({"content": " an"}, finish_reason="error"))
    assert caught.value.partial_text == "half an"


def test_truncated_stream_raises_stream_error_with_partial_text() -> None:
    payloads = data_lines(REASONING_SSE)
    cut = [p for p in payloads if '"finish_reason":null' in p and '"usage"' not in p]
    acc, chunks = run(cut, finish=False)
    assert message(chunks).content == "2 + 2 = 4"
    with pytest.raises(
        OpenRouterStreamError, match="ended before completion"
    ) as caught:
        acc.finish()
    assert caught.value.partial_text == "2 + 2 = 4"
    assert caught.value.is_retryable


def test_finish_reason_without_done_is_a_complete_stream() -> None:
    payloads = data_lines(EMPTY_CHOICES_USAGE_SSE)[:-1]  # no [DONE]
    acc, chunks = run(payloads)
    assert not acc.done
    assert ai(chunks[-1]).chunk_position == "last"
    assert message(chunks).content == "Hello!"
    assert acc.finish() == []


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param('{"id":"gen-1","choices":[{"delta":{"content":"x"', id="cut-json"),
        pytest.param("<html>502 Bad Gateway</html>", id="html"),
        pytest.param("[1, 2]", id="not-an-object"),
    ],
)
def test_unparsable_data_raises_stream_error(payload: str) -> None:
    acc = StreamAccumulator()
    acc.feed(wire_chunk({"content": "so far"}))
    with pytest.raises(OpenRouterStreamError) as caught:
        acc.feed(payload)
    assert caught.value.partial_text == "so far"


# --- other extras -------------------------------------------------------------


def test_annotations_images_audio_and_refusal() -> None:
    citation = {
        "type": "url_citation",
        "url_citation": {
            "url": "https://github.com/pydantic/pydantic-ai",
            "title": "AI Agent Framework, the Pydantic way - GitHub",
            "start_index": 0,
            "end_index": 0,
        },
    }
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    payloads = [
        wire_chunk({"content": "", "annotations": [citation]}),
        wire_chunk({"content": "See", "images": [image]}),
        wire_chunk({"audio": {"id": "audio_1", "data": "AAA", "transcript": "Se"}}),
        wire_chunk({"audio": {"data": "BBB", "transcript": "e"}}),
        wire_chunk({"refusal": "I can"}),
        wire_chunk({"refusal": "not."}, finish_reason="stop"),
        "[DONE]",
    ]
    _, chunks = run(payloads)
    msg = message(chunks)
    assert msg.content == "See"
    assert msg.additional_kwargs["annotations"] == [citation]
    assert msg.additional_kwargs["images"] == [image]
    assert msg.additional_kwargs["audio"] == {
        "id": "audio_1",
        "data": "AAABBB",
        "transcript": "See",
    }
    assert msg.additional_kwargs["refusal"] == "I cannot."
    for chunk in chunks[:-1]:
        assert "annotations" not in chunk.message.additional_kwargs
