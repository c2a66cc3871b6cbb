"""Fetching the registry's listings through the package's one HTTP client.

``GET /models`` (no key) and ``GET /models/user`` (with the key) go through
`OpenRouterHTTPClient`, so they get the chat path's key cleaning, redaction,
retries, bounds and typed errors. Parsing stays in ``registry.py``; the cache
in `langchain_openrouter_free._registry_live`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_openrouter_free._client import OpenRouterHTTPClient
from langchain_openrouter_free._registry_live import key_fingerprint
from langchain_openrouter_free._retry import RetryPolicy
from langchain_openrouter_free.errors import OpenRouterServerError, redact_secrets

if TYPE_CHECKING:
    import httpx
    from pydantic import SecretStr

__all__ = ["ListingFetcher", "listing_data"]


@dataclass(frozen=True, slots=True)
class ListingFetcher:
    """Reads ``GET /models`` and ``GET /models/user``.

    Attributes:
        base_url: API root without a trailing slash.
        api_key: The cleaned key; sent only to ``/models/user``.
        http_client: Injected client (never closed here), or None for a
            short-lived one per :meth:`session`.
        timeout: Seconds per request.
        max_retries: Retries of 408, 5xx, connection errors and timeouts.
    """

    base_url: str
    api_key: SecretStr | None
    http_client: httpx.Client | None
    timeout: float
    max_retries: int = 2

    @property
    def key_fingerprint(self) -> str | None:
        """The ``key_fingerprint`` of :attr:`api_key`."""
        return key_fingerprint(self.api_key)

    def secrets(self) -> list[str]:
        """The exact secret values this fetcher sends (the key, if any)."""
        return [self.api_key.get_secret_value()] if self.api_key is not None else []

    def redact(self, text: str) -> str:
        """Remove the exact key, and anything shaped like a key, from ``text``."""
        return redact_secrets(text, self.secrets())

    @contextlib.contextmanager
    def session(self) -> Iterator[OpenRouterHTTPClient]:
        """An HTTP client for one refresh, closed at the end (unless injected)."""
        headers = {"Accept": "application/json"}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        http = OpenRouterHTTPClient(
            base_url=self.base_url,
            headers=headers,
            timeout=self.timeout,
            retry=RetryPolicy(max_retries=self.max_retries),
            client=self.http_client,
        )
        try:
            yield http
        finally:
            http.close()

    @staticmethod
    def get_data(
        http: OpenRouterHTTPClient, path: str, *, authenticate: bool
    ) -> list[Any]:
        """GET a listing endpoint and return its ``data`` list.

        Raises:
            OpenRouterError: The typed error of the last attempt; the key is
                in none of its attributes.
        """
        return http.request_json(
            "GET", path, parse=listing_data, anonymous=not authenticate
        )


def listing_data(body: Any) -> list[Any]:
    """The ``data`` list of a listing answer (the client's parse hook).

    Raises:
        OpenRouterServerError: The answer has no ``data`` list.
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        msg = f"the listing answer has no 'data' list: {str(body)[:200]}"
        raise OpenRouterServerError(msg, body=body)
    return data
