"""Keeping pooled connections healthy: draining streams, closing async clients.

Helpers of `langchain_openrouter_free._client` that decide when a stream's
rest is read (so its connection goes back to the pool), which httpx client a
request uses (`Clients`: an injected one as given, built ones lazily, one
async client per event loop) and how an async httpx client, which belongs to
one event loop, gets closed. httpx is only named in type hints here: clients
are built by factories `_client.py` passes in, and closed with their own
``close`` / ``aclose``; `_client.py` remains the one module that talks to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, TypeVar

from langchain_openrouter_free import errors

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterator,
        Callable,
        Iterator,
        Mapping,
    )

    import httpx

__all__ = [
    "CLOSING",
    "DRAIN_MAX_BYTES",
    "DRAIN_MAX_SECONDS",
    "Clients",
    "CloseAction",
    "DrainBudget",
    "Loop",
    "aclose_quietly",
    "adrain",
    "close_action",
    "close_with_loop",
    "drain",
    "may_drain",
    "open_loops_only",
    "schedule_aclose",
]

_LOG: Final = logging.getLogger("langchain_openrouter_free._client")
V = TypeVar("V")
CloseAction: TypeAlias = Literal["await", "schedule", "drop"]
Loop: TypeAlias = asyncio.AbstractEventLoop
CLOSING: Final[set[asyncio.Task[None]]] = set()
"""Strong references to scheduled ``aclose`` tasks until they finish."""
DRAIN_MAX_BYTES: Final = 1 << 20
DRAIN_MAX_SECONDS: Final = 0.5
"""How much of a stream's rest is read after the caller is done with it.

A body read to its end leaves the connection in the pool for the next request
(an unread one is discarded, and the next request opens a new connection and,
against OpenRouter, a new TLS session). After ``[DONE]`` only the end of the
body is left; a stream the caller cut short is read on for at most this many
bytes and seconds (checked between reads) before the connection is dropped.
"""


def may_drain(exc: BaseException) -> bool:
    """Whether the rest of a stream may be read after ``exc`` left the block.

    An error, or the caller closing the stream early (``GeneratorExit``),
    still leaves time to read on; a cancellation or an interrupt does not.
    """
    return isinstance(exc, Exception | GeneratorExit)


class DrainBudget:
    """The bytes and time a stream's rest may take (`DRAIN_MAX_BYTES`)."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._bytes = response.num_bytes_downloaded + DRAIN_MAX_BYTES
        self._deadline = time.monotonic() + DRAIN_MAX_SECONDS

    def spent(self) -> bool:
        return (
            self._response.num_bytes_downloaded > self._bytes
            or time.monotonic() > self._deadline
        )


def drain(events: Iterator[str], budget: DrainBudget) -> None:
    """Read the events left, within ``budget``, so the connection is reused."""
    with contextlib.suppress(errors.OpenRouterError):
        for _ in events:
            if budget.spent():
                return


async def adrain(events: AsyncIterator[str], budget: DrainBudget) -> None:
    """Async `_drain`."""
    with contextlib.suppress(errors.OpenRouterError):
        async for _ in events:
            if budget.spent():
                return


# ------------------------------------------------------- closing async clients


def close_action(loop: Loop, running: Loop | None) -> CloseAction:
    """How an async client used on ``loop`` can be closed from ``running``.

    Args:
        loop: The event loop the client was used on.
        running: The loop the caller runs on, or None from sync code.

    Returns:
        ``"await"`` it here, ``"schedule"`` its ``aclose`` on its own (running)
        loop, or ``"drop"`` it because that loop has stopped or closed.
    """
    if loop is running:
        return "await"
    if loop.is_running() and not loop.is_closed():
        return "schedule"
    return "drop"


def open_loops_only(clients: Mapping[Loop, V]) -> dict[Loop, V]:
    return {loop: client for loop, client in clients.items() if not loop.is_closed()}


