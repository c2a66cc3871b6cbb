"""Interleaved timing and the statistics quoted: medians, spread, ratios.

Every sample is the mean time of a batch of calls sized to take about
``batch_seconds``; the cases of one workload run in a shuffled order in each
round, so machine load drifts over all of them alike.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Plan:
    rounds: int
    batch_seconds: float
    seed: int = 11
    clock: Callable[[], float] = time.perf_counter
    """Wall time by default; `time.thread_time` where all the work is in this
    thread (the mock transport), so other processes on the machine do not
    count."""


@dataclass
class Stat:
    """Samples of one quantity (seconds, bytes, ...), summarised robustly."""

    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        """Half the interquartile range, relative to the median (0.05 = ±5 %)."""
        if len(self.samples) < 4 or self.median == 0:
            lo, hi = min(self.samples), max(self.samples)
        else:
            q = statistics.quantiles(self.samples, n=4)
            lo, hi = q[0], q[2]
        return (hi - lo) / 2 / self.median if self.median else 0.0


def _batch_size(call: Callable[[], object], plan: Plan) -> int:
    start = plan.clock()
    call()
    once = max(plan.clock() - start, 1e-7)
    return max(1, min(10_000, int(plan.batch_seconds / once)))


FAILURES: dict[str, str] = {}
"""Cases that raised instead of answering (name -> error), left out of the tables."""


def interleaved(
    cases: Mapping[str, Callable[[], object]], plan: Plan
) -> dict[str, Stat]:
    """Time every case ``plan.rounds`` times, in a new random order each round.

    A case whose first call raises is left out and noted in `FAILURES`.
    """
    rng = random.Random(plan.seed)
    sizes = {}
    for name, call in cases.items():
        try:
            sizes[name] = _batch_size(call, plan)
        except Exception as exc:  # noqa: BLE001 - a contender that cannot answer
            FAILURES[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    cases = {name: cases[name] for name in sizes}
    stats = {name: Stat() for name in cases}
    for _ in range(plan.rounds):
        order = list(cases)
        rng.shuffle(order)
        for name in order:
            call, size = cases[name], sizes[name]
            gc.collect()
            start = plan.clock()
            for _ in range(size):
                call()
            stats[name].samples.append((plan.clock() - start) / size)
    return stats


def ratio(numerator: Stat, denominator: Stat) -> float:
    return numerator.median / denominator.median


def summed(*stats: Stat) -> Stat:
    """A sum of medians kept as one Stat (the limit: raw floor + core floor)."""
    return Stat([sum(s.median for s in stats)])


def slope(points: Mapping[int, Stat]) -> float:
    """Least-squares cost per unit through the medians (e.g. seconds per message)."""
    xs = list(points)
    ys = [points[x].median for x in xs]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mean_x) ** 2 for x in xs)
    return num / den
