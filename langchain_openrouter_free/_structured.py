"""Structured output for ``ChatOpenRouterFree``: three methods, one runnable.

``structured_output_runnable`` turns a pydantic class, a TypedDict or a
JSON-schema dict into "model, then parser":

- ``"json_schema"`` binds ``response_format={"type": "json_schema", ...}``;
- ``"function_calling"`` binds the schema as the one tool, forced by name;
- ``"json_mode"`` binds ``response_format={"type": "json_object"}`` and puts
  the schema into the system prompt (OpenRouter's docs: with
  ``response_format`` you should still ask for JSON in the prompt).

``method=None`` picks from the free-model registry (see ``choose_method``).
The parsers stream growing partial objects and validate the whole answer once
at the end, so a malformed answer raises instead of streaming nothing, and a
forced tool call that never came (or came with arguments that are not JSON)
raises ``OutputParserException`` instead of returning None.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    BaseMessageChunk,
    HumanMessage,
    SystemMessage,
    convert_to_messages,
)
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.output_parsers.transform import (
    BaseCumulativeTransformOutputParser,
)
from langchain_core.outputs import (
    ChatGeneration,
    ChatGenerationChunk,
    Generation,
    GenerationChunk,
)
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import (
    Runnable,
    RunnableLambda,
)
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_openrouter_free._constants import FREE_ROUTER_ID

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Mapping

    from langchain_core.language_models import LanguageModelInput
    from pydantic import BaseModel

    from langchain_openrouter_free.chat_models import ChatOpenRouterFree

__all__ = [
    "Method",
    "choose_method",
    "json_mode_instruction",
    "structured_output_runnable",
    "with_instruction",
]

Method = Literal["json_schema", "function_calling", "json_mode"]
"""How the schema reaches the model."""

_METHODS: Final = frozenset(get_args(Method))
_UNTITLED_SCHEMA_NAME: Final = "Output"
_MAX_SCHEMA_NAME: Final = 64
_INVALID_NAME_CHARS: Final = re.compile(r"[^A-Za-z0-9_-]")
_MISSING: Final = object()
_JSON: Final = JsonOutputParser()


def structured_output_runnable(
    model: ChatOpenRouterFree,
    schema: dict[str, Any] | type | None,
    /,
    *,
    method: Method | None = None,
    include_raw: bool = False,
    strict: bool | None = None,
    **kwargs: Any,
) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
    """Build the runnable behind ``ChatOpenRouterFree.with_structured_output``.

    Args:
        model: The chat model to bind.
        schema: A pydantic class (v2 or v1), a TypedDict, a JSON-schema dict
            (one without ``title`` is named ``Output``) or an OpenAI tool dict.
            None only with ``method="json_mode"`` (any JSON object, no schema).
        method: ``"json_schema"``, ``"function_calling"``, ``"json_mode"``, or
            None to pick from the registry (``choose_method``).
        include_raw: Return ``{"raw", "parsed", "parsing_error"}``; a parse
            failure then lands in ``parsing_error`` instead of raising.
        strict: Sent as ``json_schema.strict`` / the tool's ``strict`` when
            not None (providers without a strict mode treat it as a hint).
        **kwargs: Further request fields bound to every call (``model`` too:
            it then also decides the method).

    Returns:
        A runnable producing instances of a pydantic ``schema``, dicts
        otherwise (or the ``include_raw`` dict).

    Raises:
        ValueError: For an unknown ``method``, or no ``schema`` outside
            ``json_mode``.
    """
    chosen = method or choose_method(kwargs.get("model") or model.model)
    if chosen not in _METHODS:
        msg = f"method={chosen!r} is not one of {sorted(_METHODS)}"
        raise ValueError(msg)
    if schema is None and chosen != "json_mode":
        msg = f"method={chosen!r} needs a schema; only 'json_mode' works without one"
        raise ValueError(msg)
    if schema is None:
        llm, parser = _json_mode(model, None, kwargs)
    else:
        spec = _SchemaSpec.build(schema, strict=strict)
        kwargs["ls_structured_output_format"] = {
            "kwargs": {"method": chosen, "strict": strict},
            "schema": spec.source,
        }
        llm, parser = _BUILDERS[chosen](model, spec, kwargs)
    return _attach_parser(llm, parser, include_raw=include_raw)


def choose_method(model_id: str) -> Method:
    """Pick a structured-output method from what the model supports.

    ``openrouter/free`` gets ``json_schema``: the router only picks free
    models that support what the request needs, structured outputs included.
    A registry entry listing ``structured_outputs`` gets ``json_schema``, one
    listing ``tools`` gets ``function_calling``, any other ``json_mode``. An
    id the registry does not know (a model newer than the snapshot, or a paid
    one) also gets ``json_mode``: OpenRouter silently drops a
    ``response_format`` the endpoint cannot honour and answers ``tools`` it
    cannot serve with a 404, while ``json_mode`` also carries the schema in
    the prompt, so it still works where the parameter is ignored.

    Args:
        model_id: The model id (or registry alias) the request will name.

    Returns:
        The method to use.
    """
    if model_id == FREE_ROUTER_ID:
        return "json_schema"
    try:
        from langchain_openrouter_free.registry import get_free_model  # noqa: PLC0415

        entry = get_free_model(model_id)
    except (KeyError, ImportError):
        return "json_mode"
    if entry.supports_structured_output:
        return "json_schema"
    if entry.supports_tools:
        return "function_calling"
    return "json_mode"


def json_mode_instruction(spec_schema: Mapping[str, Any]) -> str:
    """Return the system-prompt text that carries the schema in ``json_mode``.

    Args:
        spec_schema: The JSON schema the answer must follow.

    Returns:
        A deterministic instruction (same schema, same text), so recorded
        cassettes keep matching. The schema follows ``JSON schema:``, which
        ``scripts/record_cassettes.py`` looks for to answer in kind.
    """
    schema_text = json.dumps(spec_schema, ensure_ascii=False, indent=2)
    return (
        "Answer with a single JSON object that conforms to the JSON schema "
        "below. Output only the JSON object: no prose, no code fences.\n\n"
        f"JSON schema:\n{schema_text}"
    )


# ---------------------------------------------------------------- the schema


@dataclass(frozen=True)
class _SchemaSpec:
    """One schema in the shapes each method needs."""

    source: dict[str, Any] | type
    """The schema as given (an untitled JSON schema gets a title)."""
    name: str
    """The tool / function name LangChain derives from it."""
    description: str | None
    parameters: dict[str, Any]
    """The JSON schema of the object (``strict`` applied when asked)."""
    pydantic: type | None
    """The pydantic class to validate into, if the schema is one."""
    strict: bool | None
    """The caller's ``strict``; sent only when not None."""

    @classmethod
    def build(
        cls, schema: dict[str, Any] | type, *, strict: bool | None
    ) -> _SchemaSpec:
        if isinstance(schema, dict) and _is_untitled_json_schema(schema):
            schema = {"title": _UNTITLED_SCHEMA_NAME, **schema}
        function = convert_to_openai_tool(schema, strict=strict)["function"]
        description = function.get("description")
        return cls(
            source=schema,
            name=function["name"],
            description=description if isinstance(description, str) else None,
            parameters=dict(function.get("parameters") or {"type": "object"}),
            pydantic=schema
            if isinstance(schema, type) and is_basemodel_subclass(schema)
            else None,
            strict=strict,
        )

    def response_format(self) -> dict[str, Any]:
        json_schema: dict[str, Any] = {
            "name": _schema_name(self.name),
            "schema": self.parameters,
        }
        if self.description:
            json_schema["description"] = self.description
        if self.strict is not None:
            json_schema["strict"] = self.strict
        return {"type": "json_schema", "json_schema": json_schema}

    def prompt_schema(self) -> dict[str, Any]:
        head: dict[str, Any] = {"title": self.name}
        if self.description:
            head["description"] = self.description
        return {**head, **self.parameters}


