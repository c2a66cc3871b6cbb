"""PURE: the ``ChatResult`` of a whole answer, without validating it a second time.

``ChatResult(generations=[ChatGeneration(message=AIMessage(...))])`` runs
pydantic and langchain-core's validators three times per answer: about 6 µs,
as much as the rest of our parsing. For an answer without tool calls they
change nothing (the text is a ``str``, the usage, metadata and extras are
dicts the parser built with the types validation keeps), so `chat_result`
builds the three objects from validated templates
(`langchain_openrouter_free._templates`), each used only after the
once-per-process check, per shape of answer, that it builds what validation
builds for a sample. Answers with tool calls, and every shape whose check
fails, are validated as before. tests/unit_tests/test_chat_result.py compares
both ways on every recorded completion.
"""

from __future__ import annotations

from typing import Any, Final

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_openrouter_free._templates import Template, same_instance

__all__ = ["chat_result", "validated_chat_result"]

_GENERATION_GIVEN: Final = frozenset({"message", "text", "generation_info"})
_RESULT_GIVEN: Final = frozenset({"generations", "llm_output"})
_SAMPLE: Final[dict[str, Any]] = {
    "content": "sample",
    "response_metadata": {"model_name": "m", "model_provider": "openrouter"},
    "usage_metadata": {
        "input_tokens": 1,
        "output_tokens": 2,
        "total_tokens": 3,
        "input_token_details": {"audio": 0, "cache_creation": 0, "cache_read": 0},
        "output_token_details": {"audio": 0, "reasoning": 0},
    },
    "id": "gen-sample",
    "additional_kwargs": {"reasoning_content": "sample"},
}
_SAMPLE_INFO: Final = {"finish_reason": "stop"}
_SAMPLE_OUTPUT: Final = {"model_name": "m", "token_usage": {"prompt_tokens": 1}}

Shape = tuple[bool, bool, bool]
"""Whether an answer has ``additional_kwargs``, usage and an id."""


def validated_chat_result(
    fields: dict[str, Any], info: dict[str, Any] | None, llm_output: dict[str, Any]
) -> ChatResult:
    """The result of an answer, validated (what `chat_result` must equal)."""
    generation = ChatGeneration(message=AIMessage(**fields), generation_info=info)
    return ChatResult(generations=[generation], llm_output=llm_output)


class _Builder:
    """Results of one shape: message, generation and result templates."""

    __slots__ = ("_generation", "_message", "_result", "_text")

    def __init__(self, sample: ChatResult, given: frozenset[str]) -> None:
        generation = sample.generations[0]
        self._message = Template(generation.message, given)
        self._generation = Template(generation, _GENERATION_GIVEN)
        self._result = Template(sample, _RESULT_GIVEN)
        self._text = type(generation.text)  # langchain-core's TextAccessor

    def build(
        self,
        fields: dict[str, Any],
        info: dict[str, Any] | None,
        llm_output: dict[str, Any],
    ) -> ChatResult:
        message = self._message.build(fields)
        generation = self._generation.build(
            {
                "message": message,
                "text": self._text(fields["content"]),
                "generation_info": info,
            }
        )
        result: ChatResult = self._result.build(
            {"generations": [generation], "llm_output": llm_output}
        )
        return result


def _sample_fields(shape: Shape) -> dict[str, Any]:
    extras, usage, with_id = shape
    fields = {k: v for k, v in _SAMPLE.items() if k != "additional_kwargs" or extras}
    if not usage:
        fields["usage_metadata"] = None
    if not with_id:
        fields["id"] = None
    return {k: v.copy() if isinstance(v, dict) else v for k, v in fields.items()}


def _checked_builder(shape: Shape) -> _Builder | None:
    """A builder for one shape of answer, if it builds what validation builds."""
    validated = validated_chat_result(
        _sample_fields(shape), dict(_SAMPLE_INFO), dict(_SAMPLE_OUTPUT)
    )
    given = frozenset(_sample_fields(shape))
    builder = _Builder(validated, given)
    built = builder.build(
        _sample_fields(shape), dict(_SAMPLE_INFO), dict(_SAMPLE_OUTPUT)
    )
    ours, theirs = built.generations[0], validated.generations[0]
    fine = (
        same_instance(built, validated, given=_RESULT_GIVEN)
        and same_instance(ours, theirs, given=_GENERATION_GIVEN)
        and same_instance(ours.message, theirs.message, given=given)
    )
    return builder if fine else None


_BUILDERS: dict[Shape, _Builder | None] = {}


def chat_result(
    fields: dict[str, Any], info: dict[str, Any] | None, llm_output: dict[str, Any]
) -> ChatResult:
    """The ``ChatResult`` of one answer.

    Args:
        fields: The ``AIMessage`` fields: ``content`` (a str),
            ``response_metadata``, ``usage_metadata`` and ``id`` (each may be
            None), and ``additional_kwargs``, ``tool_calls`` and
            ``invalid_tool_calls`` when not empty.
        info: The generation's ``generation_info``.
        llm_output: The result's ``llm_output``.

    Returns:
        A result equal to `validated_chat_result` of the same arguments.
    """
    if "tool_calls" in fields or "invalid_tool_calls" in fields:
        return validated_chat_result(fields, info, llm_output)
    shape = (
        "additional_kwargs" in fields,
        fields["usage_metadata"] is not None,
        fields["id"] is not None,
    )
    builder = _BUILDERS.get(shape)
    if builder is None:
        if shape not in _BUILDERS:  # first answer of this shape: check once
            builder = _BUILDERS[shape] = _checked_builder(shape)
        if builder is None:
            return validated_chat_result(fields, info, llm_output)
    return builder.build(fields, info, llm_output)
