"""``openrouter-free serve`` through the installed entry point, on loopback.

Each test starts the real console script in a subprocess, reads the exports it
prints, talks to it, then stops it with a signal and checks the clean exit.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.testing import FakeOpenRouter

FREE = "meta-llama/llama-3.3-70b-instruct:free"
_SCRIPT = shutil.which("openrouter-free", path=str(Path(sys.executable).parent))
_WAIT = 30.0


class Served:
    """A running ``openrouter-free serve`` and the lines it has printed."""

    def __init__(self, *args: str) -> None:
        assert _SCRIPT is not None, "the openrouter-free entry point is not installed"
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
        self.process = subprocess.Popen(  # noqa: S603
            [_SCRIPT, "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        assert self.process.stdout is not None
        self.reader = threading.Thread(
            target=self._read, args=(self.process.stdout,), daemon=True
        )
        self.reader.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))

    def until(self, text: str) -> list[str]:
        """Lines printed up to and including the first one containing ``text``."""
        while True:
            line = self.lines.get(timeout=_WAIT)
            self.printed.append(line)
            if text in line:
                return self.printed

    def exports(self) -> dict[str, str]:
        lines = self.until("Press Ctrl-C")
        pairs = [ln.strip().removeprefix("export ").split("=", 1) for ln in lines]
        return {p[0]: p[1] for p in pairs if len(p) == 2 and p[0].isupper()}

    def stop(self, sig: signal.Signals) -> tuple[int, str, str]:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=_WAIT)
        self.reader.join(_WAIT)
        assert self.process.stderr is not None
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return code, "\n".join(rest), self.process.stderr.read()


@pytest.fixture
def served() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=_WAIT)
        server.reader.join(_WAIT)
        for pipe in (server.process.stdout, server.process.stderr):
            if pipe is not None:
                pipe.close()


def test_serve_prints_the_exports_answers_and_stops_cleanly_on_ctrl_c(
    served: list[Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = Served("--port", "0")
    served.append(server)
    exports = server.exports()
    base_url = exports["OPENROUTER_BASE_URL"]
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/api/v1")
    assert set(exports) == {"OPENROUTER_BASE_URL", "OPENROUTER_API_KEY"}

    # The README example, configured only by the printed environment: the
    # model reads OPENROUTER_BASE_URL and needs no key for a local emulator.
    monkeypatch.setenv("OPENROUTER_BASE_URL", base_url)
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    model = ChatOpenRouterFree(model=FREE)
    assert model.base_url == base_url
    assert model.invoke("Name three French cheeses.").text

    code, rest, stderr = server.stop(signal.SIGINT)
    assert code == 0
    assert "Stopped." in rest
    assert "Traceback" not in stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/models", timeout=5)


def test_a_scenario_is_served_and_sigterm_stops_it(served: list[Served]) -> None:
    server = Served("--port", "0", "--scenario", "daily-cap")
    served.append(server)
    base_url = server.exports()["OPENROUTER_BASE_URL"]
    assert any("scenario: daily-cap" in line for line in server.printed)
    answer = httpx.post(
        f"{base_url}/chat/completions",
        json={"model": FREE, "messages": [{"role": "user", "content": "hi"}]},
        timeout=10,
    )
    assert answer.status_code == 429
    assert "free-models-per-day" in answer.text
    code, _, stderr = server.stop(signal.SIGTERM)
    assert code == 0
    assert "Traceback" not in stderr


def test_a_busy_port_is_a_one_line_error_that_says_what_to_do() -> None:
    assert _SCRIPT is not None
    with FakeOpenRouter() as busy:
        port = busy.port
        done = subprocess.run(  # noqa: S603
            [_SCRIPT, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=_WAIT,
            check=False,
        )
    assert done.returncode == 1
    assert f"port {port} is already in use" in done.stderr
    assert "--port 0" in done.stderr
    assert "Traceback" not in done.stderr


def test_each_scenario_sets_up_its_emulator() -> None:
    from langchain_openrouter_free.testing._fake_scenarios import (
        SCENARIOS,
        emulator_for,
    )

    assert emulator_for("default").lenient is False  # as strict as OpenRouter
    assert emulator_for("lenient").lenient is True
    assert emulator_for("require-key").require_key is True
    for name in SCENARIOS:
        with emulator_for(name) as fake, httpx.Client(base_url=fake.base_url) as http:
            assert http.get("/models").status_code == 200
