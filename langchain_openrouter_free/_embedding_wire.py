"""PURE: the ``POST /api/v1/embeddings`` request and its answer.

The wire format follows OpenRouter's OpenAPI description of ``/embeddings``
(``createEmbeddings`` in the spec the OpenRouter SDKs are generated from,
OpenRouterTeam/typescript-sdk ``.speakeasy/in.openapi.yaml``, 2026-08-22):

- request: ``model`` and ``input`` are required; ``input`` is a non-empty
  string, a list of non-empty strings, token arrays, or a list of
  ``{"content": [parts]}`` objects whose parts are ``{"type": "text", "text"}``
  or ``{"type": "image_url", "image_url": {"url"}}`` (multimodal models);
  optional ``dimensions`` (integer >= 1), ``encoding_format`` (``float`` or
  ``base64``), ``input_type`` (e.g. ``search_query`` / ``search_document``),
  ``provider`` and ``user``.
- answer: ``{"object": "list", "data": [{"object": "embedding", "embedding":
  [floats] | "<base64>", "index"}], "model", "usage": {"prompt_tokens",
  "total_tokens", "cost"?}}``.

Every check here runs before anything is sent.
"""

from __future__ import annotations

import array
import base64
import binascii
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias

from langchain_openrouter_free.errors import OpenRouterServerError

__all__ = [
    "BYTES_PER_TOKEN",
    "EncodingFormat",
    "build_embeddings_payload",
    "check_texts",
    "decode_base64_embedding",
    "estimate_tokens",
    "image_input",
    "in_batches",
    "parse_embeddings",
]

BYTES_PER_TOKEN: Final = 4
"""UTF-8 bytes per token assumed by `estimate_tokens` (English prose: ~4)."""
_IMAGE_SCHEMES: Final = ("https://", "http://", "data:image/")

EncodingFormat: TypeAlias = Literal["float", "base64"]
EmbeddingInput: TypeAlias = str | dict[str, Any]
"""One ``input`` item: a text, or ``{"content": [parts]}`` for multimodal models."""


def estimate_tokens(text: str) -> int:
    """Estimate a text's token count without the model's tokenizer.

    Args:
        text: The text.

    Returns:
        ``ceil(UTF-8 bytes / BYTES_PER_TOKEN)``: about right for English
        prose, high for texts of long common words, low for dense code.
    """
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def check_texts(
    texts: Sequence[str], *, max_input_tokens: int, model: str, what: str
) -> list[str]:
    """Refuse inputs that OpenRouter would refuse, before anything is sent.

    Args:
        texts: The texts to embed.
        max_input_tokens: The model's limit per input, in tokens.
        model: The model id, named in the errors.
        what: The method the texts were given to, named in the errors.

    Returns:
        The texts as a list.

    Raises:
        TypeError: An item is not a string.
        ValueError: The list is empty, a text is empty, or a text is over
            ``max_input_tokens`` by `estimate_tokens`.
    """
    if isinstance(texts, str):
        msg = f"{what} takes a list of texts, not one str: wrap it in a list"
        raise TypeError(msg)
    items = list(texts)
    if not items:
        msg = f"{what} got an empty list: pass at least one text to embed"
        raise ValueError(msg)
    for index, text in enumerate(items):
        if not isinstance(text, str):
            msg = f"{what}: item {index} is {type(text).__name__}, not str"
            raise TypeError(msg)
        if not text:
            msg = (
                f"{what}: item {index} is an empty string; OpenRouter refuses "
                "empty inputs, so drop it or replace it with some text"
            )
            raise ValueError(msg)
        tokens = estimate_tokens(text)
        if tokens > max_input_tokens:
            msg = (
                f"{what}: item {index} is about {tokens} tokens ({len(text)} "
                f"characters), over the {max_input_tokens}-token input limit of "
                f"{model}; split it into smaller chunks (a text splitter) or, "
                "if the model takes more, raise max_input_tokens"
            )
            raise ValueError(msg)
    return items


