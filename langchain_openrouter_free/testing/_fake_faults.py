"""Faults `FakeOpenRouter` injects, each with OpenRouter's real body and headers.

Bodies and headers follow the recorded traffic and the documented free-tier
failure modes; the texts are OpenRouter's, verbatim where they are known.
Durations (``reset_in``, ``seconds``, ``interval``, ``retry_after``) are in
simulated seconds; see `langchain_openrouter_free.testing._fake_limits`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from langchain_openrouter_free.testing._fake_limits import next_utc_midnight

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from langchain_openrouter_free.testing._fake_replies import FakeReply

__all__ = [
    "USER_ID",
    "ErrorResponse",
    "Fault",
    "FaultContext",
    "FaultKind",
    "error_body",
    "rate_limit_response",
    "render_error",
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
_HIGH_BALANCE_DAILY: Final = 1000
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

FaultKind = Literal[
    "rate_limit_per_minute",
    "daily_cap",
    "upstream_rate_limit",
    "no_endpoints",
    "data_policy",
    "tools_unsupported",
    "invalid_model",
    "unauthorized",
    "payment_required",
    "moderation",
    "server_error",
    "error_in_200",
    "http_error",
    "mid_stream_error",
    "drop_connection",
    "slow_keepalives",
    "delay",
]
STREAM_KINDS: Final = frozenset(
    {"mid_stream_error", "drop_connection", "slow_keepalives", "delay"}
)


@dataclass(frozen=True, kw_only=True)
class Fault:
    """A failure to inject instead of (or around) a normal answer.

    Build faults with the classmethods (``Fault.daily_cap()``, ...); the fields
    are their parameters. A `Fault` goes in the ``replies`` queue or is
    returned by a ``responder``, exactly like a `FakeReply`.

    Attributes:
        kind: Which failure.
        status: HTTP status for the generic ``http_error``/``server_error``.
        message: Overrides OpenRouter's message text.
        code: ``error.code`` for errors inside a 200 (body or stream).
        model: Model named in the body; defaults to the requested model.
        metadata: ``error.metadata`` for ``http_error``.
        headers: Extra response headers for ``http_error``.
        after_chunks: Content chunks streamed before a stream fault strikes.
        count: Keep-alive comments for ``slow_keepalives``.
        interval: Simulated seconds between those keep-alives.
        seconds: Simulated seconds of a ``delay``.
        reset_in: Simulated seconds until a per-minute limit resets.
        limit: ``X-RateLimit-Limit`` of a rate-limit fault.
        reasons: Moderation categories.
        flagged_input: Moderation excerpt; defaults to the last user text.
        provider_name: ``metadata.provider_name``.
        retry_after: Simulated seconds sent (scaled to real) as ``Retry-After``.
        reply: What follows a delay or keep-alives, or the partial answer of a
            stream fault; defaults to the deterministic default reply.
    """

    kind: FaultKind
    status: int = 500
    message: str | None = None
    code: int | str | None = None
    model: str | None = None
    metadata: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    after_chunks: int = 0
    count: int = 0
    interval: float = 0.0
    seconds: float = 0.0
    reset_in: float = 60.0
    limit: int | None = None
    reasons: tuple[str, ...] = ()
    flagged_input: str | None = None
    provider_name: str = "FakeProvider"
    retry_after: float | None = None
    reply: FakeReply | Fault | None = None

    def __post_init__(self) -> None:
        """Reject negative counts and durations.

        Raises:
            ValueError: A count or duration is negative.
        """
        values = (self.after_chunks, self.count, self.interval, self.seconds)
        if min(values) < 0 or self.reset_in < 0:
            msg = "fault counts and durations must not be negative"
            raise ValueError(msg)

    @classmethod
    def rate_limit_per_minute(cls, *, reset_in: float = 60.0, limit: int = 20) -> Fault:
        """429 ``Rate limit exceeded: free-models-per-min.`` with X-RateLimit headers.

        Args:
            reset_in: Simulated seconds until ``X-RateLimit-Reset``.
            limit: ``X-RateLimit-Limit`` (OpenRouter sends 20; 16 was also seen).

        Returns:
            The fault.
        """
        return cls(kind="rate_limit_per_minute", reset_in=reset_in, limit=limit)

    @classmethod
    def daily_cap(cls, *, limit: int = 50) -> Fault:
        """429 ``free-models-per-day`` (``limit_source: openrouter_free_tier_daily``).

        The reset is the next simulated 00:00 UTC; a limit of 1000 gives the
        ``free-models-per-day-high-balance`` text.

        Args:
            limit: ``X-RateLimit-Limit`` (50, or 1000 after buying credits).

        Returns:
            The fault.
        """
        return cls(kind="daily_cap", limit=limit)

    @classmethod
    def upstream_rate_limit(
        cls, model: str | None = None, *, provider_name: str = "FakeProvider"
    ) -> Fault:
        """429 ``Provider returned error``: the provider throttles a free model.

        Args:
            model: The model named in ``metadata.raw``; default: the requested one.
            provider_name: ``metadata.provider_name``.

        Returns:
            The fault.
        """
        return cls(kind="upstream_rate_limit", model=model, provider_name=provider_name)

    @classmethod
    def no_endpoints(cls, model: str | None = None) -> Fault:
        """404 ``No endpoints found for <model>.`` (a free variant that ended).

        Args:
            model: The model named; default: the requested one.

        Returns:
            The fault.
        """
        return cls(kind="no_endpoints", model=model)

    @classmethod
    def data_policy(cls) -> Fault:
        """404: the account's privacy settings block free-model endpoints.

        Returns:
            The fault.
        """
        return cls(kind="data_policy")

    @classmethod
    def tools_unsupported(cls) -> Fault:
        """404 ``No endpoints found that support tool use...``.

        Returns:
            The fault.
        """
        return cls(kind="tools_unsupported")

    @classmethod
    def invalid_model(cls, model: str | None = None) -> Fault:
        """400 ``<model> is not a valid model ID``.

        Args:
            model: The model named; default: the requested one.

        Returns:
            The fault.
        """
        return cls(kind="invalid_model", model=model)

    @classmethod
    def unauthorized(
        cls, *, reason: Literal["missing", "invalid"] = "missing"
    ) -> Fault:
        """401 ``No auth credentials found`` (missing) or ``User not found.`` (invalid).

        Args:
            reason: Which of the two real messages to send.

        Returns:
            The fault.
        """
        message = (
            "No auth credentials found" if reason == "missing" else "User not found."
        )
        return cls(kind="unauthorized", message=message)

    @classmethod
    def payment_required(cls, *, message: str | None = None) -> Fault:
        """402 ``Insufficient credits...`` (free models too, on a negative balance).

        Args:
            message: Overrides the text.

        Returns:
            The fault.
        """
        return cls(kind="payment_required", message=message)

    @classmethod
    def moderation(
        cls,
        reasons: tuple[str, ...] | list[str] = ("violence",),
        *,
        flagged_input: str | None = None,
        model: str | None = None,
        provider_name: str = "FakeProvider",
    ) -> Fault:
        """403 ``<model> requires moderation on OpenRouter...`` plus its metadata.

        Args:
            reasons: ``metadata.reasons``.
            flagged_input: ``metadata.flagged_input``; default: the last user
                text, elided in the middle to at most 100 characters.
            model: ``metadata.model_slug``; default: the requested model.
            provider_name: ``metadata.provider_name``.

        Returns:
            The fault.
        """
        return cls(
            kind="moderation",
            reasons=tuple(reasons),
            flagged_input=flagged_input,
            model=model,
            provider_name=provider_name,
        )

    @classmethod
    def server_error(
        cls,
        status: int = 502,
        *,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> Fault:
        """A 5xx (or 408): ``Provider returned error`` with ``metadata.raw``.

        500 sends the masked ``Internal Server Error``; 408 OpenRouter's timeout text.

        Args:
            status: The HTTP status.
            message: Overrides the text.
            retry_after: Simulated seconds for a ``Retry-After`` header.

        Returns:
            The fault.
        """
        return cls(
            kind="server_error", status=status, message=message, retry_after=retry_after
        )

    @classmethod
    def error_in_200(
        cls, code: int | str = 429, *, message: str | None = None
    ) -> Fault:
        """HTTP 200 whose body is ``{"error": {...}, "user_id": ...}`` and no choices.

        Args:
            code: ``error.code`` (an int status or a string such as ``"server_error"``).
            message: Overrides ``Provider returned error``.

        Returns:
            The fault.
        """
        return cls(kind="error_in_200", code=code, message=message)

    @classmethod
    def http_error(
        cls,
        status: int,
        message: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Any other error response, in OpenRouter's envelope.

        Args:
            status: The HTTP status (also ``error.code``).
            message: ``error.message``.
            metadata: ``error.metadata``, if any.
            headers: Extra response headers.

        Returns:
            The fault.
        """
        return cls(
            kind="http_error",
            status=status,
            message=message,
            metadata=metadata,
            headers=dict(headers or {}),
        )

    @classmethod
    def mid_stream_error(
        cls,
        after_chunks: int = 1,
        code: int | str = 429,
        *,
        message: str | None = None,
        reply: FakeReply | None = None,
    ) -> Fault:
        """An error after the answer started: an SSE error event, then ``[DONE]``.

        The event has a top-level ``error`` and ``finish_reason: "error"``. A
        non-streaming request gets a 200 completion holding the partial text,
        ``finish_reason: "error"`` and ``choices[0].error``.

        Args:
            after_chunks: Content chunks sent before the error.
            code: ``error.code`` (429: upstream rate limit, 400: token limit, 5xx).
            message: Overrides the text.
            reply: The answer being streamed; default: the default reply.

        Returns:
            The fault.
        """
        return cls(
            kind="mid_stream_error",
            after_chunks=after_chunks,
            code=code,
            message=message,
            reply=reply,
        )

    @classmethod
    def drop_connection(
        cls, after_chunks: int = 1, *, reply: FakeReply | None = None
    ) -> Fault:
        """Close the socket mid-answer: no terminating chunk, no ``[DONE]``.

        A non-streaming request gets no response bytes at all.

        Args:
            after_chunks: Content chunks sent before the drop.
            reply: The answer being streamed; default: the default reply.

        Returns:
            The fault.
        """
        return cls(kind="drop_connection", after_chunks=after_chunks, reply=reply)

    @classmethod
    def slow_keepalives(
        cls, count: int = 3, interval: float = 1.0, *, reply: FakeReply | None = None
    ) -> Fault:
        """Keep-alives spaced in time before the answer.

        A stream gets ``: OPENROUTER PROCESSING`` comments; a JSON answer gets
        whitespace lines before the body (chunked), as OpenRouter sends them.

        Args:
            count: How many keep-alives.
            interval: Simulated seconds between them.
            reply: The answer that follows; default: the default reply.

        Returns:
            The fault.
        """
        return cls(kind="slow_keepalives", count=count, interval=interval, reply=reply)

    @classmethod
    def delay(cls, seconds: float, then: FakeReply | Fault | None = None) -> Fault:
        """Wait, sending nothing, then answer.

        Args:
            seconds: Simulated seconds to wait.
            then: What to send afterwards; default: the default reply.

        Returns:
            The fault.
        """
        return cls(kind="delay", seconds=seconds, reply=then)


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
    elif limit >= _HIGH_BALANCE_DAILY:
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


def _per_minute(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    reset_ms = ctx.real_epoch_ms(ctx.now + fault.reset_in)
    return rate_limit_response("per_minute", fault.limit or 20, reset_ms)


def _daily(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    reset_ms = ctx.real_epoch_ms(next_utc_midnight(ctx.now))
    return rate_limit_response("daily", fault.limit or 50, reset_ms)


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
        headers = (("Retry-After", f"{ctx.real_seconds(fault.retry_after):g}"),)
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


def render_error(fault: Fault, ctx: FaultContext) -> ErrorResponse:
    """The response of a fault that answers instead of the model.

    Args:
        fault: Any fault whose kind is not a stream fault.
        ctx: The request and clock.

    Returns:
        The response.

    Raises:
        ValueError: The fault is a stream fault (handled by the server).
    """
    if fault.kind in _TEMPLATES:
        status, template, user_id = _TEMPLATES[fault.kind]
        message = fault.message or template.format(model=fault.model or ctx.model)
        return ErrorResponse(status, (), error_body(message, status, user_id=user_id))
    renderer = _RENDERERS.get(fault.kind)
    if renderer is None:
        msg = f"{fault.kind} is not an error-response fault"
        raise ValueError(msg)
    return renderer(fault, ctx)


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
