"""Re-record the project's own cassettes (``cassettes/integration/``).

Usage::

    python scripts/record_cassettes.py                 # everything, FakeOpenRouter
    python scripts/record_cassettes.py -k test_invoke  # a selection (pytest args)
    OPENROUTER_API_KEY=... python scripts/record_cassettes.py --live

Default: starts FakeOpenRouter on 127.0.0.1, points the tests at it
(``OPENROUTER_FREE_RECORD_BASE_URL``) and runs
``pytest tests/integration_tests --record-mode=rewrite`` with sockets limited
to loopback. The emulator answers like a capable model (`RecordingResponder`):
tool arguments taken from the prompt, JSON-mode answers that follow the schema
in the system prompt, reasoning when asked, and the faults scripted in
``tests/integration_tests/_integration.py`` (``SCRIPTED``).

``--live``: records against openrouter.ai instead (needs ``OPENROUTER_API_KEY``
and network), throttled to at most 20 requests a minute by an
``InMemoryRateLimiter`` that exists only while recording; tests marked
``scripted`` keep their emulator cassettes. A full run is about 90 requests,
more than the 50 free requests a day of an account that never bought credits:
record such an account in parts with ``-- -k ...``.

Either way every cassette is backed up first: ``--record-mode=rewrite``
deletes a test's cassette before the test runs, so a test that fails part-way
(a 429 during ``--live``, an interrupted run) would lose its committed
cassette. Afterwards the script reads pytest's JUnit report and puts back the
backed-up cassette of every test that failed or errored (and of any test that
left no cassette at all), removes the partial new cassette of a failed test
that had none before, and prints what it did. Without a report (pytest
crashed or was interrupted) every backed-up cassette is put back. Then every
cassette is scanned for key-like text and account ids.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_openrouter_free.testing import (
    FakeOpenRouter,
    FakeReply,
    FakeToolCall,
    Fault,
    RecordedRequest,
)
from langchain_openrouter_free.testing._fake_strict import strict_default_reply
from langchain_openrouter_free.testing.cassettes import assert_no_secrets

REPO_ROOT = Path(__file__).resolve().parent.parent
INTEGRATION_TESTS = REPO_ROOT / "tests" / "integration_tests"
CASSETTE_DIR = REPO_ROOT / "cassettes" / "integration"
LIVE_REQUESTS_PER_SECOND = 0.3
"""Below OpenRouter's free limit of 20 requests a minute."""

