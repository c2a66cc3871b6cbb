"""PURE: capability step-downs of one request body, and the answer reshaping.

When a free model refuses part of a request ("No endpoints found that support
tool use", "JSON mode is not enabled", a ``response_format`` 400, "Developer
instruction is not enabled"), the request is sent again in a form the model
accepts. Structured output steps down

    json_schema -> function_calling -> json_mode -> the schema in the prompt

and a refused system prompt is merged into the first user message. Each step
is taken at most once per call.

The caller asked for one answer shape (JSON text for ``response_format``, a
tool call for a forced tool) and its parser expects it, so an answer to a
stepped-down request is reshaped back (`Reshape`): a forced tool call becomes
JSON text, JSON text becomes the forced tool call. Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from langchain_core.messages.tool import tool_call, tool_call_chunk

from langchain_openrouter_free._structured import json_mode_instruction

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage, AIMessageChunk

__all__ = [
    "Reshape",
    "StepDown",
    "merge_system_prompt",
    "next_structured_step",
]

_SYSTEM_ROLES: Final = frozenset({"system", "developer"})
_PLAIN_JSON_INSTRUCTION: Final = (
    "Answer with a single JSON object. Output only the JSON object: no prose, "
    "no code fences."
)
_STRUCTURED_KEYS: Final = ("response_format", "tools", "tool_choice")


@dataclass(frozen=True)
class Reshape:
    """Turn the answer of a stepped-down request back into the shape asked for.

    Attributes:
        to_text: True: the forced tool call's arguments become the content
            (the caller asked for ``response_format``). False: the content
            becomes a call of ``tool_name`` (the caller forced that tool).
        tool_name: The schema's tool / function name.
    """

    to_text: bool
    tool_name: str

    def message(self, message: AIMessage) -> AIMessage:
        """Reshape a whole answer."""
        if self.to_text:
            args = next(
                (c["args"] for c in message.tool_calls if c["name"] == self.tool_name),
                None,
            )
            if args is None:
                return message
            text = json.dumps(args, ensure_ascii=False)
            return message.model_copy(
                update={"content": text, "tool_calls": [], "invalid_tool_calls": []}
            )
        if message.tool_calls or not isinstance(message.content, str):
            return message
        try:
            args = json.loads(_strip_fences(message.content))
        except ValueError:
            return message
        if not isinstance(args, dict):
            return message
        call = tool_call(name=self.tool_name, args=args, id="call_0")
        return message.model_copy(update={"content": "", "tool_calls": [call]})

    def chunk(self, chunk: AIMessageChunk, *, first: bool) -> AIMessageChunk:
        """Reshape one streamed chunk (``first``: no text or call sent yet)."""
        if self.to_text:
            pieces = [c.get("args") or "" for c in chunk.tool_call_chunks]
            return chunk.model_copy(
                update={
                    "content": "".join(pieces) + _text(chunk.content),
                    "tool_call_chunks": [],
                    "tool_calls": [],
                }
            )
        text = _text(chunk.content)
        if not text:
            return chunk
        piece = tool_call_chunk(
            name=self.tool_name if first else None,
            args=text,
            id="call_0" if first else None,
            index=0,
        )
        return chunk.model_copy(update={"content": "", "tool_call_chunks": [piece]})


@dataclass(frozen=True)
class StepDown:
    """One step down: the body to send next, its name, and the reshaping.

    Attributes:
        payload: The request body for the next attempt.
        step: What changed (``"json_schema->function_calling"``, ...).
        reshape: How to reshape the answer, or None when it needs none.
    """

    payload: dict[str, Any]
    step: str
    reshape: Reshape | None


def next_structured_step(
    payload: Mapping[str, Any], *, refused: str, reshape: Reshape | None
) -> StepDown | None:
    """The structured-output step below the one ``payload`` uses, if any.

    Args:
        payload: The body that was refused.
        refused: What the model refused: ``"tools"`` or ``"json"`` (JSON
            mode, ``response_format``).
        reshape: The reshaping already in force (its direction is kept: it
            describes what the caller asked for).

    Returns:
        The next step, or None when the refusal is not about what this body
        asks for (a plain ``bind_tools`` call without a forced tool, say).
    """
    response_format = payload.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, Mapping) else None
    if (
        refused == "json"
        and isinstance(response_format, Mapping)
        and kind == "json_schema"
    ):
        return _to_function_calling(payload, response_format, reshape)
    if refused == "json" and kind == "json_object":
        return _to_prompt(payload, reshape)
    forced = _forced_tool(payload)
    if refused == "tools" and forced is not None:
        return _to_json_mode(payload, forced, reshape)
    return None


def merge_system_prompt(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """Move the system / developer messages into the first user message.

    Args:
        payload: The body whose system prompt was refused.

    Returns:
        The new body, or None when it has no system message (or no user
        message to carry it).
    """
    messages = [m for m in payload.get("messages") or () if isinstance(m, Mapping)]
    system = [m for m in messages if m.get("role") in _SYSTEM_ROLES]
    rest = [dict(m) for m in messages if m.get("role") not in _SYSTEM_ROLES]
    first_user = next((m for m in rest if m.get("role") == "user"), None)
    if not system or first_user is None:
        return None
    prefix = "\n\n".join(_text(m.get("content")) for m in system).strip()
    content = first_user.get("content")
    if isinstance(content, list):
        first_user["content"] = [{"type": "text", "text": prefix}, *content]
    else:
        first_user["content"] = f"{prefix}\n\n{_text(content)}"
    return {**payload, "messages": rest}


def _to_function_calling(
    payload: Mapping[str, Any],
    response_format: Mapping[str, Any],
    reshape: Reshape | None,
) -> StepDown:
    spec = response_format.get("json_schema")
    spec = spec if isinstance(spec, Mapping) else {}
    name = str(spec.get("name") or "Output")
    function: dict[str, Any] = {
        "name": name,
        "parameters": dict(spec.get("schema") or {"type": "object"}),
    }
    if spec.get("description"):
        function["description"] = spec["description"]
    body = _without(payload, _STRUCTURED_KEYS)
    body["tools"] = [{"type": "function", "function": function}]
    body["tool_choice"] = {"type": "function", "function": {"name": name}}
    return StepDown(
        payload=body,
        step="json_schema->function_calling",
        reshape=reshape or Reshape(to_text=True, tool_name=name),
    )


def _to_json_mode(
    payload: Mapping[str, Any], forced: Mapping[str, Any], reshape: Reshape | None
) -> StepDown:
    name = str(forced.get("name"))
    schema = {"title": name, **dict(forced.get("parameters") or {})}
    body = _without(payload, (*_STRUCTURED_KEYS, "parallel_tool_calls"))
    body["response_format"] = {"type": "json_object"}
    body["messages"] = _with_system_text(
        body.get("messages"), json_mode_instruction(schema)
    )
    return StepDown(
        payload=body,
        step="function_calling->json_mode",
        reshape=reshape or Reshape(to_text=False, tool_name=name),
    )


def _to_prompt(payload: Mapping[str, Any], reshape: Reshape | None) -> StepDown:
    body = _without(payload, ("response_format",))
    if not _mentions_json(body.get("messages")):
        body["messages"] = _with_system_text(
            body.get("messages"), _PLAIN_JSON_INSTRUCTION
        )
    return StepDown(payload=body, step="json_mode->prompt", reshape=reshape)


def _forced_tool(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The function a body forces (``tool_choice`` naming its only tool)."""
    tools = payload.get("tools")
    choice = payload.get("tool_choice")
    if not (isinstance(tools, list) and len(tools) == 1):
        return None
    function = tools[0].get("function") if isinstance(tools[0], Mapping) else None
    if not isinstance(function, Mapping):
        return None
    forced = choice.get("function") if isinstance(choice, Mapping) else None
    named = isinstance(forced, Mapping) and forced.get("name") == function.get("name")
    return function if named or choice == "required" else None


def _with_system_text(messages: Any, text: str) -> list[dict[str, Any]]:
    items = [dict(m) for m in messages or () if isinstance(m, Mapping)]
    if items and items[0].get("role") == "system":
        first = items[0]
        content = first.get("content")
        if isinstance(content, list):
            first["content"] = [*content, {"type": "text", "text": text}]
        else:
            first["content"] = f"{_text(content)}\n\n{text}".strip()
        return items
    return [{"role": "system", "content": text}, *items]


def _mentions_json(messages: Any) -> bool:
    return any(
        "json" in _text(m.get("content")).lower()
        for m in messages or ()
        if isinstance(m, Mapping)
    )


def _without(payload: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in keys}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text") or "")
            for part in content
            if isinstance(part, (str, Mapping))
        )
    return ""


def _strip_fences(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[-1].rsplit("```", 1)[0]
    return stripped
