"""What a run measures: its sections, sizes and contenders.

A section is a function of the `Config` returning report sections. To add
one (the free-tier goodput run, say), write ``benchmarks/_goodput.py`` with
``def run(config: Config) -> list[Section]`` and register it in `SECTIONS`
with one line; ``--only goodput`` then runs it alone.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks import _concurrency, _goodput, _imports, _memory, _workloads
from benchmarks import _contenders as c
from benchmarks._emulator import emulator
from benchmarks._measure import Plan
from benchmarks._report import Section
from benchmarks._wire import Canned


@dataclass
class Config:
    smoke: bool
    plan: Plan
    messages: list[int]
    tools: list[int]
    invokes: int
    streams: int
    concurrency_rounds: int
    import_rounds: int
    answer_bytes: int
    rss_calls: int
    chunks: int = 1000
    names: list[str] = field(default_factory=lambda: [*c.FLOORS, *c.CONTENDERS])
    missing: dict[str, str] = field(default_factory=dict)


def config(*, smoke: bool, skip: list[str]) -> Config:
    if smoke:
        made = Config(
            True,
            Plan(rounds=1, batch_seconds=0.001),
            [1, 10],
            [0, 10],
            10,
            10,
            1,
            1,
            200_000,
            100,
            chunks=100,
        )
    else:
        made = Config(
            False,
            Plan(rounds=15, batch_seconds=0.05),
            [1, 10, 100, 1000],
            [0, 10, 100],
            200,
            1000,
            1,
            20,  # each of the 10 caller depths of benchmarks/_imports.py twice
            10_000_000,
            10_000,
        )
    made.names = [n for n in made.names if n not in skip]
    return made


def _mock(cfg: Config) -> list[Section]:
    canned = Canned()
    subjects, cfg.missing = c.build(cfg.names, c.Target(canned=canned))
    # Everything runs in this thread: time its CPU, not the busy machine's wall.
    plan = dataclasses.replace(cfg.plan, clock=time.thread_time)
    sections, _ = _workloads.per_call(
        subjects, canned, plan, "mock transport", cfg.chunks
    )
    sizes = type("Sizes", (), {"messages": cfg.messages, "tools": cfg.tools})
    sections += _workloads.scaling(subjects, canned, plan, sizes)
    return sections


def _loopback(cfg: Config) -> list[Section]:
    with emulator() as base_url:
        subjects, _ = c.build(cfg.names, c.Target(base_url=base_url))
        sections, _ = _workloads.per_call(
            subjects, None, cfg.plan, "loopback emulator", cfg.chunks
        )
        for subject in subjects.values():
            for close in subject.closers:
                if getattr(close, "__name__", "") == "close":
                    close()
    return sections


def _concurrent(cfg: Config) -> list[Section]:
    names = [n for n in cfg.names if n != c.CORE]
    with emulator() as base_url:
        return _concurrency.run(
            base_url, names, cfg.invokes, cfg.streams, cfg.concurrency_rounds
        )


def _import(cfg: Config) -> list[Section]:
    return _imports.run(cfg.import_rounds)


def _memory_sections(cfg: Config) -> list[Section]:
    return [_memory.stream_peak(cfg.answer_bytes), _memory.rss_growth(cfg.rss_calls)]


SECTIONS: dict[str, Callable[[Config], list[Section]]] = {
    "mock": _mock,
    "loopback": _loopback,
    "concurrency": _concurrent,
    "import": _import,
    "memory": _memory_sections,
    "goodput": _goodput.run,
}
