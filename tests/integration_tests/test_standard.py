"""LangChain's standard integration suite, replayed from recorded cassettes.

Every test uses a cassette (``pytestmark``) in
``cassettes/integration/test_standard/``, recorded against FakeOpenRouter by
``scripts/record_cassettes.py``; replay needs no network and no key. The
feature flags say what the package really supports with the recorded model,
``meta-llama/llama-3.3-70b-instruct:free`` (text in, text and tool calls out).
"""

from __future__ import annotations

from typing import Any

import pytest
from _integration import OVERRIDE_MODEL, REASONING_MODEL, model_params
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_openrouter_free import ChatOpenRouterFree

pytestmark = pytest.mark.vcr

_LONG_SYSTEM_PROMPT = (
    "You are a terse assistant for a cheese shop. "
    + "Answer in one short sentence. " * 40
)


def _invoke(
    model: ChatOpenRouterFree, messages: list[BaseMessage], *, stream: bool
) -> AIMessage:
    if not stream:
        return model.invoke(messages)
    merged = None
    for chunk in model.stream(messages):
        merged = chunk if merged is None else merged + chunk
    assert isinstance(merged, AIMessage)
    return merged


class TestChatOpenRouterFreeIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatOpenRouterFree]:
        return ChatOpenRouterFree

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return model_params()

    @property
    def enable_vcr_tests(self) -> bool:
        """Cassettes exist for every test, so ``test_stream_time`` runs too."""
        return True

    @property
    def has_tool_calling(self) -> bool:
        """``bind_tools``; the model lists ``tools``."""
        return True

    @property
    def has_tool_choice(self) -> bool:
        """``"any"`` is sent as ``"required"``, a name as a forced function."""
        return True

    @property
    def has_structured_output(self) -> bool:
        """All three methods; this model gets ``function_calling`` by default."""
        return True

    @property
    def supports_json_mode(self) -> bool:
        """``method="json_mode"``: ``json_object`` plus the schema in the prompt."""
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        """``reasoning_tokens`` and ``cached_tokens`` are mapped, also in streams."""
        details = ["reasoning_output", "cache_read_input"]
        return {"invoke": details, "stream": details}

    @property
    def supports_anthropic_inputs(self) -> bool:
        """Anthropic ``tool_use`` / ``tool_result`` blocks are converted."""
        return True

    @property
    def supports_image_inputs(self) -> bool:
        """False: the recorded model is text-only, and the suite downloads its
        images with httpx, which cannot be recorded offline.
        """
        return False

    @property
    def supports_image_urls(self) -> bool:
        """False: the recorded model is text-only."""
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        """False: text-only model; the PDF download cannot be recorded offline."""
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        """False: text-only model; the WAV download cannot be recorded offline."""
        return False

    @property
    def model_override_value(self) -> str:
        """Another free model; the answer reports the model it came from."""
        return OVERRIDE_MODEL

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        model = ChatOpenRouterFree(
            **model_params(model=REASONING_MODEL, reasoning={"effort": "low"})
        )
        messages: list[BaseMessage] = [HumanMessage("Is 91 a prime number?")]
        return _invoke(model, messages, stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        model = ChatOpenRouterFree(**model_params())
        messages = [SystemMessage(_LONG_SYSTEM_PROMPT), HumanMessage("Best cheese?")]
        return _invoke(model, messages, stream=stream)
