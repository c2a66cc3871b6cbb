"""Building, pooling and closing the httpx clients of an OpenRouterHTTPClient.

Async clients are pooled per event loop and can only be closed by a coroutine
on their own loop, so these tests drive real asyncio loops: ``asyncio.run``
(a loop that is closed afterwards) and a loop kept running in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import httpx
import pytest

from langchain_openrouter_free import _client, _pool
from tests.unit_tests._client_harness import (
    OK_BODY,
    Build,
    harness_builder,
    plain_client,
    record_built_clients,
    response,
)


@pytest.fixture
def wire(mode: str) -> Build:
    """Harnesses in the test's mode (sync or async)."""
    return harness_builder(mode)


@pytest.fixture
def built_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> list[httpx.Client | httpx.AsyncClient]:
    return record_built_clients(monkeypatch)


@pytest.fixture
def other_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread of its own for the whole test."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop).result(timeout=5)
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


def run_on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=5)


def eventually(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 5
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


async def test_injected_client_is_not_closed(wire: Build) -> None:
    h = wire(response(200, OK_BODY))
    await h.request_json(json={})
    await h.close()
    injected = (
        h.http._clients._client if h.mode == "sync" else h.http._clients._async_client
    )
    assert injected is not None
    assert not injected.is_closed
    await h.request_json(json={})
    assert h.wire.calls == 2


async def test_built_client_is_lazy_reused_and_closed(
    mode: str, built_clients: list[Any]
) -> None:
    http = plain_client()
    assert built_clients == []
    for _ in range(3):
        if mode == "sync":
            http.request_json("GET", "/key")
        else:
            await http.arequest_json("GET", "/key")
    assert len(built_clients) == 1
    assert not built_clients[0].is_closed
    if mode == "sync":
        http.close()
    else:
        await http.aclose()
    assert built_clients[0].is_closed


def test_construction_builds_no_httpx_client(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail("an httpx client was built at construction")

    monkeypatch.setattr(httpx, "Client", refuse)
    monkeypatch.setattr(httpx, "AsyncClient", refuse)
    http = plain_client()
    http.close()
    assert repr(http) == "OpenRouterHTTPClient(base_url='https://openrouter.ai/api/v1')"


def test_default_factories_build_clients_without_their_own_timeout() -> None:
    sync_client = _client._new_client()
    async_client = _client._new_async_client()
    try:
        assert sync_client.timeout == httpx.Timeout(None)
        assert async_client.timeout == httpx.Timeout(None)
    finally:
        sync_client.close()
        asyncio.run(async_client.aclose())


def test_async_client_is_rebuilt_for_a_new_event_loop(built_clients: list[Any]) -> None:
    http = plain_client()
    asyncio.run(http.arequest_json("GET", "/key"))
    asyncio.run(http.arequest_json("GET", "/key"))
    assert len(built_clients) == 2

    async def twice() -> None:
        await http.arequest_json("GET", "/key")
        await http.arequest_json("GET", "/key")
        await http.aclose()

    asyncio.run(twice())
    assert len(built_clients) == 3
    assert built_clients[2].is_closed


def test_aclose_also_closes_the_built_sync_client(built_clients: list[Any]) -> None:
    http = plain_client()
    http.request_json("GET", "/key")
    asyncio.run(http.aclose())
    assert built_clients[0].is_closed


# ------------------------------------------------------ async clients per loop


def test_clients_of_closed_loops_are_forgotten(built_clients: list[Any]) -> None:
    http = plain_client()
    for _ in range(3):
        asyncio.run(http.arequest_json("GET", "/key"))
    assert len(built_clients) == 3
    # Only the last loop's client is still held; the others could never be
    # used (nor closed) again.
    assert list(http._clients._async_clients.values()) == [built_clients[2]]
    http.close()  # its loop is closed: dropped quietly
    assert http._clients._async_clients == {}


def test_a_running_loop_keeps_its_client_when_another_loop_calls(
    built_clients: list[Any], other_loop: asyncio.AbstractEventLoop
) -> None:
    http = plain_client()
    run_on(other_loop, http.arequest_json("GET", "/key"))
    asyncio.run(http.arequest_json("GET", "/key"))
    run_on(other_loop, http.arequest_json("GET", "/key"))
    # The running loop's pool is reused, never closed under a request in flight.
    assert len(built_clients) == 2
    assert not built_clients[0].is_closed


def test_close_closes_the_client_of_a_loop_running_in_another_thread(
    built_clients: list[Any], other_loop: asyncio.AbstractEventLoop
) -> None:
    http = plain_client()
    run_on(other_loop, http.arequest_json("GET", "/key"))
    asyncio.run(http.arequest_json("GET", "/key"))  # loop A, closed afterwards
    asyncio.run(http.arequest_json("GET", "/key"))  # loop B, closed afterwards
    assert len(built_clients) == 3
    http.close()
    assert eventually(lambda: built_clients[0].is_closed)
    assert built_clients[2].is_closed  # closed as its loop shut down, no error
    assert http._clients._async_clients == {}
    http.close()  # idempotent


def test_close_from_inside_the_running_loop_schedules_aclose(
    built_clients: list[Any],
) -> None:
    http = plain_client()

    async def main() -> tuple[bool, bool]:
        await http.arequest_json("GET", "/key")
        http.close()  # sync code in a coroutine, as a weakref finalizer may run
        closed_at_once = built_clients[0].is_closed
        for _ in range(3):
            await asyncio.sleep(0)
        return closed_at_once, built_clients[0].is_closed

    assert asyncio.run(main()) == (False, True)


def test_aclose_awaits_its_own_loop_and_schedules_the_others(
    built_clients: list[Any], other_loop: asyncio.AbstractEventLoop
) -> None:
    http = plain_client()
    run_on(other_loop, http.arequest_json("GET", "/key"))

    async def main() -> bool:
        await http.arequest_json("GET", "/key")
        await http.aclose()
        return built_clients[1].is_closed

    assert asyncio.run(main()) is True
    assert eventually(lambda: built_clients[0].is_closed)


def test_close_action_follows_the_state_of_the_loop(
    other_loop: asyncio.AbstractEventLoop,
) -> None:
    idle = asyncio.new_event_loop()
    closed = asyncio.new_event_loop()
    closed.close()
    try:
        assert _pool.close_action(idle, None) == "drop"
        assert _pool.close_action(closed, None) == "drop"
        assert _pool.close_action(other_loop, None) == "schedule"
        assert _pool.close_action(other_loop, idle) == "schedule"
        assert _pool.close_action(idle, idle) == "await"
    finally:
        idle.close()


def test_scheduling_on_a_loop_that_just_closed_is_quiet() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: response(200, OK_BODY))
    )
    _pool.schedule_aclose(client, loop)  # call_soon_threadsafe raises inside
    assert not client.is_closed
    asyncio.run(client.aclose())


def test_a_failing_aclose_is_logged_not_raised(
    other_loop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    class Refusing(httpx.AsyncBaseTransport):
        async def aclose(self) -> None:
            msg = "pool already torn down"
            raise RuntimeError(msg)

    client = httpx.AsyncClient(transport=Refusing())
    with caplog.at_level(logging.DEBUG, logger="langchain_openrouter_free._client"):
        _pool.schedule_aclose(client, other_loop)
        assert eventually(lambda: "failed: RuntimeError" in caplog.text)
    assert client.is_closed
    assert eventually(lambda: not _pool.CLOSING)
