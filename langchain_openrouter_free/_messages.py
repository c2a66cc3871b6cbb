"""Pure outbound mapping: LangChain messages -> OpenRouter request ``messages``.

Nothing here does I/O. The chat model calls :func:`convert_messages` to build the
``messages`` array of a ``POST /chat/completions`` body.

Wire shapes (OpenRouter Chat Completions):

- ``system`` / ``developer``: a string or a list of text parts only.
- ``user``: a string or a list of parts (``text``, ``image_url``, ``file``,
  ``input_audio``, ``video_url``). LangChain standard data blocks (v0 blocks
  with ``source_type`` and v1 blocks with ``url`` / ``base64`` / ``file_id``)
  are converted to those parts.
- ``assistant``: text content, ``tool_calls``, and the reasoning replay fields
  ``reasoning`` and ``reasoning_details``.
- ``tool``: ``tool_call_id`` plus a string or a list of parts.

LangChain message ids are never sent.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolCall,
    ToolMessage,
    convert_to_openai_data_block,
    is_data_content_block,
)

from langchain_openrouter_free._reasoning import merge_reasoning_details

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["check_content_blocks", "convert_message", "convert_messages"]

_DEVELOPER_ROLE_KEY: Final = "__openai_role__"
_EPHEMERAL_REASONING_ID_PREFIX: Final = "rs_"
_DEFAULT_FILE_STEM: Final = "document"

# OpenRouter's ``input_audio.format`` values, keyed by MIME type. Unlisted MIME
# types fall back to their subtype (``audio/pcm16`` -> ``pcm16``).
_AUDIO_FORMATS: Final[Mapping[str, str]] = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
    "audio/vnd.wave": "wav",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/mp4": "m4a",
    "audio/m4a": "m4a",
    "audio/x-m4a": "m4a",
    "audio/ogg": "ogg",
    "audio/aiff": "aiff",
    "audio/x-aiff": "aiff",
    "audio/aac": "aac",
}

Part = dict[str, Any]
Payload = dict[str, Any]
Content = str | list[Part]


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


_V0_SOURCE_KEYS: Final = {"base64": "data", "url": "url", "id": "id"}


def check_content_blocks(messages: Sequence[BaseMessage]) -> None:
    """Refuse data blocks that lack their payload, before LangChain reads them.

    LangChain normalises v0 blocks (``{"type": "image", "source_type":
    "base64", "data": ...}``) before the model sees them and fails with a bare
    ``KeyError`` when the payload key is missing; this check runs first and
    names the block instead.

    Args:
        messages: The conversation about to be sent.

    Raises:
        ValueError: A block's ``source_type`` promises a key it lacks.
    """
    for position, message in enumerate(messages):
        blocks = message.content if isinstance(message.content, list) else []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            needed = _V0_SOURCE_KEYS.get(str(block.get("source_type")))
            if needed is not None and not block.get(needed):
                msg = (
                    f"message {position}: {block.get('type')!r} content block with "
                    f"source_type {block['source_type']!r} needs a non-empty "
                    f"{needed!r}; keys: {sorted(block)}."
                )
                raise ValueError(msg)


def convert_messages(messages: Sequence[BaseMessage]) -> list[Payload]:
    """Convert LangChain messages to the OpenRouter request ``messages`` array.

    Args:
        messages: The conversation, oldest first.

    Returns:
        One wire dict per message, in order.
    """
    return [convert_message(message) for message in messages]


def convert_message(message: BaseMessage) -> Payload:
    """Convert one LangChain message to an OpenRouter request message.

    Args:
        message: A system, human, AI, tool or chat message.

    Returns:
        The wire dict, e.g. ``{"role": "user", "content": "Hi"}``.

    Raises:
        TypeError: If the message type has no OpenRouter equivalent
            (``FunctionMessage``, ``RemoveMessage``, non-messages).
        ValueError: If the message content or role cannot be sent.
    """
    for message_type, converter in _MESSAGE_CONVERTERS:
        if isinstance(message, message_type):
            return converter(message)
    if not isinstance(message, BaseMessage):
        msg = f"Expected a LangChain BaseMessage, got {type(message).__name__}."
        raise TypeError(msg)
    is_function = isinstance(message, FunctionMessage)
    hint = " Use ToolMessage for tool results." if is_function else ""
    msg = (
        f"{type(message).__name__} is not supported by OpenRouter's chat "
        f"completions API.{hint}"
    )
    raise TypeError(msg)


_convert_message_to_dict = convert_message


# --------------------------------------------------------------------------
# Messages, by type and by role
# --------------------------------------------------------------------------


def _convert_system_message(message: BaseMessage) -> Payload:
    developer = message.additional_kwargs.get(_DEVELOPER_ROLE_KEY) == "developer"
    return _instruction_payload(message, "developer" if developer else "system")


def _instruction_payload(message: BaseMessage, role: str) -> Payload:
    content = _instruction_content(message.content, role)
    return _with_name({"role": role, "content": content}, message)


def _user_payload(message: BaseMessage) -> Payload:
    content = message.content
    wire: Content = (
        content if isinstance(content, str) else [_user_part(p) for p in content]
    )
    return _with_name({"role": "user", "content": wire}, message)


def _convert_ai_message(message: AIMessage) -> Payload:
    tool_calls = [_tool_call_to_wire(call) for call in message.tool_calls]
    tool_calls += [_invalid_tool_call_to_wire(c) for c in message.invalid_tool_calls]
    return _assistant_payload(message, tool_calls)


def _assistant_payload(message: BaseMessage, tool_calls: list[Payload]) -> Payload:
    content = _assistant_content(message.content)
    payload: Payload = {
        "role": "assistant",
        "content": None if not content and tool_calls else content,
    }
    _with_name(payload, message)
    if tool_calls:
        payload["tool_calls"] = tool_calls
    payload.update(_reasoning_fields(message.additional_kwargs))
    return payload


def _convert_tool_message(message: ToolMessage) -> Payload:
    return _tool_payload(message.tool_call_id, message.content)


def _tool_payload(tool_call_id: str, content: object) -> Payload:
    return {
        "role": "tool",
        "tool_call_id": tool_call_id,
        "content": _tool_content(content),
    }


def _convert_chat_message(message: ChatMessage) -> Payload:
    builder = _CHAT_ROLE_BUILDERS.get(message.role)
    if builder is None:
        msg = (
            f"ChatMessage role {message.role!r} is not supported by OpenRouter; "
            f"use one of {sorted(_CHAT_ROLE_BUILDERS)}."
        )
        raise ValueError(msg)
    return builder(message)


def _chat_tool_payload(message: BaseMessage) -> Payload:
    tool_call_id = message.additional_kwargs.get("tool_call_id")
    if not isinstance(tool_call_id, str) or not tool_call_id:
        msg = (
            "ChatMessage with role 'tool' needs additional_kwargs['tool_call_id'] "
            "(or use ToolMessage)."
        )
        raise ValueError(msg)
    return _tool_payload(tool_call_id, message.content)


def _with_name(payload: Payload, message: BaseMessage) -> Payload:
    if message.name:
        payload["name"] = message.name
    return payload


_MESSAGE_CONVERTERS: Final[tuple[tuple[type[Any], Callable[[Any], Payload]], ...]] = (
    (SystemMessage, _convert_system_message),
    (HumanMessage, _user_payload),
    (AIMessage, _convert_ai_message),
    (ToolMessage, _convert_tool_message),
    (ChatMessage, _convert_chat_message),
)

_CHAT_ROLE_BUILDERS: Final[Mapping[str, Callable[[BaseMessage], Payload]]] = {
    "system": lambda message: _instruction_payload(message, "system"),
    "developer": lambda message: _instruction_payload(message, "developer"),
    "user": _user_payload,
    "assistant": lambda message: _assistant_payload(message, []),
    "tool": _chat_tool_payload,
}


# --------------------------------------------------------------------------
# Assistant extras: tool calls and reasoning replay
# --------------------------------------------------------------------------


def _tool_call_to_wire(tool_call: ToolCall) -> Payload:
    arguments = json.dumps(tool_call["args"], ensure_ascii=False)
    return _function_call(tool_call.get("id"), tool_call["name"], arguments)


def _invalid_tool_call_to_wire(tool_call: InvalidToolCall) -> Payload:
    """Replay an unparsable tool call with the raw arguments the model produced."""
    args = tool_call.get("args")
    name = tool_call.get("name") or ""
    return _function_call(tool_call.get("id"), name, args or "")


def _function_call(call_id: str | None, name: str, arguments: str) -> Payload:
    if not call_id:
        msg = (
            f"Tool call {name!r} has no id; OpenRouter needs one to pair the call "
            "with its ToolMessage result."
        )
        raise ValueError(msg)
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _reasoning_fields(additional_kwargs: Mapping[str, Any]) -> Payload:
    """Build the ``reasoning`` / ``reasoning_details`` replay fields."""
    fields: Payload = {}
    for key in ("reasoning_content", "reasoning"):
        text = additional_kwargs.get(key)
        if isinstance(text, str) and text:
            fields["reasoning"] = text
            break
    details = additional_kwargs.get("reasoning_details")
    if details is None:
        return fields
    if not isinstance(details, list | tuple):
        msg = (
            "additional_kwargs['reasoning_details'] must be a list, "
            f"got {type(details).__name__}."
        )
        raise TypeError(msg)
    merged = [_drop_ephemeral_id(entry) for entry in merge_reasoning_details(details)]
    if merged:
        fields["reasoning_details"] = merged
    return fields


def _drop_ephemeral_id(entry: dict[str, Any]) -> dict[str, Any]:
    """Remove an OpenAI Responses item id (``rs_...``); it cannot be replayed."""
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id.startswith(
        _EPHEMERAL_REASONING_ID_PREFIX
    ):
        return {key: value for key, value in entry.items() if key != "id"}
    return entry


# --------------------------------------------------------------------------
# Content by role
# --------------------------------------------------------------------------


def _instruction_content(content: str | list[Any], role: str) -> Content:
    """System/developer content: a string or text parts only."""
    if isinstance(content, str):
        return content
    parts: list[Part] = []
    for item in content:
        part_type = _part_type(item, role)
        if part_type != "text":
            msg = (
                f"{role} message content supports only text parts; "
                f"got a part of type {part_type!r}."
            )
            raise ValueError(msg)
        parts.append(_text_part(item))
    return parts


def _assistant_content(content: str | list[Any]) -> Content:
    """Keep the text of assistant content; drop every other block.

    Tool calls and reasoning travel in their own fields, so v1 blocks
    (``tool_call``, ``reasoning``, ``server_tool_call``, ...) and provider
    blocks (``tool_use``, ``thinking``) must not be sent as content.
    """
    if isinstance(content, str):
        return content
    parts = [
        _text_part(item) for item in content if _part_type(item, "assistant") == "text"
    ]
    return _collapse_text_parts(parts)


def _tool_content(content: object) -> Content:
    """Tool result content: text, media parts, and JSON for anything else."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return json.dumps(content, ensure_ascii=False, default=str)
    return [_tool_part(item) for item in content] if content else ""


