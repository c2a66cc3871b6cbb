"""``OpenRouterFreeRerank``: a LangChain document compressor over OpenRouter rerank."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import Field

from langchain_openrouter_free._constants import DEFAULT_RERANK_MODEL, RERANK_PATH
from langchain_openrouter_free._rerank_wire import (
    RerankResult,
    build_rerank_payload,
    check_rerank,
    parse_rerank,
)
from langchain_openrouter_free._retrieval_base import OpenRouterRetrievalModel
from langchain_openrouter_free._retrieval_models import (
    input_token_limit,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from langchain_core.callbacks import Callbacks

    from langchain_openrouter_free._registry_model import ModelKind

__all__ = ["OpenRouterFreeRerank"]


class OpenRouterFreeRerank(OpenRouterRetrievalModel, BaseDocumentCompressor):
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

    _kind: ClassVar[ModelKind] = "rerank"

    model: str = Field(default=DEFAULT_RERANK_MODEL, alias="model_name")
    """A free rerank model id (``...:free``)."""
    top_n: int | None = Field(default=3, ge=1)
    """How many documents to keep; None keeps them all, reordered."""

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
        self._check_free(payload)
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
