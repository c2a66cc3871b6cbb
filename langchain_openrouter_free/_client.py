"""The I/O seam: OpenRouter HTTP calls over httpx, with retries and bounds.

`OpenRouterHTTPClient` only moves bytes. Every decision is a small pure
function shared by the sync and async paths: what an answer means
(`langchain_openrouter_free._answers`), how raw bytes become a body or events
within the time and size bounds (`langchain_openrouter_free._bounds`; the
event-stream reader is ours rather than httpx-sse's because a line must be
refused at a size cap before it is held whole), which exception a transport failure
becomes (`_transport_error`, `_stream_broken`), whether and how long to wait
before another attempt (`langchain_openrouter_free._retry.RetryPolicy`, run by
`langchain_openrouter_free._retry_loop.RetryLoop`), and how a pooled async
client can be closed (`langchain_openrouter_free._pool`). The sync and async
methods differ only in ``await`` and ``async for``.

Each body is encoded once per call (`_preflight.encode_body`, with httpx's
settings) and sent by every attempt; the URL and the headers httpx merges
from the client's defaults and ours are made once per kind of request
(`_Shape`) and reused while the client's headers stay the same.

Nothing here logs or stores request headers: ``Authorization`` holds the key.
An httpx failure can quote a header value (h11 refuses a value with a newline
by printing it), so a typed error built from one is raised ``from None``,
keeps no reference to it, and carries a redacted description instead
(`_describe_cause`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import httpx

from langchain_openrouter_free import _answers as answers
from langchain_openrouter_free import _pool as pool
from langchain_openrouter_free import errors
from langchain_openrouter_free._bounds import (
    ACCEPTED_ENCODINGS,
    BodyReader,
    Bounds,
    Deadline,
    StreamReader,
)
from langchain_openrouter_free._constants import CREDENTIAL_HEADERS
from langchain_openrouter_free._preflight import encode_body
from langchain_openrouter_free._retry_loop import RetryLoop
from langchain_openrouter_free.quota import KEY_PATH, parse_quota

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterator,
        Awaitable,
        Callable,
        Generator,
        Iterator,
        Mapping,
        Sequence,
    )

    from langchain_openrouter_free._budget import Budget
    from langchain_openrouter_free._retry import RetryPolicy

__all__ = ["OpenRouterHTTPClient", "merge_headers"]

_LOG: Final = logging.getLogger(__name__)
_STREAM_HEADERS: Final = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
_T = TypeVar("_T")
_MAX_SHAPES: Final = 32
_TIMEOUT_KINDS: Final = ("connect", "read", "write", "pool")


@dataclasses.dataclass(frozen=True, slots=True)
class _JsonRequest:
    """One JSON request, as every attempt of it is sent."""

    method: str
    url: str
    content: bytes | None
    """The JSON body, encoded once (`encode_body`) for every attempt."""
    params: Mapping[str, Any] | None = None
    parse: Callable[[Any], Any] | None = None
    anonymous: bool = False
    stream: bool = False

    @classmethod
    def of(cls, method: str, url: str, json: Any, **options: Any) -> _JsonRequest:
        """The request sending ``json``, refused (naming where) if it is no JSON."""
        content = None if json is None else encode_body(json)
        return cls(method, url, content, **options)


@dataclasses.dataclass(frozen=True, slots=True)
class _Shape:
    """A request's URL and merged headers, reused while the client's stay the same.

    httpx's ``build_request`` parses the URL and merges the client's default
    headers into ours on every call; the result only changes with the
    client's headers, so it is made once per kind of request (`_shape_key`)
    and only the body's ``Content-Length`` is filled in per attempt.
    """

    client_headers: list[tuple[bytes, bytes]]
    url: httpx.URL
    headers: list[tuple[bytes, bytes]]
    length_at: int | None
    """Where ``Content-Length`` is in `headers` (None: a request with no body)."""

    @classmethod
    def of(
        cls,
        client_headers: list[tuple[bytes, bytes]],
        made: httpx.Request,
        *,
        has_body: bool,
    ) -> _Shape:
        """The shape of ``made``, a request httpx built for the same call."""
        raw = made.headers.raw
        names = [name.lower() for name, _ in raw]
        length_at = names.index(b"content-length") if has_body else None
        return cls(client_headers, made.url, raw, length_at)

    def headers_for(self, content: bytes) -> list[tuple[bytes, bytes]]:
        """The headers of a request sending ``content``."""
        if self.length_at is None:
            return self.headers
        headers = self.headers.copy()
        headers[self.length_at] = (headers[self.length_at][0], b"%d" % len(content))
        return headers


class OpenRouterHTTPClient:
    """Send requests to the OpenRouter API and turn failures into typed errors.

    httpx clients are built lazily and pooled, one async client per event loop
    (`langchain_openrouter_free._pool.Clients`); an injected client is used as
    is and never closed here, and gets our headers with every request.

    Example:
        ```python
        http = OpenRouterHTTPClient(
            base_url="https://openrouter.ai/api/v1",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=60.0,
            retry=RetryPolicy(),
        )
        body = http.request_json("GET", "/models")
        completion = http.request_json(
            "POST", "/chat/completions", json=payload, parse=parse_chat_completion
        )
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
        limits: Bounds | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        budget: Budget | None = None,
    ) -> None:
        """Configure the client; no connection or httpx client is created yet.

        Args:
            base_url: API root, e.g. ``https://openrouter.ai/api/v1``.
            headers: Headers sent with every request (``Authorization``,
                ``HTTP-Referer``, ``X-Title``, ...). Their values are
                redacted from the text of every transport error.
            timeout: Seconds allowed per request (connect, read, write and
                pool each); None keeps the client's own setting, which for
                the clients built here means no limit.
            retry: The retry policy applied around every request.
            client: An httpx client to use instead of building one.
            async_client: An httpx async client to use instead of building one.
            limits: The whole-call time limit and the body and line size
                caps (`Bounds`; default: its defaults).
            sleep: How to wait between sync attempts (injectable for tests).
            async_sleep: How to wait between async attempts.
            budget: The free-tier budget consulted around every attempt whose
                body names a free model: a daily-cap block refuses it before
                sending, the limiter counts it (failed attempts and retries
                too), a daily-cap 429 blocks the account.
        """
        self._base_url = base_url.rstrip("/")
        self._headers = dict(headers)
        self._secrets = answers.secret_forms(self._headers)
        self._timeout = timeout
        self._bounds = limits or Bounds()
        self._attempts = RetryLoop(
            retry,
            secrets=self._secrets,
            sleep=sleep,
            async_sleep=async_sleep,
            log=_LOG,
        )
        self._budget = budget
        self._clients = pool.Clients(
            client,
            async_client,
            # Looked up when a client is built: tests swap the factories.
            new_client=lambda: _new_client(),  # noqa: PLW0108
            new_async_client=lambda: _new_async_client(),  # noqa: PLW0108
        )
        self._shapes: dict[tuple[str, str, bool, bool, bool], _Shape] = {}

    def __repr__(self) -> str:
        """Name the endpoint only; headers (and so the key) are never shown."""
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    # ----------------------------------------------------------------- JSON

    @overload
    def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        parse: None = None,
        anonymous: bool = False,
    ) -> Any: ...

    @overload
    def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        parse: Callable[[Any], _T],
        anonymous: bool = False,
    ) -> _T: ...

    def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        parse: Callable[[Any], Any] | None = None,
        anonymous: bool = False,
    ) -> Any:
        """Send one request (retrying per the policy) and return its JSON body.

        Args:
            method: HTTP method, e.g. ``"POST"``.
            path: Path below ``base_url``, e.g. ``"/chat/completions"``.
            json: Request body, sent as JSON when not None.
            params: Query parameters.
            parse: Applied to the parsed JSON inside every attempt; its result
                is returned. An `OpenRouterError` it raises (say, an
                `OpenRouterServerError` for ``choices: null``) goes through
                the retry policy like an error status; any other exception
                propagates at once.
            anonymous: Leave the credential headers (``Authorization`` and
                friends) out of this request, for endpoints that need no key
                (``GET /models``).

        Returns:
            The parsed JSON of the 2xx answer, or what ``parse`` made of it.

        Raises:
            OpenRouterError: The typed error of the last attempt: an error
                status, an ``{"error": ...}`` body, a body that is not JSON,
                an error from ``parse``, a connection failure or a timeout.
            OpenRouterConfigurationError: httpx refused to send the request
                (an illegal header value, a bad URL scheme); never retried.
        """
        options = {"params": params, "parse": parse, "anonymous": anonymous}
        call = _JsonRequest.of(method, self._url(path), json, **options)
        deadline = self._bounds.deadline()
        return self._attempts.run(
            lambda: self._request_once(call, deadline), deadline, self._guard(json)
        )

    @overload
    async def arequest_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        parse: None = None,
        anonymous: bool = False,
    ) -> Any: ...

    @overload
    async def arequest_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        parse: Callable[[Any], _T],
        anonymous: bool = False,
    ) -> _T: ...

    async def arequest_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        parse: Callable[[Any], Any] | None = None,
        anonymous: bool = False,
    ) -> Any:
        """Async `request_json`: same arguments, result and errors."""
        options = {"params": params, "parse": parse, "anonymous": anonymous}
        call = _JsonRequest.of(method, self._url(path), json, **options)
        deadline = self._bounds.deadline()
        return await self._attempts.arun(
            lambda: self._arequest_once(call, deadline),
            deadline,
            await self._aguard(json),
        )

    def _request_once(self, call: _JsonRequest, deadline: Deadline) -> Any:
        client = self._clients.sync()
        request = self._build(client, call, deadline)
        try:
            response = client.send(request, stream=True)
            try:
                body = BodyReader(_encoding(response), self._bounds, deadline)
                for raw in _raw_chunks(response):
                    body.feed(raw)
            finally:
                response.close()
        except httpx.RequestError as exc:
            error = self._transport_error(exc)
        else:
            return _parsed(response, body.finish(), call.parse)
        raise error from None  # outside the handler: no __context__ either

    async def _arequest_once(self, call: _JsonRequest, deadline: Deadline) -> Any:
        client = self._clients.for_running_loop()
        request = self._build(client, call, deadline)
        try:
            response = await client.send(request, stream=True)
            try:
                body = BodyReader(_encoding(response), self._bounds, deadline)
                async for raw in _araw_chunks(response):
                    body.feed(raw)
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            error = self._transport_error(exc)
        else:
            return _parsed(response, body.finish(), call.parse)
        raise error from None  # outside the handler: no __context__ either

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
            `OpenRouterStreamError` if the connection breaks mid-stream, and
            its subclass `OpenRouterStreamTimeoutError` if the stream goes
            silent longer than the timeout (neither is ever retried). The
            response is closed when the block exits.

        Raises:
            OpenRouterError: The typed error of the last attempt to open the
                stream.
        """
        call = _JsonRequest.of("POST", self._url(path), json, stream=True)
        deadline = self._bounds.deadline()
        budget = self._guard(json)
        response = self._attempts.run(
            lambda: self._open_stream_once(call, deadline), deadline, budget
        )
        events = _iter_data(response, self._reader(response, deadline), self._secrets)
        reusable = True
        try:
            yield events
        except BaseException as exc:
            reusable = self._stream_failed(exc, budget)
            raise
        finally:
            try:
                if reusable:
                    pool.drain(events, pool.DrainBudget(response))
            finally:
                events.close()
                response.close()

    def _stream_failed(self, exc: BaseException, budget: Budget | None) -> bool:
        """Redact and report an error raised inside a stream; may its rest be read?"""
        if isinstance(exc, errors.OpenRouterError):
            exc.redact(self._secrets)
            if budget is not None:  # a daily cap sent as a stream event
                budget.after_error(exc)
        return pool.may_drain(exc)

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
        call = _JsonRequest.of("POST", self._url(path), json, stream=True)
        deadline = self._bounds.deadline()
        budget = await self._aguard(json)
        response = await self._attempts.arun(
            lambda: self._aopen_stream_once(call, deadline), deadline, budget
        )
        reader = self._reader(response, deadline)
        events = _aiter_data(response, reader, self._secrets)
        reusable = True
        try:
            yield events
        except BaseException as exc:
            reusable = self._stream_failed(exc, budget)
            raise
        finally:
            try:
                if reusable:
                    await pool.adrain(events, pool.DrainBudget(response))
            finally:
                await events.aclose()
                await response.aclose()

    def _open_stream_once(
        self, call: _JsonRequest, deadline: Deadline
    ) -> httpx.Response:
        client = self._clients.sync()
        request = self._build(client, call, deadline)
        try:
            response = client.send(request, stream=True)
            if answers.is_event_stream(response.status_code, response.headers):
                return response
            try:
                body = BodyReader(_encoding(response), self._bounds, deadline)
                for raw in _raw_chunks(response):
                    body.feed(raw)
                content = body.finish()
            finally:
                response.close()
        except httpx.RequestError as exc:
            error = self._transport_error(exc)
        else:
            error = answers.stream_open_error(
                response.status_code, response.headers, content
            )
        raise error from None  # outside the handler: no __context__ either

    async def _aopen_stream_once(
        self, call: _JsonRequest, deadline: Deadline
    ) -> httpx.Response:
        client = self._clients.for_running_loop()
        request = self._build(client, call, deadline)
        try:
            response = await client.send(request, stream=True)
            if answers.is_event_stream(response.status_code, response.headers):
                return response
            try:
                body = BodyReader(_encoding(response), self._bounds, deadline)
                async for raw in _araw_chunks(response):
                    body.feed(raw)
                content = body.finish()
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            error = self._transport_error(exc)
        else:
            error = answers.stream_open_error(
                response.status_code, response.headers, content
            )
        raise error from None  # outside the handler: no __context__ either

    # ---------------------------------------------------------- budget

    def _guard(self, payload: Any) -> Budget | None:
        """The budget guarding a request body, after today's quota check."""
        budget = self._budget
        if budget is None or not budget.applies_to(payload):
            return None
        if budget.needs_quota_check():
            budget.quota_seen(self.request_json("GET", KEY_PATH, parse=parse_quota))
        return budget

    async def _aguard(self, payload: Any) -> Budget | None:
        """Async `_guard`."""
        budget = self._budget
        if budget is None or not budget.applies_to(payload):
            return None
        if budget.needs_quota_check():
            quota = await self.arequest_json("GET", KEY_PATH, parse=parse_quota)
            budget.quota_seen(quota)
        return budget

    def _transport_error(self, exc: httpx.RequestError) -> errors.OpenRouterError:
        return _transport_error(exc, self._secrets)

    # -------------------------------------------------------------- clients

    def _url(self, path: str) -> str:
        return f"{self._base_url}/{path.lstrip('/')}"

    def _build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        call: _JsonRequest,
        deadline: Deadline,
    ) -> httpx.Request:
        """The request of one attempt, its timeout cut to what the call has left."""
        timeout = deadline.read_timeout(self._timeout)
        limits = (  # what httpx.Timeout(timeout).as_dict() gives, without building it
            client.timeout.as_dict()
            if timeout is None
            else dict.fromkeys(_TIMEOUT_KINDS, timeout)
        )
        shape = self._shape(client, call)
        content = call.content or b""
        request = httpx.Request(
            call.method,
            shape.url,
            headers=shape.headers_for(content),
            stream=httpx.ByteStream(content),
            extensions={"timeout": limits},
        )
        request.read()  # as httpx does for a body given whole
        return request

    def _shape(
        self, client: httpx.Client | httpx.AsyncClient, call: _JsonRequest
    ) -> _Shape:
        """URL and headers as httpx merges them, from the cache while still valid.

        Client cookies and query parameters change per answer, so a client
        holding any gets its request shaped by httpx every time.
        """
        client_headers = client.headers.raw
        key = _shape_key(call)
        cacheable = not (call.params or client.cookies or client.params)
        shape = self._shapes.get(key) if cacheable else None
        if shape is not None and shape.client_headers == client_headers:
            return shape
        headers = {**self._headers, "Accept-Encoding": ACCEPTED_ENCODINGS}
        if call.stream:
            headers |= _STREAM_HEADERS
        if call.anonymous:
            headers = {
                name: value
                for name, value in headers.items()
                if name.lower() not in CREDENTIAL_HEADERS
            }
        made = client.build_request(
            call.method,
            call.url,
            json=None if call.content is None else {},
            params=call.params,
            headers=headers,
        )
        shape = _Shape.of(client_headers, made, has_body=call.content is not None)
        if cacheable:
            if len(self._shapes) >= _MAX_SHAPES:
                self._shapes.clear()
            self._shapes[key] = shape
        return shape

    def _reader(
        self, response: httpx.Response, deadline: Deadline
    ) -> Callable[[], StreamReader]:
        """Makes the stream's reader when reading starts (its errors surface there)."""
        return lambda: StreamReader(_encoding(response), self._bounds, deadline)

    def close(self) -> None:
        """Close, as far as sync code can, every httpx client this object built.

        The built sync client is closed before this returns; a built async
        client is closed on its own event loop (scheduled there if it still
        runs; a loop that has shut down closed it already). Injected clients
        are left open. Idempotent and safe from any thread; see
        `langchain_openrouter_free._pool.Clients.close` for every guarantee.
        """
        self._clients.close()

    async def aclose(self) -> None:
        """Close every httpx client this object built (async and sync).

        The async client of the running loop is closed before this returns;
        those of other loops are handled as in `close`. Injected clients are
        left open; their owner closes them.
        """
        await self._clients.aclose()


# ------------------------------------------------------- pure decision helpers


def merge_headers(*layers: Mapping[str, str]) -> dict[str, str]:
    """Merge header dicts as httpx does: a later name replaces an earlier one.

    Names are compared without case and come out in lower case.

    Args:
        layers: Header dicts, the last one winning.

    Returns:
        One dict.
    """
    headers = httpx.Headers()
    for layer in layers:
        headers.update(layer)
    return dict(headers.items())


def _shape_key(call: _JsonRequest) -> tuple[str, str, bool, bool, bool]:
    """What a request's URL and headers depend on, besides the client's headers."""
    return (call.method, call.url, call.stream, call.anonymous, call.content is None)


def _new_client() -> httpx.Client:
    """Build the default sync client.

    Its own timeout is "no limit": `OpenRouterHTTPClient` passes its
    ``timeout`` with every request, and a ``timeout`` of None means no limit.
    """
    return httpx.Client(timeout=None)  # noqa: S113 - per-request timeout governs


def _new_async_client() -> httpx.AsyncClient:
    """Build the default async client (no own timeout, as `_new_client`)."""
    return httpx.AsyncClient(timeout=None)  # noqa: S113 - per-request timeout governs


def _parsed(
    response: httpx.Response, content: bytes, parse: Callable[[Any], Any] | None
) -> Any:
    """The checked JSON of an answer, passed through ``parse`` when given."""
    body = answers.check_response(response.status_code, response.headers, content)
    return body if parse is None else parse(body)


def _encoding(response: httpx.Response) -> str:
    """The encoding of the bytes `_raw_chunks` yields ("" once httpx decoded them)."""
    if _already_read(response) is not None:
        return ""
    return str(response.headers.get("content-encoding", ""))


def _already_read(response: httpx.Response) -> bytes | None:
    """The decoded body of a response read before it reached us, else None.

    A transport that replays recordings (vcrpy) hands over responses httpx has
    already read and decoded; their raw stream cannot be read again.
    """
    if not response.is_stream_consumed:
        return None
    try:
        return response.content
    except httpx.ResponseNotRead:
        return None


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body as sent (still encoded), chunk by chunk."""
    content = _already_read(response)
    return iter((content,)) if content is not None else response.iter_raw()


async def _araw_chunks(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """Async `_raw_chunks`."""
    content = _already_read(response)
    if content is not None:
        yield content
        return
    async for raw in response.aiter_raw():
        yield raw


def _transport_error(
    exc: httpx.RequestError, secrets: Sequence[str]
) -> errors.OpenRouterError:
    """Map an httpx failure before or while reading an answer to a typed error.

    The error's message describes ``exc`` with ``secrets`` redacted; raise it
    ``from None``, outside the ``except`` block, so ``exc`` stays unreachable.
    """
    detail = _describe_cause(exc, secrets)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return errors.OpenRouterConfigurationError(
            f"httpx refused to send the request ({detail}); base_url must "
            "start with https:// (or http://)"
        )
    if isinstance(exc, httpx.LocalProtocolError):
        return errors.OpenRouterConfigurationError(
            f"httpx refused to send the request ({detail}); check api_key, "
            "app_url, app_title and default_headers for line breaks or other "
            "characters a header may not hold"
        )
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


def _stream_broken(
    exc: httpx.RequestError, secrets: Sequence[str]
) -> errors.OpenRouterStreamError:
    """Map a failure while reading events; the stream cannot be resumed."""
    detail = _describe_cause(exc, secrets)
    if isinstance(exc, httpx.TimeoutException):
        return errors.OpenRouterStreamTimeoutError(
            f"The OpenRouter event stream went silent for too long ({detail})"
        )
    return errors.OpenRouterStreamError(
        f"The OpenRouter event stream broke off ({detail})"
    )


def _describe_cause(exc: Exception, secrets: Sequence[str]) -> str:
    """``"<class>: <text>"`` of an httpx failure, without any secret in it."""
    return f"{type(exc).__name__}: {errors.redact_secrets(str(exc), secrets)}"


# ------------------------------------------------------------- event readers


def _iter_data(
    response: httpx.Response,
    make_reader: Callable[[], StreamReader],
    secrets: Sequence[str],
) -> Generator[str, None, None]:
    try:
        reader = make_reader()
        for raw in _raw_chunks(response):
            yield from reader.feed(raw)
        yield from reader.finish()
    except httpx.RequestError as exc:
        error = _stream_broken(exc, secrets)
    else:
        return
    raise error from None  # outside the handler: no __context__ either


async def _aiter_data(
    response: httpx.Response,
    make_reader: Callable[[], StreamReader],
    secrets: Sequence[str],
) -> AsyncGenerator[str, None]:
    try:
        reader = make_reader()
        content = _already_read(response)
        if content is not None:  # a replayed recording: nothing left to read
            for data in reader.feed(content):
                yield data
        else:
            async for raw in response.aiter_raw():
                for data in reader.feed(raw):
                    yield data
        for data in reader.finish():
            yield data
    except httpx.RequestError as exc:
        error = _stream_broken(exc, secrets)
    else:
        return
    raise error from None  # outside the handler: no __context__ either
