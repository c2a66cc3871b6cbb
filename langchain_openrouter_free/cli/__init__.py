"""``openrouter-free``: the package's command line (click, with rich for output).

Each subcommand lives in its own module and is registered on :data:`app` with
one line. The library itself never imports this package, so ``click`` and
``rich`` stay out of ``import langchain_openrouter_free``.

Example:
    ``openrouter-free models --tools`` or, from Python, ``main(["models"])``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_openrouter_free._console import CLI_EXTRA_MISSING
from langchain_openrouter_free._version import __version__

try:
    import click
    import rich  # noqa: F401 - checked here; the subcommands print with it
except ModuleNotFoundError as missing:  # the cli extra is not installed
    raise ModuleNotFoundError(CLI_EXTRA_MISSING, name=missing.name) from missing

from langchain_openrouter_free.cli._chat import chat
from langchain_openrouter_free.cli._common import CliState, run_app
from langchain_openrouter_free.cli._doctor import doctor, quota
from langchain_openrouter_free.cli._models import models
from langchain_openrouter_free.cli._serve import serve

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

__all__ = ["app", "main"]


@click.group(
    name="openrouter-free",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="\b\nExample:\n  openrouter-free models --tools\n"
    "  openrouter-free COMMAND --help",
)
@click.version_option(__version__, prog_name="openrouter-free")
def app() -> None:
    """OpenRouter's free models for LangChain, from the terminal."""


app.add_command(models)
app.add_command(chat)
app.add_command(serve)
app.add_command(doctor)
app.add_command(quota)


def main(
    argv: Sequence[str] | None = None, *, http_client: httpx.Client | None = None
) -> int:
    """Run ``openrouter-free`` and return its exit status (never raises SystemExit).

    Args:
        argv: Arguments without the program name; default ``sys.argv[1:]``.
        http_client: httpx client for commands that call OpenRouter (tests
            inject one).

    Returns:
        The exit status: 0 on success, 1 on a reported failure, 2 on a usage
        error.
    """
    return run_app(app, argv, CliState(http_client=http_client))
