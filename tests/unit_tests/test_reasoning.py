"""Reasoning over real wire bytes: the request field, reasoning text and
``reasoning_details`` on the answer (v0 and v1 content), and the replay of
both on the next turn of a tool loop.
"""

from __future__ import annotations

import json
from functools import reduce
from operator import add
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_openrouter_free.errors import OpenRouterEmptyAnswerError
from tests._repo_data import RECORDED_DIR
from tests.unit_tests._wire import (
    completion_body,
    delta_chunk,
    make_model,
    ok,
    run,
    sse,
    usage_chunk,
)

SIGNATURE = "EqQBCkgIBxABGAIiQL8mZ0fM1y0Gq3bQx5s2pA=="
THOUGHTS = ["The user wants ", "the weather in Paris; ", "call get_weather."]


def answer(mode: str, model: Any, value: Any, *, streamed: bool, **kw: Any) -> Any:
    """The message of one call: invoked, or streamed and merged."""
    if not streamed:
        return run(
            mode, lambda: model.invoke(value, **kw), lambda: model.ainvoke(value, **kw)
        )

    async def collect() -> list[Any]:
        return [chunk async for chunk in model.astream(value, **kw)]

    parts = run(mode, lambda: list(model.stream(value, **kw)), collect)
    return reduce(add, parts)


# --- the request ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reasoning",
    [
        {"effort": "high"},
        {"effort": "minimal", "exclude": True},
        {"max_tokens": 2048},
        {"enabled": True},
        {"enabled": False},
        {"effort": "low", "summary": "concise"},
        {"effort": "medium", "future_option": 1},
    ],
)
def test_reasoning_field_and_per_call_option_reach_the_request(
    mode: str, reasoning: dict[str, Any]
) -> None:
    model, recorder = make_model(
        [ok(completion_body()) for _ in range(3)], reasoning=reasoning
    )
    run(mode, lambda: model.invoke("hi"), lambda: model.ainvoke("hi"))
    per_call = {"max_tokens": 64, "exclude": False}
    run(
        mode,
        lambda: model.invoke("hi", reasoning=per_call),
        lambda: model.ainvoke("hi", reasoning=per_call),
    )
    bound = model.bind(reasoning={"effort": "none"})
    run(mode, lambda: bound.invoke("hi"), lambda: bound.ainvoke("hi"))
    field, call, binding = (body["reasoning"] for body in recorder.bodies)
    assert field == reasoning
    assert call == per_call  # a per-call value replaces the field, never merges
    assert binding == {"effort": "none"}


def test_no_reasoning_key_unless_asked() -> None:
    model, recorder = make_model([ok(completion_body())])
    model.invoke("hi")
    assert "reasoning" not in recorder.bodies[0]


# --- the answer -------------------------------------------------------------------------


def reasoning_stream(*, content: str = "Sunny.", tool_calls: bool = False) -> list[Any]:
    """Reasoning text and details in fragments, a signature fragment, then content."""
    chunks = [
        delta_chunk(
            {
                "content": "",
                "reasoning": text,
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "text": text,
                        "format": "anthropic-claude-v1",
                        "index": 0,
                    }
                ],
            }
        )
        for text in THOUGHTS
    ]
    chunks.append(
        delta_chunk(
            {
                "content": "",
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "signature": SIGNATURE,
                        "format": "anthropic-claude-v1",
                        "index": 0,
                    }
                ],
            }
        )
    )
    if tool_calls:
        call = {
            "index": 0,
            "id": "toolu_01Wx",
            "type": "function",
            "function": {"name": "get_weather", "arguments": ""},
        }
        chunks.append(delta_chunk({"content": None, "tool_calls": [call]}))
        for piece in ['{"city": ', '"Paris"}']:
            fragment = {"index": 0, "function": {"arguments": piece}}
            chunks.append(delta_chunk({"content": None, "tool_calls": [fragment]}))
        chunks.append(delta_chunk({}, finish_reason="tool_calls"))
    else:
        chunks.append(delta_chunk({"content": content}))
        chunks.append(delta_chunk({"content": ""}, finish_reason="stop"))
    chunks.append(usage_chunk())
    return chunks


MERGED_DETAILS = [
    {
        "type": "reasoning.text",
        "text": "".join(THOUGHTS),
        "signature": SIGNATURE,
        "format": "anthropic-claude-v1",
        "index": 0,
    }
]


def reasoning_completion(*, tool_calls: bool = False) -> bytes:
    body = json.loads(completion_body("" if tool_calls else "Sunny.").lstrip())
    message = body["choices"][0]["message"]
    message["reasoning"] = "".join(THOUGHTS)
    message["reasoning_details"] = MERGED_DETAILS
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": "toolu_01Wx",
                "type": "function",
                "index": 0,
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ]
        body["choices"][0]["finish_reason"] = "tool_calls"
    return json.dumps(body).encode()


def reasoning_response(*, streamed: bool, tool_calls: bool = False) -> httpx.Response:
    if streamed:
        return sse(reasoning_stream(tool_calls=tool_calls))
    return ok(reasoning_completion(tool_calls=tool_calls))


