"""``openrouter-free doctor`` and ``openrouter-free quota``: is this account ready?

``quota`` prints today's free-model allowance (``GET /key``; it costs no
request). ``doctor`` also checks the key, the tier, whether the account's
privacy settings hide free models (``/models/user`` against ``/models``) and
which free-model ids are retired, in the registry and in the files given.
Both read ``OPENROUTER_API_KEY`` and ``OPENROUTER_BASE_URL`` and show a spinner
while they wait; neither ever prints the key.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import click
from rich.console import Console

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._constants import DEFAULT_BASE_URL, OPENROUTER_HOST
from langchain_openrouter_free.cli._common import CliState, CommandFailed, one_line
from langchain_openrouter_free.errors import (
    OpenRouterAuthenticationError,
    OpenRouterError,
)
from langchain_openrouter_free.registry import FreeModelRegistry

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from langchain_openrouter_free.quota import Quota

__all__ = ["doctor", "quota"]

PRIVACY_URL: Final = "https://openrouter.ai/settings/privacy"
NO_KEY: Final = (
    "{command} needs an OpenRouter API key and OPENROUTER_API_KEY is not set. "
    "Free models cost nothing: sign in at https://openrouter.ai, create a key "
    "under Keys (no credits needed; free models allow 20 requests a minute and "
    "50 a day, 1000 once 10 credits were ever bought), then `export "
    "OPENROUTER_API_KEY=sk-or-v1-...`. To try the package without a key, run "
    "`openrouter-free serve` in another terminal and export the variables it "
    "prints: every command then talks to the local emulator."
)
_FREE_ID: Final = re.compile(r"""["']([a-z0-9][\w.-]*/[\w.:-]+:free)["']""")
_SCANNED_SUFFIXES: Final = frozenset({".py", ".ipynb", ".toml", ".yaml", ".yml"})
_MAX_FILES: Final = 5000


@dataclass(frozen=True)
class _Connection:
    """Where the commands talk to, and with which key (never shown)."""

    base_url: str
    api_key: str

    @classmethod
    def from_env(cls, command: str) -> _Connection:
        base_url = os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL
        api_key = os.environ.get("OPENROUTER_API_KEY", "").strip()
        if not api_key and urlsplit(base_url).hostname == OPENROUTER_HOST:
            raise CommandFailed(NO_KEY.format(command=command))
        return cls(base_url, api_key)

    def model(self, state: CliState) -> ChatOpenRouterFree:
        return ChatOpenRouterFree(
            base_url=self.base_url,
            api_key=self.api_key or None,
            http_client=state.http_client,
            requests_per_minute=None,
        )


def _read_quota(state: CliState, connection: _Connection, console: Console) -> Quota:
    with console.status("Reading the free-model quota (GET /key)..."):
        try:
            return connection.model(state).quota()
        except OpenRouterAuthenticationError:
            msg = (
                "OpenRouter rejected the key (401 to GET /key): the key in "
                "OPENROUTER_API_KEY is missing, wrong or disabled; check it at "
                "https://openrouter.ai/settings/keys"
            )
            raise CommandFailed(msg) from None
        except OpenRouterError as exc:
            msg = f"GET /key failed: {one_line(exc)}"
            raise CommandFailed(msg) from None


def _until(moment: datetime, now: datetime) -> str:
    minutes = max(0, int((moment - now).total_seconds() // 60))
    return f"{minutes // 60}h {minutes % 60:02d}m"


def _quota_lines(quota: Quota, now: datetime) -> list[str]:
    reset = (
        f"resets in {_until(quota.resets_at, now)} "
        f"({quota.resets_at:%Y-%m-%d %H:%M} UTC)"
    )
    if quota.daily_limit is None:
        return [f"Free requests today: not reported by OpenRouter; {reset}"]
    return [
        (
            f"Free requests today: {quota.daily_used} used of {quota.daily_limit}, "
            f"{quota.daily_remaining} left; {reset}"
        )
    ]


def _tier_line(quota: Quota) -> str:
    if quota.daily_limit is None:
        tier = "unknown (GET /key has no free_model_daily_requests)"
    elif quota.daily_limit >= 1000:  # noqa: PLR2004 - OpenRouter's credit tier
        tier = f"{quota.daily_limit} free requests a day (credits were bought)"
    else:
        tier = f"{quota.daily_limit} free requests a day (buy 10 credits once for 1000)"
    return f"Tier: {tier}; is_free_tier={quota.is_free_tier}"


@click.command(
    epilog="\b\nExamples:\n  openrouter-free quota\n  openrouter-free quota --json",
)
@click.option("--json", "as_json", is_flag=True, help="Print the quota as JSON.")
@click.pass_obj
def quota(state: CliState, *, as_json: bool) -> None:
    """Show today's free-model requests: used, left, and when they reset.

    Reads GET /key, which costs no request.
    """
    connection = _Connection.from_env("quota")
    console = Console(stderr=True, highlight=False)
    found = _read_quota(state, connection, console)
    now = datetime.now(tz=UTC)
    if as_json:
        payload: dict[str, Any] = {
            **found.as_dict(),
            "resets_in_seconds": max(0, int((found.resets_at - now).total_seconds())),
        }
        click.echo(json.dumps(payload, indent=2))
        return
    for line in _quota_lines(found, now):
        click.echo(line)


@click.command(
    epilog="\b\nExamples:\n  openrouter-free doctor\n  openrouter-free doctor src/",
)
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[PATH]..."
)
@click.pass_obj
def doctor(state: CliState, *, paths: tuple[Path, ...]) -> None:
    """Check the key, the tier, today's quota, privacy blocks and retired ids.

    Free-model ids quoted in the files under PATH (Python, notebooks, TOML,
    YAML) are checked against the live model list too. Costs no request.
    """
    connection = _Connection.from_env("doctor")
    console = Console(stderr=True, highlight=False)
    found = _read_quota(state, connection, console)
    now = datetime.now(tz=UTC)
    click.echo(f"Key: valid ({connection.base_url})")
    click.echo(_tier_line(found))
    for line in _quota_lines(found, now):
        click.echo(line)
    registry = _live_registry(state, connection, console)
    for line in _privacy_lines(registry):
        click.echo(line)
    for line in _retired_lines(registry, paths):
        click.echo(line)


def _live_registry(
    state: CliState, connection: _Connection, console: Console
) -> FreeModelRegistry:
    with (
        console.status("Comparing /models/user with /models..."),
        tempfile.TemporaryDirectory() as cache_dir,
    ):
        try:
            return FreeModelRegistry.refresh(
                base_url=connection.base_url,
                api_key=connection.api_key,
                http_client=state.http_client,
                cache_dir=cache_dir,
                force=True,
                strict=True,
            )
        except (OpenRouterError, ValueError) as exc:
            msg = f"reading the model lists failed: {one_line(exc)}"
            raise CommandFailed(msg) from None


def _privacy_lines(registry: FreeModelRegistry) -> list[str]:
    # Chat models only: /models/user lists chat models, so an embeddings or
    # rerank model missing from it says nothing about privacy settings.
    chat = [m for m in registry.models if m.kind == "chat"]
    available = [m.id for m in chat if m.status == "available"]
    blocked = sorted(registry.blocked_ids.intersection(available))
    if not blocked:
        return [f"Privacy: all {len(available)} free models are usable with this key"]
    return [
        (
            f"Privacy: {len(blocked)} of {len(available)} free models are hidden by "
            f"this account's privacy settings ({_some(blocked)}); allow the providers "
            f"that free models use at {PRIVACY_URL}"
        )
    ]


def _some(ids: list[str], shown: int = 5) -> str:
    """The first ``shown`` ids, comma-separated, with ``...`` when there are more."""
    return ", ".join(ids[:shown]) + (" ..." if len(ids) > shown else "")


def _retired_lines(registry: FreeModelRegistry, paths: tuple[Path, ...]) -> list[str]:
    retired = sorted(m.id for m in registry.models if m.status != "available")
    lines = [f"Registry: {len(retired)} free ids it knows are retired (not served)"]
    if retired:
        lines[0] += f" ({_some(retired)})"
    if not paths:
        return lines
    quoted = dict(_quoted_free_ids(paths))
    stale = {
        model_id: where
        for model_id, where in quoted.items()
        if (found := registry.find(model_id)) is None or found.status != "available"
    }
    if not stale:
        lines.append(f"Code: all {len(quoted)} free-model ids found are available")
    for model_id, where in sorted(stale.items()):
        found = registry.find(model_id)
        state = "unknown to OpenRouter" if found is None else found.status
        lines.append(f"Code: {model_id} is {state} ({where})")
    return lines


def _quoted_free_ids(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """``(id, "file:line")`` for each quoted ``:free`` id, first place first."""
    seen: set[str] = set()
    for path in _files(paths):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _FREE_ID.finditer(line):
                model_id = match.group(1)
                if model_id not in seen:
                    seen.add(model_id)
                    yield model_id, f"{path}:{number}"


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    count = 0
    for root in paths:
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            if path.is_file() and path.suffix in _SCANNED_SUFFIXES:
                count += 1
                if count > _MAX_FILES:
                    return
                yield path
