"""Request parameters: their documented ranges, the free-model guard, the payload.

Everything here is pure. The same `RequestParameters` fields serve as the
constructor fields of ``ChatOpenRouterFree`` (it inherits them) and validate
per-call options, so a range is written once and enforced at construction and
at call time alike, before anything is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "FREE_ROUTER_ID",
    "INTERNAL_CALL_KWARGS",
    "Prediction",
    "ReasoningConfig",
    "RequestParameters",
    "build_payload",
    "check_free_models",
    "is_free_model_id",
    "validate_call_options",
]

FREE_ROUTER_ID: Final = "openrouter/free"
"""OpenRouter's router that picks a free model per request."""

INTERNAL_CALL_KWARGS: Final = frozenset(
    {"ls_structured_output_format", "stream", "stream_usage", "extra_body"}
)
"""Per-call keyword arguments that are LangChain plumbing, never request fields."""

Temperature = Annotated[float, Field(ge=0, le=2)]
Probability = Annotated[float, Field(ge=0, le=1)]
Penalty = Annotated[float, Field(ge=-2, le=2)]
StopSequences = Annotated[list[str], Field(max_length=4)]
LogitBiasValue = Annotated[float, Field(ge=-100, le=100)]


class ReasoningConfig(TypedDict, total=False):
    """OpenRouter's ``reasoning`` request object; unknown keys are kept."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    effort: Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"]
    """How hard to think; send ``effort`` or ``max_tokens``, not both."""
    max_tokens: Annotated[int, Field(ge=0)]
    """Token budget for reasoning."""
    exclude: bool
    """Reason, but leave the reasoning out of the answer."""
    enabled: bool
    """Turn reasoning on (medium effort) or off."""
    summary: Literal["auto", "concise", "detailed"]
    """Reasoning summary style, where the provider supports it."""


class Prediction(TypedDict):
    """A predicted output (``{"type": "content", "content": ...}``)."""

    type: Literal["content"]
    content: str


class RequestParameters(BaseModel):
    """The OpenRouter chat-completions fields a caller may set.

    A field left ``None`` is not sent. Ranges are OpenRouter's documented ones.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    temperature: Temperature | None = None
    """Sampling temperature, 0 to 2."""
    max_tokens: Annotated[int, Field(ge=1)] | None = None
    """Upper bound on generated tokens (at least 1)."""
    top_p: Probability | None = None
    """Nucleus sampling, 0 to 1."""
    top_k: Annotated[int, Field(ge=0)] | None = None
    """Sample from the k most likely tokens; 0 disables."""
    frequency_penalty: Penalty | None = None
    """Penalty by token frequency, -2 to 2."""
    presence_penalty: Penalty | None = None
    """Penalty by token presence, -2 to 2."""
    repetition_penalty: Annotated[float, Field(gt=0, le=2)] | None = None
    """Repetition penalty, above 0 up to 2 (1 = none)."""
    min_p: Probability | None = None
    """Minimum token probability relative to the top one, 0 to 1."""
    top_a: Probability | None = None
    """Top-a sampling, 0 to 1."""
    seed: int | None = None
    """Best-effort deterministic sampling."""
    stop: str | StopSequences | None = None
    """Up to 4 stop sequences."""
    logit_bias: dict[int | str, LogitBiasValue] | None = None
    """Token id to bias (-100 to 100)."""
    logprobs: bool | None = None
    """Return log probabilities of the output tokens."""
    top_logprobs: Annotated[int, Field(ge=0, le=20)] | None = None
    """How many alternatives per token (0 to 20); needs ``logprobs``."""
    response_format: dict[str, Any] | None = None
    """``{"type": "json_object"}`` or ``{"type": "json_schema", ...}``."""
    prediction: Prediction | None = None
    """Predicted output to cut latency."""
    transforms: list[str] | None = None
    """Legacy prompt transforms, e.g. ``["middle-out"]``."""
    models: Annotated[list[str], Field(max_length=3)] | None = None
    """Fallback models tried in order (OpenRouter accepts at most 3)."""
    route: Literal["fallback", "sort"] | None = None
    """Deprecated routing flag, still accepted by OpenRouter."""
    provider: dict[str, Any] | None = None
    """Provider routing preferences, sent exactly as given."""
    user: str | None = None
    """Stable end-user id for abuse isolation."""
    reasoning: ReasoningConfig | None = None
    """Reasoning controls: effort, max_tokens, exclude, enabled, summary."""
    plugins: list[dict[str, Any]] | None = None
    """OpenRouter plugins, e.g. ``[{"id": "context-compression"}]``."""
    session_id: Annotated[str, Field(max_length=256)] | None = None
    """Groups requests for sticky routing and observability."""


_PARAMETER_NAMES: Final = tuple(RequestParameters.model_fields)


def is_free_model_id(model_id: str) -> bool:
    """Tell whether a model id is free: ends in ``:free`` or is the free router.

    Args:
        model_id: An OpenRouter model id.

    Returns:
        True for free ids.
    """
    return model_id.endswith(":free") or model_id == FREE_ROUTER_ID


def check_free_models(model_ids: Iterable[str], *, field: str) -> None:
    """Refuse paid model ids, so no call can spend credits by accident.

    Args:
        model_ids: The ids to check.
        field: The option they came from, named in the error.

    Raises:
        ValueError: If any id is not free.
    """
    paid = [model_id for model_id in model_ids if not is_free_model_id(model_id)]
    if paid:
        msg = (
            f"{field} names model(s) that are not free: {', '.join(paid)}. "
            "Free ids end in ':free' (or use 'openrouter/free'). "
            "Pass allow_paid=True to call paid models on purpose."
        )
        raise ValueError(msg)


def validate_call_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate per-call options against the documented ranges.

    Args:
        options: Keyword arguments given to ``invoke``/``stream`` or ``bind``.

    Returns:
        The options, validated values for known fields, others unchanged.

    Raises:
        pydantic.ValidationError: Naming the field whose value is out of range.
    """
    known = {name: options[name] for name in _PARAMETER_NAMES if name in options}
    if not known:
        return dict(options)
    validated = RequestParameters.model_validate(known)
    return {**options, **{name: getattr(validated, name) for name in known}}


def build_payload(
    *,
    model: str,
    messages: list[dict[str, Any]],
    defaults: Mapping[str, Any],
    overrides: Mapping[str, Any],
    stream: bool,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the chat-completions request body.

    Unset values (``None``, and an empty ``stop`` list) are dropped, per-call
    ``overrides`` win over the model's ``defaults``, LangChain plumbing kwargs
    never reach the wire, and ``extra_body`` is merged last so it can add any
    field OpenRouter adds later.

    Args:
        model: The model id to send.
        messages: Messages already in OpenRouter's format.
        defaults: Request fields configured on the model.
        overrides: Per-call options (already validated).
        stream: Whether to ask for server-sent events.
        extra_body: Fields merged into the body last.

    Returns:
        The JSON body.
    """
    payload: dict[str, Any] = {"model": model, "messages": messages}
    for source in (defaults, overrides):
        for name, value in source.items():
            if name in INTERNAL_CALL_KWARGS or name in {"model", "messages"}:
                continue
            if value is None or (name == "stop" and value == []):
                payload.pop(name, None)
            else:
                payload[name] = value
    if "logit_bias" in payload:
        payload["logit_bias"] = {str(k): v for k, v in payload["logit_bias"].items()}
    if stream:
        payload["stream"] = True
    if extra_body:
        payload.update(extra_body)
    return payload
