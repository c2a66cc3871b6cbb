"""PURE: one chat call across free models, step-downs and empty answers.

`CallPlan` decides, after every HTTP attempt, what to send next or that the
call is over; the I/O loops around it (`langchain_openrouter_free._call_loop`)
only send what it says. The decisions:

- **Failover** (``fallbacks``): up to `SERVER_FALLBACKS` models go in one
  request's ``models`` list, so OpenRouter fails over by itself; when that
  request fails with a retired / no-endpoint 404, an invalid model id, an
  upstream 429, a 5xx or a timeout, the next models are sent. A daily cap,
  a per-minute limit, a data-policy 404 and every other error end the call.
- **Step-down**: a refused tool call, JSON mode, ``response_format`` or
  system prompt sends the same request once in the form below (see
  `langchain_openrouter_free._step_down`).
- **Empty answers**: no content and no tool call, only reasoning (or a
  ``length`` finish), raise `OpenRouterEmptyAnswerError`; with
  ``retry_empty`` the request is sent once more with twice the budget.
- **Free only**: an answer with ``usage.cost`` above 0 raises
  `PaidUsageError` unless ``allow_paid``.

Every attempt is recorded in ``response_metadata["attempts"]`` (when
fallbacks are configured or more than one attempt was made) and every step in
``response_metadata["step_down"]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence  # noqa: TC003 - pydantic needs them
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from langchain_core.messages import AIMessage
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from langchain_openrouter_free import errors
from langchain_openrouter_free._candidates import (
    CallNeeds,
    Fallbacks,
    check_fits,
    plan_models,
    refuse_paid_extras,
    warn_if_compressed,
)

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langchain_core.outputs import ChatResult

    from langchain_openrouter_free._step_down import Reshape

__all__ = ["SERVER_FALLBACKS", "Answer", "CallOptions", "CallPlan", "build_plan"]

SERVER_FALLBACKS: Final = 3
"""Models per request: OpenRouter refuses a ``models`` list longer than 3."""
_TOOLS_REFUSED: Final = re.compile(r"support tool use", re.IGNORECASE)
_JSON_REFUSED: Final = re.compile(
    r"JSON mode is not enabled|response_format|json_schema|structured output",
    re.IGNORECASE,
)
_SYSTEM_REFUSED: Final = re.compile(
    r"Developer instruction is not enabled|system (?:role|prompt|message)s? "
    r"(?:is |are )?not (?:supported|enabled|allowed)",
    re.IGNORECASE,
)
_INVALID_MODEL: Final = re.compile(r"is not a valid model ID", re.IGNORECASE)
_EMPTY_FINISHES: Final = frozenset({"length", "max_tokens", "max_output_tokens"})


# ------------------------------------------------------- what an error means


@dataclass(frozen=True)
class _Refused:
    """The model refused part of the request: step down if a step applies."""

    what: Literal["tools", "json", "system"]


class _Unavailable:
    """This model cannot answer now (gone, throttled upstream, failing)."""


class _Final:
    """No other model or form of the request can help."""


_Verdict = _Refused | _Unavailable | _Final


def _verdict(error: errors.OpenRouterError) -> _Verdict:
    if isinstance(error, errors.OpenRouterDataPolicyError):
        return _Final()
    text = f"{error.message} {getattr(error, 'raw', '') or ''}"
    if isinstance(error, errors.OpenRouterNotFoundError):
        return _Refused("tools") if _TOOLS_REFUSED.search(text) else _Unavailable()
    if isinstance(error, errors.OpenRouterRateLimitError):
        upstream = error.kind is errors.RateLimitKind.UPSTREAM
        return _Unavailable() if upstream else _Final()
    if isinstance(error, errors.OpenRouterInvalidRequestError):
        return _invalid_request_verdict(error, text)
    if isinstance(error, (errors.OpenRouterServerError, errors.OpenRouterTimeoutError)):
        return _Unavailable()
    return _Final()


def _invalid_request_verdict(
    error: errors.OpenRouterInvalidRequestError, text: str
) -> _Verdict:
    if isinstance(error, errors.OpenRouterContextOverflowError):
        return _Unavailable()  # a model with a larger context may take it
    if _SYSTEM_REFUSED.search(text):
        return _Refused("system")
    if _JSON_REFUSED.search(text):
        return _Refused("json")
    if error.availability.get("code") == "model_not_found" or _INVALID_MODEL.search(
        text
    ):
        return _Unavailable()
    return _Final()


# ------------------------------------------------------------ the answer


@dataclass(frozen=True)
class Answer:
    """The facts of one answer the plan needs (streamed or not).

    Attributes:
        has_output: Any content text or tool call (valid or not).
        reasoning: The reasoning text.
        finish_reason: ``finish_reason`` (``native_finish_reason`` if absent).
        model_name: The model that answered.
        cost: ``usage.cost``.
        completion_tokens: ``usage.completion_tokens``.
    """

    has_output: bool
    reasoning: str
    finish_reason: str | None
    model_name: str | None
    cost: float | None
    completion_tokens: int | None

    @classmethod
    def of(cls, message: AIMessage) -> Answer:
        """Read the facts of a complete answer."""
        meta = message.response_metadata
        usage = message.usage_metadata
        content = message.content  # a parsed answer's is text: no .text needed
        text = content if isinstance(content, str) else message.text
        return cls(
            has_output=bool(text or message.tool_calls or message.invalid_tool_calls),
            reasoning=str(message.additional_kwargs.get("reasoning_content") or ""),
            finish_reason=meta.get("finish_reason") or meta.get("native_finish_reason"),
            model_name=meta.get("model_name"),
            cost=_number(meta.get("cost")),
            completion_tokens=usage["output_tokens"] if usage else None,
        )


# ------------------------------------------------------------- the plan


class CallPlan:
    """Decides each request of one call; see the module docstring."""

    def __init__(
        self,
        payload: Mapping[str, Any],
        models: Sequence[str],
        *,
        failover: bool,
        retry_empty: bool,
        allow_paid: bool,
    ) -> None:
        """Start a plan.

        Args:
            payload: The request body as built for the first model.
            models: The models to try in order (the first is the primary).
            failover: Whether ``fallbacks`` are configured (the body's
                ``model`` / ``models`` are then set by the plan).
            retry_empty: Retry an empty answer once with twice the budget.
            allow_paid: Accept answers that cost money.
        """
        self._payload = dict(payload)
        self._models = list(models)
        self._start = 0
        self._failover = failover
        self._retry_empty = retry_empty
        self._allow_paid = allow_paid
        self._reshape: Reshape | None = None
        self._steps: list[str] = []
        self._attempts: list[dict[str, Any]] = []
        self._system_merged = False

    @property
    def reshape(self) -> Reshape | None:
        """How answers of the current form are reshaped, if they are."""
        return self._reshape

    def first(self) -> dict[str, Any]:
        """The body of the first request."""
        return self._body()

    def after_error(self, error: errors.OpenRouterError) -> dict[str, Any]:
        """The body of the next request after ``error``.

        Raises:
            OpenRouterError: ``error`` itself when nothing else can help.
        """
        self._record(type(error).__name__)
        verdict = _verdict(error)
        if isinstance(verdict, _Refused) and self._step_down(verdict.what):
            return self._body()
        if isinstance(verdict, (_Refused, _Unavailable)) and self._next_batch():
            return self._body()
        raise error

    def after_answer(self, answer: Answer) -> dict[str, Any] | None:
        """None to accept the answer, or the body of one more request.

        Raises:
            PaidUsageError: The answer cost money and ``allow_paid`` is off.
            OpenRouterEmptyAnswerError: The answer is empty (only reasoning)
                and ``retry_empty`` is off or already used.
        """
        self._record(None, answered_by=answer.model_name)
        if not self._allow_paid and answer.cost and answer.cost > 0:
            raise _paid(answer)
        if answer.has_output or not (
            answer.reasoning or answer.finish_reason in _EMPTY_FINISHES
        ):
            return None
        cut = answer.finish_reason in _EMPTY_FINISHES
        budget = self._payload.get("max_tokens") or (
            answer.completion_tokens if cut else None
        )
        if self._retry_empty and "empty_retry" not in self._steps:
            self._steps.append("empty_retry")
            if budget:  # else the same request again (an empty stop)
                self._payload["max_tokens"] = 2 * budget
            return self._body()
        raise _empty(answer, budget, retried="empty_retry" in self._steps)

    def annotate(self, metadata: dict[str, Any]) -> None:
        """Add ``attempts`` and ``step_down`` to a message's ``response_metadata``."""
        if self._annotated():
            metadata["attempts"] = [dict(a) for a in self._attempts]
        if self._steps:
            metadata["step_down"] = list(self._steps)

    def finish(self, result: ChatResult) -> ChatResult:
        """Reshape and annotate the accepted answer."""
        if self._reshape is None and not self._steps and not self._annotated():
            return result  # nothing to reshape or add: the answer as parsed
        generation = result.generations[0]
        message = generation.message
        if self._reshape is not None and isinstance(message, AIMessage):
            message = self._reshape.message(message)
        metadata = dict(message.response_metadata)
        self.annotate(metadata)
        message = message.model_copy(update={"response_metadata": metadata})
        generations = [generation.model_copy(update={"message": message})]
        return result.model_copy(update={"generations": generations})

    # ------------------------------------------------------------ internals

    def _annotated(self) -> bool:
        """Whether answers carry ``attempts`` (fallbacks, or more than one)."""
        return self._failover or len(self._attempts) > 1

    def _batch(self) -> list[str]:
        return self._models[self._start : self._start + SERVER_FALLBACKS]

    def _body(self) -> dict[str, Any]:
        if not self._failover:
            return dict(self._payload)
        batch = self._batch()
        body = {**self._payload, "model": batch[0]}
        body.pop("models", None)
        if len(batch) > 1:
            body["models"] = batch
        return body

    def _next_batch(self) -> bool:
        if not self._failover:
            return False
        self._start += SERVER_FALLBACKS
        return self._start < len(self._models)

    def _record(self, error: str | None, answered_by: str | None = None) -> None:
        # What `_body` sends, without copying the body.
        model: Any
        models: Any
        if self._failover:
            batch = self._batch()
            model, models = batch[0], batch[1:] and batch
        else:
            model, models = self._payload.get("model"), self._payload.get("models")
        entry: dict[str, Any] = {"model": model, "error": error}
        if models:
            entry["models"] = list(models)
        if answered_by is not None:
            entry["answered_by"] = answered_by
        self._attempts.append(entry)

    def _step_down(self, what: Literal["tools", "json", "system"]) -> bool:
        from langchain_openrouter_free import _step_down  # noqa: PLC0415 - rare path

        if what == "system":
            merged = (
                None
                if self._system_merged
                else _step_down.merge_system_prompt(self._payload)
            )
            if merged is None:
                return False
            self._system_merged = True
            self._payload = merged
            self._steps.append("system->user")
            return True
        step = _step_down.next_structured_step(
            self._payload, refused=what, reshape=self._reshape
        )
        if step is None or step.step in self._steps:
            return False
        self._payload, self._reshape = step.payload, step.reshape
        self._steps.append(step.step)
        return True