def close_with_loop(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """Arrange for ``client`` to be closed when its event loop shuts down.

    An async client's sockets belong to the loop it was used on and can only
    be closed on it. ``asyncio.run`` (and every runner built on
    ``asyncio.Runner``) calls ``loop.shutdown_asyncgens()`` before closing
    the loop, which closes every started async generator of that loop: this
    one's ``finally`` then closes the client, on its own loop, so a program
    that calls ``asyncio.run`` again and again leaves no transport open and
    no ``ResourceWarning``. Keep the returned generator referenced (the loop
    only holds it weakly).
    """

    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await aclose_quietly(client)

    generator = closer()
    with contextlib.suppress(StopIteration):
        generator.__anext__().send(None)  # start it: the loop now tracks it
    return generator


def schedule_aclose(client: httpx.AsyncClient, loop: Loop) -> None:
    """Run ``client.aclose()`` as a task on ``loop``, from any thread (best effort)."""

    def start() -> None:
        task = loop.create_task(aclose_quietly(client))
        CLOSING.add(task)
        task.add_done_callback(CLOSING.discard)

    with contextlib.suppress(RuntimeError):  # the loop closed in the meantime
        loop.call_soon_threadsafe(start)


async def aclose_quietly(client: httpx.AsyncClient) -> None:
    try:
        await client.aclose()
    except Exception as exc:  # noqa: BLE001 - closing is best effort
        _LOG.debug("Closing a pooled async httpx client failed: %s", type(exc).__name__)


class Clients:
    """The httpx clients of one `OpenRouterHTTPClient`, and their closing.

    Clients are built lazily on first use (building one is not free) and
    reused, so connections are pooled across calls. A pooled async connection
    belongs to the event loop that opened it, so one async client is built per
    event loop (a second ``asyncio.run`` gets a fresh one) and closed on that
    loop when it shuts down; the clients of loops that have closed are
    dropped. Injected clients are used as they are and never closed here.

    Args:
        client: An injected sync client, or None to build one.
        async_client: An injected async client, or None to build one per loop.
        new_client: Builds the sync client.
        new_async_client: Builds an async client.
    """

    def __init__(
        self,
        client: httpx.Client | None,
        async_client: httpx.AsyncClient | None,
        *,
        new_client: Callable[[], httpx.Client],
        new_async_client: Callable[[], httpx.AsyncClient],
    ) -> None:
        """Keep the injected clients and the factories; nothing is built yet."""
        self._client = client
        self._owns_client = client is None
        self._async_client = async_client  # injected; built ones are per loop
        self._async_clients: dict[Loop, httpx.AsyncClient] = {}
        self._closers: dict[Loop, AsyncGenerator[None, None]] = {}
        self._lock = threading.Lock()
        self._new_client = new_client
        self._new_async_client = new_async_client

    def sync(self) -> httpx.Client:
        """The sync client (built on first use)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._new_client()
        return self._client

    def for_running_loop(self) -> httpx.AsyncClient:
        """The async client of the running event loop (built on first use)."""
        if self._async_client is not None:
            return self._async_client
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._async_clients.get(loop)
            if client is None:
                # A client whose loop has closed can never be used (nor
                # closed) again: forget it, so a program that calls
                # ``asyncio.run`` over and over keeps one client.
                self._async_clients = open_loops_only(self._async_clients)
                self._closers = open_loops_only(self._closers)
                client = self._async_clients[loop] = self._new_async_client()
                self._closers[loop] = close_with_loop(client)
        return client

    def close(self) -> None:
        """Close, as far as sync code can, every client built here.

        What is guaranteed:

        - The built sync client is closed before this returns.
        - A built async client can only be closed by a coroutine on the event
          loop it was used on. If that loop is still running (in this thread,
          as when called from sync code inside a coroutine, or in another
          one), ``aclose()`` is scheduled on it and runs at its next turn; it
          completes if the loop keeps running for a moment.
        - An async client whose loop has stopped or closed was already closed
          by that loop's ``shutdown_asyncgens`` (``asyncio.run`` does that,
          see `close_with_loop`); a loop closed without it leaves the client
          to be released when it is garbage-collected.
        - Injected clients are left open; their owner closes them.

        Idempotent, safe from any thread and from a ``weakref.finalize``
        callback; never raises for a closed loop. Use `aclose` from the
        client's own loop to close it for certain.
        """
        self._close_sync_client()
        for loop, client in self._take_async_clients():
            if close_action(loop, None) == "schedule":
                schedule_aclose(client, loop)

    async def aclose(self) -> None:
        """Close every client built here; the running loop's before returning."""
        self._close_sync_client()
        running = asyncio.get_running_loop()
        for loop, client in self._take_async_clients():
            action = close_action(loop, running)
            if action == "await":
                await client.aclose()
            elif action == "schedule":
                schedule_aclose(client, loop)

    def _take_async_clients(self) -> list[tuple[Loop, httpx.AsyncClient]]:
        with self._lock:
            taken, self._async_clients = self._async_clients, {}
        return list(taken.items())

    def _close_sync_client(self) -> None:
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            client.close()
