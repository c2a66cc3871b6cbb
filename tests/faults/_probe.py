"""Run one call against a hostile server and check what every fault must hold.

A scenario holds when the call gives a typed error or the correct answer,
within its time bound, under its memory cap, with every socket closed and no
task left behind, and with the key in none of the error's surfaces.
"""

from __future__ import annotations

import asyncio
import json
import time
import traceback
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import OpenRouterAPIError, OpenRouterError
from tests.faults._hostile import HostileServer

KEY: Final = "sk-or-v1-" + "5eb0c4a1" * 8
"""Shaped like a real key: redacted by its shape and by its value."""
ODD_KEY: Final = "gw-live-7f3a9c2b81d4e6"
"""Shaped like no known key: only exact-value redaction removes it."""
ACCOUNT: Final = "user_2tsSIuSAxDMYKP7X6YbWZaK19xm"
FREE: Final = "meta-llama/llama-3.3-70b-instruct:free"
TIMEOUT: Final = 0.5
TOTAL: Final = 1.5
BODY_CAP: Final = 256 * 1024
LINE_CAP: Final = 16 * 1024
SLACK: Final = 2.0
"""Scheduling slack on a shared machine, on top of the documented bound."""


@dataclass
class Outcome:
    text: str | None
    error: BaseException | None
    seconds: float
    peak_bytes: int


def make_model(
    server: HostileServer, *, key: str = KEY, **fields: Any
) -> ChatOpenRouterFree:
    settings: dict[str, Any] = {
        "model": FREE,
        "api_key": key,
        "base_url": server.base_url,
        "timeout": TIMEOUT,
        "total_timeout": TOTAL,
        "max_retries": 0,
        "max_response_bytes": BODY_CAP,
        "max_line_bytes": LINE_CAP,
    }
    return ChatOpenRouterFree(**(settings | fields))


def call(
    model: ChatOpenRouterFree, mode: str, *, stream: bool, measure: bool = False
) -> Outcome:
    """One invoke or stream, sync or async; the model is closed afterwards."""
    if measure:
        tracemalloc.start()
    started = time.monotonic()
    text: str | None = None
    error: BaseException | None = None
    try:
        if mode == "sync":
            try:
                text = _sync_call(model, stream=stream)
            finally:
                model.close()
        else:
            text = asyncio.run(_async_call(model, stream=stream))
    except Exception as exc:
        error = exc
    seconds = time.monotonic() - started
    peak = 0
    if measure:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return Outcome(text, error, seconds, peak)


def _sync_call(model: ChatOpenRouterFree, *, stream: bool) -> str:
    if stream:
        return "".join(chunk.text for chunk in model.stream("hi"))
    return model.invoke("hi").text


async def _async_call(model: ChatOpenRouterFree, *, stream: bool) -> str:
    try:
        if stream:
            return "".join([chunk.text async for chunk in model.astream("hi")])
        return (await model.ainvoke("hi")).text
    finally:
        await model.aclose()
        await asyncio.sleep(0)
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert left == [], f"tasks left running: {left}"


def surfaces(error: BaseException) -> dict[str, str]:
    """Every place a caller may print or log: message, repr, chain, attributes."""
    found = {
        "str": str(error),
        "repr": repr(error),
        "traceback": "".join(traceback.format_exception(error)),
        "args": repr(error.args),
    }
    if isinstance(error, OpenRouterError):
        found["partial_text"] = error.partial_text
    if isinstance(error, OpenRouterAPIError):
        for name in ("body", "metadata", "headers", "availability", "code"):
            found[name] = json.dumps(getattr(error, name), default=repr)
    return found


def leaked(
    error: BaseException | None, secrets: tuple[str, ...] = (KEY, ODD_KEY, ACCOUNT)
) -> list[str]:
    if error is None:
        return []
    return [
        f"{where} holds {secret[:10]}..."
        for where, text in surfaces(error).items()
        for secret in secrets
        if secret in text
    ]


def check(
    outcome: Outcome,
    server: HostileServer,
    *,
    expect: Callable[[Outcome], bool],
    bound: float = TOTAL + TIMEOUT,
    memory_cap: int | None = None,
    sockets: bool = True,
) -> None:
    """Assert everything a fault scenario must hold."""
    assert expect(outcome), f"unexpected outcome: {outcome.text!r} / {outcome.error!r}"
    if outcome.error is not None:
        assert isinstance(outcome.error, (OpenRouterError, ValueError)), repr(
            outcome.error
        )
    assert outcome.seconds <= bound + SLACK, f"took {outcome.seconds:.2f} s"
    if memory_cap is not None:
        assert outcome.peak_bytes <= memory_cap, f"peak {outcome.peak_bytes} B"
    if sockets:
        assert server.clients_closed(), "a client socket was left open"
    assert leaked(outcome.error) == []


def typed(*kinds: type[BaseException]) -> Callable[[Outcome], bool]:
    return lambda outcome: isinstance(outcome.error, kinds)


def answered(text: str) -> Callable[[Outcome], bool]:
    return lambda outcome: outcome.error is None and outcome.text == text
