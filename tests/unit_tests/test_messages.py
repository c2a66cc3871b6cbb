"""Outbound mapping: LangChain messages -> OpenRouter request ``messages``.

Roles, assistant and tool messages, and message-level errors; user content
parts and data blocks are in test_messages_multimodal.py.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_openrouter_free._messages import (
    _convert_message_to_dict,
    convert_message,
    convert_messages,
)
from tests.unit_tests._message_cases import (
    CACHE,
    PDF_B64,
    PNG_B64,
    Case,
    ErrorCase,
    _params,
)


def _call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


# --------------------------------------------------------------------------
# system / developer / user text
# --------------------------------------------------------------------------

TEXT_CASES: list[Case] = [
    ("system", SystemMessage("Be terse."), {"role": "system", "content": "Be terse."}),
    (
        "system-name",
        SystemMessage("Be terse.", name="rules"),
        {"role": "system", "content": "Be terse.", "name": "rules"},
    ),
    (
        "system-text-parts",
        SystemMessage(
            [
                "plain",
                {"type": "text", "text": "cached", "cache_control": CACHE},
                {"type": "text", "text": "v1", "id": "lc_1", "annotations": []},
            ]
        ),
        {
            "role": "system",
            "content": [
                {"type": "text", "text": "plain"},
                {"type": "text", "text": "cached", "cache_control": CACHE},
                {"type": "text", "text": "v1"},
            ],
        },
    ),
    (
        "system-as-developer",
        SystemMessage("Dev.", additional_kwargs={"__openai_role__": "developer"}),
        {"role": "developer", "content": "Dev."},
    ),
    (
        "chat-developer",
        ChatMessage(role="developer", content=[{"type": "text", "text": "Dev."}]),
        {"role": "developer", "content": [{"type": "text", "text": "Dev."}]},
    ),
    (
        "chat-system",
        ChatMessage(role="system", content="Sys."),
        {"role": "system", "content": "Sys."},
    ),
    ("human", HumanMessage("Hi"), {"role": "user", "content": "Hi"}),
    (
        "human-name-and-id-not-sent",
        HumanMessage("Hi", name="alice", id="msg-1"),
        {"role": "user", "content": "Hi", "name": "alice"},
    ),
    (
        "chat-user",
        ChatMessage(role="user", content="Hi", name="bob"),
        {"role": "user", "content": "Hi", "name": "bob"},
    ),
    (
        "chat-assistant",
        ChatMessage(role="assistant", content="Hello"),
        {"role": "assistant", "content": "Hello"},
    ),
    (
        "chat-tool",
        ChatMessage(
            role="tool", content="18C", additional_kwargs={"tool_call_id": "call_1"}
        ),
        {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
    ),
]


# --------------------------------------------------------------------------
# assistant
# --------------------------------------------------------------------------

FRAGMENTS = [
    {"type": "reasoning.text", "text": "a", "index": 0, "format": "unknown"},
    {"type": "reasoning.text", "text": "b", "index": 0, "format": "unknown"},
    {"type": "reasoning.text", "text": "", "signature": "sig", "index": 0},
]

ASSISTANT_CASES: list[Case] = [
    (
        "string",
        AIMessage("Paris.", id="run-1", response_metadata={"model_name": "m"}),
        {"role": "assistant", "content": "Paris."},
    ),
    (
        "name",
        AIMessage("Paris.", name="geo"),
        {"role": "assistant", "content": "Paris.", "name": "geo"},
    ),
    (
        "empty-without-tool-calls-stays-empty-string",
        AIMessage(""),
        {"role": "assistant", "content": ""},
    ),
    (
        "tool-calls-non-ascii-unescaped",
        AIMessage(
            "Checking.",
            tool_calls=[
                {"name": "weather", "args": {"city": "Zürich"}, "id": "call_1"},
                {"name": "time", "args": {}, "id": "call_2"},
            ],
        ),
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                _call("call_1", "weather", '{"city": "Zürich"}'),
                _call("call_2", "time", "{}"),
            ],
        },
    ),
    (
        "empty-content-with-tool-calls-is-none",
        AIMessage("", tool_calls=[{"name": "f", "args": {"x": 1}, "id": "call_1"}]),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [_call("call_1", "f", '{"x": 1}')],
        },
    ),
    (
        "invalid-tool-calls-sent-raw-after-valid",
        AIMessage(
            "",
            tool_calls=[{"name": "f", "args": {}, "id": "call_0"}],
            invalid_tool_calls=[
                {
                    "type": "invalid_tool_call",
                    "name": "g",
                    "args": '{"q": "caf',
                    "id": "call_1",
                    "error": "bad json",
                },
                {
                    "type": "invalid_tool_call",
                    "name": None,
                    "args": None,
                    "id": "call_2",
                    "error": None,
                },
            ],
        ),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                _call("call_0", "f", "{}"),
                _call("call_1", "g", '{"q": "caf'),
                _call("call_2", "", ""),
            ],
        },
    ),
    (
        "v1-content-only-text-sent",
        AIMessage(
            content_blocks=[
                {"type": "reasoning", "reasoning": "think", "id": "rs_1"},
                {"type": "text", "text": "Let me check.", "id": "lc_t"},
                {
                    "type": "tool_call",
                    "name": "f",
                    "args": {"x": 1},
                    "id": "call_1",
                },
                {
                    "type": "invalid_tool_call",
                    "name": "g",
                    "args": "{",
                    "id": "call_2",
                    "error": None,
                },
                {"type": "server_tool_call", "name": "web", "args": {}, "id": "s1"},
                {
                    "type": "server_tool_result",
                    "tool_call_id": "s1",
                    "status": "success",
                },
                {"type": "tool_call_chunk", "name": None, "args": "{", "id": None},
            ]
        ),
        {
            "role": "assistant",
            "content": "Let me check.",
            # core does not lift invalid_tool_call blocks into invalid_tool_calls
            "tool_calls": [_call("call_1", "f", '{"x": 1}')],
        },
    ),
    (
        "v1-content-without-text-and-tool-call-is-none",
        AIMessage(
            content=[
                {"type": "reasoning", "reasoning": "think"},
                {"type": "tool_call", "name": "f", "args": {}, "id": "call_1"},
            ],
            tool_calls=[{"name": "f", "args": {}, "id": "call_1"}],
        ),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [_call("call_1", "f", "{}")],
        },
    ),
    (
        "anthropic-tool-use-content-stripped",
        AIMessage(
            [
                {"type": "text", "text": "some text"},
                {"type": "tool_use", "id": "abc123", "name": "add", "input": {"a": 1}},
            ],
            tool_calls=[{"name": "add", "args": {"a": 1}, "id": "abc123"}],
        ),
        {
            "role": "assistant",
            "content": "some text",
            "tool_calls": [_call("abc123", "add", '{"a": 1}')],
        },
    ),
    (
        "text-parts-joined",
        AIMessage(["Hel", {"type": "text", "text": "lo", "annotations": []}]),
        {"role": "assistant", "content": "Hello"},
    ),
    (
        "text-parts-with-cache-control-kept-as-parts",
        AIMessage([{"type": "text", "text": "long", "cache_control": CACHE}]),
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "long", "cache_control": CACHE}],
        },
    ),
    (
        "reasoning-content-replayed-as-reasoning",
        AIMessage("4", additional_kwargs={"reasoning_content": "2+2"}),
        {"role": "assistant", "content": "4", "reasoning": "2+2"},
    ),
    (
        "reasoning-key-fallback",
        AIMessage("4", additional_kwargs={"reasoning": "2+2"}),
        {"role": "assistant", "content": "4", "reasoning": "2+2"},
    ),
    (
        "reasoning-content-wins-over-reasoning",
        AIMessage("4", additional_kwargs={"reasoning_content": "rc", "reasoning": "r"}),
        {"role": "assistant", "content": "4", "reasoning": "rc"},
    ),
    (
        "non-string-reasoning-ignored",
        AIMessage("4", additional_kwargs={"reasoning": {"effort": "high"}}),
        {"role": "assistant", "content": "4"},
    ),
    (
        "streamed-reasoning-details-merged",
        AIMessage("4", additional_kwargs={"reasoning_details": FRAGMENTS}),
        {
            "role": "assistant",
            "content": "4",
            "reasoning_details": [
                {
                    "type": "reasoning.text",
                    "text": "ab",
                    "signature": "sig",
                    "index": 0,
                    "format": "unknown",
                }
            ],
        },
    ),
    (
        "rs-ids-dropped-other-ids-kept",
        AIMessage(
            "4",
            additional_kwargs={
                "reasoning_details": [
                    {
                        "type": "reasoning.encrypted",
                        "data": "xyz",
                        "id": "rs_0a1b",
                        "format": "openai-responses-v1",
                        "index": 0,
                    },
                    {
                        "type": "reasoning.summary",
                        "summary": "s",
                        "id": "sum_1",
                        "index": 1,
                    },
                ]
            },
        ),
        {
            "role": "assistant",
            "content": "4",
            "reasoning_details": [
                {
                    "type": "reasoning.encrypted",
                    "data": "xyz",
                    "format": "openai-responses-v1",
                    "index": 0,
                },
                {
                    "type": "reasoning.summary",
                    "summary": "s",
                    "id": "sum_1",
                    "index": 1,
                },
            ],
        },
    ),
    (
        "empty-reasoning-details-omitted",
        AIMessage("4", additional_kwargs={"reasoning_details": [], "reasoning": ""}),
        {"role": "assistant", "content": "4"},
    ),
    (
        "chunk-is-an-ai-message",
        AIMessageChunk(content="Hi", id="run-2"),
        {"role": "assistant", "content": "Hi"},
    ),
]


# --------------------------------------------------------------------------
# tool results
# --------------------------------------------------------------------------

TOOL_CASES: list[Case] = [
    (
        "string-name-not-sent",
        ToolMessage('{"temp_c": 18}', tool_call_id="call_1", name="weather"),
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 18}'},
    ),
    (
        "list-text-parts",
        ToolMessage(["first", {"type": "text", "text": "second"}], tool_call_id="c"),
        {
            "role": "tool",
            "tool_call_id": "c",
            "content": [
                {"type": "text", "text": "first"},
                {"type": "text", "text": "second"},
            ],
        },
    ),
    (
        "non-part-dicts-as-json",
        ToolMessage([{"city": "Zürich", "temp": 18}], tool_call_id="c"),
        {
            "role": "tool",
            "tool_call_id": "c",
            "content": [{"type": "text", "text": '{"city": "Zürich", "temp": 18}'}],
        },
    ),
    (
        "dict-with-unknown-type-as-json",
        ToolMessage([{"type": "weather", "temp": 18}], tool_call_id="c"),
        {
            "role": "tool",
            "tool_call_id": "c",
            "content": [{"type": "text", "text": '{"type": "weather", "temp": 18}'}],
        },
    ),
    (
        "openai-image-part",
        ToolMessage(
            [
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
                }
            ],
            tool_call_id="c",
        ),
        {
            "role": "tool",
            "tool_call_id": "c",
            "content": [
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
                }
            ],
        },
    ),
    (
        "standard-image-and-pdf-blocks",
        ToolMessage(
            [
                {"type": "image", "base64": PNG_B64, "mime_type": "image/png"},
                {"type": "file", "base64": PDF_B64, "mime_type": "application/pdf"},
            ],
            tool_call_id="c",
        ),
        {
            "role": "tool",
            "tool_call_id": "c",
            "content": [
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
                },
                {
                    "type": "file",
                    "file": {
                        "filename": "document.pdf",
                        "file_data": f"data:application/pdf;base64,{PDF_B64}",
                    },
                },
            ],
        },
    ),
    (
        "empty-list-is-empty-string",
        ToolMessage([], tool_call_id="c"),
        {"role": "tool", "tool_call_id": "c", "content": ""},
    ),
]


@_params(TEXT_CASES + ASSISTANT_CASES + TOOL_CASES)
def test_convert_message(message: BaseMessage, expected: dict[str, Any]) -> None:
    before = copy.deepcopy(message)
    wire = convert_message(message)
    assert wire == expected
    # Key order of the payload is irrelevant, but the value must be JSON.
    assert json.loads(json.dumps(wire)) == expected
    # The conversion never mutates the caller's message.
    assert message == before


def test_tool_call_arguments_keep_non_ascii_verbatim() -> None:
    message = AIMessage(
        "", tool_calls=[{"name": "f", "args": {"q": "日本"}, "id": "c"}]
    )
    arguments = convert_message(message)["tool_calls"][0]["function"]["arguments"]
    assert arguments == '{"q": "日本"}'
    assert "\\u" not in arguments


def test_convert_messages_keeps_order_and_matches_single_conversion() -> None:
    history: list[BaseMessage] = [
        SystemMessage("Be terse."),
        HumanMessage("Weather in Paris?"),
        AIMessage("", tool_calls=[{"name": "weather", "args": {}, "id": "call_1"}]),
        ToolMessage("18C", tool_call_id="call_1"),
        AIMessage("18C."),
    ]
    wire = convert_messages(history)
    assert [m["role"] for m in wire] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert wire == [convert_message(m) for m in history]
    assert wire == [_convert_message_to_dict(m) for m in history]
    assert convert_messages([]) == []


def test_round_trip_of_a_parsed_tool_call_response() -> None:
    """An AIMessage shaped like the response parser's converts back to the wire."""
    # openrouter-api.md §3.4, the tool-call example's choices[0].message.
    received: dict[str, Any] = {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "reasoning": "The user wants a recipe; I should call search_recipes.\n",
        "reasoning_details": [
            {
                "type": "reasoning.text",
                "text": "The user wants a recipe; I should call search_recipes.\n",
                "format": "unknown",
                "index": 0,
            }
        ],
        "tool_calls": [
            {
                "type": "function",
                "index": 0,
                "id": "call_7b205c4c32234f3e91624804",
                "function": {
                    "name": "search_recipes",
                    "arguments": '{"query": "pad thai"}',
                },
            }
        ],
    }
    raw_call = received["tool_calls"][0]
    parsed = AIMessage(
        content="",
        id="gen-1779334358-5uErgorPN1rJbPw8AVrM",
        additional_kwargs={
            "reasoning_content": received["reasoning"],
            "reasoning_details": received["reasoning_details"],
        },
        tool_calls=[
            {
                "name": raw_call["function"]["name"],
                "args": json.loads(raw_call["function"]["arguments"]),
                "id": raw_call["id"],
                "type": "tool_call",
            }
        ],
        response_metadata={
            "model_name": "qwen/qwen3.5-35b-a3b-20260224",
            "finish_reason": "tool_calls",
            "model_provider": "openrouter",
        },
        usage_metadata={
            "input_tokens": 1077,
            "output_tokens": 66,
            "total_tokens": 1143,
        },
    )
    # openrouter-api.md §1.2: the assistant history message OpenRouter expects.
    assert convert_message(parsed) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_7b205c4c32234f3e91624804",
                "type": "function",
                "function": {
                    "name": "search_recipes",
                    "arguments": '{"query": "pad thai"}',
                },
            }
        ],
        "reasoning": "The user wants a recipe; I should call search_recipes.\n",
        "reasoning_details": received["reasoning_details"],
    }


