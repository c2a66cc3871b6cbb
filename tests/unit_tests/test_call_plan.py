"""The pure call planner: what each error means, step-downs, empty answers, fit."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_openrouter_free import _error_mapping, errors
from langchain_openrouter_free._call_plan import Answer, CallPlan, build_plan
from langchain_openrouter_free._candidates import CallNeeds, plan_models
from langchain_openrouter_free._step_down import (
    Reshape,
    merge_system_prompt,
    next_structured_step,
)
from langchain_openrouter_free.registry import default_registry

A, B, C, D = (
    "meta-llama/llama-3.3-70b-instruct:free",
    "qwen/qwen3-next-80b-a3b-instruct:free",
    "openai/gpt-oss-120b:free",
    "z-ai/glm-4.5-air:free",
)
BODY = {"model": A, "messages": [{"role": "user", "content": "hi"}]}
SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}}


def _plan(models: list[str] | None = None, **options: bool) -> CallPlan:
    return CallPlan(
        BODY,
        models or [A],
        failover=models is not None,
        retry_empty=options.get("retry_empty", False),
        allow_paid=options.get("allow_paid", False),
    )


def _error(status: int, message: str, **fields: object) -> errors.OpenRouterAPIError:
    body = {"error": {"code": status, "message": message, **fields}}
    return _error_mapping.error_from_response(status, body)


def _answer(**fields: object) -> Answer:
    values: dict[str, object] = {
        "has_output": True,
        "reasoning": "",
        "finish_reason": "stop",
        "model_name": A,
        "cost": 0.0,
        "completion_tokens": 5,
    }
    values.update(fields)
    return Answer(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------- failover


FAIL_OVER = [
    _error(404, f"No endpoints found for {A}."),
    _error(400, f"{A} is not a valid model ID"),
    _error(
        429,
        "Provider returned error",
        metadata={"raw": f"{A} is temporarily rate-limited upstream."},
    ),
    _error(502, "Provider returned error"),
    errors.OpenRouterTimeoutError("OpenRouter did not answer in time"),
]
FINAL = [
    _error(429, "Rate limit exceeded: free-models-per-day. "),
    _error(429, "Rate limit exceeded: free-models-per-min. "),
    _error(404, "No endpoints found matching your data policy (Free model training)"),
    _error(401, "No auth credentials found"),
    _error(400, "messages: at least one message is required"),
]


@pytest.mark.parametrize("error", FAIL_OVER, ids=lambda e: type(e).__name__)
def test_these_errors_move_to_the_next_batch_of_models(
    error: errors.OpenRouterError,
) -> None:
    plan = _plan([A, B, C, D])
    assert plan.first()["models"] == [A, B, C]
    after = plan.after_error(error)
    assert after["model"] == D
    assert "models" not in after
    with pytest.raises(type(error)):
        plan.after_error(error)


@pytest.mark.parametrize("error", FINAL, ids=lambda e: e.message[:30])
def test_these_errors_end_the_call_even_with_fallbacks(
    error: errors.OpenRouterError,
) -> None:
    plan = _plan([A, B, C, D])
    plan.first()
    with pytest.raises(type(error)):
        plan.after_error(error)


def test_without_fallbacks_the_body_is_sent_as_built() -> None:
    plan = _plan()
    assert plan.first() == BODY
    with pytest.raises(errors.OpenRouterNotFoundError):
        plan.after_error(FAIL_OVER[0])


def test_attempts_record_each_request_and_who_answered() -> None:
    plan = _plan([A, B, C, D])
    plan.first()
    plan.after_error(FAIL_OVER[3])
    assert plan.after_answer(_answer(model_name=D)) is None
    metadata: dict[str, object] = {}
    plan.annotate(metadata)
    assert metadata["attempts"] == [
        {"model": A, "models": [A, B, C], "error": "OpenRouterServerError"},
        {"model": D, "error": None, "answered_by": D},
    ]


# ------------------------------------------------------------ empty and paid


def test_empty_answer_raises_with_the_budget_to_ask_for() -> None:
    plan = CallPlan(
        {**BODY, "max_tokens": 64},
        [A],
        failover=False,
        retry_empty=False,
        allow_paid=False,
    )
    plan.first()
    empty = _answer(has_output=False, reasoning="hmm", finish_reason="length")
    with pytest.raises(errors.OpenRouterEmptyAnswerError, match="max_tokens=128"):
        plan.after_answer(empty)


def test_retry_empty_doubles_the_reported_budget_once() -> None:
    plan = _plan(retry_empty=True)
    plan.first()
    empty = _answer(
        has_output=False, reasoning="hmm", finish_reason="length", completion_tokens=300
    )
    assert plan.after_answer(empty)["max_tokens"] == 600  # type: ignore[index]
    with pytest.raises(errors.OpenRouterEmptyAnswerError, match="also after a retry"):
        plan.after_answer(empty)


def test_retry_empty_after_an_empty_stop_keeps_the_default_budget() -> None:
    plan = _plan(retry_empty=True)
    plan.first()
    empty = _answer(has_output=False, reasoning="hmm", completion_tokens=5)
    again = plan.after_answer(empty)
    assert again is not None
    assert "max_tokens" not in again


def test_an_empty_stop_without_reasoning_is_accepted() -> None:
    plan = _plan()
    plan.first()
    assert plan.after_answer(_answer(has_output=False)) is None


def test_a_costly_answer_raises_unless_paid_is_allowed() -> None:
    plan = _plan()
    plan.first()
    with pytest.raises(errors.PaidUsageError):
        plan.after_answer(_answer(cost=0.01))
    allowed = _plan(allow_paid=True)
    allowed.first()
    assert allowed.after_answer(_answer(cost=0.01)) is None


def test_the_web_plugin_is_refused_before_planning() -> None:
    body = {**BODY, "plugins": [{"id": "web"}]}
    with pytest.raises(errors.PaidUsageError, match="web"):
        build_plan(
            [HumanMessage("hi")],
            body,
            fallbacks=None,
            retry_empty=False,
            allow_paid=False,
        )
    disabled = {**BODY, "plugins": [{"id": "web", "enabled": False}]}
    plan = build_plan(
        [HumanMessage("hi")],
        disabled,
        fallbacks=None,
        retry_empty=False,
        allow_paid=False,
    )
    assert plan.first() == disabled


# -------------------------------------------------------------- step-down


def test_structured_output_steps_down_in_order() -> None:
    body = {
        **BODY,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Out", "schema": SCHEMA},
        },
    }
    first = next_structured_step(body, refused="json", reshape=None)
    assert first is not None
    assert first.step == "json_schema->function_calling"
    assert first.payload["tool_choice"] == {
        "type": "function",
        "function": {"name": "Out"},
    }
    assert first.reshape == Reshape(to_text=True, tool_name="Out")
    second = next_structured_step(first.payload, refused="tools", reshape=first.reshape)
    assert second is not None
    assert second.step == "function_calling->json_mode"
    assert second.payload["response_format"] == {"type": "json_object"}
    assert "JSON schema:" in second.payload["messages"][0]["content"]
    assert second.reshape == first.reshape  # the caller still wants text
    third = next_structured_step(second.payload, refused="json", reshape=second.reshape)
    assert third is not None
    assert third.step == "json_mode->prompt"
    assert "response_format" not in third.payload


def test_a_plain_tool_call_has_no_step_down() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": SCHEMA}}]
    assert (
        next_structured_step({**BODY, "tools": tools}, refused="tools", reshape=None)
        is None
    )


def test_system_prompt_merges_into_the_first_user_message() -> None:
    body = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        ]
    }
    merged = merge_system_prompt(body)
    assert merged is not None
    assert merged["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Be brief."},
                {"type": "text", "text": "hi"},
            ],
        }
    ]
    assert merge_system_prompt(BODY) is None


def test_reshape_turns_a_forced_call_into_text_and_back() -> None:
    to_text = Reshape(to_text=True, tool_name="Out")
    call = AIMessage("", tool_calls=[{"name": "Out", "args": {"a": 1}, "id": "c"}])
    assert json.loads(to_text.message(call).text) == {"a": 1}
    to_call = Reshape(to_text=False, tool_name="Out")
    reshaped = to_call.message(AIMessage('```json\n{"a": 2}\n```'))
    assert reshaped.tool_calls[0]["args"] == {"a": 2}
    first = to_call.chunk(AIMessageChunk(content='{"a"'), first=True)
    rest = to_call.chunk(AIMessageChunk(content=": 3}"), first=False)
    merged = first + rest
    assert merged.tool_calls[0]["name"] == "Out"
    assert merged.tool_calls[0]["args"] == {"a": 3}


# ------------------------------------------------------------- context fit


def _needs(
    prompt_tokens: int, max_tokens: int | None = None, **flags: bool
) -> CallNeeds:
    return CallNeeds(
        tools=flags.get("tools", False),
        structured=flags.get("structured", False),
        images=flags.get("images", False),
        prompt_tokens=prompt_tokens,
        max_tokens=max_tokens,
    )


def test_models_too_small_are_left_out_and_none_left_raises() -> None:
    registry = default_registry()
    small = "google/gemma-3-12b-it:free"  # 32,768 tokens
    assert plan_models(small, [A], _needs(40_000), registry) == [A]
    with pytest.raises(errors.OpenRouterContextOverflowError, match="fallbacks='auto'"):
        plan_models(small, None, _needs(30_000, max_tokens=4_000), registry)


def test_auto_picks_available_free_models_that_can_do_the_call() -> None:
    registry = default_registry()
    needs = _needs(1_000, tools=True, structured=True, images=True)
    models = plan_models(A, "auto", needs, registry)
    assert models[0] == A
    for model_id in models[1:]:
        entry = registry.get(model_id)
        assert entry.status == "available"
        assert entry.supports_tools
        assert entry.supports_structured_output
        assert "image" in entry.input_modalities
    assert models[-1] == "openrouter/free"
