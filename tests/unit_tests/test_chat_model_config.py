"""ChatOpenRouterFree configuration: the key, the free guard on the final body,
per-call kwargs, copies and changed settings, one client per model, secrets in
headers. Everything goes over real wire bytes (httpx.MockTransport).
"""

from __future__ import annotations

import copy
import gc
import json
import threading
import traceback
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps, load
from langchain_core.rate_limiters import InMemoryRateLimiter
from pydantic import SecretStr

import langchain_openrouter_free._connection as connection_module
from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._client import OpenRouterHTTPClient
from langchain_openrouter_free._request import check_payload_is_free
from langchain_openrouter_free.errors import OpenRouterServerError
from tests.unit_tests._wire import (
    FAKE_KEY,
    JSON_HEADERS,
    Recorder,
    make_model,
    ok,
    run,
)

FREE = "meta-llama/llama-3.3-70b-instruct:free"
PAID = "openai/gpt-4o"
KEY = "sk-or-v1-" + "ab" * 32
OTHER_KEY = "sk-or-v1-" + "cd" * 32


def invoke(mode: str, model: Any, /, **kw: Any) -> Any:
    return run(
        mode, lambda: model.invoke("hi", **kw), lambda: model.ainvoke("hi", **kw)
    )


def stream(mode: str, model: Any, /, **kw: Any) -> list[Any]:
    async def collect() -> list[Any]:
        return [chunk async for chunk in model.astream("hi", **kw)]

    return run(mode, lambda: list(model.stream("hi", **kw)), collect)


def error_text(error: BaseException) -> str:
    """Everything a log line, a traceback or a LangChain tracer would record."""
    return "".join(traceback.format_exception(error)) + repr(error)


def busy() -> httpx.Response:
    """A retryable 503 that asks for a 1 ms wait, so retries cost no time."""
    return httpx.Response(
        503,
        headers={**JSON_HEADERS, "retry-after-ms": "1"},
        content=b'{"error": {"code": 503, "message": "busy"}}',
    )


# --- the API key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [f"{KEY}\n", f"  {KEY}\r\n", f"\t{KEY} ", SecretStr(f"{KEY}\n")],
    ids=["file-newline", "crlf", "tabs-and-spaces", "secretstr"],
)
def test_whitespace_around_the_key_is_stripped(mode: str, given: Any) -> None:
    model, recorder = make_model([ok()], api_key=given)
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == KEY
    invoke(mode, model)
    assert recorder.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_a_crlf_key_from_the_environment_is_stripped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", f"{KEY}\r")
    model = ChatOpenRouterFree(model=FREE)
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == KEY


@pytest.mark.parametrize(
    "broken",
    [
        f"{KEY[:20]} {KEY[20:]}",
        f"{KEY[:20]}\n{KEY[20:]}",
        f"{KEY[:20]}\x00{KEY[20:]}",
        f"{KEY[:20]}\u00e9{KEY[20:]}",
    ],
    ids=["space", "newline", "nul", "non-ascii"],
)
def test_a_key_broken_inside_is_refused_without_showing_it(broken: str) -> None:
    with pytest.raises(ValueError, match="api_key") as info:
        ChatOpenRouterFree(model=FREE, api_key=broken)
    text = error_text(info.value)
    assert KEY[:20] not in text
    assert KEY[20:] not in text
    model = ChatOpenRouterFree(model=FREE, api_key=KEY)
    with pytest.raises(ValueError, match="api_key") as info:
        model.api_key = broken  # type: ignore[assignment]
    assert KEY[20:] not in error_text(info.value)
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == KEY


def test_refusing_a_paid_model_does_not_quote_the_key() -> None:
    with pytest.raises(ValueError, match=PAID) as info:
        ChatOpenRouterFree(model=PAID, api_key=KEY)
    assert KEY not in error_text(info.value)


def test_a_header_value_with_a_line_break_is_refused_without_showing_it() -> None:
    with pytest.raises(ValueError, match="default_headers") as info:
        ChatOpenRouterFree(
            model=FREE, default_headers={"Authorization": f"Bearer {KEY}\n"}
        )
    assert KEY not in error_text(info.value)


# --- the free guard on the body that is sent --------------------------------------------


