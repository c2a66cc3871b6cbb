"""Helpers for replaying the third-party recordings in ``cassettes/recorded/``.

Everything here is deliberately independent of the package's own parsing: the
expected answer of a recording is computed with plain ``json`` and a small SSE
splitter written for these tests, never with ``langchain_openrouter_free``'s
``_response`` / ``_streaming`` / ``_client`` helpers. Only the public model
(`ChatOpenRouterFree`) and the typed error classes are used, and only by the
replay functions at the bottom.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests._repo_data import RECORDED_DIR

INDEX_FILE = RECORDED_DIR / "INDEX.jsonl"

API_KEY = "sk-or-v1-test"
BASE_URL = "https://openrouter.ai/api/v1"
CHAT_PATH = "/api/v1/chat/completions"
DEFAULT_MODEL = "openrouter/free"
PROMPT = "Replay of a recorded OpenRouter interaction."

# Response headers that describe the encoding on the wire. The stored body is
# already decoded text, so replaying them would make httpx misread it.
_DROPPED_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "content-encoding"}
)
# Serve SSE bodies in small, irregular slices so that events, lines and
# multi-byte UTF-8 characters are split across network reads, as on the wire.
_SSE_SLICE_BYTES = 97


# --------------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """One recorded chat-completions interaction."""

    id: str
    tags: tuple[str, ...]
    status: int
    headers: dict[str, str]
    body: str
    request_json: dict[str, Any] | None

    @property
    def is_sse(self) -> bool:
        """True when the recorded answer is an event stream."""
        content_type = self.headers.get("content-type", "")
        return "sse" in self.tags or content_type.startswith("text/event-stream")

    @property
    def streamed(self) -> bool:
        """True when the client asked for a stream (or got one)."""
        return bool((self.request_json or {}).get("stream")) or self.is_sse

    @property
    def model(self) -> str:
        """The model id the recorded request asked for."""
        requested = (self.request_json or {}).get("model")
        return requested if isinstance(requested, str) and requested else DEFAULT_MODEL

    def replay_headers(self) -> dict[str, str]:
        """Recorded response headers minus the wire-encoding ones."""
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in _DROPPED_HEADERS
        }
        if "body_only" in self.tags and not headers:
            # prism committed only the SSE body: status and headers were never
            # recorded (the corpus gives the status as 200). An event stream is
            # what OpenRouter sends with such a body.
            headers["content-type"] = "text/event-stream"
        return headers


def load_index() -> list[dict[str, Any]]:
    """The rows of ``cassettes/recorded/INDEX.jsonl``."""
    with INDEX_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_record(index_row: Mapping[str, Any]) -> Record:
    """Load the record one index row points at."""
    raw = json.loads((RECORDED_DIR / index_row["file"]).read_text(encoding="utf-8"))
    request = raw.get("request") or {}
    response = raw["response"]
    return Record(
        id=raw["id"],
        tags=tuple(raw.get("tags") or ()),
        status=int(response["status"]),
        headers={str(k).lower(): str(v) for k, v in response["headers"].items()},
        body=response["body"],
        request_json=request.get("json"),
    )


def load_records() -> list[Record]:
    """Every recorded chat interaction, in index order."""
    return [load_record(row) for row in load_index()]


# ------------------------------------------------------------ independent SSE


def sse_data(body: str) -> list[str]:
    """Split an SSE body into the ``data`` of each event.

    A line ending is CRLF, LF or CR; a blank line ends an event; a line that
    starts with ``:`` is a comment; ``data:`` values (one leading space
    removed) are joined with newlines; other fields are ignored; an event with
    no data is dropped, as is an unterminated event at the end of the body.
    """
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    events: list[str] = []
    data: list[str] = []
    for line in lines[:-1]:  # the last piece has no line ending yet
        if not line:
            if data:
                events.append("\n".join(data))
            data = []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if name == "data":
            data.append(value.removeprefix(" "))
    return events


# --------------------------------------------------------------- expectations


@dataclass(frozen=True)
class ExpectedToolCall:
    """A tool call as the answer should expose it."""

    id: str
    name: str
    args: dict[str, Any] | None  # None: the arguments are not a JSON object
    raw_args: str


@dataclass(frozen=True)
class ExpectedAnswer:
    """What a successful recording should turn into."""

    content: str
    tool_calls: tuple[ExpectedToolCall, ...]
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    model_name: str | None
    finish_reason: str | None
    reasoning: str | None


@dataclass(frozen=True)
class ExpectedError:
    """What an error recording should raise."""

    status: int
    class_name: str
    message: str
    code: Any
    raw: str | None
    provider_name: str | None
    rate_limit_kind: str | None = None
    partial_text: str | None = None  # set for an error inside a stream


# The typed error each status maps to (issue 2, errors.py's documented table).
_CLASS_FOR_STATUS = {
    400: "OpenRouterInvalidRequestError",
    401: "OpenRouterAuthenticationError",
    402: "OpenRouterPaymentRequiredError",
    403: "OpenRouterPermissionDeniedError",
    404: "OpenRouterNotFoundError",
    408: "OpenRouterServerError",
    413: "OpenRouterInvalidRequestError",
    422: "OpenRouterInvalidRequestError",
    429: "OpenRouterRateLimitError",
}


def _status_from_code(code: Any) -> int:
    if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
        return code
    if isinstance(code, str) and code.isdigit() and 100 <= int(code) <= 599:
        return int(code)
    return 502


def _expected_error(
    status: int, error: Mapping[str, Any], partial_text: str | None = None
) -> ExpectedError:
    message = error.get("message")
    message = message.strip() if isinstance(message, str) else ""
    metadata = error.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    raw = metadata.get("raw")
    raw_text = raw if isinstance(raw, str) else None
    provider = metadata.get("provider_name")
    provider_name = provider if isinstance(provider, str) else None
    haystack = f"{message} {raw_text or ''}".lower()

    if status in {400, 413} and "context length" in haystack:
        class_name = "OpenRouterContextOverflowError"
    elif status in _CLASS_FOR_STATUS:
        class_name = _CLASS_FOR_STATUS[status]
    elif 400 <= status < 500:
        class_name = "OpenRouterInvalidRequestError"
    else:
        class_name = "OpenRouterServerError"

    kind = None
    if status == 429:
        if "free-models-per-day" in haystack:
            kind = "daily"
        elif "free-models-per-min" in haystack:
            kind = "per_minute"
        elif "rate-limited upstream" in haystack or provider_name:
            kind = "upstream"
        else:
            kind = "unknown"
    return ExpectedError(
        status=status,
        class_name=class_name,
        message=message,
        code=error.get("code"),
        raw=raw_text,
        provider_name=provider_name,
        rate_limit_kind=kind,
        partial_text=partial_text,
    )


def _tool_call_id(raw_id: Any, index: int, seen: set[str]) -> str:
    """The package's documented id repair: missing or repeated -> call_<index>."""
    call_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else f"call_{index}"
    if call_id in seen:
        call_id = f"call_{index}"
    seen.add(call_id)
    return call_id


