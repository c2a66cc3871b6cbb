"""``openrouter-free doctor`` and ``quota`` through the real entry point.

Each test runs ``python -m langchain_openrouter_free.cli`` in a subprocess
with ``OPENROUTER_BASE_URL`` pointing at the emulator, and asserts the output
and exactly which requests reached the emulator (none of them a chat request).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from langchain_openrouter_free.testing import FakeOpenRouter, FreeTierLimits

KEY = "sk-or-v1-" + "d" * 64
CHAT_MODEL = "meta-llama/llama-3.3-70b-instruct:free"
RETIRED = "google/gemini-2.0-flash-exp:free"


def run_cli(
    *args: str, base_url: str | None, key: str | None = KEY
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"OPENROUTER_API_KEY", "OPENROUTER_BASE_URL"}
    }
    if base_url is not None:
        env["OPENROUTER_BASE_URL"] = base_url
    if key is not None:
        env["OPENROUTER_API_KEY"] = key
    return subprocess.run(  # noqa: S603 - our own argv
        [sys.executable, "-m", "langchain_openrouter_free.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def spend(fake: FakeOpenRouter, count: int) -> None:
    from langchain_openrouter_free import ChatOpenRouterFree

    model = ChatOpenRouterFree(base_url=fake.base_url, api_key=KEY, model=CHAT_MODEL)
    for n in range(count):
        model.invoke(f"q{n}")
    model.close()


def test_quota_prints_used_left_and_reset() -> None:
    with FakeOpenRouter(free_tier=FreeTierLimits(per_day=50)) as fake:
        spend(fake, 3)
        result = run_cli("quota", base_url=fake.base_url)
        key_reads = fake.count("/key")
    assert result.returncode == 0, result.stderr
    assert "Free requests today: 3 used of 50, 47 left; resets in " in result.stdout
    assert "00:00 UTC" in result.stdout
    assert key_reads == 1
    assert KEY not in result.stdout + result.stderr


def test_quota_json_for_scripts() -> None:
    with FakeOpenRouter(free_tier=FreeTierLimits(per_day=1000)) as fake:
        spend(fake, 2)
        result = run_cli("quota", "--json", base_url=fake.base_url)
        chats = fake.count("/chat/completions")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["daily_limit"], data["daily_used"], data["daily_remaining"]) == (
        1000,
        2,
        998,
    )
    assert 0 <= data["resets_in_seconds"] <= 86_400
    assert data["resets_at"].endswith("T00:00:00+00:00")
    assert chats == 2  # the two spent above; quota sent none


def test_doctor_reports_key_tier_quota_privacy_and_retired_ids(
    tmp_path: Path,
) -> None:
    code = tmp_path / "app.py"
    code.write_text(f'OLD = "{RETIRED}"\nNEW = "{CHAT_MODEL}"\n', encoding="utf-8")
    with FakeOpenRouter(
        free_tier=FreeTierLimits(per_day=50), privacy_hidden=[CHAT_MODEL]
    ) as fake:
        result = run_cli("doctor", str(tmp_path), base_url=fake.base_url)
        paths = sorted({r.path for r in fake.requests})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Key: valid" in out
    assert "Tier: 50 free requests a day (buy 10 credits once for 1000)" in out
    assert "Free requests today: 0 used of 50, 50 left" in out
    assert "Privacy: 1 of " in out
    assert CHAT_MODEL in out.split("Privacy:")[1].splitlines()[0]
    assert "https://openrouter.ai/settings/privacy" in out
    assert f"Code: {RETIRED} is retired ({code}:1)" in out
    assert f"Code: {CHAT_MODEL}" not in out
    assert paths == ["/api/v1/key", "/api/v1/models", "/api/v1/models/user"]
    assert KEY not in out + result.stderr


def test_doctor_without_privacy_blocks() -> None:
    with FakeOpenRouter() as fake:
        result = run_cli("doctor", base_url=fake.base_url)
    assert result.returncode == 0, result.stderr
    assert "free models are usable with this key" in result.stdout


def test_a_rejected_key_is_said_in_one_line() -> None:
    with FakeOpenRouter(require_key=True) as fake:
        result = run_cli("quota", base_url=fake.base_url, key=None)
    assert result.returncode == 1
    assert result.stderr.startswith("openrouter-free: OpenRouter rejected the key")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_key_is_explained_in_one_paragraph() -> None:
    for command in ("doctor", "quota"):
        result = run_cli(command, base_url=None, key=None)
        assert result.returncode == 1
        assert result.stdout == ""
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1
        assert f"{command} needs an OpenRouter API key" in message
        assert "https://openrouter.ai" in message
        assert "openrouter-free serve" in message
