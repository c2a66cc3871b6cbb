"""A finished or abandoned stream leaves its connection in the pool.

httpx keeps a connection only when the response body was read to its end, so
the client reads on after ``[DONE]`` (and, within a bound, after a caller
stops early). The emulator counts the TCP connections it accepts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from langchain_openrouter_free import _pool
from langchain_openrouter_free.chat_models import ChatOpenRouterFree
from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply

MODEL = "meta-llama/llama-3.3-70b-instruct:free"
STREAMS = 20
ANSWER = "one two three four five six seven eight nine ten"


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    replies = [FakeReply(ANSWER) for _ in range(STREAMS)]
    with FakeOpenRouter(replies=replies) as server:
        yield server


async def _other_tasks_done() -> None:
    """Wait for every task of this loop but the test's own (the emulator has its own loop)."""
    current = asyncio.current_task()
    while pending := [t for t in asyncio.all_tasks() if t is not current]:
        await asyncio.wait(pending)


@pytest.fixture(autouse=True)
def _no_drain_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # What is proved here is reuse; the time bound is tested in the unit tests and
    # must not discard a connection on a slow machine.
    monkeypatch.setattr(_pool, "DRAIN_MAX_SECONDS", 3600.0)


def _model(fake: FakeOpenRouter, **clients: object) -> ChatOpenRouterFree:
    return ChatOpenRouterFree(
        base_url=fake.base_url, api_key="sk-test", model=MODEL, **clients
    )


def test_sequential_streams_share_one_connection(fake: FakeOpenRouter) -> None:
    with httpx.Client(trust_env=False, timeout=10) as http:
        model = _model(fake, http_client=http)
        for _ in range(STREAMS):
            text = "".join(chunk.text for chunk in model.stream("count"))
            assert text == ANSWER
    assert fake.count("/chat/completions") == STREAMS
    assert fake.connections_accepted == 1


def test_streams_cut_short_by_the_caller_share_one_connection(
    fake: FakeOpenRouter,
) -> None:
    with httpx.Client(trust_env=False, timeout=10) as http:
        model = _model(fake, http_client=http)
        for _ in range(STREAMS):
            for chunk in model.stream("count"):
                assert chunk.text
                break
    assert fake.count("/chat/completions") == STREAMS
    assert fake.connections_accepted == 1


async def test_sequential_async_streams_share_one_connection(
    fake: FakeOpenRouter,
) -> None:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        model = _model(fake, http_async_client=http)
        for _ in range(STREAMS):
            text = "".join([chunk.text async for chunk in model.astream("count")])
            assert text == ANSWER
    assert fake.connections_accepted == 1


async def test_async_streams_cut_short_share_one_connection(
    fake: FakeOpenRouter,
) -> None:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        model = _model(fake, http_async_client=http)
        for _ in range(STREAMS):
            stream = model.astream("count")
            async for chunk in stream:
                assert chunk.text
                break
            await stream.aclose()
            # LangChain's astream leaves our _astream to the loop's async-generator
            # finalizer, a task of its own: wait until it has read the rest.
            await _other_tasks_done()
    assert fake.count("/chat/completions") == STREAMS
    assert fake.connections_accepted == 1


def test_built_client_reuses_its_connection(fake: FakeOpenRouter) -> None:
    model = _model(fake)
    try:
        for _ in range(STREAMS):
            assert "".join(chunk.text for chunk in model.stream("count")) == ANSWER
    finally:
        model.close()
    assert fake.connections_accepted == 1
