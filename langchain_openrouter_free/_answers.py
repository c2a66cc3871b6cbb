"""What an OpenRouter answer means: pure helpers of the HTTP layer.

`langchain_openrouter_free._client` moves the bytes; these functions decide
what they mean (a usable JSON body, a typed error, an event stream) and which
header values are secrets, without touching httpx, so unit tests drive them
with plain bytes and dicts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter_free import _error_mapping, errors
from langchain_openrouter_free import _safe_json as safe_json
from langchain_openrouter_free._constants import CREDENTIAL_HEADERS
from langchain_openrouter_free._safe_json import JSON_OBJECT

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "api_error",
    "check_response",
    "decode",
    "is_event_stream",
    "is_success",
    "secret_forms",
    "snippet",
    "status_of",
    "stream_open_error",
]

_SNIPPET_CHARS: Final = 200
_MIN_SECRET_CHARS: Final = 4
"""Shorter header values are not redacted: replacing them would garble text."""


def is_success(status: int) -> bool:
    return 200 <= status < 300  # noqa: PLR2004


def is_event_stream(status: int, headers: Mapping[str, str]) -> bool:
    content_type = headers.get("content-type", "").partition(";")[0].strip()
    return is_success(status) and content_type.lower() == "text/event-stream"


def decode(content: bytes) -> tuple[Any, bool]:
    """Parse a body as JSON, tolerating leading keep-alive whitespace.

    Returns:
        ``(parsed, True)`` for JSON, else ``(text, False)``.
    """
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        return safe_json.loads(text), True
    except ValueError:
        return text, False


def api_error(
    status: int, headers: Mapping[str, str], body: Any
) -> errors.OpenRouterAPIError | None:
    """The typed error an answer carries, or None for a usable 2xx body."""
    if not is_success(status):
        return _error_mapping.error_from_response(status, body, headers)
    if isinstance(body, JSON_OBJECT) and isinstance(body.get("error"), JSON_OBJECT):
        return _error_mapping.error_from_body(body["error"], headers=headers, body=body)
    return None


def check_response(status: int, headers: Mapping[str, str], content: bytes) -> Any:
    """Return the parsed JSON of a usable answer, else raise its typed error.

    Raises:
        OpenRouterAPIError: For an error status or an ``{"error": ...}`` body.
        OpenRouterServerError: For a 2xx body that is not JSON.
    """
    body, is_json = decode(content)
    error = api_error(status, headers, body)
    if error is not None:
        raise error
    if not is_json:
        msg = (
            f"OpenRouter answered HTTP {status} with a body that is not JSON: "
            f"{snippet(body)}"
        )
        raise errors.OpenRouterServerError(msg, headers=headers, body=body)
    return body


def stream_open_error(
    status: int, headers: Mapping[str, str], content: bytes
) -> errors.OpenRouterAPIError:
    """The error for an answer to a stream request that is not an event stream."""
    body, _ = decode(content)
    error = api_error(status, headers, body)
    if error is not None:
        return error
    content_type = headers.get("content-type", "")
    msg = (
        "expected an event stream (text/event-stream) but OpenRouter answered "
        f"HTTP {status} with Content-Type {content_type!r}: {snippet(body)}"
    )
    return errors.OpenRouterServerError(msg, headers=headers, body=body)


def secret_forms(headers: Mapping[str, str]) -> tuple[str, ...]:
    r"""Every spelling in which a sent header value may be quoted, longest first.

    httpx and h11 quote a refused value as bytes (``b'Bearer sk-or-...\n'``),
    so the escaped forms count, each also stripped; for ``Authorization`` the
    credential after the scheme counts on its own too.
    """
    values = list(headers.values())
    values += [
        value.partition(" ")[2]
        for name, value in headers.items()
        if name.lower() in CREDENTIAL_HEADERS
    ]
    forms: set[str] = set()
    for value in values:
        escaped = repr(value)[1:-1]
        as_bytes = repr(value.encode("utf-8", "backslashreplace"))[2:-1]
        for form in (value, escaped, as_bytes):
            forms.update((form, form.strip()))
    usable = (form for form in forms if len(form) >= _MIN_SECRET_CHARS)
    return tuple(sorted(usable, key=len, reverse=True))


def status_of(error: errors.OpenRouterError) -> int | str:
    if isinstance(error, errors.OpenRouterAPIError):
        return error.status_code
    return "none"


def snippet(value: Any) -> str:
    text = (value if isinstance(value, str) else repr(value)).strip()
    if not text:
        return "(empty body)"
    if len(text) > _SNIPPET_CHARS:
        return text[:_SNIPPET_CHARS] + "..."
    return text
