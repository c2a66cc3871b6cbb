"""Import time in a fresh interpreter, interleaved, against the floor import."""

from __future__ import annotations

import os
import random
import subprocess
import sys

from benchmarks import _report as r
from benchmarks._measure import Stat

FLOOR = "floor: BaseChatModel + httpx + httpx-sse + pydantic"
STATEMENTS = {
    FLOOR: "from langchain_core.language_models import BaseChatModel\n"
    "import httpx, httpx_sse, pydantic",
    "ChatOpenRouterFree": "import langchain_openrouter_free",
    "ChatOpenAI": "from langchain_openai import ChatOpenAI",
    "ChatOpenRouter": "from langchain_openrouter import ChatOpenRouter",
}
_TIMER = "import time\n_t = time.process_time()\n{}\nprint(time.process_time() - _t)"


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Bytecode is cached, as it is for an installed wheel (the first run writes it)."""


def _once(statement: str) -> float | None:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _TIMER.format(statement)],
        capture_output=True,
        text=True,
        check=False,
        env=_ENV,
    )
    return float(done.stdout) if done.returncode == 0 else None


def run(rounds: int) -> list[r.Section]:
    rng = random.Random(5)
    stats = {name: Stat() for name in STATEMENTS}
    missing = {name for name, code in STATEMENTS.items() if _once(code) is None}
    for _ in range(rounds):
        order = list(STATEMENTS)
        rng.shuffle(order)
        for name in order:
            if name in missing:
                continue
            took = _once(STATEMENTS[name])
            if took is None:
                missing.add(name)
            else:
                stats[name].samples.append(took)
    floor = stats[FLOOR]
    section = r.Section(
        "Import time (fresh interpreter, CPU seconds, bytecode cached)",
        ["import", "median", "/ floor"],
        slug="import",
    )
    for name, stat in stats.items():
        if name in missing:
            section.rows.append([name, "not installed", "-"])
        else:
            section.rows.append(
                [name, r.timed(stat), r.times(stat.median / floor.median)]
            )
    shown = {n: s.median * 1e3 for n, s in stats.items() if n not in missing}
    section.plot = r.bars(list(shown), list(shown.values()), "ms (log)")
    return [section]
