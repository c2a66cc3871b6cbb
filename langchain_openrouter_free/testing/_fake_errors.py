"""Error bodies and headers of the faults `FakeOpenRouter` injects.

Bodies and headers follow the recorded traffic and the documented free-tier
failure modes; the texts are OpenRouter's, verbatim where they are known.
``error.availability`` (OpenRouter's typed availability object, sent since
2026-08-19 when a model cannot be served) is added to faults that ask for it;
see `availability_object`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from langchain_openrouter_free._constants import (
    FREE_REQUESTS_PER_DAY,
    FREE_REQUESTS_PER_DAY_WITH_CREDITS,
    FREE_REQUESTS_PER_MINUTE,
)
from langchain_openrouter_free.testing._fake_limits import next_utc_midnight

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from langchain_openrouter_free.testing._fake_faults import Fault

__all__ = [
    "USER_ID",
    "ErrorResponse",
    "FaultContext",
    "availability_object",
    "error_body",
    "rate_limit_response",
    "render_error",
    "retry_after_header",
    "stream_error_object",
]

USER_ID: Final = "user_2FakeOpenRouterEmulatorUser0"
"""The ``user_id`` OpenRouter appends to most error bodies."""
_INTEGRATIONS: Final = "https://openrouter.ai/settings/integrations"
_UPSTREAM_TEXT: Final = (
    "{model} is temporarily rate-limited upstream. Please retry shortly, or add "
    f"your own key to accumulate your rate limits: {_INTEGRATIONS}"
)
_REMEDY_HINT: Final = (
    f"Retry shortly, add your own provider key ({_INTEGRATIONS}), or route to "
    "another provider with provider routing: "
    "https://openrouter.ai/docs/features/provider-routing"
)
_DOCS_ERRORS: Final = "https://openrouter.ai/docs/errors"
# kind -> the availability code it gets by default (no_endpoints: see below)
_AVAILABILITY_CODES: Final[Mapping[str, str]] = {
    "no_endpoints": "no_endpoints",
    "invalid_model": "model_not_found",
    "data_policy": "privacy_restricted",
    "capacity_exhausted": "capacity_exhausted",
    "temporarily_unavailable": "temporarily_unavailable",
    "server_error": "temporarily_unavailable",
}
_RETRYABLE_CODES: Final = frozenset({"capacity_exhausted", "temporarily_unavailable"})
_FLAGGED_MAX: Final = 100
# kind -> (status, message template, append user_id)
_TEMPLATES: Final[Mapping[str, tuple[int, str, bool]]] = {
    "no_endpoints": (404, "No endpoints found for {model}.", True),
    "data_policy": (
        404,
        (
            "No endpoints found matching your data policy (Free model publication). "
            "Configure: https://openrouter.ai/settings/privacy"
        ),
        True,
    ),
    "tools_unsupported": (
        404,
        (
            "No endpoints found that support tool use. To learn more about provider "
            "routing, visit: https://openrouter.ai/docs/provider-routing"
        ),
        True,
    ),
    "invalid_model": (400, "{model} is not a valid model ID", True),
    "unauthorized": (401, "No auth credentials found", False),
    "payment_required": (
        402,
        "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
        True,
    ),
    # No verbatim text is documented for these two availability errors.
    "capacity_exhausted": (
        429,
        "All providers for {model} are at capacity. Please retry shortly.",
        True,
    ),
    "temporarily_unavailable": (
        503,
        "{model} is temporarily unavailable. Please retry shortly.",
        True,
    ),
}
# code -> (message, metadata.error_type or None for no metadata, send provider_code)
# for errors after generation started; 400 is the recorded minimax-m2:free event.
_GENERATION_ERRORS: Final[Mapping[int, tuple[str, str | None, bool]]] = {
    400: ("Token limit reached", None, False),
    408: ("Operation timed out. Please try again later.", "timeout", False),
    429: (_UPSTREAM_TEXT, "rate_limit_exceeded", True),
    500: ("Internal Server Error", "server", False),
    502: ("Provider returned error", "provider_unavailable", False),
    503: ("Provider returned error", "provider_unavailable", False),
    524: ("Provider timed out", "timeout", False),
    529: ("Provider returned error", "provider_overloaded", False),
}


@dataclass(frozen=True)
class FaultContext:
    """What a fault's body needs to know about the request and the clock.

    Attributes:
        model: The requested model.
        last_user_text: The text of the last user message.
        now: The simulated time.
        real_epoch_ms: Maps a simulated time to real epoch milliseconds.
        real_seconds: Maps a simulated duration to real seconds.
    """

    model: str
    last_user_text: str
    now: float
    real_epoch_ms: Callable[[float], int]
    real_seconds: Callable[[float], float]


@dataclass(frozen=True)
class ErrorResponse:
    """An error response: status, extra headers and JSON body.

    Attributes:
        status: The HTTP status.
        headers: Extra headers (Content-Type is added by the server).
        body: The JSON body.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: dict[str, Any]


