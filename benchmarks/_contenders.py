"""Everyone measured, behind one small interface.

A `Subject` invokes or streams a list of LangChain messages, sync or async,
and can bind tools. Floors: raw httpx + httpx-sse (the bytes on the wire and
nothing else) and a langchain-core ``BaseChatModel`` doing no I/O (LangChain's
own per-call and per-chunk machinery). Contenders: ChatOpenRouterFree,
ChatOpenAI(base_url=...) and ChatOpenRouter, each given an injected client on a
mock transport (`benchmarks._wire.Canned`) or pointed at the emulator.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import aconnect_sse, connect_sse
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from benchmarks._wire import KEY, MODEL, URL, Canned

RAW = "httpx + httpx-sse"
CORE = "langchain-core, no I/O"
LIMIT = "limit (sum of floors)"
OURS = "ChatOpenRouterFree"
OPENAI = "ChatOpenAI"
OPENROUTER = "ChatOpenRouter"
FLOORS = (RAW, CORE)
CONTENDERS = (OURS, OPENAI, OPENROUTER)


@dataclass
class Target:
    """Where requests go: a mock transport (``canned``) or a loopback URL."""

    canned: Canned | None = None
    base_url: str = URL

    def client(self) -> httpx.Client:
        if self.canned is not None:
            return httpx.Client(transport=self.canned.httpx_transport())
        return httpx.Client(trust_env=False, timeout=120)

    def async_client(self) -> httpx.AsyncClient:
        if self.canned is not None:
            return httpx.AsyncClient(transport=self.canned.httpx_transport())
        return httpx.AsyncClient(trust_env=False, timeout=120)


@dataclass
class Subject:
    """One contender, ready to call."""

    name: str
    model: Any
    closers: list[Callable[[], Any]] = field(default_factory=list)

    def invoke(self, messages: Sequence[BaseMessage]) -> Any:
        return self.model.invoke(messages)

    def stream(self, messages: Sequence[BaseMessage]) -> int:
        return sum(1 for _ in self.model.stream(messages))

    async def ainvoke(self, messages: Sequence[BaseMessage]) -> Any:
        return await self.model.ainvoke(messages)

    async def astream(self, messages: Sequence[BaseMessage]) -> int:
        count = 0
        async for _ in self.model.astream(messages):
            count += 1
        return count

    def with_tools(self, tools: list[dict[str, Any]]) -> Subject:
        if not tools:
            return self
        return Subject(self.name, self.model.bind_tools(tools), self.closers)

    async def aclose(self) -> None:
        for close in self.closers:
            result = close()
            if hasattr(result, "__await__"):
                await result


# ---------------------------------------------------------------- floors


def _wire_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    return [{"role": m.type, "content": m.content} for m in messages]


class RawHttpx:
    """The bytes on the wire and nothing else: POST, parse JSON or SSE events."""

    def __init__(self, target: Target, tools: list[dict[str, Any]] | None = None):
        self.target = target
        self.url = f"{target.base_url}/chat/completions"
        self.headers = {"Authorization": f"Bearer {KEY}"}
        self.tools = tools or []
        self.client = target.client()
        self.aclient = target.async_client()

    def _payload(self, messages: Sequence[BaseMessage], *, stream: bool) -> dict:
        payload: dict[str, Any] = {"model": MODEL, "messages": _wire_messages(messages)}
        if self.tools:
            payload["tools"] = self.tools
        if stream:
            payload["stream"] = True
        return payload

    def invoke(self, messages: Sequence[BaseMessage]) -> Any:
        payload = self._payload(messages, stream=False)
        return self.client.post(self.url, json=payload, headers=self.headers).json()

    def stream(self, messages: Sequence[BaseMessage]) -> Iterator[Any]:
        payload = self._payload(messages, stream=True)
        with connect_sse(
            self.client, "POST", self.url, json=payload, headers=self.headers
        ) as events:
            for event in events.iter_sse():
                if event.data != "[DONE]":
                    yield json.loads(event.data)

    async def ainvoke(self, messages: Sequence[BaseMessage]) -> Any:
        payload = self._payload(messages, stream=False)
        response = await self.aclient.post(self.url, json=payload, headers=self.headers)
        return response.json()

    async def astream(self, messages: Sequence[BaseMessage]) -> AsyncIterator[Any]:
        payload = self._payload(messages, stream=True)
        async with aconnect_sse(
            self.aclient, "POST", self.url, json=payload, headers=self.headers
        ) as events:
            async for event in events.aiter_sse():
                if event.data != "[DONE]":
                    yield json.loads(event.data)

    def bind_tools(self, tools: list[dict[str, Any]]) -> RawHttpx:
        bound = RawHttpx.__new__(RawHttpx)
        bound.__dict__.update(self.__dict__)
        bound.tools = tools
        return bound


class NoIOChatModel(BaseChatModel):
    """LangChain's own cost: a chat model whose answer needs no I/O at all."""

    text: str = "Sunny, 21 degrees."
    pieces: int = 1000
    piece: str = "word "

    @property
    def _llm_type(self) -> str:
        return "no-io"

    def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> ChatResult:
        message = AIMessage(content=self.text)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self, messages: Any, stop: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        # A new string per chunk, as parsing each event gives one.
        text = self.piece * self.pieces
        size = len(self.piece)
        for start in range(0, len(text), size):
            piece = text[start : start + size]
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


