"""The strict emulator: each model answers as its free-model registry entry allows.

By default `FakeOpenRouter` is as strict as the real API (``lenient=True`` turns
this off). A model without explicit `ModelQuirks` gets quirks derived from the
registry entry (`registry_quirks`):

- a ``:free`` id the registry does not know: 400 ``<id> is not a valid model ID``;
- a retired model: 404 ``No endpoints found for <id>.``;
- ``tools`` on a model that lists none: 404 ``No endpoints found that support
  tool use``;
- a ``response_format`` the model does not list (JSON mode), or a
  ``json_schema`` one on a model without structured outputs: the provider's 400;
- a reasoning model answers with reasoning text and ``reasoning_details``.

Ids that are not free (the registry lists free models only) and models whose
capabilities the listing did not publish are served as they are. The default
answer to JSON mode (`strict_default_reply`) satisfies the JSON schema the
prompt carries, as `with_structured_output(method="json_mode")` sends it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter_free._constants import FREE_ROUTER_ID, is_free_model_id
from langchain_openrouter_free.testing._fake_models import ModelQuirks
from langchain_openrouter_free.testing._fake_replies import (
    FakeReply,
    default_reply,
    message_text,
    schema_example,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["REASONING_TOKENS", "registry_quirks", "strict_default_reply"]

REASONING_TOKENS: Final = 8
"""How many tokens a registry reasoning model thinks before it answers."""

_SCHEMA_KEYS: Final = frozenset({"properties", "$defs", "anyOf", "oneOf", "allOf"})


def registry_quirks(model_id: str) -> ModelQuirks:
    """How ``model_id`` behaves according to the default free-model registry.

    Args:
        model_id: A requested model id.

    Returns:
        The quirks: every flag off for ids that are not free and for models
        whose capabilities are unknown.
    """
    from langchain_openrouter_free.registry import default_registry  # noqa: PLC0415

    if model_id == FREE_ROUTER_ID:
        return ModelQuirks()  # it picks a model that can serve the request
    entry = default_registry().find(model_id)
    if entry is None:
        return ModelQuirks(invalid_id=is_free_model_id(model_id))
    if not entry.capabilities_known:
        return ModelQuirks(retired=entry.status == "retired")
    return ModelQuirks(
        retired=entry.status == "retired",
        tools=entry.supports_tools,
        json_mode="response_format" in entry.supported_parameters,
        structured_output=entry.supports_structured_output,
        reasoning_tokens=REASONING_TOKENS if entry.supports_reasoning else 0,
    )


def strict_default_reply(payload: Mapping[str, Any]) -> FakeReply:
    """`default_reply`, but JSON mode answers with the schema from the prompt.

    Args:
        payload: The request body.

    Returns:
        The reply: for ``response_format`` ``json_object``, a document that
        satisfies the last JSON schema found in the messages (``{}`` if none).
    """
    response_format = payload.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == (
        "json_object"
    ):
        schema = _schema_in_messages(payload.get("messages"))
        if schema is not None:
            document = schema_example(schema)
            return FakeReply(content=json.dumps(document, ensure_ascii=False))
    return default_reply(payload)


def _schema_in_messages(messages: Any) -> Mapping[str, Any] | None:
    """The last JSON object in the messages' text that looks like a JSON schema."""
    found: Mapping[str, Any] | None = None
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict):
            found = _last_schema(message_text(message)) or found
    return found


def _last_schema(text: str) -> Mapping[str, Any] | None:
    decoder = json.JSONDecoder()
    found: Mapping[str, Any] | None = None
    start = text.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict) and _SCHEMA_KEYS & value.keys():
            found = value
        start = text.find("{", end)
    return found
