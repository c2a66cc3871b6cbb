"""OpenRouter's fixed facts, in one place: where it is, what is free, what is secret.

Everything else in the package imports these instead of spelling them out, so
a change on OpenRouter's side (a new host, a new free-tier number, a new key
shape) is one edit here. Nothing in this module does I/O.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ACCOUNT_ID_PATTERNS",
    "CREDENTIAL_HEADERS",
    "DEFAULT_BASE_URL",
    "DEFAULT_EMBEDDING_MODEL",
    "DEFAULT_MAX_INPUT_TOKENS",
    "DEFAULT_RERANK_MODEL",
    "EMBEDDINGS_PATH",
    "FREE_REQUESTS_PER_DAY",
    "FREE_REQUESTS_PER_DAY_WITH_CREDITS",
    "FREE_REQUESTS_PER_MINUTE",
    "FREE_ROUTER_ID",
    "FREE_SUFFIX",
    "OPENROUTER_HOST",
    "RERANK_PATH",
    "SECRET_PATTERNS",
    "is_free_model_id",
]

OPENROUTER_HOST: Final = "openrouter.ai"
"""The host of OpenRouter's API and web pages."""

DEFAULT_BASE_URL: Final = f"https://{OPENROUTER_HOST}/api/v1"
"""The API root every endpoint path (``/chat/completions``, ``/models``) is below."""

FREE_SUFFIX: Final = ":free"
"""The suffix of every free model variant's id (``google/gemma-3-27b-it:free``)."""

FREE_ROUTER_ID: Final = "openrouter/free"
"""OpenRouter's router that picks a free model per request."""

FREE_REQUESTS_PER_MINUTE: Final = 20
"""Account-wide free-model requests allowed per minute."""

FREE_REQUESTS_PER_DAY: Final = 50
"""Account-wide free-model requests allowed per UTC day."""

FREE_REQUESTS_PER_DAY_WITH_CREDITS: Final = 1000
"""The daily allowance once the account has bought at least 10 credits."""

EMBEDDINGS_PATH: Final = "/embeddings"
RERANK_PATH: Final = "/rerank"

DEFAULT_EMBEDDING_MODEL: Final = "nvidia/llama-nemotron-embed-vl-1b-v2:free"
"""A free text-and-image embedding model, seen in public code in 2026 (none of
the project's recorded /models listings holds an embedding model)."""
DEFAULT_RERANK_MODEL: Final = "nvidia/llama-nemotron-rerank-vl-1b-v2:free"
"""A free rerank model, seen in public code in 2026 (not in our listings)."""
DEFAULT_MAX_INPUT_TOKENS: Final = 8192
"""Tokens per input assumed for an embedding or rerank model the registry does
not know (a common limit of current embedding models, not a published fact
about a given one); set ``max_input_tokens`` to the model's real limit."""

CREDENTIAL_HEADERS: Final = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "cookie"}
)
"""Header names (lower case) whose values are credentials: never shown,
dumped or recorded."""

SECRET_PATTERNS: Final[Mapping[str, re.Pattern[str]]] = {
    "OpenRouter key": re.compile(r"sk-or-v\d+-[A-Za-z0-9]{16,}"),
    "OpenRouter-style key": re.compile(r"sk-or-(?!v\d+-)[A-Za-z0-9_-]{8,}"),
    "Anthropic key": re.compile(r"sk-ant-[A-Za-z0-9_-]{16,}"),
    "OpenAI project key": re.compile(r"sk-proj-[A-Za-z0-9_-]{16,}"),
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9]{32,}"),
    "bearer token": re.compile(r"Bearer\s+[A-Za-z0-9._~+/-]{16,}=*", re.IGNORECASE),
}
"""Key-like text, by what it looks like: redacted everywhere, reported by the
cassette scan."""

ACCOUNT_ID_PATTERNS: Final[Mapping[str, re.Pattern[str]]] = {
    "account id": re.compile(r"\b(?:user|org)_(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{20,}\b"),
}
"""OpenRouter (Clerk-style) account ids, ``user_2ts…`` and ``org_2ts…``: they
name the account that made a request."""


def is_free_model_id(model_id: str) -> bool:
    """Tell whether a model id is free: ends in ``:free`` or is the free router.

    Args:
        model_id: An OpenRouter model id.

    Returns:
        True for ``…:free`` ids and for ``openrouter/free``.
    """
    return model_id.endswith(FREE_SUFFIX) or model_id == FREE_ROUTER_ID
