"""Wire helpers of the embeddings and rerank unit tests.

``assert_embeddings_request`` and ``assert_rerank_request`` check a request
body against OpenRouter's documented schema of ``POST /embeddings`` and
``POST /rerank`` (the OpenAPI description the OpenRouter SDKs are generated
from: OpenRouterTeam/typescript-sdk ``.speakeasy/in.openapi.yaml``,
2026-08-22, operations ``createEmbeddings`` and ``createRerank``), restated
here as the fields, types and bounds it documents.
"""

from __future__ import annotations

import array
import base64
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from _wire import FAKE_KEY, JSON_HEADERS, Recorder

from langchain_openrouter_free import OpenRouterFreeEmbeddings, OpenRouterFreeRerank

EMBEDDINGS_FIELDS = {
    "model",
    "input",
    "dimensions",
    "encoding_format",
    "input_type",
    "provider",
    "user",
}
RERANK_FIELDS = {"model", "query", "documents", "top_n", "provider"}
EMBED_MODEL = "nvidia/llama-nemotron-embed-vl-1b-v2:free"
RERANK_MODEL = "nvidia/llama-nemotron-rerank-vl-1b-v2:free"

Responses = Sequence[httpx.Response | Callable[[httpx.Request], httpx.Response]]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _content_part_ok(part: Any) -> bool:
    if not isinstance(part, dict):
        return False
    if part.get("type") == "text":
        return isinstance(part.get("text"), str) and len(part["text"]) >= 1
    if part.get("type") == "image_url":
        image = part.get("image_url")
        return isinstance(image, dict) and isinstance(image.get("url"), str)
    return False


def _input_ok(value: Any) -> bool:
    """``input``: a non-empty string, or an array of one documented item form."""
    if isinstance(value, str):
        return len(value) >= 1
    if not isinstance(value, list):
        return False
    if all(isinstance(v, str) and len(v) >= 1 for v in value):
        return True
    return all(
        isinstance(v, dict)
        and isinstance(v.get("content"), list)
        and len(v["content"]) >= 1
        and all(_content_part_ok(p) for p in v["content"])
        for v in value
    )


def _json_post(request: httpx.Request, path: str) -> dict[str, Any]:
    """The JSON body of a keyed POST to ``/api/v1<path>``."""
    assert request.method == "POST"
    assert request.url.path.endswith(f"/api/v1{path}")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == f"Bearer {FAKE_KEY}"
    body = json.loads(request.content)
    assert isinstance(body, dict)
    return body


def assert_embeddings_request(request: httpx.Request) -> dict[str, Any]:
    """Check method, path, headers and body of one ``/embeddings`` request."""
    body = _json_post(request, "/embeddings")
    assert {"model", "input"} <= body.keys() <= EMBEDDINGS_FIELDS, body.keys()
    assert isinstance(body["model"], str)
    assert _input_ok(body["input"]), body["input"]
    if "dimensions" in body:
        assert _is_int(body["dimensions"])
        assert body["dimensions"] >= 1
    if "encoding_format" in body:
        assert body["encoding_format"] in {"float", "base64"}
    if "input_type" in body:
        assert isinstance(body["input_type"], str)
    return body


def assert_rerank_request(request: httpx.Request) -> dict[str, Any]:
    """Check method, path, headers and body of one ``/rerank`` request."""
    body = _json_post(request, "/rerank")
    assert {"model", "query", "documents"} <= body.keys() <= RERANK_FIELDS, body.keys()
    assert isinstance(body["model"], str)
    assert isinstance(body["query"], str)
    assert isinstance(body["documents"], list)
    assert len(body["documents"]) >= 1
    assert all(isinstance(d, str) for d in body["documents"])
    if "top_n" in body:
        assert _is_int(body["top_n"])
        assert body["top_n"] >= 1
    return body


def float32_base64(vector: Sequence[float]) -> str:
    """A vector as OpenRouter's ``base64`` encoding: little-endian float32."""
    packed = array.array("f", vector)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode()


def embeddings_answer(
    vectors: Sequence[Sequence[float] | str],
    *,
    order: Sequence[int] | None = None,
    model: str = EMBED_MODEL,
) -> httpx.Response:
    """A 200 ``/embeddings`` answer, items in ``order`` (default: input order)."""
    indices = list(order) if order is not None else list(range(len(vectors)))
    body = {
        "id": "embd-1234567890",
        "object": "list",
        "data": [
            {"object": "embedding", "embedding": vectors[i], "index": i}
            for i in indices
        ],
        "model": model,
        "usage": {"prompt_tokens": 8, "total_tokens": 8, "cost": 0},
    }
    return httpx.Response(200, headers=JSON_HEADERS, content=json.dumps(body).encode())


def rerank_answer(
    results: Sequence[tuple[int, float]], documents: Sequence[str]
) -> httpx.Response:
    """A 200 ``/rerank`` answer with ``(index, relevance_score)`` results."""
    body = {
        "id": "gen-rerank-1234567890-abc",
        "model": RERANK_MODEL,
        "results": [
            {"document": {"text": documents[i]}, "index": i, "relevance_score": s}
            for i, s in results
        ],
        "usage": {"total_tokens": 150, "cost": 0},
    }
    return httpx.Response(200, headers=JSON_HEADERS, content=json.dumps(body).encode())


def _transport_params(recorder: Recorder) -> dict[str, Any]:
    transport = httpx.MockTransport(recorder)
    return {
        "api_key": FAKE_KEY,
        "max_retries": 0,
        "http_client": httpx.Client(transport=transport),
        "http_async_client": httpx.AsyncClient(transport=transport),
    }


def make_embeddings(
    responses: Responses, **fields: Any
) -> tuple[OpenRouterFreeEmbeddings, Recorder]:
    """Embeddings whose sync and async clients both go to one recorder."""
    recorder = Recorder(list(responses))
    params = {"model": EMBED_MODEL, **_transport_params(recorder), **fields}
    return OpenRouterFreeEmbeddings(**params), recorder


def make_reranker(
    responses: Responses, **fields: Any
) -> tuple[OpenRouterFreeRerank, Recorder]:
    """A reranker whose sync and async clients both go to one recorder."""
    recorder = Recorder(list(responses))
    params = {"model": RERANK_MODEL, **_transport_params(recorder), **fields}
    return OpenRouterFreeRerank(**params), recorder