def error_body(
    message: str,
    code: int | str,
    metadata: Mapping[str, Any] | None = None,
    *,
    user_id: bool = True,
) -> dict[str, Any]:
    """OpenRouter's error envelope.

    Args:
        message: ``error.message``.
        code: ``error.code``.
        metadata: ``error.metadata``, left out when None.
        user_id: Whether to append ``user_id`` (OpenRouter omits it on 401).

    Returns:
        ``{"error": {"message", "code", "metadata"?}, "user_id"?}``.
    """
    error: dict[str, Any] = {"message": message, "code": code}
    if metadata is not None:
        error["metadata"] = dict(metadata)
    body: dict[str, Any] = {"error": error}
    if user_id:
        body["user_id"] = USER_ID
    return body


def rate_limit_response(
    kind: Literal["per_minute", "daily"], limit: int, reset_ms: int
) -> ErrorResponse:
    """The platform 429 of the free tier, headers also copied into the body.

    Args:
        kind: Which free-tier limit.
        limit: ``X-RateLimit-Limit``.
        reset_ms: ``X-RateLimit-Reset``, real epoch milliseconds.

    Returns:
        The response.
    """
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(reset_ms),
    }
    if kind == "per_minute":
        message = "Rate limit exceeded: free-models-per-min. "
        source = "openrouter_free_tier_per_minute"
    elif limit >= FREE_REQUESTS_PER_DAY_WITH_CREDITS:
        message = "Rate limit exceeded: free-models-per-day-high-balance. "
        source = "openrouter_free_tier_daily"
    else:
        message = (
            "Rate limit exceeded: free-models-per-day. "
            "Add 10 credits to unlock 1000 free model requests per day"
        )
        source = "openrouter_free_tier_daily"
    metadata = {"headers": headers, "limit_source": source, "provider_name": None}
    return ErrorResponse(
        429, tuple(headers.items()), error_body(message, 429, metadata)
    )


def _elide(text: str) -> str:
    if len(text) <= _FLAGGED_MAX:
        return text
    half = (_FLAGGED_MAX - 3) // 2
    return f"{text[:half]}...{text[-half:]}"


def _reset_ms(fault: Fault, ctx: FaultContext, simulated_reset: float) -> int:
    if fault.reset_at is not None:
        return math.ceil(fault.reset_at * 1000)
    return ctx.real_epoch_ms(simulated_reset)


