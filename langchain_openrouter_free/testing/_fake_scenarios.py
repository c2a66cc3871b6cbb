"""Named emulator set-ups, for ``openrouter-free serve --scenario NAME``.

Each scenario is the `FakeOpenRouter` options of one situation a program
talking to OpenRouter's free tier meets: plain answers, the free-tier limits
enforced, every request over the per-minute or the daily limit, a missing key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter_free.testing._fake_faults import Fault
from langchain_openrouter_free.testing._fake_limits import FreeTierLimits
from langchain_openrouter_free.testing._fake_server import FakeOpenRouter

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["SCENARIOS", "Scenario", "emulator_for"]


@dataclass(frozen=True)
class Scenario:
    """One named emulator set-up.

    Attributes:
        description: One line shown by ``openrouter-free serve --help``.
        options: Builds the `FakeOpenRouter` keyword arguments (fresh state
            per call).
    """

    description: str
    options: Callable[[], dict[str, Any]] = field(default=dict)


SCENARIOS: Final[Mapping[str, Scenario]] = {
    "default": Scenario("answers every request; free-tier limits counted only"),
    "free-tier": Scenario(
        "enforces the free tier: 20 requests a minute, 50 a day",
        lambda: {"free_tier": FreeTierLimits()},
    ),
    "per-minute-limit": Scenario(
        "every chat request gets the per-minute 429",
        lambda: {"responder": lambda _request: Fault.rate_limit_per_minute()},
    ),
    "daily-cap": Scenario(
        "every chat request gets the daily-cap 429",
        lambda: {"responder": lambda _request: Fault.daily_cap()},
    ),
    "lenient": Scenario(
        "serves any model as asked (no registry checks)",
        lambda: {"lenient": True},
    ),
    "require-key": Scenario(
        "answers 401, as OpenRouter does, to a request without a bearer key",
        lambda: {"require_key": True},
    ),
}
"""Every scenario by name."""


def emulator_for(name: str, *, port: int = 0) -> FakeOpenRouter:
    """A (not yet started) emulator set up as scenario ``name``.

    Args:
        name: A key of `SCENARIOS`.
        port: The TCP port to listen on (0: an ephemeral one).

    Returns:
        The emulator.

    Raises:
        KeyError: For an unknown name.
    """
    return FakeOpenRouter(port=port, **SCENARIOS[name].options())
