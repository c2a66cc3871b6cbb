"""PURE: streamed text chunks, built without validating them a second time.

``ChatGenerationChunk(message=AIMessageChunk(content=..., id=...))`` runs
pydantic and langchain-core's validators for every streamed delta: about
5 µs a chunk, as much as the rest of langchain-core's per-chunk work. For a
delta without tool-call chunks those validators change nothing (there are no
tool calls to derive, the text is a ``str``, the id a ``str``), so
`text_chunk` builds the two objects as pydantic's ``model_construct`` does:
a new ``__dict__`` with the values a validated instance has, the same fields
set, the same extras. ``model_construct`` itself is slower than validation
here (it inspects every default factory's signature per call), hence the
templates, taken from validated instances.

Each template is used only after a check, once per process and per set of
fields, that what it builds equals what validation builds for a sample:
every value and its type (``text`` is langchain-core's ``TextAccessor``),
the fields set, the extras and the private state. If a langchain-core or
pydantic release makes them differ, the check fails and those chunks are
validated as before. tests/unit_tests/test_text_chunks.py compares both ways
on every recorded stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["text_chunk", "validated_text_chunk"]

_new: Final = object.__new__
_set: Final = object.__setattr__
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


class _Template:
    """The values of a validated instance; `build` makes more instances like it.

    Args:
        example: A validated instance.
        given: The fields every `build` call passes (not copied from ``example``).
    """

    __slots__ = ("_cls", "_extra", "_fields_set", "_fresh", "_values")

    def __init__(self, example: BaseModel, given: frozenset[str]) -> None:
        self._cls = type(example)
        self._values = dict(example.__dict__)
        self._fields_set = frozenset(example.model_fields_set)
        self._extra = example.__pydantic_extra__ is not None
        # Mutable values: every instance gets its own (empty) list or dict.
        self._fresh = tuple(
            (name, type(value))
            for name, value in self._values.items()
            if type(value) in {list, dict} and name not in given
        )

    def build(self, values: dict[str, Any]) -> Any:
        fields = {**self._values, **values}
        for name, kind in self._fresh:
            fields[name] = kind()
        instance = _new(self._cls)
        _set(instance, "__dict__", fields)
        _set(instance, "__pydantic_fields_set__", set(self._fields_set))
        _set(instance, "__pydantic_extra__", {} if self._extra else None)
        _set(instance, "__pydantic_private__", None)
        return instance


class _Builder:
    """Text chunks of one shape: a message template and a generation template."""

    __slots__ = ("_generation", "_message", "_text")

    def __init__(self, sample: ChatGenerationChunk, given: frozenset[str]) -> None:
        self._message = _Template(sample.message, given)
        self._generation = _Template(sample, frozenset({"message", "text"}))
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
    fine = _same(built, validated) and _same(built.message, validated.message)
    return builder if fine else None


def _same(built: BaseModel, validated: BaseModel) -> bool:
    """Whether two instances agree on everything pydantic keeps about them."""
    ours, theirs = built.__dict__, validated.__dict__
    return (
        type(built) is type(validated)
        and ours == theirs
        and all(type(ours[name]) is type(theirs[name]) for name in theirs)
        and built.model_fields_set == validated.model_fields_set
        and built.__pydantic_extra__ == validated.__pydantic_extra__
        and built.__pydantic_private__ == validated.__pydantic_private__
        and type(validated).__pydantic_post_init__ is None
        and not any(
            value
            for name, value in theirs.items()
            if type(value) in {list, dict} and name != "additional_kwargs"
        )
    )


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
