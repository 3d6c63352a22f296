"""llama-index's embedding interface over an encoder with sentence-transformers' `encode` (a SentenceTransformer,
the OpenVINO encoder, or the one calling an embedding server), so retrieval and ingest need no change whichever
runs. Queries get the query prompt; texts are embedded as given (embedder.embed_documents writes each passage's
document prompt, with its own title)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr


class Encoder(Protocol):
    def encode(self, sentences: Sequence[str], prompt_name: str | None = None, prompt: str | None = None,
               batch_size: int = 16, **kwargs: Any) -> np.ndarray: ...


class EncoderEmbedding(BaseEmbedding):
    query_prompt: str = ""
    _encoder: Encoder = PrivateAttr()

    def __init__(self, encoder: Encoder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        return self._encoder

    def _embed(self, texts: list[str], prompt: str) -> list[list[float]]:
        # prompt="" (not None) also keeps a SentenceTransformer from adding its default prompt.
        return self._encoder.encode(texts, prompt=prompt, batch_size=self.embed_batch_size,
                                    normalize_embeddings=True).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query], self.query_prompt)[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text], "")[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts, "")
