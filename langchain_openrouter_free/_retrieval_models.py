"""Model checks shared by the embeddings and rerank classes (pure but a lookup).

Both classes guard their ``model`` the same way before anything is sent: a
paid id is refused unless ``allow_paid``; ``openrouter/free`` (a router over
free *chat* models) is refused; a model the free-model registry knows must be
of the right kind (OpenRouter answers ``wrong_endpoint`` otherwise); an alias
resolves to the real id. The registry also supplies the per-input token limit
and whether the model takes images.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_openrouter_free._constants import (
    DEFAULT_MAX_INPUT_TOKENS,
    FREE_ROUTER_ID,
)
from langchain_openrouter_free._request import check_free_models

if TYPE_CHECKING:
    from langchain_openrouter_free._registry_model import FreeModel, ModelKind

__all__ = ["checked_model_id", "input_token_limit", "takes_images"]


def _known(model_id: str) -> FreeModel | None:
    from langchain_openrouter_free.registry import default_registry  # noqa: PLC0415

    return default_registry().find(model_id)


def checked_model_id(
    model_id: str, *, kind: ModelKind, allow_paid: bool, owner: str
) -> str:
    """Check a model id for an endpoint of one kind; return the id to send.

    Args:
        model_id: The configured id (or a registry alias).
        kind: The kind the endpoint serves (``embedding`` or ``rerank``).
        allow_paid: Whether paid ids are allowed.
        owner: The class name, for the error messages.

    Returns:
        The real id (an alias resolved).

    Raises:
        ValueError: A paid id without ``allow_paid``, the free chat router, or
            a known model of another kind.
    """
    if model_id == FREE_ROUTER_ID:
        msg = (
            f"{owner}: {FREE_ROUTER_ID!r} routes to free chat models only; name "
            f"a free {kind} model (list_free_models(kind={kind!r}))"
        )
        raise ValueError(msg)
    if not allow_paid:
        check_free_models([model_id], field="model")
    entry = _known(model_id)
    if entry is None:
        return model_id
    if entry.kind != kind:
        msg = (
            f"{owner}: {entry.id} is a {entry.kind} model, and OpenRouter serves "
            f"only {kind} models here; pick one from "
            f"list_free_models(kind={kind!r})"
        )
        raise ValueError(msg)
    return entry.id


def input_token_limit(model_id: str, configured: int | None) -> int:
    """The most tokens one input may hold.

    Args:
        model_id: The model id.
        configured: The class's ``max_input_tokens``, if set.

    Returns:
        ``configured``, else the registry's context length for the model,
        else `DEFAULT_MAX_INPUT_TOKENS`.
    """
    if configured is not None:
        return configured
    entry = _known(model_id)
    return entry.context_length if entry is not None else DEFAULT_MAX_INPUT_TOKENS


def takes_images(model_id: str) -> bool | None:
    """Whether the model takes image inputs: None when the registry has no entry.

    Args:
        model_id: The model id.

    Returns:
        True or False from the registry, None if unknown.
    """
    entry = _known(model_id)
    return None if entry is None else "image" in entry.input_modalities
