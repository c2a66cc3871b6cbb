"""`FakeOpenRouter`: OpenRouter's HTTP API on 127.0.0.1, for offline tests.

A pure-stdlib asyncio server in a background thread. See the package
docstring (`langchain_openrouter_free.testing`) for the full contract.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Self
from urllib.parse import parse_qs

from langchain_openrouter_free._constants import is_free_model_id
from langchain_openrouter_free.testing._fake_assets import stand_in_asset
from langchain_openrouter_free.testing._fake_bodies import (
    Completion,
    StreamEvent,
    completion_body,
    dumps,
    generation_id,
    resolve_reply,
    stream_error_event,
    stream_events,
)
from langchain_openrouter_free.testing._fake_catalog import (
    bundled_models,
    default_key_data,
)
from langchain_openrouter_free.testing._fake_faults import (
    STREAM_KINDS,
    ErrorResponse,
    Fault,
    FaultContext,
    error_body,
    rate_limit_response,
    render_error,
    stream_error_object,
)
from langchain_openrouter_free.testing._fake_http import (
    MAX_HEAD_BYTES,
    HTTPParseError,
    HTTPRequest,
    ResponseWriter,
    read_request,
)
from langchain_openrouter_free.testing._fake_limits import (
    FreeTierCounter,
    FreeTierLimits,
    SimClock,
)
from langchain_openrouter_free.testing._fake_models import (
    ModelQuirks,
    ModelRouter,
    shaped_reply,
)
from langchain_openrouter_free.testing._fake_replies import (
    DEFAULT_FREE_MODEL,
    FakeReply,
    RecordedRequest,
    default_reply,
)
from langchain_openrouter_free.testing._fake_retrieval import (
    RetrievalEndpoints,
    lists_output,
    retrieval_models,
)
from langchain_openrouter_free.testing._fake_strict import (
    registry_quirks,
    strict_default_reply,
)
from langchain_openrouter_free.testing._normalize import request_digest

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["FakeOpenRouter", "Responder"]

Responder = Callable[[RecordedRequest], FakeReply | Fault]
"""Computes the answer to a chat request from the recorded request."""

_Handler = Callable[[RecordedRequest, ResponseWriter], Coroutine[Any, Any, None]]

API_PREFIX: Final = "/api/v1"
CHAT_PATH: Final = f"{API_PREFIX}/chat/completions"
_KEEPALIVE_COMMENT: Final = b": OPENROUTER PROCESSING\n\n"
_KEEPALIVE_WHITESPACE: Final = "\n         \n"
_DONE: Final = b"data: [DONE]\n\n"
_BEARER: Final = re.compile(r"^\s*bearer\s+\S+", re.IGNORECASE)
_JSON: Final = ("Content-Type", "application/json")
_START_TIMEOUT: Final = 10.0
_SOCKET_BLOCKED_ERRORS: Final = frozenset(
    {"SocketBlockedError", "SocketConnectBlockedError"}
)
_SOCKETS_BLOCKED_HINT: Final = (
    "FakeOpenRouter could not open its socket on 127.0.0.1 because socket use "
    "is blocked (pytest-socket's --disable-socket?). Let the test reach "
    'loopback with @pytest.mark.allow_hosts(["127.0.0.1"]), or use the '
    "fake_openrouter fixture, which does that for you."
)


def _is_free_model(model: str | None) -> bool:
    return model is not None and is_free_model_id(model)


def _event(data: Mapping[str, Any]) -> bytes:
    return f"data: {dumps(data)}\n\n".encode()


def _start_failure(cause: BaseException | None) -> str:
    """The message of a failed start: a hint when sockets are blocked."""
    seen: BaseException | None = cause
    for _ in range(8):  # a short cause chain; bounded
        if seen is None:
            break
        # pytest-socket's error, or its warning turned into an error
        # (``filterwarnings = error``): same text either way.
        blocked = type(seen).__name__ in _SOCKET_BLOCKED_ERRORS
        if blocked or "tried to use socket" in str(seen):
            return _SOCKETS_BLOCKED_HINT
        seen = seen.__cause__ or seen.__context__
    return "FakeOpenRouter failed to start"


class FakeOpenRouter:
    """An emulator of OpenRouter's HTTP API on 127.0.0.1 (ephemeral port by default).

    Use it as a context manager (or call `start` / `stop`) and point a client
    at `base_url`. Chat requests are answered from the ``replies`` queue, then
    by ``responder``, then by a deterministic default reply.

    Example:
        .. code-block:: python

            with FakeOpenRouter(replies=[FakeReply("hi"), Fault.daily_cap()]) as fake:
                client = httpx.Client(base_url=fake.base_url)
                client.post("/chat/completions", json=payload)  # 200, "hi"
                client.post("/chat/completions", json=payload)  # 429 daily cap
                assert fake.count(path="/api/v1/chat/completions") == 2
    """

    def __init__(
        self,
        *,
        replies: Iterable[FakeReply | Fault] | None = None,
        responder: Responder | None = None,
        free_tier: FreeTierLimits | None = None,
        time_scale: float = 1.0,
        models: Sequence[Mapping[str, Any]] | None = None,
        key_info: Mapping[str, Any] | None = None,
        require_key: bool = False,
        model_quirks: Mapping[str, ModelQuirks] | None = None,
        port: int = 0,
        privacy_hidden: Iterable[str] = (),
        lenient: bool = False,
    ) -> None:
        """Configure the emulator (it is not started yet).

        Args:
            replies: Answers consumed in order by chat requests.
            responder: Computes an answer when the queue is empty.
            free_tier: Enforce free-model limits; None only counts requests.
            time_scale: Simulated seconds per real second (60: a minute lasts 1 s).
            models: The ``/models`` catalog; default: the bundled registry.
            key_info: Fields overriding the ``GET /key`` defaults.
            require_key: Answer 401 to requests without a bearer token.
            privacy_hidden: Model ids that ``GET /models/user`` leaves out, as
                when the account's privacy settings block every endpoint.
            model_quirks: How named models behave (retired, no tools, no JSON
                mode, no system prompt, throttled, reasoning, billing); a
                request's ``models`` list is then played as OpenRouter's
                server-side fallback. See `ModelQuirks`.
            port: The TCP port to listen on (0: an ephemeral one).
            lenient: Serve any model as asked. By default the emulator is as
                strict as OpenRouter: a model without ``model_quirks`` answers
                as its free-model registry entry allows (an unknown ``:free``
                id, tools or JSON mode it lacks are refused with the real
                errors; a reasoning model reasons). See ``_fake_strict``.
        """
        self._lock = threading.Lock()
        self._replies: deque[FakeReply | Fault] = deque(replies or ())
        self.responder = responder
        self.require_key = require_key
        self._clock = SimClock(time_scale)
        self._counter = FreeTierCounter(free_tier)
        self.lenient = lenient
        self._router = ModelRouter(
            model_quirks or {}, default=None if lenient else registry_quirks
        )
        self._default_reply = default_reply if lenient else strict_default_reply
        self._models = [dict(m) for m in models] if models is not None else None
        self._key_info = dict(key_info or {})
        self._privacy_hidden = frozenset(privacy_hidden)
        self._requests: list[RecordedRequest] = []
        self._repeats: Counter[str] = Counter()
        self._accepted = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._bind_port = port
        self._connections: set[asyncio.Task[Any]] = set()
        self._routes: dict[tuple[str, str], _Handler] = {
            ("POST", CHAT_PATH): self._chat,
            ("GET", f"{API_PREFIX}/models"): self._models_list,
            ("GET", f"{API_PREFIX}/models/user"): self._models_user,
            ("GET", f"{API_PREFIX}/key"): self._key,
            ("GET", f"{API_PREFIX}/auth/key"): self._key,
        }
        self._routes.update(
            RetrievalEndpoints(
                authorized=self._authorized,
                admit=self._free_tier_refusal,
                catalog=lambda: self._catalog("output_modalities=all"),
            ).routes()
        )

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> Self:
        """Start the server.

        Returns:
            The running emulator.
        """
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    def start(self) -> Self:
        """Bind 127.0.0.1 on an ephemeral port and serve in a background thread.

        Returns:
            The running emulator.

        Raises:
            RuntimeError: It is already running or did not come up in time.
        """
        if self._thread is not None:
            msg = "FakeOpenRouter is already running"
            raise RuntimeError(msg)
        ready = threading.Event()
        failures: list[BaseException] = []
        loop = asyncio.new_event_loop()
        thread = threading.Thread(
            target=self._run,
            args=(loop, ready, failures),
            name="FakeOpenRouter",
            daemon=True,
        )
        thread.start()
        if not ready.wait(_START_TIMEOUT) or failures:
            thread.join(_START_TIMEOUT)
            cause = failures[0] if failures else None
            raise RuntimeError(_start_failure(cause)) from cause
        self._loop, self._thread = loop, thread
        return self

    def _run(
        self,
        loop: asyncio.AbstractEventLoop,
        ready: threading.Event,
        failures: list[BaseException],
    ) -> None:
        asyncio.set_event_loop(loop)
        try:
            try:
                self._server = loop.run_until_complete(self._open())
            except BaseException as exc:  # noqa: BLE001 - start() re-raises it
                failures.append(exc)
                return
            finally:
                ready.set()
            loop.run_forever()
            loop.run_until_complete(self._close())
        finally:
            loop.close()

    async def _open(self) -> asyncio.Server:
        server = await asyncio.start_server(
            self._serve_connection,
            "127.0.0.1",
            self._bind_port,
            limit=MAX_HEAD_BYTES,
            backlog=1024,
        )
        self._port = server.sockets[0].getsockname()[1]
        return server

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def stop(self) -> None:
        """Close every connection and stop the server thread (idempotent)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_START_TIMEOUT)
        self._loop = self._thread = self._server = None
        self._port = None

    @property
    def port(self) -> int:
        """The TCP port the server listens on.

        Raises:
            RuntimeError: The server is not running.
        """
        if self._port is None:
            msg = "FakeOpenRouter is not running: use `with` or call start()"
            raise RuntimeError(msg)
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/api/v1``, the value for a client's ``base_url``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    # --------------------------------------------------------------- inspection

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The ``POST /chat/completions`` requests received, oldest first."""
        return [r for r in self.requests if r.method == "POST" and r.path == CHAT_PATH]

    def count(self, path: str | None = None, *, method: str | None = None) -> int:
        """How many requests were received, optionally for one path and method.

        Args:
            path: Full path (``/api/v1/key``) or one relative to ``/api/v1``
                (``/key``); None counts every path.
            method: HTTP method; None counts every method.

        Returns:
            The number of matching requests.
        """
        wanted = None if path is None else _full_path(path)
        return sum(
            1
            for r in self.requests
            if (wanted is None or r.path == wanted)
            and (method is None or r.method == method.upper())
        )

    @property
    def connections_accepted(self) -> int:
        """TCP connections accepted since the emulator was created.

        A client that keeps its connection alive makes one connection for
        many requests.
        """
        with self._lock:
            return self._accepted

    @property
    def pending_replies(self) -> int:
        """Scripted replies not consumed yet."""
        with self._lock:
            return len(self._replies)

    def add_replies(self, *replies: FakeReply | Fault) -> None:
        """Append answers to the replies queue.

        Args:
            *replies: Answers consumed in order by the next chat requests.
        """
        with self._lock:
            self._replies.extend(replies)

    def advance_time(self, seconds: float) -> None:
        """Move the simulated clock forward (free-tier windows pass at once).

        Args:
            seconds: Simulated seconds to skip.
        """
        with self._lock:
            self._clock.advance(seconds)

    @property
    def simulated_time(self) -> float:
        """The emulator's clock, in simulated epoch seconds (see ``time_scale``)."""
        with self._lock:
            return self._clock.now()

    @property
    def free_model_daily_requests(self) -> dict[str, int]:
        """``{"used", "limit", "remaining"}`` for the current simulated UTC day."""
        with self._lock:
            return self._counter.daily_usage(self._clock.now())

    def reset(self) -> None:
        """Forget requests, pending replies, counters, ids and simulated time."""
        with self._lock:
            self._requests.clear()
            self._replies.clear()
            self._counter.reset()
            self._clock.reset()
            self._repeats.clear()
        self._router.reset()

    # --------------------------------------------------------------- connection

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        with self._lock:
            self._accepted += 1
        try:
            while True:
                try:
                    request = await read_request(reader, writer)
                except HTTPParseError as exc:
                    out = ResponseWriter(writer, keep_alive=False)
                    await _send_json(out, 400, error_body(str(exc), 400, user_id=False))
                    break
                if request is None:
                    break
                out = ResponseWriter(writer, keep_alive=request.keep_alive)
                await self._dispatch(request, out)
                if not out.keep_alive:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass  # client went away, or stop() cancelled us: end quietly
        finally:
            if task is not None:
                self._connections.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _dispatch(self, request: HTTPRequest, out: ResponseWriter) -> None:
        recorded = self._record(request)
        handler = self._routes.get((request.method, recorded.path.rstrip("/")))
        if handler is None and request.method == "GET":
            handler = self._stand_in_asset
        try:
            if handler is None:
                await _send_json(out, 404, error_body("Not Found", 404, user_id=False))
            else:
                await handler(recorded, out)
        except (ConnectionError, asyncio.CancelledError):
            raise
        except Exception as exc:  # noqa: BLE001 - the client must see what broke
            if out.started:
                out.abort()
            else:
                body = error_body(
                    f"FakeOpenRouter internal error: {exc!r}", 500, user_id=False
                )
                await _send_json(out, 500, body)

    def _record(self, request: HTTPRequest) -> RecordedRequest:
        payload: Any = None
        if request.body:
            with contextlib.suppress(ValueError):
                payload = json.loads(request.body)
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            json=payload,
            received_at=time.time(),
            query=request.query,
            body=request.body,
        )
        with self._lock:
            self._requests.append(recorded)
        return recorded

    def _authorized(self, request: RecordedRequest) -> bool:
        if not self.require_key:
            return True
        return bool(_BEARER.match(request.headers.get("authorization", "")))

    # ----------------------------------------------------------------- handlers

    async def _unauthorized(self, out: ResponseWriter) -> None:
        await _send_json(
            out, 401, error_body("No auth credentials found", 401, user_id=False)
        )

    async def _stand_in_asset(
        self, request: RecordedRequest, out: ResponseWriter
    ) -> None:
        """Stand-in assets for recording offline (see ``_fake_assets``)."""
        asset = None
        if not request.path.startswith(f"{API_PREFIX}/"):
            asset = stand_in_asset(request.path)
        if asset is None:
            await _send_json(out, 404, error_body("Not Found", 404, user_id=False))
            return
        content_type, data = asset
        await out.send(200, [("Content-Type", content_type)], data)

    async def _models_list(self, request: RecordedRequest, out: ResponseWriter) -> None:
        await _send_json(out, 200, {"data": self._catalog(request.query)})

    async def _models_user(self, request: RecordedRequest, out: ResponseWriter) -> None:
        if not self._authorized(request):
            await self._unauthorized(out)
            return
        models = self._catalog(request.query)
        visible = [m for m in models if m.get("id") not in self._privacy_hidden]
        await _send_json(out, 200, {"data": visible})

    def _catalog(self, query: str) -> list[dict[str, Any]]:
        models = (
            [dict(m) for m in self._models]
            if self._models is not None
            else [*bundled_models(), *retrieval_models()]
        )
        wanted = {
            name
            for value in parse_qs(query).get("supported_parameters", [])
            for name in value.split(",")
            if name
        }
        return [
            m
            for m in models
            if wanted <= set(m.get("supported_parameters") or ())
            and lists_output(m, query)
        ]

    async def _key(self, request: RecordedRequest, out: ResponseWriter) -> None:
        if not self._authorized(request):
            await self._unauthorized(out)
            return
        data = default_key_data()
        data["free_model_daily_requests"] = self.free_model_daily_requests
        data.update(self._key_info)
        await _send_json(out, 200, {"data": data})

    async def _chat(self, request: RecordedRequest, out: ResponseWriter) -> None:
        if not self._authorized(request):
            await self._unauthorized(out)
            return
        payload = request.json
        if not isinstance(payload, Mapping):
            body = error_body("Invalid JSON body: expected an object", 400)
            await _send_json(out, 400, body)
            return
        if not payload.get("messages") and not payload.get("prompt"):
            body = error_body('Input required: specify "prompt" or "messages"', 400)
            await _send_json(out, 400, body)
            return
        refusal = self._free_tier_refusal(request)
        if refusal is not None:
            await _send_error(out, refusal)
            return
        if self._router:
            await self._routed(request, out)
            return
        await self._perform(self._next_action(request), request, out)

    async def _routed(self, request: RecordedRequest, out: ResponseWriter) -> None:
        """Play the request against the models' quirks, then answer as usual."""
        routed = self._router.route(request.json)
        if routed.fault is not None:
            await self._perform(routed.fault, request, out)
            return
        action = self._next_action(request)
        if isinstance(action, FakeReply):
            action = shaped_reply(action, routed, request.json)
        await self._perform(action, request, out)

    def _free_tier_refusal(self, request: RecordedRequest) -> ErrorResponse | None:
        """Count a free-model request; the free-tier 429 if it is over a limit."""
        if not _is_free_model(request.model):
            return None
        with self._lock:
            hit = self._counter.admit(self._clock.now())
        if hit is None:
            return None
        reset_ms = self._clock.real_epoch_ms(hit.reset_at)
        return rate_limit_response(hit.kind, hit.limit, reset_ms)

    def _next_action(self, request: RecordedRequest) -> FakeReply | Fault:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
            responder = self.responder
        if responder is None:
            return self._default_reply(request.json)
        action = responder(request)
        if not isinstance(action, (FakeReply, Fault)):
            msg = f"responder returned {type(action).__name__}, not FakeReply or Fault"
            raise TypeError(msg)
        return action

    async def _perform(
        self, action: FakeReply | Fault, request: RecordedRequest, out: ResponseWriter
    ) -> None:
        if isinstance(action, FakeReply):
            await self._answer(action, request, out, None)
            return
        if action.kind == "delay":
            await asyncio.sleep(self._clock.real_seconds(action.seconds))
            await self._perform(
                action.reply or self._default_reply(request.json), request, out
            )
            return
        if action.kind in STREAM_KINDS:
            reply = action.reply if isinstance(action.reply, FakeReply) else None
            await self._answer(
                reply or self._default_reply(request.json), request, out, action
            )
            return
        await _send_error(out, render_error(action, self._context(request)))

    def _context(self, request: RecordedRequest) -> FaultContext:
        return FaultContext(
            model=request.model or DEFAULT_FREE_MODEL,
            last_user_text=request.last_user_text,
            now=self._clock.now(),
            real_epoch_ms=self._clock.real_epoch_ms,
            real_seconds=self._clock.real_seconds,
        )

    def _resolve(self, reply: FakeReply, request: RecordedRequest) -> Completion:
        digest = request_digest(request.method, request.path, request.body)
        with self._lock:
            repeat = self._repeats[digest]
            self._repeats[digest] += 1
        gen_id, created = generation_id(digest, repeat)
        return resolve_reply(reply, request.json, gen_id=gen_id, created=created)

    # ------------------------------------------------------------------ answers

    async def _answer(
        self,
        reply: FakeReply,
        request: RecordedRequest,
        out: ResponseWriter,
        fault: Fault | None,
    ) -> None:
        if fault is not None and fault.kind == "drop_connection" and not request.stream:
            out.abort()
            return
        completion = self._resolve(reply, request)
        if request.stream:
            await self._stream_answer(completion, reply.keepalives, request, out, fault)
        else:
            await self._json_answer(completion, reply.keepalives, request, out, fault)

    async def _json_answer(
        self,
        completion: Completion,
        keepalives: int,
        request: RecordedRequest,
        out: ResponseWriter,
        fault: Fault | None,
    ) -> None:
        headers = [_JSON, ("X-Generation-Id", completion.gen_id)]
        prefix = _KEEPALIVE_WHITESPACE * max(0, keepalives)
        if fault is not None and fault.kind == "mid_stream_error":
            pieces = _content_pieces(stream_events(completion), fault.after_chunks)
            error = stream_error_object(fault, self._context(request))
            body = completion_body(completion.truncated(pieces), error=error)
        else:
            body = completion_body(completion)
        if fault is None or fault.kind != "slow_keepalives":
            await out.send(200, headers, (prefix + dumps(body)).encode())
            return
        await out.start_chunked(200, headers)
        for _ in range(fault.count):
            await out.send_chunk(_KEEPALIVE_WHITESPACE.encode())
            await asyncio.sleep(self._clock.real_seconds(fault.interval))
        await out.send_chunk((prefix + dumps(body)).encode())
        await out.end_chunked()

    async def _stream_answer(
        self,
        completion: Completion,
        keepalives: int,
        request: RecordedRequest,
        out: ResponseWriter,
        fault: Fault | None,
    ) -> None:
        headers = [
            ("Content-Type", "text/event-stream"),
            ("Cache-Control", "no-cache"),
            ("X-Generation-Id", completion.gen_id),
        ]
        await out.start_chunked(200, headers)
        if fault is not None and fault.kind == "slow_keepalives":
            for _ in range(fault.count):
                await out.send_chunk(_KEEPALIVE_COMMENT)
                await asyncio.sleep(self._clock.real_seconds(fault.interval))
        await out.send_chunk(_KEEPALIVE_COMMENT * max(0, keepalives))
        events = stream_events(completion)
        cut = fault is not None and fault.kind in {
            "mid_stream_error",
            "drop_connection",
        }
        if fault is not None and cut:
            events = _cut_events(events, fault.after_chunks)
        for _, event in events:
            await out.send_chunk(_event(event))
        if fault is not None and fault.kind == "drop_connection":
            out.abort()
            return
        if fault is not None and fault.kind == "mid_stream_error":
            error = stream_error_object(fault, self._context(request))
            await out.send_chunk(_event(stream_error_event(completion, error)))
        await out.send_chunk(_DONE)
        await out.end_chunked()


def _full_path(path: str) -> str:
    path = "/" + path.lstrip("/")
    return path if path.startswith(API_PREFIX + "/") else API_PREFIX + path


_DELTA_KINDS: Final = frozenset({"reasoning", "content", "tool"})


def _cut_events(events: list[StreamEvent], after_chunks: int) -> list[StreamEvent]:
    deltas = [e for e in events if e[0] in _DELTA_KINDS]
    return [events[0], *deltas[:after_chunks]]


def _content_pieces(events: list[StreamEvent], after_chunks: int) -> int:
    return sum(1 for kind, _ in _cut_events(events, after_chunks) if kind == "content")


async def _send_json(
    out: ResponseWriter,
    status: int,
    body: Any,
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    await out.send(status, [_JSON, *headers], dumps(body).encode())


async def _send_error(out: ResponseWriter, response: ErrorResponse) -> None:
    await _send_json(out, response.status, response.body, response.headers)
