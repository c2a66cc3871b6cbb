"""Tool calling over real wire bytes: tool forms, tool_choice, invalid arguments,
streamed tool-call chunks, and every recorded OpenRouter stream with tool calls.

Expected tool calls are computed here from the raw bytes with plain ``json``
and a small SSE splitter, never with the package's own parsing code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import reduce
from operator import add
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_openrouter_free import ChatOpenRouterFree
from tests._repo_data import RECORDED_DIR
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


def invoke(mode: str, model: Any, value: Any = "Weather?") -> Any:
    return run(mode, lambda: model.invoke(value), lambda: model.ainvoke(value))


def stream(mode: str, model: Any, value: Any = "Weather?") -> list[Any]:
    async def collect() -> list[Any]:
        return [chunk async for chunk in model.astream(value)]

    return run(mode, lambda: list(model.stream(value)), collect)


def merged(parts: list[Any]) -> AIMessageChunk:
    result = reduce(add, parts)
    assert isinstance(result, AIMessageChunk)
    return result


# --- the four tool forms ------------------------------------------------------------


class GetWeather(BaseModel):
    """Current weather for a city."""

    city: str = Field(description="City name, e.g. Paris")
    unit: str = Field(default="celsius", description="celsius or fahrenheit")


def get_time(timezone: str) -> str:
    """Current time in a timezone.

    Args:
        timezone: IANA name, e.g. Europe/Paris.
    """
    return f"12:00 in {timezone}"


@tool
def search_web(query: str, max_results: int = 3) -> str:
    """Search the web and return the top results."""
    return f"{max_results} results for {query}"


OPENAI_DICT = {
    "type": "function",
    "function": {
        "name": "convert_currency",
        "description": "Convert an amount between currencies.",
        "parameters": {
            "type": "object",
            "properties": {
                "amount": {"type": "number"},
                "to": {"type": "string", "enum": ["EUR", "USD"]},
            },
            "required": ["amount", "to"],
        },
    },
}


def test_pydantic_function_basetool_and_openai_dict_tools_are_sent_as_functions() -> (
    None
):
    model, recorder = make_model([ok(completion_body("ok"))])
    model.bind_tools([GetWeather, get_time, search_web, OPENAI_DICT]).invoke("hi")
    tools = recorder.bodies[0]["tools"]
    assert [t["type"] for t in tools] == ["function"] * 4
    weather, time_, search, currency = (t["function"] for t in tools)
    assert weather["name"] == "GetWeather"
    assert weather["description"] == "Current weather for a city."
    assert weather["parameters"]["properties"]["city"] == {
        "description": "City name, e.g. Paris",
        "type": "string",
    }
    assert weather["parameters"]["required"] == ["city"]
    assert time_["name"] == "get_time"
    assert time_["description"] == "Current time in a timezone."
    assert time_["parameters"]["properties"]["timezone"]["type"] == "string"
    assert time_["parameters"]["required"] == ["timezone"]
    assert search["name"] == "search_web"
    assert search["parameters"]["required"] == ["query"]
    assert search["parameters"]["properties"]["max_results"]["type"] == "integer"
    assert currency == OPENAI_DICT["function"]
    assert "tool_choice" not in recorder.bodies[0]
    assert "parallel_tool_calls" not in recorder.bodies[0]


def test_strict_is_set_on_every_tool() -> None:
    model, recorder = make_model([ok(completion_body("ok"))])
    model.bind_tools([GetWeather, get_time], strict=True).invoke("hi")
    for sent in recorder.bodies[0]["tools"]:
        assert sent["function"]["strict"] is True
        assert sent["function"]["parameters"]["additionalProperties"] is False


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, None),
        (False, None),
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        ("get_time", {"type": "function", "function": {"name": "get_time"}}),
        (
            {"type": "function", "function": {"name": "search_web"}},
            {"type": "function", "function": {"name": "search_web"}},
        ),
    ],
)
def test_tool_choice_forms_with_several_tools(choice: Any, expected: Any) -> None:
    model, recorder = make_model([ok(completion_body("ok"))])
    model.bind_tools([GetWeather, get_time, search_web], tool_choice=choice).invoke("x")
    assert recorder.bodies[0].get("tool_choice") == expected


def test_tool_choice_true_needs_exactly_one_tool() -> None:
    model, recorder = make_model([ok(completion_body("ok"))])
    model.bind_tools([get_time], tool_choice=True).invoke("x")
    assert recorder.bodies[0]["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_time"},
    }
    with pytest.raises(ValueError, match="exactly one tool"):
        model.bind_tools([get_time, GetWeather], tool_choice=True)


WEB_SEARCH = {"type": "openrouter:web_search", "parameters": {"max_results": 3}}


def test_server_tools_are_sent_unchanged_beside_functions() -> None:
    json_schema_tool = {
        "title": "lookup",
        "description": "Look a word up.",
        "type": "object",
        "properties": {"word": {"type": "string"}},
    }
    model, recorder = make_model([ok(completion_body("ok")), ok(completion_body("ok"))])
    model.bind_tools([{"type": "openrouter:web_search"}]).invoke("news?")
    assert recorder.bodies[0]["tools"] == [{"type": "openrouter:web_search"}]
    model.bind_tools(
        [WEB_SEARCH, get_time, json_schema_tool], tool_choice="get_time"
    ).invoke("x")
    server, function, from_schema = recorder.bodies[1]["tools"]
    assert server == WEB_SEARCH
    assert function["function"]["name"] == "get_time"
    assert from_schema["type"] == "function"
    assert from_schema["function"]["name"] == "lookup"
    assert recorder.bodies[1]["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_time"},
    }


def test_tool_choice_by_name_only_counts_function_tools() -> None:
    model, recorder = make_model([ok(completion_body("ok"))])
    model.bind_tools([WEB_SEARCH, get_time], tool_choice=True).invoke("x")
    assert recorder.bodies[0]["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_time"},
    }
    with pytest.raises(ValueError, match="openrouter:web_search"):
        model.bind_tools([WEB_SEARCH, get_time], tool_choice="openrouter:web_search")


def test_bind_tools_forwards_request_fields_like_create_agent_does() -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "Answer", "schema": {"type": "object"}, "strict": True},
    }
    model, recorder = make_model([ok(completion_body("{}"))])
    model.bind_tools(
        [get_time], response_format=response_format, parallel_tool_calls=True
    ).invoke("x")
    body = recorder.bodies[0]
    assert body["response_format"] == response_format
    assert body["parallel_tool_calls"] is True
    assert body["tools"][0]["function"]["name"] == "get_time"


# --- answers: valid, invalid, parallel ------------------------------------------------------


def wire_call(
    call_id: str | None, name: str, arguments: str, index: int
) -> dict[str, Any]:
    call: dict[str, Any] = {
        "type": "function",
        "index": index,
        "function": {"name": name, "arguments": arguments},
    }
    if call_id is not None:
        call["id"] = call_id
    return call


PARALLEL = [
    wire_call("call_w1", "GetWeather", '{"city": "Paris", "unit": "celsius"}', 0),
    wire_call("call_t2", "get_time", '{"timezone": "Europe/Paris"}', 1),
    wire_call("call_s3", "search_web", "", 2),
]


def streamed_fragments(calls: list[dict[str, Any]], size: int = 7) -> list[Any]:
    """Each call opens with id/name and empty arguments, then its argument text
    arrives in pieces, interleaved across the parallel calls."""
    chunks = [
        delta_chunk(
            {
                "content": None,
                "tool_calls": [
                    {
                        **call,
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                    for call in calls
                ],
            }
        )
    ]
    pieces = {
        c["index"]: [
            c["function"]["arguments"][i : i + size]
            for i in range(0, len(c["function"]["arguments"]), size)
        ]
        for c in calls
    }
    while any(pieces.values()):
        for index, remaining in pieces.items():
            if remaining:
                fragment = {"index": index, "function": {"arguments": remaining.pop(0)}}
                chunks.append(delta_chunk({"tool_calls": [fragment]}))
    chunks += [delta_chunk({}, finish_reason="tool_calls"), usage_chunk()]
    return chunks


def test_parallel_calls_invoke_and_stream_agree(mode: str) -> None:
    body = completion_body("", tool_calls=PARALLEL, finish_reason="tool_calls")
    model, _ = make_model([ok(body), sse(streamed_fragments(PARALLEL))])
    bound = model.bind_tools([GetWeather, get_time, search_web])
    message = invoke(mode, bound)
    parts = stream(mode, bound)
    expected = [
        {
            "name": "GetWeather",
            "args": {"city": "Paris", "unit": "celsius"},
            "id": "call_w1",
            "type": "tool_call",
        },
        {
            "name": "get_time",
            "args": {"timezone": "Europe/Paris"},
            "id": "call_t2",
            "type": "tool_call",
        },
        {"name": "search_web", "args": {}, "id": "call_s3", "type": "tool_call"},
    ]
    assert message.tool_calls == expected
    assert message.invalid_tool_calls == []
    assert merged(parts).tool_calls == expected
    assert len([p for p in parts if p.tool_call_chunks]) > len(PARALLEL)
    assert merged(parts).response_metadata["finish_reason"] == "tool_calls"


def test_missing_and_duplicate_ids_are_repaired_the_same_way_in_both_paths(
    mode: str,
) -> None:
    calls = [
        wire_call(None, "get_time", '{"timezone": "UTC"}', 0),
        wire_call("dup", "get_time", '{"timezone": "Asia/Tokyo"}', 1),
        wire_call("dup", "get_time", '{"timezone": "America/Lima"}', 2),
    ]
    body = completion_body("", tool_calls=calls, finish_reason="tool_calls")
    model, _ = make_model([ok(body), sse(streamed_fragments(calls))])
    message = invoke(mode, model)
    parts = stream(mode, model)
    ids = [call["id"] for call in message.tool_calls]
    assert ids == ["call_0", "dup", "call_2"]
    assert merged(parts).tool_calls == message.tool_calls


def test_parallel_calls_all_numbered_zero_are_kept_apart(mode: str) -> None:
    """Some providers give every parallel call index 0; the ids tell them apart."""
    chunks = [
        delta_chunk({"tool_calls": [wire_call("call_a", "get_time", "", 0)]}),
        delta_chunk(
            {
                "tool_calls": [
                    {"index": 0, "function": {"arguments": '{"timezone": "UTC"}'}}
                ]
            }
        ),
        delta_chunk({"tool_calls": [wire_call("call_b", "get_time", "", 0)]}),
        delta_chunk(
            {
                "tool_calls": [
                    {"index": 0, "function": {"arguments": '{"timezone": "CET"}'}}
                ]
            }
        ),
        delta_chunk({}, finish_reason="tool_calls"),
    ]
    model, _ = make_model([sse(chunks)])
    calls = merged(stream(mode, model)).tool_calls
    assert [(c["id"], c["args"]) for c in calls] == [
        ("call_a", {"timezone": "UTC"}),
        ("call_b", {"timezone": "CET"}),
    ]


def test_a_whole_call_in_one_chunk_is_one_call(mode: str) -> None:
    chunks = [
        delta_chunk(
            {
                "tool_calls": [
                    wire_call("tool_0_get_time_x", "get_time", '{"timezone":"UTC"}', 0)
                ]
            }
        ),
        delta_chunk({"content": ""}, finish_reason="tool_calls"),
    ]
    model, _ = make_model([sse(chunks)])
    assert merged(stream(mode, model)).tool_calls == [
        {
            "name": "get_time",
            "args": {"timezone": "UTC"},
            "id": "tool_0_get_time_x",
            "type": "tool_call",
        }
    ]


def test_arguments_that_are_not_json_become_invalid_tool_calls(mode: str) -> None:
    calls = [
        wire_call("call_ok", "get_time", '{"timezone": "UTC"}', 0),
        wire_call("call_bad", "GetWeather", "{city: Paris", 1),
        wire_call("call_list", "GetWeather", '["Paris"]', 2),
    ]
    model, _ = make_model([ok(completion_body("", tool_calls=calls))])
    message = invoke(mode, model)
    assert [c["id"] for c in message.tool_calls] == ["call_ok"]
    bad, listed = message.invalid_tool_calls
    assert (bad["id"], bad["name"], bad["args"]) == (
        "call_bad",
        "GetWeather",
        "{city: Paris",
    )
    assert isinstance(bad["error"], str)
    assert "not valid JSON" in bad["error"]
    assert (listed["id"], listed["args"]) == ("call_list", '["Paris"]')
    assert isinstance(listed["error"], str)
    assert "JSON object" in listed["error"]


def test_streamed_arguments_that_are_not_json_stay_raw(mode: str) -> None:
    calls = [
        wire_call("call_ok", "get_time", '{"timezone": "UTC"}', 0),
        wire_call("call_bad", "GetWeather", "city=Paris", 1),
    ]
    model, _ = make_model([sse(streamed_fragments(calls))])
    message = merged(stream(mode, model))
    assert [c["id"] for c in message.tool_calls] == ["call_ok"]
    [bad] = message.invalid_tool_calls
    # Chunks are parsed by langchain-core, which records no error text.
    assert (bad["id"], bad["name"], bad["args"]) == (
        "call_bad",
        "GetWeather",
        "city=Paris",
    )


def test_tool_results_go_back_with_their_call_ids(mode: str) -> None:
    body = completion_body("", tool_calls=PARALLEL[:2], finish_reason="tool_calls")
    model, recorder = make_model([ok(body), ok(completion_body("Sunny, noon."))])
    bound = model.bind_tools([GetWeather, get_time])
    history: list[Any] = [HumanMessage("Weather and time in Paris?")]
    first = invoke(mode, bound, history)
    history.append(first)
    history += [
        ToolMessage("18C, sunny", tool_call_id=first.tool_calls[0]["id"]),
        ToolMessage("12:00", tool_call_id=first.tool_calls[1]["id"]),
    ]
    final = invoke(mode, bound, history)
    assert final.content == "Sunny, noon."
    sent = recorder.bodies[1]["messages"]
    assert sent[1]["role"] == "assistant"
    assert [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in sent[1]["tool_calls"]
    ] == [
        ("call_w1", "GetWeather", {"city": "Paris", "unit": "celsius"}),
        ("call_t2", "get_time", {"timezone": "Europe/Paris"}),
    ]
    assert sent[2:] == [
        {"role": "tool", "tool_call_id": "call_w1", "content": "18C, sunny"},
        {"role": "tool", "tool_call_id": "call_t2", "content": "12:00"},
    ]


# --- every recorded stream with tool calls -----------------------------------------------

_WIRE_ENCODING_HEADERS = {"content-length", "transfer-encoding", "content-encoding"}


def streamed_tool_call_records() -> list[str]:
    index = RECORDED_DIR / "INDEX.jsonl"
    rows = [json.loads(line) for line in index.read_text("utf-8").splitlines() if line]
    return [
        row["file"]
        for row in rows
        if "tool_calls" in row["tags"]
        and "stream" in row["tags"]
        and row["file"].startswith("chat/")
    ]


RECORD_FILES = streamed_tool_call_records()


def test_the_recorded_selection_is_not_empty() -> None:
    # An empty parametrization would pass silently; the corpus holds 19 such streams.
    assert len(RECORD_FILES) >= 19


def sse_data(body: str) -> Iterator[str]:
    """The ``data`` of each event: blank line ends an event, ``:`` lines are comments."""
    data: list[str] = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if data:
                yield "\n".join(data)
            data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield "\n".join(data)


def expected_calls(body: str) -> list[dict[str, Any]]:
    """Tool calls from the raw SSE: by index, first id and name, arguments joined."""
    slots: dict[int, dict[str, Any]] = {}
    for data in sse_data(body):
        if data.strip() == "[DONE]":
            break
        for choice in json.loads(data).get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            for fragment in (choice.get("delta") or {}).get("tool_calls") or []:
                slot = slots.setdefault(
                    fragment["index"], {"id": None, "name": None, "args": ""}
                )
                function = fragment.get("function") or {}
                slot["id"] = slot["id"] or fragment.get("id") or None
                slot["name"] = slot["name"] or function.get("name") or None
                slot["args"] += function.get("arguments") or ""
    seen: set[str] = set()
    calls = []
    for index in sorted(slots):
        slot = slots[index]
        call_id = (
            slot["id"] if slot["id"] and slot["id"] not in seen else f"call_{index}"
        )
        seen.add(call_id)
        args = json.loads(slot["args"]) if slot["args"].strip() else {}
        calls.append(
            {"name": slot["name"], "args": args, "id": call_id, "type": "tool_call"}
        )
    return calls


def replay_model(record: dict[str, Any], **fields: Any) -> ChatOpenRouterFree:
    response = record["response"]
    headers = {
        key.lower(): value
        for key, value in response["headers"].items()
        if key.lower() not in _WIRE_ENCODING_HEADERS
    }
    headers.setdefault("content-type", "text/event-stream")  # body-only recordings
    content = response["body"].encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(response["status"], headers=headers, content=content)

    transport = httpx.MockTransport(handler)
    return ChatOpenRouterFree(
        model=(record["request"].get("json") or {}).get("model") or "openrouter/free",
        api_key=FAKE_KEY,
        allow_paid=True,
        max_retries=0,
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
        **fields,
    )


@pytest.mark.parametrize("file", RECORD_FILES, ids=[Path(f).stem for f in RECORD_FILES])
def test_recorded_tool_call_streams_merge_to_the_recorded_calls(
    mode: str, file: str
) -> None:
    record = json.loads((RECORDED_DIR / file).read_text("utf-8"))
    expected = expected_calls(record["response"]["body"])
    assert expected, "the record is tagged tool_calls but its stream has none"
    model = replay_model(record)
    tools = (record["request"].get("json") or {}).get("tools") or []
    parts = stream(mode, model.bind_tools(tools), [HumanMessage("Replay.")])
    message = merged(parts)
    assert message.tool_calls == expected
    assert message.invalid_tool_calls == []
    # invoke() on a streaming model merges the same chunks into an AIMessage.
    streaming = replay_model(record, streaming=True).bind_tools(tools)
    as_message = invoke(mode, streaming, [HumanMessage("Replay.")])
    assert isinstance(as_message, AIMessage)
    assert as_message.tool_calls == expected
