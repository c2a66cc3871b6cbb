"""Checks made before a request is sent: no request is spent on a certain refusal.

Each function raises a typed error whose message says what to do next:

- no API key while the base URL is OpenRouter's own host
  (`OpenRouterMissingKeyError`; the emulator and proxies may run without one);
- an empty message list (OpenRouter answers 400);
- a value that cannot be sent as JSON: a ``datetime`` in tool arguments, a lone
  surrogate in text, ``nan``; the error names the message index and field.

Pure: no I/O, no state. The JSON check is the encoding itself: the client
encodes each body once with httpx's settings (`encode_body`) and sends those
bytes; the body is walked only when encoding fails, to say where.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from langchain_openrouter_free._constants import OPENROUTER_HOST
from langchain_openrouter_free._messages import convert_message
from langchain_openrouter_free.errors import (
    OpenRouterConfigurationError,
    OpenRouterMissingKeyError,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from langchain_core.messages import BaseMessage

__all__ = [
    "GET_A_KEY",
    "encode_body",
    "require_api_key",
    "require_messages",
    "wire_messages",
]

GET_A_KEY: Final = (
    "Get a free key at https://openrouter.ai/settings/keys (sign in; free "
    "models need no credits)."
)
"""One sentence on how to get a key, shared by every message that needs one."""

_JSON_SCALARS: Final = (str, int, float, bool, type(None))
_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False
)
"""httpx's own settings for ``json=`` bodies."""


@lru_cache(maxsize=32)
def is_openrouter_host(base_url: str) -> bool:
    """Tell whether ``base_url`` points at OpenRouter itself (not a local stand-in).

    Args:
        base_url: The API root, e.g. ``https://openrouter.ai/api/v1``.

    Returns:
        True for ``openrouter.ai`` and its subdomains.
    """
    host = (urlsplit(base_url).hostname or "").lower()
    return host == OPENROUTER_HOST or host.endswith(f".{OPENROUTER_HOST}")


def require_api_key(
    *, has_key: bool, base_url: str, header_names: Collection[str] = ()
) -> None:
    """Refuse to call OpenRouter's own host without a key.

    Args:
        has_key: Whether a non-empty ``api_key`` is set.
        base_url: The API root the request goes to.
        header_names: Extra header names; an ``Authorization`` among them
            counts as a key.

    Raises:
        OpenRouterMissingKeyError: Naming ``OPENROUTER_API_KEY`` and where to
            get a free key.
    """
    if has_key or not is_openrouter_host(base_url):
        return
    if any(name.lower() == "authorization" for name in header_names):
        return
    msg = (
        "No OpenRouter API key: set the OPENROUTER_API_KEY environment variable "
        f"or pass api_key=... to ChatOpenRouterFree. {GET_A_KEY} To try without "
        "a key, run `openrouter-free serve` and export what it prints."
    )
    raise OpenRouterMissingKeyError(msg)


def require_messages(messages: Sequence[BaseMessage]) -> None:
    """Refuse an empty conversation (OpenRouter answers 400 to one).

    Args:
        messages: The messages about to be sent.

    Raises:
        OpenRouterConfigurationError: If there are none.
    """
    if not messages:
        msg = (
            "No messages to send: OpenRouter refuses an empty message list. "
            "Pass at least one message, e.g. model.invoke('Hello') or "
            "model.invoke([HumanMessage('Hello')])."
        )
        raise OpenRouterConfigurationError(msg)


def wire_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """Convert messages to OpenRouter's form, locating values that are no JSON.

    Tool-call arguments are serialised while converting, so a ``datetime`` in
    them fails here; the error names ``messages[i]`` and the argument.

    Args:
        messages: The conversation, oldest first.

    Returns:
        One wire dict per message.

    Raises:
        OpenRouterConfigurationError: For a value that cannot be sent as JSON.
    """
    converted = []
    for index, message in enumerate(messages):
        try:
            converted.append(convert_message(message))
        except (TypeError, ValueError):
            fields = {
                "tool_calls": getattr(message, "tool_calls", None) or [],
                "content": message.content,
                "additional_kwargs": message.additional_kwargs,
            }
            _raise_if_unsendable(fields, f"messages[{index}]")
            raise
    return converted


def encode_body(payload: Any) -> bytes:
    """The request body as UTF-8 JSON, refusing what cannot be sent and naming where.

    The bytes are those httpx would send for ``json=payload`` (compact, UTF-8,
    no NaN), so the client sends them as they are: the body is encoded once
    per call, not once to check it and again per attempt.

    Args:
        payload: The request body about to be sent.

    Returns:
        The encoded body.

    Raises:
        OpenRouterConfigurationError: Naming the field (``messages[2].content``)
            and what to do about its value.
    """
    try:
        return _ENCODER.encode(payload).encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        _raise_if_unsendable(payload, "")
        raise


def _raise_if_unsendable(value: Any, path: str) -> None:
    found = _first_unsendable(value, path)
    if found is not None:
        where, problem = found
        msg = f"{where} {problem}. Nothing was sent."
        raise OpenRouterConfigurationError(msg) from None


def _first_unsendable(value: Any, path: str) -> tuple[str, str] | None:
    """The path of the first value that is no JSON, and what to do about it."""
    if isinstance(value, str):
        return _lone_surrogate(value, path)
    if isinstance(value, float) and not math.isfinite(value):
        return path, f"is {value!r}, which JSON cannot carry; send a finite number"
    if isinstance(value, _JSON_SCALARS):
        return None
    if isinstance(value, dict):
        return _first_in_mapping(value, path)
    if isinstance(value, list | tuple):
        items = (_first_unsendable(v, f"{path}[{i}]") for i, v in enumerate(value))
        return next((found for found in items if found is not None), None)
    return path, (
        f"is a {type(value).__name__}, which cannot be sent as JSON; convert it "
        "first (str(value), or value.isoformat() for a date or time)"
    )


def _first_in_mapping(value: dict[Any, Any], path: str) -> tuple[str, str] | None:
    for key, item in value.items():
        if not isinstance(key, _JSON_SCALARS):
            return path, f"has a {type(key).__name__} key; JSON keys are strings"
        named = isinstance(key, str) and key.isidentifier()
        step = (f"{path}.{key}" if named else f"{path}[{key!r}]").removeprefix(".")
        found = _first_unsendable(key, step) or _first_unsendable(item, step)
        if found is not None:
            return found
    return None


def _lone_surrogate(text: str, path: str) -> tuple[str, str] | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        char = text[error.start]
        return path, (
            f"holds a lone surrogate {char!r} at character {error.start}, which "
            "cannot be sent as UTF-8; decode the text with errors='replace' or "
            "remove the character"
        )
    return None
