"""The free-model registry: seed ids, real limits, lookups, filters, profiles, diff.

Refresh and the disk cache are in test_registry_refresh.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import ModelProfile

import langchain_openrouter_free as package
from langchain_openrouter_free import ChatOpenRouterFree, errors, registry
from langchain_openrouter_free.data import _free_models as data
from langchain_openrouter_free.errors import UnknownModelIdWarning
from langchain_openrouter_free.registry import (
    FreeModel,
    FreeModelRegistry,
    RegistryWarning,
    UnknownModelError,
    default_registry,
    get_free_model,
    list_free_models,
    parse_listing_entry,
    profile_for,
    set_default_registry,
    use_live_registry,
)
from tests._repo_data import SEED_FILE
from tests.unit_tests._registry_fakes import (
    NEWEST,
    NOW,
    FakeAPI,
    clock,
    listing_with,
    read_listings,
)

# Seed spelling -> real id, checked by hand against the listings.
EXPECTED_ALIASES = {
    "google/gemma-3-27b:free": "google/gemma-3-27b-it:free",
    "google/gemma-3-4b:free": "google/gemma-3-4b-it:free",
    "google/gemma-3n-4b:free": "google/gemma-3n-e4b-it:free",
    "google/gemma-3n-2b:free": "google/gemma-3n-e2b-it:free",
    "google/gemma-2-9b:free": "google/gemma-2-9b-it:free",
    "qwen/qwen2.5-coder-32b-instruct:free": "qwen/qwen-2.5-coder-32b-instruct:free",
    "qwen/qwen2.5-72b-instruct:free": "qwen/qwen-2.5-72b-instruct:free",
    "mistralai/mistral-small-3.2-24b:free": "mistralai/mistral-small-3.2-24b-instruct:free",
    "mistralai/mistral-small-3.1-24b:free": "mistralai/mistral-small-3.1-24b-instruct:free",
    "mistralai/mistral-small-3:free": "mistralai/mistral-small-24b-instruct-2501:free",
    "shisa-ai/shisa-v2-llama-3.3-70b:free": "shisa-ai/shisa-v2-llama3.3-70b:free",
    "arliai/qwq-32b-rpr-v1:free": "arliai/qwq-32b-arliai-rpr-v1:free",
    "rekaai/flash-3:free": "rekaai/reka-flash-3:free",
}
UNVERIFIED = {"qwen/qwen3-32b:free": 40960, "openrouter/cypher-alpha:free": 1048576}
# real id -> (seed context, context of the newest listing that has it): the listing wins.
CONTEXT_DISAGREEMENTS = {
    "google/gemma-3-4b-it:free": (131072, 32768),
    "meta-llama/llama-3.1-405b-instruct:free": (65536, 131072),
    "meta-llama/llama-3.3-70b-instruct:free": (65536, 128000),
    "meta-llama/llama-4-maverick:free": (131072, 256000),
    "mistralai/mistral-small-3.1-24b-instruct:free": (131072, 128000),
    "qwen/qwq-32b:free": (40960, 32768),
}


# ------------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No key, no base URL, a private cache dir; the bundled default restored."""
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    yield
    set_default_registry(None)


@pytest.fixture(scope="module")
def seed_rows() -> list[tuple[str, int]]:
    """(id, context) of every seed table row, parsed independently of the script."""
    text = SEED_FILE.read_text(encoding="utf-8")
    rows = re.findall(
        r"^\|[^|\n]*\|\s*`([^`]+)`\s*\|\s*([\d,]+)\s*\|", text, re.MULTILINE
    )
    return [(model_id, int(ctx.replace(",", ""))) for model_id, ctx in rows]


@pytest.fixture(scope="module")
def listings() -> dict[str, bytes]:
    return read_listings()


def _newest_raw(listings: dict[str, bytes], model_id: str) -> dict[str, Any]:
    for date in sorted(listings, reverse=True):
        for entry in json.loads(listings[date])["data"]:
            if entry["id"] == model_id:
                return entry
    raise AssertionError(model_id)


