"""The names ChatOpenAI and the partner packages use are accepted as our fields."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from pydantic import ValidationError

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import OpenRouterConfigurationError
from tests.unit_tests._wire import FAKE_KEY, make_model, ok, run

FREE = "meta-llama/llama-3.3-70b-instruct:free"


def invoke(mode: str, model: Any, /, **kw: Any) -> Any:
    return run(
        mode, lambda: model.invoke("hi", **kw), lambda: model.ainvoke("hi", **kw)
    )


def quiet(**fields: Any) -> ChatOpenRouterFree:
    """A model built with warnings as errors: aliases never warn (but model_kwargs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ChatOpenRouterFree(model=FREE, api_key=FAKE_KEY, **fields)


def test_constructor_aliases_set_our_fields() -> None:
    model = quiet(
        max_completion_tokens=100,
        request_timeout=7,
        stop_sequences=["END"],
        reasoning_effort="low",
        stream_usage=True,
    )
    assert model.max_tokens == 100
    assert model.timeout == 7
    assert model.stop == ["END"]
    assert model.reasoning == {"effort": "low"}
    assert model.model_name == FREE == model.model


def test_reasoning_effort_joins_other_reasoning_settings() -> None:
    model = quiet(reasoning_effort="high", reasoning={"exclude": True})
    assert model.reasoning == {"exclude": True, "effort": "high"}


def test_constructor_aliases_reach_the_wire(mode: str) -> None:
    model, recorder = make_model(
        [ok()], max_completion_tokens=64, stop_sequences=["END"], reasoning_effort="low"
    )
    invoke(mode, model)
    body = recorder.bodies[0]
    assert (body["max_tokens"], body["stop"], body["reasoning"]) == (
        64,
        ["END"],
        {"effort": "low"},
    )
    assert "max_completion_tokens" not in body
    assert "reasoning_effort" not in body


def test_per_call_aliases_become_our_fields(mode: str) -> None:
    model, recorder = make_model([ok()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        invoke(
            mode,
            model,
            max_completion_tokens=32,
            stop_sequences=["x"],
            reasoning_effort="minimal",
            stream_usage=True,
        )
    body = recorder.bodies[0]
    assert body["max_tokens"] == 32
    assert body["stop"] == ["x"]
    assert body["reasoning"] == {"effort": "minimal"}
    assert not {"max_completion_tokens", "stop_sequences", "stream_usage"} & set(body)


def test_per_call_max_completion_tokens_is_checked_like_max_tokens(mode: str) -> None:
    model, recorder = make_model([ok()], model="google/gemma-3-27b-it:free")
    with pytest.raises(OpenRouterConfigurationError, match="8192-token output limit"):
        invoke(mode, model, max_completion_tokens=9000)
    with pytest.raises(ValidationError, match="max_tokens"):
        invoke(mode, model, max_completion_tokens=0)  # the same range check
    assert recorder.requests == []


def test_request_timeout_per_call_is_refused_as_a_model_setting(mode: str) -> None:
    model, recorder = make_model([ok()])
    with pytest.raises(TypeError, match="request_timeout is a model setting"):
        invoke(mode, model, request_timeout=3)
    assert recorder.requests == []


def test_model_kwargs_merge_like_extra_body_with_one_pointer(mode: str) -> None:
    with pytest.warns(FutureWarning, match=r"extra_body=\{\.\.\.\}") as caught:
        model, recorder = make_model(
            [ok()],
            model_kwargs={"top_a": 0.2, "verbosity": "low"},
            extra_body={"verbosity": "high"},
        )
    assert len(caught) == 1
    assert model.extra_body == {"top_a": 0.2, "verbosity": "high"}  # extra_body wins
    invoke(mode, model)
    assert recorder.bodies[0]["top_a"] == 0.2
    assert recorder.bodies[0]["verbosity"] == "high"


def test_an_alias_and_its_field_must_agree() -> None:
    with pytest.raises(ValueError, match="pass only max_tokens"):
        ChatOpenRouterFree(model=FREE, max_tokens=10, max_completion_tokens=20)
    same = quiet(max_tokens=10, max_completion_tokens=10)
    assert same.max_tokens == 10
    with pytest.raises(ValueError, match="pass only reasoning"):
        ChatOpenRouterFree(
            model=FREE, reasoning={"effort": "high"}, reasoning_effort="low"
        )
    model, recorder = make_model([ok()])
    with pytest.raises(ValueError, match="pass only stop"):
        model.invoke("hi", stop=["a"], stop_sequences=["b"])
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("temprature", "'temperature'"),
        ("max_token", "'max_tokens'"),
        ("base_uri", "'base_url'"),
        ("max_completion_token", "'max_completion_tokens'"),
    ],
)
def test_an_unknown_constructor_name_suggests_the_nearest_field(
    typo: str, suggestion: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatOpenRouterFree(model=FREE, **{typo: 1})
    text = str(caught.value)
    assert f"no field {typo!r}" in text
    assert f"Did you mean {suggestion}" in text
    assert "extra_body" in text  # what to do for a brand-new OpenRouter field
    assert "Extra inputs are not permitted" not in text


def test_an_unknown_name_far_from_every_field_still_says_what_to_do() -> None:
    with pytest.raises(ValidationError, match=r"no field 'zzz'\. Send a request"):
        ChatOpenRouterFree(model=FREE, zzz=1)


def test_an_unknown_per_call_name_warns_with_the_nearest_field() -> None:
    model, recorder = make_model([ok()])
    with pytest.warns(UserWarning, match="Did you mean 'temperature'"):
        model.invoke("hi", temprature=0.2)
    assert recorder.bodies[0]["temprature"] == 0.2  # still sent, as documented
