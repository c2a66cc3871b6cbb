"""What every subcommand shares: the state passed down, failures, the runner.

A subcommand reads :class:`CliState` with ``click.pass_obj`` and reports a
failure by raising :class:`CommandFailed` (one line on stderr, exit status 1);
it never prints a traceback and never prints the API key.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import click

from langchain_openrouter_free.errors import redact_secrets

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

__all__ = ["PROG", "CliState", "CommandFailed", "one_line", "run_app"]

PROG = "openrouter-free"
_INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C


@dataclass(frozen=True)
class CliState:
    """What :func:`langchain_openrouter_free.cli.main` hands to every subcommand.

    Attributes:
        http_client: httpx client to call OpenRouter with (tests inject one);
            None builds the usual one.
    """

    http_client: httpx.Client | None = None


class CommandFailed(click.ClickException):
    """A reported failure: ``openrouter-free: <message>`` on stderr, exit 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message as one line on stderr (or ``file``)."""
        click.echo(f"{PROG}: {self.format_message()}", file=file or sys.stderr)


def one_line(exc: BaseException) -> str:
    """Return an exception's text on one line, secrets removed.

    Args:
        exc: The exception to describe.

    Returns:
        Its message with whitespace runs collapsed, the ``OPENROUTER_API_KEY``
        value and anything that looks like an API key redacted; the class name
        when the message is empty.
    """
    known = (os.environ.get("OPENROUTER_API_KEY", "").strip(),)
    return " ".join(redact_secrets(str(exc), known).split()) or type(exc).__name__


def run_app(app: click.Group, argv: Sequence[str] | None, state: CliState) -> int:
    """Run a click group without letting it exit the interpreter.

    Args:
        app: The command group.
        argv: Arguments without the program name; None reads ``sys.argv``.
        state: Passed to every subcommand as ``ctx.obj``.

    Returns:
        The exit status: 0, 1 for a reported failure, 2 for a usage error,
        130 when interrupted.
    """
    try:
        status = app.main(
            args=None if argv is None else list(argv),
            prog_name=PROG,
            obj=state,
            standalone_mode=False,
        )
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return _INTERRUPTED
    except SystemExit as exc:  # shell completion exits on its own
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return status if isinstance(status, int) else 0
