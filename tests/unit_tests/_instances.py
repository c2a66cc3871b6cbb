"""Instances built from templates against validated ones (test helpers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.load import dumpd

from langchain_openrouter_free import _templates

if TYPE_CHECKING:
    from types import ModuleType

    import pytest
    from pydantic import BaseModel


def assert_same(built: BaseModel, validated: BaseModel) -> None:
    """Values and their types, fields set, extras, private state and dumps."""
    assert type(built) is type(validated)
    assert built == validated
    assert built.__dict__ == validated.__dict__
    for name, value in validated.__dict__.items():
        assert type(built.__dict__[name]) is type(value), name
    assert built.model_fields_set == validated.model_fields_set
    assert built.__pydantic_extra__ == validated.__pydantic_extra__
    assert built.__pydantic_private__ == validated.__pydantic_private__
    assert built.model_dump() == validated.model_dump()
    assert built.model_dump(exclude_unset=True) == validated.model_dump(
        exclude_unset=True
    )
    assert dumpd(built) == dumpd(validated)


def spoil_templates(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """Forget ``module``'s checked builders; templates then build wrong messages."""
    monkeypatch.setattr(module, "_BUILDERS", {})
    original = _templates.Template.build

    def wrong(self: Any, values: dict[str, Any]) -> Any:
        built = original(self, values)
        if "content" in values:
            built.__dict__["name"] = "not what validation gives"
        return built

    monkeypatch.setattr(_templates.Template, "build", wrong)