def _is_untitled_json_schema(schema: Mapping[str, Any]) -> bool:
    looks_like_schema = "properties" in schema or schema.get("type") == "object"
    is_tool = "function" in schema or "name" in schema
    return looks_like_schema and not is_tool and not schema.get("title")


def _schema_name(name: str) -> str:
    cleaned = _INVALID_NAME_CHARS.sub("_", name)[:_MAX_SCHEMA_NAME]
    return cleaned or _UNTITLED_SCHEMA_NAME


# ---------------------------------------------------------------- the methods

_Built = tuple[Runnable[Any, Any], BaseCumulativeTransformOutputParser[Any]]


def _json_schema(
    model: ChatOpenRouterFree, spec: _SchemaSpec, kwargs: dict[str, Any]
) -> _Built:
    llm = model.bind(**{**kwargs, "response_format": spec.response_format()})
    return llm, _json_parser(spec)


def _function_calling(
    model: ChatOpenRouterFree, spec: _SchemaSpec, kwargs: dict[str, Any]
) -> _Built:
    llm = model.bind_tools(
        [spec.source],
        tool_choice=spec.name,
        strict=spec.strict,
        parallel_tool_calls=False,
        **kwargs,
    )
    parser: BaseCumulativeTransformOutputParser[Any]
    if spec.pydantic is not None:
        parser = _PydanticToolParser(
            tools=[spec.pydantic], first_tool_only=True, tool_name=spec.name
        )
    else:
        parser = _KeyToolParser(key_name=spec.name, first_tool_only=True)
    return llm, parser


