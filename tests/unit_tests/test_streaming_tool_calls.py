"""StreamAccumulator tool-call assembly against real OpenRouter SSE bodies.

The ``*_SSE`` constants are response bodies copied verbatim from
/work/shared/traffic/chat/<id>.json (only repeated keep-alive comment lines
were dropped). `data_lines` does what the transport does: it skips comment
lines and hands over each ``data:`` payload, ``[DONE]`` included.
"""

from __future__ import annotations

import pytest

from tests.unit_tests._sse_cases import (
    BEDROCK_TOOL_SSE,
    ai,
    data_lines,
    message,
    run,
    wire_chunk,
)

# chat/activeagent-67.json, response.body (keep-alive comment lines after the first dropped)
GEMINI_WHOLE_CALL_SSE = r""": OPENROUTER PROCESSING

data: {"id":"gen-1761505595-4Kw8Do5GsouLWLb7z64J","provider":"Google","model":"google/gemini-2.0-flash-001","object":"chat.completion.chunk","created":1761505595,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"tool_0_get_current_weather_PWzyW2sI3uKsGniIxpGn","type":"function","function":{"name":"get_current_weather","arguments":"{\"location\":\"Boston, MA\"}"}}]},"finish_reason":"tool_calls","native_finish_reason":"STOP","logprobs":null}]}

data: {"id":"gen-1761505595-4Kw8Do5GsouLWLb7z64J","provider":"Google","model":"google/gemini-2.0-flash-001","object":"chat.completion.chunk","created":1761505595,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"usage":{"prompt_tokens":45,"completion_tokens":9,"total_tokens":54,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0}}}

data: [DONE]

"""

# chat/llm-openrouter-9.json, response.body (keep-alive comment lines after the first dropped)
OPENAI_EMPTY_ARGS_SSE = r""": OPENROUTER PROCESSING

data: {"id":"gen-1754441566-QNLn11ywo16tGzus0Wix","provider":"OpenAI","model":"openai/gpt-4.1-mini","object":"chat.completion.chunk","created":1754441566,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_o4OCgtJrNoZTmoCRvmlfoHfj","type":"function","function":{"name":"llm_version","arguments":""}}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"system_fingerprint":"fp_6f2eabb9a5"}

data: {"id":"gen-1754441566-QNLn11ywo16tGzus0Wix","provider":"OpenAI","model":"openai/gpt-4.1-mini","object":"chat.completion.chunk","created":1754441566,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"function":{"arguments":"{}"},"type":"function"}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"system_fingerprint":"fp_6f2eabb9a5"}

data: {"id":"gen-1754441566-QNLn11ywo16tGzus0Wix","provider":"OpenAI","model":"openai/gpt-4.1-mini","object":"chat.completion.chunk","created":1754441566,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"tool_calls","native_finish_reason":"tool_calls","logprobs":null}],"system_fingerprint":"fp_6f2eabb9a5"}

data: {"id":"gen-1754441566-QNLn11ywo16tGzus0Wix","provider":"OpenAI","model":"openai/gpt-4.1-mini","object":"chat.completion.chunk","created":1754441566,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}],"usage":{"prompt_tokens":48,"completion_tokens":11,"total_tokens":59,"cost":0.0000368,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0},"cost_details":{"upstream_inference_cost":null},"completion_tokens_details":{"reasoning_tokens":0}}}

data: [DONE]

"""

# openrouter-api.md §4.3: the documented shape (comments, tool-call deltas, choices: [] usage).
DOC_TOOL_SSE = r""": OPENROUTER PROCESSING

: OPENROUTER PROCESSING

data: {"id":"gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R","provider":"Chutes","model":"qwen/qwen3-coder:free","object":"chat.completion.chunk","created":1790412345,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"User wants weather; call the tool.","reasoning_details":[{"type":"reasoning.text","text":"User wants weather; call the tool.","format":"unknown","index":0}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R","provider":"Chutes","model":"qwen/qwen3-coder:free","object":"chat.completion.chunk","created":1790412345,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_5f1c9e2a7d4b","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R","provider":"Chutes","model":"qwen/qwen3-coder:free","object":"chat.completion.chunk","created":1790412345,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": "}}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R","provider":"Chutes","model":"qwen/qwen3-coder:free","object":"chat.completion.chunk","created":1790412345,"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R","provider":"Chutes","model":"qwen/qwen3-coder:free","object":"chat.completion.chunk","created":1790412345,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"tool_calls","native_finish_reason":"tool_calls","logprobs":null}]}

data: {"id":"gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R","provider":"Chutes","model":"qwen/qwen3-coder:free","object":"chat.completion.chunk","created":1790412345,"choices":[],"usage":{"prompt_tokens":212,"completion_tokens":31,"total_tokens":243,"cost":0,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0,"upstream_inference_completions_cost":0},"completion_tokens_details":{"reasoning_tokens":9,"image_tokens":0}}}

data: [DONE]
"""


def tool_delta(**fragment: object) -> dict[str, object]:
    return {"tool_calls": [fragment]}


