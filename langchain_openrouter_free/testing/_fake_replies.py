"""Scripted replies for `FakeOpenRouter` and the deterministic default reply."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "DEFAULT_FREE_MODEL",
    "FakeReply",
    "FakeToolCall",
    "RecordedRequest",
    "default_reply",
    "last_user_text",
    "message_text",
    "schema_example",
]

DEFAULT_FREE_MODEL: Final = "meta-llama/llama-3.3-70b-instruct:free"
"""The model reported as answering when ``openrouter/free`` (or no model) is asked."""

_MAX_SCHEMA_DEPTH: Final = 12
_STRING_FORMATS: Final[Mapping[str, str]] = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "email": "test@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the emulator received, kept for assertions.

    Attributes:
        method: Upper-case HTTP method.
        path: The path without the query string, e.g. ``/api/v1/chat/completions``.
        headers: Request headers with lower-cased names.
        json: The parsed JSON body, or None when there was no JSON body.
        received_at: Real wall-clock time (epoch seconds) of arrival.
        query: The query string without ``?`` (``""`` if none).
        body: The raw request body.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    json: Any
    received_at: float
    query: str = ""
    body: bytes = b""

    @property
    def model(self) -> str | None:
        """The ``model`` of a JSON body, if any."""
        payload = self.json
        model = payload.get("model") if isinstance(payload, Mapping) else None
        return model if isinstance(model, str) else None

    @property
    def stream(self) -> bool:
        """Whether the body asked for a stream (``"stream": true``)."""
        return isinstance(self.json, Mapping) and self.json.get("stream") is True

    @property
    def messages(self) -> list[Mapping[str, Any]]:
        """The chat messages of the body (``[]`` when absent or malformed)."""
        payload = self.json
        messages = payload.get("messages") if isinstance(payload, Mapping) else None
        if not isinstance(messages, list):
            return []
        return [m for m in messages if isinstance(m, Mapping)]

    @property
    def last_user_text(self) -> str:
        """The text of the last ``user`` message (``""`` if none)."""
        return last_user_text(self.messages)


@dataclass(frozen=True)
class FakeToolCall:
    """A tool call the fake model makes.

    Attributes:
        name: The function name.
        arguments: The arguments, as a mapping (JSON-encoded on the wire) or as
            a raw string sent unchanged (for malformed-argument tests).
        id: The call id; defaults to ``call_<index>``.
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    def arguments_json(self) -> str:
        """The arguments as the JSON string sent on the wire."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), ensure_ascii=False)


@dataclass(frozen=True)
class FakeReply:
    """One scripted assistant answer.

    Attributes:
        content: The answer text (split into several deltas when streamed).
        reasoning: Reasoning text, sent as ``reasoning`` plus ``reasoning_details``.
        tool_calls: Tool calls to make.
        finish_reason: Defaults to ``"tool_calls"`` with tool calls, else ``"stop"``.
        model: The model reported as answering; defaults to the requested model
            (a concrete ``:free`` id for ``openrouter/free``).
        usage: Keys that replace the computed ``usage`` entries (shallow merge).
        provider: The ``provider`` reported.
        keepalives: ``: OPENROUTER PROCESSING`` comments before a stream's first
            event; for a JSON answer, whitespace keep-alive lines before the body.
        native_finish_reason: The provider's finish reason when it differs
            (``"length"`` with ``finish_reason="tool_calls"``: a tool call cut
            by ``max_tokens``, as OpenRouter reports it).
    """

    content: str = ""
    reasoning: str | None = None
    tool_calls: Sequence[FakeToolCall] = ()
    finish_reason: str | None = None
    model: str | None = None
    usage: Mapping[str, Any] | None = None
    provider: str = "FakeProvider"
    keepalives: int = 1
    native_finish_reason: str | None = None

    @property
    def resolved_finish_reason(self) -> str:
        """The finish reason sent: explicit, else derived from the tool calls."""
        if self.finish_reason is not None:
            return self.finish_reason
        return "tool_calls" if self.tool_calls else "stop"


def message_text(message: Mapping[str, Any]) -> str:
    """The plain text of one chat message (string content or text parts).

    Args:
        message: An OpenRouter request message.

    Returns:
        The text, parts joined by spaces; ``""`` when there is none.
    """
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part["text"]
            for part in content
            if isinstance(part, Mapping) and isinstance(part.get("text"), str)
        ]
        return " ".join(texts)
    return ""


def last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text of the last ``user`` message.

    Args:
        messages: OpenRouter request messages.

    Returns:
        The text, or ``""`` when no user message exists.
    """
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def default_reply(payload: Mapping[str, Any]) -> FakeReply:
    """The deterministic answer to a chat request when nothing is scripted.

    Tools bound (and ``tool_choice`` not ``"none"``, last message not a tool
    result): a call of the forced or first tool, ``id`` ``call_0``, arguments
    built from its schema. ``response_format`` ``json_schema``: a document built
    from the schema; ``json_object``: ``{}``. Otherwise an echo,
    ``"You said: <last user text>"``.

    Args:
        payload: The request body.

    Returns:
        The reply.
    """
    raw_messages = payload.get("messages")
    messages = [
        m
        for m in (raw_messages if isinstance(raw_messages, list) else [])
        if isinstance(m, Mapping)
    ]
    tool = _tool_to_call(payload, messages)
    if tool is not None:
        name, schema = tool
        arguments = schema_example(schema) if schema else {}
        call = FakeToolCall(
            name, arguments if isinstance(arguments, Mapping) else {}, id="call_0"
        )
        return FakeReply(tool_calls=(call,))
    response_format = payload.get("response_format")
    if isinstance(response_format, Mapping):
        if response_format.get("type") == "json_schema":
            spec = response_format.get("json_schema")
            raw_schema = spec.get("schema") if isinstance(spec, Mapping) else None
            document = schema_example(
                raw_schema if isinstance(raw_schema, Mapping) else {}
            )
            return FakeReply(content=json.dumps(document, ensure_ascii=False))
        if response_format.get("type") == "json_object":
            return FakeReply(content="{}")
    return FakeReply(content=f"You said: {last_user_text(messages)}")


