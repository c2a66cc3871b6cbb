"""I/O seam of the registry: the on-disk cache of fetched listings.

Works on raw ``/api/v1/models`` JSON only; ``registry.py`` does the parsing
and `langchain_openrouter_free._registry_fetch` the fetching (through the one
HTTP client). The API key is never cached, logged or put in a message. The
cache records only a salted, truncated one-way fingerprint of it
(:func:`key_fingerprint`), so one account's privacy blocks are never served
to another.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import SecretStr

from langchain_openrouter_free import _safe_json as safe_json
from langchain_openrouter_free._constants import DEFAULT_BASE_URL
from langchain_openrouter_free._request import clean_api_key
from langchain_openrouter_free.errors import redact_secrets

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_CACHE_FORMAT: Final = 2
MAX_CACHE_BYTES: Final = 32 * 1024 * 1024
"""A cache file larger than this is ignored (the real listing is about 1 MB)."""
_O_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC: Final = getattr(os, "O_CLOEXEC", 0)
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
    """Return the key: the argument, else ``$OPENROUTER_API_KEY``; blank is none.

    The key is cleaned as the chat model cleans it (surrounding whitespace,
    such as the newline of a key read from a file, is stripped).

    Raises:
        ValueError: The key holds whitespace or a control character inside.
    """
    if api_key is None:
        api_key = os.environ.get("OPENROUTER_API_KEY")
    if isinstance(api_key, SecretStr):
        api_key = api_key.get_secret_value()
    return clean_api_key(api_key) if api_key and api_key.strip() else None


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
        raw = safe_json.loads(text)
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
    """The on-disk JSON cache of one base URL's listing.

    Only a regular file is read or replaced: a symlink, a FIFO or a device
    planted at the cache path is refused with a warning (never followed,
    never read, so it can neither hang nor exhaust memory), and a file larger
    than `MAX_CACHE_BYTES` is ignored. A write goes to a fresh temporary file
    with a unique name in the same folder (created exclusively, so nothing
    planted is written through) and is renamed over the cache in one step, so
    threads and processes refreshing at once never publish a torn file.
    """

    def __init__(self, path: Path) -> None:
        """Use the cache file at ``path``."""
        self.path = path

    def read(self) -> ListingSnapshot | None:
        """Return the cached snapshot; None (with a warning if corrupt) if unusable."""
        try:
            raw = self._read_regular_file()
        except FileNotFoundError:
            return None
        except OSError as exc:
            warn(f"Ignoring unreadable registry cache {self.path}: {exc}")
            return None
        if raw is None:
            return None
        try:  # UnicodeDecodeError is a ValueError too
            return ListingSnapshot.from_json(raw.decode("utf-8"))
        except ValueError as exc:
            warn(f"Ignoring corrupt registry cache {self.path} ({exc}); rewriting it")
            return None

    def _read_regular_file(self) -> bytes | None:
        flags = os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC
        fd = os.open(self.path, flags)  # a symlink fails here (ELOOP)
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                warn(f"Ignoring registry cache {self.path}: not a regular file")
                return None
            if info.st_size > MAX_CACHE_BYTES:
                warn(f"Ignoring registry cache {self.path}: over {MAX_CACHE_BYTES} B")
                return None
            return file.read(MAX_CACHE_BYTES + 1)

    def write(self, snapshot: ListingSnapshot, known: Iterable[str] = ()) -> None:
        """Replace the cache file atomically; a failure only warns.

        Args:
            snapshot: What to cache.
            known: Exact secret values to redact from it (the key), besides
                everything `redact_secrets` removes anyway.
        """
        text = redact_secrets(snapshot.to_json(), known)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_symlink() or (
                self.path.exists() and not self.path.is_file()
            ):
                warn(f"Not writing the registry cache {self.path}: not a regular file")
                return
            fd, tmp = tempfile.mkstemp(
                dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
            )
        except OSError as exc:
            warn(f"Could not write the registry cache {self.path}: {exc}")
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
            Path(tmp).replace(self.path)
        except (OSError, ValueError) as exc:
            warn(f"Could not write the registry cache {self.path}: {exc}")
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
