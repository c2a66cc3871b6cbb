"""I/O seam of the registry: fetch listings over httpx, cache them on disk.

Works on raw ``/api/v1/models`` JSON only; ``registry.py`` does the parsing.
The API key is sent in one header and nowhere else: not cached, not logged,
not in a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
from pydantic import SecretStr

from langchain_openrouter_free.errors import (
    OpenRouterConnectionError,
    OpenRouterTimeoutError,
    error_from_body,
    error_from_response,
    redact_secrets,
)

DEFAULT_BASE_URL: Final = "https://openrouter.ai/api/v1"
_CACHE_FORMAT: Final = 1


class RegistryWarning(UserWarning):
    """The registry skipped a model, ignored a cache file or fell back offline."""


def warn(message: str) -> None:
    """Emit a :class:`RegistryWarning` with secrets redacted."""
    warnings.warn(redact_secrets(message), RegistryWarning, stacklevel=3)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def resolve_base_url(base_url: str | None) -> str:
    """Return the API root: the argument, ``$OPENROUTER_BASE_URL`` or the default."""
    chosen = base_url or os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL
    return chosen.rstrip("/")


def resolve_api_key(api_key: str | SecretStr | None) -> SecretStr | None:
    """Return the key: the argument, else ``$OPENROUTER_API_KEY``; ``""`` is none."""
    if api_key is None:
        api_key = os.environ.get("OPENROUTER_API_KEY")
    if isinstance(api_key, SecretStr):
        return api_key if api_key.get_secret_value() else None
    return SecretStr(api_key) if api_key else None


def cache_path(cache_dir: str | os.PathLike[str] | None, base_url: str) -> Path:
    """Return the cache file of one base URL (the user cache dir by default)."""
    if cache_dir is None:
        import platformdirs  # noqa: PLC0415 - only needed when refreshing

        cache_dir = platformdirs.user_cache_dir("langchain-openrouter-free")
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:16]
    return Path(cache_dir) / f"models-{digest}.json"


@dataclass(frozen=True, slots=True)
class ListingSnapshot:
    """One live fetch, as cached on disk (never the key).

    Attributes:
        base_url: The API root it came from.
        fetched_at: Aware ISO timestamp of the fetch.
        authenticated: ``/models/user`` was read, so ``blocked_ids`` is meaningful.
        blocked_ids: Free ids the account's privacy settings block.
        entries: ``/models``-shaped entries of the free models.
    """

    base_url: str
    fetched_at: str
    authenticated: bool
    blocked_ids: frozenset[str]
    entries: tuple[Mapping[str, Any], ...]

    def is_fresh(self, now: datetime, ttl: timedelta, *, authenticated: bool) -> bool:
        """Tell whether the snapshot is younger than ``ttl`` and of the same mode."""
        age = now - datetime.fromisoformat(self.fetched_at)
        return self.authenticated == authenticated and timedelta(0) <= age < ttl

    def to_json(self) -> str:
        """Serialise for the cache file."""
        return json.dumps(
            {
                "format": _CACHE_FORMAT,
                "base_url": self.base_url,
                "fetched_at": self.fetched_at,
                "authenticated": self.authenticated,
                "blocked_ids": sorted(self.blocked_ids),
                "data": list(self.entries),
            },
            indent=1,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> ListingSnapshot:
        """Parse a cache file.

        Raises:
            ValueError: Not JSON, an unknown format, or a missing field.
        """
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.get("format") != _CACHE_FORMAT:
            msg = "unknown cache format"
            raise ValueError(msg)
        fetched_at, base_url = raw.get("fetched_at"), raw.get("base_url")
        entries, blocked = raw.get("data"), raw.get("blocked_ids")
        if not (
            isinstance(fetched_at, str)
            and isinstance(base_url, str)
            and isinstance(entries, list)
            and all(isinstance(e, dict) for e in entries)
            and isinstance(blocked, list)
            and all(isinstance(b, str) for b in blocked)
        ):
            msg = "missing or malformed cache fields"
            raise ValueError(msg)
        if datetime.fromisoformat(fetched_at).tzinfo is None:
            msg = "cache timestamp has no time zone"
            raise ValueError(msg)
        return cls(
            base_url=base_url,
            fetched_at=fetched_at,
            authenticated=raw.get("authenticated") is True,
            blocked_ids=frozenset(blocked),
            entries=tuple(entries),
        )


class ListingCache:
    """The on-disk JSON cache of one base URL's listing."""

    def __init__(self, path: Path) -> None:
        """Use the cache file at ``path``."""
        self.path = path

    def read(self) -> ListingSnapshot | None:
        """Return the cached snapshot; None (with a warning if corrupt) if unusable."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            warn(f"Ignoring unreadable registry cache {self.path}: {exc}")
            return None
        try:
            return ListingSnapshot.from_json(text)
        except ValueError as exc:
            warn(f"Ignoring corrupt registry cache {self.path} ({exc}); rewriting it")
            return None

    def write(self, snapshot: ListingSnapshot) -> None:
        """Replace the cache file atomically; a failure only warns."""
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(snapshot.to_json(), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:
            warn(f"Could not write the registry cache {self.path}: {exc}")
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class ListingFetcher:
    """Reads ``GET /models`` and ``GET /models/user`` over httpx.

    Attributes:
        base_url: API root without a trailing slash.
        api_key: Sent only to ``/models/user``.
        http_client: Injected client (never closed here), or None for a
            short-lived one per :meth:`session`.
        timeout: Seconds per request.
    """

    base_url: str
    api_key: SecretStr | None
    http_client: httpx.Client | None
    timeout: float

    def client(self) -> httpx.Client:
        """Return the client to use; the caller closes it unless it was injected."""
        return self.http_client or httpx.Client(timeout=self.timeout)

    def get_data(
        self, client: httpx.Client, path: str, *, authenticate: bool
    ) -> list[Any]:
        """GET a listing endpoint and return its ``data`` list.

        Raises:
            OpenRouterError: The typed error of a non-2xx answer or an error
                body; ``OpenRouterConnectionError`` / ``OpenRouterTimeoutError``
                when the server cannot be reached.
        """
        url = f"{self.base_url}{path}"
        headers = {"Accept": "application/json"}
        if authenticate and self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        try:
            response = client.get(url, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            msg = f"GET {url} timed out after {self.timeout} s"
            raise OpenRouterTimeoutError(msg) from exc
        except httpx.RequestError as exc:
            msg = f"GET {url} failed: {type(exc).__name__}: {exc}"
            raise OpenRouterConnectionError(msg) from exc
        return listing_data(response, url)


def listing_data(response: httpx.Response, url: str) -> list[Any]:
    """Return the ``data`` list of a listing answer, or raise the typed error.

    Raises:
        OpenRouterError: Non-2xx, an ``{"error": ...}`` body, or no ``data`` list.
    """
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    headers = dict(response.headers)
    if not response.is_success:
        raise error_from_response(response.status_code, body, headers)
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        raise error_from_body(
            body["error"], status_code=response.status_code, headers=headers, body=body
        )
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        message = f"GET {url} answered {response.status_code} without a 'data' list"
        raise error_from_body(
            {"message": message}, headers=headers, body=str(body)[:500]
        )
    return data
