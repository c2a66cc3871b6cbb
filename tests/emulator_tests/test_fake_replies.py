"""Non-streaming answers: real OpenRouter shape, scripted and default replies."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, FakeToolCall
from tests.emulator_tests._emulator_helpers import (
    FREE_MODEL,
    PAID_MODEL,
    WEATHER_TOOL,
    chat,
    recorded_body,
)

WS_KEEPALIVE = "\n         \n"


def _same_shape(fake: Any, real: Any, where: str = "$") -> None:
    """Same keys in the same order, and the same JSON types, recursively."""
    if isinstance(real, dict):
        assert isinstance(fake, dict), where
        assert list(fake) == list(real), where
        for key in real:
            _same_shape(fake[key], real[key], f"{where}.{key}")
    elif isinstance(real, list):
        assert isinstance(fake, list), where
        for fake_item, real_item in zip(fake, real, strict=False):
            _same_shape(fake_item, real_item, f"{where}[]")
    elif real is not None:
        assert type(fake) is type(real), where


def test_json_reply_has_the_shape_of_a_real_free_model_answer(
    client: httpx.Client,
) -> None:
    real = recorded_body("open_router_enhanced-104")  # xiaomi/mimo-v2-flash:free
    response = client.post("/chat/completions", json=chat())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text.startswith(
        WS_KEEPALIVE + "{"
    )  # like the recording's ws_prefix
    body = response.json()
    _same_shape(body, real)
    assert response.headers["x-generation-id"] == body["id"]
    assert body["id"].startswith("gen-")
    assert body["object"] == "chat.completion"
    assert body["model"] == FREE_MODEL
    assert body["provider"] == "FakeProvider"
    assert body["choices"][0]["message"]["content"] == "You said: hello there"
    assert body["usage"]["cost"] == 0


def test_tool_call_reply_has_the_shape_of_a_real_tool_call(
    client: httpx.Client,
) -> None:
    real = recorded_body("activeagent-7")  # gemini tool call
    body = client.post("/chat/completions", json=chat(tools=[WEATHER_TOOL])).json()
    real_choice, choice = real["choices"][0], body["choices"][0]
    assert list(choice) == list(real_choice)
    assert list(choice["message"]) == list(real_choice["message"])
    assert list(choice["message"]["tool_calls"][0]) == list(
        real_choice["message"]["tool_calls"][0]
    )
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == ""
    call = choice["message"]["tool_calls"][0]
    assert call["id"] == "call_0"
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {
        "city": "test",
        "unit": "celsius",
    }


def test_same_requests_give_byte_identical_answers_on_fresh_servers() -> None:
    def run() -> list[bytes]:
        with (
            FakeOpenRouter() as fake,
            httpx.Client(base_url=fake.base_url, trust_env=False) as http,
        ):
            return [
                http.post("/chat/completions", json=chat("one")).content,
                http.post("/chat/completions", json=chat("two", stream=True)).content,
                http.post("/chat/completions", json=chat(tools=[WEATHER_TOOL])).content,
            ]

    assert run() == run()


def test_same_request_twice_differs_only_in_id_and_created(
    client: httpx.Client,
) -> None:
    first = client.post("/chat/completions", json=chat()).json()
    second = client.post("/chat/completions", json=chat()).json()
    assert first["id"] != second["id"]
    for body in (first, second):
        del body["id"], body["created"]
    assert first == second


def _ids(*payloads: dict[str, Any]) -> list[tuple[str, int]]:
    with (
        FakeOpenRouter() as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        bodies = [http.post("/chat/completions", json=p).json() for p in payloads]
    return [(b["id"], b["created"]) for b in bodies]


def test_ids_come_from_the_request_not_from_the_order_of_requests() -> None:
    """A re-record of a subset, or in another order, reproduces the same ids."""
    one, two = chat("one"), chat("two")

    forward = _ids(one, two, one)
    backward = _ids(two, one, one)

    assert forward[0] == backward[1], "same request, first time: same id"
    assert forward[1] == backward[0]
    assert forward[2] == backward[2], "the repeat of a request gets its own id"
    assert len({i for i, _ in forward}) == 3
    gen_id, created = forward[0]
    assert re.fullmatch(rf"gen-{created}-[0-9A-Za-z]{{20}}", gen_id)
    assert 1_790_000_000 <= created < 1_800_000_000


def test_ids_ignore_key_order_and_random_uuids() -> None:
    a = chat("x", tools=[WEATHER_TOOL])
    a["messages"].append({"role": "user", "content": str(uuid.uuid4())})
    b = dict(reversed(list(a.items())))
    b["messages"] = [
        *a["messages"][:-1],
        {"role": "user", "content": str(uuid.uuid4())},
    ]

    assert _ids(a)[0] == _ids(b)[0]
    assert _ids(a)[0] != _ids(chat("y", tools=[WEATHER_TOOL]))[0]


def test_echo_uses_the_last_user_message_and_text_parts(client: httpx.Client) -> None:
    payload = {
        "model": PAID_MODEL,
        "messages": [
            {"role": "system", "content": "be terse"},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ok"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "second"},
                    {"type": "image_url", "image_url": {"url": "x"}},
                ],
            },
        ],
    }
    body = client.post("/chat/completions", json=payload).json()
    assert body["choices"][0]["message"]["content"] == "You said: second"
    assert body["model"] == PAID_MODEL
    usage = body["usage"]
    assert usage["prompt_tokens"] == 9  # 5 words + 1 per message
    assert usage["completion_tokens"] == 3
    assert usage["total_tokens"] == 12


def test_openrouter_free_reports_a_concrete_free_model(client: httpx.Client) -> None:
    body = client.post("/chat/completions", json=chat(model="openrouter/free")).json()
    assert body["model"] == FREE_MODEL


@pytest.mark.parametrize(
    ("extra", "expected_name"),
    [
        ({}, "get_weather"),
        ({"tool_choice": "required"}, "get_weather"),
        ({"tool_choice": {"type": "function", "function": {"name": "ping"}}}, "ping"),
    ],
)
def test_default_tool_call_picks_first_or_forced_tool(
    client: httpx.Client, extra: dict[str, Any], expected_name: str
) -> None:
    ping = {
        "type": "function",
        "function": {"name": "ping", "parameters": {"type": "object"}},
    }
    payload = chat(tools=[WEATHER_TOOL, ping], **extra)
    call = client.post("/chat/completions", json=payload).json()["choices"][0][
        "message"
    ]["tool_calls"][0]
    assert call["function"]["name"] == expected_name


def test_no_tool_call_with_tool_choice_none_or_after_a_tool_result(
    client: httpx.Client,
) -> None:
    body = client.post(
        "/chat/completions", json=chat(tools=[WEATHER_TOOL], tool_choice="none")
    ).json()
    assert "tool_calls" not in body["choices"][0]["message"]
    assert body["choices"][0]["finish_reason"] == "stop"
    payload = chat("weather?", tools=[WEATHER_TOOL])
    payload["messages"] += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_0", "content": "sunny"},
    ]
    body = client.post("/chat/completions", json=payload).json()
    assert body["choices"][0]["message"]["content"] == "You said: weather?"


def test_tool_arguments_cover_every_schema_type(client: httpx.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "s": {"type": "string"},
            "i": {"type": "integer", "minimum": 3},
            "n": {"type": "number"},
            "b": {"type": "boolean"},
            "a": {"type": "array", "items": {"type": "string"}},
            "o": {"type": "object", "properties": {"x": {"type": "integer"}}},
            "e": {"enum": ["red", "green"]},
            "opt": {"anyOf": [{"type": "null"}, {"type": "string"}]},
            "ref": {"$ref": "#/$defs/Inner"},
            "when": {"type": "string", "format": "date-time"},
        },
        "$defs": {
            "Inner": {
                "type": "object",
                "properties": {"y": {"type": "boolean"}},
                "required": ["y"],
            }
        },
    }
    tool = {"type": "function", "function": {"name": "all_types", "parameters": schema}}
    call = client.post("/chat/completions", json=chat(tools=[tool])).json()["choices"][
        0
    ]["message"]["tool_calls"][0]
    assert json.loads(call["function"]["arguments"]) == {
        "s": "test",
        "i": 3,
        "n": 1.0,
        "b": True,
        "a": [],
        "o": {"x": 1},
        "e": "red",
        "opt": "test",
        "ref": {"y": True},
        "when": "2025-01-01T00:00:00Z",
    }


class Address(BaseModel):
    street: str
    zip_code: int


class Person(BaseModel):
    name: str
    age: int
    height: float
    member: bool
    tags: list[str]
    address: Address
    nickname: str | None = None


SO_MODEL = "mistralai/mistral-small-3.1-24b-instruct:free"  # lists structured outputs


def test_json_schema_default_validates_against_the_schema(client: httpx.Client) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {
            "name": "Person",
            "strict": True,
            "schema": Person.model_json_schema(),
        },
    }
    body = client.post(
        "/chat/completions", json=chat(response_format=response_format, model=SO_MODEL)
    ).json()
    person = Person.model_validate_json(body["choices"][0]["message"]["content"])
    assert person.address.street == "test"
    assert person.nickname is None  # only required properties


def test_json_object_default_is_valid_json(client: httpx.Client) -> None:
    body = client.post(
        "/chat/completions",
        json=chat(response_format={"type": "json_object"}, model=SO_MODEL),
    ).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {}


def test_scripted_replies_are_consumed_in_order_then_default() -> None:
    replies = [
        FakeReply(
            "first",
            model="google/gemma-4-31b-it:free",
            provider="Chutes",
            usage={"prompt_tokens": 99},
        ),
        FakeReply(
            reasoning="think hard",
            tool_calls=[
                FakeToolCall("lookup", {"q": "x"}),
                FakeToolCall("raw", "{not json", id="c9"),
            ],
        ),
    ]
    with (
        FakeOpenRouter(replies=replies) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        assert fake.pending_replies == 2
        first = http.post("/chat/completions", json=chat()).json()
        second = http.post("/chat/completions", json=chat()).json()
        third = http.post("/chat/completions", json=chat("again")).json()
        assert fake.pending_replies == 0
    assert first["choices"][0]["message"]["content"] == "first"
    assert (first["model"], first["provider"]) == (
        "google/gemma-4-31b-it:free",
        "Chutes",
    )
    assert first["usage"]["prompt_tokens"] == 99
    message = second["choices"][0]["message"]
    assert message["reasoning"] == "think hard"
    assert message["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "think hard",
            "format": "unknown",
            "index": 0,
        }
    ]
    assert [c["id"] for c in message["tool_calls"]] == ["call_0", "c9"]
    assert message["tool_calls"][1]["function"]["arguments"] == "{not json"
    assert second["choices"][0]["finish_reason"] == "tool_calls"
    assert second["usage"]["completion_tokens_details"]["reasoning_tokens"] == 2
    assert third["choices"][0]["message"]["content"] == "You said: again"


def test_responder_answers_from_the_request() -> None:
    def responder(request: Any) -> FakeReply:
        return FakeReply(
            f"{request.model} got {len(request.messages)} message(s)",
            finish_reason="length",
            keepalives=0,
        )

    with (
        FakeOpenRouter(responder=responder) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        response = http.post("/chat/completions", json=chat(model=PAID_MODEL))
    assert response.text.startswith("{")  # keepalives=0: no whitespace prefix
    choice = response.json()["choices"][0]
    assert choice["message"]["content"] == f"{PAID_MODEL} got 1 message(s)"
    assert choice["finish_reason"] == "length"


def test_a_broken_responder_is_reported_to_the_client() -> None:
    def responder(request: Any) -> Any:
        return "not a reply"

    with (
        FakeOpenRouter(responder=responder) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        response = http.post("/chat/completions", json=chat())
    assert response.status_code == 500
    assert "responder returned str" in response.json()["error"]["message"]