def _parse_args(raw_args: str) -> dict[str, Any] | None:
    if not raw_args.strip():
        return {}
    try:
        value = json.loads(raw_args)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def expected_outcome(record: Record) -> ExpectedAnswer | ExpectedError:
    """The answer or error a recording must produce, from its body alone."""
    if record.is_sse and record.status < 400:
        return _expected_from_stream(record.body)
    text = record.body.lstrip()
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = None
    if record.status >= 400:
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            return _expected_error(record.status, body["error"])
        if isinstance(body, Mapping) and isinstance(body.get("error"), str):
            return _expected_error(record.status, {"message": body["error"]})
        return _expected_error(record.status, {"message": text[:200]})
    if not isinstance(body, Mapping):
        msg = f"{record.id}: a 2xx body that is not a JSON object (not covered)"
        raise TypeError(msg)
    if isinstance(body.get("error"), Mapping):
        error = body["error"]
        status = _status_from_code(error.get("code"))
        return _expected_error(status, error)
    return _expected_from_completion(body)


def _expected_from_completion(body: Mapping[str, Any]) -> ExpectedAnswer:
    choices = body.get("choices")
    if not choices:
        msg = "a 2xx completion without choices (not covered)"
        raise ValueError(msg)
    choice = choices[0]
    message = choice.get("message") or {}
    content = message.get("content")
    seen: set[str] = set()
    calls = []
    for position, raw_call in enumerate(message.get("tool_calls") or []):
        function = raw_call.get("function") or {}
        raw_args = function.get("arguments") or ""
        if not isinstance(raw_args, str):
            raw_args = json.dumps(raw_args)
        calls.append(
            ExpectedToolCall(
                id=_tool_call_id(raw_call.get("id"), position, seen),
                name=function.get("name") or "",
                args=_parse_args(raw_args),
                raw_args=raw_args,
            )
        )
    usage = body.get("usage") or {}
    reasoning = message.get("reasoning")
    return _empty_or(
        ExpectedAnswer(
            content=content if isinstance(content, str) else "",
            tool_calls=tuple(calls),
            input_tokens=_int_or_none(usage.get("prompt_tokens")),
            output_tokens=_int_or_none(usage.get("completion_tokens")),
            total_tokens=_int_or_none(usage.get("total_tokens")),
            model_name=body.get("model"),
            finish_reason=choice.get("finish_reason"),
            reasoning=reasoning if isinstance(reasoning, str) and reasoning else None,
        )
    )


