"""Import time in a fresh interpreter, interleaved, against the floor import.

The same import costs CPython (3.11, 3.12) more or less CPU depending on how
deep the call stack is when it starts: frames live in 16 KiB chunks of a
per-thread stack, and a hot call that crosses a chunk's end maps and unmaps a
fresh chunk every time (tens of thousands of mmap/munmap pairs while pydantic
builds langsmith's and langchain-core's models). Where that edge falls moves
with the caller's depth, so one import measured at one depth is partly luck:
the floor statement alone costs up to 20 % more at some depths than at others,
and any package adds the depth of its own import machinery. Every statement is
therefore timed at the top level and at several caller depths (a chain of N
small frames), the same set for every contender, and the median is taken over
all of them.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap

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
TOP_LEVEL = -1
"""The statement as the interpreter's own top level (``python -c``) runs it."""
DEPTHS = (TOP_LEVEL, 0, 20, 40, 60, 80, 100, 120, 140, 160)
"""Caller depths, one per round in turn (a full run gives each two rounds).

A frame of the helper takes about 100 bytes, so 0 to 160 frames move the start
of the import across about one whole 16 KiB chunk of the frame stack."""

_TIMER = "import time\n_t = time.process_time()\n{}\nprint(time.process_time() - _t)"
_NESTED = """
def _at(depth):
    if depth:
        return _at(depth - 1)
{}
"""


def _program(statement: str, depth: int) -> str:
    if depth == TOP_LEVEL:
        return _TIMER.format(statement)
    body = _NESTED.format(textwrap.indent(statement, "    "))
    return _TIMER.format(f"{body}\n_at({depth})")


_NOTE = (
    "median over every caller depth (top level and 0 to 160 frames, the same"
    " for each import); the last column is the range of the medians at each"
    " depth (benchmarks/_imports.py says why)"
)

_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Bytecode is cached, as it is for an installed wheel (the first run writes it)."""


def _once(statement: str, depth: int = TOP_LEVEL) -> float | None:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _program(statement, depth)],
        capture_output=True,
        text=True,
        check=False,
        env=_ENV,
    )
    return float(done.stdout) if done.returncode == 0 else None


def _measure(rounds: int) -> tuple[dict[str, Stat], dict[str, dict[int, Stat]]]:
    rng = random.Random(5)
    stats = {name: Stat() for name in STATEMENTS}
    by_depth: dict[str, dict[int, Stat]] = {name: {} for name in STATEMENTS}
    missing = {name for name, code in STATEMENTS.items() if _once(code) is None}
    for number in range(rounds):
        depth = DEPTHS[number % len(DEPTHS)]
        order = [name for name in STATEMENTS if name not in missing]
        rng.shuffle(order)
        for name in order:
            took = _once(STATEMENTS[name], depth)
            if took is None:
                missing.add(name)
                continue
            stats[name].samples.append(took)
            by_depth[name].setdefault(depth, Stat()).samples.append(took)
    return {n: s for n, s in stats.items() if n not in missing}, by_depth


def run(rounds: int) -> list[r.Section]:
    stats, by_depth = _measure(rounds)
    section = r.Section(
        "Import time (fresh interpreter, CPU seconds, bytecode cached)",
        ["import", "median", "/ floor", "per-depth medians"],
        slug="import",
        notes=[_NOTE],
    )
    floor = stats.get(FLOOR)
    for name in STATEMENTS:
        if name not in stats:
            section.rows.append([name, "not installed", "-", "-"])
            continue
        medians = [s.median for s in by_depth[name].values()]
        ratio = r.times(stats[name].median / floor.median) if floor else "-"
        spread = f"{r.seconds(min(medians))} - {r.seconds(max(medians))}"
        section.rows.append([name, r.timed(stats[name]), ratio, spread])
    shown = {n: s.median * 1e3 for n, s in stats.items()}
    section.plot = r.bars(list(shown), list(shown.values()), "ms (log)")
    return [section]
