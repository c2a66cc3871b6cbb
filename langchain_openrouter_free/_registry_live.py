"""I/O seam of the registry: fetch listings over httpx, cache them on disk.

Works on raw ``/api/v1/models`` JSON only; ``registry.py`` does the parsing.
The API key is sent in one header and nowhere else: not cached, not logged,
not in a message. The cache records only a salted, truncated one-way
fingerprint of it (:func:`key_fingerprint`), so one account's privacy blocks are
never served to another.
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

from langchain_openrouter_free._constants import DEFAULT_BASE_URL
from langchain_openrouter_free.errors import (
    OpenRouterAPIError,
    OpenRouterConnectionError,
    OpenRouterError,
    OpenRouterTimeoutError,
    error_from_body,
    error_from_response,
    redact_secrets,
)

_CACHE_FORMAT: Final = 2
_FINGERPRINT_SALT: Final = b"langchain-openrouter-free:"


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


def key_fingerprint(api_key: SecretStr | None) -> str | None:
    """Return a salted, truncated SHA-256 of the key (None without a key).

    Tells two accounts' caches apart without storing anything that leads back
    to the key.
    """
    if api_key is None:
        return None
    secret = api_key.get_secret_value().encode()
    return hashlib.sha256(_FINGERPRINT_SALT + secret).hexdigest()[:16]


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
        key_fingerprint: :func:`key_fingerprint` of the key the fetch was made
            with (None: no key), whether or not ``/models/user`` answered.
        authenticated: ``/models/user`` was read, so ``blocked_ids`` is meaningful.
        blocked_ids: Free ids the account's privacy settings block.
        entries: ``/models``-shaped entries of the free models.
    """

    base_url: str
    fetched_at: str
    key_fingerprint: str | None
    authenticated: bool
    blocked_ids: frozenset[str]
    entries: tuple[Mapping[str, Any], ...]

    def is_fresh(
        self, now: datetime, ttl: timedelta, *, key_fingerprint: str | None
    ) -> bool:
        """Tell whether the snapshot is younger than ``ttl`` and of the same key."""
        age = now - datetime.fromisoformat(self.fetched_at)
        same_key = self.key_fingerprint == key_fingerprint
        return same_key and timedelta(0) <= age < ttl

    def to_json(self) -> str:
        """Serialise for the cache file."""
        return json.dumps(
            {
                "format": _CACHE_FORMAT,
                "base_url": self.base_url,
                "fetched_at": self.fetched_at,
                "key_fingerprint": self.key_fingerprint,
                "authenticated": self.authenticated,
                "blocked_ids": sorted(self.blocked_ids),
                "data": list(self.entries),
            },
            indent=1,
            ensure_ascii=True,  # ASCII on disk: lone surrogates cannot break a write
        )

    @classmethod
    def from_json(cls, text: str) -> ListingSnapshot:
        """Parse a cache file.

        Raises:
            ValueError: Not JSON, an unknown format, or a missing field.
        """
        try:
            raw = json.loads(text)
        except RecursionError as exc:  # absurdly deep nesting
            msg = "JSON nested too deeply"
            raise ValueError(msg) from exc
        if not isinstance(raw, dict) or raw.get("format") != _CACHE_FORMAT:
            msg = "unknown cache format"
            raise ValueError(msg)
        fetched_at, base_url = raw.get("fetched_at"), raw.get("base_url")
        entries, blocked = raw.get("data"), raw.get("blocked_ids")
        fingerprint = raw.get("key_fingerprint")
        if not (
            isinstance(fetched_at, str)
            and isinstance(base_url, str)
            and (fingerprint is None or isinstance(fingerprint, str))
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
            key_fingerprint=fingerprint,
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
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            warn(f"Ignoring unreadable registry cache {self.path}: {exc}")
            return None
        try:  # UnicodeDecodeError is a ValueError too
            return ListingSnapshot.from_json(raw.decode("utf-8"))
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
        except (OSError, ValueError) as exc:
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

    @property
    def key_fingerprint(self) -> str | None:
        """The :func:`key_fingerprint` of :attr:`api_key`."""
        return key_fingerprint(self.api_key)

    def redact(self, text: str) -> str:
        """Remove the exact key, and anything shaped like a key, from ``text``."""
        known = [self.api_key.get_secret_value()] if self.api_key is not None else []
        return redact_secrets(text, known)

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
                when the server cannot be reached. Whatever the key looks like,
                it is removed from the error's message and body.
        """
        try:
            return self._get_data(client, path, authenticate=authenticate)
        except OpenRouterError as exc:
            self._scrub(exc)
            raise

    def _get_data(
        self, client: httpx.Client, path: str, *, authenticate: bool
    ) -> list[Any]:
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

    def _scrub(self, error: OpenRouterError) -> None:
        """Remove the key from an error the server may have echoed it into."""
        if self.api_key is None:
            return
        error.message = self.redact(error.message)
        error.args = (error.message, *error.args[1:])
        if isinstance(error, OpenRouterAPIError):
            error.body = self._scrub_json(error.body)
            error.metadata = self._scrub_json(error.metadata)

    def _scrub_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {k: self._scrub_json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._scrub_json(v) for v in value]
        return value


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
