"""Text chunks built from templates equal validated ones, on every recorded stream.

`_text_chunks.text_chunk` skips pydantic validation for deltas without
tool-call chunks. These tests replay every event stream in cassettes/recorded
(and the wire shapes the streaming tests use) through `StreamAccumulator`
twice, once as shipped and once with every text chunk validated, and compare
the chunks field by field: values and their types, the fields set, extras,
private state, dumps, and the merged message.
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_openrouter_free import _streaming, _text_chunks
from langchain_openrouter_free._streaming import StreamAccumulator
from langchain_openrouter_free._text_chunks import text_chunk, validated_text_chunk
from langchain_openrouter_free.errors import OpenRouterError
from tests.unit_tests._instances import assert_same, spoil_templates
from tests.unit_tests._sse_cases import BEDROCK_TOOL_SSE, data_lines, wire_chunk
from tests.unit_tests._traffic import load_records, sse_data

if TYPE_CHECKING:
    from langchain_core.outputs import ChatGenerationChunk

STREAMS = {r.id: sse_data(r.body) for r in load_records() if r.is_sse}
STREAMS["bedrock-tool"] = data_lines(BEDROCK_TOOL_SSE)
STREAMS["wire-shapes"] = [
    wire_chunk({"content": "plain"}),
    wire_chunk({"content": "", "reasoning": "thinking"}),
    wire_chunk({"content": "both", "reasoning": "more", "refusal": "no"}),
    wire_chunk({"content": [{"type": "text", "text": "parts"}, "raw"]}),
    wire_chunk({"content": "é ✓ 𝄞"}),
    wire_chunk({"content": "bye"}, finish_reason="stop"),
    "[DONE]",
]
STREAMS["no-id"] = [
    '{"choices":[{"delta":{"content":"no id"}}]}',
    '{"choices":[{"delta":{"content":"","reasoning":"still none"}}]}',
    '{"choices":[{"delta":{},"finish_reason":"stop"}]}',
]


def replay(payloads: list[str]) -> list[ChatGenerationChunk]:
    """The chunks a stream gives (up to an error it raises, if any)."""
    acc = StreamAccumulator()
    chunks: list[ChatGenerationChunk] = []
    try:
        for payload in payloads:
            chunks.extend(acc.feed(payload))
        chunks.extend(acc.finish())
    except OpenRouterError:
        pass
    return chunks


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_recorded_streams_give_the_chunks_validation_gives(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = replay(STREAMS[name])
    monkeypatch.setattr(_streaming, "text_chunk", validated_text_chunk)
    slow = replay(STREAMS[name])
    assert len(fast) == len(slow)
    for built, validated in zip(fast, slow, strict=True):
        assert_same(built, validated)
        assert_same(built.message, validated.message)
    if fast:
        merged = functools.reduce(operator.add, fast)
        assert_same(merged, functools.reduce(operator.add, slow))
        assert_same(merged.message, functools.reduce(operator.add, slow).message)


def test_the_recordings_exercise_every_shape_of_text_chunk() -> None:
    shapes = set()
    for payloads in STREAMS.values():
        for chunk in replay(payloads):
            message = chunk.message
            assert isinstance(message, AIMessageChunk)
            if not message.tool_call_chunks and message.chunk_position is None:
                shapes.add((bool(message.additional_kwargs), message.id is not None))
    assert shapes == {(False, False), (False, True), (True, False), (True, True)}


@pytest.mark.parametrize("extras", [False, True])
@pytest.mark.parametrize("with_id", [False, True])
def test_the_installed_langchain_core_takes_the_fast_path(
    extras: bool, with_id: bool
) -> None:
    # A langchain-core or pydantic release that breaks the templates would
    # still give correct (validated) chunks, but every chunk would cost ~5 µs
    # more: this test says so.
    assert _text_chunks._checked_builder(extras=extras, with_id=with_id) is not None


def test_chunks_share_no_mutable_state() -> None:
    plain = [text_chunk("a", None, "gen-1"), text_chunk("b", None, "gen-1")]
    plain[0].message.additional_kwargs["x"] = 1
    assert plain[1].message.additional_kwargs == {}
    first = text_chunk("a", {"reasoning_content": "r"}, "gen-1")
    second = text_chunk("b", {"reasoning_content": "s"}, "gen-1")
    first.message.additional_kwargs["x"] = 1
    first.message.response_metadata["y"] = 2
    first.message.tool_call_chunks.append({"name": "t"})  # type: ignore[typeddict-item]
    assert isinstance(first.message, AIMessageChunk)
    assert isinstance(second.message, AIMessageChunk)
    first.message.tool_calls.append({"name": "t", "args": {}, "id": None})
    first.message.invalid_tool_calls.append(
        {
            "type": "invalid_tool_call",
            "name": "t",
            "args": "",
            "id": None,
            "error": None,
        }
    )
    first.message.name = "changed"
    assert second.message.additional_kwargs == {"reasoning_content": "s"}
    assert second.message.response_metadata == {}
    assert second.message.tool_call_chunks == []
    assert second.message.tool_calls == []
    assert second.message.invalid_tool_calls == []
    assert second.message.model_fields_set == {"content", "additional_kwargs", "id"}
    assert_same(text_chunk("c", None, None), validated_text_chunk("c", None, None))


def test_a_template_that_differs_from_validation_is_never_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spoil_templates(monkeypatch, _text_chunks)
    chunk = text_chunk("hello", None, "gen-1")
    assert_same(chunk, validated_text_chunk("hello", None, "gen-1"))
    assert chunk.message.name is None
    assert _text_chunks._BUILDERS == {(False, True): None}
