"""The client against servers that flood, trickle, stall, bomb, break and echo."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import zstandard

from langchain_openrouter_free import errors
from tests.faults._hostile import HostileServer, Request, Wire, head
from tests.faults._probe import (
    BODY_CAP,
    LINE_CAP,
    ODD_KEY,
    Outcome,
    answered,
    call,
    check,
    make_model,
    typed,
)
from tests.faults.conftest import ScenarioCounter

JSON = "application/json"
SSE = "text/event-stream"
OK = json.dumps(
    {
        "id": "gen-1",
        "model": "meta-llama/llama-3.3-70b-instruct:free",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "ok"},
            }
        ],
    }
).encode()
TIMEOUTS = (errors.OpenRouterTimeoutError, errors.OpenRouterStreamTimeoutError)
TOO_LARGE = errors.OpenRouterResponseTooLargeError


def respond(
    status: int, content_type: str, body: bytes, **extra: str
) -> Callable[[Wire, Request], None]:
    def behave(wire: Wire, _: Request) -> None:
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
        } | extra
        wire.send(head(status, headers) + body)

    return behave


def flood(content_type: str, beat: bytes) -> Callable[[Wire, Request], None]:
    """Headers, then keep-alive bytes every 50 ms until the client leaves."""

    def behave(wire: Wire, _: Request) -> None:
        if wire.send(head(200, {"Content-Type": content_type, "Connection": "close"})):
            while wire.send(beat) and wire.pause(0.05):
                pass

    return behave


def trickle(body: bytes, every: float) -> Callable[[Wire, Request], None]:
    def behave(wire: Wire, _: Request) -> None:
        headers = {"Content-Type": JSON, "Content-Length": str(len(body))}
        if wire.send(head(200, headers)):
            for byte in body:
                if not (wire.send(bytes([byte])) and wire.pause(every)):
                    return

    return behave


def stall(after_headers: bool) -> Callable[[Wire, Request], None]:
    def behave(wire: Wire, _: Request) -> None:
        if after_headers:
            wire.send(head(200, {"Content-Type": SSE, "Connection": "close"}))
        wire.pause(5.0)

    return behave


def endless_line(wire: Wire, _: Request) -> None:
    if wire.send(head(200, {"Content-Type": SSE, "Connection": "close"}) + b"data: "):
        piece = b"x" * 65536
        while wire.send(piece):
            pass


def endless_identity_body(wire: Wire, _: Request) -> None:
    if wire.send(head(200, {"Content-Type": JSON, "Connection": "close"}) + b'{"a": "'):
        piece = b"y" * 65536
        while wire.send(piece):
            pass


def encoded(
    encoding: str, raw: bytes, status: int = 200
) -> Callable[[Wire, Request], None]:
    return respond(status, JSON, raw, **{"Content-Encoding": encoding})


def sse(*events: bytes) -> bytes:
    return b"".join(b"data: " + event + b"\n\n" for event in events)


def echo_key(wire: Wire, request: Request) -> None:
    """An error that quotes the Authorization header everywhere it can."""
    sent = request.headers.get("authorization", "")
    account = "user_2tsSIuSAxDMYKP7X6YbWZaK19xm"
    error = {
        "error": {
            "code": 400,
            "message": f"bad header {sent}",
            "metadata": {"raw": sent, "echo": {sent: [sent]}, "user": account},
        },
        "user_id": account,
    }
    body = json.dumps(error).encode()
    headers = {"Content-Type": JSON, "Content-Length": str(len(body)), "X-Echo": sent}
    wire.send(head(400, headers) + body)


def echo_key_in_stream(wire: Wire, request: Request) -> None:
    sent = request.headers.get("authorization", "")
    first = json.dumps(
        {"choices": [{"index": 0, "delta": {"content": f"you sent {sent}"}}]}
    )
    failure = json.dumps({"error": {"code": 502, "message": f"upstream saw {sent}"}})
    wire.send(
        head(200, {"Content-Type": SSE, "Connection": "close"})
        + sse(first.encode(), failure.encode())
    )


def rate_limited(reset: str, retry_after: str) -> Callable[[Wire, Request], None]:
    body = (
        b'{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-min."}}'
    )
    return respond(
        429,
        JSON,
        body,
        **{
            "X-RateLimit-Reset": reset,
            "X-RateLimit-Limit": "1e300",
            "Retry-After": retry_after,
        },
    )


BOMB = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
DEEP = b"[" * 200_000 + b"]" * 200_000


@dataclass(frozen=True)
class Case:
    name: str
    behaviour: Callable[[Wire, Request], None]
    stream: bool
    expect: Callable[[Outcome], bool]
    memory: bool = False
    key: str | None = None


CASES = [
    Case(
        "keep-alive comments forever",
        flood(SSE, b": OPENROUTER PROCESSING\n\n"),
        True,
        typed(*TIMEOUTS),
    ),
    Case("keep-alive whitespace forever", flood(JSON, b"\n"), False, typed(*TIMEOUTS)),
    Case("one byte every 0.2 s", trickle(OK, 0.2), False, typed(*TIMEOUTS)),
    Case("stall before headers", stall(after_headers=False), False, typed(*TIMEOUTS)),
    Case(
        "stall after stream headers", stall(after_headers=True), True, typed(*TIMEOUTS)
    ),
    Case("gzip bomb", encoded("gzip", BOMB), False, typed(TOO_LARGE), memory=True),
    Case(
        "gzip bomb as an error answer",
        encoded("gzip", BOMB, 500),
        False,
        typed(TOO_LARGE),
        memory=True,
    ),
    Case(
        "deflate bomb",
        encoded("deflate", zlib.compress(b"a" * (32 * 1024 * 1024))),
        False,
        typed(TOO_LARGE),
        memory=True,
    ),
    Case(
        "gzip bomb as a stream",
        respond(200, SSE, BOMB, **{"Content-Encoding": "gzip"}),
        True,
        typed(TOO_LARGE),
        memory=True,
    ),
    Case(
        "endless identity body",
        endless_identity_body,
        False,
        typed(TOO_LARGE, *TIMEOUTS),
        memory=True,
    ),
    Case("endless stream line", endless_line, True, typed(TOO_LARGE), memory=True),
    Case(
        "200,000 nested brackets",
        respond(200, JSON, DEEP),
        False,
        typed(errors.OpenRouterServerError),
    ),
    Case(
        "5,000 nested brackets in an event",
        respond(200, SSE, sse(b"[" * 5000 + b"]" * 5000)),
        True,
        typed(errors.OpenRouterStreamError),
    ),
    Case(
        "200,000 nested brackets in an event",
        respond(200, SSE, sse(DEEP)),
        True,
        typed(errors.OpenRouterStreamError, TOO_LARGE),
    ),
    Case(
        "zstd that was not asked for",
        encoded("zstd", zstandard.ZstdCompressor().compress(OK)),
        False,
        typed(errors.OpenRouterServerError),
    ),
    Case(
        "br that was not asked for",
        encoded("br", b"\x0b\x02\x80ok\x03"),
        False,
        typed(errors.OpenRouterServerError),
    ),
    Case(
        "gzip header over garbage",
        encoded("gzip", b"\x1f\x8b\x08\x00not really gzip"),
        False,
        typed(errors.OpenRouterServerError),
    ),
    Case(
        "invalid UTF-8 body",
        respond(200, JSON, b'{"x": "\xff\xfe"}'),
        False,
        typed(errors.OpenRouterServerError),
    ),
    Case(
        "gzip answer decoded", encoded("gzip", gzip.compress(OK)), False, answered("ok")
    ),
    Case(
        "key echoed in an error",
        echo_key,
        False,
        typed(errors.OpenRouterInvalidRequestError),
    ),
    Case(
        "odd key echoed in an error",
        echo_key,
        False,
        typed(errors.OpenRouterInvalidRequestError),
        key=ODD_KEY,
    ),
    Case(
        "odd key echoed in a stream",
        echo_key_in_stream,
        True,
        typed(errors.OpenRouterError),
        key=ODD_KEY,
    ),
    Case(
        "X-RateLimit-Reset 1e16",
        rate_limited("1e16", "1e20"),
        False,
        typed(errors.OpenRouterRateLimitError),
    ),
    Case(
        "X-RateLimit-Reset 1e20",
        rate_limited("1e20", "-5"),
        False,
        typed(errors.OpenRouterRateLimitError),
    ),
    Case(
        "X-RateLimit-Reset 1e300",
        rate_limited("1e300", "nan"),
        False,
        typed(errors.OpenRouterRateLimitError),
    ),
    Case(
        "X-RateLimit-Reset negative",
        rate_limited("-1790812800000", "inf"),
        False,
        typed(errors.OpenRouterRateLimitError),
    ),
    Case(
        "X-RateLimit-Reset as an HTTP-date",
        rate_limited("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"),
        False,
        typed(errors.OpenRouterRateLimitError),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_hostile_answer_ends_typed_bounded_and_clean(
    case: Case, mode: str, scenario: ScenarioCounter
) -> None:
    scenario.start()
    with HostileServer(case.behaviour) as server:
        fields = {} if case.key is None else {"key": case.key}
        model = make_model(server, **fields)
        outcome = call(model, mode, stream=case.stream, measure=case.memory)
        check(
            outcome,
            server,
            expect=case.expect,
            memory_cap=4 * BODY_CAP + 8 * LINE_CAP + 16 * 1024 * 1024
            if case.memory
            else None,
        )
    scenario.held()


def test_repeated_asyncio_run_leaves_no_socket_open(scenario: ScenarioCounter) -> None:
    scenario.start()
    with HostileServer(respond(200, JSON, OK)) as server:
        model = make_model(server)
        answers = [asyncio.run(model.ainvoke("hi")).text for _ in range(5)]
        # No aclose(): each loop closed its own pooled client as it shut down.
        assert server.clients_closed()
        model.close()
    assert answers == ["ok"] * 5
    scenario.held()


def test_replacing_the_key_closes_the_old_connection_at_once(
    scenario: ScenarioCounter,
) -> None:
    scenario.start()
    with HostileServer(respond(200, JSON, OK)) as server:
        model = make_model(server)
        for turn in range(5):
            assert model.invoke("hi").text == "ok"
            model.api_key = f"sk-or-v1-{turn:064d}"  # type: ignore[assignment]
        assert server.clients_closed()  # before the model is collected
        model.close()
    scenario.held()
