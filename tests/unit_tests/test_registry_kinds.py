"""Model kinds in the registry: chat, embedding, rerank, ... from output modalities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from langchain_openrouter_free import list_free_models
from langchain_openrouter_free.registry import (
    FreeModelRegistry,
    default_registry,
    parse_listing_entry,
)
from tests.unit_tests._registry_fakes import NEWEST, FakeAPI, read_listings, refresh

EMBED = "nvidia/llama-nemotron-embed-vl-1b-v2:free"
RERANK = "nvidia/llama-nemotron-rerank-vl-1b-v2:free"


def _entry(model_id: str, outputs: list[str], inputs: list[str] | None = None) -> Any:
    return {
        "id": model_id,
        "name": model_id,
        "context_length": 8192,
        "architecture": {
            "input_modalities": inputs or ["text"],
            "output_modalities": outputs,
        },
        "pricing": {"prompt": "0", "completion": "0"},
    }


@pytest.mark.parametrize(
    ("outputs", "kind"),
    [
        (["text"], "chat"),
        (["text", "image"], "chat"),
        (["image"], "image"),
        (["embeddings"], "embedding"),
        (["rerank"], "rerank"),
        (["speech"], "speech"),
        (["audio"], "speech"),
        (["transcription"], "transcription"),
        (["video"], "video"),
        (["hologram"], "other"),
    ],
)
def test_kind_follows_the_output_modalities(outputs: list[str], kind: str) -> None:
    model = parse_listing_entry(_entry("acme/m:free", outputs), seen="2026-12-01")
    assert model.kind == kind


def test_a_listing_without_architecture_is_chat() -> None:
    entry = {"id": "acme/old:free", "context_length": 4096}
    assert parse_listing_entry(entry, seen=None).kind == "chat"


def _mixed_registry() -> FreeModelRegistry:
    listing = {
        "data": [
            _entry("acme/chat:free", ["text"]),
            _entry(EMBED, ["embeddings"], ["text", "image"]),
            _entry(RERANK, ["rerank"]),
            _entry("acme/paid-embed", ["embeddings"]),
        ]
    }
    return FreeModelRegistry.from_listing(listing, fetched_at="2026-12-01T00:00:00")


def test_list_is_chat_by_default_and_filters_by_kind() -> None:
    registry = _mixed_registry()
    assert [m.id for m in registry.list()] == ["acme/chat:free"]
    assert [m.id for m in registry.list(kind="embedding")] == [EMBED]
    assert [m.id for m in registry.list(kind="rerank")] == [RERANK]
    assert len(registry.list(kind=None)) == 3  # the paid id is not kept
    assert registry.list(kind="embedding", input_modality="image")[0].id == EMBED


def test_the_bundled_snapshot_lists_chat_models_only() -> None:
    # No recorded listing of ours holds an embedding or rerank model, so the
    # snapshot has none and the default listing is unchanged.
    assert list_free_models() == list_free_models(kind="chat")
    assert {m.kind for m in default_registry()} == {"chat"}
    assert list_free_models(kind="embedding") == []


def test_refresh_asks_for_every_output_kind_and_keeps_them(tmp_path: Path) -> None:
    payload = json.loads(read_listings()[NEWEST])
    payload["data"] += [_entry(EMBED, ["embeddings"]), _entry(RERANK, ["rerank"])]
    api = FakeAPI(json.dumps(payload).encode())
    registry = refresh(api, tmp_path)
    assert api.requests[0].url.params["output_modalities"] == "all"
    assert [m.id for m in registry.list(kind="embedding")] == [EMBED]
    assert [m.id for m in registry.list(kind="rerank")] == [RERANK]
    chat_ids = {m.id for m in registry.list()}
    assert EMBED not in chat_ids
    assert RERANK not in chat_ids
    # And the cache written by that refresh keeps the kinds.
    cached = refresh(FakeAPI(RuntimeError("offline")), tmp_path)
    assert cached.source == "cache"
    assert cached.get(EMBED).kind == "embedding"
