"""Embeddings computed by a model served elsewhere: an OpenAI-compatible `/v1/embeddings` endpoint (vLLM,
text-embeddings-inference, llama.cpp server) through the `openai` client, or Ollama's `/api/embed` through the
`ollama` client.

The model's prompts are prefixed here, exactly as for the local model, so the server must apply none of its
own; vectors are normalised here whatever the server does. Requests go in batches of `remote_batch` texts.

Retries are the clients' own, `remote_tries` attempts per batch in all:
- openai: connection errors, timeouts, HTTP 408, 409, 429 and 5xx, after 0.5, 1, 2… s (with jitter, or the
  server's Retry-After);
- ollama: only failed connections (httpx's transport retries them after 0, 0.5, 1… s); a timeout, a
  connection dropped mid-answer or an HTTP error is not retried.
Whatever is left, and vectors of the wrong count or size, stop with an `EmbeddingUnavailable` saying what and
where; an ingest keeps the documents finished before it, and the next run does the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np

from config.settings import EmbedSettings
from index.encoder_embedding import EncoderEmbedding
from index.errors import EmbeddingUnavailable, WrongDimension

FALLBACK = "set RAG_EMBED__BACKEND=torch to embed on this machine"


class RemoteEncoder:
    """`encode` with the sentence-transformers call shape the rest of the project uses."""

    def __init__(self, cfg: EmbedSettings) -> None:
        self.cfg = cfg
        self.url = cfg.endpoint
        self.tries = max(1, cfg.remote_tries)
        self.dim: int | None = None  # set by the first answer; every later one must match it
        key = cfg.api_key.get_secret_value()
        if cfg.backend == "ollama":
            import ollama

            self._ollama = ollama.Client(host=self.url, timeout=cfg.timeout_s,
                                         headers={"Authorization": f"Bearer {key}"} if key else None,
                                         transport=httpx.HTTPTransport(retries=self.tries - 1))
            self._post = self._post_ollama
        else:
            import openai

            # The client refuses to start without a key; a server without authentication ignores this one.
            self._openai = openai.OpenAI(base_url=self.url, api_key=key or "unused", timeout=cfg.timeout_s,
                                         max_retries=self.tries - 1)
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
        vectors = self._post(texts)
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

    def _down(self, why: str) -> EmbeddingUnavailable:
        return EmbeddingUnavailable(f"{self.describe()} does not answer ({why}): start it, or {FALLBACK}")

    def _busy(self, why: str) -> EmbeddingUnavailable:
        return EmbeddingUnavailable(f"{self.describe()} is busy or failing ({why}): try again later, or {FALLBACK}")

    def _post_openai(self, texts: list[str]) -> list[list[float]]:
        import openai

        try:
            reply = self._openai.embeddings.create(model=self.cfg.remote_model, input=texts,
                                                   encoding_format="float")
        except openai.APIConnectionError as e:  # refused, reset, timed out: retried by the client
            raise self._down(f"{_reason(e)}; {self.tries} tries") from e
        except openai.APIStatusError as e:
            if e.status_code in (408, 409, 429) or e.status_code >= 500:  # retried by the client
                raise self._busy(f"HTTP {e.status_code} {_detail(e)}; {self.tries} tries") from e
            raise EmbeddingUnavailable(f"{self.describe()} refused the request: HTTP {e.status_code} "
                                       f"{_detail(e)}") from e
        try:  # the client does not check the answer's shape
            vectors = [d.embedding for d in sorted(reply.data, key=lambda d: d.index)]
        except (AttributeError, TypeError):
            vectors = None
        if vectors is None or not all(isinstance(v, list) for v in vectors):
            raise EmbeddingUnavailable(f"{self.describe()} did not answer in the OpenAI embeddings format: "
                                       f"{_brief(str(reply))}")
        return vectors

    def _post_ollama(self, texts: list[str]) -> list[list[float]]:
        import ollama

        try:
            return list(self._ollama.embed(model=self.cfg.remote_model, input=texts, truncate=True).embeddings)
        except ConnectionError as e:  # what the client makes of a refused connection, after the retries
            raise self._down(f"connection refused; {self.tries} tries") from e
        except httpx.ConnectTimeout as e:
            raise self._down(f"no connection within {self.cfg.timeout_s:g} s; {self.tries} tries") from e
        except httpx.TimeoutException as e:
            raise self._down(f"no answer within {self.cfg.timeout_s:g} s; not retried") from e
        except httpx.TransportError as e:  # e.g. the connection dropped mid-answer
            raise self._down(f"{_reason(e)}; not retried") from e
        except ollama.ResponseError as e:
            if e.status_code == 429 or e.status_code >= 500:
                raise self._busy(f"HTTP {e.status_code} {_brief(e.error)}; not retried") from e
            raise EmbeddingUnavailable(f"{self.describe()} refused the request: HTTP {e.status_code} "
                                       f"{_brief(e.error)}") from e
        except ValueError as e:  # not JSON (the error holds the text), or not the shape of an /api/embed answer
            raise EmbeddingUnavailable(f"{self.describe()} did not answer in the Ollama embed format: "
                                       f"{_brief(getattr(e, 'doc', None) or str(e))}") from e


def _reason(e: Exception) -> str:
    cause = e.__cause__ or e  # the openai client wraps httpx's error, which says more
    return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__


def _detail(e: Any) -> str:
    """The server's own words from an openai.APIStatusError: its error message, else its body."""
    body = e.body.get("message", e.body) if isinstance(e.body, dict) else e.body
    return _brief(body or e.response.text)


def _brief(text: str) -> str:
    return " ".join(str(text).split())[:300]


def load(cfg: EmbedSettings) -> EncoderEmbedding:
    return EncoderEmbedding(RemoteEncoder(cfg), model_name=f"{cfg.backend}:{cfg.remote_model}",
                            embed_batch_size=cfg.remote_batch, query_prompt=cfg.query_prompt)
