"""``ChatOpenRouterFree``: a LangChain chat model for OpenRouter's free models."""

from __future__ import annotations

import copy
import threading
import warnings
import weakref
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, Literal, Self

import httpx
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
)
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.utils import from_env, secret_from_env
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from langchain_openrouter_free._client import OpenRouterHTTPClient
from langchain_openrouter_free._constants import (
    CREDENTIAL_HEADERS,
    DEFAULT_BASE_URL,
    FREE_ROUTER_ID,
)
from langchain_openrouter_free._messages import convert_messages
from langchain_openrouter_free._request import (
    RequestParameters,
    build_payload,
    check_free_models,
    check_header_values,
    check_payload_is_free,
    clean_api_key,
    format_tool,
    normalize_tool_choice,
    refuse_model_settings,
    validate_call_options,
    warn_unknown_call_fields,
)
from langchain_openrouter_free._response import parse_chat_completion
from langchain_openrouter_free._retry import RetryPolicy
from langchain_openrouter_free._streaming import StreamAccumulator
from langchain_openrouter_free.errors import OpenRouterError, StaleModelIdWarning

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence

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
    from langchain_core.runnables import Runnable
    from langchain_core.tools import BaseTool

    from langchain_openrouter_free._registry_model import FreeModel

__all__ = ["ChatOpenRouterFree"]

_CHAT_PATH = "/chat/completions"
_REQUEST_FIELDS = tuple(RequestParameters.model_fields)
_PER_CALL_MODEL_FIELDS: Final = frozenset({"model", "extra_body"})
"""Model fields that a call may also set (everything else is a model setting)."""
_CONNECTION_FIELDS: Final = frozenset(
    {
        "api_key",
        "base_url",
        "app_url",
        "app_title",
        "default_headers",
        "timeout",
        "max_retries",
        "http_client",
        "http_async_client",
    }
)
"""Fields the HTTP client is built from: assigning one drops the built client."""
_CLIENT_LOCK: Final = threading.Lock()
"""Guards building a model's HTTP client (and dropping it on a config change).

Module level on purpose: a lock attribute on the model would make it
impossible to deep-copy.
"""


