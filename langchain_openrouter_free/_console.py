"""The ``openrouter-free`` console script: the CLI, or how to install it.

The command line needs click and rich, which come with the ``cli`` extra
(``pip install "langchain-openrouter-free[cli]"``) so that a plain install of the
library does not carry them: with click installed, every ``import httpx`` also
imports httpx's own command line (click, rich, pygments). This module imports
neither; without them the script prints the command that installs them.
"""

from __future__ import annotations

import sys
from typing import Final

CLI_EXTRA_MISSING: Final = (
    "openrouter-free: the command line needs click and rich, which this install "
    'lacks; install them with: pip install "langchain-openrouter-free[cli]"'
)
"""What the script prints when the ``cli`` extra is not installed."""

_CLI_TOOLKIT: Final = frozenset({"click", "rich"})


def main() -> int:
    """Run ``openrouter-free`` (``langchain_openrouter_free.cli.main``).

    Returns:
        The command's exit status, or 1 after naming the missing ``cli`` extra.

    Raises:
        ModuleNotFoundError: A module other than click or rich is missing.
    """
    try:
        from langchain_openrouter_free.cli import main as run  # noqa: PLC0415
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] not in _CLI_TOOLKIT:
            raise
        print(CLI_EXTRA_MISSING, file=sys.stderr)  # noqa: T201
        return 1
    return run()
