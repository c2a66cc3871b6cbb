"""Integration tests replay this project's cassettes; nothing touches the network.

Cassettes live in ``<repo>/cassettes/integration/<test module>/`` (gzipped
YAML). The ``vcr_config`` comes from the package's own pytest plugin
(``langchain_openrouter_free.testing.pytest_plugin``), exactly as users get it.
Re-record with ``python scripts/record_cassettes.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CASSETTE_ROOT = REPO_ROOT / "cassettes" / "integration"


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