@pytest.mark.parametrize(
    ("extra_body", "field"),
    [
        ({"model": PAID}, r"extra_body\['model'\]"),
        ({"model": None}, r"extra_body\['model'\]"),
        ({"models": [PAID, "anthropic/claude-opus-4"]}, r"extra_body\['models'\]"),
        ({"models": ["a:free", "b:free", "c:free", "d:free"]}, "at most 3"),
    ],
)
def test_extra_body_cannot_slip_past_the_free_guard(
    mode: str, extra_body: dict[str, Any], field: str
) -> None:
    on_model, recorder = make_model([], extra_body=extra_body)
    with pytest.raises(ValueError, match=field):
        invoke(mode, on_model)
    plain, recorder_per_call = make_model([])
    with pytest.raises(ValueError, match=field):
        invoke(mode, plain, extra_body=extra_body)
    with pytest.raises(ValueError, match=field):
        stream(mode, plain, extra_body=extra_body)
    assert recorder.requests == recorder_per_call.requests == []


def test_extra_body_may_name_free_models_and_paid_ones_when_allowed(mode: str) -> None:
    fallbacks = ["google/gemma-3-27b-it:free", "openrouter/free"]
    model, recorder = make_model([ok()], extra_body={"models": fallbacks})
    invoke(mode, model)
    assert recorder.bodies[0]["models"] == fallbacks
    paid, recorder = make_model([ok()], allow_paid=True)
    invoke(mode, paid, extra_body={"model": PAID, "models": [PAID]})
    assert (recorder.bodies[0]["model"], recorder.bodies[0]["models"]) == (
        PAID,
        [PAID],
    )


def test_a_model_set_after_construction_is_guarded_too(mode: str) -> None:
    model, recorder = make_model([])
    copied = model.model_copy(update={"model": PAID})
    with pytest.raises(ValueError, match=f"^model names .*{PAID}"):
        invoke(mode, copied)
    model.model = PAID
    with pytest.raises(ValueError, match=PAID):
        invoke(mode, model)
    assert recorder.requests == []


def test_check_payload_is_free_names_the_field_the_value_came_from() -> None:
    body = {"model": FREE, "models": [PAID]}
    with pytest.raises(ValueError, match=r"^models names model\(s\) that are not"):
        check_payload_is_free(body)
    with pytest.raises(ValueError, match=r"^extra_body\['models'\] names"):
        check_payload_is_free(body, extra_body_keys={"models"})
    with pytest.raises(ValueError, match=r"^extra_body\['models'\]"):
        check_payload_is_free(
            {"model": FREE, "models": "x:free"}, extra_body_keys={"models"}
        )
    check_payload_is_free({"model": "openrouter/free", "models": ["a:free"] * 3})
    check_payload_is_free({"model": FREE})


# --- per-call kwargs ---------------------------------------------------------------------

MODEL_SETTINGS = {
    "api_key": KEY,
    "base_url": "https://proxy.example/api/v1",
    "allow_paid": True,
    "timeout": 5,
    "max_retries": 0,
    "streaming": True,
    "http_client": None,
    "http_async_client": None,
    "app_url": "https://example.org",
    "app_title": "App",
    "default_headers": {"X-A": "1"},
    "rate_limiter": InMemoryRateLimiter(),
    "disable_streaming": True,
    "output_version": "v1",
    "cache": False,
    "verbose": True,
}


class StartRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_chat_model_start(
        self, serialized: Any, messages: Any, **kwargs: Any
    ) -> None:
        self.seen.append(json.dumps([serialized, kwargs], default=repr))


@pytest.mark.parametrize("name", sorted(MODEL_SETTINGS))
def test_model_settings_per_call_are_refused_before_anything_is_traced(
    mode: str, name: str
) -> None:
    model, recorder = make_model([])
    starts = StartRecorder()
    config = {"callbacks": [starts]}
    with pytest.raises(TypeError, match=rf"^{name} is a model setting, not a request"):
        invoke(mode, model, config=config, **{name: MODEL_SETTINGS[name]})
    with pytest.raises(TypeError, match=name):
        stream(mode, model.bind(**{name: MODEL_SETTINGS[name]}), config=config)
    assert recorder.requests == []
    assert all(KEY not in seen for seen in starts.seen)