def _json_mode(
    model: ChatOpenRouterFree, spec: _SchemaSpec | None, kwargs: dict[str, Any]
) -> _Built:
    llm: Runnable[Any, Any] = model.bind(
        **{**kwargs, "response_format": {"type": "json_object"}}
    )
    if spec is None:
        return llm, _JsonObjectParser()
    instruction = json_mode_instruction(spec.prompt_schema())

    def add_instruction(value: LanguageModelInput) -> list[BaseMessage]:
        return with_instruction(_as_messages(value), instruction)

    prompt = RunnableLambda(add_instruction, name="json_mode_schema_prompt")
    return prompt | llm, _json_parser(spec)


_BUILDERS: Final[
    Mapping[Method, Callable[[ChatOpenRouterFree, _SchemaSpec, dict[str, Any]], _Built]]
] = {
    "json_schema": _json_schema,
    "function_calling": _function_calling,
    "json_mode": _json_mode,
}


def with_instruction(
    messages: list[BaseMessage], instruction: str
) -> list[BaseMessage]:
    """Put ``instruction`` into the leading system message, or prepend one.

    One system message, first, is what every provider accepts; a second or a
    mid-conversation one is not.

    Args:
        messages: The conversation.
        instruction: Text to add.

    Returns:
        A new list; the given messages are not changed.
    """
    if messages and isinstance(messages[0], SystemMessage):
        first = messages[0]
        content: str | list[str | dict[Any, Any]]
        if isinstance(first.content, str):
            content = (
                f"{first.content}\n\n{instruction}" if first.content else instruction
            )
        else:
            content = [*first.content, {"type": "text", "text": instruction}]
        return [first.model_copy(update={"content": content}), *messages[1:]]
    return [SystemMessage(instruction), *messages]


def _as_messages(value: LanguageModelInput) -> list[BaseMessage]:
    if isinstance(value, PromptValue):
        return value.to_messages()
    if isinstance(value, str):
        return [HumanMessage(value)]
    return convert_to_messages(value)


