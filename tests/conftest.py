"""Shared test configuration: where ../shared lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder that CI places beside the checkout."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}; CI places it beside the repo")
    return SHARED
