"""Conformance over real OpenRouter traffic recorded by other projects.

Every chat-completions interaction in ``cassettes/recorded/`` (copied unchanged
from the shared corpus, see its SOURCES.md) is served back through
``httpx.MockTransport`` to a real `ChatOpenRouterFree`, sync and async:
non-streaming recordings through ``invoke``, streaming ones through ``stream``
with the chunks merged by ``+``. The answer is checked against values computed
from the recorded body by ``tests/unit_tests/_traffic.py`` with plain ``json``
and its own SSE splitter (never the package's parsers): content, tool calls,
usage, the model that answered, finish reason and reasoning text; an error
recording must raise exactly the typed error its status or ``error.code``
calls for, with the recorded message. The API key never shows up in an error.

``test_zz_summary`` runs last and prints ``N passed, N failed`` over the
interactions.
"""

from __future__ import annotations

import asyncio
import json
import sys
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from langchain_openrouter_free import ChatOpenRouterFree, errors
from tests.unit_tests._traffic import (
    API_KEY,
    BASE_URL,
    PROMPT,
    RECORDED_DIR,
    ExpectedAnswer,
    ExpectedError,
    Record,
    Replay,
    expected_outcome,
    load_index,
    load_records,
    sse_data,
)

# Recordings from 2024-2026 name free ids that have since been retired; the
# model warns about them (StaleModelIdWarning), and about the silent prompt
# compression of 8k models (ContextCompressionWarning): not what is tested here.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore::langchain_openrouter_free.errors.StaleModelIdWarning"
    ),
    pytest.mark.filterwarnings(
        "ignore::langchain_openrouter_free.errors.ContextCompressionWarning"
    ),
]

RECORDS = load_records()
MODES = ("sync", "async")
MESSAGES: list[BaseMessage] = [HumanMessage(PROMPT)]

# Record id -> None when it passed, else the failure; filled by the
# parametrized tests and completed by the summary.
_OUTCOMES: dict[str, str | None] = {}


# --------------------------------------------------------------------- replay


def _model(record: Record, **clients: Any) -> ChatOpenRouterFree:
    # Recorded ids include free models no listing in the registry holds.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.UnknownModelIdWarning)
        return ChatOpenRouterFree(
            model=record.model,
            api_key=API_KEY,
            base_url=BASE_URL,
            allow_paid=True,
            max_retries=0,
            **clients,
        )


def _merge(merged: Any, chunk: Any) -> Any:
    return chunk if merged is None else merged + chunk


def _replay_sync(record: Record) -> tuple[Any, BaseException | None, Replay]:
    replay = Replay(record)
    with httpx.Client(transport=replay.transport()) as client:
        model = _model(record, http_client=client)
        assert API_KEY not in repr(model)
        try:
            if record.streamed:
                merged = None
                for chunk in model.stream(MESSAGES):
                    merged = _merge(merged, chunk)
                return merged, None, replay
            return model.invoke(MESSAGES), None, replay
        except Exception as exc:
            return None, exc, replay


async def _replay_async(record: Record) -> tuple[Any, BaseException | None, Replay]:
    replay = Replay(record)
    async with httpx.AsyncClient(transport=replay.transport()) as client:
        model = _model(record, http_async_client=client)
        try:
            if record.streamed:
                merged = None
                async for chunk in model.astream(MESSAGES):
                    merged = _merge(merged, chunk)
                return merged, None, replay
            return await model.ainvoke(MESSAGES), None, replay
        except Exception as exc:
            return None, exc, replay


# --------------------------------------------------------------------- checks


def _check_request(record: Record, replay: Replay) -> None:
    assert len(replay.requests) == 1, (
        f"expected exactly one request (max_retries=0), saw {len(replay.requests)}"
    )
    request = replay.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{BASE_URL}/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    sent = json.loads(request.content)
    assert sent["model"] == record.model
    assert bool(sent.get("stream")) is record.streamed


