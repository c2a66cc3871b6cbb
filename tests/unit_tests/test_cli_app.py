"""The `openrouter-free` group: version, help with examples, import isolation."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from langchain_openrouter_free import __version__
from langchain_openrouter_free.cli import app, main
from tests.unit_tests._cli_runner import run_console_script


def test_version_through_the_console_script() -> None:
    result = run_console_script("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"openrouter-free, version {__version__}"


def test_no_command_shows_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().err
    assert "Commands:" in out
    assert "models" in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["modles"]) == 2
    assert "No such command 'modles'" in capsys.readouterr().err


@pytest.mark.parametrize("command", sorted(app.commands))
def test_every_subcommand_has_help_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: openrouter-free {command} ")
    example = out[out.index("Example") :]
    assert f"openrouter-free {command}" in example


# httpx imports its own optional command line (click, rich, pygments) whenever
# both are installed; that import is httpx's, not ours, so it is blocked here to
# see what this package itself imports.
_IMPORT_EVERYTHING = """
import sys
sys.modules["httpx._main"] = None
import langchain_openrouter_free as lorf
from langchain_openrouter_free import ChatOpenRouterFree, list_free_models
ChatOpenRouterFree(model="openrouter/free", api_key="sk-or-v1-x")
list_free_models(tools=True)
import langchain_openrouter_free.errors
leaked = sorted(
    name for name, module in sys.modules.items()
    if module is not None and (
        name.split(".")[0] in {"click", "rich", "pygments"}
        or name.startswith("langchain_openrouter_free.cli")
    )
)
print(",".join(leaked) or "none")
"""


def _python(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter (this one) and capture its output."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _imported_toolkit(script: str) -> str:
    result = _python(script)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_library_never_imports_the_cli_toolkit() -> None:
    assert _imported_toolkit(textwrap.dedent(_IMPORT_EVERYTHING)) == "none"


def test_the_library_works_without_click_or_rich_installed() -> None:
    script = 'import sys\nsys.modules["click"] = sys.modules["rich"] = None\n'
    script += _IMPORT_EVERYTHING.replace('sys.modules["httpx._main"] = None', "")
    assert _imported_toolkit(script) == "none"


_CONSOLE_WITHOUT_EXTRA = """
import sys
sys.modules[{blocked!r}] = None
from langchain_openrouter_free._console import main
raise SystemExit(main())
"""


@pytest.mark.parametrize("blocked", ["click", "rich"])
def test_the_console_script_names_the_cli_extra_when_it_is_missing(
    blocked: str,
) -> None:
    result = _python(_CONSOLE_WITHOUT_EXTRA.format(blocked=blocked))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "openrouter-free: the command line needs click and rich, which this "
        'install lacks; install them with: pip install "langchain-openrouter-free[cli]"'
    )


@pytest.mark.parametrize("blocked", ["click", "rich"])
def test_importing_the_cli_without_the_extra_names_it(blocked: str) -> None:
    script = f"import sys\nsys.modules[{blocked!r}] = None\n"
    result = _python(script + "import langchain_openrouter_free.cli\n")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: openrouter-free: the command line")
    assert last.endswith('pip install "langchain-openrouter-free[cli]"')
