"""PURE: pydantic instances built from validated templates, not validated again.

Building a langchain-core object (``AIMessage``, ``ChatGeneration``, a stream
chunk) runs pydantic and langchain-core's validators every time: several µs
each, as much as the rest of langchain-core's per-call or per-chunk work.
Where the values are already what validation would make of them (a ``str``
text, an id, dicts and ints the parser built), the validators change nothing,
so a `Template` builds the instance as pydantic's ``model_construct`` does: a
new ``__dict__`` with the values a validated instance has, the same fields
set, the same extras. ``model_construct`` itself is slower than validation
here (it inspects every default factory's signature per call), hence
templates, taken from validated instances.

A template is used only after a check, once per process and per shape, that
what it builds equals what validation builds for a sample (`same_instance`):
every value and its type, the order of dict keys, the fields set, the extras
and the private state.
If a langchain-core or pydantic release makes them differ, the check fails
and the caller validates as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["Template", "same_instance"]

_new: Final = object.__new__
_set: Final = object.__setattr__


class Template:
    """The values of a validated instance; `build` makes more instances like it.

    Args:
        example: A validated instance.
        given: The fields every `build` call passes (not copied from ``example``).
    """

    __slots__ = ("_cls", "_extra", "_fields_set", "_fresh", "_values")

    def __init__(self, example: BaseModel, given: frozenset[str]) -> None:
        """Take the values of ``example``, all but the ``given`` ones."""
        self._cls = type(example)
        self._values = dict(example.__dict__)
        self._fields_set = frozenset(example.model_fields_set)
        self._extra = example.__pydantic_extra__ is not None
        # Mutable values: every instance gets its own (empty) list or dict.
        self._fresh = tuple(
            (name, type(value))
            for name, value in self._values.items()
            if type(value) in {list, dict} and name not in given
        )

    def build(self, values: dict[str, Any]) -> Any:
        """An instance: ``values`` for the given fields, the example's for the rest."""
        fields = {**self._values, **values}
        for name, kind in self._fresh:
            fields[name] = kind()
        instance = _new(self._cls)
        _set(instance, "__dict__", fields)
        _set(instance, "__pydantic_fields_set__", set(self._fields_set))
        _set(instance, "__pydantic_extra__", {} if self._extra else None)
        _set(instance, "__pydantic_private__", None)
        return instance


def same_instance(
    built: BaseModel, validated: BaseModel, *, given: frozenset[str]
) -> bool:
    """Whether two instances agree on everything pydantic keeps about them.

    Args:
        built: What a template built.
        validated: What validation built from the same values.
        given: The fields the caller passes; every other list or dict field
            must be empty (a template hands each instance a fresh empty one).

    Returns:
        True when the template may stand in for validation.
    """
    ours, theirs = built.__dict__, validated.__dict__
    return (
        type(built) is type(validated)
        and ours == theirs
        and repr(built) == repr(validated)  # dict keys in the same order too
        and all(type(ours[name]) is type(theirs[name]) for name in theirs)
        and built.model_fields_set == validated.model_fields_set
        and built.__pydantic_extra__ == validated.__pydantic_extra__
        and built.__pydantic_private__ == validated.__pydantic_private__
        and type(validated).__pydantic_post_init__ is None
        and not any(
            value
            for name, value in theirs.items()
            if type(value) in {list, dict} and name not in given
        )
    )
