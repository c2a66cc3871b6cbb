"""`openrouter-free models --kind`: chat by default, embedding and rerank after a refresh."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from langchain_openrouter_free.cli import main
from tests._repo_data import MODEL_LISTINGS

EMBED = "nvidia/llama-nemotron-embed-vl-1b-v2:free"
RERANK = "nvidia/llama-nemotron-rerank-vl-1b-v2:free"


def _entry(model_id: str, output: str) -> dict[str, object]:
    return {
        "id": model_id,
        "name": model_id,
        "context_length": 8192,
        "architecture": {"input_modalities": ["text"], "output_modalities": [output]},
        "pricing": {"prompt": "0", "completion": "0"},
    }


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> httpx.Client:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    payload = json.loads((MODEL_LISTINGS / "2026-02-19.json").read_bytes())
    payload["data"] += [_entry(EMBED, "embeddings"), _entry(RERANK, "rerank")]

    def api(request: httpx.Request) -> httpx.Response:
        assert request.url.params["output_modalities"] == "all"
        return httpx.Response(200, json=payload)

    return httpx.Client(transport=httpx.MockTransport(api))


def _ids(out: str) -> list[str]:
    lines = out.splitlines()
    return [line.split()[0] for line in lines[1 : lines.index("")]]


def test_kind_defaults_to_chat_and_filters_after_a_refresh(
    live: httpx.Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refresh = ["--refresh", "--cache-dir", str(tmp_path)]
    assert main(["models", *refresh], http_client=live) == 0
    chat = _ids(capsys.readouterr().out)
    assert EMBED not in chat
    assert RERANK not in chat
    assert main(["models", "--kind", "embedding", *refresh], http_client=live) == 0
    assert _ids(capsys.readouterr().out) == [EMBED]
    assert (
        main(["models", "--kind", "rerank", "--json", *refresh], http_client=live) == 0
    )
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["id"] == RERANK
    assert entry["kind"] == "rerank"
    assert main(["models", "--kind", "all", *refresh], http_client=live) == 0
    assert {EMBED, RERANK, *chat} == set(_ids(capsys.readouterr().out))


def test_the_bundled_snapshot_has_no_embedding_models_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models", "--kind", "embedding"]) == 0
    out = capsys.readouterr().out
    assert "No free model matches these filters." in out
    assert "--refresh" in out


def test_an_unknown_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--kind", "hologram"]) == 2
    assert "hologram" in capsys.readouterr().err
