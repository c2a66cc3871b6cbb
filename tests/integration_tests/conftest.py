"""Integration tests replay this project's cassettes; nothing touches the network.

Cassettes live in ``<repo>/cassettes/integration/<test module>/`` (gzipped
YAML). The project opts in to the package's cassette settings exactly as a
user does: ``vcr_config`` below returns the plugin's ``openrouter_vcr_config``
(``langchain_openrouter_free.testing.pytest_plugin``). Re-record with
``python scripts/record_cassettes.py``.

While recording against FakeOpenRouter (and only then), the standard suite's
asset downloads (``httpx.get`` of a public PNG, PDF and WAV inside
``langchain_tests.integration_tests.chat_models``) are sent to the emulator,
which serves generated stand-in assets at the same path; the cassettes record
those GETs under their real path, and replay (which matches on the path, not
the host) needs no patching.
"""

from __future__ import annotations

import os
import types
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from _integration import RECORD_BASE_URL_ENV
from langchain_tests.integration_tests import chat_models as standard_suite

REPO_ROOT = Path(__file__).resolve().parents[2]
CASSETTE_ROOT = REPO_ROOT / "cassettes" / "integration"
SUITE_USER_AGENT = "langchain-openrouter-free-tests/0.1 (offline cassettes)"
"""Sent with the suite's WAV download (langchain-tests warns without one)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "scripted: the reply (or fault) is scripted on FakeOpenRouter by "
        "scripts/record_cassettes.py; `--live` does not re-record it.",
    )


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``<repo>/cassettes/integration/<module name>``, not ``tests/...``."""
    return str(CASSETTE_ROOT / request.path.stem)


@pytest.fixture(scope="module")
def vcr_config(openrouter_vcr_config: dict[str, Any]) -> dict[str, Any]:
    """Opt in to the package's cassette settings, as users do."""
    return openrouter_vcr_config


def emulator_url(url: str, base_url: str) -> str:
    """``url`` with its scheme and host replaced by the emulator's.

    Args:
        url: A public download URL.
        base_url: FakeOpenRouter's ``base_url``.

    Returns:
        The same path and query on the emulator.
    """
    target = urlsplit(base_url)
    return urlunsplit(
        urlsplit(url)._replace(scheme=target.scheme, netloc=target.netloc)
    )


def _routed_httpx(base_url: str) -> types.ModuleType:
    """A stand-in for the ``httpx`` module whose ``get`` goes to the emulator."""
    routed = types.ModuleType("httpx_routed_to_fake_openrouter")
    routed.__dict__.update(vars(httpx))

    def get(url: str | httpx.URL, **kwargs: Any) -> httpx.Response:
        return httpx.get(emulator_url(str(url), base_url), **kwargs)

    routed.get = get  # type: ignore[attr-defined]
    return routed


@pytest.fixture(autouse=True)
def _suite_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name the suite's downloads; while recording, send them to the emulator."""
    monkeypatch.setenv("LANGCHAIN_TESTS_USER_AGENT", SUITE_USER_AGENT)
    base_url = os.environ.get(RECORD_BASE_URL_ENV)
    if not base_url:
        return  # replay: the cassette answers the public URL's path
    monkeypatch.setattr(standard_suite, "httpx", _routed_httpx(base_url))
