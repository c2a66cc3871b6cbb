"""`openrouter-free models`: table, filters, JSON, live refresh, entry point."""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import httpx
import pytest

from langchain_openrouter_free import _console as console
from langchain_openrouter_free._registry_live import cache_path
from langchain_openrouter_free.cli import main
from langchain_openrouter_free.registry import (
    FreeModel,
    FreeModelRegistry,
    RegistryWarning,
    list_free_models,
)
from tests._repo_data import MODEL_LISTINGS
from tests.unit_tests._registry_fakes import listing_with

HEADER = ["ID", "CONTEXT", "MAX OUTPUT", "TOOLS", "STRUCTURED", "REASONING", "STATUS"]
KEY = "sk-or-v1-" + "fedcba9876543210" * 4


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return


@pytest.fixture(scope="module")
def newest_listing() -> bytes:
    return (MODEL_LISTINGS / "2026-02-19.json").read_bytes()


def _table(out: str) -> list[str]:
    """Data rows (lines between the header and the blank line before the footer)."""
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID",
        "CONTEXT",
        "MAX",
        "OUTPUT",
        "TOOLS",
        "STRUCTURED",
        "REASONING",
        "STATUS",
    ]
    return lines[1 : lines.index("")]


def test_models_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    rows = _table(out)
    assert [r.split()[0] for r in rows] == [m.id for m in list_free_models()]
    assert len(rows) == 30
    assert out.rstrip().endswith("30 models; bundled listing of 2026-02-19")
    header = out.splitlines()[0]
    # columns are aligned: every row has its context column ending where the header's does
    end = header.index("CONTEXT") + len("CONTEXT")
    router = next(r for r in rows if r.startswith("openrouter/free "))
    assert router[end - len("200,000") : end] == "200,000"
    assert router.split()[-4:] == ["yes", "yes", "yes", "available"]
    gemma = next(r for r in rows if r.startswith("google/gemma-3-27b-it:free "))
    assert gemma.split()[1:3] == ["131,072", "8,192"]


def test_models_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--author", "google", "--min-context", "100000"]) == 0
    rows = _table(capsys.readouterr().out)
    assert [r.split()[0] for r in rows] == ["google/gemma-3-27b-it:free"]

    assert main(["models", "--tools", "--structured", "--reasoning"]) == 0
    rows = _table(capsys.readouterr().out)
    assert rows
    assert all(r.split()[3:6] == ["yes", "yes", "yes"] for r in rows)

    assert main(["models", "--input", "image"]) == 0
    ids = {r.split()[0] for r in _table(capsys.readouterr().out)}
    assert ids == {m.id for m in list_free_models(input_modality="image")}


def test_models_all_includes_retired_and_unverified(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models", "--all"]) == 0
    rows = _table(capsys.readouterr().out)
    assert len(rows) == 120
    statuses = {r.split()[-1] for r in rows}
    assert statuses == {"available", "retired", "unverified"}
    legacy = next(r for r in rows if r.startswith("meta-llama/llama-3.2-90b-vision"))
    assert legacy.split()[3:6] == ["?", "?", "?"]  # 2024 listing: unknown


def test_models_no_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--author", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "No free model matches these filters."


def test_models_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--json", "--author", "qwen"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in entries] == [m.id for m in list_free_models(author="qwen")]
    expected_keys = [f.name for f in fields(FreeModel)] + [
        "kind",
        "capabilities_known",
        "blocked_by_privacy",
    ]
    assert all(list(e) == expected_keys for e in entries)
    assert all(e["capabilities_known"] is True for e in entries)
    assert {e["kind"] for e in entries} == {"chat"}
    assert entries[0]["supported_parameters"] == sorted(
        entries[0]["supported_parameters"]
    )


def test_refresh_failure_exits_1_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        message = "[Errno -3] Temporary failure\nin name resolution"
        raise httpx.ConnectError(message)

    client = httpx.Client(transport=httpx.MockTransport(offline))
    status = main(
        ["models", "--refresh", "--cache-dir", str(tmp_path)], http_client=client
    )
    assert status == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(
        "openrouter-free: refresh failed: Could not reach OpenRouter"
    )


def test_refresh_http_error_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            502, json={"error": {"code": 502, "message": "Bad gateway"}}
        )

    client = httpx.Client(transport=httpx.MockTransport(down))
    assert (
        main(["models", "--refresh", "--cache-dir", str(tmp_path)], http_client=client)
        == 1
    )
    assert "Bad gateway" in capsys.readouterr().err