def image_input(image: str, *, index: int) -> dict[str, Any]:
    """One image as a multimodal ``input`` item.

    Args:
        image: An ``http(s)://`` URL or a ``data:image/...;base64,...`` URI.
        index: Its position, named in the error.

    Returns:
        ``{"content": [{"type": "image_url", "image_url": {"url": image}}]}``.

    Raises:
        ValueError: ``image`` is neither an http(s) URL nor an image data URI.
    """
    if not isinstance(image, str) or not image.startswith(_IMAGE_SCHEMES):
        shown = image[:40] if isinstance(image, str) else type(image).__name__
        msg = (
            f"embed_images: item {index} ({shown!r}) is not an http(s) URL or a "
            "data:image/...;base64,... URI"
        )
        raise ValueError(msg)
    return {"content": [{"type": "image_url", "image_url": {"url": image}}]}


def in_batches(items: Sequence[Any], size: int) -> list[list[Any]]:
    """Split ``items`` into consecutive batches of at most ``size``.

    Args:
        items: What to split.
        size: Largest batch (at least 1).

    Returns:
        The batches, in order.
    """
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def build_embeddings_payload(
    *,
    model: str,
    inputs: Sequence[EmbeddingInput],
    dimensions: int | None,
    encoding_format: EncodingFormat | None,
    input_type: str | None,
    extra_body: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The ``/embeddings`` request body; unset options are left out.

    Args:
        model: The model id.
        inputs: Texts, or multimodal ``{"content": [...]}`` items.
        dimensions: Output size, for models that can shorten their vectors.
        encoding_format: ``float`` or ``base64`` (decoded by
            `parse_embeddings`).
        input_type: e.g. ``search_query`` / ``search_document``.
        extra_body: Merged last (``provider``, ``user``, newer fields).

    Returns:
        The JSON body.
    """
    payload: dict[str, Any] = {"model": model, "input": list(inputs)}
    options = {
        "dimensions": dimensions,
        "encoding_format": encoding_format,
        "input_type": input_type,
    }
    payload.update(
        {name: value for name, value in options.items() if value is not None}
    )
    payload.update(extra_body or {})
    return payload


def parse_embeddings(body: Any, *, expected: int) -> list[list[float]]:
    """The vectors of an ``/embeddings`` answer, in input order.

    Args:
        body: The parsed JSON answer (an error body was already raised).
        expected: How many inputs were sent.

    Returns:
        One vector per input; base64 vectors are decoded.

    Raises:
        OpenRouterServerError: The answer holds no ``data``, or not one
            vector per input (retried like a 5xx).
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list) or not data:
        msg = f"OpenRouter answered /embeddings without embedding data: {body!r:.200}"
        raise OpenRouterServerError(msg, body=body)
    vectors: dict[int, list[float]] = {}
    for position, item in enumerate(data):
        if not isinstance(item, Mapping):
            continue
        index = item.get("index", position)
        vectors[index if isinstance(index, int) else position] = _vector(
            item.get("embedding")
        )
    if sorted(vectors) != list(range(expected)):
        msg = (
            f"OpenRouter answered {len(data)} embedding(s) with indices "
            f"{sorted(vectors)[:10]} for {expected} input(s)"
        )
        raise OpenRouterServerError(msg, body=body)
    return [vectors[index] for index in range(expected)]


def _vector(value: Any) -> list[float]:
    if isinstance(value, str):
        return decode_base64_embedding(value)
    if isinstance(value, list) and value:
        # One C-level pass: array("d") takes ints and floats, refuses the rest.
        try:
            return array.array("d", value).tolist()
        except TypeError:
            pass
    msg = f"an embedding is neither a list of numbers nor base64: {value!r:.80}"
    raise OpenRouterServerError(msg)


def decode_base64_embedding(text: str) -> list[float]:
    """Decode a ``base64`` embedding: little-endian float32 values.

    Args:
        text: The base64 string OpenRouter sent.

    Returns:
        The vector as Python floats.

    Raises:
        OpenRouterServerError: Not base64, or not a whole number of float32s.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        msg = f"a base64 embedding is not valid base64: {text[:40]!r}"
        raise OpenRouterServerError(msg) from None
    if not raw or len(raw) % 4:
        msg = f"a base64 embedding holds {len(raw)} bytes, not whole float32s"
        raise OpenRouterServerError(msg)
    values = array.array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()
