"""``import langchain_openrouter_free`` loads only what constructing and calling needs.

The registry snapshot, the live-registry fetcher, structured output, the
step-down rewrites, the budget's buckets (pyrate-limiter and its SQLite and
Redis back ends), the testing kit, the CLI and their libraries (platformdirs,
yaml, vcrpy) are imported on first use (click and rich: test_cli_app.py).
Each check runs a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

LAZY = (
    "langchain_openrouter_free.registry",
    "langchain_openrouter_free._registry_model",
    "langchain_openrouter_free._registry_live",
    "langchain_openrouter_free._registry_fetch",
    "langchain_openrouter_free.data._free_models",
    "langchain_openrouter_free._structured",
    "langchain_openrouter_free.testing",
    "langchain_openrouter_free.cli",
    "langchain_openrouter_free._console",
    "langchain_openrouter_free._step_down",
    "langchain_openrouter_free._budget_store",
    "pyrate_limiter",
    "filelock",
    "redis",
    "langchain_openrouter_free.embeddings",
    "langchain_openrouter_free.rerank",
    "platformdirs",
    "yaml",
    "vcr",
    "pytest",
)


def _loaded_after(code: str) -> set[str]:
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_import_loads_none_of_the_lazy_modules() -> None:
    loaded = _loaded_after("import langchain_openrouter_free")
    assert "langchain_openrouter_free.chat_models" in loaded
    assert sorted(loaded.intersection(LAZY)) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            (
                "from langchain_openrouter_free import ChatOpenRouterFree\n"
                "ChatOpenRouterFree(api_key='sk-or-v1-x')"
            ),
            "langchain_openrouter_free.data._free_models",
        ),
        (
            "from langchain_openrouter_free import list_free_models\nlist_free_models()",
            "langchain_openrouter_free.registry",
        ),
        (
            (
                "from langchain_openrouter_free.rate_limiter import"
                " FreeTierRateLimiter\n"
                "FreeTierRateLimiter(api_key='sk-or-v1-x').acquire()"
            ),
            "pyrate_limiter",
        ),
    ],
    ids=["construct", "registry", "budget"],
)
def test_first_use_loads_what_it_needs(code: str, expected: str) -> None:
    assert expected in _loaded_after(code)
