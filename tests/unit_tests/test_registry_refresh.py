"""FreeModelRegistry.refresh: live listing, /models/user, disk cache, fallbacks."""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from langchain_openrouter_free import errors
from langchain_openrouter_free._registry_live import (
    ListingCache,
    ListingSnapshot,
    cache_path,
    key_fingerprint,
)
from langchain_openrouter_free.registry import (
    FreeModelRegistry,
    RegistryWarning,
    list_free_models,
    set_default_registry,
)
from tests.unit_tests._registry_fakes import (
    BASE,
    KEY,
    NEWEST,
    NOW,
    FakeAPI,
    clock,
    listing_with,
    read_listings,
    refresh,
)

OTHER_KEY = "sk-or-v1-" + "fedcba9876543210" * 4


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No key, no base URL, a private cache dir; the bundled default restored."""
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    yield
    set_default_registry(None)


@pytest.fixture(scope="module")
def listings() -> dict[str, bytes]:
    return read_listings()


def _free_ids(listing: bytes) -> set[str]:
    data = json.loads(listing)["data"]
    return {m["id"] for m in data if m["id"].endswith(":free")} | {"openrouter/free"}


def test_models_user_hides_no_embedding_or_rerank_model(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    listing = json.loads(listings[NEWEST])
    chat = next(m for m in listing["data"] if m["id"].endswith(":free"))
    embed = {
        **chat,
        "id": "nvidia/llama-nemotron-embed-vl-1b-v2:free",
        "architecture": {**chat["architecture"], "output_modalities": ["embeddings"]},
    }
    listing["data"].append(embed)
    free_ids = _free_ids(json.dumps(listing).encode())
    # /models/user lists text-output models only: the embedding model is absent
    # from it, and so is one chat model that the privacy settings really hide.
    visible = free_ids - {embed["id"], chat["id"]}
    api = FakeAPI(json.dumps(listing).encode(), user_ids=visible)
    registry = refresh(api, tmp_path, api_key=KEY)
    assert registry.get(embed["id"]).kind == "embedding"
    assert registry.blocked_ids == {chat["id"]}


def test_refresh_serves_real_listing_and_marks_blocked(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    raw = json.loads(listings[NEWEST])["data"]
    free_ids = {m["id"] for m in raw if m["id"].endswith(":free")} | {"openrouter/free"}
    blocked = {"openai/gpt-oss-120b:free", "qwen/qwen3-coder:free"}
    api = FakeAPI(listings[NEWEST], user_ids=free_ids - blocked)
    registry = refresh(api, tmp_path, api_key=KEY)
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
    registry = refresh(api, tmp_path)
    assert [str(r.url) for r in api.requests] == [
        "https://example.test/api/v1/models?output_modalities=all"
    ]
    assert registry.blocked_ids == frozenset()


def test_refresh_marks_models_missing_from_live_listing_retired(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    registry = refresh(FakeAPI(listings["2025-12-28"]), tmp_path)
    assert registry.get("openrouter/free").status == "retired"
    assert registry.get("google/gemini-2.0-flash-exp:free").status == "available"
    assert registry.get("google/gemini-2.0-flash-exp:free").last_seen == "2026-02-20"


def test_fresh_cache_is_used_without_network_until_ttl(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    refresh(FakeAPI(listings[NEWEST]), tmp_path)
    offline = FakeAPI(httpx.ConnectError("no network"))
    cached = refresh(offline, tmp_path, clock=clock(NOW + timedelta(hours=23)))
    assert cached.source == "cache"
    assert offline.requests == []
    assert len(cached.list()) == 30
    # force=True goes to the network even with a fresh cache
    live = FakeAPI(listings["2026-01-13"])
    forced = refresh(live, tmp_path, force=True, clock=clock(NOW + timedelta(hours=1)))
    assert forced.source == "live"
    assert len(live.requests) == 1
    # after the TTL the cache is stale: fetch again
    later = FakeAPI(listings[NEWEST])
    refreshed = refresh(later, tmp_path, clock=clock(NOW + timedelta(hours=26)))
    assert refreshed.source == "live"
    assert len(later.requests) == 1
    # a cache fetched without a key is not fresh for a caller with a key
    keyed = FakeAPI(listings[NEWEST], user_ids=set())
    refresh(keyed, tmp_path, api_key=KEY, clock=clock(NOW + timedelta(hours=27)))
    assert keyed.paths() == ["/api/v1/models", "/api/v1/models/user"]


def test_offline_falls_back_to_cache_then_bundled(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    offline = FakeAPI(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.warns(RegistryWarning, match="bundled snapshot of 2026-02-19"):
        registry = refresh(offline, tmp_path / "empty")
    assert registry is FreeModelRegistry.bundled()
    refresh(FakeAPI(listings["2026-01-13"]), tmp_path)
    stale = NOW + timedelta(days=30)
    with pytest.warns(RegistryWarning, match="cached listing of 2026-02-20"):
        registry = refresh(offline, tmp_path, clock=clock(stale))
    assert registry.source == "cache"
    assert len(registry.list()) == len(
        FreeModelRegistry.from_listing(
            json.loads(listings["2026-01-13"]), fetched_at="2026-01-13"
        )
    )


def test_offline_strict_raises_connection_error(tmp_path: Path) -> None:
    with pytest.raises(errors.OpenRouterConnectionError, match="Connection refused"):
        refresh(
            FakeAPI(httpx.ConnectError("Connection refused")), tmp_path, strict=True
        )
    with pytest.raises(errors.OpenRouterTimeoutError):
        refresh(FakeAPI(httpx.ReadTimeout("slow")), tmp_path, strict=True)


def test_non_2xx_strict_raises_typed_error(tmp_path: Path) -> None:
    body = json.dumps(
        {"error": {"code": 503, "message": "Service Unavailable"}}
    ).encode()
    api = FakeAPI(body, models_status=503)
    with pytest.raises(errors.OpenRouterServerError) as info:
        refresh(api, tmp_path, strict=True)
    assert info.value.status_code == 503
    with pytest.warns(RegistryWarning, match="Service Unavailable"):
        fallback = refresh(api, tmp_path)
    assert fallback.source == "bundled"
    assert not list(tmp_path.glob("models-*.json"))


def test_models_user_failure(listings: dict[str, bytes], tmp_path: Path) -> None:
    echo = json.dumps(
        {"error": {"code": 401, "message": f"Invalid key {KEY}"}}
    ).encode()
    api = FakeAPI(listings[NEWEST], user_status=401, user_body=echo)
    with pytest.raises(errors.OpenRouterAuthenticationError) as info:
        refresh(api, tmp_path, api_key=KEY, strict=True)
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value)
    with pytest.warns(RegistryWarning, match="blocked models unmarked") as record:
        registry = refresh(api, tmp_path, api_key=KEY)
    assert all(KEY not in str(w.message) for w in record)
    assert registry.source == "live"
    assert registry.blocked_ids == frozenset()


def test_error_inside_200_body_and_missing_data(tmp_path: Path) -> None:
    body = json.dumps(
        {"error": {"code": 429, "message": "Rate limit exceeded"}}
    ).encode()
    with pytest.raises(errors.OpenRouterRateLimitError):
        refresh(FakeAPI(body), tmp_path, strict=True)
    with pytest.raises(errors.OpenRouterServerError, match="not JSON"):
        refresh(FakeAPI(b"<html>maintenance</html>"), tmp_path, strict=True)
    with pytest.raises(errors.OpenRouterServerError, match="no 'data' list"):
        refresh(FakeAPI(b'{"object": "list"}'), tmp_path, strict=True)


def test_malformed_live_listing_keeps_the_rest(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    payload = json.loads(listings[NEWEST])
    free = [m for m in payload["data"] if m["id"].endswith(":free")]
    del free[0]["context_length"]
    free[1]["architecture"] = "text"
    with pytest.warns(RegistryWarning) as record:
        registry = refresh(FakeAPI(json.dumps(payload).encode()), tmp_path)
    assert len(record) == 2
    assert len([m for m in registry.list() if m.last_seen == "2026-02-20"]) == 28
    assert registry.get(free[0]["id"]).status == "retired"  # the bundled fact survives


def test_corrupt_cache_is_ignored_and_rewritten(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    refresh(FakeAPI(listings[NEWEST]), tmp_path)
    cache_file = next(tmp_path.glob("models-*.json"))
    cache_file.write_text("{not json", encoding="utf-8")
    with pytest.warns(RegistryWarning, match="corrupt registry cache"):
        registry = refresh(FakeAPI(listings[NEWEST]), tmp_path)
    assert registry.source == "live"
    assert json.loads(cache_file.read_text(encoding="utf-8"))["format"] == 2
    cache_file.write_text(json.dumps({"format": 2, "data": "x"}), encoding="utf-8")
    with pytest.warns(RegistryWarning, match="corrupt registry cache"):
        refresh(FakeAPI(listings[NEWEST]), tmp_path)
    assert refresh(FakeAPI(httpx.ConnectError("x")), tmp_path).source == "cache"


def test_cache_round_trip(tmp_path: Path) -> None:
    mine = key_fingerprint(SecretStr(KEY))
    snapshot = ListingSnapshot(
        base_url=BASE,
        fetched_at=NOW.isoformat(),
        key_fingerprint=mine,
        authenticated=True,
        blocked_ids=frozenset({"qwen/qwen3-coder:free"}),
        entries=tuple(m.to_openrouter_dict() for m in list_free_models()),
    )
    cache = ListingCache(tmp_path / "deep" / "models.json")
    assert cache.read() is None
    cache.write(snapshot)
    assert cache.read() == snapshot
    day = timedelta(hours=24)
    assert snapshot.is_fresh(NOW + timedelta(hours=23), day, key_fingerprint=mine)
    assert not snapshot.is_fresh(NOW + day, day, key_fingerprint=mine)
    assert not snapshot.is_fresh(NOW - timedelta(hours=1), day, key_fingerprint=mine)
    assert not snapshot.is_fresh(NOW, day, key_fingerprint=None)
    assert not snapshot.is_fresh(NOW, day, key_fingerprint="0" * 16)


def test_unwritable_cache_only_warns(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.warns(RegistryWarning) as record:
        registry = refresh(FakeAPI(listings[NEWEST]), blocker)
    assert registry.source == "live"
    messages = [str(w.message) for w in record]
    assert messages[0].startswith("Ignoring unreadable registry cache")
    assert messages[1].startswith("Could not write the registry cache")


# ------------------------------------------------------- alias collisions


def test_live_id_equal_to_a_seed_alias_wins(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    seed = "google/gemma-3-27b:free"  # the seed's spelling of gemma-3-27b-it
    body = listing_with(listings[NEWEST], seed, context_length=65536)
    with pytest.warns(RegistryWarning, match="now a model id of its own") as record:
        registry = refresh(FakeAPI(body), tmp_path)
    assert len(record) == 1
    assert seed in str(record[0].message)
    assert registry.source == "live"
    assert registry.get(seed).id == seed
    assert registry.get(seed).context_length == 65536
    assert seed not in registry.get("google/gemma-3-27b-it:free").aliases
    assert seed not in registry.aliases
    assert registry.resolve("rekaai/flash-3:free") == "rekaai/reka-flash-3:free"
    assert cache_path(tmp_path, BASE).is_file()
    # the cache written from it is usable: fresh, and as the offline fallback
    offline = FakeAPI(httpx.ConnectError("no network"))
    with pytest.warns(RegistryWarning, match="now a model id") as record:
        cached = refresh(offline, tmp_path, clock=clock(NOW + timedelta(hours=1)))
    assert len(record) == 1
    assert cached.source == "cache"
    assert cached.get(seed).id == seed
    assert offline.requests == []
    with pytest.warns(RegistryWarning) as record:
        stale = refresh(offline, tmp_path, clock=clock(NOW + timedelta(days=30)))
    assert len(record) == 2
    assert "now a model id" in str(record[0].message)
    assert "using the cached listing of" in str(record[1].message)
    assert stale.source == "cache"
    assert stale.get(seed).id == seed


def test_registry_is_built_before_the_cache_is_written(
    listings: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: FreeModelRegistry, newer: FreeModelRegistry) -> None:
        msg = "cannot merge"
        raise ValueError(msg)

    monkeypatch.setattr(FreeModelRegistry, "updated_with", broken)
    with pytest.raises(ValueError, match="cannot merge"):
        refresh(FakeAPI(listings[NEWEST]), tmp_path, strict=True)
    with pytest.warns(RegistryWarning, match=r"cannot merge\); using the bundled"):
        registry = refresh(FakeAPI(listings[NEWEST]), tmp_path)
    assert registry is FreeModelRegistry.bundled()
    assert not list(tmp_path.iterdir())  # nothing was cached


def test_unusable_cache_is_skipped_once(
    listings: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh(FakeAPI(listings[NEWEST]), tmp_path)
    original = FreeModelRegistry.updated_with
    calls: list[str | None] = []

    def fails_on_cache(
        self: FreeModelRegistry, newer: FreeModelRegistry
    ) -> FreeModelRegistry:
        calls.append(newer.source)
        if newer.source == "cache":
            msg = "poisoned"
            raise ValueError(msg)
        return original(self, newer)

    monkeypatch.setattr(FreeModelRegistry, "updated_with", fails_on_cache)
    api = FakeAPI(listings[NEWEST])
    later = clock(NOW + timedelta(hours=1))
    with pytest.warns(RegistryWarning, match="unusable registry cache") as record:
        registry = refresh(api, tmp_path, clock=later)
    assert len(record) == 1
    assert calls == ["cache", "live"]
    assert registry.source == "live"
    assert api.paths() == ["/api/v1/models"]
    # offline too: warned once, and not offered again as the fallback
    calls.clear()
    offline = FakeAPI(httpx.ConnectError("no network"))
    with pytest.warns(RegistryWarning) as record:
        registry = refresh(offline, tmp_path, clock=later)
    assert [str(w.message).split(" ")[0] for w in record] == ["Ignoring", "Could"]
    assert "using the bundled snapshot" in str(record[1].message)
    assert calls == ["cache"]
    assert registry is FreeModelRegistry.bundled()


# -------------------------------------------------------- corrupt cache bytes


@pytest.mark.parametrize(
    "garbage",
    [
        b'{"format": 2, "data": [\xff\xfe\x00',
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": 2, "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=["torn-utf8", "binary", "deep-array", "deep-data"],
)
def test_undecodable_or_deep_cache_is_ignored_and_rewritten(
    garbage: bytes, listings: dict[str, bytes], tmp_path: Path
) -> None:
    path = cache_path(tmp_path, BASE)
    path.write_bytes(garbage)
    with pytest.warns(RegistryWarning, match="corrupt registry cache") as record:
        registry = refresh(FakeAPI(listings[NEWEST]), tmp_path)
    assert len(record) == 1
    assert registry.source == "live"
    assert json.loads(path.read_text(encoding="ascii"))["format"] == 2
    path.write_bytes(garbage)
    with pytest.warns(RegistryWarning) as record:
        fallback = refresh(FakeAPI(httpx.ConnectError("x")), tmp_path)
    assert fallback is FreeModelRegistry.bundled()
    assert [str(w.message).split(" ")[0] for w in record] == ["Ignoring", "Could"]


def test_cache_file_is_ascii_even_for_odd_text(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    description = "Caf\u00e9 \u6a21\u578b \ud83d lone surrogate"
    body = listing_with(listings[NEWEST], "acme/odd:free", description=description)
    registry = refresh(FakeAPI(body), tmp_path)
    assert registry.get("acme/odd:free").description == description
    raw = cache_path(tmp_path, BASE).read_bytes()
    assert raw.isascii()
    cached = refresh(FakeAPI(body), tmp_path, clock=clock(NOW + timedelta(hours=1)))
    assert cached.source == "cache"
    assert cached.get("acme/odd:free").description == description


# ---------------------------------------------------------- keys and the cache


def test_cache_is_per_key_and_stores_only_a_fingerprint(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    free = _free_ids(listings[NEWEST])
    blocked = {"openai/gpt-oss-120b:free", "qwen/qwen3-coder:free"}
    first = refresh(
        FakeAPI(listings[NEWEST], user_ids=free - blocked), tmp_path, api_key=KEY
    )
    assert first.blocked_ids == blocked
    text = cache_path(tmp_path, BASE).read_text(encoding="ascii")
    salted = hashlib.sha256(b"langchain-openrouter-free:" + KEY.encode())
    assert json.loads(text)["key_fingerprint"] == salted.hexdigest()[:16]
    assert key_fingerprint(SecretStr(KEY)) == salted.hexdigest()[:16]
    assert key_fingerprint(None) is None
    assert KEY not in text
    assert KEY.removeprefix("sk-or-v1-")[:16] not in text
    # another account within the TTL: its own request, none of the first one's blocks
    second_api = FakeAPI(listings[NEWEST], user_ids=free)
    hour = clock(NOW + timedelta(hours=1))
    second = refresh(second_api, tmp_path, api_key=OTHER_KEY, clock=hour)
    assert second_api.paths() == ["/api/v1/models", "/api/v1/models/user"]
    assert second.source == "live"
    assert second.blocked_ids == frozenset()
    # offline, the first account falls back to the cache without the second's facts
    refresh(FakeAPI(listings[NEWEST], user_ids=free - blocked), tmp_path, api_key=KEY)
    offline = FakeAPI(httpx.ConnectError("no network"))
    with pytest.warns(RegistryWarning, match="cached listing"):
        fallback = refresh(offline, tmp_path, api_key=OTHER_KEY, force=True)
    assert fallback.source == "cache"
    assert fallback.blocked_ids == frozenset()
    with pytest.warns(RegistryWarning, match="cached listing"):
        keyless = refresh(offline, tmp_path, api_key="", force=True)
    assert keyless.blocked_ids == frozenset()


def test_ttl_holds_when_models_user_keeps_failing(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    denied = json.dumps({"error": {"code": 403, "message": "No access"}}).encode()
    api = FakeAPI(listings[NEWEST], user_status=403, user_body=denied)
    with pytest.warns(RegistryWarning, match="blocked models unmarked"):
        first = refresh(api, tmp_path, api_key=KEY)
    assert first.source == "live"
    for minutes in (1, 60, 23 * 60):
        again = refresh(
            api, tmp_path, api_key=KEY, clock=clock(NOW + timedelta(minutes=minutes))
        )
        assert again.source == "cache"
        assert again.blocked_ids == frozenset()
    assert api.paths() == ["/api/v1/models", "/api/v1/models/user"]


def test_any_key_echoed_by_the_server_is_redacted(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    gateway_key = "gw_live_9f8e7d6c5b4a39281706"  # not shaped like an sk-or key
    echo = {
        "error": {
            "code": 401,
            "message": f"Invalid key {gateway_key}",
            "metadata": {"raw": f"token={gateway_key}"},
        }
    }
    api = FakeAPI(
        listings[NEWEST], user_status=401, user_body=json.dumps(echo).encode()
    )
    with pytest.raises(errors.OpenRouterAuthenticationError) as info:
        refresh(api, tmp_path, api_key=gateway_key, strict=True)
    error = info.value
    assert str(error).startswith("OpenRouter error 401: Invalid key [REDACTED]")
    assert "token=[REDACTED]" in str(error)  # metadata.raw, folded into the message
    for text in (str(error), repr(error), error.message, json.dumps(error.body)):
        assert gateway_key not in text
    assert gateway_key not in json.dumps(error.metadata)
    assert error.status_code == 401
    with pytest.warns(RegistryWarning, match="blocked models unmarked") as record:
        refresh(api, tmp_path, api_key=gateway_key)
    assert "[REDACTED]" in str(record[0].message)
    assert all(gateway_key not in str(w.message) for w in record)


def test_a_key_read_from_a_file_is_cleaned_and_never_leaks(
    listings: dict[str, bytes], tmp_path: Path
) -> None:
    gateway_key = "gw_live_9f8e7d6c5b4a39281706"
    echo = json.dumps({"error": {"code": 401, "message": f"bad {gateway_key}\n"}})
    api = FakeAPI(listings[NEWEST], user_status=401, user_body=echo.encode())
    with pytest.raises(errors.OpenRouterAuthenticationError) as info:
        refresh(api, tmp_path, api_key=gateway_key + "\n", strict=True)
    assert api.requests[-1].headers["authorization"] == f"Bearer {gateway_key}"
    chain = "".join(traceback.format_exception(info.value))
    assert gateway_key not in chain
    assert info.value.__cause__ is None
    with pytest.warns(RegistryWarning) as record:
        refresh(api, tmp_path, api_key=gateway_key + "\n")
    assert all(gateway_key not in str(w.message) for w in record)