def _per_minute(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    reset_ms = _reset_ms(fault, ctx, ctx.now + fault.reset_in)
    return rate_limit_response(
        "per_minute", fault.limit or FREE_REQUESTS_PER_MINUTE, reset_ms
    )


def _daily(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    reset_ms = _reset_ms(fault, ctx, next_utc_midnight(ctx.now))
    return rate_limit_response("daily", fault.limit or FREE_REQUESTS_PER_DAY, reset_ms)


def _upstream(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    metadata = {
        "raw": _UPSTREAM_TEXT.format(model=fault.model or ctx.model),
        "provider_name": fault.provider_name,
        "is_byok": False,
        "provider_error_code": "429",
        "limit_source": "upstream_provider_shared_pool",
        "remedy_hint": _REMEDY_HINT,
    }
    return ErrorResponse(429, (), error_body("Provider returned error", 429, metadata))


def _moderation(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    model = fault.model or ctx.model
    flagged = ", ".join(fault.reasons)
    message = fault.message or (
        f"{model} requires moderation on OpenRouter. "
        f'Your input was flagged for "{flagged}". No credits were charged.'
    )
    metadata = {
        "reasons": list(fault.reasons),
        "flagged_input": fault.flagged_input or _elide(ctx.last_user_text),
        "provider_name": fault.provider_name,
        "model_slug": model,
    }
    return ErrorResponse(403, (), error_body(message, 403, metadata))


def _server_error(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    status = fault.status
    headers: tuple[tuple[str, str], ...] = ()
    if fault.retry_after is not None:
        headers = (retry_after_header(ctx.real_seconds(fault.retry_after)),)
    if status == 500:  # noqa: PLR2004
        body = error_body(fault.message or "Internal Server Error", status)
    elif status == 408:  # noqa: PLR2004
        body = error_body(fault.message or _GENERATION_ERRORS[408][0], status)
    else:
        metadata = {
            "raw": f"Upstream provider answered HTTP {status}",
            "provider_name": fault.provider_name,
        }
        body = error_body(fault.message or "Provider returned error", status, metadata)
    return ErrorResponse(status, headers, body)


def _error_in_200(fault: Fault, _ctx: FaultContext) -> ErrorResponse:
    code = fault.code if fault.code is not None else 429
    raw = "error code: 1015" if code == 429 else f"Upstream provider failed ({code})"  # noqa: PLR2004
    metadata = {"raw": raw, "provider_name": fault.provider_name}
    return ErrorResponse(
        200, (), error_body(fault.message or "Provider returned error", code, metadata)
    )


def _http_error(fault: Fault, _ctx: FaultContext) -> ErrorResponse:
    body = error_body(fault.message or "Error", fault.status, fault.metadata)
    return ErrorResponse(fault.status, tuple(fault.headers.items()), body)


_RENDERERS: Final[Mapping[str, Callable[[Fault, FaultContext], ErrorResponse]]] = {
    "rate_limit_per_minute": _per_minute,
    "daily_cap": _daily,
    "upstream_rate_limit": _upstream,
    "moderation": _moderation,
    "server_error": _server_error,
    "error_in_200": _error_in_200,
    "http_error": _http_error,
}


def retry_after_header(seconds: float) -> tuple[str, str]:
    """A ``Retry-After`` header in integer delta-seconds (RFC 9110), at least 1.

    Args:
        seconds: Real seconds to wait.

    Returns:
        ``("Retry-After", "<whole seconds, rounded up>")``.
    """
    return ("Retry-After", str(max(1, math.ceil(seconds))))


def availability_object(fault: Fault, ctx: FaultContext) -> dict[str, Any] | None:
    """The ``error.availability`` object a fault sends, if it sends one.

    Built from the fault's kind, then overridden key by key by
    ``fault.availability``: ``code`` (``no_endpoints``, or
    ``free_variant_ended`` with ``fallback_models`` for a ``:free`` model;
    ``model_not_found``; ``privacy_restricted`` with ``excluded_by``;
    ``capacity_exhausted``; ``temporarily_unavailable``), ``retryable`` (true
    for the last two), ``retry_after`` (real seconds, when the fault has a
    ``retry_after``), ``requested_models`` and ``docs_url``.

    Args:
        fault: The fault.
        ctx: The request and clock.

    Returns:
        The object in OpenRouter's key order, or None when
        ``fault.availability`` is None.
    """
    if fault.availability is None:
        return None
    model = fault.model or ctx.model
    code = fault.availability.get("code") or _AVAILABILITY_CODES.get(fault.kind)
    if code == "no_endpoints" and model.endswith(":free"):
        code = "free_variant_ended"
    result: dict[str, Any] = {"code": code, "retryable": code in _RETRYABLE_CODES}
    if fault.retry_after is not None:
        result["retry_after"] = max(1, math.ceil(ctx.real_seconds(fault.retry_after)))
    result["requested_models"] = [model]
    if code == "privacy_restricted":
        result["excluded_by"] = ["data_policy:training"]
    if code == "free_variant_ended":
        result["fallback_models"] = [model.removesuffix(":free")]
    result["docs_url"] = f"{_DOCS_ERRORS}#{code}"
    result.update(fault.availability)
    return result


def _with_availability(
    response: ErrorResponse, fault: Fault, ctx: FaultContext
) -> ErrorResponse:
    availability = availability_object(fault, ctx)
    if availability is None:
        return response
    body = dict(response.body)
    body["error"] = {**body["error"], "availability": availability}
    headers = response.headers
    if fault.retry_after is not None and not any(
        name.lower() == "retry-after" for name, _ in headers
    ):
        headers = (*headers, retry_after_header(ctx.real_seconds(fault.retry_after)))
    return ErrorResponse(response.status, headers, body)


def render_error(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    """The response of a fault that answers instead of the model.

    Args:
        fault: Any fault whose kind is not a stream fault.
        ctx: The request and clock.

    Returns:
        The response, with ``error.availability`` when the fault has one.

    Raises:
        ValueError: The fault is a stream fault (handled by the server).
    """
    if fault.kind in _TEMPLATES:
        status, template, user_id = _TEMPLATES[fault.kind]
        message = fault.message or template.format(model=fault.model or ctx.model)
        body = error_body(message, status, user_id=user_id)
        return _with_availability(ErrorResponse(status, (), body), fault, ctx)
    renderer = _RENDERERS.get(fault.kind)
    if renderer is None:
        msg = f"{fault.kind} is not an error-response fault"
        raise ValueError(msg)
    return _with_availability(renderer(fault, ctx), fault, ctx)


def stream_error_object(fault: Fault, ctx: FaultContext) -> dict[str, Any]:
    """The top-level ``error`` object of a failure after generation started.

    Args:
        fault: A ``mid_stream_error`` fault.
        ctx: The request and clock.

    Returns:
        ``{"code", "message", "metadata"?: {"error_type", "provider_code"?}}``.
    """
    code = fault.code if fault.code is not None else 429
    text, error_type, with_code = _GENERATION_ERRORS.get(
        code if isinstance(code, int) else 0,
        ("Provider returned error", "server", False),
    )
    error: dict[str, Any] = {
        "code": code,
        "message": fault.message or text.format(model=fault.model or ctx.model),
    }
    if error_type is not None:
        metadata = {"error_type": error_type}
        if with_code:
            metadata["provider_code"] = str(code)
        error["metadata"] = metadata
    return error
