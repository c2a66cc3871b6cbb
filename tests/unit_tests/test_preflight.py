"""Mistakes stop before a request: each check raises (or warns) and nothing is sent.

Every test drives a real `ChatOpenRouterFree` over a recording transport and
asserts on what reached it: an empty request list when the call was refused.
"""

from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelAuthenticationError
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._registry_model import UnknownModelError
from langchain_openrouter_free.errors import (
    OpenRouterAuthenticationError,
    OpenRouterConfigurationError,
    OpenRouterMissingKeyError,
    UnknownModelIdWarning,
)
from tests.unit_tests._wire import Recorder, make_model, ok, run, sse

FREE = "meta-llama/llama-3.3-70b-instruct:free"
TYPO = "meta-llama/lama-3.3-70b-instruct:free"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)


def call(mode: str, model: Any, messages: Any = "hi", /, **kw: Any) -> Any:
    """invoke / ainvoke; with ``mode`` ending in ``stream``, the streamed form."""
    if mode.endswith("stream"):
        return run(
            mode.removesuffix("-stream"),
            lambda: list(model.stream(messages, **kw)),
            lambda: _alist(model.astream(messages, **kw)),
        )
    return run(
        mode,
        lambda: model.invoke(messages, **kw),
        lambda: model.ainvoke(messages, **kw),
    )


async def _alist(stream: Any) -> list[Any]:
    return [chunk async for chunk in stream]


@pytest.fixture(params=["sync", "async", "sync-stream", "async-stream"])
def how(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# ------------------------------------------------------------------ missing key


def test_no_key_for_openrouter_raises_a_typed_error_naming_the_variable(
    how: str,
) -> None:
    model, recorder = make_model([ok(), sse([])], api_key=None)
    with pytest.raises(OpenRouterMissingKeyError) as caught:
        call(how, model)
    assert recorder.requests == []
    error = caught.value
    assert isinstance(error, OpenRouterAuthenticationError)
    assert isinstance(error, ModelAuthenticationError)
    assert error.is_retryable is False
    assert "OPENROUTER_API_KEY" in str(error)
    assert "https://openrouter.ai/settings/keys" in str(error)
    assert "openrouter-free serve" in str(error)  # the way without a key


def test_an_empty_key_counts_as_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "   ")
    model, recorder = make_model([ok()], api_key=None)
    model.api_key = None
    with pytest.raises(OpenRouterMissingKeyError):
        model.invoke("hi")
    assert recorder.requests == []


def test_the_key_from_the_environment_is_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-from-env")
    recorder = Recorder([ok()])
    client = httpx.Client(transport=httpx.MockTransport(recorder))
    ChatOpenRouterFree(model=FREE, http_client=client).invoke("hi")
    assert recorder.requests[0].headers["authorization"] == "Bearer sk-or-v1-from-env"


def test_an_authorization_header_counts_as_a_key() -> None:
    model, recorder = make_model(
        [ok()], api_key=None, default_headers={"Authorization": "Bearer sk-or-v1-x"}
    )
    model.invoke("hi")
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080/api/v1",
        "http://localhost:9/api/v1",
        "https://proxy.example",
    ],
)
def test_other_base_urls_run_without_a_key(base_url: str) -> None:
    model, recorder = make_model([ok()], api_key=None, base_url=base_url)
    assert model.invoke("hi").text
    assert "authorization" not in recorder.requests[0].headers


def test_openrouter_subdomains_need_a_key_too() -> None:
    model, recorder = make_model(
        [ok()], api_key=None, base_url="https://eu.openrouter.ai/api/v1"
    )
    with pytest.raises(OpenRouterMissingKeyError):
        model.invoke("hi")
    assert recorder.requests == []


def test_the_key_check_is_made_per_call_not_at_construction() -> None:
    model, recorder = make_model([ok()], api_key=None)  # constructing is fine
    with pytest.raises(OpenRouterMissingKeyError):
        model.invoke("hi")
    model.api_key = "sk-or-v1-later"  # type: ignore[assignment]
    model.invoke("hi")
    assert len(recorder.requests) == 1


# ---------------------------------------------------------------- unknown model ids


