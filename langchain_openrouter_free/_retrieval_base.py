"""`OpenRouterRetrievalModel`: the settings the embeddings and rerank classes share.

Both are `OpenRouterConnection` models (key, URL, headers, retries, client,
free-tier budget) with the same guard on ``model`` (see
`langchain_openrouter_free._retrieval_models.checked_model_id`), the same
per-input token limit, ``allow_paid``, an explicit ``rate_limiter`` and
``extra_body``. Each subclass names its endpoint's model kind in ``_kind``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import ConfigDict, Field, model_validator

from langchain_openrouter_free._connection import OpenRouterConnection
from langchain_openrouter_free._registry_model import ModelKind  # noqa: TC001
from langchain_openrouter_free._request import check_payload_is_free
from langchain_openrouter_free._retrieval_models import checked_model_id
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter  # noqa: TC001

__all__ = ["OpenRouterRetrievalModel"]


class OpenRouterRetrievalModel(OpenRouterConnection):
    """Settings and checks shared by the embeddings and rerank models."""

    model_config = ConfigDict(
        populate_by_name=True,
        arbitrary_types_allowed=True,
        extra="forbid",
        hide_input_in_errors=True,
    )
    _kind: ClassVar[ModelKind]

    model: str = Field(alias="model_name")
    """A free model id (``...:free``) of the endpoint's kind."""
    max_input_tokens: int | None = Field(default=None, ge=1)
    """Token limit per input (for rerank: the query plus one document); None:
    the registry's context length for the model, else 8192. Inputs over it (by
    an estimate of 4 bytes a token) are refused before sending."""
    allow_paid: bool = False
    """Allow model ids that are not free (they spend credits)."""
    rate_limiter: FreeTierRateLimiter | None = Field(default=None, exclude=True)
    """A free-tier budget to share explicitly (as ``ChatOpenRouterFree``'s
    ``rate_limiter=``): every HTTP attempt acquires it. Without one, calls to
    openrouter.ai share the key's automatic budget with the chat model."""
    extra_body: dict[str, Any] | None = None
    """Merged into every request body last (``provider``, ``user``, ...)."""

    @model_validator(mode="after")
    def _check_model(self) -> Self:
        self.model = checked_model_id(
            self.model,
            kind=self._kind,
            allow_paid=self.allow_paid,
            owner=type(self).__name__,
        )
        return self

    def _check_free(self, payload: dict[str, Any]) -> None:
        """Refuse a body that names a paid model, unless ``allow_paid``."""
        if not self.allow_paid:
            check_payload_is_free(payload, extra_body_keys=self.extra_body or {})