def test_several_model_settings_are_named_together(mode: str) -> None:
    model, _ = make_model([])
    with pytest.raises(
        TypeError, match=r"^api_key, timeout are model settings"
    ) as info:
        invoke(mode, model, timeout=5, api_key=KEY)
    assert KEY not in error_text(info.value)


def test_unknown_names_warn_once_and_are_still_sent(mode: str) -> None:
    model, recorder = make_model([ok()])
    with pytest.warns(
        UserWarning, match="frobnicate, temprature.*extra_body"
    ) as caught:
        invoke(mode, model, temprature=0.2, frobnicate=1)
    assert len(caught) == 1
    assert recorder.bodies[0]["temprature"] == 0.2
    assert recorder.bodies[0]["frobnicate"] == 1


# Documented OpenRouter request fields without a typed field of their own
# (OpenRouter's chat-completions request reference).
WIRE_FIELDS = {
    "tools": [{"type": "openrouter:web_search"}],
    "tool_choice": "auto",
    "parallel_tool_calls": False,
    "include_reasoning": True,
    "verbosity": "low",
    "web_search_options": {"search_context_size": "low"},
    "modalities": ["text"],
    "trace": {"trace_id": "t-1"},
    "service_tier": "auto",
    "cache_control": {"type": "ephemeral"},
    "usage": {"include": True},
    "stream_options": {"include_usage": True},
    "structured_outputs": True,
    "debug": {"echo_upstream_body": True},
    "preset": "my-preset",
}