sys.path.insert(0, str(INTEGRATION_TESTS))
from _integration import (  # noqa: E402
    RECORD_BASE_URL_ENV,
    RECORD_RPS_ENV,
    SCRIPTED,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_CASSETTE_SUFFIX = ".yaml.gz"
_FORBIDDEN_IN_NAMES = r"<>?%*:|\"'/\\"
"""Characters pytest-recording replaces by ``-`` in a cassette's file name."""
_INTEGER = re.compile(r"(?<![\w.])-?\d+(?![\w.])")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")


def _fill_from_prompt(call: FakeToolCall, prompt: str) -> FakeToolCall:
    """Put the prompt's integers and quoted strings into the call, in order."""
    if isinstance(call.arguments, str):
        return call
    integers = iter(int(m) for m in _INTEGER.findall(prompt))
    strings = iter(a or b for a, b in _QUOTED.findall(prompt))
    arguments: dict[str, Any] = {}
    for name, value in call.arguments.items():
        if isinstance(value, bool):
            arguments[name] = value
        elif isinstance(value, int):
            arguments[name] = next(integers, value)
        elif isinstance(value, str):
            arguments[name] = next(strings, value)
        else:
            arguments[name] = value
    return replace(call, arguments=arguments)


def _wants_reasoning(payload: dict[str, Any]) -> bool:
    reasoning = payload.get("reasoning")
    if not isinstance(reasoning, dict):
        return False
    return reasoning.get("enabled", True) is not False and not reasoning.get("exclude")


class RecordingResponder:
    """FakeOpenRouter's answers while recording: a capable, predictable model."""

    def __init__(self) -> None:
        """Start with no scripted prompt seen."""
        self._seen: Counter[str] = Counter()

    def __call__(self, request: RecordedRequest) -> FakeReply | Fault:
        """Answer one chat request.

        Returns:
            The scripted answer for a ``SCRIPTED`` prompt (in order, the last
            one repeating), else the emulator's default reply improved as the
            module doc says.
        """
        prompt = request.last_user_text
        script = SCRIPTED.get(prompt)
        if script:
            index = min(self._seen[prompt], len(script) - 1)
            self._seen[prompt] += 1
            return script[index]
        payload = request.json if isinstance(request.json, dict) else {}
        reply = strict_default_reply(payload)  # JSON mode: the prompt's schema
        if reply.tool_calls:
            calls = tuple(_fill_from_prompt(c, prompt) for c in reply.tool_calls)
            return replace(reply, tool_calls=calls)
        if _wants_reasoning(payload):
            thought = f"The user asks: {prompt} I should answer briefly."
            reply = replace(reply, reasoning=thought)
        return reply


def _pytest(extra: list[str], env: dict[str, str]) -> int:
    """Run pytest on the integration tests (or the test paths in ``extra``)."""
    paths_given = any(not arg.startswith("-") and ".py" in arg for arg in extra)
    command = [
        sys.executable,
        "-m",
        "pytest",
        *([] if paths_given else [str(INTEGRATION_TESTS)]),
        "--record-mode=rewrite",
        # httpx clients of discarded models close late; only noise here.
        "-W",
        "ignore::pytest.PytestUnraisableExceptionWarning",
        *extra,
    ]
    print("$", " ".join(command))
    return subprocess.call(command, cwd=REPO_ROOT, env=env)


def record_with_emulator(extra: list[str]) -> int:
    """Record every integration test against a fresh FakeOpenRouter.

    Returns:
        pytest's exit code.
    """
    env = {k: v for k, v in os.environ.items() if k not in _RECORDING_ENV}
    env.pop("OPENROUTER_API_KEY", None)
    with FakeOpenRouter(responder=RecordingResponder()) as fake:
        env[RECORD_BASE_URL_ENV] = fake.base_url
        code = _pytest(["--allow-hosts=127.0.0.1", *extra], env)
        print(f"FakeOpenRouter answered {fake.count()} request(s)")
    return code


def record_live(extra: list[str]) -> int:
    """Record the unscripted tests against openrouter.ai, rate-limited.

    Needs ``OPENROUTER_API_KEY`` (`main` checks it first).

    Returns:
        pytest's exit code.
    """
    env = {k: v for k, v in os.environ.items() if k not in _RECORDING_ENV}
    env[RECORD_RPS_ENV] = str(LIVE_REQUESTS_PER_SECOND)
    return _pytest(["--force-enable-socket", "-m", "not scripted", *extra], env)


_RECORDING_ENV = frozenset({RECORD_BASE_URL_ENV, RECORD_RPS_ENV})
_USAGE_ERROR = 2


# ----------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestorePlan:
    """What to undo after a recording run (paths relative to the cassette dir).

    Attributes:
        restore: Backed-up cassettes to copy back over what the run left.
        remove: New cassettes of failed tests that had none before.
    """

    restore: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


def cassette_for_test(classname: str, name: str) -> str | None:
    """The cassette of a test, from its JUnit ``classname`` and ``name``.

    pytest-recording names it ``<Class>.<test>`` (or ``<test>``) with
    forbidden characters replaced by ``-``, in ``<module name>/`` (see
    ``tests/integration_tests/conftest.py``).

    Args:
        classname: E.g. ``tests.integration_tests.test_standard.TestX``.
        name: The test's name with its parameters, e.g. ``test_stream[x]``.

    Returns:
        ``<module>/<cassette>.yaml.gz``, or None when no test module is named.
    """
    parts = classname.split(".")
    modules = [i for i, part in enumerate(parts) if part.startswith("test_")]
    if not modules:
        return None
    index = modules[-1]
    owner = parts[index + 1] if index + 1 < len(parts) else None
    cassette = f"{owner}.{name}" if owner else name
    for character in _FORBIDDEN_IN_NAMES:
        cassette = cassette.replace(character, "-")
    return f"{parts[index]}/{cassette}{_CASSETTE_SUFFIX}"


def failed_cassettes(report: Path) -> set[str] | None:
    """The cassettes of the tests that failed or errored, from a JUnit report.

    Args:
        report: pytest's ``--junitxml`` file.

    Returns:
        Relative cassette paths, or None when there is no readable report.
    """
    try:
        root = ET.parse(report).getroot()  # noqa: S314 - our own pytest's report
    except (OSError, ET.ParseError):
        return None
    failed: set[str] = set()
    for case in root.iter("testcase"):
        if case.find("failure") is None and case.find("error") is None:
            continue
        path = cassette_for_test(case.get("classname", ""), case.get("name", ""))
        if path is not None:
            failed.add(path)
    return failed


def plan_restore(
    backed_up: set[str], present: set[str], failed: set[str] | None
) -> RestorePlan:
    """Decide which cassettes to put back after a recording run.

    Args:
        backed_up: Cassettes that existed before the run.
        present: Cassettes that exist after it.
        failed: Cassettes of the tests that failed or errored; None when
            unknown (no report), which puts every backed-up cassette back.

    Returns:
        The plan: a failed test's old cassette comes back (its partial new
        one goes, if it had no old one); a cassette the run deleted without
        recording a new one comes back; a passing test keeps its new one.
    """
    if failed is None:
        return RestorePlan(restore=tuple(sorted(backed_up)))
    restore = (failed & backed_up) | (backed_up - present)
    remove = (failed & present) - backed_up
    return RestorePlan(restore=tuple(sorted(restore)), remove=tuple(sorted(remove)))


def _cassettes(directory: Path) -> set[str]:
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob(f"*{_CASSETTE_SUFFIX}")
    }


