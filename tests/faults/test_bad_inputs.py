"""Bad inputs: refused with an error naming them, and nothing reaches the server."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from tests.faults._hostile import HostileServer, Request, Wire
from tests.faults._probe import KEY, leaked, make_model
from tests.faults.conftest import ScenarioCounter


def never(wire: Wire, _: Request) -> None:
    wire.send(b"HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n")


SETTINGS: list[tuple[str, dict[str, Any], str]] = [
    ("timeout inf", {"timeout": math.inf}, "timeout"),
    ("total_timeout nan", {"total_timeout": math.nan}, "total_timeout"),
    ("non-ASCII app_title", {"app_title": "Café"}, "app_title"),
    ("app_url with a newline", {"app_url": "https://a.test\n"}, "app_url"),
    ("base_url without scheme", {"base_url": "openrouter.ai/api/v1"}, "base_url"),
    ("base_url with a bad port", {"base_url": "http://127.0.0.1:port/v1"}, "base_url"),
    ("key with a newline inside", {"key": "sk-or-v1-abc\ndef"}, "api_key"),
    ("paid model", {"model": "openai/gpt-4o"}, "not free"),
    ("negative max_tokens", {"max_tokens": -1}, "max_tokens"),
    ("max_response_bytes 0", {"max_response_bytes": 0}, "max_response_bytes"),
]

MESSAGES: list[tuple[str, list[Any], str]] = [
    (
        "image without data",
        [HumanMessage(content=[{"type": "image", "source_type": "base64"}])],
        "needs",
    ),
    (
        "image url without url",
        [HumanMessage(content=[{"type": "image", "source_type": "url"}])],
        "needs",
    ),
    (
        "image_url part without url",
        [HumanMessage(content=[{"type": "image_url", "image_url": {}}])],
        "url",
    ),
    ("no messages", [], "message"),
    (
        "a lone surrogate in the text",
        [HumanMessage("half a pair: \ud800")],
        "surrogate",
    ),
]


def run(mode: str, model: Any, messages: list[Any]) -> None:
    if mode == "sync":
        model.invoke(messages)
    else:
        asyncio.run(model.ainvoke(messages))


@pytest.mark.parametrize(
    ("name", "fields", "says"), SETTINGS, ids=[s[0] for s in SETTINGS]
)
def test_a_bad_setting_is_refused_at_construction(
    name: str, fields: dict[str, Any], says: str, scenario: ScenarioCounter
) -> None:
    scenario.start()
    with HostileServer(never) as server:
        with pytest.raises(ValueError, match=says) as caught:
            make_model(server, **fields)
        assert server.requests == []
    assert leaked(caught.value, (KEY, "sk-or-v1-abc")) == []
    scenario.held()


@pytest.mark.parametrize(
    ("name", "messages", "says"), MESSAGES, ids=[m[0] for m in MESSAGES]
)
def test_a_bad_message_is_refused_before_sending(
    mode: str, name: str, messages: list[Any], says: str, scenario: ScenarioCounter
) -> None:
    scenario.start()
    with HostileServer(never) as server:
        model = make_model(server)
        with pytest.raises(ValueError, match=says) as caught:
            run(mode, model, messages)
        model.close()
        assert server.requests == []
    assert leaked(caught.value) == []
    scenario.held()
