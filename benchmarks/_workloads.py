"""Per-call and per-chunk workloads, and how cost grows with messages and tools."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from benchmarks import _contenders as c
from benchmarks import _report as r
from benchmarks._measure import Plan, Stat, interleaved, ratio, slope, summed
from benchmarks._wire import Canned, completion, text_stream, tool_stream

PROMPT: list[BaseMessage] = [HumanMessage("What's the weather in Paris?")]


def conversation(size: int) -> list[BaseMessage]:
    turns: list[BaseMessage] = []
    for i in range(size):
        turns.append(
            HumanMessage(f"Question {i}: what about city {i}?")
            if i % 2 == 0
            else AIMessage(f"Answer {i}: it is sunny in city {i}.")
        )
    if turns and not isinstance(turns[-1], HumanMessage):
        turns[-1] = HumanMessage("And now?")
    return turns


def tools(count: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": f"tool_{i}",
                "description": f"Tool number {i}",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "city": {"type": "string"},
                        "days": {"type": "integer"},
                    },
                    "required": ["city"],
                },
            },
        }
        for i in range(count)
    ]


def _stream_cases(
    subjects: Mapping[str, c.Subject], prompt: list[BaseMessage] = PROMPT
) -> dict[str, Callable[[], object]]:
    return {name: (lambda s=s: s.stream(prompt)) for name, s in subjects.items()}


def per_call(
    subjects: Mapping[str, c.Subject],
    canned: Canned | None,
    plan: Plan,
    label: str,
    chunks: int = 1000,
) -> tuple[list[r.Section], dict[str, dict[str, Stat]]]:
    """Invoke with a short answer, a ``chunks``-chunk stream, a streamed tool call."""
    results: dict[str, dict[str, Stat]] = {}
    if canned is not None:
        canned.json = completion()
    results["invoke"] = interleaved(
        {name: (lambda s=s: s.invoke(PROMPT)) for name, s in subjects.items()}, plan
    )
    if canned is not None:
        canned.stream = text_stream(chunks)
    stream_subjects = dict(subjects)
    if c.CORE in stream_subjects:
        stream_subjects[c.CORE].model.pieces = chunks
    prompt = PROMPT if canned is not None else [HumanMessage(f"Count. words:{chunks}")]
    results[f"{chunks}-chunk stream"] = interleaved(
        _stream_cases(stream_subjects, prompt), plan
    )
    if canned is not None:
        canned.stream = tool_stream()
        tool_subjects = {k: v for k, v in subjects.items() if k != c.CORE}
        results["streamed tool call"] = interleaved(_stream_cases(tool_subjects), plan)
    return [_per_call_section(results, label)], results


def _per_call_section(results: dict[str, dict[str, Stat]], label: str) -> r.Section:
    names = [c.RAW, c.CORE, c.LIMIT, *c.CONTENDERS]
    section = r.Section(
        f"Per call and per stream, {label}",
        [
            "workload",
            *names,
            "ours / limit",
            "ChatOpenAI / ours",
            "ChatOpenRouter / ours",
        ],
        slug=f"per-call-{label.split(maxsplit=1)[0].lower()}",
    )
    plotted: list[tuple[str, float]] = []
    for workload, measured in results.items():
        stats = dict(measured)
        if c.RAW in stats and c.CORE in stats:
            stats[c.LIMIT] = summed(stats[c.RAW], stats[c.CORE])
        row = [workload] + [r.timed(stats[n]) if n in stats else "-" for n in names]
        ours = stats.get(c.OURS)
        row.append(
            r.times(ratio(ours, stats[c.LIMIT])) if ours and c.LIMIT in stats else "-"
        )
        for other in (c.OPENAI, c.OPENROUTER):
            row.append(
                r.times(ratio(stats[other], ours)) if ours and other in stats else "-"
            )
        section.rows.append([cell.replace(" ±0%", "") for cell in row])
        plotted += [
            (f"{workload}: {n}", stats[n].median * 1e3) for n in names if n in stats
        ]
    section.plot = r.bars([p[0] for p in plotted], [p[1] for p in plotted], "ms (log)")
    return section


def scaling(
    subjects: Mapping[str, c.Subject], canned: Canned, plan: Plan, sizes: Any
) -> list[r.Section]:
    """Invoke cost against prompt length and bound tools; per-unit slopes."""
    canned.json = completion()
    sections = []
    for what, xs, make in (
        ("messages", sizes.messages, None),
        ("bound tools", sizes.tools, tools),
    ):
        curves: dict[str, dict[int, Stat]] = {}
        for x in xs:
            cases = {}
            for name, subject in subjects.items():
                if make is not None and name == c.CORE:
                    continue
                bound = subject.with_tools(make(x)) if make else subject
                prompt = PROMPT if make else conversation(x)
                cases[name] = lambda b=bound, p=prompt: b.invoke(p)
            for name, stat in interleaved(cases, plan).items():
                curves.setdefault(name, {})[x] = stat
        sections.append(_scaling_section(what, xs, curves))
    return sections


def _scaling_section(
    what: str, xs: list[int], curves: dict[str, dict[int, Stat]]
) -> r.Section:
    unit = what.rsplit(maxsplit=1)[-1]
    section = r.Section(
        f"Invoke cost against {what} (mock transport)",
        ["contender", *[f"{x} {what}" for x in xs], f"per {unit[:-1]}"],
        slug=f"scaling-{unit}",
    )
    for name, points in curves.items():
        section.rows.append(
            [name, *[r.timed(points[x]) for x in xs], r.seconds(slope(points))]
        )
    ours, openai = curves.get(c.OURS), curves.get(c.OPENAI)
    if ours and openai:
        section.notes.append(
            f"ChatOpenAI's cost per {unit[:-1]} is "
            f"{slope(openai) / slope(ours):.1f}× ours."
        )

    def draw(axes: Any) -> None:
        for name, points in curves.items():
            axes.plot(xs, [points[x].median * 1e3 for x in xs], marker="o", label=name)
        axes.set_xscale("symlog")
        axes.set_yscale("log")
        axes.set_xlabel(what)
        axes.set_ylabel("ms per invoke")
        axes.legend(fontsize=7)

    section.plot = draw
    return section
