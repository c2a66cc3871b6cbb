"""The I/O seam: OpenRouter HTTP calls over httpx and httpx-sse, with retries.

`OpenRouterHTTPClient` only moves bytes. Every decision is a small pure
function shared by the sync and async paths: what an answer means
(`_check_response`, `_stream_open_error`), which exception a transport failure
becomes (`_transport_error`, `_stream_broken`), and whether and how long to
wait before another attempt (`langchain_openrouter_free._retry.RetryPolicy`).
The sync and async methods differ only in ``await`` and ``async for``.

Nothing here logs or stores request headers: ``Authorization`` holds the key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
)
from typing import TYPE_CHECKING, Any, Final, TypeVar

import httpx
from httpx_sse import EventSource

from langchain_openrouter_free import errors

if TYPE_CHECKING:
    from langchain_openrouter_free._retry import RetryPolicy

__all__ = ["OpenRouterHTTPClient"]

_LOG: Final = logging.getLogger(__name__)
_SNIPPET_CHARS: Final = 200
_STREAM_HEADERS: Final = {"Accept": "text/event-stream", "Cache-Control": "no-store"}

_T = TypeVar("_T")


class OpenRouterHTTPClient:
    """Send requests to the OpenRouter API and turn failures into typed errors.

    The httpx clients are built lazily on first use (building one is not free)
    and reused, so connections are pooled across calls. An injected client is
    used as is and never closed here; the headers are sent with every request,
    so an injected client gets them too.

    Example:
        ```python
        http = OpenRouterHTTPClient(
            base_url="https://openrouter.ai/api/v1",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=60.0,
            retry=RetryPolicy(),
        )
        body = http.request_json("GET", "/models")
        with http.stream_events("/chat/completions", payload) as events:
            for data in events:
                ...
        ```
    """

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        timeout: float | None,
        retry: RetryPolicy,
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Configure the client; no connection or httpx client is created yet.

        Args:
            base_url: API root, e.g. ``https://openrouter.ai/api/v1``.
            headers: Headers sent with every request (``Authorization``,
                ``HTTP-Referer``, ``X-Title``, ...).
            timeout: Seconds allowed per request (connect, read, write and
                pool each); None keeps the client's own setting, which for
                the clients built here means no limit.
            retry: The retry policy applied around every request.
            client: An httpx client to use instead of building one.
            async_client: An httpx async client to use instead of building one.
            sleep: How to wait between sync attempts (injectable for tests).
            async_sleep: How to wait between async attempts.
        """
        self._base_url = base_url.rstrip("/")
        self._headers = dict(headers)
        self._timeout = None if timeout is None else httpx.Timeout(timeout)
        self._retry = retry
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._client = client
        self._owns_client = client is None
        self._async_client = async_client
        self._owns_async_client = async_client is None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        """Name the endpoint only; headers (and so the key) are never shown."""
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    # ----------------------------------------------------------------- JSON

    def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one request (retrying per the policy) and return its JSON body.

        Args:
            method: HTTP method, e.g. ``"POST"``.
            path: Path below ``base_url``, e.g. ``"/chat/completions"``.
            json: Request body, sent as JSON when not None.
            params: Query parameters.

        Returns:
            The parsed JSON of the 2xx answer.

        Raises:
            OpenRouterError: The typed error of the last attempt: an error
                status, an ``{"error": ...}`` body, a body that is not JSON,
                a connection failure or a timeout.
        """
        url = self._url(path)
        return self._with_retry(lambda: self._request_once(method, url, json, params))

    async def arequest_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """Async `request_json`: same arguments, result and errors."""
        url = self._url(path)
        return await self._awith_retry(
            lambda: self._arequest_once(method, url, json, params)
        )

    def _request_once(
        self, method: str, url: str, body: Any, params: Mapping[str, Any] | None
    ) -> Any:
        client = self._get_client()
        try:
            response = client.request(
                method,
                url,
                json=body,
                params=params,
                **self._send_options(stream=False),
            )
        except httpx.RequestError as exc:
            raise _transport_error(exc) from exc
        return _check_response(response.status_code, response.headers, response.content)

    async def _arequest_once(
        self, method: str, url: str, body: Any, params: Mapping[str, Any] | None
    ) -> Any:
        client = self._get_async_client()
        try:
            response = await client.request(
                method,
                url,
                json=body,
                params=params,
                **self._send_options(stream=False),
            )
        except httpx.RequestError as exc:
            raise _transport_error(exc) from exc
        return _check_response(response.status_code, response.headers, response.content)

    # -------------------------------------------------------------- streams

    @contextlib.contextmanager
    def stream_events(self, path: str, json: Any) -> Iterator[Iterator[str]]:
        """POST ``json`` and yield the SSE ``data`` strings of the answer.

        The retry policy wraps the request that opens the stream: an error
        status or a non-stream answer is read, turned into its typed error and
        maybe retried before any event is yielded. Comment lines such as
        ``: OPENROUTER PROCESSING`` and empty events are skipped; ``[DONE]``
        is passed through for the caller to act on.

        Args:
            path: Path below ``base_url``, e.g. ``"/chat/completions"``.
            json: Request body (with ``"stream": true``).

        Yields:
            An iterator of event ``data`` strings. Iterating it raises
            `OpenRouterStreamError` if the connection breaks mid-stream (that
            is never retried). The response is closed when the block exits.

        Raises:
            OpenRouterError: The typed error of the last attempt to open the
                stream.
        """
        url = self._url(path)
        response = self._with_retry(lambda: self._open_stream_once(url, json))
        events = _iter_data(response)
        try:
            yield events
        finally:
            try:
                events.close()
            finally:
                response.close()

    @contextlib.asynccontextmanager
    async def astream_events(
        self, path: str, json: Any
    ) -> AsyncIterator[AsyncIterator[str]]:
        """Async `stream_events`: same arguments and errors.

        Args:
            path: Path below ``base_url``.
            json: Request body (with ``"stream": true``).

        Yields:
            An async iterator of event ``data`` strings.
        """
        url = self._url(path)
        response = await self._awith_retry(lambda: self._aopen_stream_once(url, json))
        events = _aiter_data(response)
        try:
            yield events
        finally:
            try:
                await events.aclose()
            finally:
                await response.aclose()

    def _open_stream_once(self, url: str, body: Any) -> httpx.Response:
        client = self._get_client()
        request = client.build_request(
            "POST", url, json=body, **self._send_options(stream=True)
        )
        try:
            response = client.send(request, stream=True)
        except httpx.RequestError as exc:
            raise _transport_error(exc) from exc
        if _is_event_stream(response.status_code, response.headers):
            return response
        try:
            content = response.read()
        except httpx.RequestError as exc:
            raise _transport_error(exc) from exc
        finally:
            response.close()
        raise _stream_open_error(response.status_code, response.headers, content)

    async def _aopen_stream_once(self, url: str, body: Any) -> httpx.Response:
        client = self._get_async_client()
        request = client.build_request(
            "POST", url, json=body, **self._send_options(stream=True)
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.RequestError as exc:
            raise _transport_error(exc) from exc
        if _is_event_stream(response.status_code, response.headers):
            return response
        try:
            content = await response.aread()
        except httpx.RequestError as exc:
            raise _transport_error(exc) from exc
        finally:
            await response.aclose()
        raise _stream_open_error(response.status_code, response.headers, content)

    # ---------------------------------------------------------- retry loops

    def _with_retry(self, attempt_once: Callable[[], _T]) -> _T:
        attempt = 0
        while True:
            try:
                return attempt_once()
            except errors.OpenRouterError as error:
                delay = self._retry_delay(attempt, error)
                if delay is None:
                    raise
            self._sleep(delay)
            attempt += 1

    async def _awith_retry(self, attempt_once: Callable[[], Awaitable[_T]]) -> _T:
        attempt = 0
        while True:
            try:
                return await attempt_once()
            except errors.OpenRouterError as error:
                delay = self._retry_delay(attempt, error)
                if delay is None:
                    raise
            await self._async_sleep(delay)
            attempt += 1

    def _retry_delay(self, attempt: int, error: errors.OpenRouterError) -> float | None:
        """The wait before the next attempt, or None to give up (and log it)."""
        if not self._retry.should_retry(attempt, error):
            _LOG.debug(
                "OpenRouter request failed with %s (status %s); not retrying",
                type(error).__name__,
                _status_of(error),
            )
            return None
        delay = self._retry.delay(attempt, error)
        _LOG.info(
            "OpenRouter request failed with %s (status %s); retry %d of %d in %.2fs",
            type(error).__name__,
            _status_of(error),
            attempt + 1,
            self._retry.max_retries,
            delay,
        )
        return delay

    # -------------------------------------------------------------- clients

    def _url(self, path: str) -> str:
        return f"{self._base_url}/{path.lstrip('/')}"

    def _send_options(self, *, stream: bool) -> dict[str, Any]:
        """Per-request headers and timeout (a None timeout: the client's own)."""
        headers = {**self._headers, **_STREAM_HEADERS} if stream else self._headers
        options: dict[str, Any] = {"headers": headers}
        if self._timeout is not None:
            options["timeout"] = self._timeout
        return options

    def _get_client(self) -> httpx.Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = _new_client()
        return self._client

    def _get_async_client(self) -> httpx.AsyncClient:
        if not self._owns_async_client and self._async_client is not None:
            return self._async_client
        # A pooled async connection belongs to the event loop that opened it,
        # so a built client is rebuilt when called from a different loop
        # (for example, a second ``asyncio.run``).
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._async_loop is not loop:
            self._async_client = _new_async_client()
            self._async_loop = loop
        return self._async_client

    def close(self) -> None:
        """Close the sync httpx client if this object built it.

        Injected clients are left open; their owner closes them.
        """
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close every httpx client this object built (async and sync).

        Injected clients are left open; their owner closes them.
        """
        self.close()
        if self._owns_async_client and self._async_client is not None:
            client, self._async_client = self._async_client, None
            if self._async_loop is asyncio.get_running_loop():
                await client.aclose()
            self._async_loop = None


# ------------------------------------------------------- pure decision helpers


def _new_client() -> httpx.Client:
    """Build the default sync client.

    Its own timeout is "no limit": `OpenRouterHTTPClient` passes its
    ``timeout`` with every request, and a ``timeout`` of None means no limit.
    """
    return httpx.Client(timeout=None)  # noqa: S113 - per-request timeout governs


def _new_async_client() -> httpx.AsyncClient:
    """Build the default async client (no own timeout, as `_new_client`)."""
    return httpx.AsyncClient(timeout=None)  # noqa: S113 - per-request timeout governs


def _is_success(status: int) -> bool:
    return 200 <= status < 300  # noqa: PLR2004


def _is_event_stream(status: int, headers: Mapping[str, str]) -> bool:
    content_type = headers.get("content-type", "").partition(";")[0].strip()
    return _is_success(status) and content_type.lower() == "text/event-stream"


def _decode(content: bytes) -> tuple[Any, bool]:
    """Parse a body as JSON, tolerating leading keep-alive whitespace.

    Returns:
        ``(parsed, True)`` for JSON, else ``(text, False)``.
    """
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        return json.loads(text), True
    except ValueError:
        return text, False


def _api_error(
    status: int, headers: Mapping[str, str], body: Any
) -> errors.OpenRouterAPIError | None:
    """The typed error an answer carries, or None for a usable 2xx body."""
    if not _is_success(status):
        return errors.error_from_response(status, body, headers)
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        return errors.error_from_body(body["error"], headers=headers, body=body)
    return None


def _check_response(status: int, headers: Mapping[str, str], content: bytes) -> Any:
    """Return the parsed JSON of a usable answer, else raise its typed error.

    Raises:
        OpenRouterAPIError: For an error status or an ``{"error": ...}`` body.
        OpenRouterServerError: For a 2xx body that is not JSON.
    """
    body, is_json = _decode(content)
    error = _api_error(status, headers, body)
    if error is not None:
        raise error
    if not is_json:
        msg = (
            f"OpenRouter answered HTTP {status} with a body that is not JSON: "
            f"{_snippet(body)}"
        )
        raise errors.OpenRouterServerError(msg, headers=headers, body=body)
    return body


def _stream_open_error(
    status: int, headers: Mapping[str, str], content: bytes
) -> errors.OpenRouterAPIError:
    """The error for an answer to a stream request that is not an event stream."""
    body, _ = _decode(content)
    error = _api_error(status, headers, body)
    if error is not None:
        return error
    content_type = headers.get("content-type", "")
    msg = (
        "expected an event stream (text/event-stream) but OpenRouter answered "
        f"HTTP {status} with Content-Type {content_type!r}: {_snippet(body)}"
    )
    return errors.OpenRouterServerError(msg, headers=headers, body=body)


def _transport_error(exc: httpx.RequestError) -> errors.OpenRouterError:
    """Map an httpx failure before or while reading an answer to a typed error."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return errors.OpenRouterTimeoutError(
            f"OpenRouter did not answer in time ({detail})"
        )
    if isinstance(exc, httpx.TransportError):
        return errors.OpenRouterConnectionError(
            f"Could not reach OpenRouter ({detail})"
        )
    return errors.OpenRouterServerError(
        f"OpenRouter sent an answer that could not be read ({detail})"
    )


