"""What works instead of ``init_chat_model`` (docs/guide.md), and why it is needed.

``init_chat_model("openrouter:...")`` builds another package's class; our
instance goes wherever LangChain takes a model, and ``configurable_fields``
switches the model per call.
"""

from __future__ import annotations

import warnings

import pytest
from langchain.agents import create_agent
from langchain.chat_models import init_chat_model
from langchain_core.runnables import ConfigurableField
from langchain_core.tools import tool

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._registry_model import UnknownModelError
from langchain_openrouter_free.errors import UnknownModelIdWarning
from tests.unit_tests._wire import completion_body, make_model, ok

FREE = "meta-llama/llama-3.3-70b-instruct:free"
QWEN = "qwen/qwen3-4b:free"


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}"


def _tool_call_answer() -> bytes:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    return completion_body(content="", tool_calls=[call], finish_reason="tool_calls")


def test_init_chat_model_openrouter_builds_a_different_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-test")
    other = init_chat_model(f"openrouter:{FREE}")
    assert not isinstance(other, ChatOpenRouterFree)
    assert type(other).__module__.split(".")[0] == "langchain_openrouter"
    with pytest.raises(ValueError, match="Unsupported provider"):
        init_chat_model(FREE, model_provider="openrouter_free")


def test_our_instance_runs_an_agent_loop() -> None:
    model, recorder = make_model([ok(_tool_call_answer()), ok()])
    agent = create_agent(model, tools=[get_weather])
    result = agent.invoke({"messages": [("user", "Weather in Paris?")]})
    assert result["messages"][-1].text
    first, second = recorder.bodies
    assert first["tools"][0]["function"]["name"] == "get_weather"
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "Sunny in Paris",
    }


def test_configurable_fields_switch_the_model_per_call() -> None:
    base, recorder = make_model([ok(), ok(), ok()])
    model = base.configurable_fields(
        model=ConfigurableField(id="model"),
        temperature=ConfigurableField(id="temperature"),
    )
    model.invoke("hi")
    model.invoke("hi", config={"configurable": {"model": QWEN, "temperature": 0.3}})
    model.invoke("hi")
    assert [b["model"] for b in recorder.bodies] == [FREE, QWEN, FREE]
    assert [b.get("temperature") for b in recorder.bodies] == [None, 0.3, None]
    assert base.model == FREE  # the configured default is left alone


def test_a_configured_model_gets_the_same_checks() -> None:
    base, recorder = make_model([ok()], strict_model_ids=True)
    model = base.configurable_fields(model=ConfigurableField(id="model"))
    with pytest.raises(ValueError, match="not free"):
        model.invoke("hi", config={"configurable": {"model": "openai/gpt-4o"}})
    with pytest.raises(UnknownModelError, match=FREE):
        model.invoke(
            "hi",
            config={"configurable": {"model": "meta-llama/lama-3.3-70b-instruct:free"}},
        )
    assert recorder.requests == []
    lenient, _ = make_model([ok()])
    switchable = lenient.configurable_fields(model=ConfigurableField(id="model"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        switchable.invoke("hi", config={"configurable": {"model": "acme/x:free"}})
    assert [w.category for w in caught] == [UnknownModelIdWarning]
