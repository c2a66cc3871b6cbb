"""with_structured_output over real wire bytes: three methods x three schema kinds.

Every behaviour is one test body run sync and async (``mode``) and, where it
matters, streamed and not (``streamed``). Answers are OpenRouter-shaped bodies
and SSE streams served through ``httpx.MockTransport``.
"""

from __future__ import annotations

import itertools
import json
from typing import Annotated, Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import BaseModel, Field
from pydantic import v1 as pydantic_v1
from typing_extensions import TypedDict

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._structured import (
    choose_method,
    json_mode_instruction,
    with_instruction,
)
from langchain_openrouter_free.errors import OpenRouterEmptyAnswerError
from langchain_openrouter_free.registry import get_free_model, list_free_models
from tests.unit_tests._wire import (
    completion_body,
    delta_chunk,
    make_model,
    ok,
    run,
    sse,
    usage_chunk,
)

METHODS = ("json_schema", "function_calling", "json_mode")
KINDS = ("pydantic", "typeddict", "json_schema")
ANSWER = {
    "setup": "Why did the cat sit on the laptop?",
    "punchline": "To keep an eye on the mouse.",
}
ANSWER_TEXT = json.dumps(ANSWER)


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: Annotated[str, ..., "question to set up a joke"]
    punchline: Annotated[str, ..., "answer to resolve the joke"]


class JokeV1(pydantic_v1.BaseModel):
    """Joke to tell user."""

    setup: str
    punchline: str


def schema_of(kind: str) -> Any:
    return {
        "pydantic": Joke,
        "typeddict": JokeDict,
        "json_schema": Joke.model_json_schema(),
    }[kind]


def name_of(kind: str) -> str:
    return "JokeDict" if kind == "typeddict" else "Joke"


def expected_of(kind: str) -> Any:
    return Joke(**ANSWER) if kind == "pydantic" else ANSWER


# --- fixtures and wire helpers ---------------------------------------------------


def tool_call(arguments: str, *, name: str = "Joke") -> dict[str, Any]:
    return {
        "id": "call_Jk81",
        "type": "function",
        "index": 0,
        "function": {"name": name, "arguments": arguments},
    }


