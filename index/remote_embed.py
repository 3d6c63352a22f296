"""Embeddings computed by a model served elsewhere: an OpenAI-compatible `/v1/embeddings` endpoint (vLLM,
text-embeddings-inference, llama.cpp server) or Ollama's `/api/embed`.

The model's prompts are prefixed here, exactly as for the local model, so the server must apply none of its
own; vectors are normalised here whatever the server does. Requests go in batches, each retried with
exponential backoff on connection errors, timeouts, 429 and 5xx; anything else, and vectors of the wrong
count or size, stops with an `EmbeddingUnavailable` saying what and where.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import numpy as np

from config.settings import EmbedSettings
from index.embedder import EmbeddingUnavailable, WrongDimension
from index.encoder_embedding import EncoderEmbedding

BACKOFF_S = 0.5  # first pause; doubled at each further try


class _Transient(Exception):
    """Worth another try: the server may be starting, overloaded or restarting."""


class RemoteEncoder:
    """`encode` with the sentence-transformers call shape the rest of the project uses."""

    def __init__(self, cfg: EmbedSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.cfg = cfg
        self.url = cfg.endpoint
        self.dim: int | None = None  # set by the first answer; every later one must match it
        self._sleep = sleep
        if cfg.backend == "ollama":
            import ollama

            self._ollama = ollama.Client(host=self.url, timeout=cfg.timeout_s)
            self._post: Callable[[list[str]], list[list[float]]] = self._post_ollama
        else:
            key = cfg.api_key.get_secret_value()
            self._http = httpx.Client(timeout=cfg.timeout_s,
                                      headers={"Authorization": f"Bearer {key}"} if key else {})
            self._post = self._post_openai

    def describe(self) -> str:
        return f"the embedding server at {self.url} ({self.cfg.backend}, model {self.cfg.remote_model!r})"

    def encode(self, sentences: Sequence[str], prompt_name: str | None = None, prompt: str | None = None,
               batch_size: int | None = None, **_: Any) -> np.ndarray:
        texts = [(prompt or "") + s for s in sentences]
        step = max(1, self.cfg.remote_batch)
        parts = [self._batch(texts[lo : lo + step]) for lo in range(0, len(texts), step)]
        return np.vstack(parts) if parts else np.zeros((0, self.dim or 0), dtype=np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        tries = max(1, self.cfg.remote_tries)
        for attempt in range(tries):
            try:
                vectors = self._post(texts)
                break
            except _Transient as e:
                if attempt + 1 == tries:
                    raise EmbeddingUnavailable(
                        f"{self.describe()} does not answer ({e}; {tries} tries): start it, or set "
                        "RAG_EMBED__BACKEND=torch to embed on this machine") from e
                self._sleep(BACKOFF_S * 2**attempt)
        try:
            out = np.asarray(vectors, dtype=np.float32)
        except (TypeError, ValueError) as e:  # ragged lists: vectors of several sizes in one answer
            raise WrongDimension(f"{self.describe()} returned vectors of different sizes in one answer") from e
        if out.ndim != 2 or len(out) != len(texts):
            raise EmbeddingUnavailable(f"{self.describe()} returned {len(out)} vectors for {len(texts)} texts")
        if self.dim is None:
            self.dim = out.shape[1]
        elif out.shape[1] != self.dim:
            raise WrongDimension(f"{self.describe()} returned {out.shape[1]}-dimension vectors after "
                                 f"{self.dim}-dimension ones: was the model behind it changed?")
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _post_openai(self, texts: list[str]) -> list[list[float]]:
        try:
            reply = self._http.post(f"{self.url}/embeddings", json={
                "model": self.cfg.remote_model, "input": texts, "encoding_format": "float"})
        except httpx.TransportError as e:  # refused, reset, timed out
            raise _Transient(_reason(e)) from e
        if reply.status_code == 429 or reply.status_code >= 500:
            raise _Transient(f"HTTP {reply.status_code}")
        if reply.status_code >= 400:
            raise EmbeddingUnavailable(f"{self.describe()} refused the request: HTTP {reply.status_code} "
                                       f"{reply.text[:300]}")
        try:
            data = sorted(reply.json()["data"], key=lambda d: d["index"])
            return [d["embedding"] for d in data]
        except (ValueError, KeyError, TypeError) as e:
            raise EmbeddingUnavailable(f"{self.describe()} did not answer in the OpenAI embeddings format: "
                                       f"{reply.text[:200]!r}") from e

    def _post_ollama(self, texts: list[str]) -> list[list[float]]:
        import ollama

        try:
            return list(self._ollama.embed(model=self.cfg.remote_model, input=texts, truncate=True).embeddings)
        except ollama.ResponseError as e:
            if e.status_code == 429 or e.status_code >= 500:
                raise _Transient(f"HTTP {e.status_code}: {e.error}") from e
            raise EmbeddingUnavailable(f"{self.describe()} refused the request: {e.error}") from e
        except (ConnectionError, httpx.TransportError) as e:  # the client turns refusals into ConnectionError
            raise _Transient(_reason(e)) from e


def _reason(e: Exception) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def load(cfg: EmbedSettings) -> EncoderEmbedding:
    return EncoderEmbedding(RemoteEncoder(cfg), model_name=f"{cfg.backend}:{cfg.remote_model}",
                            embed_batch_size=cfg.remote_batch, query_prompt=cfg.query_prompt)
