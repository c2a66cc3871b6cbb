"""Where one account's free-tier budget lives: memory, SQLite or Redis.

A store holds three things for one account (named by a key fingerprint, never
the key): the rolling window of recent free-model requests (a pyrate-limiter
bucket, sliding-window log), the time until which the daily cap blocks every
free-model request, and how many attempts were made on each UTC day.

The store is named by a URL:

- ``memory://``: this process only (the default);
- ``sqlite:///path/to/file.db`` (``sqlite://relative.db`` for a relative
  path): every process on one machine; pyrate-limiter's `SQLiteBucket` with
  its file lock, so the count-then-insert of one request is atomic across
  processes, and the block and the counts are read and written under the
  same lock;
- ``redis://host:port/db``: every machine that reaches the server;
  pyrate-limiter's `RedisBucket` (an atomic Lua check-and-insert). Needs the
  ``redis`` extra.

Times are epoch milliseconds from the caller's clock; the stores never read
a clock themselves.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from langchain_openrouter_free.errors import OpenRouterConfigurationError

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

    from pyrate_limiter import AbstractBucket

__all__ = ["BudgetStore", "open_store"]

_KEY_PREFIX: Final = "langchain-openrouter-free"
_DAY_SECONDS: Final = 86_400
_KEEP_LATER_BLOCK: Final = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
    redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
end
"""
"""Set the block unless a later one is stored (atomic on the server)."""


class BudgetStore(ABC):
    """One account's window, daily block and daily attempt counts."""

    def __init__(self, bucket: AbstractBucket) -> None:
        """Wrap the bucket that holds the rolling window.

        Args:
            bucket: A pyrate-limiter bucket with one rate.
        """
        self.bucket = bucket

    def admit(self, now_ms: int) -> int | None:
        """Count one request now if the window has room.

        Args:
            now_ms: The current time, epoch milliseconds.

        Returns:
            None when the request was admitted (and counted), else the
            milliseconds until the window has room.
        """
        from pyrate_limiter import RateItem  # noqa: PLC0415 - lazy import

        self.bucket.leak(now_ms)
        decision = self.bucket.put_decision(RateItem("request", now_ms))
        if decision.allowed:  # type: ignore[union-attr] # sync buckets only
            return None
        wait = decision.retry_after_ms  # type: ignore[union-attr]
        return max(1, int(wait)) if wait is not None else 1

    @abstractmethod
    def blocked_until(self) -> float | None:
        """Epoch seconds until which free requests are blocked, if any."""

    @abstractmethod
    def block_until(self, until: float) -> None:
        """Block free requests until ``until`` (epoch seconds); keep a later block.

        Args:
            until: Epoch seconds.
        """

    @abstractmethod
    def add_attempt(self, day: str) -> int:
        """Count one attempt on a UTC day.

        Args:
            day: ``YYYY-MM-DD``.

        Returns:
            The day's count, this attempt included.
        """

    @abstractmethod
    def attempts(self, day: str) -> int:
        """Attempts counted on a UTC day.

        Args:
            day: ``YYYY-MM-DD``.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections (the in-memory store has none)."""


class MemoryStore(BudgetStore):
    """This process only: a list-backed bucket and two plain fields."""

    def __init__(self, bucket: AbstractBucket) -> None:
        """Create an empty store around ``bucket``."""
        super().__init__(bucket)
        self._lock = threading.Lock()
        self._blocked_until: float | None = None
        self._attempts: dict[str, int] = {}

    def blocked_until(self) -> float | None:
        """See `BudgetStore.blocked_until`."""
        return self._blocked_until

    def block_until(self, until: float) -> None:
        """See `BudgetStore.block_until`."""
        with self._lock:
            self._blocked_until = max(until, self._blocked_until or until)

    def add_attempt(self, day: str) -> int:
        """See `BudgetStore.add_attempt`."""
        with self._lock:
            count = self._attempts.get(day, 0) + 1
            self._attempts = {day: count}  # older days are of no use
            return count

    def attempts(self, day: str) -> int:
        """See `BudgetStore.attempts`."""
        return self._attempts.get(day, 0)


