"""Sections of the report: a markdown table each, and optional plots."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._measure import Stat


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plot: Callable[[Any], None] | None = None
    """Draws the section on a matplotlib Axes (the figure is saved as a PNG)."""
    slug: str = ""

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        lines.append("| " + " | ".join(self.header) + " |")
        lines.append("|" + "---|" * len(self.header))
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        if self.plot is not None and self.slug:
            lines += ["", f"![{self.title}]({self.slug}.png)"]
        return "\n".join(lines) + "\n"


def seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def timed(stat: Stat) -> str:
    return f"{seconds(stat.median)} ±{stat.spread * 100:.0f}%"


def times(value: float) -> str:
    return f"{value:.2f}×"


def megabytes(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def write(sections: Sequence[Section], out: Path, heading: str) -> Path:
    """Write ``results.md`` and one PNG per plotted section into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    parts = [heading]
    for section in sections:
        if section.plot is not None and section.slug:
            _save_plot(section, out / f"{section.slug}.png")
        parts.append(section.markdown())
    path = out / "results.md"
    path.write_text("\n".join(parts))
    return path


def _save_plot(section: Section, path: Path) -> None:
    try:
        import matplotlib as mpl
    except ImportError:
        section.plot = None
        section.notes.append("(plot skipped: matplotlib is not installed)")
        return
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7.5, 3.8), dpi=100)
    assert section.plot is not None
    section.plot(axes)
    axes.set_title(section.title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def bars(
    labels: Sequence[str], values: Sequence[float], unit: str
) -> Callable[[Any], None]:
    def draw(axes: Any) -> None:
        axes.barh(list(labels), list(values), color="#4c72b0")
        axes.set_xlabel(unit)
        axes.invert_yaxis()
        axes.set_xscale("log")

    return draw
