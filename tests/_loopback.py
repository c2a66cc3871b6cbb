"""The marks of the test folders whose tests talk to 127.0.0.1 and nowhere else."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


def mark_loopback_only(folder: Path, items: list[pytest.Item]) -> None:
    """Mark the tests under ``folder`` as emulator tests allowed 127.0.0.1 only.

    Args:
        folder: The conftest's own folder.
        items: The collected tests (all folders').
    """
    for item in items:
        if folder in item.path.resolve().parents:
            item.add_marker(pytest.mark.allow_hosts(["127.0.0.1"]))
            item.add_marker(pytest.mark.emulator)
