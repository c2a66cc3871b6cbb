"""No header value (so no API key) escapes through an OpenRouterHTTPClient error.

httpx failures can quote what was sent: h11 refuses a header value with a
newline by printing it (``Illegal header value b'Bearer sk-or-...\\n'``), and
traceback.format_exception, ``logging.exception`` and LangChain's tracers
print a whole exception chain. So a typed error built from an httpx failure
must hold a redacted description and no reference to the original.
MockTransport skips h11's header validation, so the transport raises the
exception h11 would (with the key in its text and in its own chain).
"""

from __future__ import annotations

import json
import traceback

import httpx
import pytest

from langchain_openrouter_free import _answers as answers
from langchain_openrouter_free import errors
from langchain_openrouter_free._retry import RetryPolicy
from tests.unit_tests._client_harness import (
    API_KEY,
    AUTH_401,
    HEADERS,
    JSON_CT,
    SSE_CT,
    Build,
    Harness,
    Reply,
    breaking_body,
    harness_builder,
    response,
)

# Not shaped like an OpenRouter key: only redacting sent header values hides it.
CUSTOM_KEY = "corp-gateway-token-7f3a9c"
KEYS = [API_KEY, CUSTOM_KEY]


@pytest.fixture
def wire(mode: str) -> Build:
    """Harnesses in the test's mode (sync or async)."""
    return harness_builder(mode)


def leaks(error: BaseException, secret: str) -> list[str]:
    """Every place the secret shows up: message, repr, chain, formatted traceback."""
    places = {
        "str": str(error),
        "repr": repr(error),
        "traceback": "".join(traceback.format_exception(error)),
        "cause": repr(error.__cause__),
        "context": repr(error.__context__),
    }
    return [name for name, text in places.items() if secret in text]


def with_key(key: str, *, newline: bool = False) -> dict[str, str]:
    return {**HEADERS, "Authorization": f"Bearer {key}" + ("\n" if newline else "")}


def h11_refusal(value: str) -> httpx.LocalProtocolError:
    """What httpx raises for an illegal header value, chained like httpcore's."""
    quoted = f"Illegal header value {value.encode()!r}"
    refusal = httpx.LocalProtocolError(quoted)
    refusal.__cause__ = refusal.__context__ = ValueError(quoted)  # h11's own error
    return refusal


async def request_or_stream(h: Harness, *, stream: bool) -> errors.OpenRouterError:
    call = h.stream() if stream else h.request_json(json={})
    with pytest.raises(errors.OpenRouterError) as caught:
        await call
    return caught.value


@pytest.mark.parametrize("key", KEYS, ids=["sk-or-key", "custom-key"])
@pytest.mark.parametrize("stream", [False, True], ids=["request", "stream"])
async def test_illegal_header_value_is_a_configuration_error_without_the_key(
    mode: str, key: str, stream: bool
) -> None:
    headers = with_key(key, newline=True)  # a key read from a file, newline kept
    h = harness_builder(mode, headers)(h11_refusal(headers["Authorization"]))
    error = await request_or_stream(h, stream=stream)
    assert type(error) is errors.OpenRouterConfigurationError
    assert isinstance(error, ValueError)
    assert error.is_retryable is False
    assert leaks(error, key) == []
    assert error.__cause__ is None
    assert error.__context__ is None
    assert error.__suppress_context__ is True
    assert "LocalProtocolError: Illegal header value b'[REDACTED]'" in str(error)
    assert "default_headers" in str(error)
    assert h.wire.calls == 1
    assert h.sleeps == []


async def test_unsupported_url_scheme_is_a_configuration_error(mode: str) -> None:
    refusal = httpx.UnsupportedProtocol(
        "Request URL has an unsupported protocol 'ftp://'."
    )
    h = harness_builder(mode)(refusal)
    error = await request_or_stream(h, stream=False)
    assert type(error) is errors.OpenRouterConfigurationError
    assert "base_url" in str(error)
    assert "ftp://" in str(error)
    assert h.wire.calls == 1
    assert h.sleeps == []


@pytest.mark.parametrize("key", KEYS, ids=["sk-or-key", "custom-key"])
async def test_sent_header_values_are_redacted_from_every_transport_error(
    mode: str, key: str
) -> None:
    headers = with_key(key)
    quoted = f"proxy rejected Authorization: Bearer {key}"
    mid_stream = breaking_body(b"data: {}\n\n", error=httpx.ReadError(quoted))
    cases: list[tuple[Reply, bool]] = [
        (httpx.ConnectError(quoted), False),
        (httpx.ReadTimeout(quoted), False),
        (httpx.RemoteProtocolError(quoted), True),
        (httpx.Response(200, headers=SSE_CT, stream=mid_stream), True),
    ]
    for reply, stream in cases:
        build = harness_builder(mode, headers)
        h = build(reply, retry=RetryPolicy(max_retries=0))
        error = await request_or_stream(h, stream=stream)
        assert leaks(error, key) == [], type(error)
        assert "proxy rejected Authorization: [REDACTED]" in str(error)
        assert error.__cause__ is None
        assert error.__context__ is None


