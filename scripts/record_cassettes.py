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

Either way every cassette is scanned for key-like text afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from langchain_openrouter_free.testing import (
    FakeOpenRouter,
    FakeReply,
    FakeToolCall,
    Fault,
    RecordedRequest,
)
from langchain_openrouter_free.testing._fake_replies import (
    default_reply,
    message_text,
    schema_example,
)
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

_INTEGER = re.compile(r"(?<![\w.])-?\d+(?![\w.])")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")
_SCHEMA_MARK = "JSON schema:"


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


def _schema_in_prompt(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a ``json_mode`` system prompt carries, if any."""
    for message in payload.get("messages") or []:
        text = message_text(message) if isinstance(message, dict) else ""
        start = text.find("{", text.find(_SCHEMA_MARK)) if _SCHEMA_MARK in text else -1
        if start >= 0:
            schema, _ = json.JSONDecoder().raw_decode(text, start)
            return schema if isinstance(schema, dict) else None
    return None


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
        reply = default_reply(payload)
        if reply.tool_calls:
            calls = tuple(_fill_from_prompt(c, prompt) for c in reply.tool_calls)
            return replace(reply, tool_calls=calls)
        format_type = (payload.get("response_format") or {}).get("type")
        schema = _schema_in_prompt(payload) if format_type == "json_object" else None
        if schema is not None:
            document = schema_example(schema)
            reply = replace(reply, content=json.dumps(document, ensure_ascii=False))
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

    Returns:
        pytest's exit code, or 2 without ``OPENROUTER_API_KEY``.
    """
    if not os.environ.get("OPENROUTER_API_KEY"):
        print("--live needs OPENROUTER_API_KEY (and network)", file=sys.stderr)
        return _NOT_RUN
    env = {k: v for k, v in os.environ.items() if k not in _RECORDING_ENV}
    env[RECORD_RPS_ENV] = str(LIVE_REQUESTS_PER_SECOND)
    return _pytest(["--force-enable-socket", "-m", "not scripted", *extra], env)


_RECORDING_ENV = frozenset({RECORD_BASE_URL_ENV, RECORD_RPS_ENV})
_NOT_RUN = 2


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
    record = record_live if args.live else record_with_emulator
    code = record(pytest_args)
    if code == _NOT_RUN:
        return code
    try:
        assert_no_secrets([CASSETTE_DIR])
    except AssertionError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"cassettes in {CASSETTE_DIR.relative_to(REPO_ROOT)}: no key-like text")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
