"""PURE: a non-streaming OpenRouter body -> ``ChatResult``; usage; tool calls.

The helpers that build metadata, usage and tool-call ids are shared with
``_streaming.py`` so both paths describe an answer the same way. Nothing here
does I/O.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, cast

from langchain_core.messages.ai import (
    InputTokenDetails,
    OutputTokenDetails,
    UsageMetadata,
)
from langchain_core.messages.tool import invalid_tool_call, tool_call

from langchain_openrouter_free import _safe_json as safe_json
from langchain_openrouter_free._chat_result import chat_result
from langchain_openrouter_free._error_mapping import error_from_body
from langchain_openrouter_free._numbers import finite_float
from langchain_openrouter_free._reasoning import merge_reasoning_details
from langchain_openrouter_free._safe_json import JSON_OBJECT
from langchain_openrouter_free.errors import OpenRouterServerError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from langchain_core.messages import InvalidToolCall, ToolCall
    from langchain_core.outputs import ChatResult

__all__ = [
    "COMPLETION_FACT_KEYS",
    "CUT_ARGUMENTS_ERROR",
    "LIST_EXTRAS",
    "MODEL_PROVIDER",
    "cut_by_max_tokens",
    "error_object",
    "generation_info",
    "message_extras",
    "message_text",
    "parse_arguments",
    "parse_chat_completion",
    "parse_tool_calls",
    "repair_tool_call_id",
    "response_metadata",
    "text_extras",
    "usage_to_metadata",
]

MODEL_PROVIDER: Final = "openrouter"
"""``response_metadata["model_provider"]`` of every message we build."""

_COMPLETION_FIELDS: Final = (
    ("id", "id"),
    ("model", "model_name"),
    ("provider", "provider"),
    ("created", "created"),
    ("system_fingerprint", "system_fingerprint"),
    ("service_tier", "service_tier"),
    ("citations", "citations"),
    ("openrouter_metadata", "openrouter_metadata"),
)
COMPLETION_FACT_KEYS: Final = tuple(source for source, _ in _COMPLETION_FIELDS)
"""Top-level completion fields kept in ``response_metadata`` (stream and not)."""
_CHOICE_FIELDS: Final = ("finish_reason", "native_finish_reason", "logprobs")
_USAGE_FIELDS: Final = ("cost", "cost_details", "is_byok", "server_tool_use_details")
LIST_EXTRAS: Final = ("annotations", "images")
"""List-valued message extras, kept whole (streams gather them to the end)."""
_CUT_FINISHES: Final = frozenset({"length", "max_tokens", "max_output_tokens"})
CUT_ARGUMENTS_ERROR: Final = (
    "the answer was cut off by max_tokens while this tool call's arguments were "
    "being written; raise max_tokens"
)
"""The ``error`` of a tool call whose arguments ``max_tokens`` cut off."""


def parse_chat_completion(body: Any) -> ChatResult:
    """Turn a parsed 2xx chat-completion body into a ``ChatResult``.

    Args:
        body: The parsed JSON of a non-streaming ``/chat/completions`` answer.

    Returns:
        One generation holding the ``AIMessage`` with content, tool calls,
        reasoning, usage and response metadata.

    Raises:
        OpenRouterAPIError: The body is an ``{"error": ...}`` object (typed by
            ``error.code``), or its choice failed after partial output.
        OpenRouterServerError: The body holds no choices (``choices`` null,
            missing or empty) or is not a JSON object.
    """
    completion = _unwrap(body)
    choice = _first_choice(completion, body)
    raw_message = choice.get("message")
    message: Mapping[str, Any] = (
        raw_message if isinstance(raw_message, JSON_OBJECT) else {}
    )
    text = message_text(message.get("content"))
    _raise_for_choice_error(choice, text, body)
    raw_usage = completion.get("usage")
    usage = raw_usage if isinstance(raw_usage, JSON_OBJECT) else None
    raw_calls = message.get("tool_calls")
    tool_calls, invalid_calls = (
        parse_tool_calls(raw_calls) if isinstance(raw_calls, list) else ([], [])
    )
    if cut_by_max_tokens(choice):
        tool_calls, invalid_calls = _last_call_cut(tool_calls, invalid_calls)
    message_id = completion.get("id")
    fields: dict[str, Any] = {
        "content": text,
        "response_metadata": response_metadata(completion, usage, choice),
        "usage_metadata": usage_to_metadata(usage) if usage else None,
        "id": message_id if isinstance(message_id, str) else None,
    }
    # Empty lists and dicts are the defaults: passing them only costs validation.
    extras = {
        "additional_kwargs": message_extras(message),
        "tool_calls": tool_calls,
        "invalid_tool_calls": invalid_calls,
    }
    fields.update({name: value for name, value in extras.items() if value})
    llm_output = {
        "model_name": completion.get("model"),
        "id": completion.get("id"),
        "provider": completion.get("provider"),
        "token_usage": dict(usage or {}),
    }
    return chat_result(fields, generation_info(choice), llm_output)


def usage_to_metadata(usage: Mapping[str, Any]) -> UsageMetadata:
    """Map an OpenRouter ``usage`` object to LangChain ``UsageMetadata``.

    Counts become ints (floats are rounded). ``prompt_tokens`` /
    ``completion_tokens`` and ``input_tokens`` / ``output_tokens`` are both
    accepted; ``total_tokens`` defaults to their sum. Detail dicts hold only
    the counts that were sent and are left out when empty.

    Args:
        usage: The ``usage`` object of a response or stream chunk.

    Returns:
        The usage metadata.
    """
    input_tokens = _first_count(usage, "prompt_tokens", "input_tokens") or 0
    output_tokens = _first_count(usage, "completion_tokens", "output_tokens") or 0
    total = _count(usage.get("total_tokens"))
    metadata = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total if total is not None else input_tokens + output_tokens,
    )
    input_details = _input_details(usage)
    if input_details:
        metadata["input_token_details"] = input_details
    output_details = _output_details(usage)
    if output_details:
        metadata["output_token_details"] = output_details
    return metadata


def parse_tool_calls(
    raw: Iterable[Mapping[str, Any]],
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Parse OpenRouter ``message.tool_calls`` into LangChain tool calls.

    Arguments are a JSON object string (``""`` or null mean ``{}``) or an
    already-decoded dict. A call whose arguments are not a JSON object, or
    that has no function name, becomes an ``InvalidToolCall`` carrying the raw
    argument text and the reason. Missing, empty or duplicate ids are replaced
    by ``call_<index>`` (the call's ``index`` field, else its position), so a
    replayed cassette yields the same ids.

    Args:
        raw: The ``tool_calls`` array of an assistant message.

    Returns:
        The valid tool calls and the invalid ones, each in order.
    """
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw):
        if not isinstance(entry, JSON_OBJECT):
            continue
        raw_function = entry.get("function")
        function: Mapping[str, Any] = (
            raw_function if isinstance(raw_function, JSON_OBJECT) else {}
        )
        index = entry.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = position
        call_id = repair_tool_call_id(entry.get("id"), index, seen)
        name = function.get("name")
        arguments = function.get("arguments")
        args, error = parse_arguments(arguments)
        if args is not None and isinstance(name, str) and name:
            calls.append(tool_call(name=name, args=args, id=call_id))
            continue
        invalid.append(
            invalid_tool_call(
                name=name if isinstance(name, str) else None,
                args=_arguments_text(arguments),
                id=call_id,
                error=error or "tool call has no function name",
            )
        )
    return calls, invalid


