"""PURE: streamed text chunks, built without validating them a second time.

``ChatGenerationChunk(message=AIMessageChunk(content=..., id=...))`` runs
pydantic and langchain-core's validators for every streamed delta: about
5 µs a chunk, as much as the rest of langchain-core's per-chunk work. For a
delta without tool-call chunks those validators change nothing (there are no
tool calls to derive, the text is a ``str``, the id a ``str``), so
`text_chunk` builds the two objects from validated templates
(`langchain_openrouter_free._templates`), each used only after the
once-per-process check that it builds what validation builds for a sample
(``text`` is langchain-core's ``TextAccessor``); otherwise those chunks are
validated as before. tests/unit_tests/test_text_chunks.py compares both ways
on every recorded stream.
"""

from __future__ import annotations

from typing import Any, Final

from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_openrouter_free._templates import Template, same_instance

__all__ = ["text_chunk", "validated_text_chunk"]

_GENERATION_GIVEN: Final = frozenset({"message", "text"})
_SAMPLE_ID: Final = "gen-sample"
_SAMPLE_EXTRAS: Final = {"reasoning_content": "sample", "refusal": "sample"}


def validated_text_chunk(
    text: str, extras: dict[str, Any] | None, message_id: str | None
) -> ChatGenerationChunk:
    """The chunk of a text delta, validated (what `text_chunk` must equal)."""
    fields = _message_fields(text, extras, message_id)
    return ChatGenerationChunk(message=AIMessageChunk(**fields))


def _message_fields(
    text: str, extras: dict[str, Any] | None, message_id: str | None
) -> dict[str, Any]:
    """The message's non-empty fields: an empty dict or list still costs validation."""
    fields: dict[str, Any] = {"content": text}
    if extras:
        fields["additional_kwargs"] = extras
    if message_id is not None:
        fields["id"] = message_id
    return fields


class _Builder:
    """Text chunks of one shape: a message template and a generation template."""

    __slots__ = ("_generation", "_message", "_text")

    def __init__(self, sample: ChatGenerationChunk, given: frozenset[str]) -> None:
        self._message = Template(sample.message, given)
        self._generation = Template(sample, _GENERATION_GIVEN)
        self._text = type(sample.text)  # langchain-core's TextAccessor (a str)

    def build(
        self, text: str, extras: dict[str, Any] | None, message_id: str | None
    ) -> ChatGenerationChunk:
        fields = _message_fields(text, extras, message_id)
        message: AIMessageChunk = self._message.build(fields)
        chunk: ChatGenerationChunk = self._generation.build(
            {"message": message, "text": self._text(text)}
        )
        return chunk


def _checked_builder(*, extras: bool, with_id: bool) -> _Builder | None:
    """A builder for one shape of chunk, if it builds what validation builds."""
    sample_extras = _SAMPLE_EXTRAS if extras else None
    sample_id = _SAMPLE_ID if with_id else None
    validated = validated_text_chunk("sample", dict(sample_extras or {}), sample_id)
    given = frozenset(_message_fields("sample", sample_extras, sample_id))
    builder = _Builder(validated, given)
    built = builder.build("sample", dict(sample_extras or {}), sample_id)
    fine = same_instance(built, validated, given=_GENERATION_GIVEN) and same_instance(
        built.message, validated.message, given=given | {"additional_kwargs"}
    )
    return builder if fine else None


_BUILDERS: dict[tuple[bool, bool], _Builder | None] = {}


def text_chunk(
    text: str, extras: dict[str, Any] | None, message_id: str | None
) -> ChatGenerationChunk:
    """The chunk of a delta that carries no tool-call chunks.

    Args:
        text: The delta's text.
        extras: Its ``additional_kwargs`` (None or empty: none).
        message_id: The generation id, or None.

    Returns:
        A chunk equal to `validated_text_chunk` of the same arguments.
    """
    shape = (bool(extras), message_id is not None)
    builder = _BUILDERS.get(shape)
    if builder is None:
        if shape in _BUILDERS:  # checked once: these chunks are validated
            return validated_text_chunk(text, extras, message_id)
        builder = _BUILDERS[shape] = _checked_builder(extras=shape[0], with_id=shape[1])
        if builder is None:
            return validated_text_chunk(text, extras, message_id)
    return builder.build(text, extras, message_id)
