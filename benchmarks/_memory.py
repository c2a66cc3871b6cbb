"""Peak memory while streaming a large answer, and RSS over many calls."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchmarks import _contenders as c
from benchmarks import _report as r
from benchmarks._wire import Canned, completion, text_stream
from benchmarks._workloads import PROMPT

PIECE = "x" * 999 + " "


def _peak(run: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def stream_peak(answer_bytes: int) -> r.Section:
    pieces = answer_bytes // len(PIECE)
    size = pieces * len(PIECE)
    canned = Canned()
    canned.stream = text_stream(pieces, PIECE)
    target = c.Target(canned=canned)
    subjects, _ = c.build([c.RAW, c.CORE, c.OURS], target)
    subjects[c.CORE].model.pieces, subjects[c.CORE].model.piece = pieces, PIECE
    cases: dict[str, Callable[[], object]] = {
        f"{c.RAW} (events parsed, dropped)": lambda: subjects[c.RAW].stream(PROMPT),
        f"{c.CORE}: .stream()": lambda: subjects[c.CORE].stream(PROMPT),
        f"{c.OURS}: ._stream() (our own accumulation)": lambda: sum(
            1 for _ in subjects[c.OURS].model._stream(PROMPT)
        ),
        f"{c.OURS}: .stream()": lambda: subjects[c.OURS].stream(PROMPT),
    }
    section = r.Section(
        f"Peak traced memory while streaming a {size / 1e6:.1f} MB answer",
        ["path", "peak", "/ answer size"],
    )
    for name, run in cases.items():
        peak = _peak(run)
        section.rows.append([name, r.megabytes(peak), r.times(peak / size)])
    section.notes.append(
        "langchain-core's .stream() keeps every chunk to merge them at the end; "
        "that list is core's, measured by the no-I/O row."
    )
    return section


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def rss_growth(calls: int) -> r.Section:
    canned = Canned()
    canned.json = completion()
    subjects, _ = c.build([c.OURS], c.Target(canned=canned))
    ours = subjects[c.OURS]
    for _ in range(max(100, calls // 10)):
        ours.invoke(PROMPT)
    gc.collect()
    before = _rss()
    for _ in range(calls):
        ours.invoke(PROMPT)
    gc.collect()
    growth = _rss() - before
    return r.Section(
        f"RSS across {calls:,} sequential invokes (after a warm-up)",
        ["contender", "RSS before", "growth"],
        [[c.OURS, r.megabytes(before), r.megabytes(growth)]],
    )
