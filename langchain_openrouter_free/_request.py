"""Request parameters: their documented ranges, the free-model guard, the payload.

Also: which per-call keyword arguments are request fields, the last check of
the body about to be sent (``extra_body`` can set ``model`` and ``models``),
tools and ``tool_choice`` in OpenRouter's form, and the API key and header
values cleaned or refused before httpx sees them (its errors quote a rejected
header, key and all). Everything here is pure but one warning.

The same `RequestParameters` fields serve as the constructor fields of
``ChatOpenRouterFree`` (it inherits them) and validate per-call options, so a
range is written once and enforced at construction and at call time alike,
before anything is sent.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from typing_extensions import TypedDict

from langchain_openrouter_free._aliases import nearest
from langchain_openrouter_free._constants import (
    CREDENTIAL_HEADERS,
    DEFAULT_BASE_URL,
    is_free_model_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping

    from langchain_core.tools import BaseTool

__all__ = [
    "INTERNAL_CALL_KWARGS",
    "MAX_FALLBACK_MODELS",
    "OPENROUTER_WIRE_FIELDS",
    "Prediction",
    "ReasoningConfig",
    "RequestParameters",
    "build_payload",
    "check_base_url",
    "check_free_models",
    "check_header_values",
    "check_payload_is_free",
    "clean_api_key",
    "format_tool",
    "mask_credential_headers",
    "mask_url_credentials",
    "normalize_tool_choice",
    "refuse_model_settings",
    "validate_call_options",
    "warn_unknown_call_fields",
]

INTERNAL_CALL_KWARGS: Final = frozenset(
    {"ls_structured_output_format", "stream", "stream_usage", "extra_body"}
)
"""Per-call keyword arguments that are LangChain plumbing, never request fields."""

_MASK: Final = "**********"
_URL_USERINFO: Final = re.compile(r"(?P<scheme>^[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@")

MAX_FALLBACK_MODELS: Final = 3
"""OpenRouter answers 400 to a ``models`` list longer than this."""

OPENROUTER_WIRE_FIELDS: Final = frozenset(
    {
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "include_reasoning",
        "verbosity",
        "web_search_options",
        "modalities",
        "trace",
        "service_tier",
        "cache_control",
        "usage",
        "stream_options",
        "structured_outputs",
        "debug",
        "preset",
    }
)
"""OpenRouter request fields accepted per call besides the `RequestParameters` ones.