FINISH_TOOL_CALLS = wire_chunk(
    {"content": ""}, finish_reason="tool_calls", native_finish_reason="tool_calls"
)


# --- tool calls ---------------------------------------------------------------


def test_bedrock_tool_call_fragments_merge_into_one_call() -> None:
    _, chunks = run(data_lines(BEDROCK_TOOL_SSE))
    msg = message(chunks)
    assert msg.tool_calls == [
        {
            "name": "weather",
            "args": {"latitude": "52.5200", "longitude": "13.4050"},
            "id": "toolu_bdrk_01FnJwNhnbF7UbXLQGHJ5dda",
            "type": "tool_call",
        }
    ]
    assert msg.invalid_tool_calls == []
    fragments = [tc for c in chunks for tc in ai(c).tool_call_chunks]
    assert [f["name"] for f in fragments if f["name"]] == ["weather"]
    assert [f["id"] for f in fragments if f["id"]] == [
        "toolu_bdrk_01FnJwNhnbF7UbXLQGHJ5dda"
    ]
    assert {f["index"] for f in fragments} == {0}


def test_whole_call_in_one_chunk_with_finish_reason() -> None:
    _, chunks = run(data_lines(GEMINI_WHOLE_CALL_SSE))
    msg = message(chunks)
    assert msg.tool_calls == [
        {
            "name": "get_current_weather",
            "args": {"location": "Boston, MA"},
            "id": "tool_0_get_current_weather_PWzyW2sI3uKsGniIxpGn",
            "type": "tool_call",
        }
    ]
    assert msg.response_metadata["finish_reason"] == "tool_calls"
    assert msg.response_metadata["native_finish_reason"] == "STOP"
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["total_tokens"] == 54


def test_documented_tool_stream() -> None:
    acc, chunks = run(data_lines(DOC_TOOL_SSE))
    msg = message(chunks)
    assert msg.tool_calls == [
        {
            "name": "get_weather",
            "args": {"city": "Paris"},
            "id": "call_5f1c9e2a7d4b",
            "type": "tool_call",
        }
    ]
    assert msg.additional_kwargs["reasoning_content"] == (
        "User wants weather; call the tool."
    )
    assert msg.additional_kwargs["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "User wants weather; call the tool.",
            "format": "unknown",
            "index": 0,
        }
    ]
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["output_token_details"] == {"reasoning": 9}
    assert acc.text == ""


def test_empty_then_braces_arguments() -> None:
    # gpt-4.1-mini: arguments "" on the first fragment, "{}" next (with a
    # repeated "type" field), usage on a later chunk with finish_reason null.
    _, chunks = run(data_lines(OPENAI_EMPTY_ARGS_SSE))
    msg = message(chunks)
    assert msg.tool_calls == [
        {
            "name": "llm_version",
            "args": {},
            "id": "call_o4OCgtJrNoZTmoCRvmlfoHfj",
            "type": "tool_call",
        }
    ]
    assert msg.response_metadata["system_fingerprint"] == "fp_6f2eabb9a5"
    assert msg.response_metadata["cost"] == 0.0000368


def test_empty_total_arguments_mean_empty_dict() -> None:
    # A no-argument tool on Bedrock: the only argument text ever sent is "".
    first = data_lines(BEDROCK_TOOL_SSE)[0]
    payloads = [
        first,
        wire_chunk(tool_delta(index=0, function={"arguments": ""})),
        FINISH_TOOL_CALLS,
        "[DONE]",
    ]
    _, chunks = run(payloads)
    msg = message(chunks)
    assert msg.tool_calls == [
        {
            "name": "weather",
            "args": {},
            "id": "toolu_bdrk_01FnJwNhnbF7UbXLQGHJ5dda",
            "type": "tool_call",
        }
    ]
    assert msg.invalid_tool_calls == []


PARALLEL_IDS = [
    pytest.param(("", None), ("call_0", "call_1"), id="empty-and-missing"),
    pytest.param(("call_dup", "call_dup"), ("call_dup", "call_1"), id="duplicate"),
    pytest.param(("call_a", "call_b"), ("call_a", "call_b"), id="distinct"),
]


