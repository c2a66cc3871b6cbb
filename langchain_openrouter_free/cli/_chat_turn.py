"""One chat turn on the terminal: the question sent, the answer shown.

Builds the user message (text plus ``--image`` files), streams the answer with
reasoning dimmed (or prints a ``--json`` structured answer), and ends with a
footer: the model that answered, tokens, cost and time. Pure presentation over
the public :class:`~langchain_openrouter_free.ChatOpenRouterFree` API.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import time
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

if TYPE_CHECKING:
    from collections.abc import Generator, Sequence
    from pathlib import Path

    from langchain_core.messages import BaseMessage
    from langchain_core.runnables import Runnable
    from rich.console import Console

    from langchain_openrouter_free import ChatOpenRouterFree

__all__ = ["Answer", "ask", "ask_structured", "footer", "user_message"]

_IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")


@dataclass(frozen=True)
class Answer:
    """What a turn produced.

    Attributes:
        message: The assistant message to keep in the history.
        seconds: Wall time from sending to the last byte.
    """

    message: AIMessage
    seconds: float


def image_block(path: Path) -> dict[str, Any]:
    """Read an image file into a LangChain base64 image content block.

    Args:
        path: A PNG, JPEG, WebP or GIF file.

    Returns:
        ``{"type": "image", "base64": ..., "mime_type": ...}``.

    Raises:
        ValueError: The file is not one of those image types.
    """
    mime_type, _ = mimetypes.guess_type(path.name)
    if mime_type not in _IMAGE_TYPES:
        kinds = ", ".join(t.removeprefix("image/") for t in _IMAGE_TYPES)
        msg = f"{path} is not an image this command can send ({kinds})"
        raise ValueError(msg)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return {"type": "image", "base64": data, "mime_type": mime_type}


def user_message(text: str, images: Sequence[Path] = ()) -> HumanMessage:
    """The user's turn: plain text, or text followed by image blocks.

    Args:
        text: What the user typed.
        images: Image files to send with it.

    Returns:
        The message to append to the history.
    """
    if not images:
        return HumanMessage(text)
    blocks: list[str | dict[str, Any]] = [{"type": "text", "text": text}]
    blocks.extend(image_block(path) for path in images)
    return HumanMessage(blocks)


def ask(
    model: ChatOpenRouterFree, history: Sequence[BaseMessage], console: Console
) -> Answer:
    """Stream an answer to the console: reasoning dimmed, then the text.

    Args:
        model: The chat model.
        history: The conversation so far, ending with the user's message.
        console: Where the answer is printed as it arrives.

    Returns:
        The merged answer. ``KeyboardInterrupt`` propagates after the stream
        is closed (the caller decides what an interrupted turn means).
    """
    started = time.perf_counter()
    merged: AIMessageChunk | None = None
    in_reasoning = False
    stream = cast("Generator[AIMessageChunk]", model.stream(list(history)))
    with closing(stream) as chunks:
        for chunk in chunks:
            merged = chunk if merged is None else merged + chunk
            reasoning = chunk.additional_kwargs.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning:
                console.print(reasoning, style="dim", end="", markup=False)
                in_reasoning = True
            if chunk.text:
                if in_reasoning:
                    console.print("\n")
                    in_reasoning = False
                console.print(chunk.text, end="", markup=False, highlight=False)
    console.print()
    message = AIMessage(content="") if merged is None else _final(merged)
    return Answer(message, time.perf_counter() - started)


def _final(merged: AIMessageChunk) -> AIMessage:
    """The merged chunks as a plain message to keep in the history."""
    return AIMessage(
        content=merged.content,
        additional_kwargs=merged.additional_kwargs,
        response_metadata=merged.response_metadata,
        usage_metadata=merged.usage_metadata,
        tool_calls=merged.tool_calls,
        id=merged.id,
    )


def ask_structured(
    structured: Runnable[Any, Any], history: Sequence[BaseMessage], console: Console
) -> Answer:
    """Ask for a structured answer and print it as JSON.

    Args:
        structured: ``model.with_structured_output(schema, include_raw=True)``.
        history: The conversation so far, ending with the user's message.
        console: Where the JSON is printed.

    Returns:
        The answer; its message content is the JSON text (so the next turn
        sees what was shown), its metadata the raw answer's.

    Raises:
        ValueError: The answer did not match the schema.
    """
    started = time.perf_counter()
    result = structured.invoke(list(history))
    if result["parsing_error"] is not None:
        msg = f"the answer did not match the schema: {result['parsing_error']}"
        raise ValueError(msg)
    text = json.dumps(result["parsed"], indent=2, ensure_ascii=False)
    console.print_json(text)
    raw: AIMessage = result["raw"]
    message = AIMessage(
        content=text,
        response_metadata=raw.response_metadata,
        usage_metadata=raw.usage_metadata,
        id=raw.id,
    )
    return Answer(message, time.perf_counter() - started)


def footer(answer: Answer) -> str:
    """One line: model that answered, tokens, cost and time.

    Args:
        answer: The finished turn.

    Returns:
        e.g. ``google/gemma-3-27b-it:free · 12 in, 40 out (8 reasoning) ·
        $0 · 1.3 s``; parts OpenRouter did not report are left out.
    """
    metadata = answer.message.response_metadata
    parts = [str(metadata.get("model_name") or "unknown model")]
    usage = answer.message.usage_metadata
    if usage:
        tokens = f"{usage['input_tokens']} in, {usage['output_tokens']} out tokens"
        reasoning = usage.get("output_token_details", {}).get("reasoning")
        if reasoning:
            tokens += f" ({reasoning} reasoning)"
        parts.append(tokens)
    cost = metadata.get("cost")
    if isinstance(cost, int | float):
        parts.append(f"${cost:g}")
    parts.append(f"{answer.seconds:.1f} s")
    return " · ".join(parts)