def _attach_parser(
    llm: Runnable[Any, Any],
    parser: BaseCumulativeTransformOutputParser[Any],
    *,
    include_raw: bool,
) -> Runnable[LanguageModelInput, Any]:
    """Chain the parser, or with ``include_raw`` a never-raising parse step.

    LangChain's usual ``RunnableMap(raw=...) | RunnablePassthrough.assign(
    ...).with_fallbacks(..., exception_key="parsing_error")`` only catches an
    error raised before its first streamed chunk, and the ``raw`` key is
    streamed first, so a parse failure at the end of a stream would escape.
    One step that parses the whole message and returns all three keys keeps
    the promise for ``invoke`` and ``stream`` alike (a stream yields that one
    dict once the answer is complete).
    """
    if not include_raw:
        return llm | parser

    def parse_keeping_raw(raw: BaseMessage) -> dict[str, Any]:
        try:
            parsed = parser.parse_result([ChatGeneration(message=raw)])
        except Exception as exc:  # noqa: BLE001 - include_raw must not raise
            return {"raw": raw, "parsed": None, "parsing_error": exc}
        return {"raw": raw, "parsed": parsed, "parsing_error": None}

    return llm | RunnableLambda(parse_keeping_raw, name="parse_structured_output")


# ---------------------------------------------------------------- the parsers


class _ValidatedStream(BaseCumulativeTransformOutputParser[Any]):
    """Stream growing partial objects, then check the whole answer once.

    LangChain's cumulative parsers only ever parse partially while streaming,
    so a malformed answer streams nothing and no error. Here the accumulated
    answer is parsed in full after the last chunk: it is yielded if it
    differs from the last partial object, and a failure raises.
    """

    def _transform(self, input: Iterator[str | BaseMessage]) -> Iterator[Any]:  # noqa: A002
        seen: list[str | BaseMessage] = []
        last: Any = _MISSING
        for parsed in super()._transform(_tap(input, seen)):
            last = parsed
            yield parsed
        final = self._parse_whole(seen)
        if final is not _MISSING and final != last:
            yield final

    async def _atransform(
        self,
        input: AsyncIterator[str | BaseMessage],  # noqa: A002
    ) -> AsyncIterator[Any]:
        seen: list[str | BaseMessage] = []
        last: Any = _MISSING
        async for parsed in super()._atransform(_atap(input, seen)):
            last = parsed
            yield parsed
        final = self._parse_whole(seen)
        if final is not _MISSING and final != last:
            yield final

    def _parse_whole(self, seen: list[str | BaseMessage]) -> Any:
        if not seen:
            return _MISSING
        return self.parse_result([_accumulate(seen)], partial=False)


class _JsonObjectParser(_ValidatedStream):
    """JSON text to a dict; anything but one JSON object is an error.

    It delegates to ``JsonOutputParser`` rather than subclassing it: the
    pydantic mypy plugin cannot type a subclass of that unparametrised model.
    """

    def parse(self, text: str) -> Any:
        """Parse a whole answer's text.

        Args:
            text: The model's answer.

        Returns:
            The JSON object as a dict.
        """
        return self.parse_result([Generation(text=text)])

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        """Parse the answer (or, with ``partial``, the answer so far).

        Args:
            result: The generation to parse.
            partial: Parse an incomplete answer; failures give None.

        Returns:
            A dict, or None for a partial answer that is no object yet.

        Raises:
            OutputParserException: The whole answer is no JSON object, empty,
                or a refusal.
        """
        if not partial:
            _raise_for_refusal_or_nothing(result)
        parsed = _JSON.parse_result(result, partial=partial)
        if isinstance(parsed, dict) or parsed is None:
            return parsed
        if partial:
            return None
        text = result[0].text
        msg = f"Expected a JSON object, got JSON {type(parsed).__name__}: {text!r}"
        raise OutputParserException(msg, llm_output=text)


class _PydanticJsonParser(_ValidatedStream, PydanticOutputParser[Any]):
    """JSON text validated into a pydantic class."""

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if not partial:
            _raise_for_refusal_or_nothing(result)
        return super().parse_result(result, partial=partial)


class _KeyToolParser(_ValidatedStream, JsonOutputKeyToolsParser):
    """The forced tool call's arguments as a dict."""

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if not partial:
            _require_tool_call(result, self.key_name)
        return super().parse_result(result, partial=partial)