def pieces(text: str, size: int = 9) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def answer_response(
    method: str, *, streamed: bool, text: str = ANSWER_TEXT, name: str = "Joke"
) -> httpx.Response:
    """The model's answer for ``method``: JSON text, or a forced tool call."""
    if method == "function_calling":
        if not streamed:
            return ok(
                completion_body(
                    "",
                    tool_calls=[tool_call(text, name=name)],
                    finish_reason="tool_calls",
                )
            )
        first = {**tool_call("", name=name)}
        chunks = [delta_chunk({"content": None, "tool_calls": [first]})]
        chunks += [
            delta_chunk(
                {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
            )
            for piece in pieces(text)
        ]
        chunks += [delta_chunk({}, finish_reason="tool_calls"), usage_chunk()]
        return sse(chunks)
    if not streamed:
        return ok(completion_body(text))
    chunks = [delta_chunk({"content": piece}) for piece in pieces(text)]
    chunks += [delta_chunk({"content": ""}, finish_reason="stop"), usage_chunk()]
    return sse(chunks)


def call(
    mode: str, streamed: bool, runnable: Any, value: Any = "Tell me a joke."
) -> Any:
    """The final output (invoke) or every streamed output (stream)."""
    if not streamed:
        return run(
            mode, lambda: runnable.invoke(value), lambda: runnable.ainvoke(value)
        )

    async def collect() -> list[Any]:
        return [part async for part in runnable.astream(value)]

    return run(mode, lambda: list(runnable.stream(value)), collect)


def final(output: Any, *, streamed: bool) -> Any:
    if streamed:
        assert output, "the stream yielded nothing"
        return output[-1]
    return output


# --- all methods x all schema kinds -------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", METHODS)
def test_each_method_and_schema_kind_round_trips(
    mode: str, streamed: bool, method: str, kind: str
) -> None:
    name = name_of(kind)
    model, recorder = make_model(
        [answer_response(method, streamed=streamed, name=name)]
    )
    structured = model.with_structured_output(schema_of(kind), method=method)
    output = call(mode, streamed, structured)
    result = final(output, streamed=streamed)
    assert result == expected_of(kind)
    assert type(result) is type(expected_of(kind))
    body = recorder.bodies[0]
    assert body.get("stream", False) is streamed
    assert "ls_structured_output_format" not in body
    assert_request_shape(method, body, name=name)


def assert_request_shape(
    method: str, body: dict[str, Any], *, name: str = "Joke"
) -> None:
    parameters = {
        "properties": {
            "setup": {"description": "question to set up a joke", "type": "string"},
            "punchline": {
                "description": "answer to resolve the joke",
                "type": "string",
            },
        },
        "required": ["setup", "punchline"],
        "type": "object",
    }
    if method == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
        json_schema = body["response_format"]["json_schema"]
        assert json_schema["name"] == name
        assert json_schema["description"] == "Joke to tell user."
        assert "strict" not in json_schema
        assert strip_titles(json_schema["schema"]) == parameters
        assert "tools" not in body
        assert body["messages"] == [{"role": "user", "content": "Tell me a joke."}]
    elif method == "function_calling":
        assert "response_format" not in body
        [tool] = body["tools"]
        assert tool["function"]["name"] == name
        assert strip_titles(tool["function"]["parameters"]) == parameters
        assert body["tool_choice"] == {"type": "function", "function": {"name": name}}
        assert body["parallel_tool_calls"] is False
        assert body["messages"] == [{"role": "user", "content": "Tell me a joke."}]
    else:
        assert body["response_format"] == {"type": "json_object"}
        assert "tools" not in body
        system, user = body["messages"]
        assert system["role"] == "system"
        assert "JSON" in system["content"]
        assert '"punchline"' in system["content"]
        assert f'"title": "{name}"' in system["content"]
        assert user == {"role": "user", "content": "Tell me a joke."}


def strip_titles(schema: Any) -> Any:
    """The JSON-schema dict kind keeps pydantic's per-property titles."""
    if isinstance(schema, dict):
        return {
            key: strip_titles(value)
            for key, value in schema.items()
            if not (key == "title" and isinstance(value, str))
        }
    return schema


@pytest.mark.parametrize("method", METHODS)
def test_pydantic_v1_classes_validate_into_the_v1_class(
    mode: str, streamed: bool, method: str
) -> None:
    model, _ = make_model([answer_response(method, streamed=streamed, name="JokeV1")])
    output = call(mode, streamed, model.with_structured_output(JokeV1, method=method))
    if streamed:
        assert all(isinstance(part, JokeV1) for part in output)
    result = final(output, streamed=streamed)
    assert isinstance(result, JokeV1)
    assert result.dict() == ANSWER


# --- streaming: growing partial objects ----------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_stream_yields_growing_partial_dicts(mode: str, method: str) -> None:
    model, _ = make_model([answer_response(method, streamed=True, name="JokeDict")])
    parts = call(mode, True, model.with_structured_output(JokeDict, method=method))
    assert len(parts) >= 4
    assert all(isinstance(part, dict) for part in parts)
    assert parts[0] != parts[-1]
    for earlier, later in itertools.pairwise(parts):
        assert set(earlier) <= set(later)
        for key, value in earlier.items():
            assert later[key].startswith(value)
    assert parts[-1] == ANSWER


@pytest.mark.parametrize("method", METHODS)
def test_stream_of_a_pydantic_schema_yields_only_valid_instances(
    mode: str, method: str
) -> None:
    model, _ = make_model([answer_response(method, streamed=True)])
    parts = call(mode, True, model.with_structured_output(Joke, method=method))
    assert all(isinstance(part, Joke) for part in parts)
    assert len(parts) >= 2  # the punchline grows once both fields exist
    assert ANSWER["punchline"].startswith(parts[0].punchline)
    assert parts[-1] == Joke(**ANSWER)


# --- request details ------------------------------------------------------------------


def test_json_schema_strict_and_untitled_schema() -> None:
    untitled = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    }
    model, recorder = make_model([ok(completion_body('{"city": "Paris"}'))])
    structured = model.with_structured_output(
        untitled, method="json_schema", strict=True
    )
    assert structured.invoke("weather") == {"city": "Paris"}
    json_schema = recorder.bodies[0]["response_format"]["json_schema"]
    assert json_schema["name"] == "Output"
    assert json_schema["strict"] is True
    assert json_schema["schema"]["additionalProperties"] is False
    assert sorted(json_schema["schema"]["required"]) == ["city", "days"]


