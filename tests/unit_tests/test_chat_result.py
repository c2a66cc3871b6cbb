"""Answers built from templates equal validated ones, on every recorded completion.

`_chat_result.chat_result` skips pydantic validation for answers without tool
calls. These tests parse every non-streamed body in cassettes/recorded (and
the shapes below) twice, once as shipped and once with every result
validated, and compare the result, the generation and the message field by
field: values and their types, the fields set, extras, private state, dumps.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from langchain_openrouter_free import _chat_result, _response
from langchain_openrouter_free._chat_result import chat_result, validated_chat_result
from langchain_openrouter_free._response import parse_chat_completion
from langchain_openrouter_free.errors import OpenRouterError
from tests.unit_tests._instances import assert_same, spoil_templates
from tests.unit_tests._traffic import load_records


def _completion(message: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        **top,
    }


BODIES: dict[str, Any] = {}
for _record in load_records():
    if not _record.is_sse and _record.status < 400:
        try:
            BODIES[_record.id] = json.loads(_record.body)
        except ValueError:
            continue
BODIES["plain-no-id-no-usage"] = _completion({"content": "hi"})
BODIES["reasoning-usage-details"] = _completion(
    {"content": "x", "reasoning": "because", "refusal": None},
    id="gen-1",
    usage={
        "prompt_tokens": 3,
        "completion_tokens": 4.0,
        "total_tokens": "7",
        "prompt_tokens_details": {"cached_tokens": 1, "cache_write_tokens": 2},
        "completion_tokens_details": {"reasoning_tokens": 2},
        "cost": 0,
    },
)
_USAGE = {"prompt_tokens": 1, "completion_tokens": 2}
for _extras in (False, True):
    for _usage in (False, True):
        for _id in (False, True):
            _message = {"content": "s", "reasoning": "r" if _extras else None}
            _top = {"id": "gen-s"} if _id else {}
            if _usage:
                _top["usage"] = _USAGE
            BODIES[f"shape-{_extras:d}{_usage:d}{_id:d}"] = _completion(
                _message, **_top
            )
BODIES["annotations-and-parts"] = _completion(
    {
        "content": [{"type": "text", "text": "a"}, "b"],
        "annotations": [{"type": "url_citation", "url_citation": {"url": "u"}}],
    },
    id="gen-2",
    model="m",
    provider="p",
)


def _parse(body: Any) -> Any:
    try:
        return parse_chat_completion(body)
    except OpenRouterError as error:
        return error


@pytest.mark.parametrize("name", sorted(BODIES))
def test_recorded_completions_give_the_result_validation_gives(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _parse(BODIES[name])
    monkeypatch.setattr(_response, "chat_result", validated_chat_result)
    slow = _parse(BODIES[name])
    if isinstance(slow, OpenRouterError):
        assert type(fast) is type(slow)
        assert str(fast) == str(slow)
        return
    assert_same(fast, slow)
    assert_same(fast.generations[0], slow.generations[0])
    assert_same(fast.generations[0].message, slow.generations[0].message)


def test_the_bodies_exercise_every_shape_of_answer() -> None:
    shapes = set()
    for body in BODIES.values():
        result = _parse(body)
        if isinstance(result, OpenRouterError):
            continue
        message = result.generations[0].message
        if not (message.tool_calls or message.invalid_tool_calls):
            shapes.add(
                (
                    bool(message.additional_kwargs),
                    message.usage_metadata is not None,
                    message.id is not None,
                )
            )
    assert len(shapes) >= 5
    assert (False, True, True) in shapes  # the usual answer


@pytest.mark.parametrize(
    "shape",
    [(a, b, c) for a in (False, True) for b in (False, True) for c in (False, True)],
)
def test_the_installed_langchain_core_takes_the_fast_path(
    shape: tuple[bool, bool, bool],
) -> None:
    # A release that breaks the templates would still give correct
    # (validated) answers, ~6 µs dearer each: this test says so.
    assert _chat_result._checked_builder(shape) is not None


def _fields(text: str) -> dict[str, Any]:
    return {
        "content": text,
        "response_metadata": {"model_provider": "openrouter"},
        "usage_metadata": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
        "id": "gen-1",
    }


def test_results_share_no_mutable_state() -> None:
    first = chat_result(_fields("a"), None, {"token_usage": {}})
    second = chat_result(_fields("b"), None, {"token_usage": {}})
    message = first.generations[0].message
    message.additional_kwargs["x"] = 1
    message.tool_calls.append({"name": "t", "args": {}, "id": None})
    message.invalid_tool_calls.append(
        {
            "type": "invalid_tool_call",
            "name": "t",
            "args": "",
            "id": None,
            "error": None,
        }
    )
    first.generations.append(first.generations[0])
    other = second.generations[0].message
    assert other.additional_kwargs == {}
    assert other.tool_calls == []
    assert other.invalid_tool_calls == []
    assert len(second.generations) == 1
    assert_same(second, validated_chat_result(_fields("b"), None, {"token_usage": {}}))


def test_a_template_that_differs_from_validation_is_never_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spoil_templates(monkeypatch, _chat_result)
    result = chat_result(_fields("hello"), None, {"token_usage": {}})
    assert_same(
        result, validated_chat_result(_fields("hello"), None, {"token_usage": {}})
    )
    assert result.generations[0].message.name is None
    assert _chat_result._BUILDERS == {(False, True, True): None}


def test_answers_with_tool_calls_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_chat_result, "_BUILDERS", {})
    fields = {
        **_fields(""),
        "tool_calls": [
            {"name": "t", "args": {"a": 1}, "id": "c1", "type": "tool_call"}
        ],
    }
    result = chat_result(fields, None, {})
    assert result.generations[0].message.tool_calls[0]["args"] == {"a": 1}
    assert _chat_result._BUILDERS == {}