def cut_by_max_tokens(choice: Mapping[str, Any]) -> bool:
    """Whether the answer stopped at ``max_tokens``.

    OpenRouter may report ``finish_reason: "tool_calls"`` while the provider's
    ``native_finish_reason`` says ``length`` or ``max_output_tokens``.

    Args:
        choice: A choice (or the finish reasons gathered from a stream).

    Returns:
        True when either finish reason says the budget ran out.
    """
    for key in ("finish_reason", "native_finish_reason"):
        reason = choice.get(key)
        if isinstance(reason, str) and reason.lower() in _CUT_FINISHES:
            return True
    return False


def _last_call_cut(
    calls: list[ToolCall], invalid: list[InvalidToolCall]
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Mark the call ``max_tokens`` cut off as invalid, whatever its JSON says.

    When a call's JSON is already broken, that is the cut one (it gets the
    cut-off error); otherwise the last call was cut where its JSON happened to
    close, and it becomes invalid too.
    """
    if invalid:
        *earlier, cut_call = invalid
        return calls, [*earlier, {**cut_call, "error": CUT_ARGUMENTS_ERROR}]
    if not calls:
        return calls, invalid
    last = calls[-1]
    cut = invalid_tool_call(
        name=last["name"],
        args=json.dumps(last["args"], ensure_ascii=False),
        id=last["id"],
        error=CUT_ARGUMENTS_ERROR,
    )
    return calls[:-1], [*invalid, cut]


def parse_arguments(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Decode one tool call's ``function.arguments``.

    Args:
        value: A JSON string, an already-decoded dict, ``""`` or None.

    Returns:
        ``(args, None)`` on success (``""`` and None give ``{}``), else
        ``(None, reason)``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}, None
    if isinstance(value, JSON_OBJECT):
        return dict(value), None
    if not isinstance(value, str):
        kind = type(value).__name__
        return None, f"arguments must be a JSON object string, got {kind}"
    try:
        decoded = safe_json.loads(value, strict=False)
    except ValueError as exc:
        return None, f"arguments are not valid JSON: {exc}"
    if isinstance(decoded, dict):
        return decoded, None
    return None, f"arguments must be a JSON object, got JSON {type(decoded).__name__}"


def repair_tool_call_id(raw_id: Any, index: int, seen: set[str]) -> str:
    """Return a usable, unique tool-call id and record it in ``seen``.

    Args:
        raw_id: The id OpenRouter sent (may be missing, empty or a duplicate).
        index: The call's index, used to build ``call_<index>``.
        seen: Ids already used in this message; updated in place.

    Returns:
        ``raw_id`` when it is a non-empty string not seen before, otherwise
        ``call_<index>`` (with a ``_<n>`` suffix in the unlikely case that is
        taken too). Never random.
    """
    if isinstance(raw_id, str) and raw_id.strip() and raw_id not in seen:
        call_id = raw_id
    else:
        call_id = f"call_{index}"
        suffix = 1
        while call_id in seen:
            call_id = f"call_{index}_{suffix}"
            suffix += 1
    seen.add(call_id)
    return call_id


def message_text(content: Any) -> str:
    """Return the text of a message or delta ``content``.

    Args:
        content: A string, None, or a list of content parts.

    Returns:
        The text; None gives ``""`` and list parts contribute their text.
    """
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, JSON_OBJECT) and isinstance(part.get("text"), str):
            parts.append(part["text"])
    return "".join(parts)


def text_extras(message: Mapping[str, Any]) -> dict[str, str]:
    """The text-valued extras: ``reasoning_content`` and ``refusal``.

    They concatenate correctly when streamed chunks merge, so a stream emits
    them as they arrive; everything else waits for the last chunk.

    Args:
        message: An assistant ``message`` object or a streamed ``delta``.

    Returns:
        The non-empty ones.
    """
    extras: dict[str, str] = {}
    reasoning = message.get("reasoning") or message.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        extras["reasoning_content"] = reasoning
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        extras["refusal"] = refusal
    return extras


def message_extras(message: Mapping[str, Any]) -> dict[str, Any]:
    """Collect the message-level extras that go to ``additional_kwargs``.

    Args:
        message: An assistant ``message`` object.

    Returns:
        ``reasoning_content``, merged ``reasoning_details``, ``refusal``,
        ``annotations``, ``images`` and ``audio``, each only when non-empty.
    """
    extras: dict[str, Any] = dict(text_extras(message))
    details = message.get("reasoning_details")
    if isinstance(details, list) and details:
        extras["reasoning_details"] = merge_reasoning_details(details)
    for key in LIST_EXTRAS:
        value = message.get(key)
        if isinstance(value, list) and value:
            extras[key] = list(value)
    audio = message.get("audio")
    if isinstance(audio, JSON_OBJECT) and audio:
        extras["audio"] = dict(audio)
    return extras


def response_metadata(
    completion: Mapping[str, Any],
    usage: Mapping[str, Any] | None,
    choice: Mapping[str, Any],
) -> dict[str, Any]:
    """Build ``response_metadata`` from the facts of one answer.

    Args:
        completion: Top-level fields: ``id``, ``model``, ``provider``,
            ``created``, ``system_fingerprint``, ``service_tier``.
        usage: The ``usage`` object, if any (for ``cost``, ``cost_details``,
            ``is_byok``).
        choice: ``finish_reason``, ``native_finish_reason``, ``logprobs``.

    Returns:
        The non-None facts under LangChain's names (``model_name`` is the
        model that answered), plus ``model_provider="openrouter"``.
    """
    metadata: dict[str, Any] = {}
    for source, target in _COMPLETION_FIELDS:
        if completion.get(source) is not None:
            metadata[target] = completion[source]
    for key in _CHOICE_FIELDS:
        if choice.get(key) is not None:
            metadata[key] = choice[key]
    for key in _USAGE_FIELDS:
        if usage and usage.get(key) is not None:
            metadata[key] = usage[key]
    metadata["model_provider"] = MODEL_PROVIDER
    return metadata


def generation_info(choice: Mapping[str, Any]) -> dict[str, Any] | None:
    """Build ``generation_info`` from a choice.

    Args:
        choice: ``finish_reason``, ``native_finish_reason``, ``logprobs``.

    Returns:
        The non-None ones, or None when there are none.
    """
    info = {key: choice[key] for key in _CHOICE_FIELDS if choice.get(key) is not None}
    return info or None


def error_object(value: Any) -> Mapping[str, Any] | None:
    """Normalise an ``error`` field into an error object, if it is one.

    Args:
        value: The ``error`` value of a body, choice or stream chunk.

    Returns:
        The object itself, ``{"message": value}`` for a bare string, or None
        when there is no error (missing, null, empty).
    """
    if isinstance(value, JSON_OBJECT):
        return value
    if isinstance(value, str) and value.strip():
        return {"message": value}
    return None


def _unwrap(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, JSON_OBJECT):
        msg = f"OpenRouter returned a {type(body).__name__} body, not a JSON object"
        raise OpenRouterServerError(msg, body=body)
    error = error_object(body.get("error"))
    if error is not None:
        raise error_from_body(error, body=body)
    nested = body.get("provider")
    if body.get("choices") is None and isinstance(nested, JSON_OBJECT):
        if "choices" not in nested and "error" not in nested:
            return body
        outer = {k: v for k, v in body.items() if v is not None and k != "provider"}
        return _unwrap({**outer, **nested})
    return body


def _first_choice(completion: Mapping[str, Any], body: Any) -> Mapping[str, Any]:
    choices = completion.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], JSON_OBJECT):
        return choices[0]
    state = "null" if choices is None else "empty or malformed"
    msg = f"OpenRouter returned no choices (choices {state}); no answer to parse"
    raise OpenRouterServerError(msg, body=body)


def _raise_for_choice_error(choice: Mapping[str, Any], text: str, body: Any) -> None:
    error = error_object(choice.get("error"))
    if error is not None:
        raise error_from_body(error, body=body, partial_text=text)
    if choice.get("finish_reason") == "error":
        msg = "OpenRouter finished the answer with finish_reason 'error'"
        raise OpenRouterServerError(msg, body=body, partial_text=text)


def _arguments_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _count(value: Any) -> int | None:
    if type(value) is int:  # the usual case, checked first
        return value
    number = finite_float(value) if isinstance(value, (int, float, str)) else None
    return round(number) if number is not None else None


def _first_count(usage: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        count = _count(usage.get(key))
        if count is not None:
            return count
    return None


def _details(usage: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = usage.get(key)
        if isinstance(value, JSON_OBJECT):
            return value
    return {}


# In the order of langchain-core's TypedDicts, which validation keeps.
_INPUT_DETAILS: Final = (
    ("audio", "audio_tokens"),
    ("cache_creation", "cache_write_tokens"),
    ("cache_read", "cached_tokens"),
)
_OUTPUT_DETAILS: Final = (("audio", "audio_tokens"), ("reasoning", "reasoning_tokens"))


def _counts(
    details: Mapping[str, Any], names: tuple[tuple[str, str], ...]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ours, theirs in names:
        count = _count(details.get(theirs))
        if count is not None:
            counts[ours] = count
    return counts


def _input_details(usage: Mapping[str, Any]) -> InputTokenDetails:
    details = _details(usage, "prompt_tokens_details", "input_tokens_details")
    if details.get("cache_write_tokens") is None and "cache_write_tokens" in usage:
        details = {**details, "cache_write_tokens": usage["cache_write_tokens"]}
    return cast("InputTokenDetails", _counts(details, _INPUT_DETAILS))


def _output_details(usage: Mapping[str, Any]) -> OutputTokenDetails:
    details = _details(usage, "completion_tokens_details", "output_tokens_details")
    return cast("OutputTokenDetails", _counts(details, _OUTPUT_DETAILS))
