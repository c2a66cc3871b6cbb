"""``OpenRouterFreeRerank``: a LangChain document compressor over OpenRouter rerank."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Final, Self

from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import ConfigDict, Field, model_validator

from langchain_openrouter_free._connection import OpenRouterConnection
from langchain_openrouter_free._constants import DEFAULT_RERANK_MODEL, RERANK_PATH
from langchain_openrouter_free._request import check_payload_is_free
from langchain_openrouter_free._rerank_wire import (
    RerankResult,
    build_rerank_payload,
    check_rerank,
    parse_rerank,
)
from langchain_openrouter_free._retrieval_models import (
    checked_model_id,
    input_token_limit,
)
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter  # noqa: TC001

if TYPE_CHECKING:
    from collections.abc import Sequence

    from langchain_core.callbacks import Callbacks

__all__ = ["OpenRouterFreeRerank"]

_KIND: Final = "rerank"


class OpenRouterFreeRerank(OpenRouterConnection, BaseDocumentCompressor):
    """OpenRouter reranking (``POST /api/v1/rerank``) as a document compressor.

    Ranks documents by relevance to a query and keeps the ``top_n`` best,
    each with its ``relevance_score`` in ``metadata``; use it on its own or as
    the compressor of a ``ContextualCompressionRetriever``. Connection
    settings, typed errors, retries and the free-tier handling are those of
    ``ChatOpenRouterFree``; every rerank request counts against the account's
    free-model budget.

    Instantiate:
        ```python
        from langchain_openrouter_free import OpenRouterFreeRerank

        reranker = OpenRouterFreeRerank(top_n=3)
        best = reranker.compress_documents(docs, "Which cheese is soft?")
        best[0].metadata["relevance_score"]
        ```

    In a retriever (``langchain-classic``):
        ```python
        from langchain_classic.retrievers import ContextualCompressionRetriever

        retriever = ContextualCompressionRetriever(
            base_compressor=reranker, base_retriever=store.as_retriever(k=10)
        )
        ```
    """

    model_config = ConfigDict(
        populate_by_name=True,
        arbitrary_types_allowed=True,
        extra="forbid",
        hide_input_in_errors=True,
    )

    model: str = Field(default=DEFAULT_RERANK_MODEL, alias="model_name")
    """A free rerank model id (``...:free``)."""
    top_n: int | None = Field(default=3, ge=1)
    """How many documents to keep; None keeps them all, reordered."""
    max_input_tokens: int | None = Field(default=None, ge=1)
    """Token limit for the query plus one document; None: the registry's
    context length for the model, else 8192 (estimated at 4 bytes a token)."""
    allow_paid: bool = False
    """Allow model ids that are not free (they spend credits)."""
    rate_limiter: FreeTierRateLimiter | None = Field(default=None, exclude=True)
    """A free-tier budget to share explicitly (as ``ChatOpenRouterFree``'s
    ``rate_limiter=``): every HTTP attempt acquires it. Without one, calls to
    openrouter.ai share the key's automatic budget with the chat model."""
    extra_body: dict[str, Any] | None = None
    """Merged into every request body last (``provider``, ...)."""

    @model_validator(mode="after")
    def _check_model(self) -> Self:
        self.model = checked_model_id(
            self.model,
            kind=_KIND,
            allow_paid=self.allow_paid,
            owner=type(self).__name__,
        )
        return self

    # ------------------------------------------------------------------ rerank

    def rerank(
        self, documents: Sequence[str], query: str, *, top_n: int | None = None
    ) -> list[RerankResult]:
        """Rank texts by relevance to ``query``.

        Args:
            documents: Non-empty texts.
            query: The search query.
            top_n: How many results (default: the model's ``top_n``).

        Returns:
            The best results first, each with the index of its text.
        """
        payload, parse = self._request(documents, query, top_n)
        return self._client().request_json(
            "POST", RERANK_PATH, json=payload, parse=parse
        )

    async def arerank(
        self, documents: Sequence[str], query: str, *, top_n: int | None = None
    ) -> list[RerankResult]:
        """Async `rerank`."""
        payload, parse = self._request(documents, query, top_n)
        return await self._client().arequest_json(
            "POST", RERANK_PATH, json=payload, parse=parse
        )

    def compress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,  # noqa: ARG002 - the interface's
    ) -> Sequence[Document]:
        """Keep the ``top_n`` documents most relevant to ``query``, best first.

        No documents (a retriever that found nothing): nothing is sent and
        nothing returned.

        Args:
            documents: The candidates.
            query: The search query.
            callbacks: Unused (the interface's).

        Returns:
            Copies of the kept documents with ``metadata["relevance_score"]``.
        """
        if not documents:
            return []
        texts = [doc.page_content for doc in documents]
        return _ranked_documents(documents, self.rerank(texts, query))

    async def acompress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,  # noqa: ARG002 - the interface's
    ) -> Sequence[Document]:
        """Async `compress_documents`."""
        if not documents:
            return []
        texts = [doc.page_content for doc in documents]
        return _ranked_documents(documents, await self.arerank(texts, query))

    def _request(
        self, documents: Sequence[str], query: str, top_n: int | None
    ) -> tuple[dict[str, Any], functools.partial[list[RerankResult]]]:
        """The checked request body and its parser (run inside every attempt)."""
        self._require_key()
        wanted = self.top_n if top_n is None else top_n
        texts = check_rerank(
            query,
            documents,
            top_n=wanted,
            max_input_tokens=input_token_limit(self.model, self.max_input_tokens),
            model=self.model,
        )
        top = None if wanted is None else min(wanted, len(texts))
        payload = build_rerank_payload(
            model=self.model,
            query=query,
            documents=texts,
            top_n=top,
            extra_body=self.extra_body,
        )
        if not self.allow_paid:
            check_payload_is_free(payload, extra_body_keys=self.extra_body or {})
        return payload, functools.partial(parse_rerank, count=len(texts), top_n=top)


def _ranked_documents(
    documents: Sequence[Document], ranking: list[RerankResult]
) -> list[Document]:
    """Copies of the ranked documents, in rank order, with their scores."""
    return [
        documents[result.index].model_copy(
            update={
                "metadata": {
                    **documents[result.index].metadata,
                    "relevance_score": result.relevance_score,
                }
            }
        )
        for result in ranking
    ]