def _expected_from_stream(body: str) -> ExpectedAnswer | ExpectedError:
    content: list[str] = []
    reasoning: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    usage: Mapping[str, Any] = {}
    model_name = None
    finish_reason = None
    for data in sse_data(body):
        if data == "[DONE]":
            break
        chunk = json.loads(data)
        if isinstance(chunk.get("error"), Mapping):
            error = chunk["error"]
            return _expected_error(
                _status_from_code(error.get("code")), error, "".join(content)
            )
        model_name = chunk.get("model") or model_name
        if chunk.get("usage"):
            usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            finish_reason = finish_reason or choice.get("finish_reason")
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                content.append(delta["content"])
            if isinstance(delta.get("reasoning"), str):
                reasoning.append(delta["reasoning"])
            for fragment in delta.get("tool_calls") or []:
                slot = calls.setdefault(
                    fragment.get("index", len(calls)),
                    {"id": None, "name": None, "args": []},
                )
                slot["id"] = slot["id"] or fragment.get("id")
                function = fragment.get("function") or {}
                slot["name"] = slot["name"] or function.get("name")
                if isinstance(function.get("arguments"), str):
                    slot["args"].append(function["arguments"])
    seen: set[str] = set()
    expected_calls = []
    for index in sorted(calls):
        slot = calls[index]
        raw_args = "".join(slot["args"])
        expected_calls.append(
            ExpectedToolCall(
                id=_tool_call_id(slot["id"], index, seen),
                name=slot["name"] or "",
                args=_parse_args(raw_args),
                raw_args=raw_args,
            )
        )
    reasoning_text = "".join(reasoning)
    return _empty_or(
        ExpectedAnswer(
            content="".join(content),
            tool_calls=tuple(expected_calls),
            input_tokens=_int_or_none(usage.get("prompt_tokens")),
            output_tokens=_int_or_none(usage.get("completion_tokens")),
            total_tokens=_int_or_none(usage.get("total_tokens")),
            model_name=model_name,
            finish_reason=finish_reason,
            reasoning=reasoning_text or None,
        )
    )


def _empty_or(answer: ExpectedAnswer) -> ExpectedAnswer | ExpectedError:
    """An answer with no text and no tool call, only reasoning or a cut-off
    (``finish_reason`` length), raises OpenRouterEmptyAnswerError (issue 10)."""
    empty = not answer.content and not answer.tool_calls
    if empty and (answer.reasoning or answer.finish_reason == "length"):
        return ExpectedError(
            status=200,
            class_name="OpenRouterEmptyAnswerError",
            message="answered nothing",
            code=None,
            raw=None,
            provider_name=None,
        )
    return answer


# ---------------------------------------------------------------- the replay


class _SlicedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The recorded bytes, delivered in fixed-size slices (sync or async)."""

    def __init__(self, content: bytes, size: int) -> None:
        self._content = content
        self._size = size

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self._content), self._size):
            yield self._content[start : start + self._size]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self:
            yield piece


@dataclass
class Replay:
    """The transport serving one recording, and the requests it saw."""

    record: Record
    requests: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        content = self.record.body.encode("utf-8")
        if self.record.is_sse:
            stream = _SlicedBody(content, _SSE_SLICE_BYTES)
            return httpx.Response(
                self.record.status, headers=self.record.replay_headers(), stream=stream
            )
        return httpx.Response(
            self.record.status, headers=self.record.replay_headers(), content=content
        )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)