class _PydanticToolParser(_ValidatedStream, PydanticToolsParser):
    """The forced tool call's arguments validated into the pydantic class."""

    tool_name: str
    """The name the tool was bound under."""

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if partial:
            return super().parse_result(result, partial=partial)
        _require_tool_call(result, self.tool_name)
        try:
            return super().parse_result(result, partial=partial)
        except OutputParserException:
            raise
        except ValueError as exc:  # pydantic (v1 and v2) validation errors
            msg = f"The {self.tool_name} tool call does not match its schema: {exc}"
            raise OutputParserException(msg, llm_output=_first_args(result)) from exc


def _json_parser(spec: _SchemaSpec) -> BaseCumulativeTransformOutputParser[Any]:
    if spec.pydantic is not None:
        return _PydanticJsonParser(pydantic_object=spec.pydantic)
    return _JsonObjectParser()


def _message(result: list[Generation]) -> BaseMessage | None:
    generation = result[0] if result else None
    return generation.message if isinstance(generation, ChatGeneration) else None


def _raise_for_refusal_or_nothing(result: list[Generation]) -> None:
    message = _message(result)
    if message is None:
        return
    refusal = message.additional_kwargs.get("refusal")
    if isinstance(refusal, str) and refusal:
        msg = f"The model refused to answer: {refusal}"
        raise OutputParserException(msg, llm_output=refusal)
    if not message.text.strip():
        finish = message.response_metadata.get("finish_reason")
        msg = (
            f"The model returned no content (finish_reason={finish!r}); "
            "reasoning models can spend max_tokens on reasoning alone"
        )
        raise OutputParserException(msg, llm_output="")


def _require_tool_call(result: list[Generation], name: str) -> None:
    message = _message(result)
    if not isinstance(message, AIMessage):
        return
    if any(call["name"] == name for call in message.tool_calls):
        return
    for invalid in message.invalid_tool_calls:
        if invalid.get("name") in {name, None}:
            msg = f"The {name} tool call has unusable arguments: {invalid.get('error')}"
            raise OutputParserException(msg, llm_output=invalid.get("args") or "")
    answered = message.text.strip()
    msg = f"The model did not call the {name} tool" + (
        f"; it answered: {answered[:200]!r}" if answered else ""
    )
    raise OutputParserException(msg, llm_output=answered)


def _first_args(result: list[Generation]) -> str:
    message = _message(result)
    if isinstance(message, AIMessage) and message.tool_calls:
        return json.dumps(message.tool_calls[0]["args"], ensure_ascii=False)
    return ""


# ---------------------------------------------------------------- stream helpers


def _tap(
    source: Iterator[str | BaseMessage], seen: list[str | BaseMessage]
) -> Iterator[str | BaseMessage]:
    for item in source:
        seen.append(item)
        yield item


async def _atap(
    source: AsyncIterator[str | BaseMessage], seen: list[str | BaseMessage]
) -> AsyncIterator[str | BaseMessage]:
    async for item in source:
        seen.append(item)
        yield item


def _accumulate(seen: list[str | BaseMessage]) -> Generation:
    """The whole answer from its streamed pieces.

    A single whole message (a model that did not stream) is used as is, so
    its tool calls survive; chunks are added up as LangChain does.
    """
    if len(seen) == 1 and isinstance(seen[0], BaseMessage):
        only = seen[0]
        if isinstance(only, BaseMessageChunk):
            return ChatGenerationChunk(message=only)
        return ChatGeneration(message=only)
    total: Any = None
    for item in seen:
        piece = _as_generation_chunk(item)
        total = piece if total is None else total + piece
    return cast("Generation", total)


def _as_generation_chunk(item: str | BaseMessage) -> Generation:
    if isinstance(item, BaseMessageChunk):
        return ChatGenerationChunk(message=item)
    if isinstance(item, BaseMessage):
        return ChatGenerationChunk(message=BaseMessageChunk(**item.model_dump()))
    return GenerationChunk(text=item)
