"""LangChain's standard integration suite, replayed from recorded cassettes.

Every test uses a cassette (``pytestmark``) in
``cassettes/integration/test_standard/``, recorded against FakeOpenRouter by
``scripts/record_cassettes.py``; replay needs no network and no key.

The feature flags say what the *package* supports: each one is a conversion
``ChatOpenRouterFree`` really performs (see
``tests/unit_tests/test_messages_multimodal.py`` and ``test_messages.py``).
The recorded model is ``mistralai/mistral-small-3.1-24b-instruct:free``, a
free model that takes text and images, with tools and structured outputs
(registry snapshot). Which inputs a given model accepts is the model's
business: no free model takes audio, and PDFs reach text models through
OpenRouter's file parser. The recordings come from the emulator, which
accepts every input; they prove the requests the package builds, not a
model's answer to them.

**Stand-in assets.** The suite downloads a PNG, a PDF and a WAV file from
public URLs (``httpx.get`` in ``langchain_tests.integration_tests``). These
cassettes were recorded offline, so at record time those downloads were
answered by FakeOpenRouter with *generated stand-ins* (a small valid PNG, PDF
and WAV) at the same URL path (see ``conftest.py``); the cassettes hold the
stand-ins, not the suite's original files. Replay matches on the path and
serves them without the network.
"""

from __future__ import annotations

from typing import Any

import pytest
from _integration import OVERRIDE_MODEL, REASONING_MODEL, VISION_MODEL, model_params
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
        return model_params(model=VISION_MODEL)

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
        """All three methods (``json_schema``, ``function_calling``, ``json_mode``)."""
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
        """Base64 ``image`` blocks and ``image_url`` parts become ``image_url``."""
        return True

    @property
    def supports_image_urls(self) -> bool:
        """An ``image`` block with a ``url`` is sent as that URL."""
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        """``file`` blocks (base64 PDF) and OpenAI ``file`` parts become ``file``."""
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        """``audio`` blocks and ``input_audio`` parts become ``input_audio``."""
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        """Tool results may hold ``image_url`` parts and ``image`` blocks."""
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        """Tool results may hold ``file`` blocks (sent as ``file`` parts)."""
        return True

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
        model = ChatOpenRouterFree(**model_params(model=VISION_MODEL))
        messages = [SystemMessage(_LONG_SYSTEM_PROMPT), HumanMessage("Best cheese?")]
        return _invoke(model, messages, stream=stream)
