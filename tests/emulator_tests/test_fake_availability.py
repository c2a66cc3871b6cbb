"""``error.availability`` (OpenRouter, 2026-08-19 on) and ``Retry-After`` values.

The shape is OpenRouter's documented one (its API reference, error
``availability``): ``{code, retryable, retry_after?, requested_models, excluded_by?,
fallback_models?, docs_url}``. The last tests go through ``ChatOpenRouterFree``
to check that its typed errors read ``availability`` and ``retryable``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import (
    OpenRouterAPIError,
    OpenRouterInvalidRequestError,
    OpenRouterNotFoundError,
    OpenRouterRateLimitError,
    OpenRouterServerError,
)
from langchain_openrouter_free.testing import FakeOpenRouter, Fault
from tests.emulator_tests._emulator_helpers import FREE_MODEL, PAID_MODEL, chat

DOCS = "https://openrouter.ai/docs/errors#"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def _error(fault: Fault, http: httpx.Client, **extra: Any) -> httpx.Response:
    with FakeOpenRouter(replies=[fault]) as fake:
        return http.post(f"{fake.base_url}/chat/completions", json=chat(**extra))


@pytest.mark.parametrize(
    ("fault", "model", "status", "availability"),
    [
        (
            Fault.no_endpoints(),
            FREE_MODEL,
            404,
            {
                "code": "free_variant_ended",
                "retryable": False,
                "requested_models": [FREE_MODEL],
                "fallback_models": [FREE_MODEL.removesuffix(":free")],
                "docs_url": f"{DOCS}free_variant_ended",
            },
        ),
        (
            Fault.no_endpoints(),
            PAID_MODEL,
            404,
            {
                "code": "no_endpoints",
                "retryable": False,
                "requested_models": [PAID_MODEL],
                "docs_url": f"{DOCS}no_endpoints",
            },
        ),
        (
            Fault.invalid_model(),
            "nope/nope:free",
            400,
            {
                "code": "model_not_found",
                "retryable": False,
                "requested_models": ["nope/nope:free"],
                "docs_url": f"{DOCS}model_not_found",
            },
        ),
        (
            Fault.data_policy(),
            FREE_MODEL,
            404,
            {
                "code": "privacy_restricted",
                "retryable": False,
                "requested_models": [FREE_MODEL],
                "excluded_by": ["data_policy:training"],
                "docs_url": f"{DOCS}privacy_restricted",
            },
        ),
        (
            Fault.capacity_exhausted(retry_after=2),
            FREE_MODEL,
            429,
            {
                "code": "capacity_exhausted",
                "retryable": True,
                "retry_after": 2,
                "requested_models": [FREE_MODEL],
                "docs_url": f"{DOCS}capacity_exhausted",
            },
        ),
        (
            Fault.temporarily_unavailable(),
            FREE_MODEL,
            503,
            {
                "code": "temporarily_unavailable",
                "retryable": True,
                "requested_models": [FREE_MODEL],
                "docs_url": f"{DOCS}temporarily_unavailable",
            },
        ),
        (
            Fault.server_error(503, availability=True),
            FREE_MODEL,
            503,
            {
                "code": "temporarily_unavailable",
                "retryable": True,
                "requested_models": [FREE_MODEL],
                "docs_url": f"{DOCS}temporarily_unavailable",
            },
        ),
    ],
    ids=[
        "free-variant-ended",
        "no-endpoints",
        "model-not-found",
        "privacy-restricted",
        "capacity-exhausted",
        "temporarily-unavailable",
        "server-error-503",
    ],
)
def test_availability_objects(
    http: httpx.Client,
    fault: Fault,
    model: str,
    status: int,
    availability: dict[str, Any],
) -> None:
    response = _error(fault, http, model=model)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["availability"] == availability
    assert list(error["availability"]) == list(availability), "documented key order"
    assert error["code"] == status
    assert error["message"]


def test_capacity_retry_after_is_a_header_too(http: httpx.Client) -> None:
    response = _error(Fault.capacity_exhausted(retry_after=2.5), http)

    assert response.headers["retry-after"] == "3"
    assert response.json()["error"]["availability"]["retry_after"] == 3


def test_availability_can_be_turned_off_or_overridden(http: httpx.Client) -> None:
    legacy = _error(Fault.no_endpoints(availability=False), http).json()
    custom = _error(
        Fault.no_endpoints(availability={"code": "model_deprecated", "x": 1}), http
    ).json()
    generic = _error(
        Fault.http_error(
            403,
            "Not available in your region.",
            availability={"code": "region_restricted", "retryable": False},
        ),
        http,
    ).json()

    assert "availability" not in legacy["error"]
    assert custom["error"]["availability"]["code"] == "model_deprecated"
    assert custom["error"]["availability"]["x"] == 1
    assert custom["error"]["availability"]["docs_url"] == f"{DOCS}model_deprecated"
    assert generic["error"]["availability"] == {
        "code": "region_restricted",
        "retryable": False,
        "requested_models": [FREE_MODEL],
        "docs_url": f"{DOCS}region_restricted",
    }
    no_default = _error(Fault.server_error(503), http).json()
    assert "availability" not in no_default["error"]


@pytest.mark.parametrize(
    ("retry_after", "time_scale", "header"),
    [
        (30, 60, "1"),  # half a real second: at least one whole second
        (2_000_000, 1, "2000000"),  # never "2e+06"
        (0.4, 1, "1"),
        (20, 10, "2"),
        (7.2, 1, "8"),  # rounded up: never earlier than asked
    ],
)
def test_retry_after_is_integer_delta_seconds(
    http: httpx.Client, retry_after: float, time_scale: float, header: str
) -> None:
    fault = Fault.server_error(503, retry_after=retry_after)
    with FakeOpenRouter(replies=[fault], time_scale=time_scale) as fake:
        response = http.post(f"{fake.base_url}/chat/completions", json=chat())

    assert response.headers["retry-after"] == header
    assert int(response.headers["retry-after"]) >= 1


# ---------------------------------------------------------------- through the model


def _invoke(fault: Fault, http: httpx.Client, model: str = FREE_MODEL) -> Exception:
    with FakeOpenRouter(replies=[fault]) as fake:
        chat_model = ChatOpenRouterFree(
            base_url=fake.base_url,
            api_key="sk-test",
            model=model,
            max_retries=0,
            http_client=http,
        )
        with pytest.raises(OpenRouterAPIError) as caught:
            chat_model.invoke("hi")
    return caught.value


@pytest.mark.parametrize(
    ("fault", "error_type", "code", "retryable"),
    [
        (Fault.no_endpoints(), OpenRouterNotFoundError, "free_variant_ended", False),
        (Fault.data_policy(), OpenRouterNotFoundError, "privacy_restricted", False),
        (
            Fault.invalid_model(),
            OpenRouterInvalidRequestError,
            "model_not_found",
            False,
        ),
        (
            Fault.capacity_exhausted(retry_after=1),
            OpenRouterRateLimitError,
            "capacity_exhausted",
            True,
        ),
        (
            Fault.temporarily_unavailable(),
            OpenRouterServerError,
            "temporarily_unavailable",
            True,
        ),
        (
            # A 404 is not retryable, unless availability says it is.
            Fault.no_endpoints(availability={"retryable": True}),
            OpenRouterNotFoundError,
            "free_variant_ended",
            True,
        ),
        (
            # A 503 is retryable, unless availability says it is not.
            Fault.server_error(503, availability={"retryable": False}),
            OpenRouterServerError,
            "temporarily_unavailable",
            False,
        ),
    ],
    ids=[
        "free-variant-ended",
        "privacy-restricted",
        "model-not-found",
        "capacity-exhausted",
        "temporarily-unavailable",
        "404-said-retryable",
        "503-said-not-retryable",
    ],
)
def test_the_chat_model_error_carries_availability(
    http: httpx.Client,
    fault: Fault,
    error_type: type[OpenRouterAPIError],
    code: str,
    retryable: bool,
) -> None:
    error = _invoke(fault, http)

    assert isinstance(error, error_type)
    assert error.availability["code"] == code
    assert error.availability["requested_models"] == [FREE_MODEL]
    assert error.is_retryable is retryable