async def test_api_key_never_appears_in_errors(wire: Build) -> None:
    echo = f'{{"error":{{"code":400,"message":"bad header Authorization: Bearer {API_KEY}"}}}}'.encode()
    cases: list[Reply] = [
        response(400, echo),
        response(401, AUTH_401),
        response(200, f"not json {API_KEY}".encode(), {"content-type": "text/plain"}),
        httpx.ConnectError(f"proxy said Bearer {API_KEY}"),
        httpx.ReadTimeout(f"timed out for {API_KEY}"),
    ]
    raised: list[errors.OpenRouterError] = []
    for case in cases:
        h = wire(case, retry=RetryPolicy(max_retries=0))
        raised.append(await request_or_stream(h, stream=False))
    h = wire(
        response(
            200, f"<html>{API_KEY}</html>".encode(), {"content-type": "text/html"}
        ),
        retry=RetryPolicy(max_retries=0),
    )
    raised.append(await request_or_stream(h, stream=True))
    leak = b"data: {}\n\n"
    h = wire(httpx.Response(200, headers=SSE_CT, stream=breaking_body(leak)))
    raised.append(await request_or_stream(h, stream=True))
    assert isinstance(raised[-1], errors.OpenRouterStreamError)
    assert len(raised) == 7
    for error in raised:
        assert leaks(error, API_KEY) == []
        assert "0" * 64 not in str(error)
    assert API_KEY not in repr(h.http)


def test_secret_forms_cover_the_spellings_httpx_uses() -> None:
    forms = answers.secret_forms(
        {"Authorization": "Bearer tok-123456\n", "X-Title": "My App", "X-A": "1"}
    )
    assert forms == tuple(sorted(forms, key=len, reverse=True))
    assert "Bearer tok-123456\n" in forms  # as sent
    assert "Bearer tok-123456\\n" in forms  # as quoted from bytes or str
    assert "Bearer tok-123456" in forms  # stripped
    assert "tok-123456" in forms  # the credential alone
    assert "My App" in forms
    assert "1" not in forms  # too short to redact without garbling text


def test_redact_replaces_longest_forms_first() -> None:
    forms = answers.secret_forms({"Authorization": "Bearer tok-123456\n"})
    text = "Illegal header value b'Bearer tok-123456\\n' (tok-123456)"
    assert errors.redact_secrets(text, forms) == (
        "Illegal header value b'[REDACTED]' ([REDACTED])"
    )


def attribute_texts(error: errors.OpenRouterError) -> dict[str, str]:
    """Every attribute of an error that a caller may log or dump, as text."""
    texts = {"message": error.message, "args": repr(error.args)}
    if isinstance(error, errors.OpenRouterAPIError):
        texts |= {
            name: json.dumps(getattr(error, name), default=repr)
            for name in ("body", "metadata", "headers", "availability", "code")
        }
    return texts


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
async def test_a_key_of_any_shape_echoed_by_the_server_is_in_no_attribute(
    mode: str, *, stream: bool
) -> None:
    account = "user_2wT5ElBE4Es3R4QrNLpZiXICmQP"
    echo = {
        "error": {
            "code": 400,
            "message": f"bad key {CUSTOM_KEY}",
            "metadata": {"raw": f"token={CUSTOM_KEY}", CUSTOM_KEY: account},
        },
        "user_id": account,
    }
    headers = {**JSON_CT, "x-echo": f"Bearer {CUSTOM_KEY}", "authorization": "x"}
    wire = harness_builder(mode, headers=with_key(CUSTOM_KEY))
    h = wire(
        httpx.Response(400, headers=headers, content=json.dumps(echo).encode()),
        retry=RetryPolicy(max_retries=0),
    )
    error = await request_or_stream(h, stream=stream)
    assert isinstance(error, errors.OpenRouterInvalidRequestError)
    for name, text in attribute_texts(error).items():
        assert CUSTOM_KEY not in text, name
        assert account not in text, name
    assert error.headers["authorization"] == "[REDACTED]"
    assert leaks(error, CUSTOM_KEY) == []
