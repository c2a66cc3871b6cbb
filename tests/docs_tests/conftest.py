"""Docs examples run against FakeOpenRouter over 127.0.0.1 and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.allow_hosts(["127.0.0.1"]))
            item.add_marker(pytest.mark.emulator)
