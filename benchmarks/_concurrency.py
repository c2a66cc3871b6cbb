"""Many calls at once against the emulator: throughput, latency, what is left open.

Each contender runs in a fresh event loop with a fresh client: 200 concurrent
``ainvoke`` and 1,000 concurrent 100-chunk streams (ten of each with --smoke).
"Before" is ChatOpenRouterFree with the stream drain switched off, as the
client was before streams were read to their end.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage

from benchmarks import _contenders as c
from benchmarks import _report as r
from benchmarks._measure import FAILURES
from benchmarks._workloads import PROMPT

BEFORE = "ChatOpenRouterFree, no drain (before)"


def _fds() -> tuple[int, int]:
    """Open file descriptors of this process, and how many are sockets."""
    fds = sockets = 0
    for entry in Path("/proc/self/fd").iterdir():
        fds += 1
        with contextlib.suppress(OSError):
            sockets += str(entry.readlink()).startswith("socket:")
    return fds, sockets


@contextlib.contextmanager
def _no_drain() -> Iterator[None]:
    from langchain_openrouter_free import _pool

    async def skip(*_: Any) -> None:
        return None

    saved = _pool.adrain
    _pool.adrain = skip  # type: ignore[assignment]
    try:
        yield
    finally:
        _pool.adrain = saved


async def _run(
    make: Callable[[], c.Subject], count: int, stream: bool
) -> dict[str, float]:
    messages = [HumanMessage("Count. words:100")] if stream else PROMPT
    fds0, sockets0 = _fds()
    subject = make()
    try:
        call = subject.astream if stream else subject.ainvoke
        await call(messages)

        async def one() -> float:
            start = time.perf_counter()
            await call(messages)
            return time.perf_counter() - start

        cpu, wall = time.process_time(), time.perf_counter()
        latencies = sorted(await asyncio.gather(*(one() for _ in range(count))))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        tasks = len(asyncio.all_tasks()) - 1
    finally:
        await subject.aclose()
    await asyncio.sleep(0)
    fds, sockets = _fds()
    return {
        "per_s": count / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "cpu": cpu / count,
        "tasks": tasks,
        "fds": fds - fds0,
        "sockets": sockets - sockets0,
    }


def run(
    base_url: str, names: list[str], invokes: int, streams: int, rounds: int
) -> list[r.Section]:
    target = c.Target(base_url=base_url)
    sections = []
    for label, count, stream in (
        (f"{invokes} concurrent ainvoke", invokes, False),
        (f"{streams} concurrent 100-chunk streams", streams, True),
    ):
        runs: dict[str, list[dict[str, float]]] = {}
        variants: list[tuple[str, str]] = [(n, n) for n in names]
        if stream and c.OURS in names:
            variants.insert(names.index(c.OURS) + 1, (BEFORE, c.OURS))
        for _ in range(rounds):
            for shown, name in variants:
                make = lambda name=name: c.FACTORIES[name](target)  # noqa: E731
                guard = _no_drain() if shown == BEFORE else contextlib.nullcontext()
                try:
                    with guard:
                        result = asyncio.run(_run(make, count, stream))
                except Exception as exc:  # noqa: BLE001 - a contender that cannot answer
                    FAILURES[f"{shown}, {label}"] = (
                        f"{type(exc).__name__}: "
                        + (str(exc).splitlines() or [""])[0][:160]
                    )
                    continue
                runs.setdefault(shown, []).append(result)
        sections.append(_section(label, runs))
    return sections


def _section(label: str, runs: dict[str, list[dict[str, float]]]) -> r.Section:
    section = r.Section(
        f"{label} (emulator over loopback)",
        [
            "contender",
            "calls/s",
            "p50",
            "p99",
            "CPU per call",
            "tasks left",
            "fds left after aclose",
            "sockets left",
        ],
        slug="concurrency-" + label.rsplit(maxsplit=1)[-1],
    )
    medians = {
        name: {k: statistics.median(x[k] for x in results) for k in results[0]}
        for name, results in runs.items()
    }
    for name, m in medians.items():
        section.rows.append(
            [
                name,
                f"{m['per_s']:.0f}",
                r.seconds(m["p50"]),
                r.seconds(m["p99"]),
                r.seconds(m["cpu"]),
                f"{m['tasks']:.0f}",
                f"{m['fds']:.0f}",
                f"{m['sockets']:.0f}",
            ]
        )
    ours = medians.get(c.OURS)
    for other in (BEFORE, c.OPENAI, c.OPENROUTER):
        if ours and other in medians:
            section.notes.append(
                f"ChatOpenRouterFree: {ours['per_s'] / medians[other]['per_s']:.1f}× "
                f"the throughput of {other}."
            )
    section.plot = r.bars(
        list(medians), [m["per_s"] for m in medians.values()], "calls/s (log)"
    )
    return section
