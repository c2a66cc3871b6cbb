"""Model-id checks against the free-model registry, made before anything is sent.

`ChatOpenRouterFree` runs them at construction (``model``, ``models``) and on a
call that changes the model or ``max_tokens``. The registry is read through
`default_registry`, so ``use_live_registry()`` makes every check current.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Final

from langchain_openrouter_free._constants import is_free_model_id
from langchain_openrouter_free._request import check_free_models
from langchain_openrouter_free.errors import (
    OpenRouterConfigurationError,
    StaleModelIdWarning,
    UnknownModelIdWarning,
)

if TYPE_CHECKING:
    from langchain_openrouter_free._registry_model import FreeModel
    from langchain_openrouter_free.registry import FreeModelRegistry

_NEW_MODEL_ADVICE: Final = (
    "If the model is new, call langchain_openrouter_free.use_live_registry() "
    "to bring the registry up to date."
)

__all__ = ["checked_model_id"]


def checked_model_id(
    model_id: str,
    max_tokens: int | None,
    *,
    allow_paid: bool,
    field: str,
    strict: bool = False,
) -> str:
    """Check a model id before anything is sent; return the id to send.

    The free guard first, then what the registry knows: the real id for a
    known alias, a warning for a retired or unverified id, one warning (an
    error with ``strict``) naming the closest real ids for a free id it does
    not know, and a refusal of ``max_tokens`` above the model's output limit
    or context window.

    Args:
        model_id: The id as given.
        max_tokens: The ``max_tokens`` that goes with it, if any.
        allow_paid: Whether paid ids are allowed.
        field: The option the id came from, named in errors and warnings.
        strict: Raise for a free id the registry does not know.

    Returns:
        The id to send (the real id for a known alias).

    Raises:
        ValueError: For a paid id without ``allow_paid``.
        OpenRouterConfigurationError: For a ``max_tokens`` the model cannot
            produce.
        UnknownModelError: With ``strict``, for a free id the registry does
            not know.
    """
    from langchain_openrouter_free.registry import default_registry  # noqa: PLC0415

    if not allow_paid:
        check_free_models([model_id], field=field)
    registry = default_registry()
    entry = registry.find(model_id)
    if entry is None:
        if is_free_model_id(model_id):  # the registry lists free models only
            _unknown_free_id(registry, model_id, field=field, strict=strict)
        return model_id
    _warn_if_stale(entry, model_id, field=field)
    _check_max_tokens(entry, max_tokens)
    return entry.id


def _unknown_free_id(
    registry: FreeModelRegistry, model_id: str, *, field: str, strict: bool
) -> None:
    """Warn, or raise with ``strict``, naming the closest ids the registry knows."""
    from langchain_openrouter_free._registry_model import (  # noqa: PLC0415
        UnknownModelError,
    )

    try:
        registry.get(model_id)
    except UnknownModelError as unknown:
        if strict:
            raise UnknownModelError(
                model_id, unknown.suggestions, advice=_NEW_MODEL_ADVICE
            ) from None
        close = ", ".join(repr(s) for s in unknown.suggestions)
        hint = f"Did you mean {close}? " if close else ""
        warnings.warn(
            f"{field}={model_id!r} is not a free model the registry knows, and "
            f"OpenRouter answers 400 to an unknown id. {hint}{_NEW_MODEL_ADVICE} "
            "strict_model_ids=True turns this warning into an error.",
            UnknownModelIdWarning,
            stacklevel=7,  # the line that built the model
        )


def _warn_if_stale(entry: FreeModel, model_id: str, *, field: str) -> None:
    """Warn when ``model_id`` is an alias, or names a model not available."""
    if entry.id != model_id:
        warnings.warn(
            f"{field}={model_id!r} is not OpenRouter's id; sending {entry.id!r}",
            StaleModelIdWarning,
            stacklevel=7,  # the line that built the model
        )
    if entry.status != "available":
        warnings.warn(
            f"{entry.id} is {entry.status} in the free-model registry (last seen "
            f"{entry.last_seen or 'never'}); OpenRouter may answer 404",
            StaleModelIdWarning,
            stacklevel=7,  # the line that built the model
        )


def _check_max_tokens(entry: FreeModel, max_tokens: int | None) -> None:
    """Refuse ``max_tokens`` above the tightest limit the registry knows."""
    if max_tokens is None:
        return
    limits = [(entry.context_length, "context window")]
    if entry.max_output_tokens is not None:
        limits.append((entry.max_output_tokens, "output limit (max_output_tokens)"))
    limit, what = min(limits)
    if max_tokens > limit:
        msg = (
            f"max_tokens={max_tokens} exceeds the {limit}-token {what} of "
            f"{entry.id} in the free-model registry; pass max_tokens={limit} or "
            "less, or leave it unset. Nothing was sent."
        )
        raise OpenRouterConfigurationError(msg)