def _check_answer(
    expected: ExpectedAnswer, message: Any, error: BaseException | None
) -> None:
    assert error is None, (
        f"raised {type(error).__name__} on a successful recording: {error}"
    )
    assert isinstance(message, AIMessage), f"got {type(message).__name__}"
    assert message.text == expected.content

    valid = [c for c in expected.tool_calls if c.args is not None]
    invalid = [c for c in expected.tool_calls if c.args is None]
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        (c.id, c.name, c.args) for c in valid
    ]
    assert [(c["id"], c["name"], c["args"]) for c in message.invalid_tool_calls] == [
        (c.id, c.name, c.raw_args) for c in invalid
    ]

    if expected.input_tokens is not None:
        usage = message.usage_metadata
        assert usage is not None, "usage was recorded but usage_metadata is None"
        got = (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"])
        assert got == (
            expected.input_tokens,
            expected.output_tokens,
            expected.total_tokens,
        )
        assert all(type(n) is int for n in got)

    metadata = message.response_metadata
    assert metadata.get("model_name") == expected.model_name
    if expected.finish_reason is not None:
        assert metadata.get("finish_reason") == expected.finish_reason
    if expected.reasoning is not None:
        assert message.additional_kwargs.get("reasoning_content") == expected.reasoning


def _check_error(
    expected: ExpectedError, message: Any, error: BaseException | None
) -> None:
    assert error is not None, (
        f"returned {message!r} instead of raising {expected.class_name}"
    )
    expected_class = getattr(errors, expected.class_name)
    assert type(error) is expected_class, (
        f"raised {type(error).__name__} ({error}), expected {expected.class_name}"
    )
    assert isinstance(error, errors.OpenRouterAPIError)
    assert error.status_code == expected.status
    assert error.code == expected.code
    assert expected.message
    assert expected.message in str(error)
    assert error.provider_name == expected.provider_name
    if expected.raw is not None:
        assert error.raw == expected.raw
    if expected.rate_limit_kind is not None:
        assert isinstance(error, errors.OpenRouterRateLimitError)
        assert error.kind == expected.rate_limit_kind
    if expected.partial_text is not None:
        assert error.partial_text == expected.partial_text


def _check_no_key(message: Any, error: BaseException | None) -> None:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        for text in (str(error), repr(error), repr(vars(error))):
            assert API_KEY not in text, f"the API key leaked into {type(error)}"
        error = error.__cause__ or error.__context__
    if message is not None:
        assert API_KEY not in repr(message)


def _verify(record: Record, modes: tuple[str, ...] = MODES) -> None:
    expected = expected_outcome(record)
    for mode in modes:
        if mode == "sync":
            message, error, replay = _replay_sync(record)
        else:
            message, error, replay = asyncio.run(_replay_async(record))
        try:
            _check_no_key(message, error)
            _check_request(record, replay)
            if isinstance(expected, ExpectedError):
                _check_error(expected, message, error)
            else:
                _check_answer(expected, message, error)
        except AssertionError as exc:
            exc.add_note(f"record {record.id}, {mode}")
            raise


def _outcome(record: Record) -> str | None:
    if record.id not in _OUTCOMES:
        try:
            _verify(record)
        except Exception as exc:
            _OUTCOMES[record.id] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        else:
            _OUTCOMES[record.id] = None
    return _OUTCOMES[record.id]


# ---------------------------------------------------------------------- tests


def test_corpus_is_complete() -> None:
    rows = load_index()
    assert len(rows) == len(RECORDS) == 485
    assert [row["id"] for row in rows] == [r.id for r in RECORDS]
    assert len({r.id for r in RECORDS}) == len(RECORDS)
    files = sorted(p.name for p in (RECORDED_DIR / "chat").glob("*.json"))
    assert files == sorted(f"{r.id}.json" for r in RECORDS)


def test_corpus_kinds() -> None:
    """Pin what the replay covers, so a lost record or kind is noticed."""
    kinds: dict[str, int] = {}
    tool_call_records = 0
    for record in RECORDS:
        expected = expected_outcome(record)
        if isinstance(expected, ExpectedError):
            where = "stream error event" if record.status < 400 else "http error"
            if expected.class_name == "OpenRouterEmptyAnswerError":
                where = "2xx empty answer"
            kind = f"{where} {expected.class_name}"
        else:
            kind = "2xx stream" if record.streamed else "2xx json"
            tool_call_records += bool(expected.tool_calls)
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == {
        "2xx json": 385,
        "2xx empty answer OpenRouterEmptyAnswerError": 8,
        "2xx stream": 63,
        "http error OpenRouterInvalidRequestError": 17,
        "http error OpenRouterContextOverflowError": 2,
        "http error OpenRouterAuthenticationError": 7,
        "http error OpenRouterRateLimitError": 2,
        "stream error event OpenRouterInvalidRequestError": 1,
    }
    assert tool_call_records == 85


def test_sse_splitter() -> None:
    body = (
        ": OPENROUTER PROCESSING\r\n\r\n"
        'data: {"a":1}\r\n\r\n'
        "event: x\ndata: first\ndata:second\n\n"
        "id: 3\n\n"
        "data: [DONE]\n\n"
        "data: unterminated"
    )
    assert sse_data(body) == ['{"a":1}', "first\nsecond", "[DONE]"]


@pytest.mark.parametrize("record", RECORDS, ids=[r.id for r in RECORDS])
def test_recorded_interaction(record: Record) -> None:
    try:
        _verify(record)
    except Exception as exc:
        _OUTCOMES[record.id] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise
    _OUTCOMES[record.id] = None


def test_zz_summary(capsys: pytest.CaptureFixture[str]) -> None:
    failures = {r.id: f for r in RECORDS if (f := _outcome(r)) is not None}
    passed = len(RECORDS) - len(failures)
    with capsys.disabled():
        lines = [f"FAILED {rid}: {failure}" for rid, failure in failures.items()]
        lines.append(f"{passed} passed, {len(failures)} failed")
        sys.stdout.write("\n" + "\n".join(lines) + "\n")
    assert not failures, sorted(failures)
