"""Pure helpers for OpenRouter ``reasoning_details`` (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["merge_reasoning_details"]

_TEXT_KEYS = ("text", "summary", "data")


def merge_reasoning_details(
    details: Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Merge streamed ``reasoning_details`` fragments into whole entries.

    A streamed entry arrives in many fragments that share ``(type, index)``.
    Consecutive fragments with the same key are joined: their ``text``,
    ``summary`` and ``data`` strings are concatenated, and every other field
    keeps its last non-null value (``signature``, ``format``, ``id``). Entries
    that are already whole pass through unchanged and in order, so merging
    is idempotent. Replaying raw fragments makes providers reject the next
    turn ("Invalid signature"), which is why the merge exists.

    Args:
        details: Fragments or whole entries, in the order received.

    Returns:
        The merged entries, in order.
    """
    merged: list[dict[str, Any]] = []
    for fragment in details:
        if not isinstance(fragment, Mapping):
            continue
        key = (fragment.get("type"), fragment.get("index"))
        last = merged[-1] if merged else None
        if (
            last is not None
            and key[1] is not None
            and (last.get("type"), last.get("index")) == key
        ):
            _absorb(last, fragment)
        else:
            merged.append(dict(fragment))
    return merged


def _absorb(entry: dict[str, Any], fragment: Mapping[str, Any]) -> None:
    for name, value in fragment.items():
        if value is None:
            continue
        if name in _TEXT_KEYS and isinstance(value, str):
            previous = entry.get(name)
            entry[name] = (previous if isinstance(previous, str) else "") + value
        else:
            entry[name] = value