# ------------------------------------------------------------ seed catalog


def test_seed_has_48_rows(seed_rows: list[tuple[str, int]]) -> None:
    assert len(seed_rows) == 48
    assert len({model_id for model_id, _ in seed_rows}) == 48


def test_every_seed_id_resolves(seed_rows: list[tuple[str, int]]) -> None:
    for model_id, _ in seed_rows:
        model = get_free_model(model_id)
        assert model.id == model_id or model_id in model.aliases, model_id
        assert default_registry().resolve(model_id) == model.id


def test_seed_aliases_resolve_to_real_ids(seed_rows: list[tuple[str, int]]) -> None:
    seed_ids = {model_id for model_id, _ in seed_rows}
    assert set(EXPECTED_ALIASES) <= seed_ids
    for alias, real in EXPECTED_ALIASES.items():
        assert get_free_model(alias).id == real
        assert alias in get_free_model(real).aliases
    assert dict(default_registry().aliases) == EXPECTED_ALIASES


def test_unverified_seed_ids_keep_seed_facts(seed_rows: list[tuple[str, int]]) -> None:
    unverified = {m.id for m in default_registry() if m.status == "unverified"}
    assert unverified == set(UNVERIFIED)
    for model_id, context in UNVERIFIED.items():
        model = get_free_model(model_id)
        assert model.context_length == context == dict(seed_rows)[model_id]
        assert model.first_seen is None
        assert model.last_seen is None
    assert get_free_model("openrouter/cypher-alpha:free").name == "Cypher Alpha (free)"


def test_context_limits_equal_the_listing_they_came_from(
    seed_rows: list[tuple[str, int]], listings: dict[str, bytes]
) -> None:
    for model_id, _ in seed_rows:
        model = get_free_model(model_id)
        if model.status == "unverified":
            continue
        raw = _newest_raw(listings, model.id)
        assert model.context_length == raw["context_length"], model_id
        assert model.max_output_tokens == raw["top_provider"]["max_completion_tokens"]


def test_seed_context_disagreements_listing_wins(
    seed_rows: list[tuple[str, int]], listings: dict[str, bytes]
) -> None:
    seed_context = dict(seed_rows)
    found = {}
    for model_id, context in seed_context.items():
        model = get_free_model(model_id)
        if model.context_length != context:
            found[model.id] = (context, model.context_length)
    assert found == CONTEXT_DISAGREEMENTS
    recorded = {m["id"]: m["seed_context_length"] for m in data.MODELS}
    for real_id, (seed, listed) in CONTEXT_DISAGREEMENTS.items():
        assert recorded[real_id] == seed
        assert _newest_raw(listings, real_id)["context_length"] == listed
        assert get_free_model(real_id).context_length == listed


# ---------------------------------------------------------------- lookups


def test_unknown_id_suggests_close_ids() -> None:
    with pytest.raises(KeyError) as info:
        get_free_model("qwen/qwen3-coder:fre")
    assert isinstance(info.value, UnknownModelError)
    assert info.value.suggestions[0] == "qwen/qwen3-coder:free"
    assert str(info.value).startswith("Unknown free model 'qwen/qwen3-coder:fre'; did")
    with pytest.raises(KeyError, match=r"did you mean 'openrouter/free'"):
        get_free_model("openrouter/fre")
    with pytest.raises(KeyError, match=r"did you mean 'google/gemma-3-27b-it:free'"):
        get_free_model("google/gemma-3-27b-it")  # the paid twin: suggest the free one
    with pytest.raises(KeyError, match="openrouter-free models --all"):
        get_free_model("zzzzzz")


def _acme(model_id: str, status: str = "available", *aliases: str) -> FreeModel:
    router = get_free_model("openrouter/free")
    return replace(router, id=model_id, author="acme", status=status, aliases=aliases)


