"""LangChain's standard unit suite for embeddings."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_openrouter_free import OpenRouterFreeEmbeddings

MODEL = "nvidia/llama-nemotron-embed-vl-1b-v2:free"


class TestOpenRouterFreeEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[OpenRouterFreeEmbeddings]:
        return OpenRouterFreeEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": MODEL}

    @property
    def init_from_env_params(
        self,
    ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "OPENROUTER_API_KEY": "api_key",
                "OPENROUTER_BASE_URL": "https://example.invalid/api/v1",
            },
            {"model": MODEL},
            {"api_key": "api_key", "base_url": "https://example.invalid/api/v1"},
        )
