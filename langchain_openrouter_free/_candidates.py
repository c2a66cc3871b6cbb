"""PURE: which free models one call may use, checked before anything is sent.

`plan_models` turns the model, its ``fallbacks`` and what the call needs
(`CallNeeds`: bound tools, a JSON schema, image input, an estimated prompt
size plus ``max_tokens``) into the ordered list of models to try:

- ``fallbacks=[ids]``: those ids, in order;
- ``fallbacks="auto"``: the registry's available free models that can do
  what the call needs, largest context first (``openrouter/free`` last);
- models whose known context cannot hold the prompt plus ``max_tokens``
  are left out; when none is left, `OpenRouterContextOverflowError` is
  raised and no request is spent.

The prompt size is langchain-core's ``count_tokens_approximately`` (about
four characters a token, a fixed cost per image): no tokenizer download, no
dependency, and within the margin that matters here (a prompt that nearly
fills the window gets OpenRouter's own 400 instead). `refuse_paid_extras`
and `warn_if_compressed` are the other checks made before sending.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from langchain_core.messages.utils import count_tokens_approximately

from langchain_openrouter_free.errors import (
    ContextCompressionWarning,
    OpenRouterContextOverflowError,
    PaidUsageError,
)

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from langchain_openrouter_free._registry_model import FreeModel
    from langchain_openrouter_free.registry import FreeModelRegistry

__all__ = [
    "AUTO",
    "MAX_AUTO_FALLBACKS",
    "CallNeeds",
    "check_fits",
    "plan_models",
    "refuse_paid_extras",
    "warn_if_compressed",
]

AUTO: Final = "auto"
MAX_AUTO_FALLBACKS: Final = 6
"""``fallbacks="auto"`` tries at most this many models besides the primary."""
COMPRESSED_CONTEXT: Final = 8192
"""OpenRouter compresses prompts on endpoints of this many tokens or fewer."""
_FREE_ROUTER: Final = "openrouter/free"
_PAID_PLUGINS: Final = frozenset({"web"})
_WARNED: set[str] = set()
_WARNED_LOCK: Final = threading.Lock()

Fallbacks = Sequence[str] | Literal["auto"] | None


@dataclass(frozen=True)
class CallNeeds:
    """What a request needs from the model that serves it.

    Attributes:
        tools: Function tools are bound.
        structured: A JSON-schema ``response_format`` is asked for.
        images: A message holds an image.
        prompt_tokens: Estimated tokens of the messages and tool schemas.
        max_tokens: The answer budget asked for, if any.
    """

    tools: bool
    structured: bool
    images: bool
    prompt_tokens: int
    max_tokens: int | None

    @classmethod
    def of(
        cls, messages: Sequence[BaseMessage], payload: Mapping[str, Any]
    ) -> CallNeeds:
        """Read the needs of ``payload`` (built from ``messages``)."""
        tools: list[Any] = [
            dict(t)
            for t in payload.get("tools") or ()
            if isinstance(t, Mapping) and t.get("type") == "function"
        ]
        response_format = payload.get("response_format")
        max_tokens = payload.get("max_tokens")
        return cls(
            tools=bool(tools),
            structured=isinstance(response_format, Mapping)
            and response_format.get("type") == "json_schema",
            images=_has_image(payload.get("messages")),
            prompt_tokens=count_tokens_approximately(messages, tools=tools or None),
            max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        )

    @property
    def total_tokens(self) -> int:
        """Prompt plus answer budget."""
        return self.prompt_tokens + (self.max_tokens or 0)

    def served_by(self, model: FreeModel) -> bool:
        """Whether ``model`` can do what the call needs (context included)."""
        return (
            model.status == "available"
            and model.context_length >= self.total_tokens
            and (not self.tools or model.supports_tools)
            and (not self.structured or model.supports_structured_output)
            and (not self.images or "image" in model.input_modalities)
        )


def plan_models(
    primary: str,
    fallbacks: Fallbacks,
    needs: CallNeeds,
    registry: FreeModelRegistry,
) -> list[str]:
    """The models to try, in order: the primary first when it fits.

    Args:
        primary: The model the request names.
        fallbacks: ``None``, a list of ids (already checked as free) or
            ``"auto"``.
        needs: What the call needs.
        registry: Where context sizes and capabilities come from.

    Returns:
        At least one id.

    Raises:
        OpenRouterContextOverflowError: No model can hold the prompt plus
            ``max_tokens``; nothing was sent.
    """
    if fallbacks == AUTO:
        extra = _auto(primary, needs, registry)
    else:
        extra = list(fallbacks or ())
    ordered = list(dict.fromkeys([primary, *extra]))
    fitting = [m for m in ordered if _fits(registry.find(m), needs)]
    if not fitting:
        raise _overflow(primary, needs, registry.find(primary), auto=fallbacks == AUTO)
    return fitting


def check_fits(
    primary: str, needs: CallNeeds, registry: FreeModelRegistry
) -> FreeModel | None:
    """`plan_models` without fallbacks: check that ``primary`` fits.

    Returns:
        The registry entry of ``primary``, if it has one.

    Raises:
        OpenRouterContextOverflowError: The prompt plus ``max_tokens`` does
            not fit the model's context; nothing was sent.
    """
    model = registry.find(primary)
    if not _fits(model, needs):
        raise _overflow(primary, needs, model, auto=False)
    return model


def refuse_paid_extras(payload: Mapping[str, Any]) -> None:
    """Refuse, before sending, request fields that cost money on any model.

    Raises:
        PaidUsageError: The ``web`` plugin is asked for (and not disabled).
    """
    plugins = [
        p.get("id")
        for p in payload.get("plugins") or ()
        if isinstance(p, Mapping) and p.get("enabled", True) is not False
    ]
    paid = sorted({str(p) for p in plugins if p in _PAID_PLUGINS})
    if paid:
        msg = (
            f"plugins {paid} cost money even on free models (web search is "
            "billed per request; a balance without credits answers 402). Remove "
            "the plugin, or pass allow_paid=True to pay for it on purpose."
        )
        raise PaidUsageError(msg)


def warn_if_compressed(model: FreeModel | None, payload: Mapping[str, Any]) -> None:
    """Warn once per model that OpenRouter silently compresses its prompts."""
    if model is None or model.context_length > COMPRESSED_CONTEXT:
        return
    plugins = payload.get("plugins") or ()
    if any(
        isinstance(p, Mapping) and p.get("id") == "context-compression" for p in plugins
    ):
        return
    with _WARNED_LOCK:
        if model.id in _WARNED:
            return
        _WARNED.add(model.id)
    warnings.warn(
        f"{model.id} has a {model.context_length}-token context: OpenRouter "
        "silently drops the middle of longer prompts there. Pass "
        'plugins=[{"id": "context-compression", "enabled": False}] to get an '
        "error instead.",
        ContextCompressionWarning,
        stacklevel=6,
    )


def _auto(primary: str, needs: CallNeeds, registry: FreeModelRegistry) -> list[str]:
    chosen = [
        m.id
        for m in registry.list()
        if m.id not in {primary, _FREE_ROUTER} and needs.served_by(m)
    ][:MAX_AUTO_FALLBACKS]
    router = registry.find(_FREE_ROUTER)
    if primary != _FREE_ROUTER and router is not None and needs.served_by(router):
        chosen.append(router.id)
    return chosen


def _fits(model: FreeModel | None, needs: CallNeeds) -> bool:
    return model is None or model.context_length >= needs.total_tokens


def _overflow(
    primary: str, needs: CallNeeds, model: FreeModel | None, *, auto: bool
) -> OpenRouterContextOverflowError:
    context = model.context_length if model is not None else "unknown"
    budget = f" + max_tokens {needs.max_tokens}" if needs.max_tokens else ""
    advice = (
        "no available free model has that much context"
        if auto
        else "pass fallbacks='auto' to move to a free model with a larger context"
    )
    msg = (
        f"The prompt (about {needs.prompt_tokens} tokens{budget}) does not fit the "
        f"{context}-token context of {primary}; nothing was sent. Shorten the "
        f"prompt or lower max_tokens, or {advice}."
    )
    return OpenRouterContextOverflowError(msg, status_code=400)


def _has_image(messages: Any) -> bool:
    for message in messages or ():
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, list) and any(
            isinstance(part, Mapping) and part.get("type") == "image_url"
            for part in content
        ):
            return True
    return False
