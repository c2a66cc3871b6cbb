"""The free-model record, the parser of ``/api/v1/models`` entries, diff types.

Pure code: no I/O. ``registry.py`` re-exports the public types and functions
here (all but :func:`model_change`, a helper of ``FreeModelRegistry.diff``), and
``scripts/build_registry.py`` parses the recorded listings with
:func:`parse_listing_entry`, so the bundled snapshot and a live refresh read
the API the same way.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, TypeGuard

from langchain_openrouter_free._constants import FREE_ROUTER_ID

if TYPE_CHECKING:
    from langchain_core.language_models import ModelProfile

__all__ = [
    "FreeModel",
    "MalformedListingError",
    "ModelChange",
    "ModelKind",
    "ModelStatus",
    "RegistryDiff",
    "UnknownModelError",
    "model_change",
    "parse_listing_entry",
]

ModelStatus = Literal["available", "retired", "unverified"]
"""``available``: in the newest listing; ``retired``: only in older ones;
``unverified``: a seed-catalog id found in no listing."""

ModelKind = Literal[
    "chat", "embedding", "rerank", "image", "speech", "transcription", "video", "other"
]
"""What a model is for, read from its output modalities (see `FreeModel.kind`)."""

_MODALITY_ORDER: Final = ("text", "image", "file", "audio", "video")
_KIND_BY_OUTPUT: Final[tuple[tuple[str, ModelKind], ...]] = (
    ("embeddings", "embedding"),
    ("rerank", "rerank"),
    ("text", "chat"),
    ("image", "image"),
    ("speech", "speech"),
    ("audio", "speech"),
    ("transcription", "transcription"),
    ("video", "video"),
)
"""Output modality -> kind, first match wins: an ``embeddings`` model is an
embedding model whatever else it outputs; a model that writes text is a chat
model even when it also draws images."""
# Bookkeeping fields that differ between two registries without the model changing.
_DIFF_IGNORED: Final = frozenset({"first_seen", "last_seen", "aliases"})


class MalformedListingError(ValueError):
    """A listing, listing entry or cache file lacks a field or has a wrong type."""


@dataclass(frozen=True, slots=True)
class FreeModel:
    """One free OpenRouter model, as the newest listing that contains it says.

    Attributes:
        id: The model id to send, e.g. ``google/gemma-3-27b-it:free``.
        name: Display name, e.g. ``Google: Gemma 3 27B (free)``.
        author: The id's prefix before ``/``.
        context_length: Context window in tokens (prompt plus completion).
        max_output_tokens: ``top_provider.max_completion_tokens``, if published.
        description: OpenRouter's description.
        input_modalities: e.g. ``("text", "image")``; ``file`` means PDFs.
        output_modalities: e.g. ``("text",)``.
        supported_parameters: Request parameters the model accepts (sorted);
            empty when the listing did not publish them (before mid-2025).
        supports_tools: ``tools`` is supported. False also when unknown: see
            :attr:`capabilities_known`.
        supports_structured_output: ``structured_outputs`` (JSON schema) is supported.
        supports_reasoning: ``reasoning`` or ``include_reasoning`` is supported.
        created: Unix time the model was added, if known.
        expiration_date: ISO date after which the free variant may go away.
        first_seen: ISO date of the first listing that contained the model.
        last_seen: ISO date of the last listing that contained the model.
        status: ``available``, ``retired`` or ``unverified``.
        aliases: Other spellings (e.g. from the seed catalog) that resolve here.
    """

    id: str
    name: str
    author: str
    context_length: int
    max_output_tokens: int | None
    description: str
    input_modalities: tuple[str, ...]
    output_modalities: tuple[str, ...]
    supported_parameters: tuple[str, ...]
    supports_tools: bool
    supports_structured_output: bool
    supports_reasoning: bool
    created: int | None
    expiration_date: str | None
    first_seen: str | None
    last_seen: str | None
    status: ModelStatus
    aliases: tuple[str, ...] = ()

    @property
    def kind(self) -> ModelKind:
        """What the model is for, from ``output_modalities``.

        ``embedding`` (outputs ``embeddings``: ``POST /embeddings``),
        ``rerank`` (``POST /rerank``), ``chat`` (outputs text:
        ``POST /chat/completions``), else ``image``, ``speech``,
        ``transcription``, ``video`` or ``other``.
        """
        outputs = self.output_modalities
        return next((k for out, k in _KIND_BY_OUTPUT if out in outputs), "other")

    @property
    def capabilities_known(self) -> bool:
        """Whether the listing published ``supported_parameters``.

        When False, ``supports_tools``, ``supports_structured_output`` and
        ``supports_reasoning`` are False because nothing is known, not because
        the model lacks them; filters treat such a model as neither yes nor no.
        """
        return bool(self.supported_parameters)

    def to_profile(self) -> ModelProfile:
        """Build the langchain-core ``ModelProfile`` for this model.

        Capability flags (tools, structured output, reasoning, ``tool_choice``,
        ``temperature``) are only set when the listing published
        ``supported_parameters``; otherwise they are unknown and left out.

        Returns:
            A new profile dict (safe to mutate).
        """
        inputs, outputs = set(self.input_modalities), set(self.output_modalities)
        profile: ModelProfile = {
            "name": self.name,
            "max_input_tokens": self.context_length,
            "text_inputs": "text" in inputs,
            "image_inputs": "image" in inputs,
            "image_url_inputs": "image" in inputs,
            "pdf_inputs": "file" in inputs,
            "audio_inputs": "audio" in inputs,
            "video_inputs": "video" in inputs,
            "text_outputs": "text" in outputs,
            "image_outputs": "image" in outputs,
            "audio_outputs": "audio" in outputs,
            "video_outputs": "video" in outputs,
        }
        if self.max_output_tokens is not None:
            profile["max_output_tokens"] = self.max_output_tokens
        if self.created is not None:
            created = datetime.fromtimestamp(self.created, tz=UTC)
            profile["release_date"] = created.date().isoformat()
        if self.capabilities_known:
            params = set(self.supported_parameters)
            profile["tool_calling"] = self.supports_tools
            profile["tool_choice"] = "tool_choice" in params
            profile["structured_output"] = self.supports_structured_output
            profile["reasoning_output"] = self.supports_reasoning
            profile["temperature"] = "temperature" in params
        return profile

    def to_openrouter_dict(self) -> dict[str, Any]:
        """Render the model as a ``GET /api/v1/models`` entry.

        :func:`parse_listing_entry` reads it back to an equal model (apart from
        ``first_seen``, ``last_seen``, ``status`` and ``aliases``).

        Returns:
            A JSON-serialisable dict in the API's field order.
        """
        inputs, outputs = (
            "+".join(self.input_modalities),
            "+".join(self.output_modalities),
        )
        return {
            "id": self.id,
            "canonical_slug": self.id.removesuffix(":free"),
            "name": self.name,
            "created": self.created,
            "description": self.description,
            "context_length": self.context_length,
            "architecture": {
                "modality": f"{inputs}->{outputs}",
                "input_modalities": builtins.list(self.input_modalities),
                "output_modalities": builtins.list(self.output_modalities),
                "tokenizer": "Router" if self.id == FREE_ROUTER_ID else "Other",
                "instruct_type": None,
            },
            "pricing": {"prompt": "0", "completion": "0"},
            "top_provider": {
                "context_length": self.context_length,
                "max_completion_tokens": self.max_output_tokens,
                "is_moderated": False,
            },
            "per_request_limits": None,
            "supported_parameters": builtins.list(self.supported_parameters),
            "default_parameters": {},
            "expiration_date": self.expiration_date,
            "links": {
                "details": f"/api/v1/models/{self.id.removesuffix(':free')}/endpoints"
            },
        }

    def to_dict(self) -> dict[str, Any]:
        """Return every field as JSON-friendly data (tuples become lists).

        Returns:
            A new dict keyed by field name.
        """
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            data[f.name] = builtins.list(value) if isinstance(value, tuple) else value
        return data


class UnknownModelError(KeyError):
    """No free model is known by this id or alias (a ``KeyError``).

    Attributes:
        model_id: The id that was looked up.
        suggestions: The closest known real ids, best first.
    """

    def __init__(
        self, model_id: str, suggestions: tuple[str, ...], *, advice: str = ""
    ) -> None:
        """Build the error; the message names the suggestions, then ``advice``."""
        hint = (
            "did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
            if suggestions
            else "run `openrouter-free models --all` to list them."
        )
        message = f"Unknown free model {model_id!r}; {hint}"
        super().__init__(f"{message} {advice}" if advice else message)
        self.model_id = model_id
        self.suggestions = suggestions

    def __str__(self) -> str:
        """Return the message without the quotes ``KeyError`` adds."""
        return str(self.args[0])


# ------------------------------------------------------------------------------ diff


@dataclass(frozen=True, slots=True)
class ModelChange:
    """A model present on both sides of a diff whose facts differ.

    Attributes:
        id: The model id.
        fields: Names of the fields that differ.
        old: The model in the registry ``diff`` was called on.
        new: The model in the other registry.
    """

    id: str
    fields: tuple[str, ...]
    old: FreeModel
    new: FreeModel


@dataclass(frozen=True, slots=True)
class RegistryDiff:
    """What changed between two registries (``old.diff(new)``).

    Attributes:
        added: Ids only in the new registry (sorted).
        removed: Ids only in the old registry (sorted).
        changed: Models in both whose facts differ (sorted by id).
    """

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ModelChange, ...]

    def __bool__(self) -> bool:
        """Return True when anything changed."""
        return bool(self.added or self.removed or self.changed)


def model_change(old: FreeModel, new: FreeModel) -> ModelChange | None:
    """Compare two versions of one model, ignoring bookkeeping fields.

    Args:
        old: The older version.
        new: The newer version.

    Returns:
        The change, or None when every compared field is equal.
    """
    differing = tuple(
        f.name
        for f in fields(FreeModel)
        if f.name not in _DIFF_IGNORED and getattr(old, f.name) != getattr(new, f.name)
    )
    return ModelChange(old.id, differing, old, new) if differing else None


# --------------------------------------------------------------------------- parsing


def parse_listing_entry(
    entry: Mapping[str, Any],
    *,
    seen: str | None,
    status: ModelStatus = "available",
    aliases: tuple[str, ...] = (),
) -> FreeModel:
    """Turn one ``/api/v1/models`` entry into a :class:`FreeModel`.

    Used both for live listings and by ``scripts/build_registry.py``, so the
    bundled snapshot and a refresh read the API the same way.

    Args:
        entry: One element of the listing's ``data`` array.
        seen: ISO date of the listing, stored as ``first_seen`` / ``last_seen``.
        status: Status to record.
        aliases: Aliases to record.

    Returns:
        The model.

    Raises:
        MalformedListingError: A required field (``id``, ``context_length``) is
            missing, or a field has the wrong type (a ``ValueError``).
    """
    if not isinstance(entry, Mapping):
        msg = f"entry is {type(entry).__name__}, not an object"
        raise MalformedListingError(msg)
    model_id = entry.get("id")
    if not isinstance(model_id, str) or "/" not in model_id:
        msg = f"missing or malformed 'id': {model_id!r}"
        raise MalformedListingError(msg)
    context_length = entry.get("context_length")
    if not _is_int(context_length) or context_length <= 0:
        msg = f"missing or malformed 'context_length': {context_length!r}"
        raise MalformedListingError(msg)
    inputs, outputs = _modalities(entry.get("architecture"))
    top_provider = entry.get("top_provider")
    if top_provider is not None and not isinstance(top_provider, Mapping):
        msg = "malformed 'top_provider'"
        raise MalformedListingError(msg)
    params = tuple(
        sorted(
            set(_str_tuple(entry.get("supported_parameters"), "supported_parameters"))
        )
    )
    return FreeModel(
        id=model_id,
        name=_opt_str(entry, "name") or model_id,
        author=model_id.split("/", 1)[0],
        context_length=context_length,
        max_output_tokens=_opt_int(
            (top_provider or {}).get("max_completion_tokens"), "max_completion_tokens"
        ),
        description=_opt_str(entry, "description") or "",
        input_modalities=inputs,
        output_modalities=outputs,
        supported_parameters=params,
        supports_tools="tools" in params,
        supports_structured_output="structured_outputs" in params,
        supports_reasoning="reasoning" in params or "include_reasoning" in params,
        created=_opt_int(entry.get("created"), "created"),
        expiration_date=_opt_str(entry, "expiration_date"),
        first_seen=seen,
        last_seen=seen,
        status=status,
        aliases=aliases,
    )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_int(value: Any, name: str) -> int | None:
    if value is None or _is_int(value):
        return value
    msg = f"malformed {name!r}: {value!r}"
    raise MalformedListingError(msg)


def _opt_str(entry: Mapping[str, Any], name: str) -> str | None:
    value = entry.get(name)
    if value is None or isinstance(value, str):
        return value
    msg = f"malformed {name!r}: {value!r}"
    raise MalformedListingError(msg)


def _str_tuple(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    msg = f"malformed {name!r}: {value!r}"
    raise MalformedListingError(msg)


def _ordered_modalities(values: Iterable[str]) -> tuple[str, ...]:
    """Deduplicate modalities into one canonical order (text, image, file, ...)."""
    known = {name: rank for rank, name in enumerate(_MODALITY_ORDER)}
    unique = {v.strip() for v in values if v.strip()}
    return tuple(sorted(unique, key=lambda v: (known.get(v, len(known)), v)))


def _modalities(architecture: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Read input/output modalities; older listings only have ``modality``."""
    if architecture is None:
        return ("text",), ("text",)
    if not isinstance(architecture, Mapping):
        msg = "malformed 'architecture'"
        raise MalformedListingError(msg)
    inputs = _str_tuple(architecture.get("input_modalities"), "input_modalities")
    outputs = _str_tuple(architecture.get("output_modalities"), "output_modalities")
    modality = architecture.get("modality")
    if (not inputs or not outputs) and isinstance(modality, str) and "->" in modality:
        left, _, right = modality.partition("->")
        inputs = inputs or tuple(left.split("+"))
        outputs = outputs or tuple(right.split("+"))
    return _ordered_modalities(inputs or ("text",)), _ordered_modalities(
        outputs or ("text",)
    )