# ----------------------------------------------------------- contenders


def _ours(target: Target) -> Subject:
    from langchain_openrouter_free import ChatOpenRouterFree

    options: dict[str, Any] = {}
    if "requests_per_minute" in ChatOpenRouterFree.model_fields:
        options["requests_per_minute"] = None  # the free-tier limiter is off
    client, aclient = target.client(), target.async_client()
    model = ChatOpenRouterFree(
        model=MODEL,
        api_key=KEY,
        base_url=target.base_url,
        http_client=client,
        http_async_client=aclient,
        **options,
    )
    return Subject(OURS, model, [client.close, aclient.aclose])


def _openai(target: Target) -> Subject:
    import httpx2
    from langchain_openai import ChatOpenAI

    if target.canned is not None:
        client = httpx2.Client(transport=target.canned.httpx2_transport())
        aclient = httpx2.AsyncClient(transport=target.canned.httpx2_transport())
    else:
        client = httpx2.Client(trust_env=False, timeout=120)
        aclient = httpx2.AsyncClient(trust_env=False, timeout=120)
    model = ChatOpenAI(
        model=MODEL,
        api_key=KEY,
        base_url=target.base_url,
        http_client=client,
        http_async_client=aclient,
    )
    return Subject(OPENAI, model, [client.close, aclient.aclose])


def _openrouter(target: Target) -> Subject:
    import openrouter
    from langchain_openrouter import ChatOpenRouter

    client, aclient = target.client(), target.async_client()
    sdk = openrouter.OpenRouter(
        api_key=KEY, server_url=target.base_url, client=client, async_client=aclient
    )
    model = ChatOpenRouter(model=MODEL, api_key=KEY, client=sdk)
    return Subject(OPENROUTER, model, [client.close, aclient.aclose])


def _raw(target: Target) -> Subject:
    raw = RawHttpx(target)
    return Subject(RAW, raw, [raw.client.close, raw.aclient.aclose])


def _core(_: Target) -> Subject:
    return Subject(CORE, NoIOChatModel())


FACTORIES: dict[str, Callable[[Target], Subject]] = {
    RAW: _raw,
    CORE: _core,
    OURS: _ours,
    OPENAI: _openai,
    OPENROUTER: _openrouter,
}


def build(
    names: Sequence[str], target: Target
) -> tuple[dict[str, Subject], dict[str, str]]:
    """The subjects that could be built, and why the others could not."""
    subjects: dict[str, Subject] = {}
    missing: dict[str, str] = {}
    for name in names:
        try:
            subjects[name] = FACTORIES[name](target)
        except ImportError as exc:
            missing[name] = f"not installed ({exc.name})"
    return subjects, missing
