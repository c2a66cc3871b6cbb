"""Serialize a reply as OpenRouter does: a JSON completion or SSE chunk events.

Field order follows real OpenRouter traffic: ``id, provider, model, object,
created, choices, usage``; a non-streaming choice is ``logprobs, finish_reason,
native_finish_reason, index, message``; a streamed choice is ``index, delta,
finish_reason, native_finish_reason, logprobs``. JSON is compact UTF-8.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from langchain_openrouter_free._constants import FREE_ROUTER_ID
from langchain_openrouter_free.testing._fake_replies import (
    DEFAULT_FREE_MODEL,
    FakeReply,
    message_text,
)

__all__ = [
    "CREATED_BASE",
    "Completion",
    "StreamEvent",
    "completion_body",
    "dumps",
    "generation_id",
    "resolve_reply",
    "split_text",
    "stream_error_event",
    "stream_events",
]

CREATED_BASE: Final = 1_790_000_000
"""The earliest ``created``: answers carry a time derived from the request."""
_CREATED_SPAN: Final = 10_000_000
_ID_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_LENGTH: Final = 20
_ARGUMENT_PIECES: Final = 3
_WORD: Final = re.compile(r"\s*\S+")

EventKind = Literal["role", "reasoning", "content", "tool", "finish", "usage"]
StreamEvent = tuple[EventKind, dict[str, Any]]


def dumps(value: Any) -> str:
    """Encode JSON the way OpenRouter does: compact, UTF-8, no ASCII escaping.

    Args:
        value: A JSON-compatible value.

    Returns:
        The JSON text.
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def split_text(text: str) -> list[str]:
    """Split text into word-sized stream deltas that join back to the text.

    Args:
        text: The text to split.

    Returns:
        The pieces (``[]`` for ``""``).
    """
    pieces = _WORD.findall(text)
    rest = text[sum(map(len, pieces)) :]
    if not pieces:
        return [text] if text else []
    pieces[-1] += rest
    return pieces


def _split_arguments(arguments: str) -> list[str]:
    if not arguments:
        return []
    size = -(-len(arguments) // _ARGUMENT_PIECES)
    return [arguments[i : i + size] for i in range(0, len(arguments), size)]


@dataclass(frozen=True)
class Completion:
    """A reply resolved against one request: everything needed to serialize it.

    Attributes:
        gen_id: The generation id (``id`` and ``X-Generation-Id``).
        created: The ``created`` timestamp.
        model: The model reported as answering.
        provider: The provider reported.
        content: The answer text.
        reasoning: Reasoning text, if any.
        tool_calls: ``(id, name, arguments JSON)`` per call.
        finish_reason: The finish reason sent.
        usage: The ``usage`` object.
        native_finish_reason: The provider's own finish reason, when it
            differs from ``finish_reason`` (None: the same).
    """

    gen_id: str
    created: int
    model: str
    provider: str
    content: str
    reasoning: str | None
    tool_calls: tuple[tuple[str, str, str], ...]
    finish_reason: str
    usage: dict[str, Any]
    native_finish_reason: str | None = None

    def truncated(self, pieces: int) -> Completion:
        """This completion cut to its first content pieces, without tool calls.

        Args:
            pieces: How many streamed content pieces to keep.

        Returns:
            The shortened completion.
        """
        content = "".join(split_text(self.content)[:pieces])
        return dataclasses.replace(self, content=content, tool_calls=())


def generation_id(digest: str, repeat: int) -> tuple[str, int]:
    """A generation id and ``created`` time derived from a request, not a clock.

    Args:
        digest: The request's digest (method, path, normalized body).
        repeat: How many earlier requests had the same digest (0 for the
            first), so a retried request gets a new id.

    Returns:
        ``("gen-<created>-<20 letters and digits>", created)``: the same
        request (and repeat) gives the same values in every run.
    """
    seed = int(hashlib.sha256(f"{digest}#{repeat}".encode()).hexdigest(), 16)
    created = CREATED_BASE + seed % _CREATED_SPAN
    seed //= _CREATED_SPAN
    letters = []
    for _ in range(_ID_LENGTH):
        seed, index = divmod(seed, len(_ID_ALPHABET))
        letters.append(_ID_ALPHABET[index])
    return f"gen-{created}-{''.join(letters)}", created


def resolve_reply(
    reply: FakeReply, payload: Mapping[str, Any], *, gen_id: str, created: int
) -> Completion:
    """Resolve a scripted reply against the request it answers.

    Args:
        reply: The scripted reply.
        payload: The request body.
        gen_id: The generation id (see `generation_id`).
        created: The ``created`` time.

    Returns:
        The completion to serialize.
    """
    requested = payload.get("model")
    model = reply.model or (
        requested
        if isinstance(requested, str) and requested != FREE_ROUTER_ID
        else DEFAULT_FREE_MODEL
    )
    calls = tuple(
        (call.id or f"call_{index}", call.name, call.arguments_json())
        for index, call in enumerate(reply.tool_calls)
    )
    usage = _usage(payload, reply.content, reply.reasoning or "", calls)
    usage.update(reply.usage or {})
    return Completion(
        gen_id=gen_id,
        created=created,
        model=model,
        provider=reply.provider,
        content=reply.content,
        reasoning=reply.reasoning,
        tool_calls=calls,
        finish_reason=reply.resolved_finish_reason,
        usage=usage,
        native_finish_reason=reply.native_finish_reason,
    )


def _words(text: str) -> int:
    return len(text.split())


def _usage(
    payload: Mapping[str, Any],
    content: str,
    reasoning: str,
    calls: Sequence[tuple[str, str, str]],
) -> dict[str, Any]:
    raw_messages = payload.get("messages")
    messages = [
        m
        for m in (raw_messages if isinstance(raw_messages, list) else [])
        if isinstance(m, Mapping)
    ]
    prompt = sum(_words(message_text(m)) + 1 for m in messages)
    reasoning_tokens = _words(reasoning)
    completion = max(
        1, _words(content) + reasoning_tokens + sum(_words(c[2]) for c in calls)
    )
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost": 0,
        "is_byok": False,
        "prompt_tokens_details": {
            "cached_tokens": 0,
            "audio_tokens": 0,
            "video_tokens": 0,
        },
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0,
            "upstream_inference_completions_cost": 0,
        },
        "completion_tokens_details": {
            "reasoning_tokens": reasoning_tokens,
            "image_tokens": 0,
        },
    }


