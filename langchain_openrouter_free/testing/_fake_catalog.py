"""What `FakeOpenRouter` serves on ``/models`` and ``/key`` by default."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["BUILTIN_MODELS", "bundled_models", "default_key_data"]

_TOOL_PARAMETERS: Final = (
    "frequency_penalty", "max_tokens", "min_p", "presence_penalty",
    "repetition_penalty", "response_format", "seed", "stop", "structured_outputs",
    "temperature", "tool_choice", "tools", "top_k", "top_p",
)  # fmt: skip


def _model(
    model_id: str, name: str, context_length: int, *, tokenizer: str, created: int
) -> dict[str, Any]:
    canonical = model_id.removesuffix(":free")
    return {
        "id": model_id,
        "canonical_slug": canonical,
        "hugging_face_id": "",
        "name": name,
        "created": created,
        "description": f"{name}, served by FakeOpenRouter.",
        "context_length": context_length,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": tokenizer,
            "instruct_type": None,
        },
        "pricing": {"prompt": "0", "completion": "0"},
        "top_provider": {
            "context_length": context_length,
            "max_completion_tokens": None,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": list(_TOOL_PARAMETERS),
        "default_parameters": {},
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{canonical}/endpoints"},
    }


BUILTIN_MODELS: Final[tuple[Mapping[str, Any], ...]] = (
    _model(
        "openrouter/free",
        "Free Models Router",
        200000,
        tokenizer="Router",
        created=1769917427,
    ),
    _model(
        "meta-llama/llama-3.3-70b-instruct:free",
        "Meta: Llama 3.3 70B Instruct (free)",
        131072,
        tokenizer="Llama3",
        created=1733506137,
    ),
    _model(
        "qwen/qwen3-coder:free",
        "Qwen: Qwen3 Coder 480B A35B (free)",
        262000,
        tokenizer="Qwen3",
        created=1753230546,
    ),
)
"""The fallback catalog, used when the bundled registry cannot be imported."""


def bundled_models() -> list[dict[str, Any]]:
    """The free models of the bundled registry snapshot, as ``/models`` entries.

    The registry is imported lazily; when it (or its ``list_free_models``) is
    not available, the small built-in catalog is served instead.

    Returns:
        Model objects in OpenRouter's ``/models`` format.
    """
    try:
        registry = importlib.import_module("langchain_openrouter_free.registry")
        models = registry.list_free_models(include_retired=False)
        return [dict(model.to_openrouter_dict()) for model in models]
    except (ImportError, AttributeError):
        return [dict(model) for model in BUILTIN_MODELS]


def default_key_data() -> dict[str, Any]:
    """The ``data`` of ``GET /key`` before overrides and counters.

    Returns:
        A free-tier key that never bought credits.
    """
    return {
        "label": "FakeOpenRouter key",
        "limit": None,
        "limit_remaining": None,
        "limit_reset": None,
        "include_byok_in_limit": False,
        "usage": 0,
        "usage_daily": 0,
        "usage_weekly": 0,
        "usage_monthly": 0,
        "byok_usage": 0,
        "byok_usage_daily": 0,
        "byok_usage_weekly": 0,
        "byok_usage_monthly": 0,
        "is_free_tier": True,
        "is_management_key": False,
        "is_provisioning_key": False,
        "creator_user_id": "user_2FakeOpenRouterEmulatorUser0",
        "expires_at": None,
        "rate_limit": {
            "requests": -1,
            "interval": "10s",
            "note": "This field is deprecated and safe to ignore.",
        },
    }