def test_streamed_fragments_in_additional_kwargs_are_not_mutated() -> None:
    fragments = copy.deepcopy(FRAGMENTS)
    message = AIMessage("", additional_kwargs={"reasoning_details": fragments})
    convert_message(message)
    convert_message(message)
    assert fragments == FRAGMENTS


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

ERROR_CASES: list[ErrorCase] = [
    (
        "function-message",
        FunctionMessage(content="x", name="f"),
        TypeError,
        (
            r"FunctionMessage is not supported by OpenRouter's chat completions API\. "
            r"Use ToolMessage"
        ),
    ),
    (
        "remove-message",
        RemoveMessage(id="m1"),
        TypeError,
        r"RemoveMessage is not supported by OpenRouter's chat completions API",
    ),
    ("not-a-message", {"role": "user", "content": "hi"}, TypeError, r"got dict"),
    (
        "chat-role-unknown",
        ChatMessage(role="critic", content="hm"),
        ValueError,
        r"role 'critic' is not supported",
    ),
    (
        "chat-tool-without-tool-call-id",
        ChatMessage(role="tool", content="18C"),
        ValueError,
        r"tool_call_id",
    ),
    (
        "system-image-part",
        SystemMessage([{"type": "image_url", "image_url": {"url": "https://x"}}]),
        ValueError,
        r"system message content supports only text parts; got a part of type 'image_url'",
    ),
    (
        "developer-part-without-type",
        ChatMessage(role="developer", content=[{"text": "x"}]),
        ValueError,
        r"developer content part has no 'type'",
    ),
    (
        "assistant-part-without-type",
        AIMessage([{"text": "x"}]),
        ValueError,
        r"assistant content part has no 'type'",
    ),
    (
        "tool-call-without-id",
        AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": None}]),
        ValueError,
        r"Tool call 'f' has no id",
    ),
    (
        "reasoning-details-not-a-list",
        AIMessage("", additional_kwargs={"reasoning_details": "abc"}),
        TypeError,
        r"reasoning_details'\] must be a list, got str",
    ),
]


@pytest.mark.parametrize(
    ("message", "error", "match"),
    [pytest.param(m, e, p, id=name) for name, m, e, p in ERROR_CASES],
)
def test_convert_message_errors(
    message: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        convert_message(message)


def test_convert_messages_propagates_errors() -> None:
    with pytest.raises(TypeError, match="FunctionMessage"):
        convert_messages([HumanMessage("hi"), FunctionMessage(content="x", name="f")])
