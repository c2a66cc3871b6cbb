"""The benchmark runner's smoke run, so ``python -m benchmarks`` never rots.

Few iterations and no thresholds: this checks that every section runs and
reports every contender (or says why it could not), not how fast anything is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import _contenders as c
from benchmarks.__main__ import main
from benchmarks._concurrency import BEFORE
from benchmarks._measure import FAILURES


def test_smoke_run_writes_every_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--smoke", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    results = (tmp_path / "results.md").read_text()
    for title in (
        "Per call and per stream, mock transport",
        "Per call and per stream, loopback emulator",
        "Invoke cost against messages",
        "Invoke cost against bound tools",
        "concurrent ainvoke",
        "concurrent 100-chunk streams",
        "Import time (fresh",
        "Peak traced memory",
        "RSS across",
        "Free-tier goodput",
    ):
        assert title in results
    for name in (*c.FLOORS, *c.CONTENDERS):
        assert f"| {name} |" in results or f"{name}: not installed" in printed
    # Our own rows never fail: a failure there is the runner rotting.
    assert f"| {BEFORE} |" in results
    assert not [name for name in FAILURES if name.startswith(c.OURS)]
    assert {p.name for p in tmp_path.glob("*.png")} >= {
        "per-call-mock.png",
        "scaling-messages.png",
        "import.png",
    }
