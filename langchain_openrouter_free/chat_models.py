"""``ChatOpenRouterFree``: a LangChain chat model for OpenRouter's free models."""

from __future__ import annotations

import functools
from contextlib import aclosing
from functools import cache, partial
from typing import TYPE_CHECKING, Any, Final, Literal, Self

from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
)
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from pydantic import BaseModel, ConfigDict, Field, model_validator

from langchain_openrouter_free._aliases import (
    SETTING_ALIASES,
    accept_call_aliases,
    accept_init_aliases,
)
from langchain_openrouter_free._call_loop import (
    arun_call,
    astream_call,
    run_call,
    stream_call,
)
from langchain_openrouter_free._call_plan import CallOptions
from langchain_openrouter_free._connection import OpenRouterConnection
from langchain_openrouter_free._constants import CREDENTIAL_HEADERS, FREE_ROUTER_ID
from langchain_openrouter_free._messages import check_content_blocks
from langchain_openrouter_free._model_checks import checked_model_id
from langchain_openrouter_free._preflight import (
    require_messages,
    wire_messages,
)
from langchain_openrouter_free._request import (
    RequestParameters,
    build_payload,
    check_payload_is_free,
    format_tool,
    mask_url_credentials,
    normalize_tool_choice,
    refuse_model_settings,
    validate_call_options,
    warn_unknown_call_fields,
)
from langchain_openrouter_free._response import parse_chat_completion

if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterator,
        Callable,
        Iterator,
        Sequence,
    )

    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import ModelProfile
    from langchain_core.load.serializable import (
        SerializedConstructor,
        SerializedNotImplemented,
    )
    from langchain_core.messages import AIMessage, BaseMessage
    from langchain_core.outputs import ChatResult
    from langchain_core.prompt_values import PromptValue
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool


__all__ = ["ChatOpenRouterFree"]

_CHAT_PATH = "/chat/completions"
_REQUEST_FIELDS = tuple(RequestParameters.model_fields)
_REQUEST_FIELD_SET: Final = frozenset(_REQUEST_FIELDS)
_PER_CALL_MODEL_FIELDS: Final = frozenset({"model", "extra_body"})
"""Model fields that a call may also set (everything else is a model setting)."""