def apply_restore(plan: RestorePlan, backup: Path, directory: Path) -> None:
    """Carry out a plan: copy cassettes back from ``backup``, delete others.

    Args:
        plan: What to restore and remove (relative paths).
        backup: The copy taken before the run.
        directory: The cassette directory.
    """
    for relative in plan.restore:
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(backup / relative, target)
    for relative in plan.remove:
        (directory / relative).unlink(missing_ok=True)


def _report_restore(plan: RestorePlan, failed: set[str] | None) -> None:
    if failed is None:
        print("no pytest report: every backed-up cassette was put back")
    for relative in plan.restore:
        print(f"restored {relative} (its test failed or recorded nothing)")
    for relative in plan.remove:
        print(f"removed {relative} (partial recording of a failed test)")
    if not plan.restore and not plan.remove:
        print("every test passed: all cassettes are the new recordings")


def record_safely(
    record: Callable[[list[str]], int],
    pytest_args: list[str],
    directory: Path = CASSETTE_DIR,
) -> int:
    """Run a recording with a backup of ``directory``; undo what failed.

    Args:
        record: `record_with_emulator` or `record_live`.
        pytest_args: Extra pytest arguments.
        directory: The cassette directory.

    Returns:
        The recording's exit code.
    """
    with tempfile.TemporaryDirectory(prefix="cassettes-") as scratch:
        backup = Path(scratch) / "backup"
        report = Path(scratch) / "report.xml"
        if directory.is_dir():
            shutil.copytree(directory, backup)
        else:
            backup.mkdir()
        backed_up = _cassettes(backup)
        code = record([*pytest_args, f"--junitxml={report}"])
        failed = failed_cassettes(report)
        plan = plan_restore(backed_up, _cassettes(directory), failed)
        apply_restore(plan, backup, directory)
        _report_restore(plan, failed)
    return code


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, record, then scan the cassettes.

    Returns:
        0 when recording passed and no cassette holds key-like text.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--live", action="store_true", help="record against openrouter.ai"
    )
    args, pytest_args = parser.parse_known_args(argv)
    if pytest_args[:1] == ["--"]:
        pytest_args = pytest_args[1:]
    if args.live and not os.environ.get("OPENROUTER_API_KEY"):
        print("--live needs OPENROUTER_API_KEY (and network)", file=sys.stderr)
        return _USAGE_ERROR
    record = record_live if args.live else record_with_emulator
    code = record_safely(record, pytest_args)
    try:
        assert_no_secrets([CASSETTE_DIR])
    except AssertionError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"cassettes in {CASSETTE_DIR.relative_to(REPO_ROOT)}: no key-like text")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