def build_plan(
    messages: Sequence[BaseMessage],
    payload: Mapping[str, Any],
    *,
    fallbacks: Fallbacks,
    retry_empty: bool,
    allow_paid: bool,
) -> CallPlan:
    """Check a request before sending it and plan the call.

    Args:
        messages: The call's messages (for the prompt-size estimate).
        payload: The request body.
        fallbacks: ``None``, a list of free ids, or ``"auto"``.
        retry_empty: See `CallPlan`.
        allow_paid: See `CallPlan`; also allows paid plugins.

    Returns:
        The plan.

    Raises:
        OpenRouterContextOverflowError: No model can hold the prompt.
        PaidUsageError: A paid plugin is asked for without ``allow_paid``.
    """
    from langchain_openrouter_free.registry import default_registry  # noqa: PLC0415

    if not allow_paid:
        refuse_paid_extras(payload)
    registry = default_registry()
    primary = str(payload.get("model"))
    needs = CallNeeds.of(messages, payload)
    if fallbacks is None:  # the primary alone: only check that it fits
        models = [primary]
        warn_if_compressed(check_fits(primary, needs, registry), payload)
    else:
        listed = [m for m in payload.get("models") or () if isinstance(m, str)]
        extra = [*listed, *fallbacks] if isinstance(fallbacks, list) else fallbacks
        models = plan_models(primary, extra, needs, registry)
        warn_if_compressed(registry.find(models[0]), payload)
    return CallPlan(
        payload,
        models,
        failover=fallbacks is not None,
        retry_empty=retry_empty,
        allow_paid=allow_paid,
    )