They are documented chat-completions fields (``bind_tools`` sends the tool
ones) that have no typed field here; a per-call name that is in neither set is
still sent, with a warning, since it is most often a typo. The documented
``max_completion_tokens`` and ``reasoning_effort`` are not here: they are
aliases of ``max_tokens`` and ``reasoning`` (see ``_aliases``). Two documented
names are left out on purpose: ``metadata`` is also a LangChain model setting
(send OpenRouter's through ``extra_body``), and ``n`` is not supported
(OpenRouter answers with one choice).
"""

Temperature = Annotated[float, Field(ge=0, le=2)]
Probability = Annotated[float, Field(ge=0, le=1)]
Penalty = Annotated[float, Field(ge=-2, le=2)]
StopSequences = Annotated[list[str], Field(max_length=4)]
LogitBiasValue = Annotated[float, Field(ge=-100, le=100)]


class ReasoningConfig(TypedDict, total=False):
    """OpenRouter's ``reasoning`` request object; unknown keys are kept."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    effort: Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"]
    """How hard to think; send ``effort`` or ``max_tokens``, not both."""
    max_tokens: Annotated[int, Field(ge=0)]
    """Token budget for reasoning."""
    exclude: bool
    """Reason, but leave the reasoning out of the answer."""
    enabled: bool
    """Turn reasoning on (medium effort) or off."""
    summary: Literal["auto", "concise", "detailed"]
    """Reasoning summary style, where the provider supports it."""


class Prediction(TypedDict):
    """A predicted output (``{"type": "content", "content": ...}``)."""

    type: Literal["content"]
    content: str


class RequestParameters(BaseModel):
    """The OpenRouter chat-completions fields a caller may set.

    A field left ``None`` is not sent. Ranges are OpenRouter's documented ones.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    temperature: Temperature | None = None
    """Sampling temperature, 0 to 2."""
    max_tokens: Annotated[int, Field(ge=1)] | None = None
    """Upper bound on generated tokens (at least 1)."""
    top_p: Probability | None = None
    """Nucleus sampling, 0 to 1."""
    top_k: Annotated[int, Field(ge=0)] | None = None
    """Sample from the k most likely tokens; 0 disables."""
    frequency_penalty: Penalty | None = None
    """Penalty by token frequency, -2 to 2."""
    presence_penalty: Penalty | None = None
    """Penalty by token presence, -2 to 2."""
    repetition_penalty: Annotated[float, Field(gt=0, le=2)] | None = None
    """Repetition penalty, above 0 up to 2 (1 = none)."""
    min_p: Probability | None = None
    """Minimum token probability relative to the top one, 0 to 1."""
    top_a: Probability | None = None
    """Top-a sampling, 0 to 1."""
    seed: int | None = None
    """Best-effort deterministic sampling."""
    stop: str | StopSequences | None = None
    """Up to 4 stop sequences."""
    logit_bias: dict[int | str, LogitBiasValue] | None = None
    """Token id to bias (-100 to 100)."""
    logprobs: bool | None = None
    """Return log probabilities of the output tokens."""
    top_logprobs: Annotated[int, Field(ge=0, le=20)] | None = None
    """How many alternatives per token (0 to 20); needs ``logprobs``."""
    response_format: dict[str, Any] | None = None
    """``{"type": "json_object"}`` or ``{"type": "json_schema", ...}``."""
    prediction: Prediction | None = None
    """Predicted output to cut latency."""
    transforms: list[str] | None = None
    """Legacy prompt transforms, e.g. ``["middle-out"]``."""
    models: Annotated[list[str], Field(max_length=MAX_FALLBACK_MODELS)] | None = None
    """Fallback models tried in order (OpenRouter accepts at most 3)."""
    route: Literal["fallback", "sort"] | None = None
    """Deprecated routing flag, still accepted by OpenRouter."""
    provider: dict[str, Any] | None = None
    """Provider routing preferences, sent exactly as given."""
    user: str | None = None
    """Stable end-user id for abuse isolation."""
    reasoning: ReasoningConfig | None = None
    """Reasoning controls: effort, max_tokens, exclude, enabled, summary."""
    plugins: list[dict[str, Any]] | None = None
    """OpenRouter plugins, e.g. ``[{"id": "context-compression"}]``."""
    session_id: Annotated[str, Field(max_length=256)] | None = None
    """Groups requests for sticky routing and observability."""


_PARAMETER_NAMES: Final = tuple(RequestParameters.model_fields)
_KNOWN_CALL_NAMES: Final = frozenset(
    {*_PARAMETER_NAMES, *OPENROUTER_WIRE_FIELDS, *INTERNAL_CALL_KWARGS, "model"}
)


def check_free_models(model_ids: Iterable[str], *, field: str) -> None:
    """Refuse paid model ids, so no call can spend credits by accident.

    Args:
        model_ids: The ids to check.
        field: The option they came from, named in the error.

    Raises:
        ValueError: If any id is not free.
    """
    paid = [model_id for model_id in model_ids if not is_free_model_id(model_id)]
    if paid:
        msg = (
            f"{field} names model(s) that are not free: {', '.join(paid)}. "
            "Free ids end in ':free' (or use 'openrouter/free'). "
            "Pass allow_paid=True to call paid models on purpose."
        )
        raise ValueError(msg)


def check_payload_is_free(
    payload: Mapping[str, Any], *, extra_body_keys: Collection[str] = ()
) -> None:
    """Refuse a request body that would call a paid model, however it got there.

    The fields are guarded when they are set, but ``extra_body`` is merged
    into the body last and can set ``model`` or ``models`` too, so the final
    body is checked as well: its ``model`` must be a free id, and ``models``
    a list of at most `MAX_FALLBACK_MODELS` free ids.

    Args:
        payload: The request body about to be sent.
        extra_body_keys: The keys ``extra_body`` set, so the error names
            ``extra_body['model']`` rather than ``model`` when it set them.

    Raises:
        ValueError: Naming the field, if ``model`` or ``models`` is not free
            (or not an id), or ``models`` is too long.
    """

    def where(name: str) -> str:
        return f"extra_body[{name!r}]" if name in extra_body_keys else name

    check_free_models([_as_id(payload.get("model"))], field=where("model"))
    models = payload.get("models")
    if models is None:
        return
    ids = [_as_id(m) for m in models] if isinstance(models, list) else [repr(models)]
    if len(ids) > MAX_FALLBACK_MODELS:
        msg = (
            f"{where('models')} lists {len(ids)} models; OpenRouter accepts "
            f"at most {MAX_FALLBACK_MODELS}"
        )
        raise ValueError(msg)
    check_free_models(ids, field=where("models"))


def _as_id(value: Any) -> str:
    """A model id as given, or the repr of a value that is no id (never free)."""
    return value if isinstance(value, str) else repr(value)


def refuse_model_settings(
    names: Iterable[str], *, model_settings: Collection[str]
) -> None:
    """Refuse per-call keyword arguments that configure the model, not the request.

    ``invoke(..., api_key=...)`` would otherwise put the key into the request
    body (and into recorded cassettes), and ``timeout=`` or ``allow_paid=``
    would be sent to OpenRouter instead of doing what they say.

    Args:
        names: The per-call keyword names.
        model_settings: The model's own fields that are no request field.

    Raises:
        TypeError: Naming every such argument (never its value).
    """
    misplaced = sorted(name for name in names if name in model_settings)
    if not misplaced:
        return
    listed = ", ".join(misplaced)
    one = len(misplaced) == 1
    msg = (
        f"{listed} {'is a model setting' if one else 'are model settings'}, "
        f"not {'a request field' if one else 'request fields'}; set "
        f"{'it' if one else 'them'} on the model "
        "(ChatOpenRouterFree(...), model.model_copy(update=...)), not per call. "
        "An OpenRouter request field of the same name goes in extra_body={...}."
    )
    raise TypeError(msg)


def warn_unknown_call_fields(names: Iterable[str]) -> None:
    """Warn once about per-call names that are no known request field.

    They are still sent (OpenRouter adds fields), but a typo such as
    ``temprature`` would otherwise be dropped by OpenRouter without a word.

    Args:
        names: The per-call keyword names.
    """
    unknown = sorted(name for name in names if name not in _KNOWN_CALL_NAMES)
    if unknown:
        hints = "".join(nearest(name, _KNOWN_CALL_NAMES) for name in unknown)
        warnings.warn(
            f"sending {', '.join(unknown)}: not a request field ChatOpenRouterFree "
            f"knows (a typo?).{hints} Pass fields OpenRouter added recently in "
            "extra_body={...} to send them without this warning.",
            UserWarning,
            stacklevel=3,
        )


def clean_api_key(value: SecretStr | str | None) -> SecretStr | None:
    """Strip whitespace around an API key; refuse a key that cannot be sent.

    A key read from a file keeps its newline, one from a CRLF env file its
    carriage return; httpx then refuses the header and quotes it, key and
    all, in an error that ends up in logs and traces. Whitespace inside, a
    control character or a non-ASCII one cannot be a key, so it is refused
    here with an error that does not show it.

    Args:
        value: The key as given (None: no key).

    Returns:
        The stripped key.

    Raises:
        TypeError: If the key is no string.
        ValueError: If it holds whitespace, a control character or a
            non-ASCII character inside.
    """
    if value is None:
        return None
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not isinstance(raw, str):
        msg = f"api_key must be a str or SecretStr, not {type(raw).__name__}"
        raise TypeError(msg)
    key = raw.strip()
    if not _is_printable_ascii(key, spaces=False):
        msg = (
            "api_key holds whitespace, a control character or a non-ASCII "
            "character inside it, so it cannot be sent (the key is not shown). "
            "Check how it was read or pasted."
        )
        raise ValueError(msg)
    return SecretStr(key)


def _is_printable_ascii(text: str, *, spaces: bool) -> bool:
    lowest = " " if spaces else "!"
    return all(lowest <= char <= "~" for char in text)


def mask_url_credentials(url: str) -> str:
    """A URL with the ``user:password@`` part masked, for repr and dumps.

    Args:
        url: Any text; only a ``scheme://user:pw@`` prefix is changed.

    Returns:
        The URL with its credentials replaced by ``**********``.
    """
    return _URL_USERINFO.sub(rf"\g<scheme>{_MASK}@", url)


def mask_credential_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    """Headers with the values of credential headers masked, as ``repr`` shows them.

    Args:
        headers: Header names and values (None passes through).

    Returns:
        A copy whose ``Authorization``, ``X-API-Key``, ``Cookie`` and
        ``Proxy-Authorization`` values (any case) are ``**********``.
    """
    if headers is None:
        return None
    return {
        name: _MASK if name.lower() in CREDENTIAL_HEADERS else value
        for name, value in headers.items()
    }


def check_base_url(url: str) -> str:
    """Refuse a ``base_url`` no request could be sent to, naming what is wrong.

    Args:
        url: The API root, e.g. ``https://openrouter.ai/api/v1``.

    Returns:
        The URL, unchanged.

    Raises:
        ValueError: Not an ``http(s)://host...`` URL, or it holds whitespace,
            control or non-ASCII characters. Credentials in it are not shown.
    """
    problem = None
    if not _is_printable_ascii(url, spaces=False):
        problem = "holds whitespace, a control or a non-ASCII character"
    else:
        try:
            parts = urlsplit(url)
            _ = parts.port  # a port that is no number raises here
        except ValueError:
            problem = "cannot be parsed as a URL"
        else:
            if parts.scheme.lower() not in {"http", "https"}:
                problem = "does not start with https:// (or http://)"
            elif not parts.hostname:
                problem = "names no host"
    if problem is not None:
        msg = (
            f"base_url {mask_url_credentials(url)!r} {problem}; use an API root "
            f"such as {DEFAULT_BASE_URL!r}"
        )
        raise ValueError(msg)
    return url


def check_header_values(
    headers: dict[str, str] | None, *, field: str
) -> dict[str, str] | None:
    """Refuse header values httpx would reject, without showing them.

    httpx quotes a rejected value in its error, and a header here may carry
    a credential.

    Args:
        headers: The headers to check.
        field: The option they came from, named in the error.

    Returns:
        The headers, unchanged.

    Raises:
        ValueError: Naming the header whose value holds a line break, a
            control character or a non-ASCII character.
    """
    for name, value in (headers or {}).items():
        if not _is_printable_ascii(value, spaces=True):
            msg = (
                f"{field}[{name!r}] holds a line break, control or non-ASCII "
                "character (its value is not shown)"
            )
            raise ValueError(msg)
    return headers


def format_tool(
    tool: dict[str, Any] | type | Callable[..., Any] | BaseTool, *, strict: bool | None
) -> dict[str, Any]:
    """A tool in OpenAI format; an OpenRouter server tool as it is.

    Server tools (``{"type": "openrouter:web_search", ...}``) go into the
    same ``tools`` array as functions; only ``"function"`` dicts and JSON
    schemas (``"type": "object"``) are converted.

    Args:
        tool: A pydantic class, function, ``BaseTool`` or tool dict.
        strict: Passed on to ``convert_to_openai_tool``.

    Returns:
        The tool as sent.
    """
    if isinstance(tool, dict) and tool.get("type") not in {None, "function", "object"}:
        return tool
    return convert_to_openai_tool(tool, strict=strict)


def normalize_tool_choice(
    *, tool_choice: dict[str, Any] | str | bool, tools: list[dict[str, Any]]
) -> dict[str, Any] | str:
    """Turn LangChain's ``tool_choice`` forms into OpenRouter's.

    Only function tools can be chosen by name (server tools have none).

    Args:
        tool_choice: ``"auto"``, ``"none"``, ``"required"``, ``"any"``,
            True, a bound function's name, or a ``tool_choice`` dict.
        tools: The tools as sent.

    Returns:
        The ``tool_choice`` to send.

    Raises:
        ValueError: For a name no function tool has, or True with other than
            exactly one function tool.
    """
    names = [tool["function"]["name"] for tool in tools if "function" in tool]
    if tool_choice is True:
        if len(names) != 1:
            msg = f"tool_choice=True needs exactly one tool, got {len(names)}"
            raise ValueError(msg)
        return {"type": "function", "function": {"name": names[0]}}
    if isinstance(tool_choice, dict):
        return tool_choice
    if tool_choice == "any":
        return "required"
    if tool_choice in {"auto", "none", "required"}:
        return tool_choice
    if isinstance(tool_choice, str) and tool_choice in names:
        return {"type": "function", "function": {"name": tool_choice}}
    msg = (
        f"tool_choice={tool_choice!r} is neither 'auto', 'none', 'required', "
        f"'any' nor the name of a bound tool ({', '.join(names) or 'none bound'})"
    )
    raise ValueError(msg)


def validate_call_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate per-call options against the documented ranges.

    Args:
        options: Keyword arguments given to ``invoke``/``stream`` or ``bind``.

    Returns:
        The options, validated values for known fields, others unchanged.

    Raises:
        pydantic.ValidationError: Naming the field whose value is out of range.
    """
    known = {name: options[name] for name in _PARAMETER_NAMES if name in options}
    if not known:
        return dict(options)
    validated = RequestParameters.model_validate(known)
    return {**options, **{name: getattr(validated, name) for name in known}}


def build_payload(
    *,
    model: str,
    messages: list[dict[str, Any]],
    defaults: Mapping[str, Any],
    overrides: Mapping[str, Any],
    stream: bool,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the chat-completions request body.

    Unset values (``None``, and an empty ``stop`` list) are dropped, per-call
    ``overrides`` win over the model's ``defaults``, LangChain plumbing kwargs
    never reach the wire, and ``extra_body`` is merged last so it can add any
    field OpenRouter adds later.

    Args:
        model: The model id to send.
        messages: Messages already in OpenRouter's format.
        defaults: Request fields configured on the model.
        overrides: Per-call options (already validated).
        stream: Whether to ask for server-sent events.
        extra_body: Fields merged into the body last.

    Returns:
        The JSON body.
    """
    payload: dict[str, Any] = {"model": model, "messages": messages}
    for source in (defaults, overrides):
        for name, value in source.items():
            if name in INTERNAL_CALL_KWARGS or name in {"model", "messages"}:
                continue
            if value is None or (name == "stop" and value == []):
                payload.pop(name, None)
            else:
                payload[name] = value
    if "logit_bias" in payload:
        payload["logit_bias"] = {str(k): v for k, v in payload["logit_bias"].items()}
    if stream:
        payload["stream"] = True
    if extra_body:
        payload.update(extra_body)
    return payload
