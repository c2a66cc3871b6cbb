"""``OpenRouterFreeEmbeddings``: LangChain embeddings over OpenRouter's free models."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.embeddings import Embeddings
from pydantic import Field

from langchain_openrouter_free._constants import (
    DEFAULT_EMBEDDING_MODEL,
    EMBEDDINGS_PATH,
)
from langchain_openrouter_free._embedding_wire import (
    EmbeddingInput,
    EncodingFormat,
    build_embeddings_payload,
    check_texts,
    image_input,
    in_batches,
    parse_embeddings,
)
from langchain_openrouter_free._retrieval_base import OpenRouterRetrievalModel
from langchain_openrouter_free._retrieval_models import (
    input_token_limit,
    takes_images,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from langchain_openrouter_free._registry_model import ModelKind

__all__ = ["OpenRouterFreeEmbeddings"]


class OpenRouterFreeEmbeddings(OpenRouterRetrievalModel, Embeddings):
    """OpenRouter embeddings (``POST /api/v1/embeddings``) for LangChain.

    Shares every connection setting with ``ChatOpenRouterFree`` (``api_key``
    from ``OPENROUTER_API_KEY``, ``base_url``, ``timeout``, ``max_retries``,
    ``http_client``, ...), its typed errors, retries and free-tier handling:
    every embeddings request counts against the account's free-model budget
    (20 a minute, 50 or 1000 a day), so texts are sent ``batch_size`` at a
    time. Bad input (an empty list, an empty text, a text over the model's
    limit, a paid or non-embedding model id) is refused before anything is
    sent.

    Instantiate:
        ```python
        from langchain_openrouter_free import OpenRouterFreeEmbeddings

        embeddings = OpenRouterFreeEmbeddings(
            model="nvidia/llama-nemotron-embed-vl-1b-v2:free"
        )
        vectors = embeddings.embed_documents(["Brie is soft.", "Comté is hard."])
        query = embeddings.embed_query("Which cheese is soft?")
        ```

    Images (vision embedding models, same vector space as the texts):
        ```python
        embeddings.embed_images(["https://example.com/brie.png"])
        ```
    """

    _kind: ClassVar[ModelKind] = "embedding"

    model: str = Field(default=DEFAULT_EMBEDDING_MODEL, alias="model_name")
    """A free embedding model id (``...:free``)."""
    dimensions: int | None = Field(default=None, ge=1)
    """Vector size, for models that can shorten their vectors; None: the model's."""
    encoding_format: EncodingFormat | None = None
    """``base64`` asks for compact vectors (decoded here); None or ``float``: lists."""
    document_input_type: str | None = None
    """``input_type`` sent by ``embed_documents``, e.g. ``search_document``."""
    query_input_type: str | None = None
    """``input_type`` sent by ``embed_query``, e.g. ``search_query``."""
    batch_size: int = Field(default=128, ge=1)
    """Most inputs per request; more are split over several requests."""

    # ------------------------------------------------------------------ public

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts, ``batch_size`` per request.

        Args:
            texts: Non-empty texts, each within the model's input limit.

        Returns:
            One vector per text, in order.
        """
        inputs = self._texts(texts, "embed_documents")
        return self._embed(inputs, self.document_input_type)

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text.

        Args:
            text: A non-empty text within the model's input limit.

        Returns:
            Its vector.
        """
        inputs = self._texts([text], "embed_query")
        return self._embed(inputs, self.query_input_type)[0]

    def embed_images(self, images: Sequence[str]) -> list[list[float]]:
        """Embed images with a vision embedding model.

        Args:
            images: ``http(s)://`` URLs or ``data:image/...;base64,...`` URIs.

        Returns:
            One vector per image, in the same space as the text vectors.
        """
        inputs = self._images(images)
        return self._embed(inputs, self.document_input_type)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async `embed_documents`."""
        inputs = self._texts(texts, "aembed_documents")
        return await self._aembed(inputs, self.document_input_type)

    async def aembed_query(self, text: str) -> list[float]:
        """Async `embed_query`."""
        inputs = self._texts([text], "aembed_query")
        return (await self._aembed(inputs, self.query_input_type))[0]

    async def aembed_images(self, images: Sequence[str]) -> list[list[float]]:
        """Async `embed_images`."""
        inputs = self._images(images)
        return await self._aembed(inputs, self.document_input_type)

    # ------------------------------------------------------------ requests

    def _embed(
        self, inputs: list[EmbeddingInput], input_type: str | None
    ) -> list[list[float]]:
        client = self._client()
        vectors: list[list[float]] = []
        for payload, parse in self._requests(inputs, input_type):
            vectors += client.request_json(
                "POST", EMBEDDINGS_PATH, json=payload, parse=parse
            )
        return vectors

    async def _aembed(
        self, inputs: list[EmbeddingInput], input_type: str | None
    ) -> list[list[float]]:
        client = self._client()
        vectors: list[list[float]] = []
        for payload, parse in self._requests(inputs, input_type):
            vectors += await client.arequest_json(
                "POST", EMBEDDINGS_PATH, json=payload, parse=parse
            )
        return vectors

    def _requests(
        self, inputs: list[EmbeddingInput], input_type: str | None
    ) -> list[tuple[dict[str, Any], functools.partial[list[list[float]]]]]:
        """Each batch's body and its parser (run inside every attempt)."""
        self._require_key()
        requests = []
        for batch in in_batches(inputs, self.batch_size):
            payload = build_embeddings_payload(
                model=self.model,
                inputs=batch,
                dimensions=self.dimensions,
                encoding_format=self.encoding_format,
                input_type=input_type,
                extra_body=self.extra_body,
            )
            self._check_free(payload)
            parse = functools.partial(parse_embeddings, expected=len(batch))
            requests.append((payload, parse))
        return requests

    def _texts(self, texts: Sequence[str], what: str) -> list[EmbeddingInput]:
        limit = input_token_limit(self.model, self.max_input_tokens)
        return list(
            check_texts(texts, max_input_tokens=limit, model=self.model, what=what)
        )

    def _images(self, images: Sequence[str]) -> list[EmbeddingInput]:
        if takes_images(self.model) is False:
            msg = (
                f"embed_images: {self.model} takes no image input; use a vision "
                "embedding model such as nvidia/llama-nemotron-embed-vl-1b-v2:free"
            )
            raise ValueError(msg)
        if isinstance(images, str) or not images:
            msg = "embed_images takes a non-empty list of image URLs or data URIs"
            raise ValueError(msg)
        return [image_input(image, index=i) for i, image in enumerate(images)]
