"""Cases and helpers shared by test_messages.py and test_messages_multimodal.py."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import BaseMessage

PNG_B64 = "iVBORw0KGgo="
PDF_B64 = "JVBERi0xLjQK"
CACHE = {"type": "ephemeral"}

Case = tuple[str, BaseMessage, dict[str, Any]]
ErrorCase = tuple[str, Any, type[Exception], str]


def _params(cases: list[Case]) -> Any:
    return pytest.mark.parametrize(
        ("message", "expected"),
        [pytest.param(message, expected, id=name) for name, message, expected in cases],
    )
