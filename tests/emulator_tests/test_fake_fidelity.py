"""Fidelity: emulator output and real recordings parse to the same structure.

Both go through the package's own parsers (``parse_chat_completion``,
``StreamAccumulator``, ``error_from_response``), so a difference in shape that
matters to ``ChatOpenRouterFree`` shows up here.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import BaseMessage

from langchain_openrouter_free._error_mapping import (
    error_from_response,
)
from langchain_openrouter_free._response import parse_chat_completion
from langchain_openrouter_free._streaming import StreamAccumulator
from langchain_openrouter_free.errors import (
    OpenRouterAPIError,
    OpenRouterRateLimitError,
)
from langchain_openrouter_free.testing import (
    FakeOpenRouter,
    FakeReply,
    FakeToolCall,
    Fault,
)
from tests.emulator_tests._emulator_helpers import (
    WEATHER_TOOL,
    chat,
    parse_sse,
    recording,
)

REASONING_TOOL_REPLY = FakeReply(
    "Checking.",
    reasoning="I should call the tool",
    tool_calls=[FakeToolCall("get_weather", {"city": "Paris"})],
)

# Provider-specific facts that real answers carry only sometimes.
OPTIONAL_METADATA = {"system_fingerprint", "service_tier"}

# (recording id, extra request fields, scripted reply or None for the default)
CASES: list[tuple[str, dict[str, Any], FakeReply | None]] = [
    ("open_router_enhanced-104", {}, None),  # free model, text
    (
        "open_router_enhanced-110",
        {"tools": [WEATHER_TOOL]},
        None,
    ),  # free model, tool call
    ("ruby_llm-67", {}, REASONING_TOOL_REPLY),  # reasoning + tool call
    ("pydantic-ai-59", {"stream": True}, None),  # text stream, separate usage chunk
    (
        "open_router_enhanced-116",
        {"stream": True, "tools": [WEATHER_TOOL]},
        None,
    ),  # tool stream
    ("ruby_llm-65", {"stream": True}, REASONING_TOOL_REPLY),  # reasoning + tool stream
]


def _structure(message: BaseMessage) -> dict[str, Any]:
    return {
        "type": type(message).__name__.removesuffix("Chunk"),
        "content": type(message.content).__name__,
        "tool_calls": [sorted(call) for call in getattr(message, "tool_calls", [])],
        "tool_arg_types": [
            type(c["args"]).__name__ for c in getattr(message, "tool_calls", [])
        ],
        "invalid_tool_calls": len(getattr(message, "invalid_tool_calls", [])),
        "usage": sorted(getattr(message, "usage_metadata", None) or {}),
        "response_metadata": sorted(set(message.response_metadata) - OPTIONAL_METADATA),
        "additional_kwargs": sorted(message.additional_kwargs),
        "finish_reason": message.response_metadata.get("finish_reason"),
    }


def _parse(status: int, body_text: str, *, stream: bool) -> dict[str, Any]:
    assert status == 200
    if not stream:
        return _structure(
            parse_chat_completion(json.loads(body_text)).generations[0].message
        )
    accumulator = StreamAccumulator()
    chunks = []
    for event in parse_sse(body_text)[1]:
        chunks += accumulator.feed(event if event == "[DONE]" else json.dumps(event))
    chunks += accumulator.finish()
    message = chunks[0].message
    for chunk in chunks[1:]:
        message += chunk.message
    return _structure(message)


@pytest.mark.parametrize(
    ("record_id", "extra", "reply"), CASES, ids=[c[0] for c in CASES]
)
def test_emulator_and_recording_parse_alike(
    record_id: str, extra: dict[str, Any], reply: FakeReply | None
) -> None:
    real = recording(record_id)["response"]
    stream = bool(extra.get("stream"))
    with (
        FakeOpenRouter(replies=[reply] if reply else None) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        response = http.post(
            "/chat/completions", json=chat("weather in Paris?", **extra)
        )
    assert _parse(response.status_code, response.text, stream=stream) == _parse(
        real["status"], real["body"], stream=stream
    )


@pytest.mark.parametrize(
    ("record_id", "fault", "model"),
    [
        ("ruby_llm-18", Fault.unauthorized(), "x/y:free"),
        (
            "open_router_enhanced-27",
            Fault.invalid_model(availability=False),  # recorded before 2026-08
            "invalid-model-1",
        ),
        (
            "open_router_enhanced-47",
            Fault.upstream_rate_limit(provider_name="Chutes"),
            "alibaba/tongyi-deepresearch-30b-a3b:free",
        ),
    ],
)
def test_emulated_errors_type_like_recorded_errors(
    record_id: str, fault: Fault, model: str
) -> None:
    real = recording(record_id)["response"]
    with (
        FakeOpenRouter(replies=[fault], lenient=True) as fake,  # recorded ids
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        response = http.post("/chat/completions", json=chat(model=model))
    assert response.status_code == real["status"]
    ours = error_from_response(
        response.status_code, response.json(), dict(response.headers)
    )
    theirs = error_from_response(
        real["status"], json.loads(real["body"]), real["headers"]
    )
    assert type(ours) is type(theirs)
    assert ours.message == theirs.message
    if isinstance(theirs, OpenRouterRateLimitError):
        assert isinstance(ours, OpenRouterRateLimitError)
        assert ours.kind is theirs.kind


def test_mid_stream_errors_raise_like_the_recorded_one() -> None:
    real = recording("pydantic-ai-16")["response"]["body"]
    with (
        FakeOpenRouter(replies=[Fault.mid_stream_error(1, code=400)]) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        ours = http.post("/chat/completions", json=chat(stream=True)).text
    raised: list[OpenRouterAPIError] = []
    for body in (ours, real):
        with pytest.raises(OpenRouterAPIError) as info:
            _feed_all(body)
        raised.append(info.value)
    assert type(raised[0]) is type(raised[1])
    assert raised[0].status_code == raised[1].status_code == 400
    assert raised[0].message == raised[1].message


def _feed_all(body: str) -> None:
    accumulator = StreamAccumulator()
    for event in parse_sse(body)[1]:
        accumulator.feed(event if event == "[DONE]" else json.dumps(event))
