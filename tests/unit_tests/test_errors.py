"""The error classes added for configuration failures and silent streams."""

from __future__ import annotations

import pytest
from langchain_core.exceptions import ModelAPIError, ModelError, ModelTimeoutError

from langchain_openrouter_free import errors
from langchain_openrouter_free._retry import RetryPolicy

KEY = "sk-or-v1-" + "ab" * 32


def test_stream_timeout_is_a_stream_error_and_a_timeout() -> None:
    error = errors.OpenRouterStreamTimeoutError("silent", partial_text="Hel")
    assert isinstance(error, errors.OpenRouterStreamError)
    assert isinstance(error, errors.OpenRouterServerError)
    assert isinstance(error, ModelTimeoutError)
    assert isinstance(error, ModelAPIError)
    assert not isinstance(error, errors.OpenRouterTimeoutError)
    assert error.partial_text == "Hel"
    # LangChain may retry the whole call; the HTTP layer never resumes a stream.
    assert error.is_retryable is True
    assert RetryPolicy().should_retry(0, error) is False


def test_configuration_error_is_a_value_error_never_retried() -> None:
    error = errors.OpenRouterConfigurationError(f"Illegal header value {KEY}")
    assert isinstance(error, ValueError)
    assert isinstance(error, errors.OpenRouterError)
    assert not isinstance(error, ModelError)
    assert error.is_retryable is False
    assert RetryPolicy(max_retries=5).should_retry(0, error) is False
    assert KEY not in str(error)
    assert KEY not in repr(error)


@pytest.mark.parametrize(
    "name", ["OpenRouterConfigurationError", "OpenRouterStreamTimeoutError"]
)
def test_new_classes_are_exported_and_documented(name: str) -> None:
    assert name in errors.__all__
    assert isinstance(getattr(errors, name), type)
    assert errors.__doc__ is not None
    assert name in errors.__doc__