def test_reasoning_text_and_details_come_back_on_the_message(
    mode: str, streamed: bool
) -> None:
    model, _ = make_model([reasoning_response(streamed=streamed)])
    message = answer(mode, model, "Weather?", streamed=streamed)
    assert message.content == "Sunny."
    assert message.additional_kwargs["reasoning_content"] == "".join(THOUGHTS)
    assert message.additional_kwargs["reasoning_details"] == MERGED_DETAILS


def test_streamed_reasoning_arrives_as_it_is_produced_and_details_once(
    mode: str,
) -> None:
    model, _ = make_model([sse(reasoning_stream())])

    async def collect() -> list[Any]:
        return [chunk async for chunk in model.astream("Weather?")]

    parts = run(mode, lambda: list(model.stream("Weather?")), collect)
    texts = [p.additional_kwargs.get("reasoning_content") for p in parts]
    assert [t for t in texts if t] == THOUGHTS
    with_details = [p for p in parts if "reasoning_details" in p.additional_kwargs]
    assert len(with_details) == 1
    assert with_details[0].chunk_position == "last"
    assert with_details[0].additional_kwargs["reasoning_details"] == MERGED_DETAILS


def test_a_reasoning_only_answer_raises_with_its_reasoning(mode: str) -> None:
    body = completion_body(
        "", reasoning="Still thinking about it", finish_reason="length"
    )
    model, sent = make_model([ok(body)])
    with pytest.raises(OpenRouterEmptyAnswerError, match="max_tokens") as caught:
        run(mode, lambda: model.invoke("hi"), lambda: model.ainvoke("hi"))
    assert caught.value.reasoning == "Still thinking about it"
    assert caught.value.finish_reason == "length"
    assert len(sent.requests) == 1


# --- v1 content blocks --------------------------------------------------------------------


def test_v1_output_puts_reasoning_blocks_first_in_content(
    mode: str, streamed: bool
) -> None:
    model, _ = make_model([reasoning_response(streamed=streamed)], output_version="v1")
    message = answer(mode, model, "Weather?", streamed=streamed)
    blocks = [
        {k: v for k, v in block.items() if k in {"type", "reasoning", "text"}}
        for block in message.content
    ]
    assert blocks == [
        {"type": "reasoning", "reasoning": "".join(THOUGHTS)},
        {"type": "text", "text": "Sunny."},
    ]
    assert message.content_blocks[0]["type"] == "reasoning"
    assert message.additional_kwargs["reasoning_details"] == MERGED_DETAILS
    assert message.text == "Sunny."


def without_index(blocks: list[Any]) -> list[Any]:
    return [{k: v for k, v in block.items() if k != "index"} for block in blocks]


def test_v1_tool_call_turn_keeps_reasoning_and_tool_call_blocks_apart(
    mode: str, streamed: bool
) -> None:
    """Reasoning and the first tool call both start at index 0 on the wire; the
    merged v1 content must still hold one reasoning block and one tool call."""
    model, _ = make_model(
        [reasoning_response(streamed=streamed, tool_calls=True)], output_version="v1"
    )
    message = answer(mode, model, "Weather?", streamed=streamed)
    assert without_index(message.content) == [
        {"type": "reasoning", "reasoning": "".join(THOUGHTS)},
        {
            "type": "tool_call",
            "name": "get_weather",
            "args": {"city": "Paris"},
            "id": "toolu_01Wx",
        },
    ]
    assert message.tool_calls[0]["args"] == {"city": "Paris"}


def test_v1_stream_keeps_text_and_parallel_tool_calls_apart(mode: str) -> None:
    calls = [
        {
            "index": 0,
            "id": "call_a",
            "type": "function",
            "function": {"name": "f", "arguments": "{}"},
        },
        {
            "index": 1,
            "id": "call_b",
            "type": "function",
            "function": {"name": "g", "arguments": '{"x":'},
        },
    ]
    chunks = [
        delta_chunk({"content": "Let me check."}),
        delta_chunk({"tool_calls": [calls[0]]}),
        delta_chunk({"tool_calls": [calls[1]]}),
        delta_chunk({"tool_calls": [{"index": 1, "function": {"arguments": " 1}"}}]}),
        delta_chunk({}, finish_reason="tool_calls"),
    ]
    model, _ = make_model([sse(chunks)], output_version="v1")
    message = answer(mode, model, "Weather?", streamed=True)
    assert without_index(message.content) == [
        {"type": "text", "text": "Let me check."},
        {"type": "tool_call", "name": "f", "args": {}, "id": "call_a"},
        {"type": "tool_call", "name": "g", "args": {"x": 1}, "id": "call_b"},
    ]


# --- multi-turn: the reasoning goes back --------------------------------------------------


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"18C and sunny in {city}"


