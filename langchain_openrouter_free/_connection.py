"""Connection settings shared by every OpenRouter model class of the package.

`OpenRouterConnection` holds what the HTTP client is built from (key, base
URL, attribution headers, timeout, retries, injected httpx clients) and builds
one `OpenRouterHTTPClient` from them, lazily and once. ``ChatOpenRouterFree``,
``OpenRouterFreeEmbeddings`` and ``OpenRouterFreeRerank`` inherit it, so a key
is cleaned, a header checked, a copy given its own client and a changed
setting honoured in exactly one place.
"""

from __future__ import annotations

import copy
import threading
import weakref
from typing import TYPE_CHECKING, Any, Final, Self

import httpx  # noqa: TC002 - pydantic reads the field types at runtime
from langchain_core.utils import from_env, secret_from_env
from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from langchain_openrouter_free._bounds import (
    DEFAULT_MAX_LINE_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TOTAL_TIMEOUT,
    Bounds,
)
from langchain_openrouter_free._budget import BUDGET_FIELDS, FreeTierSettings
from langchain_openrouter_free._client import OpenRouterHTTPClient, merge_headers
from langchain_openrouter_free._constants import DEFAULT_BASE_URL
from langchain_openrouter_free._preflight import require_api_key
from langchain_openrouter_free._request import (
    check_base_url,
    check_header_values,
    clean_api_key,
    mask_credential_headers,
    mask_url_credentials,
)
from langchain_openrouter_free._retry import RetryPolicy

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = ["CONNECTION_FIELDS", "OpenRouterConnection"]

CONNECTION_FIELDS: Final = frozenset(
    {
        "api_key",
        "base_url",
        "app_url",
        "app_title",
        "default_headers",
        "timeout",
        "total_timeout",
        "max_response_bytes",
        "max_line_bytes",
        "max_retries",
        "fallbacks",
        "http_client",
        "http_async_client",
        *BUDGET_FIELDS,
    }
)
"""Fields the HTTP client is built from: assigning one drops the built client."""
_CLIENT_LOCK: Final = threading.Lock()
"""Guards building a model's HTTP client (and dropping it on a config change).

Module level on purpose: a lock attribute on the model would make it
impossible to deep-copy.
"""