def _reasoning_details(text: str) -> list[dict[str, Any]]:
    return [{"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}]


def completion_body(
    completion: Completion, *, error: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` body.

    Args:
        completion: The resolved reply.
        error: A ``choices[0].error`` object for a generation that failed after
            partial output (finish reason then ``"error"``).

    Returns:
        The body, keys in OpenRouter's order.
    """
    message: dict[str, Any] = {
        "role": "assistant",
        "content": completion.content,
        "refusal": None,
        "reasoning": completion.reasoning,
    }
    if completion.reasoning:
        message["reasoning_details"] = _reasoning_details(completion.reasoning)
    if completion.tool_calls:
        message["tool_calls"] = [
            {
                "index": index,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            for index, (call_id, name, arguments) in enumerate(completion.tool_calls)
        ]
    finish = "error" if error is not None else completion.finish_reason
    choice: dict[str, Any] = {
        "logprobs": None,
        "finish_reason": finish,
        "native_finish_reason": None
        if error is not None
        else completion.native_finish_reason or finish,
        "index": 0,
        "message": message,
    }
    if error is not None:
        choice["error"] = dict(error)
    return {
        **_envelope(completion, "chat.completion"),
        "choices": [choice],
        "usage": completion.usage,
    }


def _envelope(completion: Completion, obj: str) -> dict[str, Any]:
    return {
        "id": completion.gen_id,
        "provider": completion.provider,
        "model": completion.model,
        "object": obj,
        "created": completion.created,
    }


def _chunk(
    completion: Completion, delta: dict[str, Any], finish: str | None = None
) -> dict[str, Any]:
    choice = {
        "index": 0,
        "delta": delta,
        "finish_reason": finish,
        "native_finish_reason": finish and (completion.native_finish_reason or finish),
        "logprobs": None,
    }
    return {**_envelope(completion, "chat.completion.chunk"), "choices": [choice]}


def stream_events(completion: Completion) -> list[StreamEvent]:
    """The SSE ``data`` objects of a streamed answer, in order.

    A role chunk, reasoning deltas (``reasoning`` plus a ``reasoning_details``
    fragment each), content deltas, tool-call deltas (first fragment with id,
    type, name and ``arguments: ""``, then argument pieces), a finish chunk and
    a separate ``choices: []`` usage chunk. ``[DONE]`` is not included.

    Args:
        completion: The resolved reply.

    Returns:
        ``(kind, object)`` pairs.
    """
    events: list[StreamEvent] = [
        ("role", _chunk(completion, {"role": "assistant", "content": ""}))
    ]
    for piece in split_text(completion.reasoning or ""):
        delta = {
            "role": "assistant",
            "content": "",
            "reasoning": piece,
            "reasoning_details": _reasoning_details(piece),
        }
        events.append(("reasoning", _chunk(completion, delta)))
    events.extend(
        ("content", _chunk(completion, {"role": "assistant", "content": piece}))
        for piece in split_text(completion.content)
    )
    for index, (call_id, name, arguments) in enumerate(completion.tool_calls):
        first = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        fragments = [first] + [
            {"index": index, "function": {"arguments": piece}}
            for piece in _split_arguments(arguments)
        ]
        events.extend(
            (
                "tool",
                _chunk(
                    completion,
                    {"role": "assistant", "content": None, "tool_calls": [f]},
                ),
            )
            for f in fragments
        )
    finish = _chunk(
        completion, {"role": "assistant", "content": ""}, completion.finish_reason
    )
    usage = {
        **_envelope(completion, "chat.completion.chunk"),
        "choices": [],
        "usage": completion.usage,
    }
    events.extend([("finish", finish), ("usage", usage)])
    return events


def stream_error_event(
    completion: Completion, error: Mapping[str, Any]
) -> dict[str, Any]:
    """The SSE event of an error after the stream started.

    Args:
        completion: The answer being streamed.
        error: The top-level ``error`` object.

    Returns:
        The event: top-level ``error`` and a choice with ``finish_reason: "error"``.
    """
    choice = {
        "index": 0,
        "delta": {"content": ""},
        "finish_reason": "error",
        "native_finish_reason": None,
    }
    return {
        **_envelope(completion, "chat.completion.chunk"),
        "error": dict(error),
        "choices": [choice],
    }
