"""Agents run to completion offline: ``create_agent`` and a LangGraph tool loop.

Each test replays its cassette from ``cassettes/integration/test_agents/``.
The cassettes were recorded against `FakeOpenRouter` with the replies
scripted below: a test starts the emulator itself, and only when recording
(``--record-mode`` other than ``none``, e.g. under
``scripts/record_cassettes.py`` or ``pytest --record-mode=once``). On replay
the model points at an unroutable placeholder URL, so nothing but the
cassette can answer (the matcher ignores the host and compares the JSON
bodies, so a replay passes only if every request is the recorded one).

The requests are captured on the way out with httpx event hooks, so the
assertions see exactly what the model sent in this run.

Marked ``scripted``: a live re-recording (``record_cassettes.py --live``)
leaves them alone, since their assertions depend on the scripted answers.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from pydantic import BaseModel, Field

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.registry import get_free_model
from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, FakeToolCall

pytestmark = [
    pytest.mark.vcr,
    pytest.mark.scripted,
    pytest.mark.allow_hosts(["127.0.0.1"]),  # the emulator, while recording
]

STRUCTURED_MODEL = "qwen/qwen3-next-80b-a3b-instruct:free"
"""Lists tools and structured_outputs: create_agent uses the provider strategy."""
TOOLS_ONLY_MODEL = "meta-llama/llama-3.3-70b-instruct:free"
"""Lists tools, not structured_outputs: create_agent uses the tool strategy."""
REASONING_MODEL = "nvidia/nemotron-3-nano-30b-a3b:free"
"""Lists tools and reasoning: the LangGraph loop replays reasoning each turn."""
REPLAY_BASE_URL = "http://127.0.0.1:1/api/v1"
"""Nothing listens there: on replay only the cassette can answer."""
API_KEY = "sk-or-v1-agent-tests"
PROMPT = "What is the weather in Paris, and what time is it there?"


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"18C and sunny in {city}"


@tool
def get_local_time(timezone: str) -> str:
    """Current local time in an IANA timezone."""
    return f"12:00 in {timezone}"


class WeatherReport(BaseModel):
    """The answer to give the user."""

    city: str = Field(description="The city asked about")
    temperature_c: int = Field(description="Temperature in degrees Celsius")
    local_time: str = Field(description="Local time, HH:MM")


REPORT = WeatherReport(city="Paris", temperature_c=18, local_time="12:00")
WEATHER_CALL = FakeToolCall("get_weather", {"city": "Paris"}, id="call_weather_1")
TIME_CALL = FakeToolCall(
    "get_local_time", {"timezone": "Europe/Paris"}, id="call_time_2"
)


# ---------------------------------------------------------------- plumbing


class SentRequests:
    """The chat request bodies the model sent, captured by httpx event hooks."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.client = httpx.Client(event_hooks={"request": [self.capture]})
        self.async_client = httpx.AsyncClient(event_hooks={"request": [self.acapture]})

    def capture(self, request: httpx.Request) -> None:
        if request.url.path.endswith("/chat/completions"):
            self.bodies.append(json.loads(request.read()))

    async def acapture(self, request: httpx.Request) -> None:
        self.capture(request)


@pytest.fixture
async def sent() -> AsyncIterator[SentRequests]:
    wire = SentRequests()
    yield wire
    wire.client.close()
    await wire.async_client.aclose()


@contextmanager
def base_url_for(
    request: pytest.FixtureRequest, replies: Sequence[FakeReply]
) -> Iterator[str]:
    """The emulator's URL when the cassette will be written, else the placeholder.

    ``vcr.write_protected`` is vcrpy's own answer: true on replay (``none``,
    or ``once`` with the cassette present), false when recording.
    """
    if request.getfixturevalue("vcr").write_protected:
        yield REPLAY_BASE_URL
        return
    with FakeOpenRouter(replies=list(replies)) as fake:
        yield fake.base_url
        assert fake.pending_replies == 0, "the scenario did not use every reply"


def make_model(base_url: str, sent: SentRequests, **fields: Any) -> ChatOpenRouterFree:
    return ChatOpenRouterFree(
        base_url=base_url,
        api_key=API_KEY,
        max_retries=0,
        http_client=sent.client,
        http_async_client=sent.async_client,
        **fields,
    )


def tool_names(body: dict[str, Any]) -> list[str]:
    return [entry["function"]["name"] for entry in body.get("tools", [])]


def sent_calls(message: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in message.get("tool_calls", [])
    ]


TOOL_RESULTS = [
    {
        "role": "tool",
        "tool_call_id": "call_weather_1",
        "content": "18C and sunny in Paris",
    },
    {"role": "tool", "tool_call_id": "call_time_2", "content": "12:00 in Europe/Paris"},
]
BOTH_CALLS = [
    ("call_weather_1", "get_weather", {"city": "Paris"}),
    ("call_time_2", "get_local_time", {"timezone": "Europe/Paris"}),
]


def test_the_scenarios_models_have_the_capabilities_they_rely_on() -> None:
    structured = get_free_model(STRUCTURED_MODEL)
    tools_only = get_free_model(TOOLS_ONLY_MODEL)
    reasoning = get_free_model(REASONING_MODEL)
    assert structured.supports_tools
    assert structured.supports_structured_output
    assert tools_only.supports_tools
    assert not tools_only.supports_structured_output
    assert reasoning.supports_tools
    assert reasoning.supports_reasoning


# ---------------------------------------------------------------- create_agent


