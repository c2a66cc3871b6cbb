"""Run the installed `openrouter-free` console script in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def console_script() -> str:
    """Path of the `openrouter-free` script installed beside this interpreter."""
    here = Path(sys.executable).parent
    found = shutil.which("openrouter-free", path=str(here))
    assert found, f"openrouter-free is not installed in {here}: pip install -e ."
    return found


def cli_env(**extra: str) -> dict[str, str]:
    """The current environment without OPENROUTER_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env.update(extra)
    return env


def run_console_script(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `openrouter-free ARGS` and capture its output (120 s at most)."""
    return subprocess.run(  # noqa: S603
        [console_script(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env() if env is None else env,
        input=stdin,
        check=False,
    )