def _tool_to_call(
    payload: Mapping[str, Any], messages: Sequence[Mapping[str, Any]]
) -> tuple[str, Mapping[str, Any]] | None:
    raw_tools = payload.get("tools")
    functions = [
        tool["function"]
        for tool in (raw_tools if isinstance(raw_tools, list) else [])
        if isinstance(tool, Mapping)
        and isinstance(tool.get("function"), Mapping)
        and isinstance(tool["function"].get("name"), str)
    ]
    choice = payload.get("tool_choice")
    if not functions or choice == "none":
        return None
    if messages and messages[-1].get("role") == "tool":
        return None
    chosen = functions[0]
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        forced = choice["function"].get("name")
        chosen = next((f for f in functions if f["name"] == forced), chosen)
    parameters = chosen.get("parameters")
    return chosen["name"], parameters if isinstance(parameters, Mapping) else {}


def schema_example(
    schema: Mapping[str, Any], root: Mapping[str, Any] | None = None
) -> Any:
    """Build a small value that validates against a JSON schema.

    Strings are ``"test"`` (or a sample for a known ``format``), integers 1,
    numbers 1.0, booleans true, arrays empty (or ``minItems`` samples); an
    ``enum`` gives its first value and ``const`` its value. Objects get their
    required properties, or every property when none is required. Local
    ``$ref`` (``#/$defs/...``), ``anyOf``/``oneOf`` (first non-null option) and
    ``allOf`` are followed.

    Args:
        schema: The JSON schema.
        root: The document ``$ref`` pointers resolve against (default: schema).

    Returns:
        A JSON-compatible value.
    """
    return _example(schema, root if root is not None else schema, 0)


def _example(schema: Any, root: Mapping[str, Any], depth: int) -> Any:
    if not isinstance(schema, Mapping) or depth > _MAX_SCHEMA_DEPTH:
        return None
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    target = _combinator_target(schema, root)
    if target is not None:
        return _example(target, root, depth + 1)
    return _typed_example(schema, _schema_type(schema), root, depth)


def _combinator_target(
    schema: Mapping[str, Any], root: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The schema a ``$ref``, ``anyOf``/``oneOf`` or ``allOf`` stands for."""
    if isinstance(schema.get("$ref"), str):
        return _resolve_ref(root, schema["$ref"])
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            option = _first_non_null(options)
            return option if isinstance(option, Mapping) else {}
    parts = schema.get("allOf")
    if isinstance(parts, list):
        merged: dict[str, Any] = {}
        for part in parts:
            if isinstance(part, Mapping) and isinstance(part.get("$ref"), str):
                part = _resolve_ref(root, part["$ref"])  # noqa: PLW2901
            merged |= dict(part) if isinstance(part, Mapping) else {}
        return merged
    return None


def _typed_example(
    schema: Mapping[str, Any], kind: str, root: Mapping[str, Any], depth: int
) -> Any:
    if kind == "object":
        properties = schema.get("properties")
        props: Mapping[str, Any] = properties if isinstance(properties, Mapping) else {}
        required = [r for r in schema.get("required") or () if isinstance(r, str)]
        keys = required or list(props)
        return {
            key: _example(props.get(key, {"type": "string"}), root, depth + 1)
            for key in keys
        }
    if kind == "array":
        count = int(schema.get("minItems") or 0)
        return [
            _example(schema.get("items", {}), root, depth + 1) for _ in range(count)
        ]
    if kind in {"integer", "number"}:
        return _number_example(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string_example(schema)


def _number_example(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    value: float = 1
    if isinstance(schema.get("minimum"), (int, float)):
        value = max(value, schema["minimum"])
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        value = max(value, schema["exclusiveMinimum"] + 1)
    if isinstance(schema.get("maximum"), (int, float)):
        value = min(value, schema["maximum"])
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        value = min(value, schema["exclusiveMaximum"] - 1)
    return int(value) if integer else float(value)


def _string_example(schema: Mapping[str, Any]) -> str:
    text = _STRING_FORMATS.get(str(schema.get("format")), "test")
    min_length = schema.get("minLength")
    if isinstance(min_length, int) and len(text) < min_length:
        text += "t" * (min_length - len(text))
    return text


def _schema_type(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _first_non_null(options: list[Any]) -> Any:
    for option in options:
        if not (isinstance(option, Mapping) and option.get("type") == "null"):
            return option
    return options[0]


def _resolve_ref(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/"):
        if not part:
            continue
        key = part.replace("~1", "/").replace("~0", "~")
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}