def agent_messages(result: dict[str, Any]) -> list[type]:
    return [type(message) for message in result["messages"]]


def test_create_agent_two_tools_and_provider_structured_output(
    request: pytest.FixtureRequest, sent: SentRequests
) -> None:
    replies = [
        FakeReply(tool_calls=(WEATHER_CALL, TIME_CALL)),
        FakeReply(REPORT.model_dump_json()),
    ]
    with base_url_for(request, replies) as base_url:
        model = make_model(base_url, sent, model=STRUCTURED_MODEL, temperature=0)
        agent = create_agent(
            model, tools=[get_weather, get_local_time], response_format=WeatherReport
        )
        result = agent.invoke({"messages": [HumanMessage(PROMPT)]})

    assert result["structured_response"] == REPORT
    assert agent_messages(result) == [
        HumanMessage,
        AIMessage,
        ToolMessage,
        ToolMessage,
        AIMessage,
    ]
    first, second = sent.bodies
    for body in (first, second):
        assert body["model"] == STRUCTURED_MODEL
        assert tool_names(body) == ["get_weather", "get_local_time"]
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["name"] == "WeatherReport"
        assert "tool_choice" not in body
    assert first["messages"] == [{"role": "user", "content": PROMPT}]
    user, assistant, *tool_results = second["messages"]
    assert user == {"role": "user", "content": PROMPT}
    assert sent_calls(assistant) == BOTH_CALLS
    assert tool_results == TOOL_RESULTS


async def test_create_agent_two_tools_and_tool_strategy_structured_output(
    request: pytest.FixtureRequest, sent: SentRequests
) -> None:
    report_call = FakeToolCall("WeatherReport", REPORT.model_dump(), id="call_report_3")
    replies = [
        FakeReply(tool_calls=(WEATHER_CALL, TIME_CALL)),
        FakeReply(tool_calls=(report_call,)),
    ]
    with base_url_for(request, replies) as base_url:
        model = make_model(base_url, sent, model=TOOLS_ONLY_MODEL, temperature=0)
        agent = create_agent(
            model, tools=[get_weather, get_local_time], response_format=WeatherReport
        )
        result = await agent.ainvoke({"messages": [HumanMessage(PROMPT)]})

    assert result["structured_response"] == REPORT
    last_call = result["messages"][-2]
    assert isinstance(last_call, AIMessage)
    assert last_call.tool_calls[0]["name"] == "WeatherReport"
    first, second = sent.bodies
    for body in (first, second):
        assert tool_names(body) == ["get_weather", "get_local_time", "WeatherReport"]
        assert body["tool_choice"] == "required"  # LangChain's "any"
        assert "response_format" not in body
    user, assistant, *tool_results = second["messages"]
    assert user == {"role": "user", "content": PROMPT}
    assert sent_calls(assistant) == BOTH_CALLS
    assert tool_results == TOOL_RESULTS


# ---------------------------------------------------------------- LangGraph


def build_graph(model: ChatOpenRouterFree) -> Any:
    tools = [get_weather, get_local_time]
    bound = model.bind_tools(tools)

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [bound.invoke(state["messages"])]}

    async def aagent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await bound.ainvoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", RunnableLambda(agent, afunc=aagent))
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition, ["tools", END])
    graph.add_edge("tools", "agent")
    return graph.compile()


FINAL_ANSWER = "In Paris it is 18C and sunny, and the local time is 12:00."


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_langgraph_tool_loop_streams_and_replays_reasoning(
    request: pytest.FixtureRequest, sent: SentRequests, mode: str
) -> None:
    replies = [
        FakeReply(reasoning="I need the weather first.", tool_calls=(WEATHER_CALL,)),
        FakeReply(reasoning="Now the local time.", tool_calls=(TIME_CALL,)),
        FakeReply(FINAL_ANSWER, reasoning="I have both facts."),
    ]
    with base_url_for(request, replies) as base_url:
        model = make_model(
            base_url,
            sent,
            model=REASONING_MODEL,
            streaming=True,
            reasoning={"effort": "low"},
        )
        graph = build_graph(model)
        state = {"messages": [HumanMessage(PROMPT)]}
        if mode == "sync":
            result = graph.invoke(state)
        else:
            result = await graph.ainvoke(state)

    messages = result["messages"]
    assert messages[-1].text == FINAL_ANSWER
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [(m.tool_call_id, m.content) for m in tool_messages] == [
        ("call_weather_1", "18C and sunny in Paris"),
        ("call_time_2", "12:00 in Europe/Paris"),
    ]
    assert len(sent.bodies) == 3
    for body in sent.bodies:
        assert body["stream"] is True
        assert body["reasoning"] == {"effort": "low"}
        assert tool_names(body) == ["get_weather", "get_local_time"]
    third = sent.bodies[2]["messages"]
    assert [m["role"] for m in third] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
    ]
    weather_turn, time_turn = third[1], third[3]
    assert sent_calls(weather_turn) == [BOTH_CALLS[0]]
    assert sent_calls(time_turn) == [BOTH_CALLS[1]]
    assert weather_turn["reasoning"] == "I need the weather first."
    assert time_turn["reasoning"] == "Now the local time."
    for turn, thought in (
        (weather_turn, "I need the weather first."),
        (time_turn, "Now the local time."),
    ):
        [detail] = turn["reasoning_details"]  # the streamed fragments, merged once
        assert detail["type"] == "reasoning.text"
        assert detail["text"] == thought
    assert [third[2], third[4]] == TOOL_RESULTS
