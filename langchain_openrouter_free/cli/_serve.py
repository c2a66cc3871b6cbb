"""``openrouter-free serve``: a local OpenRouter (the emulator) in the foreground.

Runs `FakeOpenRouter` on 127.0.0.1 and prints the two environment variables
that point any program at it: ``ChatOpenRouterFree`` reads
``OPENROUTER_BASE_URL``; clients that insist on a key get a placeholder (the
emulator needs none unless the scenario asks for one). Ctrl-C (or SIGTERM)
stops it cleanly with exit status 0.
"""

from __future__ import annotations

import errno
import signal
import threading
from typing import TYPE_CHECKING, Any, Final

import click

from langchain_openrouter_free.cli._common import CommandFailed
from langchain_openrouter_free.testing._fake_scenarios import SCENARIOS, emulator_for

if TYPE_CHECKING:
    from langchain_openrouter_free.testing import FakeOpenRouter

__all__ = ["DEFAULT_PORT", "PLACEHOLDER_KEY", "serve"]

DEFAULT_PORT: Final = 8788
"""The port ``serve`` listens on unless ``--port`` says otherwise."""
PLACEHOLDER_KEY: Final = "sk-or-emulator-placeholder"
"""Printed for clients that refuse to start without a key; the emulator ignores it."""


def _scenario_help() -> str:
    return "; ".join(f"{name}: {s.description}" for name, s in SCENARIOS.items())


@click.command(
    epilog="\b\nExamples:\n"
    "  openrouter-free serve\n"
    "  openrouter-free serve --port 9000 --scenario free-tier\n"
    "  openrouter-free serve --port 0    # any free port",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="TCP port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--scenario",
    type=click.Choice(list(SCENARIOS)),
    default="default",
    show_default=True,
    help=_scenario_help(),
)
def serve(*, port: int, scenario: str) -> None:
    """Run a local OpenRouter (the emulator) until Ctrl-C; no key, no network.

    Prints the environment variables to export so that the README example, a
    notebook or another language's OpenRouter client talks to it.
    """
    emulator = emulator_for(scenario, port=port)
    try:
        emulator.start()
    except RuntimeError as exc:
        raise CommandFailed(_start_failure(exc, port)) from None
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _announce(emulator, scenario)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        emulator.stop()
    click.echo("Stopped.")


def _announce(emulator: FakeOpenRouter, scenario: str) -> None:
    lines = [
        f"FakeOpenRouter (scenario: {scenario}) on {emulator.base_url}",
        "Export these in another shell, then run your program (no key needed;",
        "the key below is a placeholder for clients that insist on one):",
        "",
        f"  export OPENROUTER_BASE_URL={emulator.base_url}",
        f"  export OPENROUTER_API_KEY={PLACEHOLDER_KEY}",
        "",
        "Press Ctrl-C to stop.",
    ]
    click.echo("\n".join(lines))


def _start_failure(exc: RuntimeError, port: int) -> str:
    cause: Any = exc.__cause__
    if isinstance(cause, OSError) and cause.errno == errno.EADDRINUSE:
        return (
            f"port {port} is already in use; pick another with --port N "
            "(--port 0 picks a free one)"
        )
    return f"{exc}; try another --port"
