"""`FakeOpenRouter`'s retrieval endpoints: embeddings, their models, rerank.

``POST /embeddings``, ``GET /embeddings/models`` and ``POST /rerank``.

Request validation and answers follow OpenRouter's OpenAPI description of the
three endpoints (``createEmbeddings``, ``listEmbeddingsModels``,
``createRerank``; see ``langchain_openrouter_free._embedding_wire`` for the
source). Answers are deterministic and meaningful:

- a text's vector is a hashed bag of its words (`hashed_vector`), L2
  normalised, so the same text always gets the same vector and texts that
  share words point the same way;
- a document's ``relevance_score`` is the cosine of its vector with the
  query's, clipped at 0 (`relevance`), so a query ranks the document that
  shares its words first.

Free (``:free``) models count against the same free-tier budget as chat
requests (20 a minute, 50 or 1000 a day when limits are on). The retrieval
models it knows (`RETRIEVAL_MODELS`) are the emulator's own stand-ins: their
ids are the free ones seen in public code in 2026, their limits (8192 tokens
an input, 2048 dimensions) are the emulator's choice, not published facts.
Validation messages are the emulator's wording except ``"<id> is not a valid
model ID"``, which is OpenRouter's.
"""

from __future__ import annotations

import array
import base64
import copy
import hashlib
import math
import re
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs

from langchain_openrouter_free._constants import (
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_RERANK_MODEL,
)
from langchain_openrouter_free.testing._fake_bodies import dumps
from langchain_openrouter_free.testing._fake_errors import ErrorResponse, error_body
from langchain_openrouter_free.testing._normalize import request_digest

if TYPE_CHECKING:
    from langchain_openrouter_free.testing._fake_http import ResponseWriter
    from langchain_openrouter_free.testing._fake_replies import RecordedRequest

__all__ = [
    "EMULATOR_DIMENSIONS",
    "RETRIEVAL_MODELS",
    "RetrievalEndpoints",
    "hashed_vector",
    "lists_output",
    "relevance",
    "retrieval_models",
]

EMULATOR_DIMENSIONS: Final = 2048
"""Vector size when a request sets no ``dimensions``."""
_MAX_INPUT_TOKENS: Final = 8192
_BYTES_PER_TOKEN: Final = 4
_WORD: Final = re.compile(r"[^\W_]+")
_STOP_WORDS: Final = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for"}
    | {"from", "how", "in", "is", "it", "of", "on", "or", "the", "to", "was"}
    | {"what", "which", "who", "why", "with"}
)
_JSON: Final = ("Content-Type", "application/json")
_API: Final = "/api/v1"


def _entry(model_id: str, name: str, output: str) -> dict[str, Any]:
    slug = model_id.removesuffix(":free")
    return {
        "id": model_id,
        "canonical_slug": slug,
        "name": name,
        "created": 1767225600,
        "description": "FakeOpenRouter stand-in (limits are the emulator's).",
        "context_length": _MAX_INPUT_TOKENS,
        "architecture": {
            "modality": f"text+image->{output}",
            "input_modalities": ["text", "image"],
            "output_modalities": [output],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": "0", "completion": "0"},
        "top_provider": {
            "context_length": _MAX_INPUT_TOKENS,
            "max_completion_tokens": None,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": [],
        "default_parameters": None,
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{slug}/endpoints"},
    }


RETRIEVAL_MODELS: Final = (
    _entry(
        DEFAULT_EMBEDDING_MODEL, "NVIDIA: Llama Nemotron Embed VL (free)", "embeddings"
    ),
    _entry(DEFAULT_RERANK_MODEL, "NVIDIA: Llama Nemotron Rerank VL (free)", "rerank"),
)
"""The emulator's free embedding and rerank models (see the module docstring)."""


def retrieval_models() -> list[dict[str, Any]]:
    """Fresh copies of `RETRIEVAL_MODELS` for a ``/models`` answer.

    Returns:
        The entries (safe to mutate).
    """
    return copy.deepcopy(list(RETRIEVAL_MODELS))


def lists_output(entry: Mapping[str, Any], query: str) -> bool:
    """Whether ``GET /models?<query>`` lists ``entry`` by its output modalities.

    Without ``output_modalities`` only text-output models are listed, as on
    OpenRouter; ``all`` lists every model; else a comma-separated list.

    Args:
        entry: One ``/models`` entry.
        query: The query string (without ``?``).

    Returns:
        True when the entry is listed.
    """
    values = parse_qs(query).get("output_modalities") or ["text"]
    wanted = {name for value in values for name in value.split(",") if name}
    return "all" in wanted or bool(wanted & set(_outputs(entry)))


# ------------------------------------------------------------------ vectors


def _words(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS]
    return words or [text]


def hashed_vector(text: str, dimensions: int = EMULATOR_DIMENSIONS) -> list[float]:
    """The emulator's embedding of a text: a normalised hashed bag of words.

    Each word (lower case, stop words left out) adds +1 or -1 at a position
    picked by its BLAKE2b hash; the sum is scaled to length 1 and rounded to
    6 decimals. Deterministic across runs, processes and platforms.

    Args:
        text: The text (an image is embedded as its URL).
        dimensions: The vector size.

    Returns:
        The vector.
    """
    vector = [0.0] * dimensions
    for word in _words(text):
        digest = int.from_bytes(hashlib.blake2b(word.encode()).digest()[:8], "big")
        vector[digest % dimensions] += 1.0 if digest >> 63 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 6) for v in vector]


