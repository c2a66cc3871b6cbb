"""The repository stands alone: nothing a test or script reads lives outside it.

`.ci/run` proves it end to end (a fresh clone with nothing beside it); these
checks fail fast, in the normal suite, when a path out of the checkout creeps back.
"""

from __future__ import annotations

import importlib.util
import re
import sys

from tests._repo_data import (
    CHAT_RECORDINGS,
    MODEL_LISTINGS,
    RECORDED_DIR,
    REPO_ROOT,
    SEED_FILE,
)

# "../shared", a `shared_dir` fixture, or climbing out of the checkout by path.
OUTSIDE = re.compile(r"\.\./shared|shared_dir|parent\s*/\s*\"shared\"|parents\[3\]")
CHECKED = ("tests", "scripts", "benchmarks", "langchain_openrouter_free", ".ci")


def _source_files() -> list[str]:
    return sorted(
        path.relative_to(REPO_ROOT).as_posix()
        for folder in CHECKED
        for path in (REPO_ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def test_no_code_reads_outside_the_checkout() -> None:
    offenders = []
    this_file = "tests/unit_tests/test_repo_stands_alone.py"
    for name in _source_files():
        path = REPO_ROOT / name
        if name == this_file:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [
            f"{name}:{n}: {line.strip()}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert offenders == [], "copy the data into the repo (see tests/_repo_data.py)"


def test_the_data_and_its_provenance_are_in_the_repo() -> None:
    assert SEED_FILE.is_file()
    assert (SEED_FILE.parent / "README.md").is_file()
    assert (RECORDED_DIR / "SOURCES.md").is_file()
    assert (MODEL_LISTINGS / "INDEX.md").is_file()
    listed = re.findall(
        r"`(\d{4}-\d{2}-\d{2}\.json)`", (MODEL_LISTINGS / "INDEX.md").read_text()
    )
    assert sorted(listed) == sorted(p.name for p in MODEL_LISTINGS.glob("*.json"))
    assert len(listed) == 8
    assert len(list(CHAT_RECORDINGS.glob("*.json"))) >= 400


def test_build_registry_defaults_point_into_the_repo() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_registry", REPO_ROOT / "scripts" / "build_registry.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses resolve their module
    spec.loader.exec_module(sys.modules[spec.name])
    module = sys.modules[spec.name]
    assert module.DEFAULT_LISTINGS == MODEL_LISTINGS
    assert module.DEFAULT_SEED == SEED_FILE
