"""The free-model registry: seed ids, real limits, filters, profiles, refresh, cache."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.language_models import ModelProfile

from langchain_openrouter_free import errors
from langchain_openrouter_free._registry_live import ListingCache, ListingSnapshot
from langchain_openrouter_free.data import _free_models as data
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
)

NEWEST = "2026-02-19"
NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
KEY = "sk-or-v1-" + "0123456789abcdef" * 4
BASE = "https://openrouter.ai/api/v1"

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
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    yield
    set_default_registry(None)


@pytest.fixture(scope="module")
def seed_rows(shared_dir: Path) -> list[tuple[str, int]]:
    """(id, context) of every seed table row, parsed independently of the script."""
    text = (shared_dir / "seed" / "000_1b2c6b46aa72104f.txt").read_text(
        encoding="utf-8"
    )
    rows = re.findall(
        r"^\|[^|\n]*\|\s*`([^`]+)`\s*\|\s*([\d,]+)\s*\|", text, re.MULTILINE
    )
    return [(model_id, int(ctx.replace(",", ""))) for model_id, ctx in rows]


@pytest.fixture(scope="module")
def listings(shared_dir: Path) -> dict[str, bytes]:
    folder = shared_dir / "traffic" / "models"
    return {p.stem: p.read_bytes() for p in sorted(folder.glob("*.json"))}


def _newest_raw(listings: dict[str, bytes], model_id: str) -> dict[str, Any]:
    for date in sorted(listings, reverse=True):
        for entry in json.loads(listings[date])["data"]:
            if entry["id"] == model_id:
                return entry
    raise AssertionError(model_id)


class FakeAPI:
    """MockTransport handler for /models and /models/user."""

    def __init__(
        self,
        models: bytes | Exception,
        *,
        models_status: int = 200,
        user_ids: set[str] | None = None,
        user_status: int = 200,
        user_body: bytes | None = None,
    ) -> None:
        self.models, self.models_status = models, models_status
        self.user_ids, self.user_status, self.user_body = (
            user_ids,
            user_status,
            user_body,
        )
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.models, Exception):
            raise self.models
        if request.url.path == "/api/v1/models":
            return httpx.Response(self.models_status, content=self.models)
        if request.url.path == "/api/v1/models/user":
            body = (
                self.user_body
                or json.dumps(
                    {"data": [{"id": i} for i in sorted(self.user_ids or ())]}
                ).encode()
            )
            return httpx.Response(self.user_status, content=body)
        return httpx.Response(404, json={"error": {"code": 404, "message": "nope"}})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def _clock(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def _refresh(api: FakeAPI, cache: Path, **kwargs: Any) -> FreeModelRegistry:
    kwargs.setdefault("clock", _clock(NOW))
    return FreeModelRegistry.refresh(
        http_client=api.client(), cache_dir=cache, **kwargs
    )


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


def test_default_registry_can_be_replaced() -> None:
    tiny = FreeModelRegistry([get_free_model("openrouter/free")], source="custom")
    set_default_registry(tiny)
    assert list_free_models() == [get_free_model("openrouter/free")]
    assert profile_for("qwen/qwen3-coder:free") is None
    set_default_registry(None)
    assert profile_for("qwen/qwen3-coder:free") is not None


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


# ------------------------------------------------------------------ refresh


def test_refresh_serves_real_listing_and_marks_blocked(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    raw = json.loads(listings[NEWEST])["data"]
    free_ids = {m["id"] for m in raw if m["id"].endswith(":free")} | {"openrouter/free"}
    blocked = {"openai/gpt-oss-120b:free", "qwen/qwen3-coder:free"}
    api = FakeAPI(listings[NEWEST], user_ids=free_ids - blocked)
    registry = _refresh(api, tmp_path, api_key=KEY)
    assert registry.source == "live"
    assert registry.blocked_ids == blocked
    assert registry.fetched_at == NOW.isoformat()
    assert api.paths() == ["/api/v1/models", "/api/v1/models/user"]
    assert "authorization" not in api.requests[0].headers
    assert api.requests[1].headers["authorization"] == f"Bearer {KEY}"
    assert len(registry.list()) == 30
    assert not FreeModelRegistry.bundled().diff(registry)
    # history and aliases survive the merge
    assert registry.get("google/gemma-3-27b:free").id == "google/gemma-3-27b-it:free"
    assert registry.get("google/gemma-2-9b:free").status == "retired"
    assert registry.get("qwen/qwen3-32b:free").status == "unverified"
    assert registry.get("openrouter/free").first_seen == NEWEST
    cache_text = next(tmp_path.glob("models-*.json")).read_text(encoding="utf-8")
    assert KEY not in cache_text
    assert "Bearer" not in cache_text


def test_refresh_without_key_skips_models_user(
    listings: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", "https://example.test/api/v1/")
    api = FakeAPI(listings[NEWEST])
    registry = _refresh(api, tmp_path)
    assert [str(r.url) for r in api.requests] == ["https://example.test/api/v1/models"]
    assert registry.blocked_ids == frozenset()


def test_refresh_marks_models_missing_from_live_listing_retired(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    registry = _refresh(FakeAPI(listings["2025-12-28"]), tmp_path)
    assert registry.get("openrouter/free").status == "retired"
    assert registry.get("google/gemini-2.0-flash-exp:free").status == "available"
    assert registry.get("google/gemini-2.0-flash-exp:free").last_seen == "2026-02-20"


def test_fresh_cache_is_used_without_network_until_ttl(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    _refresh(FakeAPI(listings[NEWEST]), tmp_path)
    offline = FakeAPI(httpx.ConnectError("no network"))
    cached = _refresh(offline, tmp_path, clock=_clock(NOW + timedelta(hours=23)))
    assert cached.source == "cache"
    assert offline.requests == []
    assert len(cached.list()) == 30
    # force=True goes to the network even with a fresh cache
    live = FakeAPI(listings["2026-01-13"])
    forced = _refresh(
        live, tmp_path, force=True, clock=_clock(NOW + timedelta(hours=1))
    )
    assert forced.source == "live"
    assert len(live.requests) == 1
    # after the TTL the cache is stale: fetch again
    later = FakeAPI(listings[NEWEST])
    refreshed = _refresh(later, tmp_path, clock=_clock(NOW + timedelta(hours=26)))
    assert refreshed.source == "live"
    assert len(later.requests) == 1
    # a cache fetched without a key is not fresh for a caller with a key
    keyed = FakeAPI(listings[NEWEST], user_ids=set())
    _refresh(keyed, tmp_path, api_key=KEY, clock=_clock(NOW + timedelta(hours=27)))
    assert keyed.paths() == ["/api/v1/models", "/api/v1/models/user"]


def test_offline_falls_back_to_cache_then_bundled(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    offline = FakeAPI(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.warns(RegistryWarning, match="bundled snapshot of 2026-02-19"):
        registry = _refresh(offline, tmp_path / "empty")
    assert registry is FreeModelRegistry.bundled()
    _refresh(FakeAPI(listings["2026-01-13"]), tmp_path)
    stale = NOW + timedelta(days=30)
    with pytest.warns(RegistryWarning, match="cached listing of 2026-02-20"):
        registry = _refresh(offline, tmp_path, clock=_clock(stale))
    assert registry.source == "cache"
    assert len(registry.list()) == len(
        FreeModelRegistry.from_listing(
            json.loads(listings["2026-01-13"]), fetched_at="2026-01-13"
        )
    )


def test_offline_strict_raises_connection_error(tmp_path: Path) -> None:
    with pytest.raises(errors.OpenRouterConnectionError, match="Connection refused"):
        _refresh(
            FakeAPI(httpx.ConnectError("Connection refused")), tmp_path, strict=True
        )
    with pytest.raises(errors.OpenRouterTimeoutError):
        _refresh(FakeAPI(httpx.ReadTimeout("slow")), tmp_path, strict=True)


def test_non_2xx_strict_raises_typed_error(tmp_path: Path) -> None:
    body = json.dumps(
        {"error": {"code": 503, "message": "Service Unavailable"}}
    ).encode()
    api = FakeAPI(body, models_status=503)
    with pytest.raises(errors.OpenRouterServerError) as info:
        _refresh(api, tmp_path, strict=True)
    assert info.value.status_code == 503
    with pytest.warns(RegistryWarning, match="Service Unavailable"):
        fallback = _refresh(api, tmp_path)
    assert fallback.source == "bundled"
    assert not list(tmp_path.glob("models-*.json"))


def test_models_user_failure(listings: dict[str, bytes], tmp_path: Path) -> None:
    echo = json.dumps(
        {"error": {"code": 401, "message": f"Invalid key {KEY}"}}
    ).encode()
    api = FakeAPI(listings[NEWEST], user_status=401, user_body=echo)
    with pytest.raises(errors.OpenRouterAuthenticationError) as info:
        _refresh(api, tmp_path, api_key=KEY, strict=True)
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value)
    with pytest.warns(RegistryWarning, match="blocked models unmarked") as record:
        registry = _refresh(api, tmp_path, api_key=KEY)
    assert all(KEY not in str(w.message) for w in record)
    assert registry.source == "live"
    assert registry.blocked_ids == frozenset()


def test_error_inside_200_body_and_missing_data(tmp_path: Path) -> None:
    body = json.dumps(
        {"error": {"code": 429, "message": "Rate limit exceeded"}}
    ).encode()
    with pytest.raises(errors.OpenRouterRateLimitError):
        _refresh(FakeAPI(body), tmp_path, strict=True)
    with pytest.raises(errors.OpenRouterServerError, match="without a 'data' list"):
        _refresh(FakeAPI(b"<html>maintenance</html>"), tmp_path, strict=True)


def test_malformed_live_listing_keeps_the_rest(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    payload = json.loads(listings[NEWEST])
    free = [m for m in payload["data"] if m["id"].endswith(":free")]
    del free[0]["context_length"]
    free[1]["architecture"] = "text"
    with pytest.warns(RegistryWarning) as record:
        registry = _refresh(FakeAPI(json.dumps(payload).encode()), tmp_path)
    assert len(record) == 2
    assert len([m for m in registry.list() if m.last_seen == "2026-02-20"]) == 28
    assert registry.get(free[0]["id"]).status == "retired"  # the bundled fact survives


def test_corrupt_cache_is_ignored_and_rewritten(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    _refresh(FakeAPI(listings[NEWEST]), tmp_path)
    cache_file = next(tmp_path.glob("models-*.json"))
    cache_file.write_text("{not json", encoding="utf-8")
    with pytest.warns(RegistryWarning, match="corrupt registry cache"):
        registry = _refresh(FakeAPI(listings[NEWEST]), tmp_path)
    assert registry.source == "live"
    assert json.loads(cache_file.read_text(encoding="utf-8"))["format"] == 1
    cache_file.write_text(json.dumps({"format": 1, "data": "x"}), encoding="utf-8")
    with pytest.warns(RegistryWarning, match="corrupt registry cache"):
        _refresh(FakeAPI(listings[NEWEST]), tmp_path)
    assert _refresh(FakeAPI(httpx.ConnectError("x")), tmp_path).source == "cache"


def test_cache_round_trip(tmp_path: Path) -> None:
    snapshot = ListingSnapshot(
        base_url=BASE,
        fetched_at=NOW.isoformat(),
        authenticated=True,
        blocked_ids=frozenset({"qwen/qwen3-coder:free"}),
        entries=tuple(m.to_openrouter_dict() for m in list_free_models()),
    )
    cache = ListingCache(tmp_path / "deep" / "models.json")
    assert cache.read() is None
    cache.write(snapshot)
    assert cache.read() == snapshot
    assert snapshot.is_fresh(
        NOW + timedelta(hours=23), timedelta(hours=24), authenticated=True
    )
    assert not snapshot.is_fresh(
        NOW + timedelta(hours=24), timedelta(hours=24), authenticated=True
    )
    assert not snapshot.is_fresh(
        NOW - timedelta(hours=1), timedelta(hours=24), authenticated=True
    )
    assert not snapshot.is_fresh(NOW, timedelta(hours=24), authenticated=False)


def test_unwritable_cache_only_warns(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.warns(RegistryWarning) as record:
        registry = _refresh(FakeAPI(listings[NEWEST]), blocker)
    assert registry.source == "live"
    messages = [str(w.message) for w in record]
    assert messages[0].startswith("Ignoring unreadable registry cache")
    assert messages[1].startswith("Could not write the registry cache")