def test_an_unknown_free_id_warns_once_with_the_closest_real_ids(mode: str) -> None:
    recorder = Recorder([ok()])
    transport = httpx.MockTransport(recorder)
    with pytest.warns(UnknownModelIdWarning) as caught:
        model = ChatOpenRouterFree(
            model=TYPO,
            api_key="sk-or-v1-test",
            http_client=httpx.Client(transport=transport),
            http_async_client=httpx.AsyncClient(transport=transport),
        )
    assert len(caught) == 1
    text = str(caught[0].message)
    assert f"'{FREE}'" in text
    assert "strict_model_ids=True" in text
    assert "use_live_registry()" in text
    assert caught[0].filename == __file__  # points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the call itself does not warn again
        call(mode, model)
    assert recorder.bodies[0]["model"] == TYPO  # still sent: the registry may lag


def test_strict_model_ids_makes_an_unknown_id_an_error() -> None:
    with pytest.raises(UnknownModelError, match=FREE) as caught:
        ChatOpenRouterFree(model=TYPO, strict_model_ids=True)
    assert "use_live_registry()" in str(caught.value)
    with pytest.raises(UnknownModelError):
        ChatOpenRouterFree(model=FREE, models=[TYPO], strict_model_ids=True)


def test_an_unknown_per_call_model_is_checked_before_sending(mode: str) -> None:
    model, recorder = make_model([ok()], strict_model_ids=True)
    with pytest.raises(UnknownModelError, match=FREE):
        call(mode, model, model=TYPO)
    assert recorder.requests == []


def test_known_ids_and_paid_ids_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatOpenRouterFree(model=FREE, strict_model_ids=True)
        ChatOpenRouterFree(model="openrouter/free", strict_model_ids=True)
        # The registry lists free models only: a paid id is not "unknown".
        ChatOpenRouterFree(
            model="openai/gpt-4o", allow_paid=True, strict_model_ids=True
        )


# ------------------------------------------------------------------ empty messages


def test_an_empty_message_list_is_refused_locally(how: str) -> None:
    model, recorder = make_model([ok(), sse([])])
    with pytest.raises(OpenRouterConfigurationError, match="at least one message"):
        call(how, model, [])
    assert recorder.requests == []


# ------------------------------------------------------------- values that are no JSON


def _tool_call_history(args: dict[str, Any]) -> list[Any]:
    return [
        HumanMessage("When is the meeting?"),
        AIMessage("", tool_calls=[{"id": "c1", "name": "book", "args": args}]),
        ToolMessage("booked", tool_call_id="c1"),
    ]


def test_a_datetime_in_tool_arguments_is_refused_naming_message_and_field(
    how: str,
) -> None:
    model, recorder = make_model([ok(), sse([])])
    when = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    with pytest.raises(OpenRouterConfigurationError) as caught:
        call(how, model, _tool_call_history({"room": "A", "when": when}))
    assert recorder.requests == []
    text = str(caught.value)
    assert "messages[1].tool_calls[0].args.when" in text
    assert "datetime" in text
    assert "isoformat()" in text  # what to do next


def test_a_lone_surrogate_is_refused_naming_message_and_field(how: str) -> None:
    model, recorder = make_model([ok(), sse([])])
    broken = b"caf\xc3\xa9 \xff".decode("utf-8", "surrogateescape")
    messages = [HumanMessage("hello"), HumanMessage(broken)]
    with pytest.raises(OpenRouterConfigurationError) as caught:
        call(how, model, messages)
    assert recorder.requests == []
    text = str(caught.value)
    assert "messages[1].content" in text
    assert "surrogate" in text
    assert "errors='replace'" in text


def test_a_surrogate_inside_a_content_block_is_located() -> None:
    model, recorder = make_model([ok()])
    blocks = [{"type": "text", "text": "fine"}, {"type": "text", "text": "x\ud83d"}]
    with pytest.raises(OpenRouterConfigurationError, match=r"messages\[0\]\.content"):
        model.invoke([HumanMessage(blocks)])  # type: ignore[arg-type]
    assert recorder.requests == []


def test_nan_and_objects_elsewhere_in_the_body_are_located() -> None:
    model, recorder = make_model(
        [ok()], extra_body={"provider": {"max_price": math.nan}}
    )
    with pytest.raises(OpenRouterConfigurationError, match=r"provider\.max_price"):
        model.invoke("hi")
    model, recorder = make_model([ok()])
    with pytest.raises(
        OpenRouterConfigurationError, match=r"metadata\.at is a datetime"
    ):
        model.invoke("hi", extra_body={"metadata": {"at": datetime.now(UTC)}})
    assert recorder.requests == []


def test_a_clean_body_with_unicode_is_sent_unchanged() -> None:
    model, recorder = make_model([ok()])
    model.invoke("Grüße 👋 — ça va?")
    assert recorder.bodies[0]["messages"][0]["content"] == "Grüße 👋 — ça va?"
