"""Model settings: refused before anything is sent, masked in every dump, no leaks."""

from __future__ import annotations

import asyncio
import copy
import math
import pickle
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._client import OpenRouterHTTPClient
from langchain_openrouter_free._retry import RetryPolicy
from tests.unit_tests._client_harness import record_built_clients
from tests.unit_tests._wire import FAKE_KEY, make_model, ok, run

FREE = "meta-llama/llama-3.3-70b-instruct:free"
PROXY_PASSWORD = "pr0xy-pa55word-9d8c"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("timeout", math.inf, "timeout"),
        ("timeout", math.nan, "timeout"),
        ("total_timeout", math.inf, "total_timeout"),
        ("timeout", 0, "timeout"),
        ("max_response_bytes", 0, "max_response_bytes"),
        ("max_line_bytes", -1, "max_line_bytes"),
        ("base_url", "openrouter.ai/api/v1", "https://"),
        ("base_url", "ftp://openrouter.ai/api/v1", "https://"),
        ("base_url", "https:///api/v1", "no host"),
        ("base_url", "https://openrouter.ai:port/api/v1", "parsed"),
        ("base_url", "https://open router.ai/api/v1", "whitespace"),
        ("app_title", "Café app", "app_title"),
        ("app_title", "two\nlines", "app_title"),
        ("app_url", "https://exämple.test", "app_url"),
    ],
)
def test_a_setting_no_request_could_use_is_refused_at_construction(
    field: str, value: Any, says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY, **{field: value})


def test_a_bad_base_url_error_does_not_quote_its_credentials() -> None:
    with pytest.raises(ValueError, match="no host") as caught:
        ChatOpenRouterFree(
            model=FREE, api_key=FAKE_KEY, base_url=f"https://u:{PROXY_PASSWORD}@"
        )
    assert PROXY_PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image", "source_type": "base64"},
        {"type": "image", "source_type": "base64", "data": ""},
        {"type": "image", "source_type": "url"},
        {"type": "file", "source_type": "id"},
        {"type": "image"},
    ],
)
def test_a_data_block_without_its_payload_is_refused_before_sending(
    mode: str, block: dict[str, Any]
) -> None:
    model, recorder = make_model([ok()])
    messages = [HumanMessage(content=[{"type": "text", "text": "look"}, block])]
    with pytest.raises(ValueError, match="needs"):
        run(mode, lambda: model.invoke(messages), lambda: model.ainvoke(messages))
    assert recorder.requests == []


def test_credentials_in_base_url_and_headers_are_masked_in_repr_and_dumps() -> None:
    model = ChatOpenRouterFree(
        model=FREE,
        api_key=FAKE_KEY,
        base_url=f"https://team:{PROXY_PASSWORD}@proxy.example/api/v1",
        default_headers={"X-API-Key": "gateway-secret-4f3e", "X-Team": "blue"},
    )
    dumped = model.model_dump()
    assert dumped["base_url"] == "https://**********@proxy.example/api/v1"
    assert dumped["default_headers"] == {"X-API-Key": "**********", "X-Team": "blue"}
    for text in (repr(model), str(model), model.model_dump_json(), str(dumped)):
        assert PROXY_PASSWORD not in text
        assert "gateway-secret-4f3e" not in text
        assert FAKE_KEY not in text
    # The model itself still uses them.
    assert model.base_url.startswith("https://team:")
    sent = {name.lower(): value for name, value in model._headers().items()}
    assert sent["x-api-key"] == "gateway-secret-4f3e"


def test_pickle_and_copies_work_before_and_after_use(mode: str) -> None:
    model, _ = make_model([ok()], http_client=None, http_async_client=None)
    model = model.model_copy(update={"base_url": "http://127.0.0.1:9/api/v1"})
    for stage in ("before", "after"):
        clone = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own bytes
        assert clone.model == model.model
        assert clone.api_key == model.api_key
        assert copy.deepcopy(model)._http is None
        assert copy.copy(model)._http is None
        if stage == "before":
            model._client()  # built, as by a first call


def test_replacing_a_connection_setting_closes_the_replaced_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = record_built_clients(monkeypatch)
    model = ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY, max_retries=0)
    for turn in range(50):
        model.invoke("hi")
        model.api_key = f"sk-or-v1-{turn:064d}"  # type: ignore[assignment]
        model.timeout = 30.0 + turn
    assert len(built) == 50
    assert all(client.is_closed for client in built)


def test_each_asyncio_run_closes_its_pooled_client_when_the_loop_ends() -> None:
    transport = httpx.MockTransport(lambda request: ok())
    built: list[httpx.AsyncClient] = []

    async def call(http: OpenRouterHTTPClient) -> None:
        await http.arequest_json("POST", "/chat/completions", json={})

    http = OpenRouterHTTPClient(
        base_url="https://openrouter.ai/api/v1",
        headers={},
        timeout=5.0,
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "langchain_openrouter_free._client._new_async_client",
            lambda: built.append(httpx.AsyncClient(transport=transport)) or built[-1],
        )
        for _ in range(5):
            asyncio.run(call(http))
    assert len(built) == 5
    assert all(client.is_closed for client in built)