def _tool_part(item: object) -> Part:
    if isinstance(item, str):
        return _text_part(item)
    if isinstance(item, dict) and item.get("type") in _USER_PART_CONVERTERS:
        return _user_part(item)
    # Tool output is data: a dict that is not a content part is sent as JSON.
    return _text_part(json.dumps(item, ensure_ascii=False, default=str))


def _collapse_text_parts(parts: list[Part]) -> Content:
    """Join plain text parts into one string; keep parts that carry more."""
    if all(set(part) == {"type", "text"} for part in parts):
        return "".join(part["text"] for part in parts)
    return parts


# --------------------------------------------------------------------------
# Content parts
# --------------------------------------------------------------------------


def _part_type(item: object, role: str) -> str:
    """Return a content item's type; a bare string is a text part."""
    if isinstance(item, str):
        return "text"
    if not isinstance(item, dict):
        msg = (
            f"{role} content parts must be strings or dicts, got {type(item).__name__}."
        )
        raise TypeError(msg)
    part_type = item.get("type")
    if not isinstance(part_type, str) or not part_type:
        msg = f"{role} content part has no 'type' (keys: {sorted(item)})."
        raise ValueError(msg)
    return part_type


def _user_part(item: object) -> Part:
    part_type = _part_type(item, "user")
    converter = _USER_PART_CONVERTERS.get(part_type)
    if converter is None:
        msg = (
            f"Unsupported user content part type {part_type!r}; "
            f"supported types: {sorted(_USER_PART_CONVERTERS)}."
        )
        raise ValueError(msg)
    return converter(item if isinstance(item, dict) else {"type": "text", "text": item})


