"""Fenced ``python`` blocks of the README and docs/*.md, as runnable examples.

A block is a complete program. Three kinds:

- a plain program, run as ``__main__`` against the emulator;
- a pytest file (it defines ``test_`` functions or ``Test`` classes), run by
  pytest;
- a block whose first line is ``# Not run by the docs tests: <reason>``, kept
  out with its reason visible to the reader (e.g. it needs a real key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_RUN = "# Not run by the docs tests:"
_FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^\n`]*)$")
_TEST_FUNCTION = re.compile(r"^((async )?def test_|class Test)", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    """One fenced python block."""

    path: Path
    line: int
    code: str

    @property
    def name(self) -> str:
        """``docs/quickstart.md:12``: where the block starts."""
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"

    @property
    def skip_reason(self) -> str | None:
        """The reason given on a not-run block's first line, else None."""
        first = self.code.lstrip().partition("\n")[0]
        return (
            first.removeprefix(NOT_RUN).strip() if first.startswith(NOT_RUN) else None
        )

    @property
    def is_pytest_file(self) -> bool:
        """True when the block is a test module (defines test functions)."""
        return bool(_TEST_FUNCTION.search(self.code))


def markdown_files() -> list[Path]:
    """README.md and every page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def fenced_python(text: str) -> list[tuple[int, str]]:
    """``(first line number, code)`` of each fenced ``python`` block in ``text``."""
    blocks: list[tuple[int, str]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        index += 1
        if match is None:
            continue
        indent, start, body = len(match["indent"]), index, []
        while index < len(lines) and not _FENCE.match(lines[index]):
            body.append(lines[index][indent:])
            index += 1
        index += 1  # the closing fence
        if match["info"].strip().split(" ")[0] in {"python", "py"}:
            blocks.append((start, "\n".join(body) + "\n"))
    return blocks


def python_blocks(path: Path) -> list[Example]:
    """The fenced python blocks of one markdown file."""
    text = path.read_text(encoding="utf-8")
    return [Example(path, line, code) for line, code in fenced_python(text)]


def all_examples() -> list[Example]:
    """Every python block of the README and the docs, in file order."""
    return [example for path in markdown_files() for example in python_blocks(path)]