def _stream_broken(exc: httpx.RequestError) -> errors.OpenRouterStreamError:
    """Map a failure while reading events; the stream cannot be resumed."""
    return errors.OpenRouterStreamError(
        f"The OpenRouter event stream broke off ({type(exc).__name__}: {exc})"
    )


def _status_of(error: errors.OpenRouterError) -> int | str:
    if isinstance(error, errors.OpenRouterAPIError):
        return error.status_code
    return "none"


def _snippet(value: Any) -> str:
    text = (value if isinstance(value, str) else repr(value)).strip()
    if not text:
        return "(empty body)"
    if len(text) > _SNIPPET_CHARS:
        return text[:_SNIPPET_CHARS] + "..."
    return text


# ------------------------------------------------------------- event readers


def _iter_data(response: httpx.Response) -> Generator[str, None, None]:
    try:
        for event in EventSource(response).iter_sse():
            if event.data:
                yield event.data
    except httpx.RequestError as exc:
        raise _stream_broken(exc) from exc


async def _aiter_data(response: httpx.Response) -> AsyncGenerator[str, None]:
    try:
        async with contextlib.aclosing(EventSource(response).aiter_sse()) as events:
            async for event in events:
                if event.data:
                    yield event.data
    except httpx.RequestError as exc:
        raise _stream_broken(exc) from exc
