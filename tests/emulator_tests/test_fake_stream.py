"""Streaming answers: SSE framing, deltas, tool-call fragments, usage chunk, [DONE]."""

from __future__ import annotations

import json
from typing import Any

import httpx

from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, FakeToolCall
from tests.emulator_tests._emulator_helpers import (
    FREE_MODEL,
    WEATHER_TOOL,
    chat,
    joined_content,
    parse_sse,
    recorded_events,
)

CHUNK_KEYS = ["id", "provider", "model", "object", "created", "choices"]
CHOICE_KEYS = ["index", "delta", "finish_reason", "native_finish_reason", "logprobs"]


def _stream(
    http: httpx.Client, payload: dict[str, Any]
) -> tuple[httpx.Response, list[str], list[Any]]:
    response = http.post("/chat/completions", json={**payload, "stream": True})
    comments, events = parse_sse(response.text)
    return response, comments, events


def test_stream_framing_matches_real_traffic(client: httpx.Client) -> None:
    real = recorded_events("activeagent-67")
    assert list(real[0]) == CHUNK_KEYS  # the real field order we imitate
    assert list(real[0]["choices"][0]) == CHOICE_KEYS
    response, comments, events = _stream(client, chat("one two three four"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.headers
    assert response.text.startswith(": OPENROUTER PROCESSING\n\n")
    assert comments == [": OPENROUTER PROCESSING"]
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(list(c)[:6] == CHUNK_KEYS for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert response.headers["x-generation-id"] == chunks[0]["id"]
    assert all(
        c["object"] == "chat.completion.chunk" and c["model"] == FREE_MODEL
        for c in chunks
    )
    role, *deltas, finish, usage = chunks
    assert role["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert len(deltas) == 6  # "You", " said:", " one", " two", " three", " four"
    assert all(list(d["choices"][0]) == CHOICE_KEYS for d in deltas)
    assert joined_content(chunks) == "You said: one two three four"
    assert finish["choices"][0]["finish_reason"] == "stop"
    assert finish["choices"][0]["native_finish_reason"] == "stop"
    assert usage["choices"] == []
    assert (
        usage["usage"]["total_tokens"]
        == usage["usage"]["prompt_tokens"] + usage["usage"]["completion_tokens"]
    )


def test_usage_chunk_matches_the_real_separate_usage_chunk(
    client: httpx.Client,
) -> None:
    real_usage = next(
        e
        for e in recorded_events("pydantic-ai-59")
        if e != "[DONE]" and e["choices"] == []
    )
    _, _, events = _stream(client, chat())
    usage = events[-2]
    assert set(usage) == set(real_usage)
    assert set(usage["usage"]) == set(real_usage["usage"])


def test_reasoning_deltas_carry_reasoning_details_fragments(
    client: httpx.Client,
) -> None:
    real = next(
        e
        for e in recorded_events("pydantic-ai-16")
        if e != "[DONE]" and e["choices"] and e["choices"][0]["delta"].get("reasoning")
    )
    real_delta = real["choices"][0]["delta"]
    with (
        FakeOpenRouter(
            replies=[FakeReply("Hi!", reasoning="We need to greet")]
        ) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        _, _, events = _stream(http, chat())
    deltas = [e["choices"][0]["delta"] for e in events[:-1] if e["choices"]]
    reasoning = [d for d in deltas if d.get("reasoning")]
    assert list(reasoning[0]) == list(real_delta)
    assert set(reasoning[0]["reasoning_details"][0]) == set(
        real_delta["reasoning_details"][0]
    )
    assert len(reasoning) == 4
    assert "".join(d["reasoning"] for d in reasoning) == "We need to greet"
    texts = [d["reasoning_details"][0]["text"] for d in reasoning]
    assert texts == [d["reasoning"] for d in reasoning]
    assert {d["reasoning_details"][0]["index"] for d in reasoning} == {0}
    assert joined_content(events) == "Hi!"
    assert events[-2]["usage"]["completion_tokens_details"]["reasoning_tokens"] == 4


def test_tool_call_deltas_are_fragmented_like_openrouter(client: httpx.Client) -> None:
    _, _, events = _stream(client, chat(tools=[WEATHER_TOOL]))
    fragments = [
        e["choices"][0]["delta"]["tool_calls"][0]
        for e in events[:-1]
        if e["choices"] and "tool_calls" in e["choices"][0]["delta"]
    ]
    first, *rest = fragments
    assert first == {
        "index": 0,
        "id": "call_0",
        "type": "function",
        "function": {"name": "get_weather", "arguments": ""},
    }
    assert len(rest) >= 2
    assert all(
        set(f) == {"index", "function"} and set(f["function"]) == {"arguments"}
        for f in rest
    )
    arguments = "".join(f["function"]["arguments"] for f in rest)
    assert json.loads(arguments) == {"city": "test", "unit": "celsius"}
    assert events[-3]["choices"][0]["finish_reason"] == "tool_calls"


def test_parallel_tool_calls_get_their_own_index() -> None:
    reply = FakeReply(
        tool_calls=[FakeToolCall("a", {"x": 1}), FakeToolCall("b", {}, id="id_b")],
        keepalives=3,
    )
    with (
        FakeOpenRouter(replies=[reply]) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        _, comments, events = _stream(http, chat())
    assert len(comments) == 3
    firsts = [
        tc
        for e in events[:-1]
        if e["choices"]
        for tc in e["choices"][0]["delta"].get("tool_calls", [])
        if "id" in tc
    ]
    assert [(tc["index"], tc["id"], tc["function"]["name"]) for tc in firsts] == [
        (0, "call_0", "a"),
        (1, "id_b", "b"),
    ]


def test_keepalive_connection_is_reused_across_requests(
    client: httpx.Client, fake: FakeOpenRouter
) -> None:
    for text in ("a", "b", "c"):
        response, _, events = _stream(client, chat(text))
        assert events[-1] == "[DONE]"
        assert response.headers["connection"] == "keep-alive"
        json_answer = client.post("/chat/completions", json=chat(text))
        assert json_answer.headers["connection"] == "keep-alive"
    assert fake.count("/chat/completions") == 6
    # Six requests, streamed and not, over the one TCP connection httpx keeps.
    assert fake.connections_accepted == 1


def test_a_client_that_asks_to_close_gets_a_new_connection_each_time(
    fake: FakeOpenRouter,
) -> None:
    headers = {"Connection": "close"}
    with httpx.Client(base_url=fake.base_url, trust_env=False) as http:
        for text in ("a", "b"):
            response = http.post("/chat/completions", json=chat(text), headers=headers)
            assert response.headers["connection"] == "close"
    assert fake.connections_accepted == 2