def test_known_wire_fields_and_plumbing_pass_quietly(mode: str) -> None:
    values = WIRE_FIELDS
    model, recorder = make_model([ok()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        invoke(
            mode,
            model,
            model="google/gemma-3-27b-it:free",
            temperature=0.1,
            extra_body={"brand_new": 1},
            **values,
        )
    body = recorder.bodies[0]
    assert {name: body[name] for name in values} == values
    assert body["brand_new"] == 1
    assert body["model"] == "google/gemma-3-27b-it:free"


# --- copies and changed settings -------------------------------------------------------


def test_model_copy_with_a_new_key_and_url_uses_them(mode: str) -> None:
    model, recorder = make_model([ok(), ok(), ok()], api_key=KEY)
    invoke(mode, model)
    copied = model.model_copy(
        update={"api_key": SecretStr(OTHER_KEY), "base_url": "https://proxy.example/v1"}
    )
    invoke(mode, copied)
    invoke(mode, model)
    first, second, third = recorder.requests
    assert second.url == "https://proxy.example/v1/chat/completions"
    assert second.headers["authorization"] == f"Bearer {OTHER_KEY}"
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert third.headers["authorization"] == f"Bearer {KEY}"
    assert third.url == "https://openrouter.ai/api/v1/chat/completions"


def test_model_copy_cleans_an_updated_key_and_never_shares_the_client() -> None:
    model = ChatOpenRouterFree(model=FREE, api_key=KEY)
    built = model._client()
    copied = model.model_copy(update={"api_key": f"{OTHER_KEY}\n"})
    assert copied.api_key == SecretStr(OTHER_KEY)
    assert copied._client() is not built
    assert copy.copy(model)._client() is not built
    assert model._client() is built


def test_assigned_connection_settings_take_effect_on_the_next_call(mode: str) -> None:
    model, recorder = make_model([ok(), ok()], api_key=KEY, timeout=120)
    invoke(mode, model)
    model.api_key = f"{OTHER_KEY}\n"  # type: ignore[assignment]
    model.base_url = "https://proxy.example/v1"
    model.app_title = "Renamed"
    model.default_headers = {"X-Extra": "2"}
    model.timeout = 7
    invoke(mode, model)
    before, after = recorder.requests
    assert before.headers["authorization"] == f"Bearer {KEY}"
    assert before.extensions["timeout"]["read"] == 120
    assert after.headers["authorization"] == f"Bearer {OTHER_KEY}"
    assert after.url == "https://proxy.example/v1/chat/completions"
    assert after.headers["x-title"] == "Renamed"
    assert after.headers["x-extra"] == "2"
    assert after.extensions["timeout"]["read"] == 7


def test_assigned_max_retries_takes_effect_on_the_next_call(mode: str) -> None:
    model, recorder = make_model([ok(), busy(), ok(), busy()], max_retries=0)
    invoke(mode, model)
    model.max_retries = 1
    assert invoke(mode, model).content == "Paris."
    assert len(recorder.requests) == 3
    model.max_retries = 0
    with pytest.raises(OpenRouterServerError):
        invoke(mode, model)
    assert len(recorder.requests) == 4


def test_a_replaced_injected_client_is_used(mode: str) -> None:
    model, old = make_model([ok()])
    invoke(mode, model)
    new = Recorder([ok()])
    transport = httpx.MockTransport(new)
    model.http_client = httpx.Client(transport=transport)
    model.http_async_client = httpx.AsyncClient(transport=transport)
    invoke(mode, model)
    assert (len(old.requests), len(new.requests)) == (1, 1)


def test_deep_copies_work_after_first_use_and_share_injected_clients(
    mode: str,
) -> None:
    model, recorder = make_model([ok()] * 4)
    invoke(mode, model)
    built = model._client()
    for copied in (
        copy.deepcopy(model),
        model.model_copy(deep=True),
        model.model_copy(update={"temperature": 0.5}, deep=True),
    ):
        assert copied.http_client is model.http_client
        assert copied.http_async_client is model.http_async_client
        assert copied._client() is not built
        invoke(mode, copied)
    assert len(recorder.requests) == 4


def test_a_copy_keeps_working_after_the_original_is_collected() -> None:
    model = ChatOpenRouterFree(model=FREE, api_key=KEY)
    model._client()
    copied = model.model_copy(update={"api_key": SecretStr(OTHER_KEY)})
    copied_client = copied._client()
    del model
    gc.collect()
    assert copied._client() is copied_client


# --- one client per model, also under threads ------------------------------------------


def test_threads_racing_on_a_fresh_model_build_one_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[OpenRouterHTTPClient] = []
    entered = threading.Event()

    class SlowClient(OpenRouterHTTPClient):
        def __init__(self, **kwargs: Any) -> None:
            built.append(self)
            entered.set()
            # Widen the window in which an unguarded second thread would
            # also find no client; nothing below depends on timing.
            threading.Event().wait(0.02)
            super().__init__(**kwargs)

    monkeypatch.setattr(connection_module, "OpenRouterHTTPClient", SlowClient)
    model = ChatOpenRouterFree(model=FREE, api_key=KEY)
    barrier = threading.Barrier(8)
    results: list[OpenRouterHTTPClient] = []

    def use() -> None:
        barrier.wait()
        results.append(model._client())

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert entered.is_set()
    assert len(built) == 1
    assert len(results) == 8
    assert all(result is built[0] for result in results)


# --- credentials in default_headers --------------------------------------------------------


def test_credential_headers_stay_out_of_repr_and_dumps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = {
        "Authorization": f"Bearer {KEY}",
        "x-api-key": OTHER_KEY,
        "Cookie": f"session={KEY}",
        "X-Extra": "1",
    }
    model = ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY, default_headers=headers)
    for text in (repr(model), str(model), dumps(model), json.dumps(dumpd(model))):
        assert KEY not in text
        assert OTHER_KEY not in text
    assert dumpd(model)["kwargs"]["default_headers"] == {"X-Extra": "1"}
    assert model.default_headers == headers
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    loaded = load(
        dumpd(model),
        valid_namespaces=["langchain_openrouter_free"],
        allowed_objects=[ChatOpenRouterFree],
        secrets_from_env=True,
    )
    assert isinstance(loaded, ChatOpenRouterFree)
    assert loaded.default_headers == {"X-Extra": "1"}
    assert loaded._headers()["authorization"] == f"Bearer {FAKE_KEY}"


def test_credential_headers_never_reach_callbacks(mode: str) -> None:
    model, recorder = make_model(
        [ok()], default_headers={"Authorization": f"Bearer {KEY}"}
    )
    starts = StartRecorder()
    invoke(mode, model, config={"callbacks": [starts]})
    assert starts.seen
    assert all(KEY not in seen for seen in starts.seen)
    assert recorder.requests[0].headers["authorization"] == f"Bearer {KEY}"