class CallOptions(BaseModel):
    """The free-tier call settings of ``ChatOpenRouterFree`` (a field mixin)."""

    # A mixin, never validated on its own: no schema of its own at import.
    model_config = ConfigDict(defer_build=True)

    fallbacks: list[str] | Literal["auto"] | None = None
    """Free models to move to when the model cannot answer.

    A list of ids (tried in order), or ``"auto"``: the registry's available
    free models that can do what each call needs (bound tools, structured
    output, image input, a large enough context). Up to 3 models go in one
    request's ``models`` list (OpenRouter fails over by itself); after a
    retired or no-endpoint 404, an upstream 429, a 5xx or a timeout the next
    ones are sent. Never after a daily cap (it is account-wide), nor after the
    first streamed chunk.
    """
    retry_empty: bool = False
    """Retry once, with twice the ``max_tokens``, an answer that is empty
    because the model spent its budget on reasoning (an empty answer that
    just stopped, without a ``max_tokens``, is retried as it was)."""

    @field_validator("fallbacks", mode="after")
    @classmethod
    def _check_fallbacks(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            msg = "fallbacks=[] lists no model: pass ids, 'auto' or None"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _fallbacks_are_free(self) -> CallOptions:
        if isinstance(self.fallbacks, list):
            allow_paid = bool(getattr(self, "allow_paid", False))
            self.fallbacks = _checked_fallbacks(self.fallbacks, allow_paid=allow_paid)
        return self

    def _call_plan(
        self, messages: Sequence[BaseMessage], payload: Mapping[str, Any]
    ) -> CallPlan:
        allow_paid = bool(getattr(self, "allow_paid", False))
        fallbacks = self.fallbacks
        if isinstance(fallbacks, list):
            fallbacks = _checked_fallbacks(fallbacks, allow_paid=allow_paid)
        return build_plan(
            messages,
            payload,
            fallbacks=fallbacks,
            retry_empty=self.retry_empty,
            allow_paid=allow_paid,
        )


def _checked_fallbacks(ids: list[str], *, allow_paid: bool) -> list[str]:
    """Free ids only (unless ``allow_paid``), registry aliases resolved."""
    from langchain_openrouter_free._request import check_free_models  # noqa: PLC0415
    from langchain_openrouter_free.registry import default_registry  # noqa: PLC0415

    if not allow_paid:
        check_free_models(ids, field="fallbacks")
    registry = default_registry()
    return [registry.resolve(i) if i in registry else i for i in ids]


def _paid(answer: Answer) -> errors.PaidUsageError:
    msg = (
        f"{answer.model_name or 'The model'} answered, but the answer cost "
        f"{answer.cost} credits (usage.cost > 0) although allow_paid is False. "
        "Check the model id and plugins, or pass allow_paid=True to accept costs."
    )
    return errors.PaidUsageError(msg, cost=answer.cost, answer_model=answer.model_name)


def _empty(
    answer: Answer, budget: int | None, *, retried: bool
) -> errors.OpenRouterEmptyAnswerError:
    spent = f"its {budget}-token budget" if budget else "its token budget"
    what = "spent " + spent + " on reasoning" if answer.reasoning else "stopped"
    again = " (also after a retry with twice the budget)" if retried else ""
    bigger = f"max_tokens={2 * budget}" if budget else "a larger max_tokens"
    msg = (
        f"{answer.model_name or 'The model'} {what} and answered nothing"
        f"{again} (finish_reason {answer.finish_reason!r}). Raise max_tokens "
        f"(e.g. {bigger}), lower the reasoning effort (reasoning={{'effort': "
        "'low'}), or set retry_empty=True to retry once with twice the budget."
    )
    return errors.OpenRouterEmptyAnswerError(
        msg,
        status_code=200,
        reasoning=answer.reasoning,
        finish_reason=answer.finish_reason,
        max_tokens=budget,
        answer_model=answer.model_name,
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None
