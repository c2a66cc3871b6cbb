"""FakeOpenRouter's /embeddings, /embeddings/models and /rerank, and the classes on them."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest
from langchain_core.documents import Document

from langchain_openrouter_free import OpenRouterFreeEmbeddings, OpenRouterFreeRerank
from langchain_openrouter_free._embedding_wire import decode_base64_embedding
from langchain_openrouter_free.errors import (
    OpenRouterInvalidRequestError,
    OpenRouterRateLimitError,
)
from langchain_openrouter_free.testing import FakeOpenRouter, FreeTierLimits

EMBED = "nvidia/llama-nemotron-embed-vl-1b-v2:free"
RERANK = "nvidia/llama-nemotron-rerank-vl-1b-v2:free"
CHAT = "meta-llama/llama-3.3-70b-instruct:free"
KEY = "sk-or-v1-" + "0" * 64
DOCS = [
    "Brie is a soft cheese from France with a white rind.",
    "The Eiffel Tower is in Paris.",
    "Comte is a hard cheese aged for months in the Jura mountains.",
]


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def _embed(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post("/embeddings", json={"model": EMBED, **body})


# --- the wire ----------------------------------------------------------------------


def test_same_text_same_vector_and_sharing_words_points_the_same_way(
    client: httpx.Client,
) -> None:
    first = _embed(client, input=["soft cheese", *DOCS]).json()
    again = _embed(client, input="soft cheese").json()
    vectors = [item["embedding"] for item in first["data"]]
    assert again["data"][0]["embedding"] == vectors[0]
    assert len(vectors[0]) == 2048
    scores = [_cosine(vectors[0], v) for v in vectors[1:]]
    assert scores.index(max(scores)) == 0  # the brie document
    assert first["object"] == "list"
    assert first["model"] == EMBED
    assert [item["index"] for item in first["data"]] == [0, 1, 2, 3]
    assert first["usage"]["prompt_tokens"] == first["usage"]["total_tokens"] > 0


def test_dimensions_and_base64_follow_the_request(client: httpx.Client) -> None:
    floats = _embed(client, input="brie", dimensions=64).json()["data"][0]["embedding"]
    encoded = _embed(client, input="brie", dimensions=64, encoding_format="base64")
    text = encoded.json()["data"][0]["embedding"]
    assert isinstance(text, str)
    assert len(floats) == 64
    assert decode_base64_embedding(text) == pytest.approx(floats, abs=1e-6)


def test_rerank_ranks_the_document_sharing_the_query_words_first(
    client: httpx.Client,
) -> None:
    body = {"model": RERANK, "query": "hard cheese from the Jura", "documents": DOCS}
    answer = client.post("/rerank", json={**body, "top_n": 2}).json()
    assert [r["index"] for r in answer["results"]] == [2, 0]
    assert answer["results"][0]["document"] == {"text": DOCS[2]}
    scores = [r["relevance_score"] for r in answer["results"]]
    assert scores == sorted(scores, reverse=True)
    assert 0 <= scores[-1] <= scores[0] <= 1
    assert answer["model"] == RERANK
    assert client.post("/rerank", json=body).json()["results"][:2] == answer["results"]


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        (
            "/embeddings",
            {"model": "acme/nope:free", "input": "x"},
            "not a valid model ID",
        ),
        ("/embeddings", {"model": CHAT, "input": "x"}, "wrong endpoint"),
        (
            "/rerank",
            {"model": EMBED, "query": "q", "documents": ["d"]},
            "wrong endpoint",
        ),
        ("/embeddings", {"model": EMBED, "input": []}, "input"),
        ("/embeddings", {"model": EMBED, "input": [""]}, "input[0]"),
        ("/embeddings", {"model": EMBED, "input": "x", "dimensions": 0}, "dimensions"),
        (
            "/embeddings",
            {"model": EMBED, "input": "x", "encoding_format": "hex"},
            "encoding_format",
        ),
        ("/embeddings", {"model": EMBED, "input": "x " * 40_000}, "8192-token limit"),
        ("/rerank", {"model": RERANK, "query": "", "documents": ["d"]}, "query"),
        ("/rerank", {"model": RERANK, "query": "q", "documents": []}, "documents"),
    ],
)
def test_bad_requests_get_openrouters_400_envelope(
    client: httpx.Client, path: str, body: dict[str, object], words: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400
    assert words in error["message"]


def test_a_key_is_required_when_the_emulator_requires_one() -> None:
    with (
        FakeOpenRouter(require_key=True) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as client,
    ):
        response = _embed(client, input="x")
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "No auth credentials found"
        ok = client.post(
            "/embeddings",
            json={"model": EMBED, "input": "x"},
            headers={"Authorization": f"Bearer {KEY}"},
        )
        assert ok.status_code == 200


def test_listings_by_output_kind(client: httpx.Client) -> None:
    default = {m["id"] for m in client.get("/models").json()["data"]}
    every = {
        m["id"] for m in client.get("/models?output_modalities=all").json()["data"]
    }
    embeddings = client.get("/embeddings/models").json()["data"]
    assert CHAT in default
    assert EMBED not in default
    assert RERANK not in default
    assert {EMBED, RERANK, CHAT} <= every
    assert [m["id"] for m in embeddings] == [EMBED]
    only = client.get("/models?output_modalities=rerank").json()["data"]
    assert [m["id"] for m in only] == [RERANK]


def test_retrieval_requests_share_the_free_tier_budget_with_chat() -> None:
    limits = FreeTierLimits(per_minute=2, per_day=100)
    with (
        FakeOpenRouter(free_tier=limits) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as client,
    ):
        chat = {"model": CHAT, "messages": [{"role": "user", "content": "hi"}]}
        assert client.post("/chat/completions", json=chat).status_code == 200
        assert _embed(client, input="x").status_code == 200
        refused = client.post(
            "/rerank", json={"model": RERANK, "query": "q", "documents": ["d"]}
        )
        assert refused.status_code == 429
        assert "free-models-per-min" in refused.json()["error"]["message"]
        assert refused.headers["x-ratelimit-limit"] == "2"


# --- the classes on the emulator ----------------------------------------------------


def test_embeddings_class_sync_and_async(fake: FakeOpenRouter) -> None:
    embeddings = OpenRouterFreeEmbeddings(
        base_url=fake.base_url, api_key=KEY, batch_size=2
    )

    async def in_async() -> tuple[list[float], list[list[float]]]:
        try:
            query = await embeddings.aembed_query("white rind soft cheese")
            return query, await embeddings.aembed_documents(DOCS)
        finally:
            await embeddings.aclose()

    vectors = embeddings.embed_documents(DOCS)
    assert len(vectors) == 3
    assert fake.count("/embeddings") == 2  # two batches
    query, async_vectors = asyncio.run(in_async())
    assert query == embeddings.embed_query("white rind soft cheese")
    assert async_vectors == vectors
    scores = [_cosine(query, v) for v in vectors]
    assert scores.index(max(scores)) == 0
    image = embeddings.embed_images(["https://example.test/brie.png"])
    assert len(image[0]) == len(vectors[0])
    embeddings.close()


def test_rerank_class_sync_and_async(fake: FakeOpenRouter) -> None:
    reranker = OpenRouterFreeRerank(base_url=fake.base_url, api_key=KEY, top_n=1)
    docs = [Document(page_content=t, metadata={"n": i}) for i, t in enumerate(DOCS)]
    question = "Where is the Eiffel Tower?"

    async def in_async() -> list[Document]:
        try:
            return list(await reranker.acompress_documents(docs, question))
        finally:
            await reranker.aclose()

    [best] = reranker.compress_documents(docs, question)
    reranker.close()
    assert best.metadata["n"] == 1
    assert best.metadata["relevance_score"] > 0
    assert asyncio.run(in_async()) == [best]


def test_emulator_errors_reach_the_classes_as_typed_errors() -> None:
    limits = FreeTierLimits(per_minute=1, per_day=100)
    with FakeOpenRouter(free_tier=limits) as fake:
        embeddings = OpenRouterFreeEmbeddings(
            base_url=fake.base_url, api_key=KEY, max_retries=0, max_input_tokens=10**6
        )
        with pytest.raises(OpenRouterInvalidRequestError, match="8192-token limit"):
            embeddings.embed_query("x " * 40_000)
        embeddings.embed_query("fits")
        with pytest.raises(OpenRouterRateLimitError):
            embeddings.embed_query("one too many this minute")
        embeddings.close()