class OpenRouterConnection(FreeTierSettings):
    """How to reach OpenRouter: key, URL, headers, timeout, retries, clients.

    It includes the free-tier budget settings (`FreeTierSettings`): every
    model built on it counts its free-model attempts in the account's budget.

    A mixin of pydantic fields; the classes that inherit it set their own
    ``model_config`` (``hide_input_in_errors=True`` keeps the key out of
    validation errors).
    """

    model_config = ConfigDict(
        arbitrary_types_allowed=True, hide_input_in_errors=True, defer_build=True
    )

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("OPENROUTER_API_KEY", default=None),
        validate_default=True,
    )
    """The API key; defaults to env ``OPENROUTER_API_KEY``.

    Surrounding whitespace (the newline of a key read from a file, the
    carriage return of a CRLF env file) is stripped; a key with whitespace or
    control characters inside is refused with an error that does not quote it.
    """
    base_url: str = Field(
        default_factory=from_env("OPENROUTER_BASE_URL", default=DEFAULT_BASE_URL)
    )
    """API root; defaults to env ``OPENROUTER_BASE_URL`` or OpenRouter's."""
    app_url: str | None = None
    """Sent as ``HTTP-Referer`` for app attribution."""
    app_title: str | None = None
    """Sent as ``X-OpenRouter-Title`` and ``X-Title``."""
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    """Extra headers; they override ours case-insensitively.

    Not shown in ``repr``. The key belongs in ``api_key``: a credential header
    here (``Authorization``, ``X-API-Key``, ``Cookie``,
    ``Proxy-Authorization``) is left out of serialized dumps, so a loaded
    model sends its ``api_key`` instead.
    """
    timeout: float | None = Field(default=120.0, gt=0, allow_inf_nan=False)
    """Seconds httpx waits to connect, to send and for each read of the answer.

    Each read, not the whole request: OpenRouter's keep-alive whitespace
    during a long non-streaming answer starts the clock again. None: no limit.
    See ``total_timeout`` for the bound on the whole call.
    """
    total_timeout: float | None = Field(
        default=DEFAULT_TOTAL_TIMEOUT, gt=0, allow_inf_nan=False
    )
    """Seconds one whole call may take, retries and streaming included.

    Keep-alive comments and a slowly trickling body cannot stretch it: every
    chunk read checks it, and no read waits longer than what is left. A call
    that runs out raises `OpenRouterTimeoutError` (`OpenRouterStreamTimeoutError`
    once a stream has started). None: no limit.
    """
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    """Largest decoded (decompressed) answer body read, in bytes.

    A bigger one raises `OpenRouterResponseTooLargeError` (never retried);
    bounds the memory a compression bomb can take.
    """
    max_line_bytes: int = Field(default=DEFAULT_MAX_LINE_BYTES, gt=0)
    """Longest single line of an event stream, in bytes (a longer one raises
    `OpenRouterResponseTooLargeError`)."""
    max_retries: int = Field(default=2, ge=0)
    """Retries of 408, 5xx, connection errors and timeouts (0: one attempt)."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` to use instead of the built-in one."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` to use instead of the built-in one."""

    _http: OpenRouterHTTPClient | None = PrivateAttr(default=None)

    @field_validator("api_key", mode="after")
    @classmethod
    def _clean_api_key(cls, value: SecretStr | None) -> SecretStr | None:
        return clean_api_key(value)

    @field_validator("base_url", mode="after")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("app_url", "app_title", mode="after")
    @classmethod
    def _check_attribution(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            check_header_values({"value": value}, field=str(info.field_name))
        return value

    @field_serializer("base_url")
    def _dump_base_url(self, value: str) -> str:
        return mask_url_credentials(value)

    @field_serializer("default_headers")
    def _dump_default_headers(
        self, value: dict[str, str] | None
    ) -> dict[str, str] | None:
        return mask_credential_headers(value)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Fields for ``repr``, with the credentials of ``base_url`` masked."""
        for name, value in super().__repr_args__():
            yield name, mask_url_credentials(value) if name == "base_url" else value

    def __getstate__(self) -> dict[Any, Any]:
        """Pickle the settings, never the built HTTP client (locks, sockets)."""
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private and private.get("_http") is not None:
            state = {**state, "__pydantic_private__": {**private, "_http": None}}
        return state

    @field_validator("default_headers", mode="after")
    @classmethod
    def _check_header_values(
        cls, value: dict[str, str] | None
    ) -> dict[str, str] | None:
        return check_header_values(value, field="default_headers")

    # ------------------------------------------------------------------
    # Copies and changes: never share or keep a client built for other settings
    # ------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        """Set a field; a connection setting also drops the built HTTP client.

        The client is built from the key, URL, headers, timeout and retries,
        so after ``model.api_key = ...`` the next call builds a new one. The
        replaced client is closed at once (see `OpenRouterHTTPClient.close`).
        """
        if name not in CONNECTION_FIELDS:
            super().__setattr__(name, value)
            return
        if name == "api_key":
            value = clean_api_key(value)
        with _CLIENT_LOCK:
            super().__setattr__(name, value)
            replaced, self._http = self._http, None
        if replaced is not None:
            replaced.close()  # its sockets now, not when the model is collected

    def __copy__(self) -> Self:
        """Copy the model; the copy builds its own HTTP client on first use."""
        copied = super().__copy__()
        copied._http = None  # noqa: SLF001 - the copy's own private state
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """Deep-copy the model, except its HTTP clients.

        The built client holds locks and sockets: the copy builds its own on
        first use. Injected ``http_client`` / ``http_async_client`` belong to
        the caller and are shared, as a shallow copy shares them.
        """
        memo = {} if memo is None else memo
        for client in (self.http_client, self.http_async_client):
            if client is not None:
                memo.setdefault(id(client), client)
        if self._http is not None:
            memo.setdefault(id(self._http), None)
        return super().__deepcopy__(memo)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self:
        """Copy the model (see `pydantic.BaseModel.model_copy`).

        The copy never shares the built HTTP client, so an updated
        ``api_key`` or ``base_url`` is used by the copy's first call; an
        updated ``api_key`` is cleaned as at construction.
        """
        if update and "api_key" in update:
            update = {**update, "api_key": clean_api_key(update["api_key"])}
        source = copy.deepcopy(self) if deep else self
        return super(OpenRouterConnection, source).model_copy(update=update)

    # ------------------------------------------------------------------
    # The HTTP client
    # ------------------------------------------------------------------

    def _require_key(self) -> None:
        """Refuse, before sending, to call openrouter.ai without a key.

        Raises:
            OpenRouterMissingKeyError: Naming ``OPENROUTER_API_KEY``.
        """
        require_api_key(
            has_key=bool(self.api_key and self.api_key.get_secret_value()),
            base_url=self.base_url,
            header_names=self.default_headers or (),
        )

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key is not None and self.api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        if self.app_title:
            headers["X-OpenRouter-Title"] = self.app_title
            headers["X-Title"] = self.app_title
        return merge_headers(headers, self.default_headers or {})

    def _client(self) -> OpenRouterHTTPClient:
        http = self._http
        if http is not None:
            return http
        # Threads of one ``batch()`` may all get here first: build one client.
        with _CLIENT_LOCK:
            http = self._http
            if http is None:
                http = OpenRouterHTTPClient(
                    base_url=self.base_url,
                    headers=self._headers(),
                    timeout=self.timeout,
                    retry=RetryPolicy(
                        max_retries=self.max_retries,
                        # With fallbacks an upstream 429 moves to the next
                        # model (the call plan) instead of backing off here.
                        rate_limit_failover=getattr(self, "fallbacks", None)
                        is not None,
                        max_rate_limit_wait=self.max_rate_limit_wait,
                    ),
                    limits=Bounds(
                        total_timeout=self.total_timeout,
                        max_body_bytes=self.max_response_bytes,
                        max_line_bytes=self.max_line_bytes,
                    ),
                    client=self.http_client,
                    async_client=self.http_async_client,
                    budget=self._budget(
                        self.api_key,
                        self.base_url,
                        injected_client=self.http_client is not None
                        or self.http_async_client is not None,
                    ),
                )
                self._http = http
                # Close the built-in pool when the model is collected, so
                # creating many models leaks no sockets (an injected client is
                # left alone).
                weakref.finalize(self, http.close)
        return http

    def close(self) -> None:
        """Close the built-in HTTP client (an injected one is left open)."""
        if self._http is not None:
            self._http.close()

    async def aclose(self) -> None:
        """Close the built-in async HTTP client (an injected one is left open)."""
        if self._http is not None:
            await self._http.aclose()