def _text_part(item: object) -> Part:
    """A text part; keeps ``cache_control``, drops LangChain-only keys."""
    if isinstance(item, str):
        return {"type": "text", "text": item}
    block = item if isinstance(item, dict) else {}
    text = _string(block.get("text"))
    if text is None:
        msg = f"text content part needs a string 'text' (keys: {sorted(block)})."
        raise ValueError(msg)
    part: Part = {"type": "text", "text": text}
    if "cache_control" in block:
        part["cache_control"] = block["cache_control"]
    return part


def _url_part(part_type: str) -> Callable[[Part], Part]:
    """Pass through an OpenAI ``image_url`` / ``video_url`` part.

    A bare string value is normalised to ``{"url": value}``.
    """

    def convert(part: Part) -> Part:
        value = part.get(part_type)
        if isinstance(value, str):
            value = {"url": value}
        fields = value if isinstance(value, dict) else {}
        if _string(fields.get("url")) is None:
            msg = f"{part_type} part needs a {part_type!r} object with a 'url'."
            raise ValueError(msg)
        return {**part, part_type: dict(fields)}

    return convert


def _input_audio_part(part: Part) -> Part:
    audio = part.get("input_audio")
    fields = audio if isinstance(audio, dict) else {}
    if not _string(fields.get("data")):
        msg = "input_audio part needs an 'input_audio' object with base64 'data'."
        raise ValueError(msg)
    return {**part, "input_audio": dict(fields)}


