"""The key and account ids, echoed by a hostile server, reach no public surface.

Surfaces: the model's repr, str, dumps and LangChain serialization; every
attribute, message and chain of every error (JSON, stream, sync, async); log
records; registry warnings, errors and the cache file; CLI output; cassettes
of answers in every content coding httpx can send.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Callable
from pathlib import Path

import brotli
import httpx
import pytest
import vcr as vcrpy
import zstandard
from langchain_core.load import dumpd, dumps

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.cli import main
from langchain_openrouter_free.registry import (
    FreeModelRegistry,
    RegistryWarning,
    list_free_models,
)
from langchain_openrouter_free.testing.cassettes import (
    build_vcr_config,
    load_cassette_data,
    register,
    scan_cassette_for_secrets,
)
from tests.faults._hostile import HostileServer, Request, Wire, head
from tests.faults._probe import ACCOUNT, KEY, ODD_KEY, call, make_model, surfaces
from tests.faults.conftest import ScenarioCounter

SECRETS = (KEY, ODD_KEY, ACCOUNT, "hunter2-proxy-pw")
CODINGS: dict[str, Callable[[bytes], bytes]] = {
    "identity": lambda data: data,
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def found_in(text: str) -> list[str]:
    return [secret[:12] for secret in SECRETS if secret in text]


def echo_everything(
    coding: str = "identity", status: int = 400
) -> Callable[[Wire, Request], None]:
    """Quote the credential and an account id in the body, headers and listing."""

    def behave(wire: Wire, request: Request) -> None:
        sent = request.headers.get("authorization", "none")
        note = f"{sent} {ACCOUNT}"
        if request.path.partition("?")[0].endswith("/models"):
            entry = list_free_models()[0].to_openrouter_dict() | {"description": note}
            body = json.dumps({"data": [entry], "user_id": ACCOUNT}).encode()
            code = 200
        else:
            error = {"code": status, "message": note, "metadata": {"raw": note}}
            body = json.dumps({"error": error, "user_id": ACCOUNT}).encode()
            code = status
        raw = CODINGS[coding](body)
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(raw)),
            "X-Echo": note,
        } | ({} if coding == "identity" else {"Content-Encoding": coding})
        wire.send(head(code, headers) + raw)

    return behave


@pytest.mark.parametrize("key", [KEY, ODD_KEY], ids=["sk-or-key", "odd-key"])
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_errors_and_logs_hold_no_secret(
    mode: str,
    key: str,
    scenario: ScenarioCounter,
    caplog: pytest.LogCaptureFixture,
    *,
    stream: bool,
) -> None:
    scenario.start()
    ours = "langchain_openrouter_free"
    with (
        HostileServer(echo_everything()) as server,
        caplog.at_level(logging.DEBUG, ours),
    ):
        outcome = call(make_model(server, key=key, max_retries=1), mode, stream=stream)
    assert outcome.error is not None
    for where, text in surfaces(outcome.error).items():
        assert found_in(text) == [], where
    # httpcore's own DEBUG trace prints response headers as received; what
    # this package logs is checked.
    logged = [r.getMessage() for r in caplog.records if r.name.startswith(ours)]
    assert logged  # the failure was logged
    assert found_in(" ".join(logged)) == []
    scenario.held()


def test_model_repr_dumps_and_serialization_hold_no_secret(
    scenario: ScenarioCounter,
) -> None:
    scenario.start()
    model = ChatOpenRouterFree(
        model="meta-llama/llama-3.3-70b-instruct:free",
        api_key=KEY,
        base_url="https://team:hunter2-proxy-pw@proxy.example/api/v1",
        default_headers={"X-API-Key": ODD_KEY, "Cookie": f"session={ACCOUNT}"},
    )
    texts = {
        "repr": repr(model),
        "str": str(model),
        "model_dump": str(model.model_dump()),
        "model_dump_json": model.model_dump_json(),
        "dumpd": json.dumps(dumpd(model)),
        "dumps": dumps(model),
    }
    for where, text in texts.items():
        assert found_in(text) == [], where
    scenario.held()


def test_registry_warnings_errors_cache_and_cli_hold_no_secret(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    scenario: ScenarioCounter,
) -> None:
    scenario.start()
    with HostileServer(echo_everything(status=401)) as server:
        with pytest.warns(RegistryWarning) as warned:
            FreeModelRegistry.refresh(
                base_url=server.base_url,
                api_key=ODD_KEY + "\n",
                cache_dir=tmp_path,
                force=True,
            )
        with pytest.raises(Exception) as strict:
            FreeModelRegistry.refresh(
                base_url=server.base_url,
                api_key=ODD_KEY,
                cache_dir=tmp_path,
                force=True,
                strict=True,
            )
        monkeypatch.setenv("OPENROUTER_API_KEY", ODD_KEY)
        monkeypatch.setenv("OPENROUTER_BASE_URL", server.base_url)
        status = main(["models", "--refresh", "--cache-dir", str(tmp_path / "cli")])
    texts = {
        "warnings": " ".join(str(w.message) for w in warned),
        "strict error": " ".join(surfaces(strict.value).values()),
        "cache": " ".join(p.read_text() for p in tmp_path.rglob("*.json")),
        "cli": "".join(capsys.readouterr()),
    }
    assert status in {0, 1}
    assert texts["cache"]  # the listing was cached
    for where, text in texts.items():
        assert found_in(text) == [], where
    scenario.held()


@pytest.mark.parametrize("coding", sorted(CODINGS))
def test_cassettes_of_every_coding_hold_no_secret(
    tmp_path: Path, coding: str, scenario: ScenarioCounter
) -> None:
    scenario.start()
    recorder = vcrpy.VCR()
    register(recorder)
    path = str(tmp_path / "echo.yaml.gz")
    with (
        HostileServer(echo_everything(coding, status=200)) as server,
        recorder.use_cassette(
            path, record_mode="once", **build_vcr_config(record_errors=True)
        ),
        httpx.Client(headers={"Authorization": f"Bearer {KEY}"}) as client,
    ):
        client.post(
            f"{server.base_url}/chat/completions?u={ACCOUNT}",
            json={"a": 1},
        )
    cassette = Path(path)
    assert scan_cassette_for_secrets(cassette) == []
    data = load_cassette_data(cassette.read_bytes())
    (request,) = data["requests"]
    (response,) = data["responses"]
    body = response["body"]["string"]
    stored = body if isinstance(body, bytes) else body.encode()
    assert json.loads(stored)["error"]["code"] == 200  # stored decoded: replayable
    headers = {name.lower() for name in response["headers"]}
    assert "content-encoding" not in headers
    for text in (stored.decode(), str(request), str(response)):
        assert found_in(text) == []
    scenario.held()