@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_tool_loop_sends_reasoning_and_details_back(
    mode: str, streamed: bool, output_version: str
) -> None:
    model, recorder = make_model(
        [
            reasoning_response(streamed=streamed, tool_calls=True),
            ok(completion_body("It is 18C and sunny in Paris.")),
        ],
        reasoning={"effort": "high"},
        output_version=output_version,
    )
    bound = model.bind_tools([get_weather])
    history: list[Any] = [HumanMessage("Weather in Paris?")]
    first = answer(mode, bound, history, streamed=streamed)
    assert first.tool_calls[0]["id"] == "toolu_01Wx"
    history += [first, get_weather.invoke(first.tool_calls[0])]
    last = answer(mode, bound, history, streamed=False)
    assert last.text == "It is 18C and sunny in Paris."
    body = recorder.bodies[1]
    assert body["reasoning"] == {"effort": "high"}
    user, assistant, tool_result = body["messages"]
    assert user == {"role": "user", "content": "Weather in Paris?"}
    assert assistant["role"] == "assistant"
    assert assistant["reasoning"] == "".join(THOUGHTS)
    assert assistant["reasoning_details"] == MERGED_DETAILS
    assert [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in assistant["tool_calls"]
    ] == [("toolu_01Wx", "get_weather", {"city": "Paris"})]
    assert assistant.get("content") in {"", None}  # no v1 blocks leak into content
    assert tool_result == {
        "role": "tool",
        "tool_call_id": "toolu_01Wx",
        "content": "18C and sunny in Paris",
    }


# --- a real recorded reasoning + tool-call stream, replayed across two turns ----------------

RECORD = "chat/ruby_llm-65.json"  # Claude via Bedrock: streamed reasoning, signature, tool call


def recorded() -> dict[str, Any]:
    """The record from ``cassettes/recorded`` (same names as the corpus)."""
    return json.loads((RECORDED_DIR / RECORD).read_text("utf-8"))


def details_from_sse(body: str) -> tuple[str, list[dict[str, Any]]]:
    """Reasoning text and details merged by (type, index), straight from the bytes."""
    text = ""
    merged: list[dict[str, Any]] = []
    for line in body.splitlines():
        if not line.startswith("data:") or line[5:].strip() == "[DONE]":
            continue
        for choice in json.loads(line[5:]).get("choices") or []:
            delta = choice.get("delta") or {}
            text += delta.get("reasoning") or ""
            for detail in delta.get("reasoning_details") or []:
                key = (detail.get("type"), detail.get("index"))
                if merged and (merged[-1]["type"], merged[-1].get("index")) == key:
                    entry = merged[-1]
                    for name, value in detail.items():
                        if value is None:
                            continue
                        entry[name] = (
                            entry.get(name, "") + value if name == "text" else value
                        )
                else:
                    merged.append(dict(detail))
    return text, merged


def test_recorded_reasoning_tool_stream_round_trips(mode: str) -> None:
    record = recorded()
    response = record["response"]
    request = record["request"]["json"]
    expected_text, expected_details = details_from_sse(response["body"])
    assert len(expected_details) == 1
    assert expected_details[0]["signature"]
    replayed = httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content=response["body"].encode(),
    )
    model, recorder = make_model(
        [replayed, ok(completion_body("Berlin: 21C."))],
        model=request["model"],
        allow_paid=True,
        reasoning=request["reasoning"],
    )
    bound = model.bind_tools(request["tools"])
    history: list[Any] = [HumanMessage(request["messages"][0]["content"])]
    first = answer(mode, bound, history, streamed=True)
    assert isinstance(first, AIMessageChunk)
    assert first.additional_kwargs["reasoning_content"] == expected_text
    assert first.additional_kwargs["reasoning_details"] == expected_details
    [call] = first.tool_calls
    history += [first, ToolMessage("21C", tool_call_id=call["id"])]
    answer(mode, bound, history, streamed=False)
    _, assistant, tool_result = recorder.bodies[1]["messages"]
    assert recorder.bodies[1]["reasoning"] == request["reasoning"]
    assert assistant["reasoning_details"] == expected_details
    assert assistant["reasoning"] == expected_text
    assert (
        assistant["tool_calls"][0]["id"]
        == call["id"]
        == "toolu_bdrk_01L9pX1Wp4FAEq9TT2Z6UAe7"
    )
    assert tool_result == {"role": "tool", "tool_call_id": call["id"], "content": "21C"}


def test_an_answer_message_replays_encrypted_details_unchanged(mode: str) -> None:
    encrypted = {
        "type": "reasoning.encrypted",
        "data": "gAAAAB...opaque",
        "format": "openai-responses-v1",
        "index": 0,
    }
    prior = AIMessage(
        content="",
        additional_kwargs={"reasoning_details": [encrypted]},
        tool_calls=[
            {
                "name": "get_weather",
                "args": {"city": "Rome"},
                "id": "call_9",
                "type": "tool_call",
            }
        ],
    )
    model, recorder = make_model([ok(completion_body("Warm."))])
    history = [HumanMessage("Rome?"), prior, ToolMessage("25C", tool_call_id="call_9")]
    run(mode, lambda: model.invoke(history), lambda: model.ainvoke(history))
    assistant = recorder.bodies[0]["messages"][1]
    assert assistant["reasoning_details"] == [encrypted]
    assert "reasoning" not in assistant