def _file_part(part: Part) -> Part:
    """An OpenAI ``file`` part passes through; otherwise a LangChain file block."""
    file = part.get("file")
    if file is None:
        return _file_block(part)
    if not isinstance(file, dict) or not ({"file_data", "file_id"} & file.keys()):
        msg = "file part needs a 'file' object with 'file_data' or 'file_id'."
        raise ValueError(msg)
    return {**part, "file": dict(file)}


# --------------------------------------------------------------------------
# LangChain standard data blocks (v0 and v1)
# --------------------------------------------------------------------------


def _require_data(block: Part) -> None:
    try:
        has_data = is_data_content_block(block)
    except (KeyError, TypeError):  # langchain-core indexes keys a block may lack
        has_data = False
    if not has_data:
        msg = (
            f"{block['type']} content block needs 'url', 'base64' or 'file_id' "
            f"(v0: 'source_type' with 'url' / 'data' / 'id'); keys: {sorted(block)}."
        )
        raise ValueError(msg)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _base64_data(block: Part) -> str | None:
    """Base64 payload of a v1 (``base64``) or v0 (``source_type="base64"``) block."""
    if block.get("source_type") == "base64":
        data = block.get("data")
    else:
        data = block.get("base64")
    return data if isinstance(data, str) and data else None


def _url(block: Part) -> str | None:
    url = block.get("url")
    return url if isinstance(url, str) and url else None


def _mime_type(block: Part) -> str:
    mime_type = block.get("mime_type")
    if not isinstance(mime_type, str) or not mime_type:
        msg = f"{block['type']} content block with base64 data needs a 'mime_type'."
        raise ValueError(msg)
    return mime_type


def _data_url(block: Part, data: str) -> str:
    return f"data:{_mime_type(block)};base64,{data}"


