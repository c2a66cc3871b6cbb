"""The fault suite: hostile loopback servers and bad inputs, sync and async.

Every test here may connect to 127.0.0.1 only. Each scenario a test checks is
counted; the run ends with ``N scenarios, N held``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._loopback import mark_loopback_only

HERE = Path(__file__).resolve().parent
_COUNTS = pytest.StashKey[dict[str, int]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_COUNTS] = {"scenarios": 0, "held": 0}


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    mark_loopback_only(HERE, items)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run each scenario through the sync API and through the async one."""
    return str(request.param)


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> ScenarioCounter:
    return ScenarioCounter(request.config.stash[_COUNTS])


class ScenarioCounter:
    """Counts scenarios as they start and as they hold."""

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts

    def start(self) -> None:
        self._counts["scenarios"] += 1

    def held(self) -> None:
        self._counts["held"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts = terminalreporter.config.stash.get(_COUNTS, None)
    if counts and counts["scenarios"]:
        terminalreporter.write_line(
            f"fault suite: {counts['scenarios']} scenarios, {counts['held']} held"
        )
