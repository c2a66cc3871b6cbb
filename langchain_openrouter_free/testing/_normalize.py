"""Request-body normalization shared by the cassette matcher and the emulator.

Pure standard library: `FakeOpenRouter` uses it to derive deterministic
generation ids, and `langchain_openrouter_free.testing.cassettes` to match
recorded requests, so both treat the same bodies as equal.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from typing import Any, Final

__all__ = [
    "UUID_PLACEHOLDER",
    "canonical_body",
    "normalize_json_body",
    "replace_uuids",
    "request_digest",
]

_UUID: Final = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
UUID_PLACEHOLDER: Final = "<uuid>"
"""What a UUID becomes in a normalized body."""


def replace_uuids(text: str) -> str:
    """Replace every UUID in ``text`` by `UUID_PLACEHOLDER`.

    Args:
        text: Any text.

    Returns:
        The text with ``<uuid>`` for each UUID.
    """
    return _UUID.sub(UUID_PLACEHOLDER, text)


def normalize_json_body(value: Any) -> Any:
    """Normalize a parsed JSON body for comparison.

    UUIDs (random tool-call ids in few-shot examples) become ``<uuid>``;
    every ``description`` string is ``inspect.cleandoc``-ed, because Python
    3.13 strips docstring indentation at compile time and ``@tool``
    descriptions come from docstrings. Key order never matters for dicts.

    Args:
        value: A parsed JSON value.

    Returns:
        The normalized value (a new object).
    """
    if isinstance(value, dict):
        return {
            key: (
                inspect.cleandoc(_UUID.sub(UUID_PLACEHOLDER, item))
                if key == "description" and isinstance(item, str)
                else normalize_json_body(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [normalize_json_body(item) for item in value]
    if isinstance(value, str):
        return _UUID.sub(UUID_PLACEHOLDER, value)
    return value


def canonical_body(body: bytes) -> bytes:
    """The body as it is compared: normalized, key-sorted JSON, or the raw bytes.

    Args:
        body: A raw request body.

    Returns:
        Canonical JSON bytes when the body is JSON, else the body unchanged.
    """
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    text = json.dumps(
        normalize_json_body(parsed),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return text.encode("utf-8")


def request_digest(method: str, path: str, body: bytes) -> str:
    """A stable SHA-256 hex digest of a request: method, path and normalized body.

    Args:
        method: The HTTP method.
        path: The URL path, without the query string.
        body: The raw request body.

    Returns:
        64 hex digits; the same request always gives the same digest.
    """
    head = f"{method.upper()} {path}\n".encode()
    return hashlib.sha256(head + canonical_body(body)).hexdigest()
