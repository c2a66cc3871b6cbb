"""Faults `FakeOpenRouter` injects, each with OpenRouter's real body and headers.

The bodies are built in `langchain_openrouter_free.testing._fake_errors`.
Durations (``reset_in``, ``seconds``, ``interval``, ``retry_after``) are in
simulated seconds; see `langchain_openrouter_free.testing._fake_limits`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from langchain_openrouter_free._constants import (
    FREE_REQUESTS_PER_DAY,
    FREE_REQUESTS_PER_MINUTE,
)
from langchain_openrouter_free.testing._fake_errors import (
    USER_ID,
    ErrorResponse,
    FaultContext,
    error_body,
    rate_limit_response,
    render_error,
    stream_error_object,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

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
    "capacity_exhausted",
    "temporarily_unavailable",
    "moderation",
    "server_error",
    "error_in_200",
    "http_error",
    "mid_stream_error",
    "drop_connection",
    "slow_keepalives",
    "delay",
]
AvailabilityArg: TypeAlias = "bool | Mapping[str, Any]"
"""What the classmethods' ``availability`` takes: True (the kind's default
object), False (none) or a mapping of keys that override the default."""
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
        reset_at: A fixed ``X-RateLimit-Reset`` (real epoch seconds) for the
            rate-limit faults; None computes it from the clock.
        limit: ``X-RateLimit-Limit`` of a rate-limit fault.
        reasons: Moderation categories.
        flagged_input: Moderation excerpt; defaults to the last user text.
        provider_name: ``metadata.provider_name``.
        retry_after: Simulated seconds sent (scaled to real, rounded up to
            whole seconds) as ``Retry-After`` and ``availability.retry_after``.
        availability: Adds ``error.availability``: an empty mapping sends the
            kind's default object, keys given override it; None sends none.
            See `langchain_openrouter_free.testing._fake_errors.availability_object`.
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
    reset_at: float | None = None
    limit: int | None = None
    reasons: tuple[str, ...] = ()
    flagged_input: str | None = None
    provider_name: str = "FakeProvider"
    retry_after: float | None = None
    availability: Mapping[str, Any] | None = None
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
    def rate_limit_per_minute(
        cls,
        *,
        reset_in: float = 60.0,
        limit: int = FREE_REQUESTS_PER_MINUTE,
        reset_at: float | None = None,
    ) -> Fault:
        """429 ``Rate limit exceeded: free-models-per-min.`` with X-RateLimit headers.

        Args:
            reset_in: Simulated seconds until ``X-RateLimit-Reset``.
            limit: ``X-RateLimit-Limit`` (OpenRouter sends 20; 16 was also seen).
            reset_at: A fixed ``X-RateLimit-Reset`` (real epoch seconds) instead
                of one computed from the clock, for recordings that must not
                change from one run to the next.

        Returns:
            The fault.
        """
        return cls(
            kind="rate_limit_per_minute",
            reset_in=reset_in,
            limit=limit,
            reset_at=reset_at,
        )

    @classmethod
    def daily_cap(
        cls, *, limit: int = FREE_REQUESTS_PER_DAY, reset_at: float | None = None
    ) -> Fault:
        """429 ``free-models-per-day`` (``limit_source: openrouter_free_tier_daily``).

        The reset is the next simulated 00:00 UTC; a limit of 1000 gives the
        ``free-models-per-day-high-balance`` text.

        Args:
            limit: ``X-RateLimit-Limit`` (50, or 1000 after buying credits).
            reset_at: A fixed ``X-RateLimit-Reset`` (real epoch seconds) instead
                of the next midnight, for reproducible recordings.

        Returns:
            The fault.
        """
        return cls(kind="daily_cap", limit=limit, reset_at=reset_at)

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
    def no_endpoints(
        cls, model: str | None = None, *, availability: AvailabilityArg = True
    ) -> Fault:
        """404 ``No endpoints found for <model>.`` (a free variant that ended).

        Args:
            model: The model named; default: the requested one.
            availability: ``error.availability``: True sends the default
                (``free_variant_ended`` with ``fallback_models`` for a
                ``:free`` model, else ``no_endpoints``; not retryable), a
                mapping overrides its keys, False sends the pre-2026-08 body.

        Returns:
            The fault.
        """
        return cls(
            kind="no_endpoints", model=model, availability=_availability(availability)
        )

    @classmethod
    def data_policy(cls, *, availability: AvailabilityArg = True) -> Fault:
        """404: the account's privacy settings block free-model endpoints.

        Args:
            availability: ``error.availability``: True sends the default
                (``privacy_restricted``, ``excluded_by:
                ["data_policy:training"]``, not retryable), a mapping
                overrides its keys, False sends the pre-2026-08 body.

        Returns:
            The fault.
        """
        return cls(kind="data_policy", availability=_availability(availability))

    @classmethod
    def tools_unsupported(cls) -> Fault:
        """404 ``No endpoints found that support tool use...``.

        Returns:
            The fault.
        """
        return cls(kind="tools_unsupported")

    @classmethod
    def json_mode_unsupported(cls, model: str | None = None) -> Fault:
        """400 ``Provider returned error``: the endpoint has no JSON mode.

        Google AI Studio's text for Gemma (``metadata.raw``), as OpenRouter
        passes it on for a ``response_format`` the endpoint cannot serve.

        Args:
            model: The model named in the text; default ``gemma-3-27b-it``.

        Returns:
            The fault.
        """
        return cls.http_error(
            400,
            "Provider returned error",
            metadata={
                "raw": _google_raw(
                    f"JSON mode is not enabled for models/{_slug(model)}"
                ),
                "provider_name": "Google AI Studio",
            },
        )

    @classmethod
    def system_prompt_unsupported(cls, model: str | None = None) -> Fault:
        """400 ``Provider returned error``: the endpoint refuses a system prompt.

        Google AI Studio's ``Developer instruction is not enabled`` text.

        Args:
            model: The model named in the text; default ``gemma-3-27b-it``.

        Returns:
            The fault.
        """
        return cls.http_error(
            400,
            "Provider returned error",
            metadata={
                "raw": _google_raw(
                    f"Developer instruction is not enabled for models/{_slug(model)}"
                ),
                "provider_name": "Google AI Studio",
            },
        )

    @classmethod
    def invalid_model(
        cls, model: str | None = None, *, availability: AvailabilityArg = True
    ) -> Fault:
        """400 ``<model> is not a valid model ID``.

        Args:
            model: The model named; default: the requested one.
            availability: ``error.availability``: True sends the default
                (``model_not_found``, not retryable), a mapping overrides its
                keys, False sends the pre-2026-08 body (as recorded in 2025).

        Returns:
            The fault.
        """
        return cls(
            kind="invalid_model", model=model, availability=_availability(availability)
        )

    @classmethod
    def capacity_exhausted(
        cls, model: str | None = None, *, retry_after: float | None = None
    ) -> Fault:
        """429: every provider of the model is at capacity (retryable).

        ``error.availability`` is ``capacity_exhausted`` with ``retryable:
        true`` (and ``retry_after`` plus a ``Retry-After`` header when given).
        The message text is not documented verbatim; this one is close.

        Args:
            model: The model named; default: the requested one.
            retry_after: Simulated seconds to wait.

        Returns:
            The fault.
        """
        return cls(
            kind="capacity_exhausted",
            model=model,
            retry_after=retry_after,
            availability={},
        )

    @classmethod
    def temporarily_unavailable(
        cls, model: str | None = None, *, retry_after: float | None = None
    ) -> Fault:
        """503: transient upstream failures or timeouts (retryable).

        ``error.availability`` is ``temporarily_unavailable`` with
        ``retryable: true`` (and ``retry_after`` plus a ``Retry-After`` header
        when given). The message text is not documented verbatim.

        Args:
            model: The model named; default: the requested one.
            retry_after: Simulated seconds to wait.

        Returns:
            The fault.
        """
        return cls(
            kind="temporarily_unavailable",
            model=model,
            retry_after=retry_after,
            availability={},
        )

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
        availability: AvailabilityArg = False,
    ) -> Fault:
        """A 5xx (or 408): ``Provider returned error`` with ``metadata.raw``.

        500 sends the masked ``Internal Server Error``; 408 OpenRouter's timeout text.

        Args:
            status: The HTTP status.
            message: Overrides the text.
            retry_after: Simulated seconds for a ``Retry-After`` header.
            availability: ``error.availability``: True sends
                ``temporarily_unavailable`` (retryable), a mapping overrides
                its keys; False (the default) sends none.

        Returns:
            The fault.
        """
        return cls(
            kind="server_error",
            status=status,
            message=message,
            retry_after=retry_after,
            availability=_availability(availability),
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
        availability: Mapping[str, Any] | None = None,
    ) -> Fault:
        """Any other error response, in OpenRouter's envelope.

        Args:
            status: The HTTP status (also ``error.code``).
            message: ``error.message``.
            metadata: ``error.metadata``, if any.
            headers: Extra response headers.
            availability: ``error.availability`` keys (give at least
                ``code``); ``requested_models`` and ``docs_url`` are filled in.

        Returns:
            The fault.
        """
        return cls(
            kind="http_error",
            status=status,
            message=message,
            metadata=metadata,
            headers=dict(headers or {}),
            availability=availability,
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


def _slug(model: str | None) -> str:
    """Google's name of a model: no author, no ``:free``."""
    name = (model or "google/gemma-3-27b-it:free").rsplit("/", 1)[-1]
    return name.removesuffix(":free")


def _google_raw(message: str) -> str:
    error = {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
    return json.dumps({"error": error})


def _availability(value: AvailabilityArg) -> Mapping[str, Any] | None:
    if value is True:
        return {}
    if value is False:
        return None
    return dict(value)
