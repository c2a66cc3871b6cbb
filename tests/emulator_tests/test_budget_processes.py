"""Two processes, one account: a shared SQLite file or Redis server is one budget.

The emulator runs 10 times faster than real time (a simulated minute lasts six
real seconds) and enforces OpenRouter's free tier. Each worker process
(``_budget_worker.py``) calls it through ``ChatOpenRouterFree`` with a
`FreeTierRateLimiter` on the shared store, whose window is the emulator's
minute. Together they must never put more than 20 requests in any simulated
minute (the emulator would answer 429, and the count would show the retry),
and after a daily-cap 429 in one, the other sends nothing.

Redis: the server named by ``OPENROUTER_FREE_REDIS_URL`` (``.ci/run`` starts
one), else a ``redis-server`` this module starts on a free loopback port. On a
machine without ``redis-server`` the Redis tests skip and say so, unless
``OPENROUTER_FREE_REQUIRE_REDIS=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_openrouter_free.testing import FakeOpenRouter, FreeTierLimits

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORKER = HERE / "_budget_worker.py"
TIME_SCALE = 10.0
WINDOW = 60.0 / TIME_SCALE  # real seconds per simulated minute
MARGIN = 3.0  # real seconds: scheduling jitter on a busy machine (with 2.0, one
# full run on a fresh clone sent 33 requests for the 32 calls)
REDIS_URL_ENV = "OPENROUTER_FREE_REDIS_URL"
REQUIRE_REDIS_ENV = "OPENROUTER_FREE_REQUIRE_REDIS"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_redis(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    msg = f"redis-server did not answer on 127.0.0.1:{port}"
    raise RuntimeError(msg)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[str]:
    """A Redis URL: the given server, or a fresh redis-server on loopback."""
    given = os.environ.get(REDIS_URL_ENV)
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        why = (
            "redis-server is not installed (apt-get install redis-server), and "
            f"{REDIS_URL_ENV} names no server: the Redis store is not tested"
        )
        if os.environ.get(REQUIRE_REDIS_ENV) == "1":
            pytest.fail(why)
        pytest.skip(why)
    port = _free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    server = subprocess.Popen(  # noqa: S603 - our own argv
        [*args, "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_redis(port, time.monotonic() + 10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/budget.db"
    base: str = request.getfixturevalue("redis_server")
    # A fresh namespace per test: the account key is the same in every test.
    import redis

    redis.Redis.from_url(base).flushdb()
    return base


def run_workers(
    base_url: str, store: str, calls: list[int], *, together: bool
) -> list[dict[str, Any]]:
    """Run one worker per entry of ``calls``, all at once or one after another."""

    def start(count: int) -> subprocess.Popen[str]:
        argv = [sys.executable, str(WORKER), base_url, store, str(count)]
        return subprocess.Popen(  # noqa: S603 - our own argv
            [*argv, str(WINDOW), str(MARGIN)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        return dict(json.loads(out.strip().splitlines()[-1]))

    if together:
        return [finish(p) for p in [start(n) for n in calls]]
    return [finish(start(n)) for n in calls]


def test_two_processes_never_exceed_twenty_a_minute(store_url: str) -> None:
    limits = FreeTierLimits(per_minute=20, per_day=1000)
    with FakeOpenRouter(free_tier=limits, time_scale=TIME_SCALE) as fake:
        reports = run_workers(fake.base_url, store_url, [16, 16], together=True)
        chat = fake.chat_requests
    assert [o for r in reports for o in r["outcomes"]] == [{"ok": True}] * 32
    # No 429 and no retry: exactly one request per call.
    assert len(chat) == 32
    assert max(r["attempts"] for r in reports) == 32
    arrivals = sorted(r.received_at for r in chat)
    for first, twenty_first in zip(arrivals, arrivals[20:], strict=False):
        simulated_gap = (twenty_first - first) * TIME_SCALE
        assert simulated_gap > 60.0


def test_after_a_daily_cap_the_other_process_sends_nothing(store_url: str) -> None:
    limits = FreeTierLimits(per_minute=20, per_day=3)
    with FakeOpenRouter(free_tier=limits, time_scale=TIME_SCALE) as fake:
        first, second = run_workers(fake.base_url, store_url, [5, 2], together=False)
        sent = fake.count("/chat/completions")
    cap = {"error": "FreeQuotaExhaustedError", "sent": True}
    refused = {"error": "FreeQuotaExhaustedError", "sent": False}
    assert first["outcomes"] == [{"ok": True}] * 3 + [cap, refused]
    assert second["outcomes"] == [refused, refused]
    # 3 answered + exactly one daily-cap 429; nothing after it from anyone.
    assert sent == 4
