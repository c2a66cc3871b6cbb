"""Offline testing tools: `FakeOpenRouter`, an emulator of OpenRouter's HTTP API.

The library never imports this package, and the emulator is pure standard
library (asyncio): it adds no runtime dependency.

Quick start::

    from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, Fault

    with FakeOpenRouter(replies=[FakeReply("Hello!"), Fault.daily_cap()]) as fake:
        model = ChatOpenRouterFree(base_url=fake.base_url, api_key="test")
        model.invoke("hi")  # "Hello!"
        model.invoke("hi")  # raises the daily-cap OpenRouterRateLimitError
        assert len(fake.chat_requests) == 2

API
---
``FakeOpenRouter(*, replies=None, responder=None, free_tier=None, time_scale=1.0,
models=None, key_info=None, require_key=False)``
    Context manager, or ``start()`` / ``stop()``. Serves on 127.0.0.1, ephemeral
    port, from an asyncio loop in a background thread (hundreds of concurrent
    streams). ``base_url`` is ``"http://127.0.0.1:<port>/api/v1"``.

    Endpoints: ``POST /api/v1/chat/completions`` (JSON, or SSE when
    ``"stream": true``); ``GET /api/v1/models`` and ``/api/v1/models/user``
    (``models``, default: the bundled registry's free models, or a small
    built-in list when the registry is unavailable; ``?supported_parameters=``
    filters); ``GET /api/v1/key`` (and ``/api/v1/auth/key``) with
    ``free_model_daily_requests`` from the simulated counters, other fields
    overridable by ``key_info``. Anything else: 404 JSON.

    Inspection: ``requests`` (every `RecordedRequest`), ``chat_requests``,
    ``count(path=None, *, method=None)``, ``pending_replies``,
    ``free_model_daily_requests``. Control: ``add_replies(*replies)``,
    ``responder`` (settable), ``advance_time(seconds)``, ``reset()``.

Answers
    A chat request takes the next item of the ``replies`` queue, else
    ``responder(request)``, else the deterministic default: with ``tools`` (and
    ``tool_choice`` not ``"none"``, last message not a tool result) a call of the
    forced or first tool, id ``call_0``, arguments built from its JSON schema
    (strings ``"test"``, enums their first value, integers 1, numbers 1.0,
    booleans true, arrays ``[]``, objects recursively with their required
    properties, or all when none is required); with ``response_format``
    ``json_schema`` a JSON document built the same way; with ``json_object``
    ``{}``; otherwise ``"You said: <last user text>"``. Ids are
    ``gen-<created>-<counter>`` and ``created`` is ``1790000000 + counter``, so
    a fresh emulator answers the same requests byte for byte the same way.
    Usage counts words (prompt: words plus one per message), cost 0.

    `FakeReply` (``content``, ``reasoning``, ``tool_calls`` of `FakeToolCall`,
    ``finish_reason``, ``model``, ``usage``, ``provider``, ``keepalives``)
    scripts one answer; `Fault` scripts a failure.

Faults (classmethods of `Fault`)
    ``rate_limit_per_minute(reset_in=60, limit=20)``, ``daily_cap(limit=50)``,
    ``upstream_rate_limit(model=None)``, ``no_endpoints(model=None)``,
    ``data_policy()``, ``tools_unsupported()``, ``invalid_model(model=None)``,
    ``unauthorized(reason="missing"|"invalid")``, ``payment_required()``,
    ``moderation(reasons=("violence",))``, ``server_error(status=502)``,
    ``error_in_200(code=429)``, ``http_error(status, message)``,
    ``mid_stream_error(after_chunks=1, code=429)``,
    ``drop_connection(after_chunks=1)``, ``slow_keepalives(count=3, interval=1.0)``,
    ``delay(seconds, then=None)``. ``after_chunks`` counts the reasoning,
    content and tool-call delta chunks sent after the role chunk. On a
    non-streaming request ``mid_stream_error`` gives a 200 completion with the
    partial text, ``finish_reason: "error"`` and ``choices[0].error``, and
    ``drop_connection`` closes the socket without answering.

Free tier and time scale
    ``FreeTierLimits(per_minute=20, per_day=50)`` is enforced on requests for
    free models (ids ending ``:free`` and ``openrouter/free``) with the real
    429 bodies and headers. A request the limiter admits counts toward both
    windows whatever its outcome (OpenRouter counts failed attempts);
    refused ones do not count. The windows run on a simulated clock that
    starts at the real time and runs ``time_scale`` times faster
    (``time_scale=60``: a simulated minute lasts one real second);
    ``advance_time`` jumps it. Durations given to faults are simulated seconds
    (a real wait of ``value / time_scale``). ``X-RateLimit-Reset`` is in *real*
    epoch milliseconds: the real moment the simulated reset happens, so a
    client that waits until then gets through.

Recording
    `RecordedRequest` (``method, path, headers`` (lower-cased), ``json,
    received_at`` (real epoch seconds), ``query, body``) is kept for every
    request, including refused ones. With ``require_key=True`` a missing or
    empty bearer token gets the real 401 on chat, ``/key`` and ``/models/user``.

Pytest
    `fake_openrouter_fixture` is a plain generator for the project's pytest
    plugin to register as the ``fake_openrouter`` fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_openrouter_free.testing._fake_faults import Fault
from langchain_openrouter_free.testing._fake_limits import FreeTierLimits
from langchain_openrouter_free.testing._fake_replies import (
    FakeReply,
    FakeToolCall,
    RecordedRequest,
)
from langchain_openrouter_free.testing._fake_server import FakeOpenRouter, Responder

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "FakeOpenRouter",
    "FakeReply",
    "FakeToolCall",
    "Fault",
    "FreeTierLimits",
    "RecordedRequest",
    "Responder",
    "fake_openrouter_fixture",
]


def fake_openrouter_fixture() -> Iterator[FakeOpenRouter]:
    """Yield a running `FakeOpenRouter` with default settings, stopped afterwards.

    A plain generator: the pytest plugin registers it as the ``fake_openrouter``
    fixture. Script it in the test with ``add_replies`` or ``responder``.

    Yields:
        The running emulator.
    """
    with FakeOpenRouter() as fake:
        yield fake