def test_suggestions_are_real_ids_deduplicated_available_first() -> None:
    with pytest.raises(UnknownModelError) as info:
        get_free_model("google/gemma-3-27b")  # the seed spelling without ":free"
    suggestions = info.value.suggestions
    assert suggestions[0] == "google/gemma-3-27b-it:free"  # twin alias -> real id
    assert len(set(suggestions)) == len(suggestions) <= 3
    assert not set(suggestions) & set(default_registry().aliases)
    with pytest.raises(UnknownModelError) as info:
        get_free_model("rekaai/flash-3")
    assert info.value.suggestions == ("rekaai/reka-flash-3:free",)

    custom = FreeModelRegistry(
        [
            _acme("acme/widget-22:free", "retired"),  # the closest, but retired
            _acme("acme/widget-1:free", "available", "acme/widget-4:free"),
            _acme("acme/gizmo:free", "available", "acme/widget-3:free"),
            _acme("acme/widget-5:free"),
        ]
    )
    with pytest.raises(UnknownModelError) as info:
        custom.get("acme/widget-2:free")
    suggestions = info.value.suggestions
    assert len(suggestions) == len(set(suggestions)) == 3
    assert set(suggestions) == {
        "acme/widget-5:free",
        "acme/widget-1:free",  # matched directly and through its alias: once
        "acme/gizmo:free",  # matched only through its alias
    }
    with pytest.raises(UnknownModelError) as info:
        custom.get("acme/widget-22")  # the free twin comes first even if retired
    assert info.value.suggestions[0] == "acme/widget-22:free"


def test_statuses_and_counts() -> None:
    registry = FreeModelRegistry.bundled()
    statuses = [m.status for m in registry]
    assert len(registry) == 120  # 117 ":free" ids seen + router + 2 unverified
    assert statuses.count("available") == 30  # 29 ":free" on 2026-02-19 + router
    assert statuses.count("unverified") == 2
    assert get_free_model("openrouter/free").status == "available"
    assert get_free_model("google/gemma-2-9b:free").status == "retired"


def test_list_default_is_available_sorted_by_context() -> None:
    models = list_free_models()
    assert len(models) == 30
    assert {m.status for m in models} == {"available"}
    keys = [(-m.context_length, m.id) for m in models]
    assert keys == sorted(keys)
    everything = list_free_models(include_retired=True)
    assert len(everything) == 120
    assert everything[0].id == "google/gemini-2.0-flash-exp:free"  # 1,048,576, id first


def test_list_filters() -> None:
    google = list_free_models(author="Google")
    assert google
    assert {m.author for m in google} == {"google"}
    big = list_free_models(min_context=200_000)
    assert {m.id for m in big} == {
        m.id for m in list_free_models() if m.context_length >= 200_000
    }
    assert all(m.supports_tools for m in list_free_models(tools=True))
    assert not any(m.supports_tools for m in list_free_models(tools=False))
    structured = list_free_models(structured_output=True, reasoning=True)
    assert structured
    assert all(
        m.supports_structured_output and m.supports_reasoning for m in structured
    )
    vision = list_free_models(input_modality="image")
    assert vision
    assert all("image" in m.input_modalities for m in vision)
    assert "openrouter/free" in {m.id for m in vision}
    assert list_free_models(author="nobody") == []


def test_unknown_capabilities_match_neither_yes_nor_no() -> None:
    legacy = get_free_model("meta-llama/llama-3.2-90b-vision-instruct:free")
    assert legacy.supported_parameters == ()
    assert legacy.capabilities_known is False
    assert legacy.supports_tools is False  # the field stays a plain bool
    assert get_free_model("openrouter/free").capabilities_known is True
    everything = list_free_models(include_retired=True)
    assert legacy in everything
    unknown = {m.id for m in everything if not m.capabilities_known}
    assert "qwen/qwen3-32b:free" in unknown  # unverified: seed facts only
    for name, attribute in (
        ("tools", "supports_tools"),
        ("structured_output", "supports_structured_output"),
        ("reasoning", "supports_reasoning"),
    ):
        for value in (True, False):
            found = list_free_models(include_retired=True, **{name: value})
            expected = [
                m
                for m in everything
                if m.capabilities_known and getattr(m, attribute) is value
            ]
            assert found == expected, (name, value)
            assert not {m.id for m in found} & unknown
    assert list_free_models(include_retired=True, tools=None) == everything