def test_refresh_live_marks_blocked(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    newest_listing: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models/user"):
            assert request.headers["authorization"] == f"Bearer {KEY}"
            return httpx.Response(200, json={"data": [{"id": "openrouter/free"}]})
        return httpx.Response(200, content=newest_listing)

    client = httpx.Client(transport=httpx.MockTransport(api))
    args = [
        "models",
        "--refresh",
        "--cache-dir",
        str(tmp_path),
        "--author",
        "openrouter",
    ]
    assert main(args, http_client=client) == 0
    out = capsys.readouterr().out
    rows = _table(out)
    assert rows[0].split()[0] == "openrouter/free"
    assert rows[0].endswith(" available")
    assert "live listing of" in out
    assert KEY not in out
    assert (
        main(
            ["models", "--refresh", "--cache-dir", str(tmp_path), "--json", "--tools"],
            http_client=client,
        )
        == 0
    )
    entries = json.loads(capsys.readouterr().out)
    blocked = {e["id"] for e in entries if e["blocked_by_privacy"]}
    assert "openrouter/free" not in blocked
    assert "qwen/qwen3-coder:free" in blocked
    assert (
        main(
            ["models", "--refresh", "--cache-dir", str(tmp_path), "--tools"],
            http_client=client,
        )
        == 0
    )
    assert "available (blocked)" in capsys.readouterr().out


def test_usage_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["models", "--min-context", "lots"]) == 2
    assert "'lots' is not a valid integer" in capsys.readouterr().err
    assert main(["--help"]) == 0


def test_module_entry_point_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    result = subprocess.run(
        [sys.executable, "-m", "langchain_openrouter_free.cli", "models"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == HEADER[:2]
    assert any(line.startswith("openrouter/free ") for line in lines)
    assert "30 models; bundled listing of 2026-02-19" in result.stdout


def test_console_script_entry_point_is_main() -> None:
    scripts = importlib.metadata.entry_points(group="console_scripts")
    (entry,) = [e for e in scripts if e.name == "openrouter-free"]
    # _console.main runs cli.main, or names the cli extra when click or rich is missing.
    assert entry.value == "langchain_openrouter_free._console:main"
    assert entry.load() is console.main


def _api(listing: bytes) -> httpx.Client:
    return httpx.Client(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=listing))
    )


def test_refresh_with_a_live_id_equal_to_a_seed_alias(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, newest_listing: bytes
) -> None:
    body = listing_with(newest_listing, "rekaai/flash-3:free")
    args = ["models", "--refresh", "--cache-dir", str(tmp_path)]
    with pytest.warns(RegistryWarning, match="now a model id of its own") as record:
        assert main(args, http_client=_api(body)) == 0
    assert len(record) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    ids = [r.split()[0] for r in _table(captured.out)]
    assert "rekaai/flash-3:free" in ids
    assert len(ids) == 31


def test_any_refresh_failure_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> FreeModelRegistry:
        msg = "alias 'x' -> 'y' is an id\nor names no model"
        raise ValueError(msg)

    monkeypatch.setattr(FreeModelRegistry, "refresh", broken)
    assert main(["models", "--refresh"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "openrouter-free: refresh failed: alias 'x' -> 'y' is an id or names no model\n"
    )


def test_refresh_ignores_a_binary_cache_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, newest_listing: bytes
) -> None:
    cache_file = cache_path(tmp_path, "https://openrouter.ai/api/v1")
    cache_file.write_bytes(b'{"format": 2, "data": [\xff\xfe\x00')
    args = ["models", "--refresh", "--cache-dir", str(tmp_path)]
    with pytest.warns(RegistryWarning, match="corrupt registry cache"):
        assert main(args, http_client=_api(newest_listing)) == 0
    assert "30 models; live listing of" in capsys.readouterr().out
    assert json.loads(cache_file.read_bytes())["format"] == 2


def test_json_prints_on_an_ascii_console(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, newest_listing: bytes
) -> None:
    description = "Mod\u00e8le \u00ab rapide \u00bb \u2014 \u6a21\u578b \U0001f680"
    body = listing_with(newest_listing, "acme/accents:free", description=description)
    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", console)
    args = ["models", "--refresh", "--json", "--author", "acme"]
    status = main([*args, "--cache-dir", str(tmp_path)], http_client=_api(body))
    console.flush()
    assert status == 0
    (entry,) = json.loads(raw.getvalue().decode("ascii"))
    assert entry["id"] == "acme/accents:free"
    assert entry["description"] == description
    assert entry["capabilities_known"] is True
