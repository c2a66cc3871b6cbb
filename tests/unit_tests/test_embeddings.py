"""OpenRouterFreeEmbeddings over a mock wire: requests, answers, bad input, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from _client_harness import BAD_MODEL_400, DAILY_429
from _retrieval_wire import (
    EMBED_MODEL,
    assert_embeddings_request,
    embeddings_answer,
    float32_base64,
    make_embeddings,
    make_reranker,
)
from _wire import FAKE_KEY, JSON_HEADERS, make_model, run

from langchain_openrouter_free import OpenRouterFreeEmbeddings
from langchain_openrouter_free.errors import (
    FreeQuotaExhaustedError,
    OpenRouterInvalidRequestError,
    OpenRouterMissingKeyError,
    OpenRouterServerError,
)
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter
from langchain_openrouter_free.registry import (
    FreeModelRegistry,
    default_registry,
    set_default_registry,
)

VECTORS = [[0.5, -0.25, 1.0], [0.125, 0.75, -1.0], [2.0, 0.0, -0.5]]


def embed_documents(mode: str, model: OpenRouterFreeEmbeddings, texts: Any) -> Any:
    return run(
        mode,
        lambda: model.embed_documents(texts),
        lambda: model.aembed_documents(texts),
    )


def embed_query(mode: str, model: OpenRouterFreeEmbeddings, text: Any) -> Any:
    return run(mode, lambda: model.embed_query(text), lambda: model.aembed_query(text))


@pytest.fixture
def retrieval_registry() -> Iterator[None]:
    """The bundled registry plus a text-only embedding model with a tiny limit."""
    chat = next(iter(default_registry()))
    tiny = replace(
        chat,
        id="acme/tiny-embed:free",
        name="Acme tiny embed (free)",
        author="acme",
        context_length=16,
        input_modalities=("text",),
        output_modalities=("embeddings",),
        aliases=("acme/tiny-embedding:free",),
    )
    set_default_registry(FreeModelRegistry([*default_registry(), tiny]))
    yield
    set_default_registry(None)


# --- requests and answers ------------------------------------------------------


def test_documents_go_in_one_documented_request_and_come_back_in_order(
    mode: str,
) -> None:
    # The answer lists the vectors out of order: the index decides.
    model, recorder = make_embeddings([embeddings_answer(VECTORS, order=[2, 0, 1])])
    vectors = embed_documents(mode, model, ["brie", "comte", "roquefort"])
    assert vectors == VECTORS
    [request] = recorder.requests
    body = assert_embeddings_request(request)
    assert body == {"model": EMBED_MODEL, "input": ["brie", "comte", "roquefort"]}


def test_query_and_document_input_types_are_sent_where_set(mode: str) -> None:
    model, recorder = make_embeddings(
        [embeddings_answer(VECTORS[:1]), embeddings_answer(VECTORS[:1])],
        query_input_type="search_query",
        document_input_type="search_document",
        dimensions=3,
    )
    assert embed_query(mode, model, "soft cheese") == VECTORS[0]
    embed_documents(mode, model, ["brie"])
    query, documents = (assert_embeddings_request(r) for r in recorder.requests)
    assert query["input_type"] == "search_query"
    assert query["input"] == ["soft cheese"]
    assert query["dimensions"] == 3
    assert documents["input_type"] == "search_document"


def test_texts_are_split_into_batches_of_batch_size(mode: str) -> None:
    texts = [f"text {i}" for i in range(5)]
    answers = [embeddings_answer([[float(i)]] * n) for i, n in enumerate((2, 2, 1))]
    model, recorder = make_embeddings(answers, batch_size=2)
    vectors = embed_documents(mode, model, texts)
    assert vectors == [[0.0], [0.0], [1.0], [1.0], [2.0]]
    sent = [assert_embeddings_request(r)["input"] for r in recorder.requests]
    assert sent == [texts[0:2], texts[2:4], texts[4:5]]


def test_base64_vectors_are_asked_for_and_decoded(mode: str) -> None:
    encoded = [float32_base64(v) for v in VECTORS]
    model, recorder = make_embeddings(
        [embeddings_answer(encoded)], encoding_format="base64"
    )
    assert embed_documents(mode, model, ["a", "b", "c"]) == VECTORS
    assert assert_embeddings_request(recorder.requests[0])["encoding_format"] == (
        "base64"
    )


def test_images_are_sent_as_image_url_content_parts(mode: str) -> None:
    model, recorder = make_embeddings([embeddings_answer(VECTORS[:2])])
    images = ["https://example.test/brie.png", "data:image/png;base64,iVBORw0KGgo="]
    vectors = run(
        mode, lambda: model.embed_images(images), lambda: model.aembed_images(images)
    )
    assert vectors == VECTORS[:2]
    body = assert_embeddings_request(recorder.requests[0])
    assert body["input"] == [
        {"content": [{"type": "image_url", "image_url": {"url": url}}]}
        for url in images
    ]


def test_extra_body_fields_are_merged_last(mode: str) -> None:
    model, recorder = make_embeddings(
        [embeddings_answer(VECTORS[:1])],
        extra_body={"provider": {"order": ["nvidia"]}, "user": "u-1"},
    )
    embed_documents(mode, model, ["brie"])
    body = assert_embeddings_request(recorder.requests[0])
    assert body["provider"] == {"order": ["nvidia"]}
    assert body["user"] == "u-1"


# --- bad input: a clear error, nothing sent -----------------------------------


@pytest.mark.parametrize(
    ("texts", "error", "words"),
    [
        ([], ValueError, "empty list"),
        (["brie", ""], ValueError, "item 1 is an empty string"),
        (["x" * 40_000], ValueError, "over the 8192-token input limit"),
        ("brie", TypeError, "not one str"),
        (["brie", 3], TypeError, "item 1 is int"),
    ],
)
def test_bad_texts_are_refused_before_any_request(
    mode: str, texts: Any, error: type[Exception], words: str
) -> None:
    model, recorder = make_embeddings([])
    with pytest.raises(error, match=words):
        embed_documents(mode, model, texts)
    assert recorder.requests == []


def test_an_empty_query_is_refused_before_any_request(mode: str) -> None:
    model, recorder = make_embeddings([])
    with pytest.raises(ValueError, match="empty string"):
        embed_query(mode, model, "")
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"model": "openai/text-embedding-3-small"}, "not free"),
        ({"model": "openrouter/free"}, "free chat models only"),
        ({"model": "meta-llama/llama-3.3-70b-instruct:free"}, "is a chat model"),
    ],
)
def test_paid_router_and_chat_ids_are_refused_at_construction(
    fields: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        OpenRouterFreeEmbeddings(api_key=FAKE_KEY, **fields)


def test_a_paid_model_set_through_extra_body_is_refused(mode: str) -> None:
    model, recorder = make_embeddings(
        [], extra_body={"model": "openai/text-embedding-3-small"}
    )
    with pytest.raises(ValueError, match=r"extra_body\['model'\]"):
        embed_documents(mode, model, ["brie"])
    assert recorder.requests == []


def test_allow_paid_sends_a_paid_id(mode: str) -> None:
    paid = "openai/text-embedding-3-small"
    model, recorder = make_embeddings(
        [embeddings_answer(VECTORS[:1], model=paid)], model=paid, allow_paid=True
    )
    embed_documents(mode, model, ["brie"])
    assert assert_embeddings_request(recorder.requests[0])["model"] == paid


@pytest.mark.usefixtures("retrieval_registry")
def test_the_registry_supplies_the_limit_and_resolves_aliases(mode: str) -> None:
    model, recorder = make_embeddings(
        [embeddings_answer(VECTORS[:1])], model="acme/tiny-embedding:free"
    )
    assert model.model == "acme/tiny-embed:free"
    with pytest.raises(ValueError, match="16-token input limit of acme/tiny-embed"):
        embed_documents(mode, model, ["seventy bytes of text " * 4])
    embed_documents(mode, model, ["short"])
    assert assert_embeddings_request(recorder.requests[0])["model"] == (
        "acme/tiny-embed:free"
    )


@pytest.mark.usefixtures("retrieval_registry")
def test_max_input_tokens_overrides_the_registry(mode: str) -> None:
    model, recorder = make_embeddings(
        [embeddings_answer(VECTORS[:1])],
        model="acme/tiny-embed:free",
        max_input_tokens=100,
    )
    embed_documents(mode, model, ["seventy bytes of text " * 4])
    assert len(recorder.requests) == 1


@pytest.mark.usefixtures("retrieval_registry")
def test_images_to_a_text_only_model_are_refused_before_any_request() -> None:
    model, recorder = make_embeddings([], model="acme/tiny-embed:free")
    with pytest.raises(ValueError, match="takes no image input"):
        model.embed_images(["https://example.test/brie.png"])
    assert recorder.requests == []


@pytest.mark.parametrize("images", [[], ["images/brie.png"], "https://x.test/a.png"])
def test_bad_images_are_refused_before_any_request(images: Any) -> None:
    model, recorder = make_embeddings([])
    with pytest.raises(ValueError, match="embed_images"):
        asyncio.run(model.aembed_images(images))
    assert recorder.requests == []


# --- errors --------------------------------------------------------------------


def _error(status: int, body: bytes) -> httpx.Response:
    return httpx.Response(status, headers=JSON_HEADERS, content=body)


def test_an_error_status_is_a_typed_error(mode: str) -> None:
    model, _ = make_embeddings([_error(400, BAD_MODEL_400)])
    with pytest.raises(OpenRouterInvalidRequestError, match="not a valid model ID"):
        embed_documents(mode, model, ["brie"])


def test_the_daily_free_cap_raises_free_quota_exhausted(mode: str) -> None:
    model, recorder = make_embeddings([_error(429, DAILY_429)], max_retries=2)
    with pytest.raises(FreeQuotaExhaustedError):
        embed_documents(mode, model, ["brie"])
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"object": "list", "data": [], "model": EMBED_MODEL},
        {"object": "list", "model": EMBED_MODEL},
        {"data": [{"object": "embedding", "embedding": [0.1], "index": 5}]},
        {"data": [{"object": "embedding", "embedding": "not base64!", "index": 0}]},
    ],
)
def test_an_answer_without_one_vector_per_input_is_a_server_error(
    mode: str, body: dict[str, Any]
) -> None:
    answer = httpx.Response(
        200, headers=JSON_HEADERS, content=json.dumps(body).encode()
    )
    model, _ = make_embeddings([answer])
    with pytest.raises(OpenRouterServerError):
        embed_documents(mode, model, ["brie"])


def test_an_answer_without_data_is_retried_like_a_5xx(mode: str) -> None:
    empty = json.dumps({"object": "list", "data": [], "model": EMBED_MODEL}).encode()
    model, recorder = make_embeddings(
        [_error(200, empty), embeddings_answer(VECTORS[:1])], max_retries=1
    )
    assert embed_documents(mode, model, ["brie"]) == VECTORS[:1]
    assert len(recorder.requests) == 2


def test_the_key_is_in_no_repr_or_error(mode: str) -> None:
    model, _ = make_embeddings([_error(400, BAD_MODEL_400)])
    assert FAKE_KEY not in repr(model)
    assert FAKE_KEY not in str(model.model_dump())
    with pytest.raises(OpenRouterInvalidRequestError) as caught:
        embed_documents(mode, model, ["brie"])
    assert FAKE_KEY not in repr(caught.value)
    assert FAKE_KEY not in str(caught.value.body)


def test_no_key_for_openrouter_is_refused_before_any_request(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    model, recorder = make_embeddings([], api_key=None)
    with pytest.raises(OpenRouterMissingKeyError, match="OPENROUTER_API_KEY"):
        embed_documents(mode, model, ["brie"])
    assert recorder.requests == []


def test_embeddings_rerank_and_chat_share_one_free_budget(
    mode: str, tmp_path: Path
) -> None:
    # The daily cap met by an embeddings call blocks the reranker and the chat
    # model sharing its budget: they refuse without sending anything.
    budget = FreeTierRateLimiter(
        store=f"sqlite:///{tmp_path / 'b.db'}", api_key=FAKE_KEY
    )
    embeddings, sent = make_embeddings([_error(429, DAILY_429)], rate_limiter=budget)
    reranker, reranked = make_reranker([], rate_limiter=budget)
    chat, chatted = make_model([], rate_limiter=budget)
    with pytest.raises(FreeQuotaExhaustedError):
        embed_documents(mode, embeddings, ["brie"])
    with pytest.raises(FreeQuotaExhaustedError) as refused:
        run(
            mode,
            lambda: reranker.rerank(["brie"], "soft"),
            lambda: reranker.arerank(["brie"], "soft"),
        )
    assert refused.value.sent is False
    with pytest.raises(FreeQuotaExhaustedError):
        run(mode, lambda: chat.invoke("hi"), lambda: chat.ainvoke("hi"))
    assert (len(sent.requests), len(reranked.requests), len(chatted.requests)) == (
        1,
        0,
        0,
    )