class ChatOpenRouterFree(BaseChatModel, RequestParameters):
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
        model: A ``:free`` id or ``"openrouter/free"`` (default). Paid ids are
            refused unless ``allow_paid=True``.
        temperature, max_tokens, top_p, ...: Every OpenRouter request field,
            validated against its documented range before anything is sent.
        reasoning: ``{"effort": "low"}``, ``{"max_tokens": 512}``,
            ``{"exclude": True}`` or ``{"enabled": True}``.
        models, route, provider, transforms, plugins: OpenRouter routing,
            sent exactly as given (``models`` holds at most 3 fallback ids).
        extra_body: Merged into the request last, for fields added later.
            The final body is still checked: a paid ``model`` or ``models``
            set through it is refused unless ``allow_paid=True``.
        timeout: Seconds httpx waits for each step of a request: to connect,
            to send, and for each read of the answer (None: no limit). It is
            not a bound on the whole request: OpenRouter sends keep-alive
            whitespace while a long non-streaming answer is generated, and
            every such read starts the clock again; a stream likewise only
            times out when no bytes arrive for ``timeout`` seconds.
        max_retries: Retries of 408, 5xx, connection errors and timeouts.
        api_key, base_url, timeout, ...: Model settings. They are not request
            fields, so passing one per call (``invoke(..., timeout=5)``)
            raises ``TypeError``; set them on the model. Assigning one later
            (``model.api_key = ...``) takes effect on the next call, and
            ``model_copy(update=...)`` gives the copy its own HTTP client.
        Per-call kwargs: request fields (``temperature=0``, ``model=...``,
            ``tools``, ...). A name that is no known OpenRouter field is
            still sent, with a ``UserWarning`` (a typo?); put fields
            OpenRouter added recently in ``extra_body`` to send them quietly.

    Instantiate:
        ```python
        from langchain_openrouter_free import ChatOpenRouterFree

        model = ChatOpenRouterFree(
            model="meta-llama/llama-3.3-70b-instruct:free", temperature=0
        )
        ```

    Invoke and stream:
        ```python
        model.invoke("Name three French cheeses.")
        for chunk in model.stream("Count to five."):
            print(chunk.text, end="")
        ```

    Response metadata:
        ``response_metadata`` holds ``id``, ``model_name`` (the model that
        answered; differs from the request with ``openrouter/free`` or after a
        fallback), ``provider``, ``finish_reason``, ``native_finish_reason``,
        ``cost`` and ``model_provider="openrouter"``. Reasoning text is in
        ``additional_kwargs["reasoning_content"]``.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        arbitrary_types_allowed=True,
        extra="forbid",
        # Validation errors would otherwise quote the input, and with it the
        # API key (a paid-model refusal quotes every constructor argument).
        hide_input_in_errors=True,
    )

    model: str = Field(default=FREE_ROUTER_ID, alias="model_name")
    """The OpenRouter model id: a ``:free`` id or ``openrouter/free``."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("OPENROUTER_API_KEY", default=None),
        validate_default=True,
    )
    """The API key; defaults to env ``OPENROUTER_API_KEY``.

    Surrounding whitespace (the newline of a key read from a file, the
    carriage return of a CRLF env file) is stripped; a key with whitespace or
    control characters inside is refused with an error that does not quote it.
    """
    base_url: str = Field(
        default_factory=from_env("OPENROUTER_BASE_URL", default=DEFAULT_BASE_URL)
    )
    """API root; defaults to env ``OPENROUTER_BASE_URL`` or OpenRouter's."""
    app_url: str | None = None
    """Sent as ``HTTP-Referer`` for app attribution."""
    app_title: str | None = None
    """Sent as ``X-OpenRouter-Title`` and ``X-Title``."""
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    """Extra headers; they override ours case-insensitively.

    Not shown in ``repr``. The key belongs in ``api_key``: a credential header
    here (``Authorization``, ``X-API-Key``, ``Cookie``,
    ``Proxy-Authorization``) is left out of serialized dumps, so a loaded
    model sends its ``api_key`` instead.
    """
    extra_body: dict[str, Any] | None = None
    """Merged into every request body last."""
    allow_paid: bool = False
    """Allow model ids that are not free (they spend credits)."""
    timeout: float | None = Field(default=120.0, gt=0)
    """Seconds httpx waits to connect, to send and for each read of the answer.

    Each read, not the whole request: OpenRouter's keep-alive whitespace
    during a long non-streaming answer starts the clock again. None: no limit.
    """
    max_retries: int = Field(default=2, ge=0)
    """Retries of 408, 5xx, connection errors and timeouts (0: one attempt)."""
    streaming: bool = False
    """Stream by default in ``invoke``."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` to use instead of the built-in one."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` to use instead of the built-in one."""

    _http: OpenRouterHTTPClient | None = PrivateAttr(default=None)

    @field_validator("api_key", mode="after")
    @classmethod
    def _clean_api_key(cls, value: SecretStr | None) -> SecretStr | None:
        return clean_api_key(value)

    @field_validator("default_headers", mode="after")
    @classmethod
    def _check_header_values(
        cls, value: dict[str, str] | None
    ) -> dict[str, str] | None:
        return check_header_values(value, field="default_headers")

    @model_validator(mode="after")
    def _check_models(self) -> Self:
        self.model = _checked_model_id(
            self.model, self.max_tokens, allow_paid=self.allow_paid, field="model"
        )
        if self.models:
            self.models = [
                _checked_model_id(
                    fallback, None, allow_paid=self.allow_paid, field="models"
                )
                for fallback in self.models
            ]
        return self

    # ------------------------------------------------------------------
    # Copies and changes: never share or keep a client built for other settings
    # ------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        """Set a field; a connection setting also drops the built HTTP client.

        The client is built from the key, URL, headers, timeout and retries,
        so after ``model.api_key = ...`` the next call builds a new one. The
        old one is closed when the model is collected, as before.
        """
        if name not in _CONNECTION_FIELDS:
            super().__setattr__(name, value)
            return
        if name == "api_key":
            value = clean_api_key(value)
        with _CLIENT_LOCK:
            super().__setattr__(name, value)
            self._http = None

    def __copy__(self) -> Self:
        """Copy the model; the copy builds its own HTTP client on first use."""
        copied = super().__copy__()
        copied._http = None  # noqa: SLF001 - the copy's own private state
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """Deep-copy the model, except its HTTP clients.

        The built client holds locks and sockets: the copy builds its own on
        first use. Injected ``http_client`` / ``http_async_client`` belong to
        the caller and are shared, as a shallow copy shares them.
        """
        memo = {} if memo is None else memo
        for client in (self.http_client, self.http_async_client):
            if client is not None:
                memo.setdefault(id(client), client)
        if self._http is not None:
            memo.setdefault(id(self._http), None)
        return super().__deepcopy__(memo)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self:
        """Copy the model (see `pydantic.BaseModel.model_copy`).

        The copy never shares the built HTTP client, so an updated
        ``api_key`` or ``base_url`` is used by the copy's first call; an
        updated ``api_key`` is cleaned as at construction.
        """
        if update and "api_key" in update:
            update = {**update, "api_key": clean_api_key(update["api_key"])}
        source = copy.deepcopy(self) if deep else self
        return super(ChatOpenRouterFree, source).model_copy(update=update)

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
        values = {name: getattr(self, name) for name in _REQUEST_FIELDS}
        return {name: value for name, value in values.items() if value is not None}

    def _headers(self) -> dict[str, str]:
        headers = httpx.Headers({"Content-Type": "application/json"})
        if self.api_key is not None and self.api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        if self.app_title:
            headers["X-OpenRouter-Title"] = self.app_title
            headers["X-Title"] = self.app_title
        headers.update(self.default_headers or {})
        return dict(headers.items())

    def _client(self) -> OpenRouterHTTPClient:
        http = self._http
        if http is not None:
            return http
        # Threads of one ``batch()`` may all get here first: build one client.
        with _CLIENT_LOCK:
            http = self._http
            if http is None:
                http = OpenRouterHTTPClient(
                    base_url=self.base_url,
                    headers=self._headers(),
                    timeout=self.timeout,
                    retry=RetryPolicy(max_retries=self.max_retries),
                    client=self.http_client,
                    async_client=self.http_async_client,
                )
                self._http = http
                # Close the built-in pool when the model is collected, so
                # creating many models leaks no sockets (an injected client is
                # left alone).
                weakref.finalize(self, http.close)
        return http

    def _model_settings(self) -> frozenset[str]:
        """The model's own fields that are no request field (not per call)."""
        return frozenset(type(self).model_fields).difference(
            _REQUEST_FIELDS, _PER_CALL_MODEL_FIELDS
        )

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # LangChain calls this before it hands the call's kwargs to callbacks
        # and tracers: refuse ``api_key=`` and friends before they get there.
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
        refuse_model_settings(kwargs, model_settings=self._model_settings())
        warn_unknown_call_fields(kwargs)
        options = validate_call_options(kwargs)
        if stop is not None:
            options["stop"] = validate_call_options({"stop": stop})["stop"]
        model = options.pop("model", None) or self.model
        if model != self.model or "max_tokens" in options:
            model = _checked_model_id(
                model,
                options.get("max_tokens", self.max_tokens),
                allow_paid=self.allow_paid,
                field="model",
            )
        if options.get("models"):
            options["models"] = [
                _checked_model_id(m, None, allow_paid=self.allow_paid, field="models")
                for m in options["models"]
            ]
        extra_body = {**(self.extra_body or {}), **(kwargs.get("extra_body") or {})}
        payload = build_payload(
            model=model,
            messages=convert_messages(messages),
            defaults=self._request_defaults(),
            overrides=options,
            stream=stream,
            extra_body=extra_body,
        )
        if not self.allow_paid:
            # extra_body (and a model_copy or assignment, which skip the
            # validators) can set what the field guards checked.
            check_payload_is_free(payload, extra_body_keys=extra_body.keys())
        return payload

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
        return self._client().request_json(
            "POST", _CHAT_PATH, json=payload, parse=parse_chat_completion
        )

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,  # noqa: ARG002
        **kwargs: Any,
    ) -> ChatResult:
        payload = self._build_payload(messages, stop, stream=False, **kwargs)
        return await self._client().arequest_json(
            "POST", _CHAT_PATH, json=payload, parse=parse_chat_completion
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        payload = self._build_payload(messages, stop, stream=True, **kwargs)
        state = StreamAccumulator()
        with (
            self._client().stream_events(_CHAT_PATH, payload) as events,
            _partial_text_on_error(state),
        ):
            for data in events:
                for chunk in self._for_output_version(state.feed(data)):
                    if run_manager:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
                if state.done:
                    break
            for chunk in self._for_output_version(state.finish()):
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        payload = self._build_payload(messages, stop, stream=True, **kwargs)
        state = StreamAccumulator()
        async with self._client().astream_events(_CHAT_PATH, payload) as events:
            with _partial_text_on_error(state):
                async for data in events:
                    for chunk in self._for_output_version(state.feed(data)):
                        if run_manager:
                            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
                    if state.done:
                        break
                for chunk in self._for_output_version(state.finish()):
                    if run_manager:
                        await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk

    def _for_output_version(
        self, chunks: list[ChatGenerationChunk]
    ) -> list[ChatGenerationChunk]:
        if self.output_version != "v1":
            return chunks
        return [_with_v1_blocks(chunk) for chunk in chunks]

    def close(self) -> None:
        """Close the built-in HTTP client (an injected one is left open)."""
        if self._http is not None:
            self._http.close()

    async def aclose(self) -> None:
        """Close the built-in async HTTP client (an injected one is left open)."""
        if self._http is not None:
            await self._http.aclose()

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


def _checked_model_id(
    model_id: str, max_tokens: int | None, *, allow_paid: bool, field: str
) -> str:
    """Check a model id before anything is sent; return the id to send.

    The free guard first, then what the registry knows: the real id for a
    known alias, a warning for a retired or unverified id, and a refusal of
    ``max_tokens`` larger than the model's whole context window.
    """
    if not allow_paid:
        check_free_models([model_id], field=field)
    entry = _registry_entry(model_id)
    if entry is None:
        return model_id
    _warn_if_stale(entry, model_id, field=field)
    _check_fits_context(entry, max_tokens)
    return entry.id


def _registry_entry(model_id: str) -> FreeModel | None:
    from langchain_openrouter_free.registry import default_registry  # noqa: PLC0415

    return default_registry().find(model_id)


def _warn_if_stale(entry: FreeModel, model_id: str, *, field: str) -> None:
    """Warn when ``model_id`` is an alias, or names a model not available."""
    if entry.id != model_id:
        warnings.warn(
            f"{field}={model_id!r} is not OpenRouter's id; sending {entry.id!r}",
            StaleModelIdWarning,
            stacklevel=5,
        )
    if entry.status != "available":
        warnings.warn(
            f"{entry.id} is {entry.status} in the free-model registry (last seen "
            f"{entry.last_seen or 'never'}); OpenRouter may answer 404",
            StaleModelIdWarning,
            stacklevel=5,
        )


def _check_fits_context(entry: FreeModel, max_tokens: int | None) -> None:
    if max_tokens is not None and max_tokens > entry.context_length:
        msg = (
            f"max_tokens={max_tokens} exceeds the {entry.context_length}-token "
            f"context of {entry.id}"
        )
        raise ValueError(msg)


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


@contextmanager
def _partial_text_on_error(state: StreamAccumulator) -> Iterator[None]:
    """Attach the text streamed so far to an error that broke the stream."""
    try:
        yield
    except OpenRouterError as error:
        if not error.partial_text:
            error.partial_text = state.text
        raise