def test_json_schema_name_is_made_wire_safe() -> None:
    schema = {"title": "Weather report (v2)", "type": "object", "properties": {}}
    model, recorder = make_model([ok(completion_body("{}"))])
    model.with_structured_output(schema, method="json_schema").invoke("x")
    assert recorder.bodies[0]["response_format"]["json_schema"]["name"] == (
        "Weather_report__v2_"
    )


def test_function_calling_strict_reaches_the_tool() -> None:
    model, recorder = make_model([answer_response("function_calling", streamed=False)])
    model.with_structured_output(Joke, method="function_calling", strict=True).invoke(
        "x"
    )
    function = recorder.bodies[0]["tools"][0]["function"]
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False


def test_extra_kwargs_are_bound_into_the_request() -> None:
    model, recorder = make_model([answer_response("json_schema", streamed=False)])
    structured = model.with_structured_output(
        Joke,
        method="json_schema",
        temperature=0.0,
        provider={"require_parameters": True},
    )
    structured.invoke("x")
    body = recorder.bodies[0]
    assert body["temperature"] == 0.0
    assert body["provider"] == {"require_parameters": True}


def test_json_mode_merges_into_an_existing_system_message_deterministically() -> None:
    model, recorder = make_model(
        [answer_response("json_mode", streamed=False) for _ in range(3)]
    )
    structured = model.with_structured_output(Joke, method="json_mode")
    messages = [SystemMessage("You are terse."), HumanMessage("Tell me a joke.")]
    structured.invoke(messages)
    structured.invoke(messages)
    prompt = ChatPromptTemplate.from_messages([("human", "Tell me a {topic} joke.")])
    (prompt | structured).invoke({"topic": "cat"})
    first, second, third = recorder.bodies
    assert first == second  # byte-stable: cassettes recorded once keep matching
    instruction = json_mode_instruction(
        {"title": "Joke", "description": "Joke to tell user."}
        | convert_to_openai_parameters(Joke)
    )
    assert first["messages"] == [
        {"role": "system", "content": "You are terse.\n\n" + instruction},
        {"role": "user", "content": "Tell me a joke."},
    ]
    assert third["messages"] == [
        {"role": "system", "content": instruction},
        {"role": "user", "content": "Tell me a cat joke."},
    ]
    assert messages[0].content == "You are terse."  # the caller's list is untouched


def convert_to_openai_parameters(schema: type) -> dict[str, Any]:
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return dict(convert_to_openai_tool(schema)["function"]["parameters"])


def test_with_instruction_appends_a_text_part_to_list_content() -> None:
    system = SystemMessage([{"type": "text", "text": "Be brief."}])
    result = with_instruction([system, HumanMessage("hi")], "Use JSON.")
    assert result[0].content == [
        {"type": "text", "text": "Be brief."},
        {"type": "text", "text": "Use JSON."},
    ]
    assert system.content == [{"type": "text", "text": "Be brief."}]


def test_json_mode_without_a_schema_returns_any_object() -> None:
    model, recorder = make_model([ok(completion_body('{"anything": [1, 2]}'))])
    structured = model.with_structured_output(None, method="json_mode")  # type: ignore[arg-type]
    assert structured.invoke("JSON please") == {"anything": [1, 2]}
    assert recorder.bodies[0]["messages"] == [
        {"role": "user", "content": "JSON please"}
    ]
    with pytest.raises(ValueError, match="needs a schema"):
        model.with_structured_output(None, method="json_schema")  # type: ignore[arg-type]


def test_unknown_method_is_refused() -> None:
    model = ChatOpenRouterFree(model="meta-llama/llama-3.3-70b-instruct:free")
    with pytest.raises(ValueError, match="xml"):
        model.with_structured_output(Joke, method="xml")  # type: ignore[arg-type]


# --- LangSmith metadata -----------------------------------------------------------------


class OptionsRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.options: list[Any] = []

    def on_chat_model_start(
        self, serialized: Any, messages: Any, **kwargs: Any
    ) -> None:
        self.options.append(kwargs.get("options"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", METHODS)
def test_ls_structured_output_format_reaches_callbacks_not_the_wire(
    mode: str, streamed: bool, method: str, kind: str
) -> None:
    model, recorder = make_model(
        [answer_response(method, streamed=streamed, name=name_of(kind))]
    )
    handler = OptionsRecorder()
    structured = model.with_structured_output(schema_of(kind), method=method)
    config = {"callbacks": [handler]}
    if streamed:

        async def collect() -> list[Any]:
            return [p async for p in structured.astream("x", config=config)]

        run(mode, lambda: list(structured.stream("x", config=config)), collect)
    else:
        run(
            mode,
            lambda: structured.invoke("x", config=config),
            lambda: structured.ainvoke("x", config=config),
        )
    [options] = handler.options
    assert options["ls_structured_output_format"] == {
        "kwargs": {"method": method, "strict": None},
        "schema": convert_to_json_schema(schema_of(kind)),
    }
    assert "ls_structured_output_format" not in recorder.bodies[0]


# --- malformed answers -----------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_include_raw_reports_malformed_json_without_raising(
    mode: str, streamed: bool, method: str
) -> None:
    bad = '{"setup": "Why?", "punchline": '  # cut off mid-object
    bad = bad + "oops" if method != "function_calling" else "not json {"
    model, _ = make_model([answer_response(method, streamed=streamed, text=bad)])
    structured = model.with_structured_output(Joke, method=method, include_raw=True)
    output = call(mode, streamed, structured)
    result = final(output, streamed=streamed)
    assert set(result) == {"raw", "parsed", "parsing_error"}
    assert result["parsed"] is None
    assert isinstance(result["parsing_error"], OutputParserException)
    raw = result["raw"]
    assert isinstance(raw, AIMessage)
    if method == "function_calling":
        assert raw.tool_calls == []
        assert raw.invalid_tool_calls[0]["args"] == bad
        assert "unusable arguments" in str(result["parsing_error"])
    else:
        assert raw.text == bad


@pytest.mark.parametrize("method", METHODS)
def test_include_raw_on_success_has_no_error(
    mode: str, streamed: bool, method: str
) -> None:
    model, _ = make_model([answer_response(method, streamed=streamed, name="JokeDict")])
    structured = model.with_structured_output(JokeDict, method=method, include_raw=True)
    result = final(call(mode, streamed, structured), streamed=streamed)
    assert result["parsed"] == ANSWER
    assert result["parsing_error"] is None
    assert isinstance(result["raw"], AIMessage)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", METHODS)
def test_malformed_json_raises_output_parser_exception(
    mode: str, streamed: bool, method: str, kind: str
) -> None:
    model, _ = make_model(
        [
            answer_response(
                method, streamed=streamed, text='{"setup": nope}', name=name_of(kind)
            )
        ]
    )
    structured = model.with_structured_output(schema_of(kind), method=method)
    with pytest.raises(OutputParserException):
        call(mode, streamed, structured)


def test_a_valid_json_object_that_misses_the_schema_raises() -> None:
    for method in METHODS:
        model, _ = make_model(
            [answer_response(method, streamed=False, text='{"setup": "only"}')]
        )
        with pytest.raises(OutputParserException, match="punchline"):
            model.with_structured_output(Joke, method=method).invoke("x")


def test_a_json_array_is_not_an_object() -> None:
    model, _ = make_model([ok(completion_body("[1, 2]"))])
    with pytest.raises(OutputParserException, match="JSON object"):
        model.with_structured_output(JokeDict, method="json_mode").invoke("x")


def test_answering_in_prose_instead_of_calling_the_tool_raises(mode: str) -> None:
    model, _ = make_model([ok(completion_body("Sure! Here is a joke: ..."))])
    structured = model.with_structured_output(JokeDict, method="function_calling")
    with pytest.raises(OutputParserException, match="did not call the JokeDict tool"):
        run(mode, lambda: structured.invoke("x"), lambda: structured.ainvoke("x"))


def test_refusal_and_empty_reasoning_only_answers_raise_clearly() -> None:
    refusal = json.loads(completion_body("").lstrip())
    refusal["choices"][0]["message"]["refusal"] = "I can't help with that."
    model, _ = make_model([ok(json.dumps(refusal).encode())])
    with pytest.raises(OutputParserException, match="refused"):
        model.with_structured_output(Joke, method="json_schema").invoke("x")
    model, _ = make_model(
        [ok(completion_body("", reasoning="Let me think...", finish_reason="length"))]
    )
    with pytest.raises(OpenRouterEmptyAnswerError, match=r"max_tokens"):
        model.with_structured_output(Joke, method="json_mode").invoke("x")


def test_code_fenced_json_is_accepted_in_json_mode() -> None:
    model, _ = make_model([ok(completion_body(f"```json\n{ANSWER_TEXT}\n```"))])
    assert model.with_structured_output(Joke, method="json_mode").invoke("x") == Joke(
        **ANSWER
    )


def test_reasoning_text_never_leaks_into_the_parsed_json(mode: str) -> None:
    model, _ = make_model(
        [ok(completion_body(ANSWER_TEXT, reasoning='{"setup": "draft"}'))],
        output_version="v1",
    )
    structured = model.with_structured_output(Joke, method="json_schema")
    result = run(mode, lambda: structured.invoke("x"), lambda: structured.ainvoke("x"))
    assert result == Joke(**ANSWER)


# --- method=None: the registry decides -------------------------------------------------------


def expected_method(model_id: str) -> str:
    entry = get_free_model(model_id)
    if entry.supports_structured_output:
        return "json_schema"
    if entry.supports_tools:
        return "function_calling"
    return "json_mode"


@pytest.mark.parametrize(
    ("model_id", "method"),
    [
        # lists structured_outputs (and tools)
        ("qwen/qwen3-next-80b-a3b-instruct:free", "json_schema"),
        # lists tools, not structured_outputs
        ("meta-llama/llama-3.3-70b-instruct:free", "function_calling"),
        # lists neither
        ("google/gemma-3-12b-it:free", "json_mode"),
        # the router picks a model that can honour the request
        ("openrouter/free", "json_schema"),
        # not in the registry: the schema also goes into the prompt
        ("openai/gpt-4o", "json_mode"),
        ("someone/unreleased-model:free", "json_mode"),
    ],
)
def test_method_none_for_known_registry_facts(model_id: str, method: str) -> None:
    assert choose_method(model_id) == method


def test_method_none_follows_every_registry_entry() -> None:
    models = list_free_models()
    assert models
    for entry in models:
        if entry.id != "openrouter/free":
            assert choose_method(entry.id) == expected_method(entry.id), entry.id


@pytest.mark.parametrize(
    ("filters", "method"),
    [
        ({"structured_output": True}, "json_schema"),
        ({"tools": True, "structured_output": False}, "function_calling"),
        ({"tools": False, "structured_output": False}, "json_mode"),
    ],
)
def test_method_none_builds_the_request_the_capabilities_allow(
    filters: dict[str, bool], method: str
) -> None:
    candidates = [m for m in list_free_models(**filters) if m.id != "openrouter/free"]
    assert candidates, f"the registry snapshot has no model with {filters}"
    model_id = candidates[0].id
    model, recorder = make_model(
        [answer_response(method, streamed=False)], model=model_id
    )
    assert model.with_structured_output(Joke).invoke("Tell me a joke.") == Joke(
        **ANSWER
    )
    body = recorder.bodies[0]
    assert body["model"] == model_id
    assert_request_shape(method, body)


def test_method_none_for_the_router_aliases_and_unknown_ids() -> None:
    assert choose_method("openrouter/free") == "json_schema"
    alias_entry = next(m for m in list_free_models(include_retired=True) if m.aliases)
    assert choose_method(alias_entry.aliases[0]) == expected_method(alias_entry.id)
    assert choose_method("someone/brand-new-model:free") == "json_mode"
    assert choose_method("openai/gpt-4o-mini") == "json_mode"


def test_method_none_uses_a_per_call_model_override() -> None:
    tools_only = next(
        m.id for m in list_free_models(tools=True, structured_output=False)
    )
    model, recorder = make_model(
        [answer_response("function_calling", streamed=False)], model="openrouter/free"
    )
    structured = model.with_structured_output(Joke, model=tools_only)
    assert structured.invoke("Tell me a joke.") == Joke(**ANSWER)
    assert recorder.bodies[0]["model"] == tools_only
    assert "tools" in recorder.bodies[0]


@pytest.mark.parametrize("method", METHODS)
def test_stream_of_a_model_that_does_not_stream_still_parses(
    mode: str, method: str
) -> None:
    """``disable_streaming`` hands the parser one whole AIMessage, not chunks."""
    model, recorder = make_model(
        [answer_response(method, streamed=False)], disable_streaming=True
    )
    parts = call(mode, True, model.with_structured_output(Joke, method=method))
    assert parts == [Joke(**ANSWER)]
    assert "stream" not in recorder.bodies[0]
