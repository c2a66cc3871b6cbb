"""LangChain's standard unit suite for chat models."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_openrouter_free import ChatOpenRouterFree


class TestChatOpenRouterFreeStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatOpenRouterFree]:
        return ChatOpenRouterFree

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "meta-llama/llama-3.3-70b-instruct:free"}

    @property
    def init_from_env_params(
        self,
    ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "OPENROUTER_API_KEY": "api_key",
                "OPENROUTER_BASE_URL": "https://example.invalid/api/v1",
            },
            {"model": "meta-llama/llama-3.3-70b-instruct:free"},
            {"api_key": "api_key", "base_url": "https://example.invalid/api/v1"},
        )

    @pytest.mark.xfail(
        reason=(
            "langchain-core's load() only admits classes listed in its own "
            "load/mapping.py allow-list; the dumpd() half (snapshot) is checked "
            "in test_chat_models.test_api_key_never_appears_in_repr_str_or_dump"
        ),
        strict=True,
    )
    def test_serdes(self, model: Any, snapshot: Any) -> None:
        super().test_serdes(model, snapshot)