def relevance(query: str, document: str) -> float:
    """The emulator's rerank score: cosine of the two word vectors, clipped at 0.

    Args:
        query: The search query.
        document: One document.

    Returns:
        A score from 0 (no shared word) to 1 (the same words).
    """
    left, right = hashed_vector(query), hashed_vector(document)
    return round(max(0.0, sum(a * b for a, b in zip(left, right, strict=True))), 6)


def _base64(vector: Sequence[float]) -> str:
    packed = array.array("f", vector)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _tokens(text: str) -> int:
    return math.ceil(len(text.encode("utf-8")) / _BYTES_PER_TOKEN)


# ---------------------------------------------------------------- validation


class _Invalid(Exception):  # noqa: N818 - internal control flow, never escapes
    """A request the endpoint answers 400 (the message is the body's)."""


def _input_texts(value: Any) -> list[str]:
    """The texts of an ``input`` (a part list becomes its texts and URLs)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        msg = "input: expected a non-empty string or a non-empty array"
        raise _Invalid(msg)
    texts = []
    for index, item in enumerate(value):
        if isinstance(item, str) and item:
            texts.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("content"), list):
            texts.append(_content_text(item["content"], index))
        elif isinstance(item, int | float | list) and not isinstance(item, bool):
            texts.append(repr(item))  # token arrays: embedded by their repr
        else:
            msg = f"input[{index}]: expected a non-empty string or a content object"
            raise _Invalid(msg)
    return texts


def _content_text(parts: list[Any], index: int) -> str:
    pieces = []
    for part in parts:
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind == "text" and isinstance(part.get("text"), str) and part["text"]:
            pieces.append(part["text"])
        elif kind == "image_url" and isinstance(part.get("image_url"), Mapping):
            pieces.append(str(part["image_url"].get("url", "")))
        else:
            msg = f"input[{index}].content: parts must be text or image_url objects"
            raise _Invalid(msg)
    if not pieces:
        msg = f"input[{index}].content: expected at least one part"
        raise _Invalid(msg)
    return " ".join(pieces)


def _positive_int(payload: Mapping[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{name}: expected an integer of at least 1"
        raise _Invalid(msg)
    return value


def _within_limit(texts: Sequence[str], limit: int) -> None:
    for index, text in enumerate(texts):
        if _tokens(text) > limit:
            msg = (
                f"input[{index}] is {_tokens(text)} tokens, more than the "
                f"model's {limit}-token limit"
            )
            raise _Invalid(msg)


def _bad_request(message: str) -> ErrorResponse:
    return ErrorResponse(400, (), error_body(message, 400))


def _outputs(entry: Mapping[str, Any]) -> list[str]:
    architecture = entry.get("architecture") or {}
    return list(architecture.get("output_modalities") or ["text"])


# ------------------------------------------------------------------ endpoints

_Handler = Callable[["RecordedRequest", "ResponseWriter"], Coroutine[Any, Any, None]]


class RetrievalEndpoints:
    """The handlers of the three retrieval endpoints, for `FakeOpenRouter`.

    Args:
        authorized: Whether a request carries an acceptable key.
        admit: The free-tier 429 a request gets now, or None (counts it).
        catalog: Every model the emulator lists (all output kinds).
    """

    def __init__(
        self,
        *,
        authorized: Callable[[RecordedRequest], bool],
        admit: Callable[[RecordedRequest], ErrorResponse | None],
        catalog: Callable[[], list[dict[str, Any]]],
    ) -> None:
        """Keep the server's hooks."""
        self._authorized = authorized
        self._admit = admit
        self._catalog = catalog

    def routes(self) -> dict[tuple[str, str], _Handler]:
        """``(method, path) -> handler`` for the server's route table.

        Returns:
            The three routes.
        """
        return {
            ("POST", f"{_API}/embeddings"): self._embeddings,
            ("GET", f"{_API}/embeddings/models"): self._embedding_models,
            ("POST", f"{_API}/rerank"): self._rerank,
        }

    async def _embedding_models(
        self, _request: RecordedRequest, out: ResponseWriter
    ) -> None:
        models = [m for m in self._catalog() if "embeddings" in _outputs(m)]
        await _send(out, 200, {"data": models})

    async def _embeddings(self, request: RecordedRequest, out: ResponseWriter) -> None:
        await self._answer(request, out, "embeddings", self._embeddings_body)

    async def _rerank(self, request: RecordedRequest, out: ResponseWriter) -> None:
        await self._answer(request, out, "rerank", self._rerank_body)

    async def _answer(
        self,
        request: RecordedRequest,
        out: ResponseWriter,
        output: str,
        build: Callable[[RecordedRequest, Mapping[str, Any]], dict[str, Any]],
    ) -> None:
        if not self._authorized(request):
            body = error_body("No auth credentials found", 401, user_id=False)
            await _send(out, 401, body)
            return
        try:
            answer = build(request, self._model(request.json, output))
        except _Invalid as exc:  # refused before it counts, like a bad chat body
            await _send_error(out, _bad_request(str(exc)))
            return
        refusal = self._admit(request)
        if refusal is not None:
            await _send_error(out, refusal)
            return
        await _send(out, 200, answer)

    def _model(self, payload: Any, output: str) -> Mapping[str, Any]:
        if not isinstance(payload, Mapping):
            msg = "Invalid JSON body: expected an object"
            raise _Invalid(msg)
        model = payload.get("model")
        if not isinstance(model, str) or not model:
            msg = "model: expected a model id"
            raise _Invalid(msg)
        entry = next((m for m in self._catalog() if m.get("id") == model), None)
        if entry is None:
            msg = f"{model} is not a valid model ID"
            raise _Invalid(msg)
        if output not in _outputs(entry):
            msg = f"{model} does not serve /{output} (wrong endpoint for this model)"
            raise _Invalid(msg)
        return entry

    def _embeddings_body(
        self, request: RecordedRequest, entry: Mapping[str, Any]
    ) -> dict[str, Any]:
        payload = request.json
        texts = _input_texts(payload.get("input"))
        dimensions = _positive_int(payload, "dimensions") or EMULATOR_DIMENSIONS
        encoding = payload.get("encoding_format") or "float"
        if encoding not in {"float", "base64"}:
            msg = "encoding_format: expected 'float' or 'base64'"
            raise _Invalid(msg)
        _within_limit(texts, int(entry.get("context_length") or _MAX_INPUT_TOKENS))
        vectors = [hashed_vector(text, dimensions) for text in texts]
        tokens = sum(_tokens(text) for text in texts)
        digest = request_digest(request.method, request.path, request.body)
        return {
            "id": f"embd-{digest[:24]}",
            "object": "list",
            "data": [
                {
                    "object": "embedding",
                    "embedding": _base64(v) if encoding == "base64" else v,
                    "index": index,
                }
                for index, v in enumerate(vectors)
            ],
            "model": entry["id"],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens, "cost": 0},
        }

    def _rerank_body(
        self, request: RecordedRequest, entry: Mapping[str, Any]
    ) -> dict[str, Any]:
        payload = request.json
        query = payload.get("query")
        if not isinstance(query, str) or not query:
            msg = "query: expected a non-empty string"
            raise _Invalid(msg)
        documents = payload.get("documents")
        if not isinstance(documents, list) or not documents:
            msg = "documents: expected a non-empty array"
            raise _Invalid(msg)
        texts = [_document_text(doc, index) for index, doc in enumerate(documents)]
        top_n = _positive_int(payload, "top_n") or len(texts)
        limit = int(entry.get("context_length") or _MAX_INPUT_TOKENS)
        _within_limit([f"{query} {text}" for text in texts], limit)
        scores = [(relevance(query, text), index) for index, text in enumerate(texts)]
        ranked = sorted(scores, key=lambda pair: (-pair[0], pair[1]))[:top_n]
        digest = request_digest(request.method, request.path, request.body)
        tokens = sum(_tokens(query) + _tokens(text) for text in texts)
        return {
            "id": f"gen-rerank-{digest[:24]}",
            "model": entry["id"],
            "results": [
                {
                    "document": {"text": texts[index]},
                    "index": index,
                    "relevance_score": score,
                }
                for score, index in ranked
            ],
            "usage": {"total_tokens": tokens, "cost": 0},
        }


def _document_text(document: Any, index: int) -> str:
    if isinstance(document, str):
        return document
    if isinstance(document, Mapping) and (
        document.get("text") or document.get("image")
    ):
        return " ".join(str(document.get(k) or "") for k in ("text", "image")).strip()
    msg = f"documents[{index}]: expected a string or an object with text or image"
    raise _Invalid(msg)


async def _send(out: ResponseWriter, status: int, body: Any) -> None:
    await out.send(status, [_JSON], dumps(body).encode())


async def _send_error(out: ResponseWriter, response: ErrorResponse) -> None:
    await out.send(
        response.status, [_JSON, *response.headers], dumps(response.body).encode()
    )
