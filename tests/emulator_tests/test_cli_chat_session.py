"""The interactive `openrouter-free chat` session, driven over a pseudo-terminal."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pexpect
import pytest

from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, Fault
from tests.unit_tests._cli_runner import cli_env, console_script

PROMPT = "you> "
GEMMA = "google/gemma-3-27b-it:free"
DIM = "\x1b[2m"
RESET = "\x1b[0m"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def session(fake: FakeOpenRouter) -> Iterator[pexpect.spawn]:
    env = cli_env(
        OPENROUTER_BASE_URL=fake.base_url,
        OPENROUTER_API_KEY="dummy-key",
        TERM="xterm",
        COLUMNS="200",
    )
    child = pexpect.spawn(
        console_script(), ["chat"], env=env, encoding="utf-8", timeout=60
    )
    child.expect_exact(PROMPT)
    yield child
    child.close(force=True)


def _ask(child: pexpect.spawn, text: str) -> str:
    """Send a line; return everything printed before the next prompt."""
    child.sendline(text)
    child.expect_exact(PROMPT)
    return str(child.before)


def _messages(fake: FakeOpenRouter, index: int) -> list[tuple[str, str]]:
    body = fake.chat_requests[index].json
    return [(m["role"], m["content"]) for m in body["messages"]]


def _wait_for_requests(fake: FakeOpenRouter, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(fake.chat_requests) < count:
        assert time.monotonic() < deadline, "the request never arrived"
        time.sleep(0.05)


def test_history_model_switch_and_reset(
    session: pexpect.spawn, fake: FakeOpenRouter
) -> None:
    fake.add_replies(
        FakeReply("Paris.", reasoning="The capital is", model=GEMMA),
        FakeReply("About two million."),
        FakeReply("Hello again."),
    )
    first = _ask(session, "Capital of France?")
    assert f"{DIM}The{RESET}{DIM} capital{RESET}" in first  # reasoning is dimmed
    assert "\nParis.\r\n" in first  # the answer is not
    assert ANSI.sub("", first).split("\r\n")[1:4] == ["The capital is", "", "Paris."]
    assert GEMMA in first  # the footer names the model that answered

    assert GEMMA not in _ask(session, "/model")  # still the free router
    switched = _ask(session, f"/model {GEMMA}")
    assert f"(now {GEMMA})" in switched
    assert "About two million." in _ask(session, "How many people live there?")
    assert fake.chat_requests[1].json["model"] == GEMMA
    assert _messages(fake, 1) == [
        ("user", "Capital of France?"),
        ("assistant", "Paris."),
        ("user", "How many people live there?"),
    ]

    assert "forgotten" in _ask(session, "/reset")
    assert "Hello again." in _ask(session, "Hi")
    assert _messages(fake, 2) == [("user", "Hi")]

    refused = ANSI.sub("", _ask(session, "/model nope/not-a-model"))
    assert "error: " in refused
    assert "nope/not-a-model" in refused
    assert GEMMA in _ask(session, "/model")  # unchanged
    session.sendline("/exit")
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 0


def test_ctrl_c_stops_the_answer_and_a_second_leaves(
    session: pexpect.spawn, fake: FakeOpenRouter
) -> None:
    fake.add_replies(
        Fault.slow_keepalives(count=100, interval=1.0, reply=FakeReply("Too late.")),
        FakeReply("Next answer."),
    )
    session.sendline("Take your time.")
    _wait_for_requests(fake, 1)
    session.sendintr()
    session.expect_exact("(answer stopped)")
    session.expect_exact(PROMPT)
    assert "Next answer." in _ask(session, "Quick one?")
    # the stopped turn left no trace in the history
    assert _messages(fake, 1) == [("user", "Quick one?")]
    assert "Too late." not in str(session.before)

    session.sendintr()
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 0