class SQLiteStore(BudgetStore):
    """Every process on one machine: one SQLite file, one file lock."""

    def __init__(self, bucket: AbstractBucket, account: str) -> None:
        """Create the state table next to the bucket's (same file, same lock).

        Args:
            bucket: A `pyrate_limiter.SQLiteBucket` made with a file lock.
            account: The account's fingerprint.
        """
        super().__init__(bucket)
        self._account = account
        with self._transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS budget_state (account TEXT NOT NULL, "
                "name TEXT NOT NULL, value REAL NOT NULL, "
                "PRIMARY KEY (account, name))"
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        bucket: Any = self.bucket
        with bucket.lock:
            conn: sqlite3.Connection = bucket.conn
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _read(self, name: str) -> float | None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT value FROM budget_state WHERE account = ? AND name = ?",
                (self._account, name),
            ).fetchone()
        return None if row is None else float(row[0])

    def blocked_until(self) -> float | None:
        """See `BudgetStore.blocked_until`."""
        return self._read("blocked_until")

    def block_until(self, until: float) -> None:
        """See `BudgetStore.block_until`."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO budget_state VALUES (?, 'blocked_until', ?) "
                "ON CONFLICT (account, name) DO UPDATE SET "
                "value = max(value, excluded.value)",
                (self._account, until),
            )

    def add_attempt(self, day: str) -> int:
        """See `BudgetStore.add_attempt`."""
        name = f"attempts:{day}"
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM budget_state WHERE account = ? "
                "AND name LIKE 'attempts:%' AND name != ?",
                (self._account, name),
            )
            conn.execute(
                "INSERT INTO budget_state VALUES (?, ?, 1) ON CONFLICT "
                "(account, name) DO UPDATE SET value = value + 1",
                (self._account, name),
            )
            row = conn.execute(
                "SELECT value FROM budget_state WHERE account = ? AND name = ?",
                (self._account, name),
            ).fetchone()
        return int(row[0])

    def attempts(self, day: str) -> int:
        """See `BudgetStore.attempts`."""
        return int(self._read(f"attempts:{day}") or 0)

    def close(self) -> None:
        """Close the SQLite connection."""
        bucket: Any = self.bucket
        bucket.close()


class RedisStore(BudgetStore):
    """Every machine that reaches one Redis server."""

    def __init__(self, bucket: AbstractBucket, client: Any, account: str) -> None:
        """Keep the client for the block and the counts.

        Args:
            bucket: A `pyrate_limiter.RedisBucket` on ``client``.
            client: A sync ``redis.Redis``.
            account: The account's fingerprint.
        """
        super().__init__(bucket)
        self._redis = client
        self._prefix = f"{_KEY_PREFIX}:{account}"

    def blocked_until(self) -> float | None:
        """See `BudgetStore.blocked_until`."""
        value = self._redis.get(f"{self._prefix}:blocked_until")
        return None if value is None else float(value)

    def block_until(self, until: float) -> None:
        """See `BudgetStore.block_until`."""
        expires = int(until) + _DAY_SECONDS
        key = f"{self._prefix}:blocked_until"
        self._redis.eval(_KEEP_LATER_BLOCK, 1, key, repr(float(until)), expires)

    def add_attempt(self, day: str) -> int:
        """See `BudgetStore.add_attempt`."""
        key = f"{self._prefix}:attempts:{day}"
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, 2 * _DAY_SECONDS)
        count, _ = pipe.execute()
        return int(count)

    def attempts(self, day: str) -> int:
        """See `BudgetStore.attempts`."""
        value = self._redis.get(f"{self._prefix}:attempts:{day}")
        return 0 if value is None else int(value)

    def close(self) -> None:
        """Close the Redis connection pool."""
        self._redis.close()


def open_store(url: str, *, account: str, limit: int, window_ms: int) -> BudgetStore:
    """Open the store a URL names, for one account and one rate.

    Args:
        url: ``memory://``, ``sqlite:///path`` or ``redis://host:port/db``.
        account: The account's key fingerprint (never the key).
        limit: Requests allowed per window.
        window_ms: The window, milliseconds.

    Returns:
        The store.

    Raises:
        OpenRouterConfigurationError: The URL names no supported store, or
            its extra is not installed.
    """
    from pyrate_limiter import Rate  # noqa: PLC0415 - lazy: only when enabled

    scheme = urlsplit(url).scheme.lower()
    rates = [Rate(limit, window_ms)]
    if scheme == "memory":
        from pyrate_limiter import InMemoryBucket  # noqa: PLC0415

        return MemoryStore(InMemoryBucket(rates))
    if scheme == "sqlite":
        return _sqlite_store(url, account, rates)
    if scheme in {"redis", "rediss"}:
        return _redis_store(url, account, rates)
    msg = (
        f"rate_limit_store {url!r} is not supported: use "
        "'memory://', 'sqlite:///path/to/file.db' or 'redis://host:port/db'"
    )
    raise OpenRouterConfigurationError(msg)


def _sqlite_store(url: str, account: str, rates: list[Any]) -> BudgetStore:
    from pyrate_limiter import SQLiteBucket  # noqa: PLC0415

    path = url.split("://", 1)[1]
    if not path or path.endswith("/"):
        msg = "rate_limit_store 'sqlite://' needs a file: 'sqlite:///path/to/file.db'"
        raise OpenRouterConfigurationError(msg)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        bucket = SQLiteBucket.init_from_file(
            rates, table=f"window_{account}", db_path=path, use_file_lock=True
        )
    except ImportError as exc:
        msg_0 = "sqlite"
        raise _missing_extra(msg_0, "filelock") from exc
    return SQLiteStore(bucket, account)


def _redis_store(url: str, account: str, rates: list[Any]) -> BudgetStore:
    from pyrate_limiter import RedisBucket  # noqa: PLC0415

    try:
        import redis  # noqa: PLC0415
    except ImportError as exc:
        msg = "redis"
        raise _missing_extra(msg, "redis") from exc
    client = redis.Redis.from_url(url)
    bucket = RedisBucket.init(rates, client, f"{_KEY_PREFIX}:{account}:window")
    return RedisStore(bucket, client, account)


def _missing_extra(extra: str, package: str) -> OpenRouterConfigurationError:
    return OpenRouterConfigurationError(
        f"this rate_limit_store needs the {package!r} package: "
        f"pip install 'langchain-openrouter-free[{extra}]'"
    )
