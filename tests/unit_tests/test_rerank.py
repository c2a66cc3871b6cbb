"""OpenRouterFreeRerank over a mock wire: requests, ranking, bad input, errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from _client_harness import DAILY_429
from _retrieval_wire import (
    RERANK_MODEL,
    assert_rerank_request,
    make_reranker,
    rerank_answer,
)
from _wire import FAKE_KEY, JSON_HEADERS, run
from langchain_core.documents import Document

from langchain_openrouter_free import OpenRouterFreeRerank
from langchain_openrouter_free._rerank_wire import RerankResult
from langchain_openrouter_free.errors import (
    FreeQuotaExhaustedError,
    OpenRouterMissingKeyError,
    OpenRouterServerError,
)

TEXTS = ["Berlin is in Germany.", "Paris is the capital of France.", "Brie is soft."]
DOCS = [Document(page_content=t, metadata={"source": i}) for i, t in enumerate(TEXTS)]


def compress(mode: str, model: OpenRouterFreeRerank, docs: Any, query: str) -> Any:
    return run(
        mode,
        lambda: model.compress_documents(docs, query),
        lambda: model.acompress_documents(docs, query),
    )


def test_documents_come_back_best_first_with_their_scores(mode: str) -> None:
    # The answer is not sorted: the scores decide.
    answer = rerank_answer([(2, 0.1), (1, 0.98)], TEXTS)
    model, recorder = make_reranker([answer], top_n=2)
    ranked = compress(mode, model, DOCS, "capital of France")
    assert [d.page_content for d in ranked] == [TEXTS[1], TEXTS[2]]
    assert [d.metadata for d in ranked] == [
        {"source": 1, "relevance_score": 0.98},
        {"source": 2, "relevance_score": 0.1},
    ]
    assert DOCS[1].metadata == {"source": 1}  # the inputs are not changed
    body = assert_rerank_request(recorder.requests[0])
    assert body == {
        "model": RERANK_MODEL,
        "query": "capital of France",
        "documents": TEXTS,
        "top_n": 2,
    }


def test_top_n_none_ranks_every_document_and_sends_no_top_n(mode: str) -> None:
    answer = rerank_answer([(0, 0.2), (1, 0.9), (2, 0.5)], TEXTS)
    model, recorder = make_reranker([answer], top_n=None)
    results = run(
        mode,
        lambda: model.rerank(TEXTS, "capital"),
        lambda: model.arerank(TEXTS, "capital"),
    )
    assert results == [RerankResult(1, 0.9), RerankResult(2, 0.5), RerankResult(0, 0.2)]
    assert "top_n" not in assert_rerank_request(recorder.requests[0])


def test_top_n_is_capped_at_the_document_count_and_enforced_on_the_answer(
    mode: str,
) -> None:
    answer = rerank_answer([(0, 0.2), (1, 0.9), (2, 0.5)], TEXTS)
    model, recorder = make_reranker([answer], top_n=10)
    results = run(
        mode,
        lambda: model.rerank(TEXTS, "capital", top_n=1),
        lambda: model.arerank(TEXTS, "capital", top_n=1),
    )
    assert results == [RerankResult(1, 0.9)]
    assert assert_rerank_request(recorder.requests[0])["top_n"] == 1


def test_no_documents_means_no_request(mode: str) -> None:
    model, recorder = make_reranker([])
    assert compress(mode, model, [], "anything") == []
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (([], "q", {}), ValueError, "non-empty list"),
        ((TEXTS, "", {}), ValueError, "query is empty"),
        ((TEXTS, "q", {"top_n": 0}), ValueError, "top_n=0"),
        ((["ok", ""], "q", {}), ValueError, "document 1 is empty"),
        ((["ok", 3], "q", {}), TypeError, "document 1 is int"),
        ((["x" * 40_000], "q", {}), ValueError, "8192-token input limit"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    mode: str, call: tuple[Any, str, dict[str, Any]], error: type[Exception], words: str
) -> None:
    documents, query, kwargs = call
    model, recorder = make_reranker([])
    with pytest.raises(error, match=words):
        run(
            mode,
            lambda: model.rerank(documents, query, **kwargs),
            lambda: model.arerank(documents, query, **kwargs),
        )
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("model_id", "words"),
    [
        ("cohere/rerank-v3.5", "not free"),
        ("openrouter/free", "free chat models only"),
        ("meta-llama/llama-3.3-70b-instruct:free", "is a chat model"),
    ],
)
def test_paid_router_and_chat_ids_are_refused_at_construction(
    model_id: str, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        OpenRouterFreeRerank(api_key=FAKE_KEY, model=model_id)


@pytest.mark.parametrize(
    "body",
    [
        {"model": RERANK_MODEL},
        {"results": [{"index": 7, "relevance_score": 0.5}]},
        {"results": [{"index": 0}]},
        {
            "results": [
                {"index": 0, "relevance_score": 1},
                {"index": 0, "relevance_score": 1},
            ]
        },
    ],
)
def test_an_unusable_answer_is_a_server_error(mode: str, body: Any) -> None:
    answer = httpx.Response(
        200, headers=JSON_HEADERS, content=json.dumps(body).encode()
    )
    model, _ = make_reranker([answer])
    with pytest.raises(OpenRouterServerError):
        compress(mode, model, DOCS, "capital")


def test_the_daily_free_cap_raises_free_quota_exhausted(mode: str) -> None:
    answer = httpx.Response(429, headers=JSON_HEADERS, content=DAILY_429)
    model, recorder = make_reranker([answer], max_retries=2)
    with pytest.raises(FreeQuotaExhaustedError):
        compress(mode, model, DOCS, "capital")
    assert len(recorder.requests) == 1


def test_no_key_for_openrouter_is_refused_before_any_request(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    model, recorder = make_reranker([], api_key=None)
    with pytest.raises(OpenRouterMissingKeyError, match="OPENROUTER_API_KEY"):
        compress(mode, model, DOCS, "capital")
    assert recorder.requests == []