def test_author_is_positional_or_keyword() -> None:
    assert list_free_models("google") == list_free_models(author="google")
    assert default_registry().list("qwen") == list_free_models(author="qwen")
    with pytest.raises(TypeError):
        list_free_models("google", 100_000)  # type: ignore[misc]


def test_default_registry_can_be_replaced() -> None:
    tiny = FreeModelRegistry([get_free_model("openrouter/free")], source="custom")
    set_default_registry(tiny)
    assert list_free_models() == [get_free_model("openrouter/free")]
    assert profile_for("qwen/qwen3-coder:free") is None
    set_default_registry(None)
    assert profile_for("qwen/qwen3-coder:free") is not None


def test_use_live_registry_feeds_lookups_and_chat_model(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    assert package.use_live_registry is use_live_registry
    assert package.set_default_registry is set_default_registry
    assert {"use_live_registry", "set_default_registry"} <= set(package.__all__)
    new_id = "acme/new-model:free"
    body = listing_with(
        listings[NEWEST], new_id, name="Acme: New (free)", context_length=1_000_000
    )
    with pytest.raises(UnknownModelError):
        get_free_model(new_id)
    with pytest.warns(UnknownModelIdWarning, match="use_live_registry"):
        assert ChatOpenRouterFree(model=new_id, api_key="sk-or-v1-test").profile is None
    with pytest.raises(UnknownModelError, match="use_live_registry"):
        ChatOpenRouterFree(model=new_id, strict_model_ids=True)

    installed = use_live_registry(
        http_client=FakeAPI(body).client(), cache_dir=tmp_path, clock=clock(NOW)
    )
    assert installed.source == "live"
    assert default_registry() is installed
    assert get_free_model(new_id).context_length == 1_000_000
    assert list_free_models()[0].id == new_id  # the largest context
    assert profile_for(new_id) is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the live registry knows the new id now
        chat = ChatOpenRouterFree(
            model=new_id, api_key="sk-or-v1-test", strict_model_ids=True
        )
    assert chat.profile is not None
    assert chat.profile["max_input_tokens"] == 1_000_000
    assert chat.profile["name"] == "Acme: New (free)"
    assert chat.profile["tool_calling"] is True  # copied from qwen/qwen3-4b:free

    down = FakeAPI(b"{}", models_status=503)
    with pytest.raises(errors.OpenRouterServerError):
        use_live_registry(
            http_client=down.client(), cache_dir=tmp_path, force=True, strict=True
        )
    assert default_registry() is installed  # a failed strict refresh changes nothing
    set_default_registry(None)
    assert registry.default_registry() is FreeModelRegistry.bundled()


def test_registry_rejects_bad_aliases() -> None:
    router = get_free_model("openrouter/free")
    with pytest.raises(ValueError, match="names no model"):
        FreeModelRegistry([router], aliases={"x/y:free": "missing/model:free"})
    with pytest.raises(ValueError, match="duplicate"):
        FreeModelRegistry([router, router])


def test_import_does_not_load_the_data_module() -> None:
    name = "langchain_openrouter_free.data._free_models"
    code = (
        "import sys, langchain_openrouter_free, langchain_openrouter_free.registry as r, "
        "langchain_openrouter_free.cli\n"
        f"assert {name!r} not in sys.modules, 'imported eagerly'\n"
        "r.get_free_model('openrouter/free')\n"
        f"assert {name!r} in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)  # noqa: S603


def test_get_free_model_benchmark(benchmark: Any) -> None:
    default_registry()  # build once outside the measurement
    model = benchmark(get_free_model, "google/gemma-3-27b:free")
    assert model.id == "google/gemma-3-27b-it:free"


# ---------------------------------------------------------------- profiles


def test_profile_keys_exist_in_model_profile() -> None:
    allowed = set(ModelProfile.__annotations__)
    for model in default_registry():
        assert set(model.to_profile()) <= allowed, model.id


def test_profile_values() -> None:
    router = profile_for("openrouter/free")
    assert router is not None
    assert router["max_input_tokens"] == 200000
    assert router["tool_calling"] is True
    assert router["structured_output"] is True
    assert router["reasoning_output"] is True
    assert router["image_inputs"] is True
    assert router["pdf_inputs"] is False
    assert "max_output_tokens" not in router  # not published
    gemma = profile_for("google/gemma-3-27b:free")  # an alias
    assert gemma is not None
    assert gemma["max_input_tokens"] == 131072
    assert gemma["max_output_tokens"] == 8192
    assert gemma["structured_output"] is False
    legacy = profile_for("meta-llama/llama-3.2-90b-vision-instruct:free")
    assert legacy is not None
    assert legacy["image_inputs"] is True
    assert "tool_calling" not in legacy  # 2024 listings did not publish parameters
    assert profile_for("no/such-model:free") is None
    router["max_input_tokens"] = 1  # callers get a copy
    assert profile_for("openrouter/free") == {**router, "max_input_tokens": 200000}


def test_to_openrouter_dict_round_trips() -> None:
    for model in default_registry():
        entry = json.loads(json.dumps(model.to_openrouter_dict()))
        back = parse_listing_entry(entry, seen=model.last_seen, status=model.status)
        assert (
            replace(back, first_seen=model.first_seen, aliases=model.aliases) == model
        )


def test_to_dict_is_json_ready() -> None:
    model = get_free_model("openrouter/free")
    as_dict = model.to_dict()
    assert list(as_dict) == [f.name for f in fields(FreeModel)]
    assert json.loads(json.dumps(as_dict))["input_modalities"] == ["text", "image"]


# ------------------------------------------------------------ live listing


def test_from_listing_of_newest_matches_bundled(listings: dict[str, bytes]) -> None:
    live = FreeModelRegistry.from_listing(
        json.loads(listings[NEWEST]), fetched_at=NEWEST
    )
    assert len(live) == 30
    assert live.snapshot_date == NEWEST
    diff = FreeModelRegistry.bundled().diff(live)
    assert not diff
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())


def test_diff_against_an_older_listing(listings: dict[str, bytes]) -> None:
    payload = json.loads(listings["2025-12-28"])
    older = FreeModelRegistry.from_listing(payload, fetched_at="2025-12-28")
    bundled = FreeModelRegistry.bundled()
    diff = older.diff(bundled)
    old_ids = {m["id"] for m in payload["data"] if m["id"].endswith(":free")}
    new_ids = {m.id for m in bundled.list()}
    assert set(diff.added) == new_ids - old_ids
    assert "openrouter/free" in diff.added
    assert set(diff.removed) == old_ids - new_ids
    assert diff.changed
    for change in diff.changed:
        assert change.fields
        for name in change.fields:
            assert getattr(change.old, name) != getattr(change.new, name)


def test_diff_reports_changed_fields() -> None:
    router = get_free_model("openrouter/free")
    before = FreeModelRegistry([router])
    after = FreeModelRegistry(
        [replace(router, context_length=1000, last_seen="2030-01-01")]
    )
    diff = before.diff(after)
    assert [(c.id, c.fields) for c in diff.changed] == [
        ("openrouter/free", ("context_length",))
    ]


def test_malformed_listing_entries_warn_once_each(listings: dict[str, bytes]) -> None:
    payload = json.loads(listings[NEWEST])
    free = [m for m in payload["data"] if m["id"].endswith(":free")]
    del free[0]["id"]
    free[1]["context_length"] = None
    del free[2]["context_length"]
    free[3]["supported_parameters"] = "tools"
    payload["data"].append(42)
    with pytest.warns(RegistryWarning) as record:
        registry = FreeModelRegistry.from_listing(payload, fetched_at=NOW)
    assert len(record) == 5
    assert len(registry) == 30 - 4
    assert "context_length" in str(record[1].message)
    with pytest.raises(ValueError, match="no 'data' list"):
        FreeModelRegistry.from_listing({"models": []}, fetched_at=NOW)
