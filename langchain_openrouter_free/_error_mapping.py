"""PURE: an OpenRouter error response or ``error`` object -> its typed error.

`error_from_response` reads a non-2xx answer, `error_from_body` one ``error``
object wherever it arrived (an HTTP error, ``{"error": ...}`` inside a 200, a
stream event). The classes themselves, and how each reads its own fields, are
in `langchain_openrouter_free.errors`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from langchain_openrouter_free._numbers import finite_int
from langchain_openrouter_free.errors import (
    OpenRouterAPIError,
    OpenRouterAuthenticationError,
    OpenRouterContextOverflowError,
    OpenRouterDataPolicyError,
    OpenRouterInvalidRequestError,
    OpenRouterNotFoundError,
    OpenRouterPaymentRequiredError,
    OpenRouterPermissionDeniedError,
    OpenRouterRateLimitError,
    OpenRouterServerError,
)

__all__ = ["error_from_body", "error_from_response"]

_CONTEXT_OVERFLOW_TYPES: Final = frozenset(
    {"context_length_exceeded", "token_limit_exceeded", "max_tokens_exceeded"}
)
_DATA_POLICY_TEXT: Final = re.compile(
    r"match(?:ing)? your (?:guardrail restrictions and )?data policy", re.IGNORECASE
)
_CONTEXT_OVERFLOW_TEXT: Final = re.compile(
    r"context length|context window|maximum context|too many tokens|"
    r"prompt is too long|reduce the length",
    re.IGNORECASE,
)
_STATUS_TO_ERROR: Final[Mapping[int, type[OpenRouterAPIError]]] = {
    400: OpenRouterInvalidRequestError,
    401: OpenRouterAuthenticationError,
    402: OpenRouterPaymentRequiredError,
    403: OpenRouterPermissionDeniedError,
    404: OpenRouterNotFoundError,
    408: OpenRouterServerError,
    413: OpenRouterInvalidRequestError,
    422: OpenRouterInvalidRequestError,
    429: OpenRouterRateLimitError,
}


def error_from_body(
    error: Mapping[str, Any],
    *,
    status_code: int | None = None,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
    partial_text: str = "",
) -> OpenRouterAPIError:
    """Build the typed error for one OpenRouter ``error`` object.

    Used for HTTP error responses, for ``{"error": ...}`` inside a 200 body and
    for an ``error`` event inside a stream.

    Args:
        error: The ``error`` object: ``code``, ``message``, ``metadata`` and
            ``availability``, each optional.
        status_code: The HTTP status; when it is 200 or None the status comes
            from ``error.code`` or ``error.http_status`` instead.
        headers: Response headers.
        body: The whole parsed body, kept on the error.
        partial_text: Answer text streamed before the error.

    Returns:
        The error instance (not raised).
    """
    code = error.get("code")
    status = _effective_status(status_code, code, error.get("http_status"))
    raw_metadata = error.get("metadata")
    metadata: Mapping[str, Any] = (
        raw_metadata if isinstance(raw_metadata, Mapping) else {}
    )
    if error.get("error_type") and "error_type" not in metadata:
        metadata = {**metadata, "error_type": error["error_type"]}
    availability = error.get("availability")
    message = _describe(status, error.get("message"), metadata, availability)
    cls = _error_class(status, message, metadata, availability)
    if cls is OpenRouterRateLimitError:
        cls = OpenRouterRateLimitError.class_for(message, metadata, availability)
    return cls(
        message,
        status_code=status,
        code=code if isinstance(code, (int, str)) else None,
        metadata=metadata,
        availability=availability if isinstance(availability, Mapping) else None,
        headers=headers,
        body=body if body is not None else {"error": dict(error)},
        partial_text=partial_text,
    )


def error_from_response(
    status_code: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
) -> OpenRouterAPIError:
    """Build the typed error for a non-2xx HTTP response.

    Args:
        status_code: The HTTP status.
        body: The parsed JSON body, or the body text when it is not JSON.
        headers: Response headers.

    Returns:
        The error instance (not raised).
    """
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        return error_from_body(
            body["error"], status_code=status_code, headers=headers, body=body
        )
    if isinstance(body, Mapping) and isinstance(body.get("error"), str):
        error: dict[str, Any] = {"message": body["error"]}
    else:
        text = body if isinstance(body, str) else repr(body)
        error = {
            "message": text.strip()[:500] or f"HTTP {status_code} with an empty body"
        }
    return error_from_body(error, status_code=status_code, headers=headers, body=body)


def _effective_status(status_code: int | None, code: Any, http_status: Any) -> int:
    if status_code is not None and status_code >= 300:  # noqa: PLR2004
        return status_code
    for candidate in (code, http_status):
        as_int = finite_int(candidate)
        if as_int is not None and 100 <= as_int <= 599:  # noqa: PLR2004
            return as_int
    return 502


def _error_class(
    status: int, message: str, metadata: Mapping[str, Any], availability: Any
) -> type[OpenRouterAPIError]:
    code = availability.get("code") if isinstance(availability, Mapping) else None
    if status == 404 and (  # noqa: PLR2004
        code == "privacy_restricted" or _DATA_POLICY_TEXT.search(message)
    ):
        return OpenRouterDataPolicyError
    if metadata.get("error_type") in _CONTEXT_OVERFLOW_TYPES or (
        status in {400, 413} and _CONTEXT_OVERFLOW_TEXT.search(message)
    ):
        return OpenRouterContextOverflowError
    if status in _STATUS_TO_ERROR:
        return _STATUS_TO_ERROR[status]
    if 400 <= status < 500:  # noqa: PLR2004
        return OpenRouterInvalidRequestError
    return OpenRouterServerError


def _describe(
    status: int, message: Any, metadata: Mapping[str, Any], availability: Any
) -> str:
    text = message if isinstance(message, str) and message.strip() else "no message"
    parts = [f"OpenRouter error {status}: {text.strip()}"]
    provider = metadata.get("provider_name")
    raw = metadata.get("raw")
    if raw and str(raw) not in text:
        parts.append(f"(provider {provider or 'unknown'}: {str(raw)[:500]})")
    elif provider:
        parts.append(f"(provider {provider})")
    if isinstance(availability, Mapping) and availability.get("code"):
        parts.append(f"[availability: {availability['code']}]")
    return " ".join(parts)
