"""A real recorded stream, cut by a connection reset at every byte offset."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

from langchain_openrouter_free import errors
from langchain_openrouter_free.errors import OpenRouterError
from tests.faults._hostile import HostileServer, Request, Wire, head
from tests.faults._probe import SLACK, TIMEOUT, TOTAL, leaked, make_model
from tests.faults.conftest import ScenarioCounter

RECORDING = (
    Path(__file__).resolve().parents[2]
    / "cassettes"
    / "recorded"
    / "chat"
    / "pydantic-ai-59.json"
)
"""A real OpenRouter stream (third-party recording; provenance in its SOURCES.md).

It was answered by a paid model, so the model here allows paid answers: what is
tested is the cut, not the free-only guard."""
BODY = json.loads(RECORDING.read_text())["response"]["body"].encode()
ANSWER = "Hello!"


class Cutter:
    """Serves the recorded stream, reset after ``offset`` bytes of its body."""

    def __init__(self) -> None:
        self.offset = 0
        self._lock = threading.Lock()

    def __call__(self, wire: Wire, _: Request) -> None:
        with self._lock:
            offset = self.offset
        headers = {
            "Content-Type": "text/event-stream",
            "Content-Length": str(len(BODY)),
        }
        wire.send(head(200, headers) + BODY[:offset])
        wire.rst()


def held(outcome: str | BaseException) -> bool:
    """The correct answer, or a typed stream error, with no secret in it."""
    if isinstance(outcome, BaseException):
        return isinstance(outcome, OpenRouterError) and leaked(outcome) == []
    return outcome == ANSWER


def test_a_reset_at_every_offset_gives_the_answer_or_a_typed_error(
    mode: str, scenario: ScenarioCounter
) -> None:
    cutter = Cutter()
    with HostileServer(cutter) as server:
        model = make_model(server, max_retries=0, allow_paid=True)
        offsets = range(len(BODY) + 1)
        timed = (
            _sync_outcomes(model, cutter, offsets)
            if mode == "sync"
            else asyncio.run(_async_outcomes(model, cutter, offsets))
        )
        assert server.clients_closed(timeout=5.0)
    outcomes = [outcome for outcome, _ in timed]
    failures = []
    for offset, (outcome, seconds) in zip(offsets, timed, strict=True):
        scenario.start()
        if held(outcome) and seconds <= TOTAL + TIMEOUT + SLACK:
            scenario.held()
        else:
            failures.append((offset, outcome))
    assert failures == []
    # The complete body answers; a body cut before the answer never does.
    assert outcomes[-1] == ANSWER
    assert isinstance(outcomes[0], errors.OpenRouterError)


def _sync_outcomes(model, cutter, offsets):  # type: ignore[no-untyped-def]
    results: list[tuple[str | BaseException, float]] = []
    try:
        for offset in offsets:
            cutter.offset = offset
            started = time.monotonic()
            try:
                outcome: str | BaseException = "".join(
                    chunk.text for chunk in model.stream("hi")
                )
            except Exception as exc:
                outcome = exc
            results.append((outcome, time.monotonic() - started))
    finally:
        model.close()
    return results


async def _async_outcomes(model, cutter, offsets):  # type: ignore[no-untyped-def]
    results: list[tuple[str | BaseException, float]] = []
    try:
        for offset in offsets:
            cutter.offset = offset
            started = time.monotonic()
            try:
                outcome: str | BaseException = "".join(
                    [chunk.text async for chunk in model.astream("hi")]
                )
            except Exception as exc:
                outcome = exc
            results.append((outcome, time.monotonic() - started))
    finally:
        await model.aclose()
    return results
