"""Model-id checks against the free-model registry, made before anything is sent.

`ChatOpenRouterFree` runs them at construction (``model``, ``models``) and on a
call that changes the model or ``max_tokens``. The registry is read through
`default_registry`, so ``use_live_registry()`` makes every check current.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from langchain_openrouter_free._request import check_free_models
from langchain_openrouter_free.errors import StaleModelIdWarning

if TYPE_CHECKING:
    from langchain_openrouter_free._registry_model import FreeModel

__all__ = ["checked_model_id"]


def checked_model_id(
    model_id: str, max_tokens: int | None, *, allow_paid: bool, field: str
) -> str:
    """Check a model id before anything is sent; return the id to send.

    The free guard first, then what the registry knows: the real id for a
    known alias, a warning for a retired or unverified id, and a refusal of
    ``max_tokens`` larger than the model's whole context window.

    Args:
        model_id: The id as given.
        max_tokens: The ``max_tokens`` that goes with it, if any.
        allow_paid: Whether paid ids are allowed.
        field: The option the id came from, named in errors and warnings.

    Returns:
        The id to send (the real id for a known alias).

    Raises:
        ValueError: For a paid id without ``allow_paid``, or a ``max_tokens``
            the model cannot produce.
    """
    if not allow_paid:
        check_free_models([model_id], field=field)
    entry = _registry_entry(model_id)
    if entry is None:
        return model_id
    _warn_if_stale(entry, model_id, field=field)
    _check_fits_context(entry, max_tokens)
    return entry.id


def _registry_entry(model_id: str) -> FreeModel | None:
    from langchain_openrouter_free.registry import default_registry  # noqa: PLC0415

    return default_registry().find(model_id)


def _warn_if_stale(entry: FreeModel, model_id: str, *, field: str) -> None:
    """Warn when ``model_id`` is an alias, or names a model not available."""
    if entry.id != model_id:
        warnings.warn(
            f"{field}={model_id!r} is not OpenRouter's id; sending {entry.id!r}",
            StaleModelIdWarning,
            stacklevel=5,
        )
    if entry.status != "available":
        warnings.warn(
            f"{entry.id} is {entry.status} in the free-model registry (last seen "
            f"{entry.last_seen or 'never'}); OpenRouter may answer 404",
            StaleModelIdWarning,
            stacklevel=5,
        )


def _check_fits_context(entry: FreeModel, max_tokens: int | None) -> None:
    if max_tokens is not None and max_tokens > entry.context_length:
        msg = (
            f"max_tokens={max_tokens} exceeds the {entry.context_length}-token "
            f"context of {entry.id}"
        )
        raise ValueError(msg)
