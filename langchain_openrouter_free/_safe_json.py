"""JSON from the network, parsed so that no nesting depth can crash the caller.

`json.loads` recurses once per ``[`` or ``{``: 200,000 nested brackets raise
`RecursionError`, which no ``except ValueError`` catches, and even a depth
that parses can overflow the stack of whatever walks the result later. `loads`
measures the depth first and refuses anything deeper than `MAX_JSON_DEPTH`
with a `JSONTooDeepError`, a `ValueError`, so every caller's existing "not
JSON" branch handles it.

The depth check is linear and runs in C (a regex drops string literals, the
brackets left are summed with `itertools.accumulate`); it only runs at all
when the text holds more brackets than the limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import Any, Final

__all__ = [
    "JSON_OBJECT",
    "MAX_JSON_DEPTH",
    "JSONTooDeepError",
    "loads",
    "nesting_depth",
]

JSON_OBJECT: Final = (dict, Mapping)
"""For isinstance on parsed JSON: objects are dicts, checked before the slower ABC."""
MAX_JSON_DEPTH: Final = 128
"""Deepest nesting accepted. OpenRouter's bodies nest fewer than 10 levels."""

_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONTooDeepError(ValueError):
    """JSON nested deeper than the limit: refused before parsing."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text (brackets in strings ignored).

    Args:
        text: JSON text, well-formed or not.

    Returns:
        The maximum number of arrays and objects open at once.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def loads(text: str, *, max_depth: int = MAX_JSON_DEPTH, strict: bool = True) -> Any:
    """Parse JSON like `json.loads`, refusing nesting deeper than ``max_depth``.

    Args:
        text: The JSON text.
        max_depth: The deepest nesting accepted.
        strict: As for `json.loads` (False allows control characters in strings).

    Returns:
        The parsed value.

    Raises:
        JSONTooDeepError: The text nests deeper than ``max_depth``.
        ValueError: The text is not JSON (`json.JSONDecodeError`).
    """
    if text.count("[") + text.count("{") > max_depth:
        depth = nesting_depth(text)
        if depth > max_depth:
            msg = f"JSON nested {depth} levels deep; at most {max_depth} are read"
            raise JSONTooDeepError(msg)
    if strict:  # json.loads builds a new decoder whenever an option is passed
        return json.loads(text)
    return json.loads(text, strict=False)
