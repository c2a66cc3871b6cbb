"""PURE: OpenRouter SSE ``data`` strings -> LangChain ``ChatGenerationChunk`` s.

`StreamAccumulator` is fed one SSE ``data`` payload at a time (comments are
already skipped by the transport). Content, reasoning text, refusals and
tool-call deltas are emitted as they arrive. Everything LangChain's chunk
merge would corrupt (``merge_dicts`` concatenates strings and sums ints) is
held back and emitted once, on the last chunk: usage, finish reason, model and
provider, cost, merged ``reasoning_details``, annotations, images and audio.
Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from langchain_core.messages import AIMessageChunk, ToolCallChunk
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_openrouter_free import _safe_json as safe_json
from langchain_openrouter_free._error_mapping import error_from_body
from langchain_openrouter_free._reasoning import merge_reasoning_details
from langchain_openrouter_free._response import (
    COMPLETION_FACT_KEYS,
    LIST_EXTRAS,
    cut_by_max_tokens,
    error_object,
    generation_info,
    message_text,
    repair_tool_call_id,
    response_metadata,
    text_extras,
    usage_to_metadata,
)
from langchain_openrouter_free._text_chunks import text_chunk
from langchain_openrouter_free.errors import OpenRouterStreamError

if TYPE_CHECKING:
    from langchain_core.messages.ai import UsageMetadata

__all__ = ["DONE", "StreamAccumulator"]

DONE: Final = "[DONE]"
"""The ``data`` payload that ends an OpenRouter stream."""

_AUDIO_TEXT_KEYS: Final = ("data", "transcript")
_FINISH_KEYS: Final = ("finish_reason", "native_finish_reason")
_LATEST_FACT_KEYS: Final = tuple(key for key in COMPLETION_FACT_KEYS if key != "id")
"""Completion facts a later chunk updates (the id is the first chunk's)."""
_EXTRA_KEYS: Final = frozenset({"reasoning_details", "audio", *LIST_EXTRAS})
"""Delta keys `StreamAccumulator._absorb_extras` gathers (rarely present)."""
_EMPTY: Final[dict[str, Any]] = {}
"""Stands in for a missing choice or delta; never written to."""
_PREVIEW_CHARS: Final = 200


class StreamAccumulator:
    """Turns one OpenRouter stream into LangChain chunks, one event at a time.

    Example:
        ```python
        acc = StreamAccumulator()
        for data in events:  # SSE data strings, "[DONE]" included
            for chunk in acc.feed(data):
                yield chunk
        for chunk in acc.finish():  # no-op if [DONE] already closed it
            yield chunk
        ```
    """

    def __init__(self) -> None:
        """Start an empty accumulator for one stream."""
        self._text_parts: list[str] = []
        self._facts: dict[str, Any] = {}
        self._finish: dict[str, Any] = {}
        self._logprobs: list[Any] = []
        self._usage: Mapping[str, Any] | None = None
        self._reasoning_details: list[Mapping[str, Any]] = []
        self._lists: dict[str, list[Any]] = {key: [] for key in LIST_EXTRAS}
        self._audio: dict[str, Any] = {}
        self._tools = _ToolCallTracker()
        self._id: str | None = None
        self._done = False
        self._closed = False

    @property
    def done(self) -> bool:
        """Whether ``[DONE]`` was received."""
        return self._done

    @property
    def text(self) -> str:
        """The answer text received so far."""
        return "".join(self._text_parts)

    @property
    def usage_metadata(self) -> UsageMetadata | None:
        """Usage from the last chunk that carried it (an error chunk included)."""
        return usage_to_metadata(self._usage) if self._usage else None

    def feed(self, data: str) -> list[ChatGenerationChunk]:
        """Consume one SSE ``data`` payload.

        Args:
            data: The payload of one ``data:`` line: a JSON chunk or ``[DONE]``.

        Returns:
            The chunks to emit now: usually zero or one for a delta, and the
            final chunk (``chunk_position="last"``) for ``[DONE]``. Nothing
            after the final chunk.

        Raises:
            OpenRouterAPIError: The chunk carries an ``error`` (typed by its
                code, with ``partial_text``).
            OpenRouterStreamError: The payload is not a JSON object, or the
                choice finished with ``finish_reason: "error"``.
        """
        emitted = self.step(data)
        return [] if emitted is None else [emitted]

    def step(self, data: str) -> ChatGenerationChunk | None:
        """`feed` for the stream loop: the one chunk to emit now, or None.

        The final chunk (for ``[DONE]``) comes out here too; see `feed`.
        """
        if self._closed:
            return None
        payload = data.strip()
        if not payload:
            return None
        if payload == DONE:
            self._done = True
            return self._final()
        # Per chunk: JSON objects are plain dicts (no ABC checks), and the
        # rare parts (errors, extras, tool calls) are looked at only if present.
        chunk = self._parse(payload)
        self._absorb_facts(chunk)
        raw_choices = chunk.get("choices")
        choice: dict[str, Any] = (
            raw_choices[0]
            if isinstance(raw_choices, list)
            and raw_choices
            and isinstance(raw_choices[0], dict)
            else _EMPTY
        )
        raw_delta = choice.get("delta")
        delta: dict[str, Any] = raw_delta if isinstance(raw_delta, dict) else _EMPTY
        if (
            "error" in chunk
            or "error" in choice
            or choice.get("finish_reason") == "error"
        ):
            self._raise_for_error(chunk, choice, delta)
        self._absorb_choice(choice)
        return self._delta_chunk(delta)

    def finish(self) -> list[ChatGenerationChunk]:
        """Close the stream when the transport has no more events.

        Returns:
            The final chunk, or ``[]`` if ``[DONE]`` already emitted it.

        Raises:
            OpenRouterStreamError: Neither ``[DONE]`` nor a finish reason
                arrived: the stream was cut off.
        """
        if self._closed:
            return []
        if not self._done and self._finish.get("finish_reason") is None:
            msg = (
                "OpenRouter stream ended before completion "
                "(no finish_reason and no [DONE])"
            )
            raise OpenRouterStreamError(msg, partial_text=self.text)
        return [self._final()]

    def _parse(self, payload: str) -> dict[str, Any]:
        try:
            chunk = safe_json.loads(payload)
        except ValueError as exc:
            msg = f"OpenRouter sent stream data that is not JSON: {_preview(payload)}"
            raise OpenRouterStreamError(
                msg, body=payload, partial_text=self.text
            ) from exc
        if not isinstance(chunk, dict):
            msg = f"OpenRouter sent stream data that is no object: {_preview(payload)}"
            raise OpenRouterStreamError(msg, body=chunk, partial_text=self.text)
        return chunk

    def _absorb_facts(self, chunk: dict[str, Any]) -> None:
        facts = self._facts
        if "id" not in facts and chunk.get("id") is not None:
            facts["id"] = chunk["id"]  # the first id stays
            if isinstance(facts["id"], str) and facts["id"]:
                self._id = facts["id"]
        for key in _LATEST_FACT_KEYS:
            value = chunk.get(key)
            if value is not None:
                facts[key] = value
        usage = chunk.get("usage")
        if usage and isinstance(usage, dict):
            self._usage = usage

    def _raise_for_error(
        self,
        chunk: Mapping[str, Any],
        choice: Mapping[str, Any],
        delta: Mapping[str, Any],
    ) -> None:
        error = error_object(chunk.get("error")) or error_object(choice.get("error"))
        failed = choice.get("finish_reason") == "error"
        if error is None and not failed:
            return
        self._text_parts.append(message_text(delta.get("content")))
        if error is not None:
            raise error_from_body(
                error, status_code=None, body=dict(chunk), partial_text=self.text
            )
        msg = "OpenRouter stream finished with finish_reason 'error' and no details"
        raise OpenRouterStreamError(msg, body=dict(chunk), partial_text=self.text)

    def _absorb_choice(self, choice: dict[str, Any]) -> None:
        finish = self._finish
        for key in _FINISH_KEYS:
            value = choice.get(key)
            if value is not None and finish.get(key) is None:
                finish[key] = value
        logprobs = choice.get("logprobs")
        if isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
            self._logprobs.extend(logprobs["content"])

    def _delta_chunk(self, delta: dict[str, Any]) -> ChatGenerationChunk | None:
        content = delta.get("content")
        text = content if isinstance(content, str) else message_text(content)
        kwargs = text_extras(delta)
        if not _EXTRA_KEYS.isdisjoint(delta):
            self._absorb_extras(delta)
        raw_calls = delta.get("tool_calls")
        tool_chunks = self._tools.feed(raw_calls) if raw_calls else []
        if not (text or kwargs or tool_chunks):
            return None
        self._text_parts.append(text)
        if not tool_chunks:  # the common case: built without re-validation
            return text_chunk(text, kwargs, self._id)
        # Only the non-empty fields: an empty dict or list still costs
        # validation in AIMessageChunk.
        fields: dict[str, Any] = {"content": text, "tool_call_chunks": tool_chunks}
        if kwargs:
            fields["additional_kwargs"] = kwargs
        if self._id is not None:
            fields["id"] = self._id
        return ChatGenerationChunk(message=AIMessageChunk(**fields))

    def _absorb_extras(self, delta: dict[str, Any]) -> None:
        details = delta.get("reasoning_details")
        if isinstance(details, list):
            self._reasoning_details.extend(d for d in details if isinstance(d, Mapping))
        for key in LIST_EXTRAS:
            value = delta.get(key)
            if isinstance(value, list):
                self._lists[key].extend(value)
        audio = delta.get("audio")
        if isinstance(audio, Mapping):
            for key, value in audio.items():
                previous = self._audio.get(key)
                if key in _AUDIO_TEXT_KEYS and isinstance(value, str):
                    self._audio[key] = (previous or "") + value
                elif value is not None:
                    self._audio[key] = value

    def _final(self) -> ChatGenerationChunk:
        self._closed = True
        choice: dict[str, Any] = dict(self._finish)
        if self._logprobs:
            choice["logprobs"] = {"content": list(self._logprobs)}
        message = AIMessageChunk(
            content="",
            tool_call_chunks=self._tools.flush(cut=cut_by_max_tokens(choice)),
            additional_kwargs=self._final_extras(),
            response_metadata=response_metadata(self._facts, self._usage, choice),
            usage_metadata=self.usage_metadata,
            id=self._message_id(),
            chunk_position="last",
        )
        return ChatGenerationChunk(
            message=message, generation_info=generation_info(choice)
        )

    def _final_extras(self) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        details = merge_reasoning_details(self._reasoning_details)
        if details:
            extras["reasoning_details"] = details
        for key, values in self._lists.items():
            if values:
                extras[key] = list(values)
        if self._audio:
            extras["audio"] = dict(self._audio)
        return extras

    def _message_id(self) -> str | None:
        return self._id


@dataclass
class _OpenCall:
    index: int
    wire_id: str | None
    named: bool
    args: list[str] = field(default_factory=list)
    wire_index: int | None = None


class _ToolCallTracker:
    """Turns ``delta.tool_calls`` fragments into LangChain tool-call chunks.

    Calls are keyed by their wire ``index`` (a fragment without one continues
    the last open call). ``id`` and ``name`` go out once, on a call's first
    fragment, so LangChain's merge never concatenates them; argument text goes
    out piece by piece. When ``max_tokens`` cut the answer off, `flush` adds
    a closing piece to the call written last so that LangChain's lenient
    merge cannot repair it into a valid-looking call. A fragment whose
    non-empty ``id`` differs from the open call's at the same index starts a
    new call (providers that number every parallel call 0), and a fragment
    whose ``id`` is already known at its index continues that call, so the
    interleaved fragments of two calls at one index keep their own arguments.
    """

    def __init__(self) -> None:
        self._calls: dict[int, _OpenCall] = {}
        self._by_wire: dict[int, int] = {}
        self._by_id: dict[str, _OpenCall] = {}
        self._last: _OpenCall | None = None
        self._touched: _OpenCall | None = None
        self._seen_ids: set[str] = set()

    def flush(self, *, cut: bool) -> list[ToolCallChunk]:
        """The tool-call pieces of the stream's last chunk.

        Args:
            cut: The answer stopped at ``max_tokens``.

        Returns:
            Nothing normally. When cut, one piece for the call written last:
            `CUT_MARKER` (closing its string first if one is open), which no
            JSON repair can close, so merged chunks give an
            ``invalid_tool_call`` whose ``args`` are the text sent plus that
            marker, never a call with repaired, truncated arguments.
        """
        call = self._touched
        if not cut or call is None:
            return []
        piece = _unrepairable("".join(call.args))
        return [tool_call_chunk(name=None, args=piece, id=None, index=call.index)]

    def feed(self, raw: Any) -> list[ToolCallChunk]:
        if not isinstance(raw, list):
            return []
        chunks: list[ToolCallChunk] = []
        for fragment in raw:
            if isinstance(fragment, Mapping):
                chunk = self._fragment(fragment)
                if chunk is not None:
                    chunks.append(chunk)
        return chunks

    def _fragment(self, fragment: Mapping[str, Any]) -> ToolCallChunk | None:
        raw_function = fragment.get("function")
        function: Mapping[str, Any] = (
            raw_function if isinstance(raw_function, Mapping) else {}
        )
        name = _non_empty(function.get("name"))
        raw_id = _non_empty(fragment.get("id"))
        args = _args_piece(function.get("arguments"))
        wire_index = fragment.get("index")
        if not isinstance(wire_index, int) or isinstance(wire_index, bool):
            wire_index = None
        call = self._find(wire_index, raw_id)
        if call is None:
            return self._open(wire_index, raw_id, name, args)
        if wire_index is not None:
            self._by_wire[wire_index] = call.index  # id-less fragments follow it
        self._touched = call
        call.args.append(args)
        new_name = name if name is not None and not call.named else None
        call.named = call.named or new_name is not None
        if not args and new_name is None:
            return None
        return tool_call_chunk(name=new_name, args=args, id=None, index=call.index)

    def _find(self, wire_index: int | None, raw_id: str | None) -> _OpenCall | None:
        known = self._by_id.get(raw_id) if raw_id is not None else None
        if known is not None and wire_index in {None, known.wire_index}:
            return known
        if wire_index is None:
            call = self._last
        else:
            position = self._by_wire.get(wire_index)
            call = None if position is None else self._calls[position]
        if call is not None and raw_id and call.wire_id and raw_id != call.wire_id:
            return None
        return call

    def _open(
        self, wire_index: int | None, raw_id: str | None, name: str | None, args: str
    ) -> ToolCallChunk:
        if wire_index is not None and wire_index not in self._calls:
            index = wire_index
        else:
            index = max(self._calls, default=-1) + 1
        call = _OpenCall(
            index=index,
            wire_id=raw_id,
            named=name is not None,
            args=[args],
            wire_index=wire_index,
        )
        self._calls[index] = call
        if wire_index is not None:
            self._by_wire[wire_index] = index
        if raw_id is not None:
            self._by_id[raw_id] = call
        self._last = self._touched = call
        call_id = repair_tool_call_id(raw_id, index, self._seen_ids)
        return tool_call_chunk(name=name, args=args, id=call_id, index=index)


CUT_MARKER: Final = "]"
"""Ends the arguments of a streamed tool call ``max_tokens`` cut off.

A closing bracket that matches nothing open: LangChain's partial-JSON repair
gives up on it (it only ever adds closers), so the merged call is invalid.
"""


def _unrepairable(text: str) -> str:
    """The piece that makes cut-off JSON ``text`` unrepairable (see CUT_MARKER)."""
    in_string = escaped = False
    opened: list[str] = []
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            opened.append(char)
        elif char in "}]" and opened:
            opened.pop()
    closer = "}" if opened and opened[-1] == "[" else CUT_MARKER
    return ("x" if escaped else "") + ('"' if in_string else "") + closer


def _non_empty(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _args_piece(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def _preview(payload: str) -> str:
    if len(payload) <= _PREVIEW_CHARS:
        return repr(payload)
    return repr(payload[:_PREVIEW_CHARS]) + "..."