@pytest.mark.parametrize(("wire_ids", "expected_ids"), PARALLEL_IDS)
def test_parallel_tool_calls_get_unique_deterministic_ids(
    wire_ids: tuple[str | None, str | None], expected_ids: tuple[str, str]
) -> None:
    def opening(index: int, name: str) -> str:
        fragment: dict[str, object] = {
            "index": index,
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        if wire_ids[index] is not None:
            fragment["id"] = wire_ids[index]
        return wire_chunk(tool_delta(**fragment))

    payloads = [
        opening(0, "get_weather"),
        opening(1, "get_time"),
        wire_chunk(tool_delta(index=0, function={"arguments": '{"city": '})),
        wire_chunk(tool_delta(index=1, function={"arguments": '{"tz": "UTC"}'})),
        wire_chunk(tool_delta(index=0, function={"arguments": '"Paris"}'})),
        FINISH_TOOL_CALLS,
        "[DONE]",
    ]
    _, chunks = run(payloads)
    assert message(chunks).tool_calls == [
        {
            "name": "get_weather",
            "args": {"city": "Paris"},
            "id": expected_ids[0],
            "type": "tool_call",
        },
        {
            "name": "get_time",
            "args": {"tz": "UTC"},
            "id": expected_ids[1],
            "type": "tool_call",
        },
    ]
    # Replaying the same wire data gives the same ids (cassettes must replay).
    _, again = run(payloads)
    assert message(again).tool_calls == message(chunks).tool_calls


def test_fragment_without_index_continues_the_last_open_call() -> None:
    payloads = [
        wire_chunk(
            tool_delta(
                index=0,
                id="call_x",
                type="function",
                function={"name": "search", "arguments": '{"q": '},
            )
        ),
        wire_chunk(tool_delta(function={"arguments": '"pad thai"}'})),
        FINISH_TOOL_CALLS,
    ]
    _, chunks = run(payloads)
    assert message(chunks).tool_calls == [
        {
            "name": "search",
            "args": {"q": "pad thai"},
            "id": "call_x",
            "type": "tool_call",
        }
    ]


def test_calls_without_index_and_with_new_ids_stay_separate() -> None:
    whole = [
        tool_delta(
            id=f"call_{name}",
            type="function",
            function={"name": name, "arguments": '{"n": 1}'},
        )
        for name in ("alpha", "beta")
    ]
    _, chunks = run([wire_chunk(d) for d in whole] + [FINISH_TOOL_CALLS])
    assert [(tc["name"], tc["id"]) for tc in message(chunks).tool_calls] == [
        ("alpha", "call_alpha"),
        ("beta", "call_beta"),
    ]


def test_parallel_calls_all_numbered_zero_stay_separate() -> None:
    whole = [
        tool_delta(
            index=0,
            id=f"tool_{name}_x",
            type="function",
            function={"name": name, "arguments": '{"a": 1}'},
        )
        for name in ("get_weather", "calculate")
    ]
    _, chunks = run([wire_chunk(d) for d in whole] + [FINISH_TOOL_CALLS])
    msg = message(chunks)
    assert [(tc["name"], tc["id"], tc["args"]) for tc in msg.tool_calls] == [
        ("get_weather", "tool_get_weather_x", {"a": 1}),
        ("calculate", "tool_calculate_x", {"a": 1}),
    ]


def test_interleaved_fragments_of_two_calls_at_one_index_keep_their_arguments() -> None:
    def piece(
        call_id: str, arguments: str, name: str | None = None
    ) -> dict[str, object]:
        function = {"arguments": arguments} | ({"name": name} if name else {})
        return tool_delta(index=0, id=call_id, type="function", function=function)

    deltas = [
        piece("call_w", '{"city": ', "get_weather"),
        piece("call_c", '{"expr": ', "calculate"),
        piece("call_w", '"Paris"}'),
        piece("call_c", '"2+2"}'),
    ]
    _, chunks = run([wire_chunk(d) for d in deltas] + [FINISH_TOOL_CALLS])
    msg = message(chunks)
    assert [(tc["name"], tc["id"], tc["args"]) for tc in msg.tool_calls] == [
        ("get_weather", "call_w", {"city": "Paris"}),
        ("calculate", "call_c", {"expr": "2+2"}),
    ]
    assert msg.invalid_tool_calls == []


def test_id_and_name_repeated_on_every_fragment_are_sent_once() -> None:
    def fragment(arguments: str) -> str:
        return wire_chunk(
            tool_delta(
                index=0,
                id="call_r",
                type="function",
                function={"name": "lookup", "arguments": arguments},
            )
        )

    _, chunks = run([fragment('{"k"'), fragment(': "v"}'), FINISH_TOOL_CALLS])
    assert message(chunks).tool_calls == [
        {"name": "lookup", "args": {"k": "v"}, "id": "call_r", "type": "tool_call"}
    ]


def test_trailing_whitespace_fragments_after_complete_json_are_harmless() -> None:
    payloads = [
        wire_chunk(
            tool_delta(
                index=0,
                id="call_w",
                type="function",
                function={"name": "echo", "arguments": '{"x": [1, 2]}'},
            )
        ),
        wire_chunk(tool_delta(index=0, function={"arguments": " "})),
        wire_chunk(tool_delta(index=0, function={"arguments": "\n"})),
        FINISH_TOOL_CALLS,
        "[DONE]",
    ]
    _, chunks = run(payloads)
    msg = message(chunks)
    assert msg.tool_calls == [
        {"name": "echo", "args": {"x": [1, 2]}, "id": "call_w", "type": "tool_call"}
    ]
    assert msg.invalid_tool_calls == []


def test_dict_arguments_in_a_delta_are_serialised() -> None:
    payloads = [
        wire_chunk(
            tool_delta(
                index=0,
                id="call_d",
                type="function",
                function={"name": "f", "arguments": {"a": 1}},
            )
        ),
        FINISH_TOOL_CALLS,
    ]
    _, chunks = run(payloads)
    assert message(chunks).tool_calls[0]["args"] == {"a": 1}
