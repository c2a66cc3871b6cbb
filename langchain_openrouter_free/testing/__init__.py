"""Offline testing tools: `FakeOpenRouter`, an emulator of OpenRouter's HTTP API.

The library never imports this package, and the emulator is pure standard
library (asyncio): it adds no runtime dependency.

Quick start::

    import pytest
    from langchain_openrouter_free import ChatOpenRouterFree
    from langchain_openrouter_free.errors import OpenRouterRateLimitError
    from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, Fault


    @pytest.mark.allow_hosts(["127.0.0.1"])  # needed under --disable-socket
    def test_daily_cap_reaches_the_caller():
        with FakeOpenRouter(replies=[FakeReply("Hello!"), Fault.daily_cap()]) as fake:
            model = ChatOpenRouterFree(base_url=fake.base_url, api_key="test")
            model.invoke("hi")  # "Hello!"
            with pytest.raises(OpenRouterRateLimitError):  # the daily cap
                model.invoke("hi")
            assert len(fake.chat_requests) == 2

The emulator listens on a real socket. Under pytest-socket's
``--disable-socket --allow-unix-socket`` (the recommended CI options) a test
that starts it needs ``@pytest.mark.allow_hosts(["127.0.0.1"])``; without it
``start()`` raises a ``RuntimeError`` that says so. The ``fake_openrouter``
fixture of the pytest plugin adds that marker by itself.

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
    ``free_model_daily_requests``, ``connections_accepted`` (TCP connections,
    to check keep-alive). Control: ``add_replies(*replies)``, ``responder``
    (settable), ``advance_time(seconds)``, ``reset()``.

    Stand-in assets for recording offline: a ``GET`` of any path outside
    ``/api/v1`` ending in ``.png``, ``.pdf`` or ``.wav`` answers a small valid
    generated file of that type (the same bytes every time), so a test that
    downloads media from the internet can be recorded against the emulator
    with its download sent to the same path on ``127.0.0.1``.

Answers
    A chat request takes the next item of the ``replies`` queue, else
    ``responder(request)``, else the deterministic default: with ``tools`` (and
    ``tool_choice`` not ``"none"``, last message not a tool result) a call of the
    forced or first tool, id ``call_0``, arguments built from its JSON schema
    (strings ``"test"``, enums their first value, integers 1, numbers 1.0,
    booleans true, arrays ``[]``, objects recursively with their required
    properties, or all when none is required); with ``response_format``
    ``json_schema`` a JSON document built the same way; with ``json_object``
    ``{}``; otherwise ``"You said: <last user text>"``. The id
    (``gen-<created>-<20 letters and digits>``) and ``created`` are derived
    from the request (a hash of method, path and normalized body: UUIDs and
    key order do not count) and from how many identical requests came before,
    not from a clock or a global counter: the same requests give the same
    bytes on every run, in any order. Usage counts words (prompt: words plus
    one per message), cost 0.

    `FakeReply` (``content``, ``reasoning``, ``tool_calls`` of `FakeToolCall`,
    ``finish_reason``, ``model``, ``usage``, ``provider``, ``keepalives``)
    scripts one answer; `Fault` scripts a failure.

Faults (classmethods of `Fault`)
    ``rate_limit_per_minute(reset_in=60, limit=20, reset_at=None)``,
    ``daily_cap(limit=50, reset_at=None)`` (``reset_at``: a fixed
    ``X-RateLimit-Reset``, for reproducible recordings),
    ``upstream_rate_limit(model=None)``, ``no_endpoints(model=None)``,
    ``data_policy()``, ``tools_unsupported()``, ``invalid_model(model=None)``,
    ``capacity_exhausted(model=None, retry_after=None)`` (429),
    ``temporarily_unavailable(model=None, retry_after=None)`` (503),
    ``unauthorized(reason="missing"|"invalid")``, ``payment_required()``,
    ``moderation(reasons=("violence",))``,
    ``server_error(status=502, retry_after=None, availability=False)``,
    ``error_in_200(code=429)``, ``http_error(status, message, availability=None)``,
    ``mid_stream_error(after_chunks=1, code=429)``,
    ``drop_connection(after_chunks=1)``, ``slow_keepalives(count=3, interval=1.0)``,
    ``delay(seconds, then=None)``. ``after_chunks`` counts the reasoning,
    content and tool-call delta chunks sent after the role chunk. On a
    non-streaming request ``mid_stream_error`` gives a 200 completion with the
    partial text, ``finish_reason: "error"`` and ``choices[0].error``, and
    ``drop_connection`` closes the socket without answering. ``Retry-After``
    is sent in whole seconds (rounded up, at least 1).

    ``error.availability`` (OpenRouter's typed object since 2026-08-19):
    ``no_endpoints`` sends ``free_variant_ended`` (with ``fallback_models``)
    for a ``:free`` model, else ``no_endpoints``; ``invalid_model``
    ``model_not_found``; ``data_policy`` ``privacy_restricted`` (with
    ``excluded_by``); ``capacity_exhausted`` and ``temporarily_unavailable``
    themselves, ``retryable: true`` (with ``retry_after``). Each object also
    has ``retryable``, ``requested_models`` and ``docs_url``. Pass
    ``availability=False`` for the older body without it, a mapping to
    override keys, or ``Fault(..., availability={...})`` on any fault.

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

Models that misbehave
    ``model_quirks={id: ModelQuirks(...)}`` makes named models behave as free
    models do: ``retired`` (404 ``No endpoints found for <id>.``),
    ``privacy_blocked`` (404 data policy), ``tools=False`` (404 ``No endpoints
    found that support tool use``), ``json_mode=False`` (Google's 400 ``JSON
    mode is not enabled`` for any ``response_format``), ``system_prompt=False``
    (Google's 400 ``Developer instruction is not enabled``), ``upstream_429=n``
    / ``server_errors=n`` (the first n requests get an upstream 429 / a 502),
    ``reasoning_tokens=n`` (with ``max_tokens`` at or below n the answer is
    reasoning only, ``finish_reason: "length"``) and ``cost`` (``usage.cost``).
    A request's ``models`` list is then played as OpenRouter's server-side
    fallback: ``model`` first, then each listed id, the first that can serve
    answers (``model`` in the body says which), else the last one's error.
    The answer itself still comes from ``replies`` / ``responder`` / the
    default. ``Fault.json_mode_unsupported(model)`` and
    ``Fault.system_prompt_unsupported(model)`` script those two 400s alone.

Recording
    `RecordedRequest` (``method, path, headers`` (lower-cased), ``json,
    received_at`` (real epoch seconds), ``query, body``) is kept for every
    request, including refused ones. With ``require_key=True`` a missing or
    empty bearer token gets the real 401 on chat, ``/key`` and ``/models/user``.

Pytest
    `fake_openrouter_fixture` is a plain generator; the pytest plugin
    (`langchain_openrouter_free.testing.pytest_plugin`) serves it as the
    ``fake_openrouter`` fixture, which may reach 127.0.0.1 under
    ``--disable-socket``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_openrouter_free.testing._fake_faults import Fault
from langchain_openrouter_free.testing._fake_limits import FreeTierLimits
from langchain_openrouter_free.testing._fake_models import ModelQuirks
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
    "ModelQuirks",
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
