"""Keeping pooled connections healthy: draining streams, closing async clients.

Helpers of `langchain_openrouter_free._client` that decide when a stream's
rest is read (so its connection goes back to the pool) and how an async httpx
client, which belongs to one event loop, gets closed. httpx is only named in
type hints here; `_client.py` remains the one module that talks to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, TypeVar

from langchain_openrouter_free import errors

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping

    import httpx

__all__ = [
    "CLOSING",
    "DRAIN_MAX_BYTES",
    "DRAIN_MAX_SECONDS",
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