def _anthropic_image(source: Part) -> Part:
    """An Anthropic ``{"type": "image", "source": {...}}`` block as an image part."""
    if source.get("type") == "base64" and isinstance(source.get("data"), str):
        media_type = source.get("media_type")
        if not isinstance(media_type, str) or not media_type:
            msg = "Anthropic image source of type 'base64' needs a 'media_type'."
            raise ValueError(msg)
        url = f"data:{media_type};base64,{source['data']}"
    elif source.get("type") == "url" and isinstance(source.get("url"), str):
        url = source["url"]
    else:
        msg = (
            "Anthropic image source must be {'type': 'base64', 'media_type', "
            "'data'} or {'type': 'url', 'url'}; "
            f"got keys {sorted(source)}."
        )
        raise ValueError(msg)
    return {"type": "image_url", "image_url": {"url": url}}


def _image_block(block: Part) -> Part:
    source = block.get("source")
    if isinstance(source, dict):
        return _anthropic_image(source)
    _require_data(block)
    url, data = _url(block), _base64_data(block)
    if url is not None:
        return convert_to_openai_data_block({"type": "image", "url": url})
    if data is not None:
        normalized = {"type": "image", "base64": data, "mime_type": _mime_type(block)}
        return convert_to_openai_data_block(normalized)
    msg = "image content block needs 'url' or 'base64'; OpenRouter has no image ids."
    raise ValueError(msg)


def _file_block(block: Part) -> Part:
    if block.get("source_type") == "text" and isinstance(block.get("text"), str):
        return _text_part(block)  # v0 plain-text file block
    _require_data(block)
    data, url = _base64_data(block), _url(block)
    if data is not None:
        file_data = _data_url(block, data)
    elif url is not None:
        file_data = url
    else:  # a file id
        return convert_to_openai_data_block(block)
    return {
        "type": "file",
        "file": {"filename": _filename(block, url), "file_data": file_data},
    }


def _filename(block: Part, url: str | None) -> str:
    """The block's filename, else the URL's last segment, else ``document.<ext>``."""
    for source in (block, block.get("extras"), block.get("metadata")):
        if isinstance(source, dict) and isinstance(source.get("filename"), str):
            return str(source["filename"])
    if url is not None and not url.startswith("data:"):
        name = posixpath.basename(urlsplit(url).path)
        if "." in name:
            return name
    mime_type = block.get("mime_type")
    extension = mimetypes.guess_extension(mime_type) if mime_type else None
    return _DEFAULT_FILE_STEM + (extension or "")


def _audio_block(block: Part) -> Part:
    data = _base64_data(block)
    if data is None:
        msg = (
            "audio content block needs base64 data: OpenRouter rejects audio URLs "
            "and file ids. Download the audio and send {'type': 'audio', "
            f"'base64': ..., 'mime_type': ...}}; keys: {sorted(block)}."
        )
        raise ValueError(msg)
    mime_type = _mime_type(block).split(";", 1)[0].strip().lower()
    audio_format = _AUDIO_FORMATS.get(mime_type, mime_type.rpartition("/")[2])
    return {
        "type": "input_audio",
        "input_audio": {"data": data, "format": audio_format},
    }


def _video_block(block: Part) -> Part:
    _require_data(block)
    url, data = _url(block), _base64_data(block)
    if url is None and data is not None:
        url = _data_url(block, data)
    if url is None:
        msg = (
            "video content block needs 'url' or 'base64'; OpenRouter has no video ids."
        )
        raise ValueError(msg)
    return {"type": "video_url", "video_url": {"url": url}}


def _plain_text_block(block: Part) -> Part:
    """A v1 ``text-plain`` block: inline text is sent as a text part."""
    text = _string(block.get("text"))
    if text is None:
        msg = "text-plain content block needs inline 'text'."
        raise ValueError(msg)
    return {"type": "text", "text": text}


_USER_PART_CONVERTERS: Final[Mapping[str, Callable[[Part], Part]]] = {
    # OpenAI / OpenRouter parts
    "text": _text_part,
    "image_url": _url_part("image_url"),
    "video_url": _url_part("video_url"),
    "input_audio": _input_audio_part,
    "file": _file_part,
    # LangChain standard data blocks
    "image": _image_block,
    "audio": _audio_block,
    "video": _video_block,
    "text-plain": _plain_text_block,
}
