"""The emulator in its own process, so its CPU is not billed to the client.

``python -m benchmarks._emulator`` prints the base URL and serves until its
standard input closes. A prompt ending in ``words:N`` gets an answer of N
words (N content chunks when streamed); other prompts a short answer.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply
from langchain_openrouter_free.testing._fake_replies import RecordedRequest

_WORDS = re.compile(r"words:(\d+)")


def _responder(request: RecordedRequest) -> FakeReply:
    messages = (request.json or {}).get("messages") or [{}]
    found = _WORDS.search(str(messages[-1].get("content", "")))
    if found is None:
        return FakeReply("Sunny, 21 degrees.", keepalives=0)
    return FakeReply("word " * int(found.group(1)), keepalives=0)


@contextmanager
def emulator() -> Iterator[str]:
    """Start the emulator process; yield its base URL; stop it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._emulator"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.close()
        process.stdout.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    with FakeOpenRouter(responder=_responder) as fake:
        print(fake.base_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
