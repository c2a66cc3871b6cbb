"""Side-by-side benchmarks (pytest-benchmark). Not part of the test suite.

Run: ``python -m pytest benchmarks --benchmark-enable -p no:randomly``.
Each group pairs our code path with the bare minimum that does the same I/O
or parsing (plain ``json.loads`` / raw httpx), so the ratio is our overhead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.language_models import FakeListChatModel

from langchain_openrouter_free import (
    ChatOpenRouterFree,
    get_free_model,
    list_free_models,
)
from langchain_openrouter_free._response import parse_chat_completion
from langchain_openrouter_free._streaming import StreamAccumulator

RECORDED = Path(__file__).resolve().parents[1] / "cassettes" / "recorded" / "chat"
FREE = "meta-llama/llama-3.3-70b-instruct:free"


def _record(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text())


def _sse_data(body: str) -> list[str]:
    return [line[6:] for line in body.splitlines() if line.startswith("data: ")]


@pytest.fixture(scope="module")
def tool_body() -> str:
    return _record("open_router_enhanced-110")["response"]["body"]


@pytest.fixture(scope="module")
def stream_lines() -> list[str]:
    return _sse_data(_record("pydantic-ai-19")["response"]["body"])


@pytest.mark.benchmark(group="parse-completion")
def test_parse_completion_ours(benchmark: Any, tool_body: str) -> None:
    result = benchmark(lambda: parse_chat_completion(json.loads(tool_body)))
    assert result.generations[0].message.tool_calls


@pytest.mark.benchmark(group="parse-completion")
def test_parse_completion_json_only(benchmark: Any, tool_body: str) -> None:
    benchmark(json.loads, tool_body)


def _accumulate(lines: list[str]) -> int:
    state = StreamAccumulator()
    count = 0
    for line in lines:
        count += len(state.feed(line))
    return count + len(state.finish())


@pytest.mark.benchmark(group="stream")
def test_stream_accumulate_ours(benchmark: Any, stream_lines: list[str]) -> None:
    assert benchmark(_accumulate, stream_lines) > 0


@pytest.mark.benchmark(group="stream")
def test_stream_json_only(benchmark: Any, stream_lines: list[str]) -> None:
    benchmark(lambda: [json.loads(x) for x in stream_lines if x != "[DONE]"])


def _transport(body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda _: httpx.Response(
            200, headers={"content-type": "application/json"}, content=body
        )
    )


@pytest.mark.benchmark(group="invoke")
def test_invoke_ours(benchmark: Any, tool_body: str) -> None:
    model = ChatOpenRouterFree(
        model=FREE,
        api_key="sk-or-v1-bench",
        http_client=httpx.Client(transport=_transport(tool_body.encode())),
    )
    message = benchmark(model.invoke, "What's the weather?")
    assert message.tool_calls


@pytest.mark.benchmark(group="invoke")
def test_invoke_raw_httpx(benchmark: Any, tool_body: str) -> None:
    client = httpx.Client(transport=_transport(tool_body.encode()))
    payload = {
        "model": FREE,
        "messages": [{"role": "user", "content": "What's the weather?"}],
    }
    benchmark(
        lambda: client.post(
            "https://openrouter.ai/api/v1/chat/completions", json=payload
        ).json()
    )


@pytest.mark.benchmark(group="invoke")
def test_invoke_langchain_floor(benchmark: Any) -> None:
    """LangChain's own per-call machinery: a fake model that does no I/O at all."""
    model = FakeListChatModel(responses=["Sunny."] * 1_000_000)
    benchmark(model.invoke, "What's the weather?")


@pytest.mark.benchmark(group="construct")
def test_construct_model(benchmark: Any) -> None:
    benchmark(ChatOpenRouterFree, model=FREE, api_key="sk-or-v1-bench")


@pytest.mark.benchmark(group="registry")
def test_get_free_model(benchmark: Any) -> None:
    get_free_model(FREE)
    benchmark(get_free_model, FREE)


@pytest.mark.benchmark(group="registry")
def test_get_free_model_by_seed_alias(benchmark: Any) -> None:
    get_free_model("google/gemma-3-27b:free")
    benchmark(get_free_model, "google/gemma-3-27b:free")


@pytest.mark.benchmark(group="registry")
def test_list_free_models_filtered(benchmark: Any) -> None:
    benchmark(list_free_models, tools=True, min_context=32_000)
