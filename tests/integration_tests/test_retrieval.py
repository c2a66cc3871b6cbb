"""Embeddings and rerank replayed from recorded cassettes (sync and async).

LangChain's standard embeddings integration suite, plus the reranker alone and
in a ``ContextualCompressionRetriever``. The cassettes in
``cassettes/integration/test_retrieval/`` were recorded against FakeOpenRouter
by ``scripts/record_cassettes.py`` (no real listing or recording of ours holds
OpenRouter's free embedding and rerank models, so there is nothing live to
replay): they prove the requests the package builds and that it reads the
documented answers, not a model's quality.
"""

from __future__ import annotations

from typing import Any

import pytest
from _integration import base_url
from langchain_classic.retrievers import ContextualCompressionRetriever
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_openrouter_free import OpenRouterFreeEmbeddings, OpenRouterFreeRerank

pytestmark = pytest.mark.vcr

EMBED_MODEL = "nvidia/llama-nemotron-embed-vl-1b-v2:free"
RERANK_MODEL = "nvidia/llama-nemotron-rerank-vl-1b-v2:free"
DOCS = [
    Document(page_content="Brie is a soft cheese with a white rind.", id="brie"),
    Document(page_content="Comte is a hard cheese from the Jura.", id="comte"),
    Document(page_content="The Loire has many castles.", id="loire"),
]


class _AllDocuments(BaseRetriever):
    """Returns every document: the reranker alone decides."""

    def _get_relevant_documents(self, query: str, **_: Any) -> list[Document]:
        return list(DOCS)


class TestOpenRouterFreeEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[OpenRouterFreeEmbeddings]:
        return OpenRouterFreeEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": EMBED_MODEL, "base_url": base_url()}


def test_base64_embeddings_with_fewer_dimensions() -> None:
    embeddings = OpenRouterFreeEmbeddings(
        model=EMBED_MODEL,
        base_url=base_url(),
        encoding_format="base64",
        dimensions=256,
    )
    plain = OpenRouterFreeEmbeddings(
        model=EMBED_MODEL, base_url=base_url(), dimensions=256
    )
    text = "Brie is a soft cheese."
    assert embeddings.embed_query(text) == pytest.approx(
        plain.embed_query(text), abs=1e-6
    )
    assert len(embeddings.embed_query(text)) == 256


def test_rerank_in_a_contextual_compression_retriever() -> None:
    retriever = ContextualCompressionRetriever(
        base_compressor=OpenRouterFreeRerank(
            model=RERANK_MODEL, base_url=base_url(), top_n=2
        ),
        base_retriever=_AllDocuments(),
    )
    found = retriever.invoke("Which cheese is hard?")
    assert found[0].id == "comte"
    assert len(found) == 2
    assert all(0 <= doc.metadata["relevance_score"] <= 1 for doc in found)


async def test_rerank_async_in_a_contextual_compression_retriever() -> None:
    reranker = OpenRouterFreeRerank(model=RERANK_MODEL, base_url=base_url(), top_n=1)
    retriever = ContextualCompressionRetriever(
        base_compressor=reranker, base_retriever=_AllDocuments()
    )
    try:
        found = await retriever.ainvoke("Tell me about the castles of the Loire")
    finally:
        await reranker.aclose()
    assert [doc.id for doc in found] == ["loire"]
