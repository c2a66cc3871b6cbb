"""Every python block in README.md and docs/ runs as written, against the emulator.

Plain programs run as ``__main__`` with ``OPENROUTER_BASE_URL`` pointing at a
FakeOpenRouter and a dummy key, the way a reader runs them against
``openrouter-free serve``; pytest files run under pytest.
"""

from __future__ import annotations

import gc
import inspect
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_openrouter_free import ChatOpenRouterFree, set_default_registry
from langchain_openrouter_free.testing import FakeOpenRouter
from scripts.record_cassettes import RecordingResponder
from tests.docs_tests._markdown import (
    Example,
    all_examples,
    fenced_python,
    markdown_files,
)

EXAMPLES = all_examples()
DUMMY_KEY = "sk-or-v1-docs-examples-not-a-real-key"
PYTEST_INI = """[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""


def _ids(examples: list[Example]) -> list[str]:
    return [e.name for e in examples]


PROGRAMS = [e for e in EXAMPLES if e.skip_reason is None and not e.is_pytest_file]
TEST_FILES = [e for e in EXAMPLES if e.skip_reason is None and e.is_pytest_file]
NOT_RUN = [e for e in EXAMPLES if e.skip_reason is not None]


@pytest.fixture(scope="module")
def emulator() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as fake:
        yield fake


@pytest.fixture(scope="module")
def recording_emulator() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(responder=RecordingResponder()) as fake:
        yield fake


@pytest.fixture
def reader_env(
    emulator: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The environment `openrouter-free serve` asks the reader to export."""
    emulator.reset()
    env = {"OPENROUTER_BASE_URL": emulator.base_url, "OPENROUTER_API_KEY": DUMMY_KEY}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    yield env
    set_default_registry(None)


def test_the_docs_have_examples_of_every_kind() -> None:
    pages = {e.path for e in EXAMPLES}
    assert len(pages) >= 5
    assert PROGRAMS
    assert TEST_FILES
    assert all(path.exists() for path in markdown_files())


def test_a_block_left_out_says_why() -> None:
    for example in NOT_RUN:
        reason = example.skip_reason or ""
        assert len(reason.split()) >= 3, f"{example.name}: give the reason in words"


def test_class_docstring_examples_run_in_order(reader_env: dict[str, str]) -> None:
    """The sections of ChatOpenRouterFree's docstring form one program."""
    blocks = fenced_python(inspect.cleandoc(ChatOpenRouterFree.__doc__ or ""))
    assert len(blocks) >= 7  # instantiate ... response metadata
    program = "\n".join(textwrap.dedent(code) for _, code in blocks)
    _run_program(program, "ChatOpenRouterFree.__doc__")


@pytest.mark.parametrize("example", PROGRAMS, ids=_ids(PROGRAMS))
def test_program_runs(example: Example, reader_env: dict[str, str]) -> None:
    _run_program(example.code, example.name)


def _run_program(source: str, name: str) -> None:
    code = compile(source, name, "exec")
    namespace = {"__name__": "__main__", "__file__": name}
    exec(code, namespace)  # noqa: S102
    # A script's pools are closed by the interpreter's exit, which never comes
    # here: collect them now, quietly, so they are not blamed on the next test.
    namespace.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _pytest(
    test_file: Path, env: dict[str, str], *options: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return subprocess.run(  # noqa: S603
        [*command, *options, str(test_file)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=test_file.parent,
        env=env,
        check=False,
    )


def _passed(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("example", TEST_FILES, ids=_ids(TEST_FILES))
def test_pytest_file_passes(
    example: Example, recording_emulator: FakeOpenRouter, tmp_path: Path
) -> None:
    """Run the file as a reader would: record (from the emulator), then replay.

    Recording uses the emulator that plays a capable model, as the project's
    own cassettes do (scripts/record_cassettes.py). A file that records
    cassettes is then run again with the network off, no base URL and no key.
    """
    (tmp_path / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    test_file = tmp_path / "test_docs_example.py"
    test_file.write_text(example.code, encoding="utf-8")
    offline = {
        k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")
    } | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    online = offline | {
        "OPENROUTER_BASE_URL": recording_emulator.base_url,
        "OPENROUTER_API_KEY": DUMMY_KEY,
    }
    _passed(_pytest(test_file, online, "--record-mode=once"))
    if "pytest.mark.vcr" in example.code:
        assert list(tmp_path.rglob("*.yaml.gz")), "no cassette was recorded"
        _passed(_pytest(test_file, offline, "--disable-socket", "--allow-unix-socket"))
