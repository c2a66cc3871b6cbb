"""Docs examples run against FakeOpenRouter over 127.0.0.1 and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._loopback import mark_loopback_only

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    mark_loopback_only(HERE, items)
