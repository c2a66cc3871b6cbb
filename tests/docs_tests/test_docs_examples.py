"""Every python block in README.md and docs/ runs as written, against the emulator.

Each block is a complete program and runs in its own interpreter, as a reader
runs it: plain programs with ``OPENROUTER_BASE_URL`` pointing at a
FakeOpenRouter and a dummy key (what ``openrouter-free serve`` asks the reader
to export); pytest files under pytest, recorded from the emulator, then
replayed with the network off. A fresh interpreter per block also keeps the
examples' process-wide state (warn-once sets, the default registry) out of
this test run.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from langchain_openrouter_free import ChatOpenRouterFree
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
PROGRAMS = [e for e in EXAMPLES if e.skip_reason is None and not e.is_pytest_file]
TEST_FILES = [e for e in EXAMPLES if e.skip_reason is None and e.is_pytest_file]
NOT_RUN = [e for e in EXAMPLES if e.skip_reason is not None]


def _ids(examples: list[Example]) -> list[str]:
    return [e.name for e in examples]


@pytest.fixture(scope="module")
def emulator() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as fake:
        yield fake


@pytest.fixture(scope="module")
def recording_emulator() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(responder=RecordingResponder()) as fake:
        yield fake


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    """This environment without OPENROUTER_* and with its own cache folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    return env | {"XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture
def reader_env(emulator: FakeOpenRouter, offline_env: dict[str, str]) -> dict[str, str]:
    """The environment `openrouter-free serve` asks the reader to export."""
    emulator.reset()
    return offline_env | {
        "OPENROUTER_BASE_URL": emulator.base_url,
        "OPENROUTER_API_KEY": DUMMY_KEY,
    }


class Runner:
    """Runs ``python ARGV`` in a fresh process: forked from a preloaded zygote."""

    def __init__(self, log_dir: Path) -> None:
        """Start the zygote (where fork exists; else every run is a subprocess)."""
        self._log_dir = log_dir
        self._zygote: subprocess.Popen[str] | None = None
        if hasattr(os, "fork"):
            self._zygote = subprocess.Popen(
                [sys.executable, "-m", "tests.docs_tests._zygote"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )

    def run(self, args: list[str], cwd: Path, env: dict[str, str]) -> Completed:
        """Run and return the exit status and everything printed."""
        if self._zygote is None or self._zygote.stdin is None:
            result = subprocess.run(  # noqa: S603
                [sys.executable, *args],
                capture_output=True,
                text=True,
                timeout=600,
                cwd=cwd,
                env=env,
                check=False,
            )
            return Completed(result.returncode, result.stdout + result.stderr)
        log = cwd / "output.log"
        job = {"argv": args, "cwd": str(cwd), "env": env, "log": str(log)}
        self._zygote.stdin.write(json.dumps(job) + "\n")
        self._zygote.stdin.flush()
        assert self._zygote.stdout is not None
        reply = json.loads(self._zygote.stdout.readline())
        return Completed(reply["status"], log.read_text(encoding="utf-8"))

    def close(self) -> None:
        """Stop the zygote."""
        if self._zygote is not None and self._zygote.stdin is not None:
            self._zygote.stdin.close()
            self._zygote.wait(timeout=60)
            if self._zygote.stdout is not None:
                self._zygote.stdout.close()


@dataclass(frozen=True)
class Completed:
    """A finished run."""

    returncode: int
    output: str


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    started = Runner(tmp_path_factory.mktemp("runner"))
    yield started
    started.close()


def _succeeded(result: Completed) -> None:
    assert result.returncode == 0, result.output[-6000:]


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


def test_class_docstring_examples_run_in_order(
    runner: Runner, reader_env: dict[str, str], tmp_path: Path
) -> None:
    """The sections of ChatOpenRouterFree's docstring form one program."""
    blocks = fenced_python(inspect.cleandoc(ChatOpenRouterFree.__doc__ or ""))
    assert len(blocks) >= 7  # instantiate ... response metadata
    program = tmp_path / "docstring_example.py"
    program.write_text("\n".join(textwrap.dedent(c) for _, c in blocks), "utf-8")
    _succeeded(runner.run([program.name], tmp_path, reader_env))


@pytest.mark.parametrize("example", PROGRAMS, ids=_ids(PROGRAMS))
def test_program_runs(
    example: Example, runner: Runner, reader_env: dict[str, str], tmp_path: Path
) -> None:
    program = tmp_path / "example.py"
    program.write_text(example.code, encoding="utf-8")
    _succeeded(runner.run([program.name], tmp_path, reader_env))


@pytest.mark.parametrize("example", TEST_FILES, ids=_ids(TEST_FILES))
def test_pytest_file_passes(
    example: Example,
    runner: Runner,
    recording_emulator: FakeOpenRouter,
    offline_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """Run the file as a reader would: record (from the emulator), then replay.

    Recording uses the emulator that plays a capable model, as the project's
    own cassettes do (scripts/record_cassettes.py). A file that records
    cassettes is then run again with the network off, no base URL and no key.
    """
    (tmp_path / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    test_file = tmp_path / "test_docs_example.py"
    test_file.write_text(example.code, encoding="utf-8")
    online = offline_env | {
        "OPENROUTER_BASE_URL": recording_emulator.base_url,
        "OPENROUTER_API_KEY": DUMMY_KEY,
    }
    pytest_args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name]
    recorded = runner.run([*pytest_args, "--record-mode=once"], tmp_path, online)
    _succeeded(recorded)
    assert " passed" in recorded.output
    if "pytest.mark.vcr" in example.code:
        assert list(tmp_path.rglob("*.yaml.gz")), "no cassette was recorded"
        offline = ["--disable-socket", "--allow-unix-socket"]
        _succeeded(runner.run([*pytest_args, *offline], tmp_path, offline_env))