class ChatOpenRouterFree(
    BaseChatModel, RequestParameters, OpenRouterConnection, CallOptions
):
    """OpenRouter chat completions for LangChain, made for free models.

    Talks to ``POST /api/v1/chat/completions`` directly over httpx and keeps
    every field OpenRouter sends: reasoning, ``reasoning_details``, the model
    and provider that really answered, cost, cache and reasoning token counts.
    Every failure is a typed error that is also the matching
    ``langchain_core.exceptions`` class.

    Setup:
        ``pip install langchain-openrouter-free`` and set ``OPENROUTER_API_KEY``.
        Free models allow 20 requests a minute and 50 a day per account (1000
        a day once 10 credits were ever bought); ``openrouter-free models``
        lists the free ids with their context limits.

    Key init args:
        model: A ``:free`` id or ``"openrouter/free"`` (default); paid ids are
            refused unless ``allow_paid=True``.
        temperature, max_tokens, top_p, reasoning, ...: Every OpenRouter
            request field, range-checked before anything is sent; also per
            call (an unknown name is still sent, with a ``UserWarning``).
        models, route, provider, transforms, plugins: OpenRouter routing,
            sent as given (``models``: at most 3 fallback ids).
        extra_body: Merged into the request last (a paid id there is
            refused too).
        api_key, base_url, timeout, max_retries: Model settings (not per
            call). ``timeout`` bounds each connect, send and read, not the
            whole request; retries cover 408, 5xx, connection errors and
            timeouts.
        fallbacks, retry_empty: Free models to move to (a list, or
            ``"auto"``) and one retry of an answer left empty by reasoning;
            see docs/free-tier.md.
        max_completion_tokens, stop_sequences, reasoning_effort,
            request_timeout, stream_usage, model_kwargs: ChatOpenAI's
            spellings, accepted.

    Instantiate:
        ```python
        from langchain_openrouter_free import ChatOpenRouterFree

        model = ChatOpenRouterFree(
            model="meta-llama/llama-3.3-70b-instruct:free", temperature=0
        )
        ```

    Invoke:
        ```python
        message = model.invoke("Name three French cheeses.")
        print(message.text)
        ```

    Stream:
        ```python
        for chunk in model.stream("Count to five."):
            print(chunk.text, end="", flush=True)
        ```

    Async:
        ```python
        import asyncio


        async def main() -> None:
            print((await model.ainvoke("Hello!")).text)
            async for chunk in model.astream("Count to five."):
                print(chunk.text, end="", flush=True)


        asyncio.run(main())
        ```

    Tool calling:
        ```python
        from pydantic import BaseModel, Field


        class GetWeather(BaseModel):
            city: str = Field(description="Current weather in this city")


        tool_model = ChatOpenRouterFree(model="qwen/qwen3-coder:free")
        reply = tool_model.bind_tools([GetWeather]).invoke("Weather in Paris?")
        print(reply.tool_calls)  # [{"name": "GetWeather", "args": {...}, ...}]
        ```

    Structured output:
        ```python
        class Place(BaseModel):
            city: str
            country: str


        place = (
            ChatOpenRouterFree()
            .with_structured_output(Place)
            .invoke("Where is the Eiffel Tower?")
        )
        ```
        The method (json_schema, function calling or JSON mode) is chosen
        from what the model supports; ``include_raw=True`` never raises.

    Response metadata:
        ```python
        message.response_metadata["model_name"]  # the model that answered
        message.usage_metadata  # tokens, with reasoning and cache details
        message.additional_kwargs.get("reasoning_content")  # reasoning text, if any
        ```
        ``response_metadata`` also holds ``id``, ``provider``,
        ``finish_reason``, ``native_finish_reason``, ``cost`` and
        ``model_provider="openrouter"``. With ``openrouter/free`` or after a
        fallback, ``model_name`` differs from the model requested;
        ``attempts`` (with fallbacks, or after more than one request) and
        ``step_down`` (after a refused capability) say how it was obtained.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        arbitrary_types_allowed=True,
        extra="forbid",
        # Validation errors would otherwise quote the input, and with it the
        # API key (a paid-model refusal quotes every constructor argument).
        hide_input_in_errors=True,
        # The schema is built on first construction, not at import.
        defer_build=True,
    )

    model: str = Field(default=FREE_ROUTER_ID, alias="model_name")
    """The OpenRouter model id: a ``:free`` id or ``openrouter/free``."""
    extra_body: dict[str, Any] | None = None
    """Merged into every request body last."""
    allow_paid: bool = False
    """Allow model ids that are not free (they spend credits)."""
    strict_model_ids: bool = False
    """Raise, instead of warning once, for a free id the registry does not know."""
    streaming: bool = False
    """Stream by default in ``invoke``."""

    @model_validator(mode="before")
    @classmethod
    def _accept_aliases(cls, data: Any) -> Any:
        return accept_init_aliases(data, known=_init_names(cls))

    @property
    def model_name(self) -> str:
        """The model id (``model``), under the name ChatOpenAI users read."""
        return self.model

    @model_validator(mode="after")
    def _check_models(self) -> Self:
        self.model = self._checked_id(self.model, self.max_tokens, "model")
        if self.models:
            self.models = [self._checked_id(m, None, "models") for m in self.models]
        return self

    def _checked_id(self, model_id: str, max_tokens: int | None, field: str) -> str:
        return checked_model_id(
            model_id,
            max_tokens,
            allow_paid=self.allow_paid,
            field=field,
            strict=self.strict_model_ids,
        )

    # ------------------------------------------------------------------
    # LangChain identity
    # ------------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "openrouter-free-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Map the key field to its environment variable for serialization."""
        return {"api_key": "OPENROUTER_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Return True: the model serializes with its key as a secret reference."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Return the namespace used when serializing."""
        return ["langchain_openrouter_free", "chat_models"]

    def to_json(self) -> SerializedConstructor | SerializedNotImplemented:
        """Serialize as LangChain does, leaving credential headers out.

        ``api_key`` becomes a secret reference (``lc_secrets``). A credential
        in ``default_headers`` (``Authorization``, ``X-API-Key``, ``Cookie``,
        ``Proxy-Authorization``, any case) is dropped rather than masked: a
        masked value would be sent after loading and override the key.
        Credentials inside ``base_url`` are masked, as in ``repr``.

        Returns:
            The serialized constructor.
        """
        serialized = super().to_json()
        if serialized["type"] != "constructor":
            return serialized
        headers = serialized["kwargs"].get("default_headers")
        if isinstance(headers, dict):
            kept = {
                name: value
                for name, value in headers.items()
                if name.lower() not in CREDENTIAL_HEADERS
            }
            serialized["kwargs"] = {**serialized["kwargs"], "default_headers": kept}
        if isinstance(url := serialized["kwargs"].get("base_url"), str):
            serialized["kwargs"]["base_url"] = mask_url_credentials(url)
        return serialized

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, **self._request_defaults()}

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="openrouter",
            ls_model_name=kwargs.get("model", self.model),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stop_sequences = stop or kwargs.get("stop") or self.stop
        if stop_sequences:
            params["ls_stop"] = (
                [stop_sequences] if isinstance(stop_sequences, str) else stop_sequences
            )
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        from langchain_openrouter_free.registry import profile_for  # noqa: PLC0415

        return profile_for(self.model)

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    def _request_defaults(self) -> dict[str, Any]:
        # Every request field defaults to None: only those given (to the
        # constructor, by assignment or model_copy) can hold a value.
        given = _REQUEST_FIELD_SET.intersection(self.model_fields_set)
        if not given:
            return {}
        values = self.__dict__  # the fields' values, without a getattr per field
        return {
            name: values[name]
            for name in _REQUEST_FIELDS
            if name in given and values[name] is not None
        }

    def _model_settings(self) -> frozenset[str]:
        """The model's own fields that are no request field (not per call)."""
        return _model_settings_of(type(self))

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # LangChain calls this before it hands the call's kwargs to callbacks
        # and tracers: refuse ``api_key=`` and friends before they get there.
        if kwargs:
            refuse_model_settings(kwargs, model_settings=self._model_settings())
        return super()._get_invocation_params(stop=stop, **kwargs)

    def _build_payload(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        *,
        stream: bool,
        **kwargs: Any,
    ) -> dict[str, Any]:
        require_messages(messages)
        self._require_key()
        if stop is not None:
            kwargs = {**kwargs, "stop": stop}
        options = self._call_options(kwargs) if kwargs else {}
        model = options.pop("model", None) or self.model
        if model != self.model or "max_tokens" in options:
            max_tokens = options.get("max_tokens", self.max_tokens)
            model = self._checked_id(model, max_tokens, "model")
        if options.get("models"):
            options["models"] = [
                self._checked_id(m, None, "models") for m in options["models"]
            ]
        extra_body = {**(self.extra_body or {}), **(kwargs.get("extra_body") or {})}
        payload = build_payload(
            model=model,
            messages=wire_messages(messages),
            defaults=self._request_defaults(),
            overrides=options,
            stream=stream,
            extra_body=extra_body,
        )
        if not self.allow_paid:
            # extra_body (and a model_copy or assignment, which skip the
            # validators) can set what the field guards checked.
            check_payload_is_free(payload, extra_body_keys=extra_body.keys())
        return payload  # the client refuses a body that is no JSON, naming where

    def _call_options(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's keyword arguments: aliases renamed, checked, validated."""
        kwargs = accept_call_aliases(kwargs)
        refuse_model_settings(kwargs, model_settings=self._model_settings())
        warn_unknown_call_fields(kwargs)
        return validate_call_options(kwargs)

    def _convert_input(self, model_input: LanguageModelInput) -> PromptValue:
        value = super()._convert_input(model_input)
        check_content_blocks(value.to_messages())  # before LangChain reads them
        return value

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,  # noqa: ARG002
        **kwargs: Any,
    ) -> ChatResult:
        payload = self._build_payload(messages, stop, stream=False, **kwargs)
        # Parsed inside each attempt, so a 200 without an answer (``choices:
        # null``) is retried like a 5xx.
        return run_call(
            self._call_plan(messages, payload),
            lambda body: self._client().request_json(
                "POST", _CHAT_PATH, json=body, parse=parse_chat_completion
            ),
        )

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,  # noqa: ARG002
        **kwargs: Any,
    ) -> ChatResult:
        payload = self._build_payload(messages, stop, stream=False, **kwargs)
        return await arun_call(
            self._call_plan(messages, payload),
            lambda body: self._client().arequest_json(
                "POST", _CHAT_PATH, json=body, parse=parse_chat_completion
            ),
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        payload = self._build_payload(messages, stop, stream=True, **kwargs)
        plan = self._call_plan(messages, payload)
        events = partial(self._client().stream_events, _CHAT_PATH)
        v1 = self.output_version == "v1"
        for chunk in stream_call(plan, events):
            out = _with_v1_blocks(chunk) if v1 else chunk
            if run_manager:
                run_manager.on_llm_new_token(out.text, chunk=out)
            yield out

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        payload = self._build_payload(messages, stop, stream=True, **kwargs)
        plan = self._call_plan(messages, payload)
        events = partial(self._client().astream_events, _CHAT_PATH)
        # aclosing: a caller that stops early closes the stream (and so frees
        # its connection) now, not when the generator is collected.
        async with aclosing(astream_call(plan, events)) as chunks:
            v1 = self.output_version == "v1"
            async for chunk in chunks:
                out = _with_v1_blocks(chunk) if v1 else chunk
                if run_manager:
                    await run_manager.on_llm_new_token(out.text, chunk=out)
                yield out

    # ------------------------------------------------------------------
    # Tools
    # ------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools so the model can call them.

        Args:
            tools: Pydantic classes, functions, ``BaseTool`` objects or
                OpenAI-format tool dicts. A dict whose ``type`` is not
                ``"function"`` (an OpenRouter server tool such as
                ``{"type": "openrouter:web_search"}``) is sent unchanged.
            tool_choice: ``"auto"``, ``"none"``, ``"required"``, ``"any"``
                (sent as ``"required"``), ``True`` (the single tool), a tool
                name, or an OpenAI ``tool_choice`` dict.
            strict: Ask providers with a strict mode to follow the schemas.
            parallel_tool_calls: Allow several tool calls in one turn.
            **kwargs: Further request fields (``response_format``, ...).

        Returns:
            The model with ``tools`` bound for every call.

        Raises:
            ValueError: If ``tool_choice`` names no bound tool, or is True with
                more than one tool.
        """
        formatted = [format_tool(tool, strict=strict) for tool in tools]
        if formatted:
            kwargs["tools"] = formatted
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = normalize_tool_choice(
                tool_choice=tool_choice, tools=formatted
            )
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(**kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Return a runnable whose output follows ``schema``.

        Args:
            schema: A pydantic class, a TypedDict or a JSON-schema dict.
            method: ``"json_schema"`` (``response_format`` json_schema),
                ``"function_calling"`` (a forced tool call) or ``"json_mode"``
                (``response_format`` json_object, schema in the prompt). None
                picks from the model's capabilities in the free-model registry:
                json_schema where the model lists ``structured_outputs``, else
                function_calling where it lists ``tools``, else json_mode.
            include_raw: Return ``{"raw", "parsed", "parsing_error"}`` and
                never raise on a parse failure.
            strict: Ask for strict schema adherence where supported.
            **kwargs: Further request fields bound to every call.

        Returns:
            The structured-output runnable.
        """
        from langchain_openrouter_free._structured import (  # noqa: PLC0415
            structured_output_runnable,
        )

        return structured_output_runnable(
            self,
            schema,
            method=method,
            include_raw=include_raw,
            strict=strict,
            **kwargs,
        )


@functools.cache
def _init_names(cls: type[BaseModel]) -> frozenset[str]:
    """Every name the constructor of ``cls`` accepts: fields and their aliases."""
    fields = cls.model_fields.items()
    return frozenset(name for n, f in fields for name in (n, f.alias) if name)


@cache
def _model_settings_of(model_class: type[ChatOpenRouterFree]) -> frozenset[str]:
    """`ChatOpenRouterFree._model_settings`, computed once per class."""
    fields = frozenset(model_class.model_fields).union(SETTING_ALIASES)
    return fields.difference(_REQUEST_FIELDS, _PER_CALL_MODEL_FIELDS)


def _with_v1_blocks(chunk: ChatGenerationChunk) -> ChatGenerationChunk:
    """Give a streamed chunk v1 content blocks whose indices cannot collide.

    langchain-core numbers the reasoning and text blocks of a v1 stream 0, 1,
    ... but gives a ``tool_call_chunk`` block its tool-call index, so the first
    tool call (index 0) merges into the first reasoning or text block and the
    merged message loses its tool-call block. Blocks keyed ``lc_reasoning``,
    ``lc_text`` and ``lc_tool_call_<i>`` (``lc_`` string indices merge like
    ints) stay apart; core turns each ``tool_call_chunk`` block into a
    ``tool_call`` block when the stream ends.
    """
    message = chunk.message
    if not isinstance(message, AIMessageChunk) or not isinstance(message.content, str):
        return chunk
    blocks: list[str | dict[str, Any]] = []
    reasoning = message.additional_kwargs.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        blocks.append(
            {"type": "reasoning", "reasoning": reasoning, "index": "lc_reasoning"}
        )
    if message.content:
        blocks.append({"type": "text", "text": message.content, "index": "lc_text"})
    blocks.extend(
        {
            "type": "tool_call_chunk",
            "id": call.get("id"),
            "name": call.get("name"),
            "args": call.get("args"),
            "index": f"lc_tool_call_{call.get('index')}",
        }
        for call in message.tool_call_chunks
    )
    metadata = {**message.response_metadata, "output_version": "v1"}
    return ChatGenerationChunk(
        message=message.model_copy(
            update={"content": blocks, "response_metadata": metadata}
        ),
        generation_info=chunk.generation_info,
    )
