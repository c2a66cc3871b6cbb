"""The complete retrieval example of docs/retrieval.md runs as written, offline.

Vector store filled with OpenRouterFreeEmbeddings, a ContextualCompressionRetriever
with OpenRouterFreeRerank, ChatOpenRouterFree answering with citations: all
against FakeOpenRouter on 127.0.0.1. The printed output must be the one the
page shows.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "retrieval.md"
_BLOCK = re.compile(r"^```(?P<info>\w*)\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(info: str) -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    return [m["code"] for m in _BLOCK.finditer(text) if m["info"] == info]


def test_the_complete_example_runs_and_prints_what_the_page_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [example] = [code for code in _blocks("python") if "InMemoryVectorStore" in code]
    [printed] = [code for code in _blocks("text") if "relevance" in code]
    script = tmp_path / "retrieval_example.py"
    script.write_text(example, encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out == printed
