"""The names ChatOpenAI and the partner packages use, accepted as our fields.

Constructor (`accept_init_aliases`) and per-call options (`accept_call_aliases`)
take the same spellings:

- ``max_completion_tokens`` -> ``max_tokens``; ``stop_sequences`` -> ``stop``;
- ``reasoning_effort="low"`` -> ``reasoning={"effort": "low"}``;
- ``request_timeout`` -> ``timeout`` (a model setting, so not per call);
- ``stream_usage``: accepted and dropped (usage always comes);
- ``model_kwargs``: merged into ``extra_body``, with one `FutureWarning` that
  points to ``extra_body``.

A constructor name that is still unknown raises a ``ValueError`` suggesting
the nearest field (pydantic reports it as a ``ValidationError``). Pure.
"""

from __future__ import annotations

import difflib
import warnings
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from collections.abc import Set as AbstractSet

__all__ = [
    "FIELD_ALIASES",
    "SETTING_ALIASES",
    "accept_call_aliases",
    "accept_init_aliases",
    "nearest",
]

FIELD_ALIASES: Final[Mapping[str, str]] = {
    "max_completion_tokens": "max_tokens",
    "stop_sequences": "stop",
}
"""Request-field spellings of other packages -> ours (constructor and per call)."""

SETTING_ALIASES: Final[Mapping[str, str]] = {
    "request_timeout": "timeout",
    "model_kwargs": "extra_body",
}
"""Model-setting spellings of other packages -> ours (constructor only)."""

_DROPPED: Final = frozenset({"stream_usage"})
"""Accepted and ignored: OpenRouter always sends usage."""

ACCEPTED_NAMES: Final = frozenset(
    {*FIELD_ALIASES, *SETTING_ALIASES, *_DROPPED, "reasoning_effort"}
)
"""Every spelling handled here."""


def nearest(name: str, candidates: Iterable[str]) -> str:
    """A "did you mean ...?" hint for ``name``, or an empty string.

    Args:
        name: The unknown name.
        candidates: The names that would have been accepted.

    Returns:
        ``" Did you mean 'x'?"`` (up to three names), or ``""`` if none is close.
    """
    close = difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def accept_init_aliases(data: Any, *, known: AbstractSet[str]) -> Any:
    """Rewrite constructor arguments given in other packages' spellings.

    Args:
        data: The raw constructor input (a dict; anything else is returned as is).
        known: Every name the constructor accepts (fields and their aliases).

    Returns:
        The input with aliases replaced by our field names.

    Raises:
        ValueError: For a name neither known nor an alias (naming the nearest
            fields), or an alias given together with its field and a different
            value.
    """
    if not isinstance(data, dict) or data.keys() <= known:
        return data
    _refuse_unknown(data, known=known)
    out = dict(data)
    for name in _DROPPED:
        out.pop(name, None)
    model_kwargs = out.pop("model_kwargs", None)
    if model_kwargs is not None:
        warnings.warn(
            "model_kwargs is ChatOpenAI's name for extra request fields; it is "
            "merged into extra_body. Pass extra_body={...} instead.",
            FutureWarning,
            stacklevel=5,
        )
        out["extra_body"] = {**dict(model_kwargs), **(out.get("extra_body") or {})}
    _rename(out, {**FIELD_ALIASES, "request_timeout": "timeout"})
    return _reasoning_effort(out)


def accept_call_aliases(options: Mapping[str, Any]) -> dict[str, Any]:
    """Rewrite per-call options given in other packages' spellings.

    ``request_timeout`` and ``model_kwargs`` are model settings: they are left
    as they are, for the model-settings check to refuse.

    Args:
        options: The keyword arguments of ``invoke`` / ``stream`` / ``bind``.

    Returns:
        The options with aliases replaced by our field names.

    Raises:
        ValueError: For an alias given together with its field and a
            different value.
    """
    if not ACCEPTED_NAMES.intersection(options):
        return dict(options)
    out = {k: v for k, v in options.items() if k not in _DROPPED}
    _rename(out, FIELD_ALIASES)
    return _reasoning_effort(out)


def _refuse_unknown(data: Mapping[str, Any], *, known: AbstractSet[str]) -> None:
    accepted = {*known, *ACCEPTED_NAMES}
    unknown = sorted(name for name in data if name not in accepted)
    if not unknown:
        return
    name = unknown[0]
    msg = (
        f"ChatOpenRouterFree has no field {name!r}.{nearest(name, accepted)} "
        "Send a request field OpenRouter added recently in extra_body={...}."
    )
    raise ValueError(msg)


def _rename(out: dict[str, Any], aliases: Mapping[str, str]) -> None:
    for alias, field in aliases.items():
        if alias not in out:
            continue
        value = out.pop(alias)
        if field in out and out[field] is not None and out[field] != value:
            msg = (
                f"{alias}={value!r} and {field}={out[field]!r} disagree; "
                f"{alias} is another name for {field}: pass only {field}."
            )
            raise ValueError(msg)
        out[field] = value


def _reasoning_effort(out: dict[str, Any]) -> dict[str, Any]:
    if "reasoning_effort" not in out:
        return out
    effort = out.pop("reasoning_effort")
    if effort is None:
        return out
    reasoning = dict(out.get("reasoning") or {})
    if reasoning.get("effort", effort) != effort:
        msg = (
            f"reasoning_effort={effort!r} and reasoning={reasoning!r} disagree; "
            "pass only reasoning={'effort': ...}."
        )
        raise ValueError(msg)
    out["reasoning"] = {**reasoning, "effort": effort}
    return out
