"""Per-model behaviour of `FakeOpenRouter`: what each free model can and cannot do.

`ModelQuirks` describes one model the way the free tier shows it: retired,
hidden by the privacy settings, without tools or JSON mode, refusing a system
prompt, throttled upstream or failing for its first requests, a reasoning
model that thinks for a number of tokens, or one that bills. `ModelRouter`
plays a request against them, OpenRouter's server-side ``models`` fallback
included: the requested ``model`` and then each id of ``models`` (at most 3)
is tried in order, and the first one that can serve answers; when none can,
the last one's error is returned, as OpenRouter does.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from langchain_openrouter_free._constants import FREE_ROUTER_ID
from langchain_openrouter_free.testing._fake_faults import Fault
from langchain_openrouter_free.testing._fake_replies import FakeReply, default_reply

__all__ = ["ModelQuirks", "ModelRouter", "Routed"]

_SYSTEM_ROLES: Final = frozenset({"system", "developer"})


@dataclass(frozen=True)
class ModelQuirks:
    """How one model behaves (every flag off: a healthy model).

    Attributes:
        retired: 404 ``No endpoints found for <model>.`` (free variant ended).
        privacy_blocked: 404 ``No endpoints found matching your data policy``.
        tools: False: 404 ``No endpoints found that support tool use``.
        json_mode: False: a ``response_format`` gets Google's 400 ``JSON mode
            is not enabled``.
        system_prompt: False: a system / developer message gets Google's 400
            ``Developer instruction is not enabled``.
        structured_output: False: a ``json_schema`` ``response_format`` gets
            the provider's 400 (JSON mode may still work).
        invalid_id: 400 ``<model> is not a valid model ID``.
        upstream_429: The first this-many requests get an upstream 429.
        server_errors: The first this-many requests get a 502.
        reasoning_tokens: A reasoning model that thinks this many tokens: with
            ``max_tokens`` at or below it, the answer is reasoning only
            (``finish_reason: "length"``), above it reasoning plus the answer.
        cost: ``usage.cost`` of its answers (above 0: it bills).
    """

    retired: bool = False
    privacy_blocked: bool = False
    tools: bool = True
    json_mode: bool = True
    system_prompt: bool = True
    structured_output: bool = True
    invalid_id: bool = False
    upstream_429: int = 0
    server_errors: int = 0
    reasoning_tokens: int = 0
    cost: float = 0.0


@dataclass(frozen=True)
class Routed:
    """Where a request landed: the answering model, or the error returned.

    Attributes:
        model: The model that answers (None when every model failed).
        fault: The error to return instead (the last model's), if any.
        quirks: The answering model's quirks.
    """

    model: str | None
    fault: Fault | None
    quirks: ModelQuirks | None


class ModelRouter:
    """Plays requests against per-model quirks (thread-safe)."""

    def __init__(
        self,
        quirks: Mapping[str, ModelQuirks],
        default: Callable[[str], ModelQuirks] | None = None,
    ) -> None:
        """Keep the quirks and their request counters.

        Args:
            quirks: Named models' quirks.
            default: The quirks of any other model (None: a healthy model).
        """
        self._quirks = dict(quirks)
        self._default = default
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        """Whether any model has quirks (or a default decides them)."""
        return bool(self._quirks) or self._default is not None

    def route(self, payload: Mapping[str, Any]) -> Routed:
        """Try the requested model, then each fallback; see the module docstring."""
        fault: Fault | None = None
        for model in _route(payload):
            quirks = self._quirks.get(model) or (
                self._default(model) if self._default else ModelQuirks()
            )
            fault = self._refusal(model, quirks, payload)
            if fault is None:
                return Routed(model=model, fault=None, quirks=quirks)
        return Routed(model=None, fault=fault, quirks=None)

    def reset(self) -> None:
        """Forget how many requests each model saw."""
        with self._lock:
            self._seen.clear()

    def _refusal(
        self, model: str, quirks: ModelQuirks, payload: Mapping[str, Any]
    ) -> Fault | None:
        response_format = payload.get("response_format")
        schema_format = (
            isinstance(response_format, Mapping)
            and response_format.get("type") == "json_schema"
        )
        refusals: tuple[tuple[bool, Callable[[], Fault]], ...] = (
            (quirks.invalid_id, lambda: Fault.invalid_model(model)),
            (quirks.retired, lambda: Fault.no_endpoints(model)),
            (quirks.privacy_blocked, Fault.data_policy),
            (not quirks.tools and _function_tools(payload), Fault.tools_unsupported),
            (
                not quirks.json_mode and response_format is not None,
                lambda: Fault.json_mode_unsupported(model),
            ),
            (
                not quirks.structured_output and schema_format,
                lambda: Fault.json_mode_unsupported(model),
            ),
            (
                not quirks.system_prompt and _has_system(payload),
                lambda: Fault.system_prompt_unsupported(model),
            ),
        )
        refused = next((make for hit, make in refusals if hit), None)
        if refused is not None:
            return refused()
        with self._lock:
            seen = self._seen.get(model, 0)
            self._seen[model] = seen + 1
        if seen < quirks.upstream_429:
            return Fault.upstream_rate_limit(model)
        if seen < quirks.upstream_429 + quirks.server_errors:
            return Fault.server_error(502)
        return None


def shaped_reply(
    reply: FakeReply | None, routed: Routed, payload: Mapping[str, Any]
) -> FakeReply:
    """The reply of the answering model: its id, reasoning and cost applied.

    Args:
        reply: The scripted reply (None: the default one).
        routed: Where the request landed.
        payload: The request body.

    Returns:
        The reply to send.
    """
    reply = reply or default_reply(payload)
    quirks = routed.quirks or ModelQuirks()
    changes: dict[str, Any] = {}
    if reply.model is None and routed.model not in {None, FREE_ROUTER_ID}:
        changes["model"] = routed.model  # the router answers as a concrete model
    if quirks.cost:
        changes["usage"] = {**(reply.usage or {}), "cost": quirks.cost}
    if quirks.reasoning_tokens:
        thought = " ".join(["thinking"] * quirks.reasoning_tokens)
        changes["reasoning"] = reply.reasoning or thought
        budget = payload.get("max_tokens")
        if isinstance(budget, int) and budget <= quirks.reasoning_tokens:
            changes.update(content="", tool_calls=(), finish_reason="length")
    return dataclasses.replace(reply, **changes) if changes else reply


def _route(payload: Mapping[str, Any]) -> list[str]:
    models = payload.get("models")
    listed = (
        [m for m in models if isinstance(m, str)] if isinstance(models, list) else []
    )
    model = payload.get("model")
    first = [model] if isinstance(model, str) else []
    return list(dict.fromkeys([*first, *listed]))


def _function_tools(payload: Mapping[str, Any]) -> bool:
    tools = payload.get("tools")
    return isinstance(tools, list) and any(
        isinstance(t, Mapping) and t.get("type") == "function" for t in tools
    )


def _has_system(payload: Mapping[str, Any]) -> bool:
    messages = payload.get("messages")
    return isinstance(messages, list) and any(
        isinstance(m, Mapping) and m.get("role") in _SYSTEM_ROLES for m in messages
    )
