"""LangChain chat model for OpenRouter's free models.

``ChatOpenRouterFree`` is the chat model, ``OpenRouterFreeEmbeddings`` and
``OpenRouterFreeRerank`` the retrieval models; the registry (``FreeModel``,
``FreeModelRegistry``, ``list_free_models``, ``get_free_model``) answers which
free models exist and what each can do; ``use_live_registry`` (or
``set_default_registry``) makes a refreshed listing the one they all read. The
registry is imported on first use, so ``import langchain_openrouter_free`` stays
cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# First, before anything of ours: a cold top-level ``import
# langchain_openrouter_free`` spends ~40 ms less CPU than when chat_models
# imports it, not because less runs but because langchain-core's model building
# then starts at a call-stack depth where CPython's frame-stack chunk edges
# cost less (docs/benchmarks/index.md, "Why the misses": import).
from langchain_core.language_models import BaseChatModel  # noqa: F401

from langchain_openrouter_free._version import __version__
from langchain_openrouter_free.chat_models import ChatOpenRouterFree

if TYPE_CHECKING:
    from langchain_openrouter_free.embeddings import OpenRouterFreeEmbeddings
    from langchain_openrouter_free.registry import (
        FreeModel,
        FreeModelRegistry,
        get_free_model,
        list_free_models,
        set_default_registry,
        use_live_registry,
    )
    from langchain_openrouter_free.rerank import OpenRouterFreeRerank

__all__ = [
    "ChatOpenRouterFree",
    "FreeModel",
    "FreeModelRegistry",
    "OpenRouterFreeEmbeddings",
    "OpenRouterFreeRerank",
    "__version__",
    "get_free_model",
    "list_free_models",
    "set_default_registry",
    "use_live_registry",
]

_LAZY = {
    "FreeModel": "langchain_openrouter_free.registry",
    "FreeModelRegistry": "langchain_openrouter_free.registry",
    "get_free_model": "langchain_openrouter_free.registry",
    "list_free_models": "langchain_openrouter_free.registry",
    "set_default_registry": "langchain_openrouter_free.registry",
    "use_live_registry": "langchain_openrouter_free.registry",
    "OpenRouterFreeEmbeddings": "langchain_openrouter_free.embeddings",
    "OpenRouterFreeRerank": "langchain_openrouter_free.rerank",
}


def __getattr__(name: str) -> Any:
    """Import registry, embeddings and rerank names on first use."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
