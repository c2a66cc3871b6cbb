"""Typed errors for every way an OpenRouter call can fail.

Each concrete class also inherits the matching ``langchain_core.exceptions``
class, so retry and fallback middleware keyed on ``ModelRateLimitError`` or
``is_retryable`` see them without knowing this package::

    OpenRouterError
    ├── OpenRouterAPIError                 any error OpenRouter answered with
    │   ├── OpenRouterInvalidRequestError  400, 413, 422  (ModelInvalidRequestError)
    │   │   └── OpenRouterContextOverflowError             (ContextOverflowError)
    │   ├── OpenRouterAuthenticationError  401            (ModelAuthenticationError)
    │   │   └── OpenRouterMissingKeyError  no key for openrouter.ai (before sending)
    │   ├── OpenRouterPaymentRequiredError 402            (ModelAPIError, not retryable)
    │   ├── OpenRouterPermissionDeniedError 403           (ModelPermissionDeniedError)
    │   ├── OpenRouterNotFoundError        404            (ModelNotFoundError)
    │   │   └── OpenRouterDataPolicyError  privacy settings exclude every endpoint
    │   ├── OpenRouterRateLimitError       429            (ModelRateLimitError)
    │   │   └── FreeQuotaExhaustedError    daily free-model cap used up; also
    │   │                                  raised before sending while the
    │   │                                  account is blocked (not retryable)
    │   └── OpenRouterServerError          408, 5xx, other (ModelAPIError)
    │       ├── OpenRouterEmptyAnswerError  only reasoning, no answer (max_tokens)
    │       ├── OpenRouterStreamError      stream broke or ended early
    │       │   └── OpenRouterStreamTimeoutError  read timed out mid-stream
    │       └── OpenRouterResponseTooLargeError  body or stream line over the cap
    │                                                  (also ModelTimeoutError)
    ├── OpenRouterConnectionError          unreachable (ModelConnectionError)
    ├── OpenRouterTimeoutError             no answer in time (ModelTimeoutError)
    ├── PaidUsageError                     an answer cost money, or a paid plugin
                                           was asked for (allow_paid=False)
    └── OpenRouterConfigurationError       request cannot be sent as configured
                                           (ValueError, never retried): also an
                                           empty message list, ``max_tokens``
                                           above the model's limit, a value that
                                           is no JSON (raised before sending)

Warnings: `StaleModelIdWarning` (an old spelling or a retired model) and
`UnknownModelIdWarning` (an id the free-model registry does not know).

Free-tier guards raise before anything is sent when they can:
`OpenRouterContextOverflowError` for a prompt plus ``max_tokens`` larger than
the model's context (estimated), `PaidUsageError` for a paid plugin. A model
of 8k context or less warns once with `ContextCompressionWarning`.

An error raised after part of an answer was streamed carries that text in
``partial_text``. No message, repr or attribute ever holds the API key: text
that looks like a key is redacted before it is stored. Errors that wrap an
httpx failure are raised ``from None`` and keep no reference to it (its text
can quote request headers); their message names the httpx class and carries
its redacted text instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Final, Self

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_openrouter_free._constants import (
    ACCOUNT_ID_PATTERNS,
    CREDENTIAL_HEADERS,
    SECRET_PATTERNS,
)
from langchain_openrouter_free._numbers import finite_float, finite_int
from langchain_openrouter_free._reset_time import daily_reset_time, parse_reset_time

__all__ = [
    "ContextCompressionWarning",
    "FreeQuotaExhaustedError",
    "OpenRouterAPIError",
    "OpenRouterAuthenticationError",
    "OpenRouterConfigurationError",
    "OpenRouterConnectionError",
    "OpenRouterContextOverflowError",
    "OpenRouterDataPolicyError",
    "OpenRouterEmptyAnswerError",
    "OpenRouterError",
    "OpenRouterInvalidRequestError",
    "OpenRouterMissingKeyError",
    "OpenRouterNotFoundError",
    "OpenRouterPaymentRequiredError",
    "OpenRouterPermissionDeniedError",
    "OpenRouterRateLimitError",
    "OpenRouterResponseTooLargeError",
    "OpenRouterServerError",
    "OpenRouterStreamError",
    "OpenRouterStreamTimeoutError",
    "OpenRouterTimeoutError",
    "PaidUsageError",
    "RateLimitKind",
    "StaleModelIdWarning",
    "UnknownModelIdWarning",
    "redact_json",
    "redact_secrets",
]

REDACTED: Final = "[REDACTED]"
"""What a removed secret is replaced with."""
_REDACTED_PATTERNS: Final = (*SECRET_PATTERNS.values(), *ACCOUNT_ID_PATTERNS.values())
_URL_CREDENTIALS: Final = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#@]+@"
)
PRIVACY_SETTINGS_URL: Final = "https://openrouter.ai/settings/privacy"


def redact_secrets(
    text: str, known: Iterable[str] = (), *, replacement: str = REDACTED
) -> str:
    """The one redaction rule: every surface that may hold a secret passes here.

    Removes, in this order: the exact ``known`` values (the key as sent, in
    whatever shape), key-like text (`SECRET_PATTERNS`), OpenRouter account
    ids (`ACCOUNT_ID_PATTERNS`) and the credentials of a URL
    (``https://user:password@host`` keeps only the host).

    Args:
        text: Any text that may end up in a message, log line, repr, warning,
            cassette, cache or CLI output.
        known: Exact secret values to remove first (a key of any shape, the
            headers actually sent), longest first so none is left half-done.
        replacement: What a secret becomes (cassettes write ``REDACTED``).

    Returns:
        The text with every secret replaced by ``[REDACTED]``.
    """
    for secret in sorted(filter(None, known), key=len, reverse=True):
        text = text.replace(secret, replacement)
    for pattern in _REDACTED_PATTERNS:
        text = pattern.sub(replacement, text)
    return _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{replacement}@", text)


def redact_json(value: Any, known: Iterable[str] = ()) -> Any:
    """Apply `redact_secrets` to every string (keys too) of a JSON-like value.

    Args:
        value: A parsed JSON value, or any value (non-strings pass unchanged).
        known: Exact secret values to remove, as for `redact_secrets`.

    Returns:
        A redacted copy: mappings become dicts, lists and tuples lists.
    """
    known = tuple(known)
    if isinstance(value, str):
        return redact_secrets(value, known)
    if isinstance(value, Mapping):
        return {
            redact_secrets(str(k), known): redact_json(v, known)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_json(item, known) for item in value]
    return value


class RateLimitKind(StrEnum):
    """Why OpenRouter answered 429; each kind calls for a different reaction."""

    PER_MINUTE = "per_minute"
    """The account-wide 20 requests/minute free-model limit: wait for the reset."""
    DAILY = "daily"
    """The account-wide daily free-model cap: no free request helps until 00:00 UTC."""
    UPSTREAM = "upstream"
    """The provider serving one model is throttling: back off or use another model."""
    UNKNOWN = "unknown"
    """A 429 without any signal above."""


class StaleModelIdWarning(UserWarning):
    """A model id is an old spelling, or the registry lists it as retired."""


class UnknownModelIdWarning(UserWarning):
    """A free model id the registry does not know; the message names the closest.

    ``ChatOpenRouterFree(strict_model_ids=True)`` raises instead, and
    ``use_live_registry()`` brings the registry up to date first.
    """


class ContextCompressionWarning(UserWarning):
    """The model's context is 8k tokens or less: OpenRouter compresses prompts.

    Endpoints of 8,192 tokens or less default to OpenRouter's context
    compression (the middle of a long prompt is dropped, silently). Send
    ``plugins=[{"id": "context-compression", "enabled": False}]`` to turn it
    off (any ``context-compression`` plugin entry silences the warning).
    """


class OpenRouterError(Exception):
    """Base class of every error this package raises about OpenRouter."""

    def __init__(self, message: str, *, partial_text: str = "") -> None:
        """Create the error.

        Args:
            message: Human-readable description; secrets are redacted.
            partial_text: Answer text streamed before the failure, if any.
        """
        self.message = redact_secrets(message)
        self.partial_text = partial_text
        super().__init__(self.message)

    def redact(self, known: Iterable[str]) -> None:
        """Remove exact secret values (a key of any shape) from every attribute.

        The HTTP client calls this with the credentials it sent before an
        error leaves it, so a key that looks like no key is gone too.

        Args:
            known: The exact secret values.
        """
        known = tuple(known)
        self.message = redact_secrets(self.message, known)
        self.partial_text = redact_secrets(self.partial_text, known)
        self.args = (self.message, *self.args[1:])

    def __repr__(self) -> str:
        """Return a repr that names the class and the redacted message."""
        return f"{type(self).__name__}({self.message!r})"


class OpenRouterAPIError(OpenRouterError):
    """OpenRouter (or the provider behind it) answered with an error.

    Attributes:
        status_code: HTTP-like status: the response status, or ``error.code``
            when the error came inside a 200 body or a stream.
        code: OpenRouter's ``error.code`` as sent (int or string), if any.
        metadata: ``error.metadata`` as sent (``raw``, ``provider_name``, ...).
        availability: ``error.availability`` as sent, if any.
        headers: Response headers, lower-cased.
        body: The parsed error body.
    """

    default_status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | str | None = None,
        metadata: Mapping[str, Any] | None = None,
        availability: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        partial_text: str = "",
    ) -> None:
        """Create the error; see the class attributes for the arguments."""
        super().__init__(message, partial_text=partial_text)
        self.status_code = (
            status_code if status_code is not None else self.default_status
        )
        self.code = redact_json(code)
        self.metadata: dict[str, Any] = redact_json(dict(metadata or {}))
        self.availability: dict[str, Any] = redact_json(dict(availability or {}))
        self.headers: dict[str, str] = _safe_headers(headers or {})
        self.body = redact_json(body)
        retryable = self.availability.get("retryable")
        if isinstance(retryable, bool):
            self.is_retryable = retryable

    def redact(self, known: Iterable[str]) -> None:
        """Remove exact secret values from the message, body, metadata and headers.

        Args:
            known: The exact secret values.
        """
        known = tuple(known)
        super().redact(known)
        self.code = redact_json(self.code, known)
        self.metadata = redact_json(self.metadata, known)
        self.availability = redact_json(self.availability, known)
        self.headers = redact_json(self.headers, known)
        self.body = redact_json(self.body, known)

    @property
    def raw(self) -> str | None:
        """The upstream provider's own error text (``metadata.raw``), if any."""
        raw = self.metadata.get("raw")
        if raw is None:
            return None
        return redact_secrets(raw if isinstance(raw, str) else repr(raw))

    @property
    def provider_name(self) -> str | None:
        """The provider that failed (``metadata.provider_name``), if any."""
        name = self.metadata.get("provider_name")
        return name if isinstance(name, str) else None

    @property
    def error_type(self) -> str | None:
        """OpenRouter's typed code (``metadata.error_type``), if any."""
        kind = self.metadata.get("error_type")
        return kind if isinstance(kind, str) else None

    def __repr__(self) -> str:
        """Return a repr with the status and the redacted message."""
        name = type(self).__name__
        return f"{name}(status_code={self.status_code}, message={self.message!r})"


class OpenRouterInvalidRequestError(OpenRouterAPIError, ModelInvalidRequestError):
    """The request was rejected as invalid (400, 413, 422), e.g. an unknown model id."""

    default_status = 400


class OpenRouterContextOverflowError(
    OpenRouterInvalidRequestError, ContextOverflowError
):
    """The prompt plus ``max_tokens`` does not fit the model's context window."""


class OpenRouterAuthenticationError(OpenRouterAPIError, ModelAuthenticationError):
    """The API key is missing, wrong or disabled (401)."""

    default_status = 401


class OpenRouterMissingKeyError(OpenRouterAuthenticationError):
    """No API key for OpenRouter's own host; raised before anything is sent.

    The message names ``OPENROUTER_API_KEY`` and where to get a free key.
    Other base URLs (the emulator, a proxy) may run without a key.
    """

    is_retryable = False


class OpenRouterPaymentRequiredError(OpenRouterAPIError, ModelAPIError):
    """Not enough credits (402); free models too when the balance is negative."""

    default_status = 402
    is_retryable = False


class OpenRouterPermissionDeniedError(OpenRouterAPIError, ModelPermissionDeniedError):
    """Moderation or a guardrail refused the request (403).

    Attributes:
        reasons: The moderation categories OpenRouter flagged, if any.
        flagged_input: The (elided) part of the input that was flagged, if any.
    """

    default_status = 403

    @property
    def reasons(self) -> list[str]:
        """Moderation categories from ``metadata.reasons``."""
        reasons = self.metadata.get("reasons")
        return [str(r) for r in reasons] if isinstance(reasons, list) else []

    @property
    def flagged_input(self) -> str | None:
        """The flagged excerpt from ``metadata.flagged_input``."""
        flagged = self.metadata.get("flagged_input")
        return flagged if isinstance(flagged, str) else None


class OpenRouterNotFoundError(OpenRouterAPIError, ModelNotFoundError):
    """No endpoint can serve the request (404).

    The free variant ended, a data-policy setting blocks every endpoint, or no
    endpoint supports what was asked (tools, images, required parameters).
    """

    default_status = 404


class OpenRouterDataPolicyError(OpenRouterNotFoundError):
    """The account's privacy settings exclude every endpoint of the model (404).

    Free endpoints often log or train on prompts; the privacy page has
    separate switches for free models. Never retried: only a settings change
    helps. The message names the setting to change.

    Attributes:
        excluded_by: ``availability.excluded_by`` (e.g. ``["data_policy:zdr"]``).
    """

    is_retryable = False

    def __init__(self, message: str, **kwargs: Any) -> None:
        """Create the error; the message gains what to change and where."""
        availability = kwargs.get("availability") or {}
        excluded = availability.get("excluded_by")
        self.excluded_by: list[str] = (
            [str(item) for item in excluded] if isinstance(excluded, list) else []
        )
        super().__init__(f"{message}. {_privacy_remedy(self.excluded_by)}", **kwargs)
        self.is_retryable = False


def _privacy_remedy(excluded_by: list[str]) -> str:
    zdr = any("zdr" in item for item in excluded_by)
    request_side = (
        "or drop provider={'zdr': True} from the request"
        if zdr
        else "or drop provider={'data_collection': 'deny'} from the request"
    )
    return (
        "Free endpoints may log or train on prompts: at "
        f"{PRIVACY_SETTINGS_URL} turn on 'Enable free endpoints that may publish "
        "prompts' (Free model publication) and 'Enable free endpoints that may "
        f"train on inputs' (Model training), {request_side}. Retrying cannot help"
    )


class OpenRouterRateLimitError(OpenRouterAPIError, ModelRateLimitError):
    """OpenRouter or the upstream provider refused for rate (429).

    Attributes:
        kind: Which limit was hit; see `RateLimitKind`.
        limit: ``X-RateLimit-Limit`` (for example 20 per minute, 50 per day).
        remaining: ``X-RateLimit-Remaining``.
        reset_at: When the limit resets (from ``X-RateLimit-Reset``, epoch ms).
        retry_after: Seconds to wait from ``Retry-After``, if sent.
    """

    default_status = 429

    def __init__(self, message: str, **kwargs: Any) -> None:
        """Create the error and classify the limit from the body and headers."""
        super().__init__(message, **kwargs)
        limit_headers = _rate_limit_headers(self.headers, self.metadata)
        self.kind = _classify_rate_limit(self.message, self.metadata, self.availability)
        self.limit = finite_int(limit_headers.get("x-ratelimit-limit"))
        self.remaining = finite_int(limit_headers.get("x-ratelimit-remaining"))
        self.reset_at: datetime | None = parse_reset_time(
            limit_headers.get("x-ratelimit-reset")
        )
        self.retry_after = finite_float(self.headers.get("retry-after"))
        if self.kind is RateLimitKind.DAILY:
            self.is_retryable = False

    @classmethod
    def class_for(
        cls, message: str, metadata: Mapping[str, Any], availability: Any
    ) -> type[OpenRouterRateLimitError]:
        """The class for a 429 with these signals: the daily cap has its own.

        Args:
            message: The error message.
            metadata: ``error.metadata``.
            availability: ``error.availability``, if any.

        Returns:
            `FreeQuotaExhaustedError` for the daily cap, else this class.
        """
        usable = availability if isinstance(availability, Mapping) else {}
        if _classify_rate_limit(message, metadata, usable) is RateLimitKind.DAILY:
            return FreeQuotaExhaustedError
        return cls

    def seconds_until_reset(self, now: datetime | None = None) -> float | None:
        """Seconds from ``now`` until the limit resets, or None if unknown.

        Args:
            now: The current time; defaults to the clock.

        Returns:
            A non-negative number of seconds, or None.
        """
        if self.reset_at is None:
            return self.retry_after
        current = now or datetime.now(tz=UTC)
        return max(0.0, (self.reset_at - current).total_seconds())


class FreeQuotaExhaustedError(OpenRouterRateLimitError):
    """The account's daily free-model requests are used up (never retried).

    Raised for OpenRouter's daily-cap 429 (``free-models-per-day``,
    ``free-models-per-day-high-balance``, ``limit_source:
    openrouter_free_tier_daily``), and raised *before sending* while the
    account is known to be blocked: after such a 429 seen by any process that
    shares the rate-limit store, or when ``check_quota=True`` found nothing
    left. Falling back to another free model cannot help: the cap covers
    every free model and every key of the account.

    Attributes:
        reset_at: When free requests work again, an aware UTC time: the
            daily-cap 429's ``X-RateLimit-Reset`` when it is believable (in
            the next 48 hours), else 00:00 UTC of the next day.
        sent: Whether a request was sent to get this error (False when it
            was refused locally).
    """

    is_retryable = False

    def __init__(
        self,
        message: str,
        *,
        reset_at: datetime | None = None,
        sent: bool = True,
        **kwargs: Any,
    ) -> None:
        """Create the error.

        Args:
            message: What happened; see `OpenRouterError`.
            reset_at: When the quota resets; overrides the headers.
            sent: Whether a request was sent to get this error.
            **kwargs: As for `OpenRouterAPIError`.
        """
        super().__init__(message, **kwargs)
        self.kind = RateLimitKind.DAILY
        self.is_retryable = False
        self.sent = sent
        now = datetime.now(tz=UTC)
        self.reset_at: datetime = daily_reset_time(reset_at or self.reset_at, now)

    @classmethod
    def refused(cls, reset_at: datetime, reason: str) -> FreeQuotaExhaustedError:
        """The error for a free-model request refused without sending it.

        Args:
            reset_at: When the quota resets.
            reason: Why the account is known to be out of free requests.

        Returns:
            The error (not raised), with ``sent`` False.
        """
        message = (
            f"Free-model daily quota used up ({reason}); nothing was sent. Free "
            f"models work again at {reset_at:%Y-%m-%d %H:%M} UTC. Buying 10 "
            "credits once raises the cap from 50 to 1000 requests a day."
        )
        return cls(message, status_code=429, reset_at=reset_at, sent=False)


class OpenRouterServerError(OpenRouterAPIError, ModelAPIError):
    """OpenRouter or the provider failed (408, 5xx) or answered unusably."""

    default_status = 502


class OpenRouterEmptyAnswerError(OpenRouterServerError):
    """The model answered with no content and no tool call, only reasoning.

    Reasoning models often spend the whole ``max_tokens`` budget thinking
    (``finish_reason: "length"``). Raise ``max_tokens`` (or lower the
    reasoning effort), or set ``retry_empty=True`` to retry once with twice
    the budget.

    Attributes:
        reasoning: The reasoning text that was produced.
        finish_reason: The answer's finish reason.
        max_tokens: The budget the answer had, if known.
        answer_model: The model that answered.
    """

    is_retryable = False

    def __init__(
        self,
        message: str,
        *,
        reasoning: str = "",
        finish_reason: str | None = None,
        max_tokens: int | None = None,
        answer_model: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Create the error; see the class attributes for the arguments."""
        super().__init__(message, **kwargs)
        self.reasoning = reasoning
        self.finish_reason = finish_reason
        self.max_tokens = max_tokens
        self.answer_model = answer_model


class OpenRouterStreamError(OpenRouterServerError):
    """A stream broke off: no ``[DONE]`` and no finish reason, or unparsable data."""


class OpenRouterStreamTimeoutError(OpenRouterStreamError, ModelTimeoutError):
    """A started stream went silent for longer than ``timeout`` (a read timeout).

    Like every `OpenRouterStreamError` it is not retried by the HTTP layer:
    part of the answer may already have been consumed (see ``partial_text``).
    """


class OpenRouterResponseTooLargeError(OpenRouterServerError):
    """The answer was bigger than the model allows; never retried.

    Raised when the decoded (decompressed) body passes ``max_response_bytes``
    or one event-stream line or event passes ``max_line_bytes``. Reading stops
    there, so a compression bomb or an endless line costs at most the cap in
    memory.

    Attributes:
        limit: The cap that was exceeded, in bytes.
    """

    is_retryable = False

    def __init__(self, message: str, *, limit: int = 0, **kwargs: Any) -> None:
        """Create the error; ``limit`` is the cap in bytes."""
        super().__init__(message, **kwargs)
        self.limit = limit

    @classmethod
    def for_limit(cls, what: str, limit: int, setting: str) -> Self:
        """The error for ``what`` (e.g. "decoded body") passing ``limit`` bytes.

        Args:
            what: What was too large, with its article ("an event").
            limit: The cap in bytes.
            setting: The model field that sets the cap.

        Returns:
            The error (not raised).
        """
        msg = (
            f"OpenRouter sent {what} larger than {limit} bytes; reading stopped "
            f"(raise {setting} if such answers are expected)"
        )
        return cls(msg, limit=limit)


class OpenRouterConnectionError(OpenRouterError, ModelConnectionError):
    """OpenRouter could not be reached (DNS, refused, reset)."""


class OpenRouterTimeoutError(OpenRouterError, ModelTimeoutError):
    """OpenRouter did not answer within ``timeout``."""


class OpenRouterConfigurationError(OpenRouterError, ValueError):
    """The request cannot be sent as configured; no retry can fix it.

    Raised before anything reaches OpenRouter when httpx refuses the request
    itself: a header value with a newline or another illegal character (an
    ``api_key`` read from a file with its trailing newline, an ``app_title``
    or a ``default_headers`` value), or a ``base_url`` whose scheme is not
    ``http`` or ``https``. The offending header value is never quoted.

    Also raised, before sending, for a request OpenRouter would refuse: an
    empty message list, ``max_tokens`` above the model's known output limit
    or context window, and a value that cannot be sent as JSON (a
    ``datetime`` in tool arguments, a lone surrogate, ``nan``); the message
    names the message index and field.
    """

    is_retryable: ClassVar[bool] = False


class PaidUsageError(OpenRouterError):
    """A call spent (or would spend) money while ``allow_paid`` is False.

    Raised after an answer whose ``usage.cost`` is above 0 (a free id routed
    to a paid endpoint, a paid plugin), and before sending when a paid plugin
    (``web``) is asked for. Pass ``allow_paid=True``
    to accept costs on purpose.

    Attributes:
        cost: The reported cost in credits (None when refused before sending).
        answer_model: The model that answered, if any.
    """

    is_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        cost: float | None = None,
        answer_model: str | None = None,
    ) -> None:
        """Create the error; see the class attributes for the arguments."""
        super().__init__(message)
        self.cost = cost
        self.answer_model = answer_model


def _rate_limit_headers(
    headers: Mapping[str, str], metadata: Mapping[str, Any]
) -> dict[str, str]:
    merged: dict[str, str] = {}
    body_headers = metadata.get("headers")
    if isinstance(body_headers, Mapping):
        merged.update({str(k).lower(): str(v) for k, v in body_headers.items()})
    merged.update({k: v for k, v in headers.items() if k.startswith("x-ratelimit-")})
    return merged


def _classify_rate_limit(
    message: str, metadata: Mapping[str, Any], availability: Mapping[str, Any]
) -> RateLimitKind:
    source = str(metadata.get("limit_source") or "")
    raw = str(metadata.get("raw") or "")
    text = f"{message} {raw}".lower()
    if "free-models-per-day" in text or source == "openrouter_free_tier_daily":
        return RateLimitKind.DAILY
    if "free-models-per-min" in text or source == "openrouter_free_tier_per_minute":
        return RateLimitKind.PER_MINUTE
    if (
        "rate-limited upstream" in text
        or source == "upstream_provider_shared_pool"
        or "limit_rpm/" in text
        or "limit_rpd/" in text
        or metadata.get("provider_name")
        or availability.get("code") == "capacity_exhausted"
    ):
        return RateLimitKind.UPSTREAM
    return RateLimitKind.UNKNOWN


def _safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased headers with credential values masked and secrets redacted."""
    return {
        str(name).lower(): (
            REDACTED
            if str(name).lower() in CREDENTIAL_HEADERS
            else redact_secrets(str(value))
        )
        for name, value in headers.items()
    }
