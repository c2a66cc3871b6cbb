"""Fixtures shared by the unit tests: every behaviour runs sync and async."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run the test body once through the sync API and once through the async one."""
    return str(request.param)


@pytest.fixture(params=[False, True], ids=["invoke", "stream"])
def streamed(request: pytest.FixtureRequest) -> bool:
    """Run the test body once without streaming and once streaming."""
    return bool(request.param)
