"""The default emulator is as strict as OpenRouter: models answer as the registry allows.

Each refusal is compared with the exact text real traffic shows (free-tier
failure modes B6, B5, D1, D2); ``lenient=True`` keeps the old, easier behaviour.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import (
    OpenRouterInvalidRequestError,
    OpenRouterNotFoundError,
)
from langchain_openrouter_free.testing import FakeOpenRouter
from tests.emulator_tests._emulator_helpers import WEATHER_TOOL, chat, parse_sse

NO_TOOLS = "deepseek/deepseek-r1-0528:free"  # a reasoning model without tools
NO_JSON_MODE = "meta-llama/llama-3.3-70b-instruct:free"  # tools, no response_format
JSON_MODE_ONLY = "google/gemma-3-27b-it:free"  # response_format, no json_schema
STRUCTURED = "mistralai/mistral-small-3.1-24b-instruct:free"
RETIRED = "google/gemini-2.0-flash-exp:free"
TYPO = "meta-llama/lama-3.3-70b-instruct:free"
SCHEMA_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "city",
        "schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "population": {"type": "integer"},
            },
            "required": ["name", "population"],
        },
    },
}


@pytest.fixture(params=[False, True], ids=["strict", "lenient"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[bool, httpx.Client]]:
    lenient = bool(request.param)
    with (
        FakeOpenRouter(lenient=lenient) as fake,
        httpx.Client(base_url=fake.base_url, timeout=10, trust_env=False) as http,
    ):
        yield lenient, http


def _post(http: httpx.Client, **body: Any) -> httpx.Response:
    return http.post("/chat/completions", json=chat(**body))


def test_an_unknown_free_id_is_not_a_valid_model_id(
    served: tuple[bool, httpx.Client],
) -> None:
    lenient, http = served
    response = _post(http, model=TYPO)
    if lenient:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"{TYPO} is not a valid model ID"


def test_ids_that_are_not_free_are_served() -> None:
    with FakeOpenRouter() as fake, httpx.Client(base_url=fake.base_url) as http:
        assert _post(http, model="openai/gpt-4o-mini").status_code == 200


def test_a_retired_model_has_no_endpoints(served: tuple[bool, httpx.Client]) -> None:
    lenient, http = served
    response = _post(http, model=RETIRED)
    assert response.status_code == (200 if lenient else 404)
    if not lenient:
        assert (
            response.json()["error"]["message"] == f"No endpoints found for {RETIRED}."
        )


def test_tools_on_a_model_without_them_are_the_real_404(
    served: tuple[bool, httpx.Client],
) -> None:
    lenient, http = served
    response = _post(http, model=NO_TOOLS, tools=[WEATHER_TOOL])
    if lenient:
        assert response.json()["choices"][0]["message"]["tool_calls"]
        return
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith(
        "No endpoints found that support tool use. To learn more about provider "
        "routing, visit: https://openrouter.ai/docs/provider-routing"
    )


@pytest.mark.parametrize(
    ("model", "response_format"),
    [
        (NO_JSON_MODE, {"type": "json_object"}),
        (NO_JSON_MODE, SCHEMA_FORMAT),
        (JSON_MODE_ONLY, SCHEMA_FORMAT),
    ],
    ids=["json-mode", "schema-no-json-mode", "schema-json-mode-only"],
)
def test_a_response_format_the_model_lacks_is_the_providers_400(
    served: tuple[bool, httpx.Client], model: str, response_format: dict[str, Any]
) -> None:
    lenient, http = served
    response = _post(http, model=model, response_format=response_format)
    if lenient:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "Provider returned error"
    assert "JSON mode is not enabled for models/" in error["metadata"]["raw"]


def test_supported_formats_answer_documents_that_satisfy_the_schema() -> None:
    with FakeOpenRouter() as fake, httpx.Client(base_url=fake.base_url) as http:
        body = _post(http, model=STRUCTURED, response_format=SCHEMA_FORMAT).json()
        city = json.loads(body["choices"][0]["message"]["content"])
        assert set(city) == {"name", "population"}
        assert isinstance(city["population"], int)
        assert _post(
            http, model=JSON_MODE_ONLY, response_format={"type": "json_object"}
        )


def test_tool_arguments_satisfy_the_tool_schema() -> None:
    with FakeOpenRouter() as fake, httpx.Client(base_url=fake.base_url) as http:
        body = _post(http, model=NO_JSON_MODE, tools=[WEATHER_TOOL]).json()
    call = body["choices"][0]["message"]["tool_calls"][0]["function"]
    arguments = json.loads(call["arguments"])
    assert arguments["city"]
    assert arguments["unit"] in {"celsius", "fahrenheit"}


def test_a_reasoning_model_reasons_and_sends_details(
    served: tuple[bool, httpx.Client],
) -> None:
    lenient, http = served
    message = _post(http, model=NO_TOOLS).json()["choices"][0]["message"]
    if lenient:
        assert not message.get("reasoning")
        return
    assert message["reasoning"]
    assert message["reasoning_details"][0]["type"] == "reasoning.text"
    assert message["content"]
    stream = _post(http, model=NO_TOOLS, stream=True)
    _, events = parse_sse(stream.text)
    deltas = [
        e["choices"][0]["delta"] for e in events if isinstance(e, dict) and e["choices"]
    ]
    assert any(d.get("reasoning") for d in deltas)
    assert any(d.get("reasoning_details") for d in deltas)


class City(BaseModel):
    name: str
    population: int


def test_json_mode_answers_satisfy_the_schema_in_the_prompt() -> None:
    with FakeOpenRouter() as fake:
        model = ChatOpenRouterFree(model=JSON_MODE_ONLY, base_url=fake.base_url)
        city = model.with_structured_output(City, method="json_mode").invoke("Paris?")
    assert isinstance(city, City)


def test_the_chat_model_sees_the_typed_errors() -> None:
    with FakeOpenRouter() as fake:
        settings = {"base_url": fake.base_url, "max_retries": 0}
        no_tools = ChatOpenRouterFree(model=NO_TOOLS, **settings).bind_tools(
            [WEATHER_TOOL]
        )
        with pytest.raises(OpenRouterNotFoundError, match="support tool use"):
            no_tools.invoke("Weather in Oslo?")
        with pytest.warns(UserWarning, match="Did you mean"):
            typo = ChatOpenRouterFree(model=TYPO, **settings)
        with pytest.raises(OpenRouterInvalidRequestError, match="not a valid model ID"):
            typo.invoke("hi")


def test_strict_is_the_default_and_refusals_come_before_scripted_answers() -> None:
    from scripts.record_cassettes import RecordingResponder

    with (
        FakeOpenRouter(responder=RecordingResponder()) as fake,
        httpx.Client(base_url=fake.base_url) as http,
    ):
        assert fake.lenient is False
        assert _post(http, model=NO_TOOLS, tools=[WEATHER_TOOL]).status_code == 404
        assert fake.count(path="/api/v1/chat/completions") == 1
