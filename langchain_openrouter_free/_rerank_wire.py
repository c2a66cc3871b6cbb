"""PURE: the ``POST /api/v1/rerank`` request and its answer.

The wire format follows OpenRouter's OpenAPI description of ``/rerank``
(``createRerank`` in the spec the OpenRouter SDKs are generated from,
OpenRouterTeam/typescript-sdk ``.speakeasy/in.openapi.yaml``, 2026-08-22):

- request: ``model``, ``query`` and ``documents`` (at least one; plain strings,
  or ``{"text", "image"}`` objects for multimodal models) are required;
  optional ``top_n`` (integer >= 1) and ``provider``.
- answer: ``{"id", "model", "provider"?, "results": [{"index",
  "relevance_score", "document": {"text"}}], "usage": {"total_tokens",
  "search_units"?, "cost"?}}``, results sorted by relevance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_openrouter_free._embedding_wire import estimate_tokens
from langchain_openrouter_free.errors import OpenRouterServerError

__all__ = ["RerankResult", "build_rerank_payload", "check_rerank", "parse_rerank"]


@dataclass(frozen=True, slots=True)
class RerankResult:
    """One ranked document.

    Attributes:
        index: Its position in the documents sent.
        relevance_score: How relevant the model finds it (higher: more).
    """

    index: int
    relevance_score: float


def check_rerank(
    query: str,
    documents: Sequence[str],
    *,
    top_n: int | None,
    max_input_tokens: int,
    model: str,
) -> list[str]:
    """Refuse a rerank request OpenRouter would refuse, before anything is sent.

    A reranker reads the query and one document together, so each pair must
    fit the model's input limit.

    Args:
        query: The search query.
        documents: The texts to rank.
        top_n: How many results to ask for (None: all).
        max_input_tokens: The model's input limit, in tokens.
        model: The model id, named in the errors.

    Returns:
        The documents as a list.

    Raises:
        TypeError: The query or a document is not a string.
        ValueError: The query is empty, the list is empty, a document is
            empty, a query-document pair is over the limit (by
            `estimate_tokens`), or ``top_n`` is below 1.
    """
    if not isinstance(query, str):
        msg = f"rerank: query is {type(query).__name__}, not str"
        raise TypeError(msg)
    if not query.strip():
        msg = "rerank: the query is empty; pass the text to rank the documents by"
        raise ValueError(msg)
    if isinstance(documents, str) or not documents:
        msg = "rerank: pass a non-empty list of documents to rank"
        raise ValueError(msg)
    if top_n is not None and top_n < 1:
        msg = f"rerank: top_n={top_n} must be at least 1 (or None for all)"
        raise ValueError(msg)
    query_tokens = estimate_tokens(query)
    for index, text in enumerate(documents):
        if not isinstance(text, str):
            msg = f"rerank: document {index} is {type(text).__name__}, not str"
            raise TypeError(msg)
        if not text:
            msg = f"rerank: document {index} is empty; drop it before ranking"
            raise ValueError(msg)
        tokens = query_tokens + estimate_tokens(text)
        if tokens > max_input_tokens:
            msg = (
                f"rerank: the query with document {index} is about {tokens} "
                f"tokens, over the {max_input_tokens}-token input limit of "
                f"{model}; split the document into smaller chunks or, if the "
                "model takes more, raise max_input_tokens"
            )
            raise ValueError(msg)
    return list(documents)


def build_rerank_payload(
    *,
    model: str,
    query: str,
    documents: Sequence[str],
    top_n: int | None,
    extra_body: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The ``/rerank`` request body; ``top_n`` is left out when None.

    Args:
        model: The model id.
        query: The search query.
        documents: The texts to rank.
        top_n: How many results to return (None: all).
        extra_body: Merged last (``provider``, newer fields).

    Returns:
        The JSON body.
    """
    payload: dict[str, Any] = {
        "model": model,
        "query": query,
        "documents": list(documents),
    }
    if top_n is not None:
        payload["top_n"] = top_n
    payload.update(extra_body or {})
    return payload


def parse_rerank(
    body: Any, *, count: int, top_n: int | None = None
) -> list[RerankResult]:
    """The ranking of a ``/rerank`` answer, most relevant first.

    Args:
        body: The parsed JSON answer (an error body was already raised).
        count: How many documents were sent.
        top_n: Keep at most this many (a provider may return more).

    Returns:
        The results, sorted by ``relevance_score`` (highest first; ties keep
        the input order).

    Raises:
        OpenRouterServerError: No ``results`` list, or a result whose index
            or score is missing or out of range (retried like a 5xx).
    """
    results = body.get("results") if isinstance(body, Mapping) else None
    if not isinstance(results, list):
        msg = f"OpenRouter answered /rerank without results: {body!r:.200}"
        raise OpenRouterServerError(msg, body=body)
    ranked = [_result(item, count, body) for item in results]
    if len({r.index for r in ranked}) != len(ranked):
        msg = "OpenRouter ranked one document twice in a /rerank answer"
        raise OpenRouterServerError(msg, body=body)
    ranked.sort(key=lambda r: (-r.relevance_score, r.index))
    return ranked if top_n is None else ranked[:top_n]


def _result(item: Any, count: int, body: Any) -> RerankResult:
    index = item.get("index") if isinstance(item, Mapping) else None
    score = item.get("relevance_score") if isinstance(item, Mapping) else None
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
        msg = f"a /rerank result names document {index!r} of {count}"
        raise OpenRouterServerError(msg, body=body)
    if not isinstance(score, int | float) or isinstance(score, bool):
        msg = f"a /rerank result has no numeric relevance_score: {item!r:.120}"
        raise OpenRouterServerError(msg, body=body)
    return RerankResult(index=index, relevance_score=float(score))
